"""Inspection's 待办 items (core/todo.py): each count is the total of the list it links to, read
through that list's own filter (forms.progress_for, selectors.review_queue, selectors.my_work_shown)."""

from django.utils import timezone

from shuangsuiji.core import todo
from shuangsuiji.core.models import Role
from shuangsuiji.core.selectors import work_calendar

from . import selectors
from .forms import progress_for


def _progress_rows(user, params, today):
    return progress_for(user, params, today)[1]


def _my_work(user, params, today):
    return selectors.my_work_shown(user, today=today, show=params.get("show", ""))


def _oldest_waiting(user, params, today) -> str:
    first = selectors.review_queue(user).values_list("submitted_at", flat=True).first()
    if first is None:
        return ""
    days = work_calendar().workdays_between(timezone.localdate(first), today)
    return f"等待最久的一份已等待 {days} 个工作日"


def register() -> None:
    todo.register(
        "inspection.unpublished",
        label="逾期未公示的检查结果",
        roles={Role.OFFICE},
        url_name="inspection:work",
        count=_progress_rows,
        params=lambda user, today: {"state": "unpublished"},
        order=40,
        unit="份",
        late=True,
    )
    todo.register(
        "inspection.overdue",
        label="逾期未录入的检查结果",
        roles={Role.DEPT_ADMIN},
        url_name="inspection:work",
        count=_progress_rows,
        params=lambda user, today: {"state": "overdue"},
        order=60,
        unit="份",
        late=True,
    )
    todo.register(
        "inspection.review",
        label="待复核的检查结果",
        roles={Role.REVIEWER},
        url_name="inspection:review",
        count=lambda user, params, today: selectors.review_queue(user),
        order=10,
        unit="份",
        note=_oldest_waiting,
    )
    for order, show, label, unit in (
        (10, "today", "今日可检查的对象", "个"),
        (20, "week", "本周检查期截止的对象", "个"),
        (30, "overdue", "逾期未录入的检查结果", "份"),
    ):
        todo.register(
            f"inspection.my_{show}",
            label=label,
            roles={Role.INSPECTOR},
            url_name="inspection:work",
            count=_my_work,
            params=lambda user, today, show=show: {"show": show},
            order=order,
            unit=unit,
            late=show == "overdue",
        )
