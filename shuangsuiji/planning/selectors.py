"""Reads of goals, plans and tasks, scoped: the office sees its jurisdiction, a department its own
plan and the tasks it takes part in; the public sees published plans only."""

import datetime as dt

from django.db.models import Q, QuerySet

from shuangsuiji.core.models import Role
from shuangsuiji.core.permissions import Action, can
from shuangsuiji.core.selectors import region_prefix
from shuangsuiji.directory.models import RegistrationStatus, Target, TargetKind

from .models import AnnualPlan, JointList, Task, YearGoals

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
