"""The public portal's lists, with their filters (publicity/forms.py): every published draw and
every published plan, built on the public record's own selectors, never on internal rows."""

from django.db.models import QuerySet

from shuangsuiji.core.models import Department
from shuangsuiji.draw.models import TargetDraw
from shuangsuiji.draw.selectors import public_draws
from shuangsuiji.planning.models import AnnualPlan
from shuangsuiji.planning.selectors import published_plans


def draws_shown(*, year=None, department=None, status="", q="") -> QuerySet[TargetDraw]:
    """随机抽取记录: latest first; by the task's plan year, its lead department, the draw's status,
    the task's name."""
    qs = public_draws()
    if year:
        qs = qs.filter(task__plan__year=year)
    if department is not None:
        qs = qs.filter(task__lead=department)
    if status:
        qs = qs.filter(status=status)
    if q:
        qs = qs.filter(task__name__icontains=q)
    return qs.order_by("-announced_at", "-id")


def plans_shown(*, year=None, department=None) -> QuerySet[AnnualPlan]:
    """年度抽查计划: the latest year first; by year and department."""
    qs = published_plans()
    if year:
        qs = qs.filter(year=year)
    if department is not None:
        qs = qs.filter(department=department)
    return qs.order_by("-year", "department__name", "id")


def draw_departments() -> QuerySet[Department]:
    return Department.objects.filter(pk__in=public_draws().values("task__lead")).order_by("name")


def plan_departments() -> QuerySet[Department]:
    return Department.objects.filter(pk__in=published_plans().values("department")).order_by("name")
