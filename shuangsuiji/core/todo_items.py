"""Core's own 待办 items (core/todo.py) for the roles that keep the platform rather than supervise:
the second person's role grants to confirm, the sysadmin's locked accounts, the auditor's log.
None reads supervision data (三员分立: permissions.py)."""

from django.utils import timezone

from . import selectors, todo
from .forms import AccountFilterForm
from .models import Role


def _anchor_note(user, params, today) -> str:
    anchor = selectors.latest_audit_anchor()
    if anchor is None:
        return "尚未公布操作日志锚点"
    return f"最近一次公布锚点：{timezone.localtime(anchor.published_at):%Y-%m-%d %H:%M}（至第 {anchor.seq:,} 条）"


def register() -> None:
    todo.register(
        "core.role_grants",
        label="待第二人确认的角色授权申请",
        roles={Role.SECADMIN, Role.OFFICE},
        url_name="core:roles",
        count=lambda user, params, today: selectors.role_grants_shown(user, params),
        params=lambda user, today: {"status": "pending"},
        order=90,
        unit="条",
    )
    todo.register(
        "core.locked_accounts",
        label="登录失败过多、已锁定的账号",
        roles={Role.SYSADMIN},
        url_name="core:org",
        count=lambda user, params, today: AccountFilterForm(params, user=user).rows(),
        params=lambda user, today: {"show": "locked"},
        order=10,
        unit="个",
    )
    todo.register(
        "core.audit_log",
        label="操作日志",
        roles={Role.AUDITOR},
        url_name="core:audit_log",
        # counted in full, as the log's pages count it (a figure, not a list to work through)
        count=lambda user, params, today: selectors.audit_entries().count(),
        order=10,
        unit="条",
        urgent=False,
        note=_anchor_note,
    )
