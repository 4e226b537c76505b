"""Draw's 待办 items (core/todo.py): the office's void requests to confirm and the reviewer's
recusal requests to decide, counted by the selectors their pages list."""

from shuangsuiji.core import todo
from shuangsuiji.core.models import Role

from . import selectors
from .forms import RecusalFilterForm, VoidFilterForm


def register() -> None:
    todo.register(
        "draw.voids_to_confirm",
        label="待确认的抽取作废申请",
        roles={Role.OFFICE},
        url_name="draw:voids",
        count=lambda user, params, today: VoidFilterForm(params, user=user).rows(),
        params=lambda user, today: {"status": "pending"},
        order=30,
        unit="份",
    )
    todo.register(
        "draw.recusals_to_decide",
        label="待决定的回避申请",
        roles={Role.REVIEWER},
        url_name="draw:recusals",
        count=lambda user, params, today: RecusalFilterForm(params, user=user).rows(),
        params=lambda user, today: {"status": "pending"},
        order=20,
        unit="份",
    )
    todo.register(
        "draw.audit",
        label="可复核的抽取记录（下载冻结的对象池重新抽取）",
        roles={Role.AUDITOR},
        url_name="draw:audit_list",
        count=lambda user, params, today: selectors.draws_for(user),
        order=20,
        urgent=False,
    )
