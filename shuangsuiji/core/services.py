"""State changes of core records: one function per action, each in a transaction, each
writing the audit log."""

import datetime as dt
import hashlib
import secrets

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from . import audit, throttle
from .errors import DomainError
from .identifiers import IdentifierError, check_region_code, region_level, region_parent_code
from .models import (
    ApiToken,
    BusinessLine,
    CalendarDay,
    CalendarYear,
    Department,
    Region,
    Role,
    SignInThrottle,
    User,
)


@transaction.atomic
def department_create(*, actor, name: str, region: Region, is_office: bool = False, upper=None) -> Department:
    if Department.objects.filter(region=region, name=name).exists():
        raise DomainError(f"{region.name}已有名为“{name}”的部门", field="name")
    if is_office and Department.objects.filter(region=region, is_office=True).exists():
        raise DomainError(f"{region.name}已有双随机办公室，每个辖区只能有一个", field="is_office")
    dept = Department.objects.create(name=name, region=region, is_office=is_office, upper=upper)
    audit.record(actor=actor, action="department.create", obj=dept, summary=f"新建部门：{region.name}{name}")
    return dept


@transaction.atomic
def business_line_create(*, actor, department: Department, name: str) -> BusinessLine:
    line, created = BusinessLine.objects.get_or_create(department=department, name=name)
    if not created:
        raise DomainError(f"{department.name}已有业务条线“{name}”", field="name")
    audit.record(actor=actor, action="business_line.create", obj=line, summary=f"新建业务条线：{line}")
    return line


_ROLES_NEEDING_DEPT = {
    Role.OFFICE,
    Role.DEPT_ADMIN,
    Role.INSPECTOR,
    Role.REVIEWER,
    Role.AUDITOR,
    Role.SYSADMIN,
}


@transaction.atomic
def user_create(
    *,
    actor,
    username: str,
    password: str,
    role: str,
    department: Department,
    display_name: str = "",
    business_line: BusinessLine | None = None,
) -> User:
    if role not in Role.values:
        raise DomainError(f"未知角色“{role}”", field="role")
    if role == Role.OFFICE and not department.is_office:
        raise DomainError("双随机办公室角色的账号须属于双随机办公室", field="department")
    if business_line and business_line.department_id != department.pk:
        raise DomainError("业务条线不属于所选部门", field="business_line")
    if User.objects.filter(username=username).exists():
        raise DomainError(f"用户名“{username}”已被使用", field="username")
    user = User(
        username=username,
        role=role,
        department=department,
        display_name=display_name,
        business_line=business_line,
    )
    try:
        validate_password(password, user)
    except ValidationError as e:
        raise DomainError("；".join(e.messages), field="password") from None
    user.set_password(password)
    user.save()
    audit.record(
        actor=actor,
        action="user.create",
        obj=user,
        summary=f"新建账号：{username}（{Role(role).label}，{department.name}）",
    )
    return user


def _throttle_row(*, address: str, username: str, now) -> SignInThrottle:
    """The counter row, locked for this transaction; created on first use. Another node may
    create or prune the same row at the same moment, hence the retry."""
    for _ in range(3):
        row = SignInThrottle.objects.select_for_update().filter(address=address, username=username).first()
        if row is not None:
            return row
        try:
            with transaction.atomic():
                return SignInThrottle.objects.create(address=address, username=username, window_start=now)
        except IntegrityError:
            continue
    raise RuntimeError(f"登录失败计数行无法取得：{address} {username}")


def login_failed(*, address: str, username: str) -> dt.datetime | None:
    """Count a failed sign-in of `username` from `address` (core/throttle.py has the rules).
    Returns the time until which this failure has the pair or the client refused, else None.
    Known and unknown names take the same path and the same database work."""
    now = timezone.now()
    window = throttle.window()
    refused = None
    with transaction.atomic():
        # Counts whose window ended and that refuse nothing are forgotten (keeps the table small);
        # rows another sign-in holds are skipped, so that two prunes never wait on each other.
        stale = (
            SignInThrottle.objects.select_for_update(skip_locked=True)
            .filter(window_start__lt=now - window)
            .filter(Q(locked_until__isnull=True) | Q(locked_until__lte=now))
            .order_by("pk")
            .values_list("pk", flat=True)[:500]
        )
        SignInThrottle.objects.filter(pk__in=list(stale)).delete()
        for name, limit in (
            (username, settings.LOGIN_MAX_FAILURES),
            (throttle.ANY_NAME, settings.LOGIN_MAX_FAILURES_PER_ADDRESS),
        ):
            row = _throttle_row(address=address, username=name, now=now)
            if row.window_start <= now - window:
                row.window_start, row.failures = now, 0
            row.failures += 1
            if row.failures >= limit:
                row.locked_until = now + dt.timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES)
                row.window_start, row.failures = now, 0
                refused = max(refused or row.locked_until, row.locked_until)
                _audit_sign_in_refused(address=address, username=name, limit=limit)
            row.save(update_fields=["window_start", "failures", "locked_until"])
    return refused


def _audit_sign_in_refused(*, address: str, username: str, limit: int) -> None:
    minutes = settings.LOGIN_LOCKOUT_MINUTES
    if username == throttle.ANY_NAME:
        audit.record(
            actor=None,
            action="login.address_locked",
            summary=f"地址 {address} 登录失败 {limit} 次，暂停该地址登录 {minutes} 分钟",
            detail={"address": address},
        )
        return
    # Unknown names are logged too (an attempt to guess accounts is worth seeing), and the
    # same work is done either way, so that the answer's timing does not tell them apart.
    user = User.objects.filter(username=username).first()
    audit.record(
        actor=None,
        action="user.locked" if user else "login.locked",
        obj=user,
        summary=(
            f"{'账号' if user else '不存在的用户名'} {username} 从 {address} 连续 {limit} 次登录失败，"
            f"暂停该地址登录该账号 {minutes} 分钟"
        ),
        detail={"address": address, "username": username},
    )


@transaction.atomic
def login_succeeded(*, user: User, address: str) -> None:
    # Only this pair's count: the client's own count stays (see core/throttle.py).
    SignInThrottle.objects.filter(address=address, username=user.username).delete()
    audit.record(
        actor=user,
        action="user.login",
        obj=user,
        summary=f"{user.username} 登录（{address}）",
        detail={"address": address},
    )


@transaction.atomic
def api_token_create(*, actor: User, name: str, days: int | None = 365) -> tuple[ApiToken, str]:
    """Returns the token and its secret, shown once."""
    secret = "ssj_" + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=actor,
        name=name or "脚本",
        prefix=secret[:8],
        key_hash=hashlib.sha256(secret.encode()).hexdigest(),
        expires_at=timezone.now() + dt.timedelta(days=days) if days else None,
    )
    audit.record(actor=actor, action="api_token.create", obj=token, summary=f"创建 API 令牌：{token.name}")
    return token, secret


@transaction.atomic
def api_token_revoke(*, actor: User, token: ApiToken) -> None:
    if token.user_id != actor.pk:
        raise DomainError("只能注销自己的令牌")
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    audit.record(actor=actor, action="api_token.revoke", obj=token, summary=f"注销 API 令牌：{token.name}")


def api_token_user(secret: str) -> User | None:
    digest = hashlib.sha256(secret.encode()).hexdigest()
    token = ApiToken.objects.select_related("user").filter(key_hash=digest, revoked_at__isnull=True).first()
    now = timezone.now()
    if not token or (token.expires_at and token.expires_at < now) or not token.user.is_active:
        return None
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


@transaction.atomic
def calendar_year_save(
    *, actor, year: int, holidays: list[dt.date], workdays: list[dt.date], complete: bool, note: str = ""
) -> CalendarYear:
    """Enter a year's holidays and 调休 days (replacing what was entered for that year)."""
    both = set(holidays) & set(workdays)
    if both:
        raise DomainError(f"{min(both):%Y-%m-%d} 不能既是放假日又是调休上班日")
    wrong = [d for d in [*holidays, *workdays] if d.year != year]
    if wrong:
        raise DomainError(f"{wrong[0]:%Y-%m-%d} 不在 {year} 年内")
    cy, _ = CalendarYear.objects.update_or_create(year=year, defaults={"complete": complete, "note": note})
    cy.days.all().delete()
    CalendarDay.objects.bulk_create(
        [CalendarDay(year=cy, date=d, is_workday=False, name="放假") for d in sorted(holidays)]
        + [CalendarDay(year=cy, date=d, is_workday=True, name="调休上班") for d in sorted(workdays)]
    )
    audit.record(
        actor=actor,
        action="calendar.save",
        obj=cy,
        summary=f"录入 {year} 年节假日安排：放假 {len(holidays)} 天，调休上班 {len(workdays)} 天"
        + ("（全年安排已完整）" if complete else ""),
    )
    return cy


def regions_load(rows, *, actor=None, source: str) -> dict:
    """Load (code, name, retired_on) rows: adds new codes, renames, marks retirements.
    Parents are taken from the code's shape and must exist or be in the same load."""
    rows = list(rows)
    errors = []
    parsed: dict[str, tuple[str, dt.date | None]] = {}
    for i, (code, name, retired_on) in enumerate(rows, start=1):
        try:
            code = check_region_code(code)
        except IdentifierError as e:
            errors.append(f"第 {i} 行：{e}")
            continue
        if not name:
            errors.append(f"第 {i} 行：名称为空")
            continue
        parsed[code] = (name, retired_on)
    if errors:
        raise DomainError("区划代码表有误，未作任何更改", errors=errors)
    with transaction.atomic():
        existing = {r.code: r for r in Region.objects.all()}
        created = updated = 0
        for code in sorted(parsed, key=lambda c: (len(c), c)):  # parents before children
            name, retired_on = parsed[code]
            parent = region_parent_code(code)
            while parent and parent not in existing and parent not in parsed:
                parent = region_parent_code(parent)
            fields = {
                "name": name,
                "level": region_level(code),
                "parent_id": parent,
                "retired_on": retired_on,
            }
            if code in existing:
                r = existing[code]
                if any(getattr(r, k) != v for k, v in fields.items()):
                    for k, v in fields.items():
                        setattr(r, k, v)
                    r.save()
                    updated += 1
            else:
                try:
                    existing[code] = Region.objects.create(code=code, **fields)
                except IntegrityError as e:
                    raise DomainError(f"区划 {code} 无法保存：{e}") from None
                created += 1
        counts = {"created": created, "updated": updated, "rows": len(rows)}
        audit.record(
            actor=actor,
            action="region.load",
            summary=f"载入区划代码表 {source}：新增 {created}，更新 {updated}",
            detail=counts,
        )
    return counts


@transaction.atomic
def user_unlock(*, actor, user: User) -> None:
    """Clear the name's counts at every client, and the counts of the clients that failed for
    it, so that the person can sign in again from wherever they are."""
    rows = SignInThrottle.objects.filter(username=user.username)
    addresses = list(rows.values_list("address", flat=True))
    rows.delete()
    SignInThrottle.objects.filter(address__in=addresses, username=throttle.ANY_NAME).delete()
    audit.record(actor=actor, action="user.unlock", obj=user, summary=f"解锁账号：{user.username}")


@transaction.atomic
def user_set_active(*, actor, user: User, active: bool) -> None:
    if user.pk == getattr(actor, "pk", None) and not active:
        raise DomainError("不能停用自己的账号")
    User.objects.filter(pk=user.pk).update(is_active=active)
    audit.record(
        actor=actor,
        action="user.activate" if active else "user.deactivate",
        obj=user,
        summary=f"{'启用' if active else '停用'}账号：{user.username}",
    )


@transaction.atomic
def user_set_password(*, actor, user: User, password: str) -> None:
    try:
        validate_password(password, user)
    except ValidationError as e:
        raise DomainError("；".join(e.messages), field="password") from None
    user.set_password(password)
    user.save(update_fields=["password"])
    audit.record(actor=actor, action="user.password", obj=user, summary=f"重置密码：{user.username}")
