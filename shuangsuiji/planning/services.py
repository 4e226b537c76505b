"""State changes of goals, joint lists, plans and tasks: one function per action, each in a
transaction, each writing the audit log."""

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone

from shuangsuiji.core import audit
from shuangsuiji.core.errors import DomainError, Forbidden
from shuangsuiji.core.models import Department, Role
from shuangsuiji.core.permissions import Action, require
from shuangsuiji.core.scope import editable_by
from shuangsuiji.directory.models import ItemClaim, ItemStatus, RiskClass, TargetKind

from .models import (
    DEFAULT_RATIOS,
    TASK_TRANSITIONS,
    AnnualPlan,
    JointList,
    Milestone,
    PlanStatus,
    PlanVersion,
    QuotaMode,
    Task,
    TaskKind,
    TaskMode,
    TaskState,
    TriggerCategory,
    YearGoals,
)
from .presets import BY_KEY

GOAL_FIELDS = (
    "coverage",
    "coverage_by_level",
    "joint_task_share",
    "joint_household_share",
    "credit_share",
    "publicity_on_time",
    "followup_rate",
)


def _share(name: str, value) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        d = Decimal(str(value))
    except InvalidOperation:
        raise DomainError(f"{name}应为 0 到 1 之间的小数（如 0.45 表示 45%）", field=name) from None
    if not 0 <= d <= 1:
        raise DomainError(f"{name}应在 0 到 100% 之间", field=name)
    return d


# ---- year goals ---------------------------------------------------------------------------------


@transaction.atomic
def goals_save(
    *, actor, year: int, source: str = "", coverage_snapshot: dt.date | None = None, **values
) -> YearGoals:
    """The office sets its jurisdiction's goals for a year (R-PLAN-2)."""
    require(actor, Action.GOALS_EDIT)
    clean = {}
    for k, v in values.items():
        if k not in GOAL_FIELDS:
            raise DomainError(f"未知目标“{k}”")
        if k == "coverage_by_level":
            clean[k] = {lvl: str(_share(k, x)) for lvl, x in (v or {}).items() if x not in (None, "")}
        else:
            clean[k] = _share(k, v)
    for k in ("publicity_on_time", "followup_rate"):
        if k in clean and clean[k] is None:
            clean[k] = Decimal("1")
    goals, created = YearGoals.objects.select_for_update().get_or_create(
        region=actor.region,
        year=year,
        defaults={"coverage_snapshot": coverage_snapshot or dt.date(year - 1, 12, 31)},
    )
    before = {k: str(getattr(goals, k)) for k in clean}
    for k, v in clean.items():
        setattr(goals, k, v)
    goals.source = source or goals.source
    if coverage_snapshot:
        goals.coverage_snapshot = coverage_snapshot
    goals.save()
    audit.record(
        actor=actor,
        action="goals.save",
        obj=goals,
        summary=f"{'设定' if created else '修改'} {actor.region.name} {year} 年度目标",
        detail={k: {"from": before[k], "to": str(v)} for k, v in clean.items() if before[k] != str(v)},
    )
    return goals


def goals_from_preset(*, actor, preset: str, year: int | None = None) -> YearGoals:
    p = BY_KEY.get(preset)
    if p is None:
        raise DomainError(f"没有名为“{preset}”的预设")
    return goals_save(
        actor=actor,
        year=year or p.year,
        source=f"预设：{p.label}（{p.source}）",
        coverage_snapshot=dt.date((year or p.year) - 1, 12, 31),
        coverage=p.coverage,
        coverage_by_level=p.coverage_by_level,
        joint_task_share=p.joint_task_share,
        joint_household_share=p.joint_household_share,
        credit_share=p.credit_share,
        publicity_on_time=p.publicity_on_time,
        followup_rate=p.followup_rate,
    )


# ---- 一业一查 joint lists --------------------------------------------------------------------------


@transaction.atomic
def joint_list_save(
    *, actor, name: str, lead: Department, participants, items, industries=(), note: str = "", entry=None
) -> JointList:
    require(actor, Action.GOALS_EDIT)
    participants = list(participants)
    if lead in participants:
        participants.remove(lead)
    if not participants:
        raise DomainError("一业一查清单至少需要一个参与部门（牵头部门之外）", field="participants")
    for d in [lead, *participants]:
        if d.region_id != actor.region.code:
            raise DomainError(f"{d.name} 不是本辖区的部门", field="participants")
    if not items:
        raise DomainError("请选择联合抽查事项", field="items")
    unpublished = [i.name for i in items if i.status != ItemStatus.PUBLISHED]
    if unpublished:
        raise DomainError(f"事项未发布：{'、'.join(unpublished)}", field="items")
    entry = entry or JointList(region=actor.region)
    entry.name, entry.lead, entry.industries, entry.note = name, lead, list(industries), note
    entry.save()
    entry.participants.set(participants)
    entry.items.set(items)
    audit.record(
        actor=actor,
        action="joint_list.save",
        obj=entry,
        summary=f"一业一查清单：{name}（牵头 {lead.name}；参与 {'、'.join(d.name for d in participants)}）",
    )
    return entry


# ---- annual plans -------------------------------------------------------------------------------


def _own_plan(actor, plan: AnnualPlan) -> None:
    require(actor, Action.PLAN_EDIT)
    if not editable_by(AnnualPlan, actor).filter(pk=plan.pk).exists():
        raise Forbidden("只能编制本部门的年度计划")


@transaction.atomic
def plan_create(*, actor, year: int) -> AnnualPlan:
    require(actor, Action.PLAN_EDIT)
    plan, created = AnnualPlan.objects.get_or_create(department=actor.department, year=year)
    if not created:
        raise DomainError(f"本部门 {year} 年度计划已存在")
    audit.record(actor=actor, action="plan.create", obj=plan, summary=f"新建 {plan}")
    return plan


def _task_code(plan: AnnualPlan) -> str:
    n = Task.objects.filter(plan=plan).count() + 1
    while True:
        code = f"{plan.department.region_id}-{plan.year}-{plan.department_id:03d}-{n:02d}"
        if not Task.objects.filter(code=code).exists():
            return code
        n += 1


def _validate_task(plan: AnnualPlan, f: dict) -> None:
    lead, departments = f["lead"], list(f["departments"])
    mode = f["mode"]
    if lead not in departments:
        departments.append(lead)
        f["departments"] = departments
    if lead != plan.department:
        raise DomainError(
            "本部门计划中的任务须由本部门牵头（参与其他部门的联合任务时，由牵头部门编入计划）", field="lead"
        )
    if mode == TaskMode.JOINT:
        if len(departments) < 2:
            raise DomainError("部门联合任务至少需要两个部门", field="departments")
    elif len(departments) != 1:
        raise DomainError(
            "部门单独或部门内部联合任务只能有本部门参加；跨部门请选择“部门联合”", field="departments"
        )
    lines = list(f.get("business_lines") or [])
    if mode == TaskMode.INTERNAL_JOINT and len(lines) < 2:
        raise DomainError("部门内部联合任务至少需要两个业务条线", field="business_lines")
    if any(b.department_id != lead.pk for b in lines):
        raise DomainError("业务条线须属于牵头部门", field="business_lines")
    items = list(f["items"])
    if not items:
        raise DomainError("请选择抽查事项", field="items")
    unpublished = [i.name for i in items if i.status != ItemStatus.PUBLISHED]
    if unpublished:
        raise DomainError(f"事项未发布，不能列入任务：{'、'.join(unpublished)}", field="items")
    claims = set(
        ItemClaim.objects.filter(item__in=items, department__in=departments).values_list(
            "item_id", "department_id"
        )
    )
    unclaimed = [i.name for i in items if not any((i.pk, d.pk) in claims for d in departments)]
    if unclaimed:
        raise DomainError(f"参与部门均未认领这些事项：{'、'.join(unclaimed)}", field="items")
    idle = [d.name for d in departments if not any((i.pk, d.pk) in claims for i in items)]
    if idle:
        raise DomainError(f"{'、'.join(idle)} 未认领本任务的任何事项", field="items")
    if not f.get("scope_kinds"):
        # 对象类型 left empty: the items' own target types, not every kind in the directory
        f["scope_kinds"] = kinds_of_items(items)
    if f["window_end"] < f["window_start"]:
        raise DomainError("检查结束日期早于开始日期", field="window_end")
    if f["window_start"].year != plan.year or f["window_end"].year != plan.year:
        raise DomainError(f"检查时间须在 {plan.year} 年内", field="window_start")
    if f["quota_mode"] == QuotaMode.RATIO:
        ratios = f.get("ratios") or {}
        if set(ratios) - set(RiskClass.values):
            raise DomainError("抽查比例只能按 A、B、C、D 四类设置", field="ratios")
        # A class left out takes R-PLAN-3's default ratio (A 1%, B 3%, C 10%, D 30%).
        f["ratios"] = {
            c: str(_share(f"{c} 类比例", ratios.get(c, DEFAULT_RATIOS[c]))) for c in RiskClass.values
        }
        f["total"] = None
    else:
        if not f.get("total") or f["total"] < 1:
            raise DomainError("按总数抽取时请填写抽取数量", field="total")
        f["ratios"] = {}
    if f.get("team_size", 2) < 2:
        raise DomainError("每组执法人员不少于 2 名（行政处罚法第四十二条）", field="team_size")


def kinds_of_items(items) -> list[str]:
    """The target types (对象类型) the items are for, in TargetKind's order: what a task's scope
    takes when its own 对象类型 is left empty. Empty when no item states any."""
    kinds = {k for i in items for k in (i.target_kinds or [])}
    return [k for k in TargetKind.values if k in kinds]


_TASK_M2M = ("departments", "business_lines", "items", "scope_tags")


@transaction.atomic
def task_save(*, actor, plan: AnnualPlan, task: Task | None = None, **fields) -> Task:
    """Add or change a task while the plan is a draft or being adjusted."""
    _own_plan(actor, plan)
    plan = AnnualPlan.objects.select_for_update().get(pk=plan.pk)
    if not plan.editable:
        raise DomainError(
            f"计划当前状态为“{plan.get_status_display()}”，不能修改；公示后如需调整请先发起计划调整"
        )
    if task and task.state != TaskState.PLANNED:
        raise DomainError(f"任务已{task.get_state_display()}，不能再修改")
    if task and task.triggered:
        raise DomainError("触发式检查任务由触发事项发起，不在年度计划中修改")
    fields.setdefault("lead", plan.department)
    fields.setdefault("departments", [plan.department])
    fields.setdefault("mode", TaskMode.ORDINARY)
    fields.setdefault("quota_mode", QuotaMode.RATIO)
    kinds_given = bool(fields.get("scope_kinds"))
    _validate_task(plan, fields)
    m2m = {k: fields.pop(k) for k in _TASK_M2M if k in fields}
    created = task is None
    if created:
        task = Task(plan=plan, code=_task_code(plan))
    for k, v in fields.items():
        setattr(task, k, v)
    task.in_published_plan = task.in_published_plan and not created
    task.save()
    for k, v in m2m.items():
        getattr(task, k).set(v)
    audit.record(
        actor=actor,
        action="task.create" if created else "task.update",
        obj=task,
        summary=f"{'新增' if created else '修改'}任务：{task}"
        + (
            f"（对象类型按所选事项取为：{kinds_label(task.scope_kinds)}）"
            if not kinds_given and task.scope_kinds
            else ""
        ),
    )
    return task


def kinds_label(kinds) -> str:
    return "、".join(str(TargetKind(k).label) for k in kinds)


@transaction.atomic
def plan_submit(*, actor, plan: AnnualPlan, reason: str = "") -> AnnualPlan:
    _own_plan(actor, plan)
    plan = AnnualPlan.objects.select_for_update().get(pk=plan.pk)
    if not plan.tasks.filter(kind=TaskKind.RANDOM).exclude(state=TaskState.VOIDED).exists():
        raise DomainError("计划中还没有任务")
    if plan.status == PlanStatus.DRAFT:
        plan.status = PlanStatus.SUBMITTED
    elif plan.status == PlanStatus.ADJUSTING:
        plan.status = PlanStatus.ADJUSTMENT_SUBMITTED
    else:
        raise DomainError(f"计划当前状态为“{plan.get_status_display()}”，不能提交")
    plan.save(update_fields=["status"])
    audit.record(
        actor=actor,
        action="plan.submit",
        obj=plan,
        summary=f"提交 {plan}" + (f"（调整：{plan.adjustment_reason}）" if plan.adjustment_reason else ""),
    )
    return plan


def _office_of(actor, plan: AnnualPlan) -> None:
    require(actor, Action.PLAN_APPROVE)
    if not editable_by(AnnualPlan, actor).filter(pk=plan.pk).exists():
        raise Forbidden("只能审核本辖区部门的计划")


def _snapshot(plan: AnnualPlan) -> dict:
    return {
        "department": plan.department.name,
        "year": plan.year,
        "tasks": [
            {
                "code": t.code,
                "name": t.name,
                "mode": t.get_mode_display(),
                "departments": [d.name for d in t.departments.all()],
                "items": [f"{i.code} {i.name}" for i in t.items.all()],
                "quota_mode": t.get_quota_mode_display(),
                "ratios": t.ratios,
                "total": t.total,
                "window": [t.window_start.isoformat(), t.window_end.isoformat()],
                "state": t.get_state_display(),
            }
            # a triggered task is not part of the annual plan (issue 19)
            for t in plan.tasks.filter(kind=TaskKind.RANDOM)
            .prefetch_related("departments", "items")
            .order_by("code")
        ],
    }


@transaction.atomic
def plan_approve(*, actor, plan: AnnualPlan) -> PlanVersion:
    """The office approves and publishes (or republishes after an adjustment) a plan."""
    _office_of(actor, plan)
    plan = AnnualPlan.objects.select_for_update().get(pk=plan.pk)
    if plan.status not in (PlanStatus.SUBMITTED, PlanStatus.ADJUSTMENT_SUBMITTED):
        raise DomainError(f"计划当前状态为“{plan.get_status_display()}”，没有待审核的内容")
    submitted_by = next(
        (e.actor_id for e in audit.entries_for(plan).filter(action__in=["plan.submit"]).order_by("-seq")[:1]),
        None,
    )
    plan.version += 1
    version = PlanVersion.objects.create(
        plan=plan,
        number=plan.version,
        reason=plan.adjustment_reason,
        snapshot=_snapshot(plan),
        requested_by_id=submitted_by or actor.pk,
        approved_by=actor,
        published_at=timezone.now(),
    )
    plan.status, plan.adjustment_reason, plan.review_comment = PlanStatus.PUBLISHED, "", ""
    plan.save(update_fields=["status", "version", "adjustment_reason", "review_comment"])
    plan.tasks.filter(kind=TaskKind.RANDOM).update(in_published_plan=True)
    audit.record(
        actor=actor,
        action="plan.publish",
        obj=plan,
        summary=f"审核通过并公示 {plan}（第 {version.number} 版）",
    )
    return version


@transaction.atomic
def plan_return(*, actor, plan: AnnualPlan, comment: str) -> AnnualPlan:
    _office_of(actor, plan)
    plan = AnnualPlan.objects.select_for_update().get(pk=plan.pk)
    if not comment.strip():
        raise DomainError("退回时请填写审核意见", field="comment")
    back = {PlanStatus.SUBMITTED: PlanStatus.DRAFT, PlanStatus.ADJUSTMENT_SUBMITTED: PlanStatus.ADJUSTING}
    if plan.status not in back:
        raise DomainError("没有待审核的内容")
    plan.status, plan.review_comment = back[plan.status], comment
    plan.save(update_fields=["status", "review_comment"])
    audit.record(actor=actor, action="plan.return", obj=plan, summary=f"退回 {plan}：{comment}")
    return plan


@transaction.atomic
def plan_adjust_open(*, actor, plan: AnnualPlan, reason: str) -> AnnualPlan:
    """A published plan changes only through an adjustment with a reason (R-PLAN-1)."""
    _own_plan(actor, plan)
    plan = AnnualPlan.objects.select_for_update().get(pk=plan.pk)
    if plan.status != PlanStatus.PUBLISHED:
        raise DomainError("只有已公示的计划才需要调整；草稿可直接修改")
    if not reason.strip():
        raise DomainError("请填写调整原因", field="reason")
    plan.status, plan.adjustment_reason = PlanStatus.ADJUSTING, reason.strip()
    plan.save(update_fields=["status", "adjustment_reason"])
    audit.record(actor=actor, action="plan.adjust", obj=plan, summary=f"发起计划调整：{plan}；原因：{reason}")
    return plan


@transaction.atomic
def plan_void(*, actor, plan: AnnualPlan, reason: str) -> AnnualPlan:
    """方案作废: the plan and its record stay; counted in the assessment (R-ADM-5)."""
    if actor.role == Role.OFFICE:
        _office_of(actor, plan)
    else:
        _own_plan(actor, plan)
    if not reason.strip():
        raise DomainError("请填写作废原因", field="reason")
    plan = AnnualPlan.objects.select_for_update().get(pk=plan.pk)
    if plan.status == PlanStatus.VOIDED:
        raise DomainError("计划已作废")
    if plan.tasks.exclude(state__in=[TaskState.PLANNED, TaskState.VOIDED]).exists():
        raise DomainError("计划中已有任务开始抽取，不能整体作废；请逐项作废任务")
    for t in plan.tasks.exclude(state=TaskState.VOIDED):
        task_transition(actor=actor, task=t, to=TaskState.VOIDED, reason=f"计划作废：{reason}")
    plan.status, plan.voided_reason = PlanStatus.VOIDED, reason
    plan.save(update_fields=["status", "voided_reason"])
    audit.record(actor=actor, action="plan.void", obj=plan, summary=f"作废 {plan}：{reason}")
    return plan


# ---- task states --------------------------------------------------------------------------------


@transaction.atomic
def task_transition(*, actor, task: Task, to: str, reason: str = "") -> Task:
    """The only way a task's state changes: checked against TASK_TRANSITIONS and recorded."""
    task = Task.objects.select_for_update().get(pk=task.pk)
    if to not in TASK_TRANSITIONS[task.state]:
        raise DomainError(f"任务当前状态为“{task.get_state_display()}”，不能变为“{TaskState(to).label}”")
    if to == TaskState.VOIDED:
        if not reason.strip():
            raise DomainError("作废任务须填写原因", field="reason")
        task.voided_reason = reason
    before = task.state
    task.state = to
    task.save(update_fields=["state", "voided_reason"])
    audit.record(
        actor=actor,
        action="task.state",
        obj=task,
        summary=f"任务 {task.code}：{TaskState(before).label} → {TaskState(to).label}"
        + (f"（{reason}）" if reason else ""),
        detail={"from": before, "to": to, "reason": reason},
    )
    return task


def task_void(*, actor, task: Task, reason: str) -> Task:
    """The lead department (or the office) voids a task; its record and reason stay."""
    if actor.role == Role.OFFICE:
        _office_of(actor, task.plan)
    else:
        require(actor, Action.PLAN_EDIT)
        if not editable_by(Task, actor).filter(pk=task.pk).exists():
            raise Forbidden("只能作废本部门牵头的任务")
    return task_transition(actor=actor, task=task, to=TaskState.VOIDED, reason=reason)


@transaction.atomic
def triggered_task_create(
    *,
    actor,
    name: str,
    category: str,
    items: list,
    window_start: dt.date,
    window_end: dt.date,
    team_size: int = 2,
) -> Task:
    """A triggered task (触发式检查, issue 19) of the actor's department: targeted, not drawn, so
    it is not part of the annual plan (it hangs on the department's plan of its year, made as a
    draft if there is none, like a task sent down) and never counts as a random one. It waits in
    “计划中” for the department head's approval (triggers/services.py), which names its targets."""
    require(actor, Action.PLAN_EDIT)
    if category not in TriggerCategory.values:
        raise DomainError("请选择触发类别", field="category")
    department = actor.department
    plan, _ = AnnualPlan.objects.get_or_create(department=department, year=window_start.year)
    fields = {
        "name": name.strip() or "触发式检查",
        "mode": TaskMode.ORDINARY,
        "lead": department,
        "departments": [department],
        "items": list(items),
        "quota_mode": QuotaMode.TOTAL,
        "total": 1,
        "team_size": team_size,
        "window_start": window_start,
        "window_end": window_end,
    }
    _validate_task(plan, fields)
    m2m = {k: fields.pop(k) for k in _TASK_M2M if k in fields}
    task = Task.objects.create(
        plan=plan,
        code=_task_code(plan),
        kind=TaskKind.TRIGGERED,
        trigger_category=category,
        in_published_plan=False,
        **fields,
    )
    for k, v in m2m.items():
        getattr(task, k).set(v)
    audit.record(
        actor=actor,
        action="task.create",
        obj=task,
        summary=f"新增触发式检查任务（{task.get_trigger_category_display()}）：{task}",
    )
    return task


def task_startable(task: Task) -> None:
    """A task starts only if it is in a published plan and uses only published items claimed by
    its departments (R-PLAN-1, R-ITEM-1)."""
    if not task.in_published_plan or task.plan.status == PlanStatus.VOIDED:
        raise DomainError("任务不在已公示的年度计划中：请先调整计划并经审核公示后再开展")
    items = list(task.items.all())
    departments = list(task.departments.all())
    unpublished = [i.name for i in items if i.status != ItemStatus.PUBLISHED]
    if unpublished:
        raise DomainError(f"事项已停用或未发布：{'、'.join(unpublished)}")
    claims = set(
        ItemClaim.objects.filter(item__in=items, department__in=departments).values_list(
            "item_id", "department_id"
        )
    )
    idle = [d.name for d in departments if not any((i.pk, d.pk) in claims for i in items)]
    if idle:
        raise DomainError(f"{'、'.join(idle)} 未认领本任务的任何事项")


@transaction.atomic
def task_send_down(*, actor, task: Task, departments: list[Department]) -> list[Task]:
    """下派: an upper level's task appears in each lower department's plan, counted for both
    (the upper level by `sent_down_from`, coverage split by the level that set the task)."""
    _own_plan(actor, task.plan)
    if not task.in_published_plan:
        raise DomainError("任务须先列入已公示的计划才能下派")
    upper_region = task.lead.region
    copies = []
    for dept in departments:
        if dept.region.parent_id != upper_region.code and not dept.region.code.startswith(
            upper_region.scope_prefix
        ):
            raise DomainError(f"{dept.full_name} 不在本级辖区内，不能下派", field="departments")
        if task.sent_down.filter(lead=dept).exists():
            raise DomainError(f"已向 {dept.name} 下派过该任务")
        plan, _ = AnnualPlan.objects.get_or_create(department=dept, year=task.plan.year)
        fields = {
            "name": task.name,
            "mode": TaskMode.ORDINARY,
            "lead": dept,
            "departments": [dept],
            "items": list(task.items.all()),
            "quota_mode": task.quota_mode,
            "ratios": dict(task.ratios),
            "total": task.total,
            "team_size": task.team_size,
            "window_start": task.window_start,
            "window_end": task.window_end,
            # the copy draws from the same scope as the upper task: kinds, industries and tags
            "scope_kinds": list(task.scope_kinds),
            "scope_industries": list(task.scope_industries),
            "scope_tags": list(task.scope_tags.all()),
        }
        _validate_task(plan, fields)
        m2m = {k: fields.pop(k) for k in _TASK_M2M if k in fields}
        copy = Task.objects.create(
            plan=plan,
            code=_task_code(plan),
            sent_down_from=task,
            level=task.level,
            in_published_plan=True,
            **fields,
        )
        for k, v in m2m.items():
            getattr(copy, k).set(v)
        audit.record(
            actor=actor,
            action="task.send_down",
            obj=copy,
            summary=f"{task.lead.name} 下派任务 {task.code} 至 {dept.full_name}（{copy.code}）",
        )
        copies.append(copy)
    return copies


# ---- 实施方案 milestones (R-ADM-3) ---------------------------------------------------------------


def _own_milestone(actor, milestone: Milestone) -> None:
    require(actor, Action.WORKPLAN_EDIT)
    if milestone.region_id != actor.region.code:
        raise Forbidden("只能维护本辖区实施方案的任务分工")


@transaction.atomic
def milestone_save(
    *,
    actor,
    year: int,
    content: str,
    departments=(),
    unit_name: str = "",
    due_on: dt.date | None = None,
    due_text: str = "",
    note: str = "",
    source: str = "",
    order: int | None = None,
    milestone: Milestone | None = None,
) -> Milestone:
    """The office enters (or corrects) one assignment of its 实施方案: what, who, by when."""
    require(actor, Action.WORKPLAN_EDIT)
    if milestone is not None:
        _own_milestone(actor, milestone)
        milestone = Milestone.objects.select_for_update().get(pk=milestone.pk)
    content, unit_name = (content or "").strip(), (unit_name or "").strip()
    if not content:
        raise DomainError("请填写工作任务", field="content")
    if not 2000 <= int(year) <= 2100:
        raise DomainError("年度应在 2000 到 2100 之间", field="year")
    departments = list(departments)
    outside = [d.name for d in departments if d.region_id != actor.region.code]
    if outside:
        raise DomainError(f"{'、'.join(outside)} 不是本辖区的部门", field="departments")
    if not departments and not unit_name:
        raise DomainError("请选择责任部门或填写责任单位", field="unit_name")
    if due_on is not None and due_on.year != int(year):
        raise DomainError(f"完成时限须在 {year} 年内（跨年的任务请列入下一年度）", field="due_on")
    created = milestone is None
    if created:
        milestone = Milestone(region=actor.region)
        if order is None:
            order = Milestone.objects.filter(region=actor.region, year=year).count() + 1
    before = {} if created else {"content": milestone.content, "due_on": str(milestone.due_on)}
    milestone.year, milestone.content, milestone.unit_name = int(year), content, unit_name
    milestone.due_on, milestone.due_text, milestone.note = due_on, (due_text or "").strip(), note.strip()
    milestone.source = source or milestone.source
    if order is not None:
        milestone.order = order
    milestone.save()
    milestone.departments.set(departments)
    who = "、".join([d.name for d in departments] + ([unit_name] if unit_name else []))
    audit.record(
        actor=actor,
        action="milestone.create" if created else "milestone.update",
        obj=milestone,
        summary=f"{'新增' if created else '修改'}实施方案任务：{content[:60]}（{who}；"
        f"时限 {due_on.isoformat() if due_on else due_text or '未定'}）",
        detail=before,
    )
    return milestone


@transaction.atomic
def milestones_from_preset(*, actor, preset: str, year: int | None = None) -> list[Milestone]:
    """载入实施方案的任务分工: the preset's assignments, for its year or another; an assignment
    already entered for that year (same wording) is not entered twice."""
    require(actor, Action.WORKPLAN_EDIT)
    p = BY_KEY.get(preset)
    if p is None:
        raise DomainError(f"没有名为“{preset}”的预设", field="preset")
    if not p.assignments:
        raise DomainError(f"预设“{p.label}”的实施方案没有列明任务分工", field="preset")
    year = int(year or p.year)
    existing = set(Milestone.objects.filter(region=actor.region, year=year).values_list("content", flat=True))
    created = []
    for n, a in enumerate(p.assignments, 1):
        if a.content in existing:
            continue
        created.append(
            milestone_save(
                actor=actor,
                year=year,
                content=a.content,
                unit_name=a.unit,
                due_on=dt.date(year, *a.due) if a.due else None,
                due_text=a.due_text,
                source=f"预设：{p.label}",
                order=n,
            )
        )
    audit.record(
        actor=actor,
        action="milestone.preset",
        obj=None,
        summary=f"载入实施方案任务分工：{p.label} → {year} 年，新增 {len(created)} 项",
        detail={"preset": p.key, "year": year, "created": [m.pk for m in created]},
    )
    return created


@transaction.atomic
def milestone_done(
    *,
    actor,
    milestone: Milestone,
    done_on: dt.date | None = None,
    note: str = "",
    today: dt.date | None = None,
) -> Milestone:
    """The office records an assignment as done (when, and how it was done)."""
    _own_milestone(actor, milestone)
    milestone = Milestone.objects.select_for_update().get(pk=milestone.pk)
    today = today or timezone.localdate()
    done_on = done_on or today
    if milestone.done:
        raise DomainError(f"该任务已于 {milestone.done_on:%Y-%m-%d} 确认完成；如需更改请先重新打开")
    if done_on > today:
        raise DomainError("完成日期不能晚于今天", field="done_on")
    milestone.done_on, milestone.done_by, milestone.done_note = done_on, actor, note.strip()
    milestone.save(update_fields=["done_on", "done_by", "done_note"])
    late = milestone.due_on is not None and done_on > milestone.due_on
    audit.record(
        actor=actor,
        action="milestone.done",
        obj=milestone,
        summary=f"确认完成：{milestone.content[:60]}（{done_on:%Y-%m-%d}"
        + (f"，逾期，时限 {milestone.due_on:%Y-%m-%d}" if late else "")
        + "）",
        detail={"done_on": done_on, "late": late, "note": milestone.done_note},
    )
    return milestone


@transaction.atomic
def milestone_reopen(*, actor, milestone: Milestone, reason: str) -> Milestone:
    """A done assignment turned out not to be done: reopened with a reason, recorded."""
    _own_milestone(actor, milestone)
    milestone = Milestone.objects.select_for_update().get(pk=milestone.pk)
    if not milestone.done:
        raise DomainError("该任务尚未确认完成，无需重新打开")
    if not (reason or "").strip():
        raise DomainError("请填写重新打开的原因", field="reason")
    before = milestone.done_on
    milestone.done_on, milestone.done_by, milestone.done_note = None, None, ""
    milestone.save(update_fields=["done_on", "done_by", "done_note"])
    audit.record(
        actor=actor,
        action="milestone.reopen",
        obj=milestone,
        summary=f"重新打开：{milestone.content[:60]}；原因：{reason.strip()}",
        detail={"was_done_on": before, "reason": reason.strip()},
    )
    return milestone


@transaction.atomic
def milestone_delete(*, actor, milestone: Milestone, reason: str) -> None:
    """An assignment entered by mistake is removed; the audit entry keeps what it said."""
    _own_milestone(actor, milestone)
    if not (reason or "").strip():
        raise DomainError("请填写删除原因", field="reason")
    milestone = Milestone.objects.select_for_update().get(pk=milestone.pk)
    audit.record(
        actor=actor,
        action="milestone.delete",
        obj=milestone,
        summary=f"删除实施方案任务：{milestone.content[:60]}；原因：{reason.strip()}",
        detail={"content": milestone.content, "unit": milestone.unit_name, "due_on": milestone.due_on},
    )
    milestone.delete()
