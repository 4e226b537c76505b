"""Triggers as service functions (issue 19): record a trigger, ask for a triggered task, decide
the request (the department head, with a reason, never the one who asked), merge a trigger into
a random visit. Each in one transaction, each audited, each refusing in Chinese.

A triggered task is planning's `Task` (kind 触发式检查) and runs the random flow from its team
draw on (draw/services.py `teams_draw`); its targets are a designated list made at approval
(draw/designated.py), which is also when it starts to keep its targets out of random draws of
the same items (draw/pool.py, `triggered`). A later slice's watch list (风险预警) records a
监测预警 trigger through `trigger_record` and goes on from there."""

import datetime as dt

from django.db import transaction
from django.utils import timezone

from shuangsuiji.core import audit
from shuangsuiji.core.errors import DomainError, Forbidden
from shuangsuiji.core.models import Department
from shuangsuiji.core.permissions import Action, require
from shuangsuiji.core.scope import editable_by, visible_to
from shuangsuiji.directory.models import Item, ItemStatus, Target
from shuangsuiji.draw import designated
from shuangsuiji.draw.models import DrawStatus, Selection
from shuangsuiji.followup.models import FollowUp
from shuangsuiji.planning import services as planning
from shuangsuiji.planning.models import TaskKind, TaskState, TriggerCategory

from . import selectors
from .models import RequestStatus, TaskRequest, Trigger, TriggerMerge, TriggerStatus


def _own(actor, trigger: Trigger) -> Trigger:
    require(actor, Action.TRIGGER_EDIT)
    if not editable_by(Trigger, actor).filter(pk=trigger.pk).exists():
        raise Forbidden("只能办理本部门的触发事项")
    return Trigger.objects.select_for_update().get(pk=trigger.pk)


@transaction.atomic
def trigger_record(
    *,
    actor,
    category: str,
    source: str,
    received_on: dt.date,
    targets: list[Target],
    items: list[Item],
    description: str,
    complainant: str = "",
    source_department: Department | None = None,
    followup: FollowUp | None = None,
) -> Trigger:
    """登记触发事项 for the actor's department."""
    require(actor, Action.TRIGGER_EDIT)
    if category not in TriggerCategory.values:
        raise DomainError("请选择触发类别", field="category")
    source = (source or "").strip()
    if followup is not None:
        if not selectors.transfers_received(actor).filter(pk=followup.pk).exists():
            raise Forbidden("只能依据移送至本部门的台账条目登记")
        if category != TriggerCategory.REFERRAL:
            raise DomainError("来自抄告/移送的事项属于“转办交办”", field="category")
        source_department = source_department or followup.department
        source = source or f"{followup.department.name}抄告/移送"
    if not source:
        raise DomainError("请填写来源（如：12345政务服务便民热线、上级部门名称）", field="source")
    if source_department is not None and source_department.pk == actor.department_id:
        raise DomainError("转办/交办部门不能是本部门", field="source_department")
    if received_on > timezone.localdate():
        raise DomainError("收到日期不能晚于今天", field="received_on")
    if not (description or "").strip():
        raise DomainError("请填写情况描述", field="description")
    targets, items = list(targets), list(items)
    if not targets:
        raise DomainError("请至少指定一个检查对象", field="targets")
    visible = set(
        visible_to(Target, actor).filter(pk__in=[t.pk for t in targets]).values_list("pk", flat=True)
    )
    outside = [t.name for t in targets if t.pk not in visible]
    if outside:
        raise DomainError(f"这些对象不在本部门监管的对象库中：{'、'.join(outside)}", field="targets")
    if not items:
        raise DomainError("请选择检查事项", field="items")
    usable = set(selectors.department_items(actor).values_list("pk", flat=True))
    bad = [i.name for i in items if i.pk not in usable or i.status != ItemStatus.PUBLISHED]
    if bad:
        raise DomainError(f"这些事项未发布或本部门未认领：{'、'.join(bad)}", field="items")
    trigger = Trigger.objects.create(
        department=actor.department,
        category=category,
        source=source[:200],
        source_department=source_department,
        followup=followup,
        received_on=received_on,
        description=description.strip(),
        complainant=(complainant or "").strip()[:200],
        created_by=actor,
    )
    trigger.targets.set(targets)
    trigger.items.set(items)
    audit.record(
        actor=actor,
        action="trigger.record",
        obj=trigger,
        # the log names the category, source and targets; never the complainant
        summary=f"登记触发事项：{trigger}，检查对象 {len(targets)} 个",
        detail={"followup": followup.pk if followup else None},
    )
    return trigger


@transaction.atomic
def task_request(
    *,
    actor,
    trigger: Trigger,
    window_start: dt.date,
    window_end: dt.date,
    reason: str,
    team_size: int = 2,
) -> TaskRequest:
    """申请触发式检查: a triggered task for the trigger's targets that no random visit covers,
    waiting for the department head's decision."""
    trigger = _own(actor, trigger)
    if trigger.status != TriggerStatus.OPEN:
        raise DomainError(f"触发事项当前为“{trigger.get_status_display()}”，不能再申请触发式检查")
    if not (reason or "").strip():
        raise DomainError("请填写申请理由", field="reason")
    if not selectors.open_targets(trigger).exists():
        raise DomainError("该事项的检查对象均已并入随机抽查，无需另行检查")
    task = planning.triggered_task_create(
        actor=actor,
        name=f"{window_start.year}年触发式检查（{trigger.get_category_display()}）",
        category=trigger.category,
        items=list(trigger.items.all()),
        window_start=window_start,
        window_end=window_end,
        team_size=team_size,
    )
    req = TaskRequest.objects.create(
        trigger=trigger, task=task, reason=reason.strip(), requested_by=actor, requested_at=timezone.now()
    )
    trigger.status = TriggerStatus.REQUESTED
    trigger.save(update_fields=["status"])
    audit.record(
        actor=actor,
        action="trigger.request",
        obj=req,
        summary=f"申请触发式检查：{trigger}，任务 {task.code}：{req.reason}",
    )
    return req


@transaction.atomic
def task_request_decide(*, actor, request: TaskRequest, approve: bool, note: str) -> TaskRequest:
    """The department head (复核人员 / 主管领导) approves — the targets become the task's designated
    list and its team can be drawn — or refuses, voiding the task; either with a reason. The one
    who asked never decides."""
    require(actor, Action.TRIGGER_APPROVE)
    if not editable_by(TaskRequest, actor).filter(pk=request.pk).exists():
        raise Forbidden("只能审批本部门的触发式检查申请")
    req = TaskRequest.objects.select_for_update().select_related("trigger", "task").get(pk=request.pk)
    if req.requested_by_id == actor.pk:
        raise Forbidden("申请人不能审批自己的申请，请由部门主管领导审批")
    if req.status != RequestStatus.PENDING:
        raise DomainError(f"该申请{req.get_status_display()}，不能重复审批")
    note = (note or "").strip()
    if not note:
        raise DomainError("请填写审批意见（批准或不予批准的理由）", field="note")
    trigger = Trigger.objects.select_for_update().get(pk=req.trigger_id)
    req.status = RequestStatus.APPROVED if approve else RequestStatus.REFUSED
    req.decided_by, req.decided_at, req.decision_note = actor, timezone.now(), note[:500]
    req.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    if approve:
        targets = list(selectors.open_targets(trigger))
        if not targets:
            raise DomainError("该事项的检查对象均已并入随机抽查，无需另行检查")
        designated.designated_list(actor=actor, task=req.task, targets=targets)
        trigger.status = TriggerStatus.TASKED
    else:
        planning.task_transition(actor=actor, task=req.task, to=TaskState.VOIDED, reason=f"不予批准：{note}")
        trigger.status = TriggerStatus.OPEN
    trigger.save(update_fields=["status"])
    audit.record(
        actor=actor,
        action="trigger.decide",
        obj=req,
        summary=f"{'批准' if approve else '不予批准'}触发式检查 {req.task.code}（{trigger}）：{note}",
        detail={"approve": approve, "requested_by": req.requested_by_id},
    )
    return req


@transaction.atomic
def trigger_merge(*, actor, trigger: Trigger, selection: Selection, note: str = "") -> TriggerMerge:
    """并入随机抽查: a random task of the department visits one of the trigger's targets for one of
    its items; that visit covers the trigger too (one visit, 无事不扰). The trigger is merged once
    every target of it is covered."""
    trigger = _own(actor, trigger)
    if trigger.status != TriggerStatus.OPEN:
        raise DomainError(f"触发事项当前为“{trigger.get_status_display()}”，不能并入随机抽查")
    sel = Selection.objects.select_related("draw__task", "target").get(pk=selection.pk)
    task = sel.draw.task
    if task.kind != TaskKind.RANDOM or sel.draw.status != DrawStatus.DRAWN:
        raise DomainError("只能并入有效的双随机抽查")
    if not selectors.merge_candidates(trigger).filter(pk=sel.pk).exists():
        raise DomainError(
            f"{sel.target.name} 不能并入任务 {task.code}：须为本事项的检查对象、本部门参加、有相同检查事项且尚未办结的随机抽查"
        )
    merge = TriggerMerge.objects.create(
        trigger=trigger,
        selection=sel,
        note=(note or "").strip()[:500],
        merged_by=actor,
        merged_at=timezone.now(),
    )
    if not selectors.open_targets(trigger).exists():
        trigger.status = TriggerStatus.MERGED
        trigger.save(update_fields=["status"])
    audit.record(
        actor=actor,
        action="trigger.merge",
        obj=merge,
        summary=f"触发事项（{trigger}）并入随机抽查 {task.code}：{sel.target.name}",
    )
    return merge
