"""Follow-up's 待办 items (core/todo.py): counts read through the ledger's filter form and the
inbox's selector, with the parameters the home links with."""

from shuangsuiji.core import todo
from shuangsuiji.core.models import Role

from .forms import InboxFilterForm, ledger_filtered
from .models import FollowUpState


def _ledger(user, params, today):
    return ledger_filtered(user, params, today)[1]


def register() -> None:
    todo.register(
        "followup.inbox",
        label="移送收件箱中待接收的抄告、移送",
        roles={Role.DEPT_ADMIN},
        url_name="followup:inbox",
        count=lambda user, params, today: InboxFilterForm(params, user=user).rows(),
        params=lambda user, today: {"state": "transfer_pending"},
        order=40,
        unit="件",
    )
    todo.register(
        "followup.to_dispose",
        label="台账中待确定处置方式的问题",
        roles={Role.DEPT_ADMIN},
        url_name="followup:ledger",
        count=_ledger,
        params=lambda user, today: {"state": FollowUpState.PENDING.value},
        order=50,
        unit="件",
    )
    todo.register(
        "followup.overdue",
        label="台账中已过办结期限的问题",
        roles={Role.DEPT_ADMIN},
        url_name="followup:ledger",
        count=_ledger,
        params=lambda user, today: {"overdue": "on"},
        order=55,
        unit="件",
        late=True,
    )
    todo.register(
        "followup.to_verify",
        label="整改待核查的问题",
        roles={Role.INSPECTOR},
        url_name="followup:ledger",
        count=_ledger,
        params=lambda user, today: {"state": FollowUpState.TO_VERIFY.value},
        order=40,
        unit="件",
    )
