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

from . import hooks, selectors
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


_department_items = selectors.department_items  # the name other apps' tests and the demo call


@transaction.atomic
def checkin(
    *, actor, selection: Selection, latitude=None, longitude=None, reason: str = "", now=None
) -> CheckIn:
    """扫码入企: an inspector of the team records arrival, once per visit (per day). The page
    shows the same refusal before the tap (selectors.checkin_refusal)."""
    member = _member(actor, selection)
    _task_open(selection)
    task = selection.draw.task
    now = now or timezone.now()
    refusal = selectors.checkin_refusal(
        selection, member.department, member.inspector, timezone.localdate(now)
    )
    if refusal:
        raise DomainError(refusal)
    if selection.target.risk_class == "A" and not reason.strip():
        # 无事不扰 for a low-risk subject, worded without its class: the inspector's department
        # may not keep the target, and the class is shown only to its keeper (issue 14)
        raise DomainError("本次入企须填写入企理由", field="reason")
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


def _result_write(
    *,
    actor,
    selection: Selection,
    ins: Inspection,
    item: Item,
    checked: bool,
    method: str,
    categories: list[str],
    problem: str,
    all_clear: bool = False,
) -> tuple[ItemResult, list[ResultCategory]]:
    """R-INSP-3's rules for one item's result, and the write; the caller audits."""
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
        defaults={
            "checked": checked,
            "method": method,
            "problem": problem.strip(),
            "found_problem": found,
            "all_clear": all_clear,
        },
    )
    result.categories.set(cats)
    if ins.entered_by_id is None:
        ins.entered_by = actor
        ins.save(update_fields=["entered_by"])
    return result, cats


def _results_written(actor, selection: Selection, ins: Inspection) -> None:
    if ins.finished_on:
        # a problem found or not changes the reports' counts (rollup, reports/apps.py)
        inspection_counts_changed.send(sender=Inspection, inspection=ins)
    _advance(actor, selection.draw.task, TaskState.IN_PROGRESS)


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
    result, cats = _result_write(
        actor=actor,
        selection=selection,
        ins=ins,
        item=item,
        checked=checked,
        method=method,
        categories=categories,
        problem=problem,
    )
    _results_written(actor, selection, ins)
    audit.record(
        actor=actor,
        action="inspection.result",
        obj=ins,
        summary=f"录入检查结果：{selection.target.name} · {item.name}：{'、'.join(c.name for c in cats) or '未检查'}",
        detail={"item": item.code, "categories": categories, "method": method},
    )
    return result


def _unchanged(result: ItemResult | None, method: str, categories: list[str], problem: str) -> bool:
    return bool(
        result is not None
        and result.checked
        and result.method == method
        and {c.code for c in result.categories.all()} == set(categories)
        and result.problem == problem.strip()
    )


@transaction.atomic
def results_save(*, actor, selection: Selection, entries: list[dict]) -> list[ItemResult]:
    """One save for every item on the page. `entries` holds {item, method, categories, problem}
    per item the inspector filled in; an item whose result is as stored is left alone (no audit
    entry). A refusal names its item and nothing of the save is kept."""
    ins = _editable(actor, selection)
    existing = {r.item_id: r for r in ins.results.prefetch_related("categories")}
    saved = []
    for e in entries:
        item = e["item"]
        method, categories, problem = e["method"], list(e["categories"]), e.get("problem", "")
        if not categories and item.pk not in existing:
            continue  # not entered yet: left for later
        if _unchanged(existing.get(item.pk), method, categories, problem):
            continue
        try:
            result, cats = _result_write(
                actor=actor,
                selection=selection,
                ins=ins,
                item=item,
                checked=True,
                method=method,
                categories=categories,
                problem=problem,
            )
        except DomainError as err:
            raise DomainError(
                f"“{item.name}”未保存：{err.message}", field=err.field, errors=[item.pk]
            ) from err
        audit.record(
            actor=actor,
            action="inspection.result",
            obj=ins,
            summary=f"录入检查结果：{selection.target.name} · {item.name}：{'、'.join(c.name for c in cats)}",
            detail={"item": item.code, "categories": categories, "method": method},
        )
        saved.append(result)
    if saved:
        _results_written(actor, selection, ins)
    return saved


def _all_clear_method(item: Item, checked_in: bool) -> str:
    """实地 when the team was there and the item may be checked on site; otherwise the item's
    first other method, 书面 when it names none."""
    if checked_in and not item.offsite_only and (not item.methods or Method.ONSITE in item.methods):
        return Method.ONSITE
    return next((m for m in item.methods if m in Method.values and m != Method.ONSITE), Method.DOCUMENT)


@transaction.atomic
def results_all_clear(*, actor, selection: Selection) -> list[ItemResult]:
    """“全部未发现问题” in one tap: every item of the department's part not yet entered gets
    未发现问题. Only once the visit is evidenced (a check-in of the department's team, or a check
    record attached): a quick entry with neither is the careless record R-FUP-2's return visits
    look for. Its use is kept on each result (ItemResult.all_clear) and in the audit log, for
    the early-warning signals."""
    ins = _editable(actor, selection)
    checked = selectors.checked_in(selection, ins.department)
    attachments = ins.attachments.count()
    if not checked and not attachments:
        raise DomainError("请先扫码入企签到，或上传检查记录（照片或 PDF），再一键录入“全部未发现问题”")
    items = _department_items(selection, ins.department)
    existing = {r.item_id: r for r in ins.results.prefetch_related("categories")}
    other = [
        i.name
        for i in items
        if i.pk in existing and {c.code for c in existing[i.pk].categories.all()} != {"none_found"}
    ]
    if other:
        raise DomainError(
            f"以下事项已录入其他检查结果，不能一键记为未发现问题，请逐项修改：{'、'.join(other)}"
        )
    todo = [i for i in items if i.pk not in existing]
    if not todo:
        raise DomainError("各事项均已录入“未发现问题”，无需再次录入")
    results = [
        _result_write(
            actor=actor,
            selection=selection,
            ins=ins,
            item=item,
            checked=True,
            method=_all_clear_method(item, checked),
            categories=["none_found"],
            problem="",
            all_clear=True,
        )[0]
        for item in todo
    ]
    _results_written(actor, selection, ins)
    basis = "已扫码入企签到" if checked else f"已上传检查记录 {attachments} 份"
    audit.record(
        actor=actor,
        action="inspection.all_clear",
        obj=ins,
        summary=f"一键录入“全部未发现问题”：{selection.target.name} · {'、'.join(i.name for i in todo)}（{basis}）",
        detail={
            "items": [i.code for i in todo],
            "methods": [r.method for r in results],
            "checked_in": checked,
            "attachments": attachments,
        },
    )
    return results


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
def inspection_submit(*, actor, selection: Selection, finished_on: dt.date | None = None) -> Inspection:
    """提交复核. The page's confirm step carries the finish date when none was recorded yet: it is
    recorded first (inspection_finish: its own audit entry, the 20-working-day clock)."""
    if finished_on is not None and _editable(actor, selection).finished_on is None:
        inspection_finish(actor=actor, selection=selection, finished_on=finished_on)
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
        audit.entries_for(ins)
        .filter(action__in=["inspection.result", "inspection.all_clear"])
        .values_list("actor_id", flat=True)
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
