"""Reads for core records, scoped by the acting user where scope applies."""

import datetime as dt
import hashlib

from django.db import models
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from .calendar import WorkCalendar, YearOverride
from .models import (
    AccountActivation,
    AuditAnchor,
    AuditEntry,
    CalendarYear,
    Department,
    GrantStatus,
    Job,
    Region,
    Role,
    RoleGrant,
    SecondFactor,
    SignInThrottle,
    User,
)
from .scope import jurisdiction_prefix


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


def region_by_code(code: str) -> Region | None:
    """A region by its GB/T 2260 code (the region table is public reference data)."""
    return Region.objects.filter(code=code).first()


def region_code_named(text: str, *, within: str = "") -> str:
    """The 区划 a filter names, as a code prefix: a code (or its start) as typed, or a name or part
    of one (“鹿泉” → 鹿泉区 130110), among the regions under `within` (a code prefix), current
    ones before retired ones. ValueError with a Chinese message when it names none, or several
    that are not one inside another."""
    raw = text.strip()
    if raw.isdigit():
        if not Region.objects.filter(code__startswith=raw).exists():
            raise ValueError(f"没有代码为“{raw}”的行政区划")
        return raw
    found = Region.objects.filter(name__contains=raw, code__startswith=within)
    regions = list(found.filter(retired_on__isnull=True)) or list(found)
    if not regions:
        raise ValueError(f"本辖区没有名称含“{raw}”的行政区划（可填名称或代码，如 鹿泉、130110）")
    top = min(regions, key=lambda r: len(r.scope_prefix))
    if all(r.code.startswith(top.scope_prefix) for r in regions):
        return top.scope_prefix
    names = "、".join(str(r) for r in regions[:5])
    raise ValueError(f"“{raw}”对应多个行政区划：{names}，请填写更完整的名称或代码")


def upper_departments(region: Region) -> QuerySet[Department]:
    """The departments of the city and province above a county (where its 上级对口部门 sit)."""
    return Department.objects.filter(region__code__in=[region.code[:4] + "00", region.code[:2] + "0000"])


def member_departments(region: Region) -> QuerySet[Department]:
    """A jurisdiction's member departments (成员单位), its office left out."""
    return Department.objects.filter(region=region, is_office=False)


def lower_departments(region: Region) -> QuerySet[Department]:
    """The member departments of the jurisdictions one level below (where a task is sent down)."""
    return Department.objects.filter(region__parent=region, is_office=False)


def accounts_in_scope(user) -> QuerySet[User]:
    """The accounts the sysadmin keeps: those of the departments of its jurisdiction. Each row
    carries `is_locked` from the same query (it fills User.is_locked's cache, so the account list
    asks no query per row)."""
    paused = SignInThrottle.objects.filter(username=OuterRef("username"), locked_until__gt=timezone.now())
    return (
        User.objects.filter(department__in=departments_in_scope(user))
        .select_related("department", "business_line")
        .annotate(is_locked=Exists(paused))
    )


def role_grants_in_scope(user) -> QuerySet[RoleGrant]:
    """Role grants of the accounts of the user's jurisdiction, pending first."""
    prefix = region_prefix(user)
    if prefix is None:
        return RoleGrant.objects.none()
    return (
        RoleGrant.objects.filter(user__department__region__code__startswith=prefix)
        .select_related("user__department__region", "requested_by", "decided_by")
        .order_by(models.Case(models.When(status=GrantStatus.PENDING, then=0), default=1), "-requested_at")
    )


def role_grants_shown(user, params) -> QuerySet[RoleGrant]:
    """角色授权's list: every grant of the jurisdiction, or (status=pending) those waiting for a
    second person; the 待办 home counts the same."""
    qs = role_grants_in_scope(user)
    return qs.filter(status=GrantStatus.PENDING) if params.get("status") == "pending" else qs


def accounts_shown(user, *, show="", department=None, role="", q="") -> QuerySet[User]:
    """部门与账号's account list (core/forms.py AccountFilterForm): every account kept, or those
    locked after failed sign-ins (show=locked, what the 待办 home counts), active or deactivated;
    of a department, of a role (none: not yet granted one), by login or display name."""
    qs = accounts_in_scope(user)
    if show == "locked":
        qs = qs.filter(is_locked=True)
    elif show == "active":
        qs = qs.filter(is_active=True, is_locked=False)
    elif show == "inactive":
        qs = qs.filter(is_active=False)
    if department is not None:
        qs = qs.filter(department=department)
    if role == "none":
        qs = qs.filter(role="")
    elif role:
        qs = qs.filter(role=role)
    if q:
        qs = qs.filter(models.Q(username__icontains=q) | models.Q(display_name__icontains=q))
    return qs.order_by("department__region_id", "department__name", "role", "username", "pk")


def latest_audit_anchor() -> AuditAnchor | None:
    return AuditAnchor.objects.order_by("-seq").first()


def activation_by_code(code: str) -> AccountActivation | None:
    """A one-time code that still works (unused, not cancelled, not expired)."""
    return (
        AccountActivation.objects.select_related("user")
        .filter(
            code_hash=hashlib.sha256(code.encode()).hexdigest(),
            used_at__isnull=True,
            cancelled_at__isnull=True,
            expires_at__gt=timezone.now(),
        )
        .first()
    )


def active_user(pk) -> User | None:
    return User.objects.filter(pk=pk, is_active=True).select_related("department__region").first()


def second_factor_of(user) -> SecondFactor | None:
    return SecondFactor.objects.filter(user=user).first()


def calendar_years() -> QuerySet[CalendarYear]:
    return CalendarYear.objects.prefetch_related("days")


def regions_under(region: Region, *, current_only: bool = True) -> QuerySet[Region]:
    qs = Region.objects.filter(code__startswith=region.scope_prefix)
    return qs.filter(retired_on__isnull=True) if current_only else qs


def jobs_for(user) -> QuerySet[Job]:
    qs = Job.objects.select_related("created_by")
    if user.role == Role.OFFICE:
        return qs.filter(department__region__code__startswith=jurisdiction_prefix(user))
    return qs.filter(created_by=user)


def jobs_editable_by(user) -> QuerySet[Job]:
    """A background job is sent again or cancelled by the one who started it (core/scope.py)."""
    return jobs_for(user).filter(created_by=user)


def audit_entries(
    *,
    actor_ids: list[int] | None = None,
    system: bool = False,
    actions: list[str] | None = None,
    object_type: str = "",
    since: dt.date | None = None,
    until: dt.date | None = None,
) -> QuerySet[AuditEntry]:
    """The audit log, newest first, narrowed by the auditor's filters: the acting accounts (or
    the system's own entries), the actions, the kind of object, the days (Beijing time, both
    ends included)."""
    qs = AuditEntry.objects.all()
    if actor_ids is not None or system:
        qs = qs.filter(
            models.Q(actor_id__in=actor_ids or [])
            | (models.Q(actor_id__isnull=True) if system else models.Q(pk__in=[]))
        )
    if actions:
        qs = qs.filter(action__in=actions)
    if object_type:
        qs = qs.filter(object_type=object_type)
    tz = timezone.get_current_timezone()
    if since:
        qs = qs.filter(at__gte=dt.datetime.combine(since, dt.time.min, tzinfo=tz))
    if until:
        qs = qs.filter(at__lt=dt.datetime.combine(until + dt.timedelta(days=1), dt.time.min, tzinfo=tz))
    return qs


def audit_actors(text: str) -> tuple[list[int], bool]:
    """The accounts an auditor's 操作人 names (its login name, or part of its name), and whether
    it names the system itself (“系统”)."""
    text = text.strip()
    ids = list(
        User.objects.filter(models.Q(username=text) | models.Q(display_name__contains=text)).values_list(
            "pk", flat=True
        )[:200]
    )
    return ids, text == "系统"


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
