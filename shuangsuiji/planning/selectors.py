"""Reads of goals, plans and tasks, scoped: the office sees its jurisdiction, a department its own
plan and the tasks it takes part in; the public sees published plans only."""

import datetime as dt

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from shuangsuiji.core.models import Department, Region, Role
from shuangsuiji.core.permissions import Action, can
from shuangsuiji.core.scope import jurisdiction, jurisdiction_prefix
from shuangsuiji.core.selectors import jurisdiction_codes
from shuangsuiji.directory.models import (
    Industry,
    IndustryLevel,
    Inspector,
    Item,
    ItemClaim,
    ItemStatus,
    RegistrationStatus,
    Tag,
    TagLibrary,
    Target,
    TargetKind,
    TargetSupervision,
)

from . import hooks
from .models import AnnualPlan, JointList, Milestone, PlanStatus, Task, YearGoals


def industry_names(codes: list[str]) -> list[str]:
    """Industry codes as a clerk reads them: “餐饮业（62）”."""
    names = dict(Industry.objects.filter(code__in=codes).values_list("code", "name"))
    return [f"{names[c]}（{c}）" if c in names else c for c in codes]


def task_scope_names(task: Task) -> dict[str, list[str]]:
    """A task's scope as a clerk reads it: region, kind and industry names, not their codes."""
    regions = dict(Region.objects.filter(code__in=task.scope_regions).values_list("code", "name"))
    kinds = dict(TargetKind.choices)
    return {
        "regions": [regions.get(c, c) for c in task.scope_regions],
        "kinds": [kinds.get(k, k) for k in task.scope_kinds],
        "industries": industry_names(task.scope_industries),
    }


def plans_for(user) -> QuerySet[AnnualPlan]:
    if not can(user, Action.PLAN_VIEW):
        return AnnualPlan.objects.none()
    qs = AnnualPlan.objects.select_related("department", "department__region")
    if user.role == Role.OFFICE:
        return qs.filter(department__region__code__startswith=jurisdiction_prefix(user))
    return qs.filter(
        Q(department_id=user.department_id) | Q(tasks__departments=user.department_id)
    ).distinct()


def tasks_for(user) -> QuerySet[Task]:
    if not can(user, Action.PLAN_VIEW):
        return Task.objects.none()
    qs = Task.objects.select_related("plan", "lead")
    if user.role == Role.OFFICE:
        return qs.filter(lead__region__code__startswith=jurisdiction_prefix(user))
    return qs.filter(departments=user.department_id).distinct()


# Filters of the plan list beyond a single status (issue 18: the 待办 home links to them).
PLAN_FILTERS = {
    "pending": "待审核（含调整）",
    "returned": "已退回待修改",
}


def plans_filtered(user, *, status: str = "") -> QuerySet[AnnualPlan]:
    """The plan list as filtered: 待审核 is a submitted plan or adjustment; 已退回 a plan the
    office sent back (its comment kept) that is being changed again."""
    qs = plans_for(user)
    if status == "pending":
        return qs.filter(status__in=[PlanStatus.SUBMITTED, PlanStatus.ADJUSTMENT_SUBMITTED])
    if status == "returned":
        return qs.filter(status__in=[PlanStatus.DRAFT, PlanStatus.ADJUSTING]).exclude(review_comment="")
    if status:
        return qs.filter(status=status)
    return qs


def task_leads(user) -> QuerySet[Department]:
    """The departments leading a task the user reads, and the user's own (the task list's filter:
    "led by us" is a filter even before the department leads a task)."""
    return Department.objects.filter(
        Q(pk__in=tasks_for(user).order_by().values("lead_id")) | Q(pk=getattr(user, "department_id", None))
    ).order_by("name")


def tasks_filtered(user, *, state: str = "", lead=None, year: int | None = None) -> QuerySet[Task]:
    """The task list as filtered (抽查任务): by state, lead department and plan year."""
    qs = tasks_for(user).select_related("plan", "lead")
    if state:
        qs = qs.filter(state=state)
    if lead is not None:
        qs = qs.filter(lead=lead)
    if year:
        qs = qs.filter(plan__year=year)
    return qs.order_by("-plan__year", "window_start", "code")


def published_plans() -> QuerySet[AnnualPlan]:
    return AnnualPlan.objects.filter(version__gte=1).select_related("department", "department__region")


def goals_for(user, year: int) -> YearGoals | None:
    return YearGoals.objects.filter(region=user.region, year=year).first()


def joint_lists_for(user) -> QuerySet[JointList]:
    return (
        JointList.objects.filter(region=user.region)
        .select_related("lead")
        .prefetch_related("participants", "items")
    )


def enterprises_on_file(region_prefix: str, day: dt.date) -> int:
    """The coverage denominator: targets of kind 企业 existing and in 存续 at `day` (from 成立日期
    and the date their status last changed)."""
    return (
        Target.objects.filter(kind=TargetKind.ENTERPRISE, region__code__startswith=region_prefix)
        .filter(Q(founded_on__isnull=True) | Q(founded_on__lte=day))
        .filter(Q(status=RegistrationStatus.ACTIVE) | Q(status_changed_on__gt=day))
        .count()
    )


def milestones_for(user, year: int | None = None) -> QuerySet[Milestone]:
    """实施方案任务分工 (R-ADM-3): everyone who reads plans in a jurisdiction reads its milestones;
    the office also reads those of the jurisdictions below it."""
    if not can(user, Action.PLAN_VIEW) or user.region is None:
        return Milestone.objects.none()
    if user.role == Role.OFFICE:
        qs = Milestone.objects.filter(region__code__startswith=jurisdiction_prefix(user))
    else:
        qs = Milestone.objects.filter(region=user.region)
    if year is not None:
        qs = qs.filter(year=year)
    return qs.select_related("region", "done_by").prefetch_related("departments")


def late_milestones(qs: QuerySet[Milestone], today: dt.date) -> QuerySet[Milestone]:
    """Deadline passed (the day itself is in time) and not done."""
    return qs.filter(done_on__isnull=True, due_on__lt=today)


# ---- the planning simulator's inputs (set-based: one grouped query each) -------------------------


def class_mix(prefix: str, *, department=None, kind: str = "") -> dict[str, int]:
    """Targets in 存续 per credit-risk class ('' = not yet classified): the jurisdiction's, or
    those a department supervises."""
    qs = Target.objects.filter(status=RegistrationStatus.ACTIVE, region__code__startswith=prefix)
    if department is not None:
        qs = qs.filter(Exists(TargetSupervision.objects.filter(target=OuterRef("pk"), department=department)))
    if kind:
        qs = qs.filter(kind=kind)
    out = dict.fromkeys(["A", "B", "C", "D", ""], 0)
    for row in qs.values("risk_class").annotate(n=Count("pk")).order_by():
        out[row["risk_class"] or ""] += row["n"]
    return out


def task_scope_targets(task: Task):
    """The targets in a task's scope, before supervision and the draw's exclusions: in 存续, in
    its regions (the lead department's by default), of its kinds, industries and tags. One
    definition for the draw's pool (draw/pool.py) and the plan's checks here."""
    qs = Target.objects.filter(status=RegistrationStatus.ACTIVE)
    cond = Q()
    for p in task.scope_regions or [task.lead.region.scope_prefix]:
        cond |= Q(region__code__startswith=p)
    qs = qs.filter(cond)
    if task.scope_kinds:
        qs = qs.filter(kind__in=task.scope_kinds)
    if task.scope_industries:
        cond = Q()
        for p in task.scope_industries:
            cond |= Q(industry_code__startswith=p)
        qs = qs.filter(cond)
    tag_ids = list(task.scope_tags.values_list("pk", flat=True))
    if tag_ids:
        qs = qs.filter(
            Exists(Target.tags.through.objects.filter(target_id=OuterRef("pk"), tag_id__in=tag_ids))
        )
    return qs


def scope_class_counts(task: Task) -> dict[str, int]:
    """The task's scope per the class its draw would stratify each target by ('' = not yet
    classified): the lead department's own class where it set one, else the keeper's. The draw's
    scope (task_scope_targets, supervised by one of the task's departments) without its exclusions
    and duplicate keys: enough to tell whether the scope holds a single class."""
    qs = task_scope_targets(task)
    dept_ids = list(task.departments.values_list("pk", flat=True))
    qs = qs.filter(
        Exists(TargetSupervision.objects.filter(target=OuterRef("pk"), department_id__in=dept_ids))
    )
    klass = F("risk_class")
    own = TargetSupervision.objects.filter(department_id=task.lead_id).exclude(own_risk_class="")
    if task.credit_based and own.exists():  # the correlated lookup only where it can matter
        klass = Coalesce(
            Subquery(own.filter(target=OuterRef("pk")).values("own_risk_class")[:1]), F("risk_class")
        )
    out: dict[str, int] = {}
    for row in qs.annotate(klass=klass).values("klass").annotate(n=Count("pk")).order_by():
        out[row["klass"] or ""] = out.get(row["klass"] or "", 0) + row["n"]
    return out


def problem_rates(prefix: str, *, department=None, kind: str = "") -> dict[str, tuple[int, int]]:
    """Past published results per risk class (the target's class now): (targets inspected,
    targets with a problem found). Inspection's data: it answers through planning's hook
    (hooks.py, registered in inspection/apps.py)."""
    return hooks.problem_rates(prefix, department=department, kind=kind)


def inspectors_available(prefix: str, *, department=None, today: dt.date) -> int:
    """Inspectors who count toward a team: on duty, not experts, 执法证 valid today (R-INS-1)."""
    qs = Inspector.objects.filter(
        on_duty=True,
        is_expert=False,
        certificate_expiry__gte=today,
        department__region__code__startswith=prefix,
    )
    if department is not None:
        qs = qs.filter(department=department)
    return qs.count()


# ---- the choices of the planning forms ---------------------------------------------------------


def joint_list_items(region) -> QuerySet[Item]:
    """Published items of a jurisdiction's list and the levels above: what a 一业一查 list names."""
    return Item.objects.filter(region__code__in=jurisdiction_codes(region), status=ItemStatus.PUBLISHED)


def task_items(region) -> QuerySet[Item]:
    """Published items some department of the jurisdiction has claimed: what its tasks may check."""
    return Item.objects.filter(status=ItemStatus.PUBLISHED, claims__department__region=region).distinct()


def task_items_by_department(region, department) -> list[tuple[str, list[Item]]]:
    """The task form's items grouped by the department that claimed them: the planning
    department's own first, then each other department of the jurisdiction (for a 部门联合 task);
    an item claimed by several shows once, under the first. Two queries."""
    claims = (
        ItemClaim.objects.filter(item__status=ItemStatus.PUBLISHED, department__region=region)
        .select_related("item", "department")
        .order_by("item__code")
    )
    groups: dict[int, tuple[str, list[Item]]] = {department.pk: (department.name, [])}
    seen: set[int] = set()
    rows = sorted(
        claims, key=lambda c: (c.department_id != department.pk, c.department.name, c.department_id)
    )
    for c in rows:
        if c.item_id in seen:
            continue
        seen.add(c.item_id)
        groups.setdefault(c.department_id, (c.department.name, []))[1].append(c.item)
    return [g for g in groups.values() if g[1]]


def scope_region_choices(region) -> QuerySet[Region]:
    """The regions a task's scope may name: the current ones below the planning department's."""
    return Region.objects.filter(code__startswith=region.scope_prefix, retired_on__isnull=True).exclude(
        code=region.code
    )


def regions_named(region, text: str) -> list[Region]:
    """Regions below `region` (itself included) whose code is `text`, else whose name is it, else
    whose name contains it (current ones first)."""
    qs = Region.objects.filter(code__startswith=region.scope_prefix).order_by("retired_on", "code")
    for cond in (Q(code=text), Q(name=text), Q(name__contains=text)):
        found = list(qs.filter(cond))
        if found:
            return found
    return []


def regions_by_code(codes) -> dict[str, Region]:
    return {r.code: r for r in Region.objects.filter(code__in=list(codes))}


def industry_choices() -> QuerySet[Industry]:
    """GB/T 4754 门类、大类、中类 for the scope's picker (a 小类 code is typed)."""
    return Industry.objects.exclude(level=IndustryLevel.CLASS).order_by("code")


def industries_named(text: str) -> list[Industry]:
    """Industries whose code is `text` (a 门类 letter in either case), else whose name is it, else
    whose name contains it — the 门类 only when no lower level's name does (“餐饮” is 62 餐饮业,
    not H 住宿和餐饮业)."""
    qs = Industry.objects.order_by("code")
    for cond in (Q(code=text.upper()), Q(name=text)):
        found = list(qs.filter(cond))
        if found:
            return found
    found = list(qs.filter(name__contains=text))
    return [i for i in found if i.level != IndustryLevel.SECTION] or found


def section_divisions(section: str) -> list[str]:
    """The 大类 codes of a 门类: what a target's 4-digit industry code starts with."""
    return list(
        Industry.objects.filter(level=IndustryLevel.DIVISION, section=section)
        .order_by("code")
        .values_list("code", flat=True)
    )


def industries_by_code(codes) -> dict[str, Industry]:
    return {i.code: i for i in Industry.objects.filter(code__in=list(codes))}


def task_scope_labels(task: Task) -> dict[str, list[str]]:
    """A task's scope as a page shows it: regions and industries with their names, target types
    in Chinese (never the stored codes alone)."""
    regions = regions_by_code(task.scope_regions)
    industries = industries_by_code(task.scope_industries)
    kinds = dict(TargetKind.choices)
    return {
        "regions": [regions[c].name if c in regions else c for c in task.scope_regions],
        "industries": [f"{c} {industries[c].name}" if c in industries else c for c in task.scope_industries],
        "kinds": [str(kinds.get(k, k)) for k in task.scope_kinds],
    }


def task_scope_tags(region) -> QuerySet[Tag]:
    """Target tags a task's scope may name: the province's, its cities' and counties' tags."""
    return Tag.objects.filter(library=TagLibrary.TARGET, region__code__startswith=region.code[:2])


def joint_lists_of(region) -> QuerySet[JointList]:
    return JointList.objects.filter(region=region)


# ---- rows the user may change (core/scope.py editable_by) ------------------------------------------


def plans_editable_by(user) -> QuerySet[AnnualPlan]:
    """A department drafts and adjusts its own plan; the office reviews those of its own level."""
    scope = jurisdiction(user)
    if scope.is_office:
        return plans_for(user).filter(department__region_id=user.region.code)
    return plans_for(user).filter(department_id=scope.department_id)


def tasks_editable_by(user) -> QuerySet[Task]:
    """The lead department changes its tasks; the office those of its own level's plans."""
    scope = jurisdiction(user)
    if scope.is_office:
        return tasks_for(user).filter(plan__department__region_id=user.region.code)
    return tasks_for(user).filter(lead_id=scope.department_id)


def milestones_editable_by(user) -> QuerySet[Milestone]:
    """The office keeps its own 实施方案's milestones (WORKPLAN_EDIT)."""
    if not jurisdiction(user).is_office:
        return Milestone.objects.none()
    return milestones_for(user).filter(region=user.region)


def joint_lists_editable_by(user) -> QuerySet[JointList]:
    """The office keeps its jurisdiction's 联合抽查事项清单."""
    if not jurisdiction(user).is_office:
        return JointList.objects.none()
    return joint_lists_for(user)
