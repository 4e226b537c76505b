"""Reads of goals, plans and tasks, scoped: the office sees its jurisdiction, a department its own
plan and the tasks it takes part in; the public sees published plans only."""

import datetime as dt

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from shuangsuiji.core.models import Role
from shuangsuiji.core.permissions import Action, can
from shuangsuiji.core.selectors import region_prefix
from shuangsuiji.directory.models import Inspector, RegistrationStatus, Target, TargetKind, TargetSupervision

from .models import AnnualPlan, JointList, Milestone, Task, YearGoals

_NOTHING = "\0"


def plans_for(user) -> QuerySet[AnnualPlan]:
    if not can(user, Action.PLAN_VIEW):
        return AnnualPlan.objects.none()
    qs = AnnualPlan.objects.select_related("department", "department__region")
    if user.role == Role.OFFICE:
        return qs.filter(department__region__code__startswith=region_prefix(user) or _NOTHING)
    return qs.filter(
        Q(department_id=user.department_id) | Q(tasks__departments=user.department_id)
    ).distinct()


def tasks_for(user) -> QuerySet[Task]:
    if not can(user, Action.PLAN_VIEW):
        return Task.objects.none()
    qs = Task.objects.select_related("plan", "lead")
    if user.role == Role.OFFICE:
        return qs.filter(lead__region__code__startswith=region_prefix(user) or _NOTHING)
    return qs.filter(departments=user.department_id).distinct()


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
        qs = Milestone.objects.filter(region__code__startswith=region_prefix(user) or _NOTHING)
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


def problem_rates(prefix: str, *, department=None, kind: str = "") -> dict[str, tuple[int, int]]:
    """Past published results per risk class (the target's class now): (targets inspected,
    targets with a problem found). A target inspected by several departments of a joint task
    counts once, with a problem when any found one; voided draws count for nothing."""
    from shuangsuiji.draw.models import DrawStatus  # the draw and inspection apps build on planning
    from shuangsuiji.inspection.models import Inspection, InspectionStatus

    qs = Inspection.objects.filter(
        status=InspectionStatus.PUBLISHED,
        selection__draw__status=DrawStatus.DRAWN,
        selection__draw__task__lead__region__code__startswith=prefix,
    )
    if department is not None:
        qs = qs.filter(department=department)
    if kind:
        qs = qs.filter(selection__target__kind=kind)
    rows = (
        qs.values("selection__target__risk_class")
        .annotate(
            inspected=Count("selection", distinct=True),
            problems=Count("selection", distinct=True, filter=Q(results__found_problem=True)),
        )
        .order_by()
    )
    out = {c: (0, 0) for c in ["A", "B", "C", "D", ""]}
    for r in rows:
        out[r["selection__target__risk_class"] or ""] = (r["inspected"], r["problems"])
    return out


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
