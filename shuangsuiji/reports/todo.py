"""Reports' 待办 item (core/todo.py): the reports past their due date with nothing submitted, as
报送情况 lists them for the year (the same grid, the same rule)."""

from shuangsuiji.core import todo
from shuangsuiji.core.models import Role

from . import selectors


def _late(user, params, today) -> int:
    year = int(params.get("year") or today.year)
    return len(selectors.late_slots(selectors.submission_grid(user, year, today)))


def register() -> None:
    todo.register(
        "reports.late",
        label="逾期未报的月报表、季度进展情况",
        roles={Role.OFFICE, Role.DEPT_ADMIN},
        url_name="reports:submissions",
        count=_late,
        params=lambda user, today: {"year": today.year},
        order=20,
        unit="份",
        late=True,
    )
