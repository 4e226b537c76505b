"""Planning's 待办 items (core/todo.py): counts read through the plan and task lists' own filter
forms, with the parameters the home links with."""

from shuangsuiji.core import todo
from shuangsuiji.core.models import Role

from .forms import PlanFilterForm, TaskFilterForm
from .models import TaskState


def _plans(user, params, today):
    return PlanFilterForm(params, user=user).rows()


def _tasks(user, params, today):
    return TaskFilterForm(params, user=user).rows()


def _led(state: str):
    """The user's department's led tasks in `state` (the lead department runs the draws)."""
    return lambda user, today: {"state": state.value, "lead": user.department_id}


def register() -> None:
    todo.register(
        "planning.plans_to_approve",
        label="待审核的年度抽查计划（含调整）",
        roles={Role.OFFICE},
        url_name="planning:plan_list",
        count=_plans,
        params=lambda user, today: {"status": "pending"},
        order=10,
        unit="份",
    )
    todo.register(
        "planning.plans_returned",
        label="被退回待修改的年度抽查计划",
        roles={Role.DEPT_ADMIN},
        url_name="planning:plan_list",
        count=_plans,
        params=lambda user, today: {"status": "returned"},
        order=10,
        unit="份",
    )
    todo.register(
        "planning.draws_to_run",
        label="已公告、待抽取对象的任务",
        roles={Role.DEPT_ADMIN},
        url_name="planning:task_list",
        count=_tasks,
        params=_led(TaskState.ANNOUNCED),
        order=20,
    )
    todo.register(
        "planning.teams_to_match",
        label="已抽取对象、待匹配检查人员的任务",
        roles={Role.DEPT_ADMIN},
        url_name="planning:task_list",
        count=_tasks,
        params=_led(TaskState.DRAWN),
        order=30,
    )
