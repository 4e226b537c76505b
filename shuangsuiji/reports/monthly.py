"""月报表 (R-RPT-1): seed 003's form, cumulative from 1 January to a month's end, per department
and for the jurisdiction. Every figure follows the definitions shown on the report page:

- 次数: tasks with a draw that was not voided, drawn by the month's end, in which the department
  took part (a joint task is one 次 for each participating department);
- 抽查总户数: targets selected in those tasks; 完成检查户数: those whose inspection by the
  department was finished by the month's end; 发现问题户数: those where it found a problem;
- 部门内部: every task that is not 部门联合 (internal joint and ordinary alike);
- 涉及企业: tasks over market subjects, counting only market-subject targets;
- 利用信用风险分级分类: tasks whose quotas were set per risk class;
- the jurisdiction also counts each task and target once (a joint target is finished when every
  department finished it, and has a problem when any found one)."""

import calendar
import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.utils import timezone

from shuangsuiji.directory.models import MARKET_KINDS
from shuangsuiji.draw.models import DrawStatus, Selection
from shuangsuiji.inspection.models import Inspection
from shuangsuiji.planning.models import QuotaMode, TaskMode

ROWS = [
    ("total", "本部门开展随机抽查情况", "总计"),
    ("internal", "本部门开展随机抽查情况", "部门内部"),
    ("joint", "本部门开展随机抽查情况", "部门联合"),
    ("market", "本部门涉及企业的随机抽查情况", "总计"),
    ("credit", "本部门利用企业信用风险分级分类开展随机抽查的情况", "总计"),
]


@dataclass
class Cell:
    tasks: int = 0
    households: int = 0
    finished: int = 0
    problems: int = 0

    def as_tuple(self) -> tuple[int, int, int, int]:
        return (self.tasks, self.households, self.finished, self.problems)


@dataclass
class Form:
    rows: dict[str, Cell] = field(default_factory=lambda: {key: Cell() for key, _, _ in ROWS})


def month_end(year: int, month: int) -> dt.datetime:
    last = calendar.monthrange(year, month)[1]
    return timezone.make_aware(dt.datetime(year, month, last, 23, 59, 59, 999999))


def _facts(region_prefix: str, year: int, month: int):
    """One pass over the year's counted selections: per (task, target, department) whether the
    department finished by the month's end and found a problem."""
    end = month_end(year, month)
    selections = (
        Selection.objects.filter(
            draw__status=DrawStatus.DRAWN,
            draw__drawn_at__lte=end,
            draw__drawn_at__year=year,
            draw__task__lead__region__code__startswith=region_prefix,
        )
        .select_related("draw__task", "target")
        .prefetch_related("draw__task__departments")
    )
    inspections = {
        (i.selection_id, i.department_id): i
        for i in Inspection.objects.filter(selection__in=selections).prefetch_related("results")
    }
    for s in selections:
        task = s.draw.task
        for dept in task.departments.all():
            ins = inspections.get((s.pk, dept.pk))
            finished = bool(ins and ins.finished_on and ins.finished_on <= end.date())
            problem = finished and any(r.found_problem for r in ins.results.all())
            yield task, s, dept, finished, problem


def _rows_for(task) -> list[str]:
    rows = ["total", "joint" if task.mode == TaskMode.JOINT else "internal"]
    if task.quota_mode == QuotaMode.RATIO:
        rows.append("credit")
    return rows


def _add(form: Form, task_sets: dict, keys: list[str], task_pk: int, finished: bool, problem: bool) -> None:
    for key in keys:
        cell = form.rows[key]
        cell.households += 1
        cell.finished += finished
        cell.problems += problem
        task_sets[key].add(task_pk)


def monthly(region_prefix: str, year: int, month: int) -> tuple[dict, Form, Form]:
    """(per-department forms, the jurisdiction summed over departments, each task and target once)."""
    per_dept: dict = defaultdict(Form)
    dept_tasks: dict = defaultdict(lambda: defaultdict(set))
    once: dict = {}  # (task, selection) → (keys, finished by every department, problem by any)
    for task, s, dept, finished, problem in _facts(region_prefix, year, month):
        keys = _rows_for(task) + (["market"] if s.target.kind in MARKET_KINDS else [])
        _add(per_dept[dept], dept_tasks[dept], keys, task.pk, finished, problem)
        _, f, p = once.get((task.pk, s.pk), (keys, True, False))
        once[(task.pk, s.pk)] = (keys, f and finished, p or problem)
    for dept, form in per_dept.items():
        for key, pks in dept_tasks[dept].items():
            form.rows[key].tasks = len(pks)
    summed = Form()
    for form in per_dept.values():
        for key, cell in form.rows.items():
            total = summed.rows[key]
            total.tasks, total.households, total.finished, total.problems = (
                a + b for a, b in zip(total.as_tuple(), cell.as_tuple(), strict=True)
            )
    distinct, distinct_tasks = Form(), defaultdict(set)
    for (task_pk, _), (keys, f, p) in once.items():
        _add(distinct, distinct_tasks, keys, task_pk, f, p)
    for key, pks in distinct_tasks.items():
        distinct.rows[key].tasks = len(pks)
    return dict(per_dept), summed, distinct
