"""Inspection as service functions: check-in, results, finishing, review, publication,
corrections and the enterprise's rating. Each in one transaction, each audited, each refusing
with a Chinese message that says what to do next."""

import datetime as dt
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from shuangsuiji.core import audit, uploads
from shuangsuiji.core.errors import DomainError, Forbidden
from shuangsuiji.core.identifiers import mask_name
from shuangsuiji.core.models import Role
from shuangsuiji.core.scope import editable_by
from shuangsuiji.core.selectors import work_calendar
from shuangsuiji.directory.models import Item, Method, TargetKind
from shuangsuiji.draw.models import DrawStatus, Selection, TeamMember
from shuangsuiji.planning import services as planning
from shuangsuiji.planning.models import TASK_TRANSITIONS, TaskState

from . import hooks
from .models import (
    Attachment,
    CheckIn,
    Inspection,
    InspectionStatus,
    ItemResult,
    PublishedResult,
    Rating,
    ResultCategory,
)
from .signals import inspection_counts_changed

EDITABLE = (InspectionStatus.OPEN, InspectionStatus.FINISHED, InspectionStatus.RETURNED)


def _member(actor, selection: Selection) -> TeamMember:
    """The actor's active place in this target's team, or a refusal."""
    inspector = getattr(actor, "inspector", None) if getattr(actor, "is_authenticated", False) else None
    m = None
    if inspector is not None:
        m = selection.team.filter(inspector=inspector, active=True).select_related("department").first()
    if m is None:
        raise Forbidden("您不在该检查对象的检查组中，不能办理；如需调整，请联系本部门管理员")
    return m


def _task_open(selection: Selection) -> None:
    selection.draw.refresh_from_db(fields=["status"])
    task = selection.draw.task
    task.refresh_from_db(fields=["state"])  # another request may have closed or voided it
    if selection.draw.status != DrawStatus.DRAWN:
        raise DomainError("该抽取已作废，检查对象以重新抽取的名单为准")
    if task.state in (TaskState.CLOSED, TaskState.VOIDED):
        raise DomainError(f"任务已{task.get_state_display()}，不能再录入或修改")


def _advance(actor, task, to: str) -> None:
    """Move a task forward to `to` along the transition table, step by step."""
    order = [TaskState.TEAMS_DRAWN, TaskState.IN_PROGRESS, TaskState.RESULTS_DUE, TaskState.CLOSED]
    task.refresh_from_db()
    while task.state in order and order.index(task.state) < order.index(to):
        nxt = order[order.index(task.state) + 1]
        if nxt not in TASK_TRANSITIONS[task.state]:
            break
        task = planning.task_transition(actor=actor, task=task, to=nxt)


def _department_items(selection: Selection, department) -> list[Item]:
    """The items of the task this department checks: those it claimed."""
    return list(selection.draw.task.items.filter(claims__department=department).order_by("code"))


@transaction.atomic
def checkin(
    *, actor, selection: Selection, latitude=None, longitude=None, reason: str = "", now=None
) -> CheckIn:
    """扫码入企: an inspector of the team records arrival, once per visit (per day)."""
    member = _member(actor, selection)
    _task_open(selection)
    task = selection.draw.task
    now = now or timezone.now()
    today = timezone.localdate(now)
    if not task.window_contains(today):
        raise DomainError(f"不在任务检查时间内（{task.window_start:%Y-%m-%d} 至 {task.window_end:%Y-%m-%d}）")
    items = _department_items(selection, member.department)
    if items and all(i.offsite_only for i in items):
        raise DomainError(
            "本部门在该任务中的事项均为非现场检查，不得入企（请通过书面核查、网络监测等方式检查）"
        )
    if selection.target.risk_class == "A" and not reason.strip():
        # 无事不扰 for a low-risk subject, worded without its class: the inspector's department
        # may not keep the target, and the class is shown only to its keeper (issue 14)
        raise DomainError("本次入企须填写入企理由", field="reason")
    if CheckIn.objects.filter(selection=selection, inspector=member.inspector, at__date=today).exists():
        raise DomainError("您今天已在该企业签到，无需重复签到")
    c = CheckIn.objects.create(
        selection=selection,
        inspector=member.inspector,
        at=now,
        latitude=latitude,
        longitude=longitude,
        reason=reason.strip(),
    )
    _advance(actor, task, TaskState.IN_PROGRESS)
    audit.record(
        actor=actor,
        action="inspection.checkin",
        obj=c,
        summary=f"{member.inspector.name} 扫码入企：{selection.target.name}",
    )
    return c


def inspection_for(selection: Selection, department) -> Inspection:
    ins, _ = Inspection.objects.get_or_create(selection=selection, department=department)
    return ins


def _editable(actor, selection: Selection) -> Inspection:
    member = _member(actor, selection)
    _task_open(selection)
    ins = Inspection.objects.select_for_update().get(pk=inspection_for(selection, member.department).pk)
    if ins.status not in EDITABLE:
        raise DomainError(
            f"本部门的检查结果{ins.get_status_display()}，不能修改；如需更正，请由部门管理员发起更正"
        )
    return ins


@transaction.atomic
def result_save(
    *,
    actor,
    selection: Selection,
    item: Item,
    checked: bool = True,
    method: str,
    categories: list[str],
    problem: str = "",
) -> ItemResult:
    """谁检查、谁录入: a team member enters their department's result for one item."""
    ins = _editable(actor, selection)
    if item not in _department_items(selection, ins.department):
        raise DomainError(f"事项“{item.name}”不是本部门在该任务中的检查事项", field="item")
    if method not in Method.values:
        raise DomainError("请选择检查方式", field="method")
    if item.offsite_only and method == Method.ONSITE:
        raise DomainError(f"事项“{item.name}”为非现场检查，不能选择实地检查", field="method")
    cats = list(ResultCategory.objects.active().filter(code__in=categories))
    if checked and not cats:
        raise DomainError("请选择检查结果", field="categories")
    if len(cats) != len(set(categories)):
        raise DomainError("检查结果中有不可用的类别", field="categories")
    found = any(c.is_problem for c in cats)
    if any(c.code == "none_found" for c in cats) and found:
        raise DomainError("“未发现问题”不能与发现问题的结果同时选择", field="categories")
    if found and not problem.strip():
        raise DomainError("发现问题时请填写问题描述", field="problem")
    result, _ = ItemResult.objects.update_or_create(
        inspection=ins,
        item=item,
        defaults={"checked": checked, "method": method, "problem": problem.strip(), "found_problem": found},
    )
    result.categories.set(cats)
    if ins.entered_by_id is None:
        ins.entered_by = actor
        ins.save(update_fields=["entered_by"])
    if ins.finished_on:
        # a problem found or not changes the reports' counts (rollup, reports/apps.py)
        inspection_counts_changed.send(sender=Inspection, inspection=ins)
    _advance(actor, selection.draw.task, TaskState.IN_PROGRESS)
    audit.record(
        actor=actor,
        action="inspection.result",
        obj=ins,
        summary=f"录入检查结果：{selection.target.name} · {item.name}：{'、'.join(c.name for c in cats) or '未检查'}",
        detail={"item": item.code, "categories": categories, "method": method},
    )
    return result


@transaction.atomic
def attachment_add(*, actor, selection: Selection, upload, item: Item | None = None) -> Attachment:
    """Store a photo or PDF of the inspection. Only the rewritten file is kept (re-encoded by
    Pillow, rebuilt page by page by pypdf): a polyglot's payload, metadata and scripts are gone."""
    ins = _editable(actor, selection)
    clean = uploads.rewrite_attachment(upload)
    a = Attachment(
        inspection=ins,
        item=item,
        name=Path(upload.name).name[:200],
        content_type=clean.ext,
        size=clean.content.size,
        uploaded_by=actor,
    )
    a.file.save(a.name, clean.content, save=False)
    a.save()
    audit.record(
        actor=actor,
        action="inspection.attachment",
        obj=ins,
        summary=f"上传附件：{a.name}（{selection.target.name}）",
    )
    return a


@transaction.atomic
def inspection_finish(*, actor, selection: Selection, finished_on: dt.date, summary: str = "") -> Inspection:
    """The inspector marks the department's inspection finished; that date starts the clock
    for entering results (R-INSP-2: 20 working days, on the holiday calendar)."""
    ins = _editable(actor, selection)
    task = selection.draw.task
    if finished_on > timezone.localdate():
        raise DomainError("检查完毕日期不能晚于今天", field="finished_on")
    if finished_on > task.window_end or finished_on < task.window_start:
        raise DomainError(
            f"检查完毕日期须在任务检查时间内（{task.window_start:%Y-%m-%d} 至 {task.window_end:%Y-%m-%d}）",
            field="finished_on",
        )
    due, provisional = work_calendar().add_workdays(finished_on, settings.RESULT_DUE_WORKDAYS)
    ins.finished_on, ins.due_on, ins.due_provisional, ins.summary = finished_on, due, provisional, summary
    if ins.status == InspectionStatus.OPEN:
        ins.status = InspectionStatus.FINISHED
    ins.save()
    inspection_counts_changed.send(sender=Inspection, inspection=ins)  # the reports' rollup
    audit.record(
        actor=actor,
        action="inspection.finish",
        obj=ins,
        summary=f"检查完毕：{selection.target.name}（{finished_on:%Y-%m-%d}），结果录入截止 {due:%Y-%m-%d}{'（暂定）' if provisional else ''}",
    )
    return ins


@transaction.atomic
def inspection_submit(*, actor, selection: Selection) -> Inspection:
    ins = _editable(actor, selection)
    if not ins.finished_on:
        raise DomainError("请先填写检查完毕日期")
    missing = [
        i.name
        for i in _department_items(selection, ins.department)
        if not ins.results.filter(item=i).exists()
    ]
    if missing:
        raise DomainError(f"还有事项未录入结果：{'、'.join(missing)}")
    ins.status, ins.submitted_at = InspectionStatus.SUBMITTED, timezone.now()
    ins.save(update_fields=["status", "submitted_at"])
    audit.record(
        actor=actor,
        action="inspection.submit",
        obj=ins,
        summary=f"提交复核：{selection.target.name}（{ins.department.name}）",
    )
    return ins


def _reviewer(actor, ins: Inspection) -> None:
    if actor.role != Role.REVIEWER or not editable_by(Inspection, actor).filter(pk=ins.pk).exists():
        raise Forbidden("只能由本部门的复核人员复核")
    entered = set(
        audit.entries_for(ins).filter(action="inspection.result").values_list("actor_id", flat=True)
    )
    if actor.pk in entered or actor.pk == ins.entered_by_id:
        raise Forbidden("录入人员不能复核自己录入的结果，请由其他复核人员办理")


@transaction.atomic
def review_return(*, actor, inspection: Inspection, comment: str) -> Inspection:
    ins = Inspection.objects.select_for_update().get(pk=inspection.pk)
    _reviewer(actor, ins)
    if ins.status != InspectionStatus.SUBMITTED:
        raise DomainError("没有待复核的结果")
    if not comment.strip():
        raise DomainError("退回时请填写复核意见", field="comment")
    ins.status, ins.review_comment, ins.reviewed_by, ins.reviewed_at = (
        InspectionStatus.RETURNED,
        comment,
        actor,
        timezone.now(),
    )
    ins.save()
    audit.record(
        actor=actor,
        action="inspection.return",
        obj=ins,
        summary=f"退回修改：{ins.selection.target.name}：{comment}",
    )
    return ins


@transaction.atomic
def review_approve(*, actor, inspection: Inspection) -> Inspection:
    """复核通过即公示 (R-INSP-4); a republication after a correction is a new version."""
    ins = (
        Inspection.objects.select_for_update()
        .select_related("selection__draw__task", "selection__target", "department")
        .get(pk=inspection.pk)
    )
    _reviewer(actor, ins)
    if ins.status != InspectionStatus.SUBMITTED:
        raise DomainError("没有待复核的结果")
    now = timezone.now()
    ins.status, ins.reviewed_by, ins.reviewed_at, ins.published_at = (
        InspectionStatus.PUBLISHED,
        actor,
        now,
        now,
    )
    ins.version += 1
    ins.save()
    inspection_counts_changed.send(sender=Inspection, inspection=ins)  # the on-time publicity counts
    _publish_rows(ins)
    hooks.result_published(actor=actor, inspection=ins)  # R-FUP-1: followup puts problems on the ledger
    audit.record(
        actor=actor,
        action="inspection.publish",
        obj=ins,
        summary=f"复核通过并公示：{ins.selection.target.name}（{ins.department.name}，第 {ins.version} 版）",
    )
    _close_if_done(actor, ins.selection.draw.task)
    return ins


def _publish_rows(ins: Inspection) -> None:
    t = ins.selection.target
    task = ins.selection.draw.task
    ins.published_rows.all().delete()
    rows = []
    for r in ins.results.select_related("item").prefetch_related("categories"):
        rows.append(
            PublishedResult(
                inspection=ins,
                uscc=t.uscc or "",
                name=mask_name(t.name) if t.kind == TargetKind.PERSON else t.name,
                task_code=task.code,
                task_name=task.name,
                task_kind=task.kind,
                trigger_category=task.trigger_category,
                department=ins.department.name,
                item=r.item.name[:250],
                outcome=("、".join(c.name for c in r.categories.all()) or "未检查")[:500],
                found_problem=r.found_problem,
                finished_on=ins.finished_on,
                published_at=ins.published_at,
                version=ins.version,
            )
        )
    PublishedResult.objects.bulk_create(rows)


def _close_if_done(actor, task) -> None:
    """A task closes when every result of every department is published."""
    draw = task.draws.filter(status=DrawStatus.DRAWN).first()
    if draw is None:
        return
    expected = (
        TeamMember.objects.filter(selection__draw=draw, active=True)
        .values("selection", "department")
        .distinct()
        .count()
    )
    published = Inspection.objects.filter(selection__draw=draw, status=InspectionStatus.PUBLISHED).count()
    if expected and published >= expected:
        _advance(actor, task, TaskState.CLOSED)


@transaction.atomic
def correction_open(*, actor, inspection: Inspection, reason: str) -> Inspection:
    """A correction after publication: recorded, re-entered, reviewed and republished."""
    ins = Inspection.objects.select_for_update().get(pk=inspection.pk)
    if actor.role not in (Role.DEPT_ADMIN, Role.REVIEWER) or not (
        editable_by(Inspection, actor).filter(pk=ins.pk).exists()
    ):
        raise Forbidden("只能由本部门管理员或复核人员发起更正")
    if ins.status != InspectionStatus.PUBLISHED:
        raise DomainError("只有已公示的结果需要更正")
    if not reason.strip():
        raise DomainError("请填写更正原因", field="reason")
    ins.status, ins.review_comment = InspectionStatus.RETURNED, f"更正：{reason}"
    ins.save(update_fields=["status", "review_comment"])
    audit.record(
        actor=actor,
        action="inspection.correct",
        obj=ins,
        summary=f"发起更正：{ins.selection.target.name}：{reason}",
    )
    return ins


@transaction.atomic
def rating_submit(*, selection: Selection, code: str, score: int, comment: str = "") -> Rating:
    """The enterprise rates once, with the code printed on its notice; nobody is recorded."""
    selection = Selection.objects.select_for_update().get(pk=selection.pk)
    if (code or "").strip().upper() != selection.rating_code:
        raise DomainError("评价码不正确：请输入检查通知书上印制的评价码", field="code")
    if (
        not selection.inspections.filter(
            status__in=[InspectionStatus.FINISHED, InspectionStatus.SUBMITTED, InspectionStatus.PUBLISHED]
        ).exists()
        and not selection.checkins.exists()
    ):
        raise DomainError("检查尚未开始，暂不能评价")
    if Rating.objects.filter(selection=selection).exists():
        raise DomainError("本次检查已评价过，每次检查只能评价一次")
    if not 1 <= int(score) <= 5:
        raise DomainError("评分应为 1 到 5 分", field="score")
    r = Rating.objects.create(
        selection=Selection.objects.select_for_update().get(pk=selection.pk),
        score=int(score),
        comment=comment.strip()[:500],
        at=timezone.now(),
    )
    audit.record(
        actor=None,
        action="inspection.rating",
        obj=selection.draw,
        summary=f"企业评价：{selection.draw.public_id}（内容匿名）",
    )
    return r
