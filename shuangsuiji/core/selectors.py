"""Reads for core records, scoped by the acting user where scope applies."""

from django.db.models import QuerySet

from .calendar import WorkCalendar, YearOverride
from .models import AuditEntry, CalendarYear, Department, Job, Region, Role


def region_prefix(user) -> str | None:
    """Codes this user's jurisdiction covers start with this; None means nothing."""
    region = user.region if getattr(user, "is_authenticated", False) else None
    return region.scope_prefix if region else None


def jurisdiction_codes(region: Region) -> list[str]:
    """A region and the levels above it: a county works from its own, its city's and its
    province's lists (items, shared tags)."""
    return list(dict.fromkeys([region.code, region.code[:4] + "00", region.code[:2] + "0000"]))


def departments_in_scope(user) -> QuerySet[Department]:
    prefix = region_prefix(user)
    if prefix is None:
        return Department.objects.none()
    return Department.objects.filter(region__code__startswith=prefix).select_related("region")


def regions_under(region: Region, *, current_only: bool = True) -> QuerySet[Region]:
    qs = Region.objects.filter(code__startswith=region.scope_prefix)
    return qs.filter(retired_on__isnull=True) if current_only else qs


def jobs_for(user) -> QuerySet[Job]:
    qs = Job.objects.select_related("created_by")
    if user.role == Role.OFFICE:
        return qs.filter(department__region__code__startswith=region_prefix(user) or "\0")
    return qs.filter(created_by=user)


def audit_entries() -> QuerySet[AuditEntry]:
    return AuditEntry.objects.all()


def work_calendar() -> WorkCalendar:
    """The working-day calendar with every year an office entered."""
    overrides = {}
    for y in CalendarYear.objects.prefetch_related("days"):
        overrides[y.year] = YearOverride(
            holidays=frozenset(d.date for d in y.days.all() if not d.is_workday),
            workdays=frozenset(d.date for d in y.days.all() if d.is_workday),
            complete=y.complete,
        )
    return WorkCalendar(overrides)
