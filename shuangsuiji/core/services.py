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

from . import audit, second_factor, throttle
from .errors import DomainError, Forbidden, NotFound
from .identifiers import IdentifierError, check_region_code, region_level, region_parent_code
from .models import (
    ADMIN_ROLES,
    AccountActivation,
    ActivationPurpose,
    ApiToken,
    BusinessLine,
    CalendarDay,
    CalendarYear,
    Department,
    GrantStatus,
    Region,
    Role,
    RoleGrant,
    SecondFactor,
    SignInThrottle,
    User,
)
from .permissions import Action, can


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


@transaction.atomic
def user_create(
    *,
    actor,
    username: str,
    department: Department,
    role: str = "",
    password: str | None = None,
    display_name: str = "",
    business_line: BusinessLine | None = None,
) -> User:
    """A new account. The system itself (actor None: tests, demo data, management commands) may
    create a ready account with a role and a password. An administrator creates it without
    either (三员分立, GB/T 22239-2019 8.1.4.2): the role comes from a grant (role_grant_*), the
    password from its owner through a one-time code (account_create)."""
    if actor is not None and role:
        raise DomainError(
            "系统管理员只能新建待授权的账号；角色由安全管理员申请、第二人确认后生效", field="role"
        )
    if actor is not None and password is not None:
        raise DomainError("管理员不设置密码：账号由本人通过一次性开通码设置密码", field="password")
    if role and role not in Role.values:
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
    if password is None:
        user.set_unusable_password()
    else:
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
        summary=f"新建账号：{username}（{Role(role).label if role else '待授权'}，{department.name}）",
    )
    return user


# How long a one-time activation code works: time to hand it over, short enough that a lost
# one soon stops mattering.
ACTIVATION_HOURS = 72


def _code_hash(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


def _activation_issue(*, actor, user: User, purpose: str) -> str:
    """A new one-time code for `user`, every earlier unused one cancelled. Returns the code,
    shown once to the administrator, who hands it to the owner; only its hash is kept."""
    now = timezone.now()
    AccountActivation.objects.filter(user=user, used_at__isnull=True, cancelled_at__isnull=True).update(
        cancelled_at=now
    )
    code = secrets.token_urlsafe(24)
    AccountActivation.objects.create(
        user=user,
        purpose=purpose,
        code_hash=_code_hash(code),
        created_by=actor,
        expires_at=now + dt.timedelta(hours=ACTIVATION_HOURS),
    )
    return code


@transaction.atomic
def account_create(
    *,
    actor: User | None,
    username: str,
    department: Department,
    display_name: str = "",
    business_line: BusinessLine | None = None,
    role: str = "",
) -> tuple[User, str]:
    """The sysadmin opens an account: no role, no usable password. Returns the account and its
    one-time activation code (shown once). The system (actor None: `manage.py account_open`,
    for the first administrators of a new installation) may give the role at once."""
    user = user_create(
        actor=actor,
        username=username,
        department=department,
        role=role,
        display_name=display_name,
        business_line=business_line,
    )
    code = _activation_issue(actor=actor, user=user, purpose=ActivationPurpose.ACTIVATE)
    audit.record(
        actor=actor,
        action="account.code_issue",
        obj=user,
        summary=f"签发开通码：{username}（{ACTIVATION_HOURS} 小时内有效，仅可使用一次）",
    )
    return user, code


@transaction.atomic
def user_password_reset(*, actor: User, user: User) -> str:
    """The sysadmin resets a forgotten password: the old one stops working at once (and with it
    every session of the account), the owner sets a new one with the returned one-time code."""
    if user.pk == actor.pk:
        raise DomainError("不能重置自己的密码，请由另一位系统管理员办理")
    user.set_unusable_password()
    user.save(update_fields=["password"])
    code = _activation_issue(actor=actor, user=user, purpose=ActivationPurpose.RESET)
    audit.record(
        actor=actor,
        action="user.password_reset",
        obj=user,
        summary=f"重置密码：{user.username}（原密码已失效，已签发一次性开通码）",
    )
    return code


@transaction.atomic
def account_activate(*, code: str, password: str) -> User:
    """The owner sets the password with a one-time code (开通账号或重置密码)."""
    activation = (
        AccountActivation.objects.select_for_update()
        .select_related("user")
        .filter(code_hash=_code_hash(code))
        .first()
    )
    if activation is None or activation.used_at or activation.cancelled_at:
        raise DomainError("开通码无效或已使用，请联系系统管理员重新签发")
    if activation.expires_at <= timezone.now():
        raise DomainError("开通码已过期，请联系系统管理员重新签发")
    user = activation.user
    if not user.is_active:
        raise DomainError("账号已停用，请联系系统管理员")
    try:
        validate_password(password, user)
    except ValidationError as e:
        raise DomainError("；".join(e.messages), field="password") from None
    user.set_password(password)
    user.save(update_fields=["password"])
    activation.used_at = timezone.now()
    activation.save(update_fields=["used_at"])
    audit.record(
        actor=user,
        action="account.activate",
        obj=user,
        summary=f"{user.username} 以一次性开通码设置密码（{activation.get_purpose_display()}）",
    )
    return user


def _in_scope(actor: User, user: User) -> bool:
    prefix = actor.region.scope_prefix if actor.region else None
    return bool(prefix and user.department_id and user.department.region_id.startswith(prefix))


# 双人授权: these roles take effect only when a second person confirms (GB/T 22239-2019 8.1.4.2);
# an inspector's grant needs one.
ONE_PERSON_ROLES = frozenset({Role.INSPECTOR})
# The jurisdiction's office may be the second person for department roles, never for an
# administrator (the auditor watches the office too).
OFFICE_CONFIRMS = frozenset({Role.DEPT_ADMIN, Role.REVIEWER, Role.OFFICE, Role.INSPECTOR})


@transaction.atomic
def role_grant_request(*, actor: User, user: User, role: str, note: str = "") -> RoleGrant:
    """The secadmin asks for `role` on `user`. An inspector's grant takes effect at once; any
    other waits for a second person (role_grant_confirm)."""
    if not can(actor, Action.ROLE_GRANT):
        raise Forbidden("只有安全管理员可以申请授予角色")
    user = User.objects.select_for_update(of=("self",)).select_related("department__region").get(pk=user.pk)
    if not _in_scope(actor, user):
        raise NotFound("账号不存在")
    if user.pk == actor.pk:
        raise DomainError("不能为自己申请角色")
    if role not in Role.values:
        raise DomainError(f"未知角色“{role}”", field="role")
    if not user.is_active:
        raise DomainError("账号已停用，不能授予角色")
    if user.role == role:
        raise DomainError(f"{user.username} 已是{Role(role).label}", field="role")
    # 三员分立: an administrator's account keeps its one role, and an administrator role goes
    # only to an account that has none, so no person holds two administrator roles.
    if user.role in ADMIN_ROLES:
        raise DomainError(f"{Role(user.role).label}账号不能改授其他角色：三员须由不同人员以不同账号担任")
    if role in ADMIN_ROLES and user.role:
        raise DomainError(f"{Role(role).label}只能授予尚无角色的新账号（一人一角色）", field="role")
    if role == Role.OFFICE and not user.department.is_office:
        raise DomainError("双随机办公室角色的账号须属于双随机办公室", field="role")
    if RoleGrant.objects.filter(user=user, status=GrantStatus.PENDING).exists():
        raise DomainError(f"{user.username} 已有待确认的授权申请，请先确认、拒绝或撤回")
    grant = RoleGrant.objects.create(
        user=user, role=role, previous_role=user.role, requested_by=actor, note=note
    )
    label = f"{user.username}：{Role(user.role).label if user.role else '待授权'} → {Role(role).label}"
    if role in ONE_PERSON_ROLES:
        _role_apply(grant)
        audit.record(
            actor=actor, action="role_grant.apply", obj=grant, summary=f"授予角色（一人办理）：{label}"
        )
    else:
        audit.record(
            actor=actor,
            action="role_grant.request",
            obj=grant,
            summary=f"申请授予角色，待第二人确认：{label}",
        )
    return grant


def _role_apply(grant: RoleGrant) -> None:
    User.objects.filter(pk=grant.user_id).update(role=grant.role)
    grant.status = GrantStatus.CONFIRMED
    grant.decided_at = timezone.now()
    grant.save(update_fields=["status", "decided_by", "decided_at"])


def role_grant_may_decide(actor: User, grant: RoleGrant) -> bool:
    """Whether `actor` may confirm or refuse this pending grant (for the page's buttons)."""
    return (
        grant.status == GrantStatus.PENDING
        and actor.pk not in (grant.requested_by_id, grant.user_id)
        and _may_decide(actor, grant)
    )


def _may_decide(actor: User, grant: RoleGrant) -> bool:
    """Who may be the second person: another secadmin of the jurisdiction, or the office of the
    grantee's jurisdiction for a department role."""
    if not can(actor, Action.ROLE_CONFIRM) or not _in_scope(actor, grant.user):
        return False
    if actor.role == Role.OFFICE:
        # the office of the grantee's own jurisdiction: a city's office confirms no county's roles
        own = grant.user.department.region_id.startswith(actor.region.code)
        return own and grant.role in OFFICE_CONFIRMS
    return True


def _pending_grant(grant: RoleGrant) -> RoleGrant:
    grant = (
        RoleGrant.objects.select_for_update(of=("self",))
        .select_related("user__department__region")
        .get(pk=grant.pk)
    )
    if grant.status != GrantStatus.PENDING:
        raise DomainError(f"该申请{grant.get_status_display()}，不能再处理")
    return grant


@transaction.atomic
def role_grant_confirm(*, actor: User, grant: RoleGrant) -> RoleGrant:
    """The second person confirms: neither who asked nor who receives the role."""
    grant = _pending_grant(grant)
    if grant.requested_by_id == actor.pk:
        raise DomainError("申请人不能确认自己的申请，须由第二人确认")
    if grant.user_id == actor.pk:
        raise DomainError("被授权人不能确认授予自己的角色")
    if not _may_decide(actor, grant):
        if actor.role == Role.OFFICE:
            raise Forbidden(f"双随机办公室不能确认{Role(grant.role).label}的授权，须由另一位安全管理员确认")
        raise Forbidden("您不能确认该授权申请")
    user = User.objects.select_for_update().get(pk=grant.user_id)
    if not user.is_active:
        raise DomainError("账号已停用，不能授予角色")
    if user.role != grant.previous_role:
        raise DomainError("账号的角色在申请后已改变，请撤回后重新申请")
    grant.decided_by = actor
    _role_apply(grant)
    audit.record(
        actor=actor,
        action="role_grant.confirm",
        obj=grant,
        summary=f"确认授予角色：{user.username} → {Role(grant.role).label}（申请人 {grant.requested_by}）",
    )
    return grant


@transaction.atomic
def role_grant_refuse(*, actor: User, grant: RoleGrant, note: str = "") -> RoleGrant:
    """The applicant withdraws, or a possible second person refuses."""
    grant = _pending_grant(grant)
    if grant.requested_by_id == actor.pk:
        grant.status, action, verb = GrantStatus.WITHDRAWN, "role_grant.withdraw", "撤回"
    elif grant.user_id != actor.pk and _may_decide(actor, grant):
        grant.status, action, verb = GrantStatus.REFUSED, "role_grant.refuse", "拒绝"
        grant.decided_by = actor
    else:
        raise Forbidden("您不能处理该授权申请")
    grant.decided_at = timezone.now()
    grant.note = (note or grant.note)[:200]
    grant.save(update_fields=["status", "decided_by", "decided_at", "note"])
    audit.record(
        actor=actor,
        action=action,
        obj=grant,
        summary=f"{verb}角色授权申请：{grant.user.username} → {Role(grant.role).label}",
        detail={"note": note} if note else None,
    )
    return grant


@transaction.atomic
def second_factor_begin(*, user: User) -> SecondFactor:
    """The owner starts enrolling: a new secret, kept until confirmed with a code."""
    factor = SecondFactor.objects.select_for_update().filter(user=user).first()
    if factor and factor.confirmed_at:
        raise DomainError("动态口令已启用；如手机丢失，请联系安全管理员重置")
    if factor is None:
        factor = SecondFactor.objects.create(user=user, secret=second_factor.new_secret())
    return factor


@transaction.atomic
def second_factor_confirm(*, user: User, code: str) -> SecondFactor:
    factor = SecondFactor.objects.select_for_update().filter(user=user, confirmed_at__isnull=True).first()
    if factor is None:
        raise DomainError("没有待确认的动态口令，请刷新页面重新扫码")
    step = second_factor.accepted_step(factor.secret, code, after=factor.last_step)
    if step is None:
        raise DomainError("动态口令不正确，请核对手机上显示的 6 位数字", field="code")
    factor.confirmed_at, factor.last_step = timezone.now(), step
    factor.save(update_fields=["confirmed_at", "last_step"])
    audit.record(actor=user, action="second_factor.enrol", obj=user, summary=f"{user.username} 启用动态口令")
    return factor


@transaction.atomic
def second_factor_check(*, user: User, code: str) -> bool:
    """A sign-in's second step: the code of the current time step (±1 for clock drift), never
    one already used (the row is locked, so two requests with one code cannot both pass)."""
    factor = SecondFactor.objects.select_for_update().filter(user=user, confirmed_at__isnull=False).first()
    if factor is None:
        return False
    step = second_factor.accepted_step(factor.secret, code, after=factor.last_step)
    if step is None:
        return False
    factor.last_step = step
    factor.save(update_fields=["last_step"])
    return True


@transaction.atomic
def second_factor_reset(*, actor: User, user: User) -> None:
    """The secadmin clears a lost second factor; the owner enrols again at the next sign-in."""
    if not can(actor, Action.ROLE_GRANT):
        raise Forbidden("只有安全管理员可以重置动态口令")
    if not _in_scope(actor, user):
        raise NotFound("账号不存在")
    if user.pk == actor.pk:
        raise DomainError("不能重置自己的动态口令，请由另一位安全管理员办理")
    SecondFactor.objects.filter(user=user).delete()
    audit.record(
        actor=actor, action="second_factor.reset", obj=user, summary=f"重置动态口令：{user.username}"
    )


@transaction.atomic
def second_factor_set(*, user: User, secret: str) -> SecondFactor:
    """The system enrols a known secret (the demo's accounts, whose secret it prints)."""
    factor, _ = SecondFactor.objects.update_or_create(
        user=user, defaults={"secret": secret, "confirmed_at": timezone.now(), "last_step": 0}
    )
    audit.record(
        actor=None, action="second_factor.enrol", obj=user, summary=f"系统为 {user.username} 启用动态口令"
    )
    return factor


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
