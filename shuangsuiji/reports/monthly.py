"""月报表 (R-RPT-1): seed 003's form, cumulative from 1 January to a month's end, per department
and for the jurisdiction. Every figure follows the definitions shown on the report page:

- 次数: tasks with a draw that was not voided, drawn by the month's end, in which the department
  took part (a joint task is one 次 for each participating department);
- 抽查总户数: targets selected in those tasks; 完成检查户数: those whose inspection by the
  department was finished by the month's end; 发现问题户数: those where it found a problem;
- 部门内部: every task that is not 部门联合 (internal joint and ordinary alike);
- 涉及企业: tasks over market subjects, counting only market-subject targets;
- 利用信用风险分级分类: tasks whose quotas were set per risk class;
- the jurisdiction also counts each task and target once: a joint target is finished when every
  department finished it, and is a problem household when it is finished and any department
  found a problem (so problems never exceed finished households, in any view, as the form asks
  of hand-filled rows);
- natural persons, products, projects and sites in a per-risk-class task are not counted in the
  credit-risk row: they have no enterprise credit-risk class, so they were not drawn by one (the
  draw samples them at the 一般 ratio); the row counts the market subjects, as 涉及企业 does.

Read from the rollup (rollup.py, ARCHITECTURE.md "Data at scale"): the counted draws are chosen
live, their counts come from `Rollup` — one grouped query returning a row per (department, draw,
market subject or not, month finished), which also carries the on-time publicity counts the
dashboard needs, plus rows counting each target once; the form, the monthly trend and the
publicity rate are assembled from those few rows in Python. The same figures computed from the
base tables are in reference.py (the tests prove both equal)."""

import calendar
import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Q, Sum
from django.utils import timezone

from shuangsuiji.core.models import Department
from shuangsuiji.draw.models import DrawStatus, TargetDraw
from shuangsuiji.planning.models import QuotaMode, TaskKind, TaskMode

from .models import Rollup

ROWS = [
    ("total", "本部门开展随机抽查情况", "总计"),
    ("internal", "本部门开展随机抽查情况", "部门内部"),
    ("joint", "本部门开展随机抽查情况", "部门联合"),
    ("market", "本部门涉及企业的随机抽查情况", "总计"),
    ("credit", "本部门利用企业信用风险分级分类开展随机抽查的情况", "总计"),
]

# Printed beside the credit-risk row (page and .xlsx) and under the each-target-once view.
CREDIT_NOTE = (
    "只计市场主体。自然人、产品、项目、场所没有企业信用风险分类，抽取时按一般风险的比例抽取，"
    "不属于利用企业信用风险分级分类开展的抽查，故不计入本行（与“涉及企业”一行同一口径）。"
)
DISTINCT_NOTE = (
    "每个任务、每个对象只计一次：部门联合抽查的对象在全部参与部门都检查完毕时计为完成检查；"
    "完成检查后任一部门发现问题即计为发现问题户，因此发现问题户数不超过完成检查户数。"
    "国家没有统一口径，按部门合计与只计一次两种计数都列出。"
)


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
    task_ids: dict[str, set] = field(default_factory=lambda: defaultdict(set))

    def add(self, keys: list[str], task_pk: int, households: int, finished: int, problems: int) -> None:
        for key in keys:
            cell = self.rows[key]
            cell.households += households
            cell.finished += finished
            cell.problems += problems
            self.task_ids[key].add(task_pk)
            cell.tasks = len(self.task_ids[key])


def month_end(year: int, month: int) -> dt.datetime:
    last = calendar.monthrange(year, month)[1]
    return timezone.make_aware(dt.datetime(year, month, last, 23, 59, 59, 999999))


def counted_draws(region_prefix: str, year: int, end: dt.datetime, department=None, *, kind=TaskKind.RANDOM):
    """The draws the report counts: drawn (not voided) in `year` by `end`, of tasks led in the
    jurisdiction; for a department, of the tasks it took part in. Seed 003's form counts random
    inspections only: a triggered task's designated list (issue 19) is counted beside it
    (`triggered`), never in its cells nor in the coverage."""
    qs = TargetDraw.objects.filter(
        status=DrawStatus.DRAWN,
        drawn_at__lte=end,
        drawn_at__year=year,
        task__lead__region__code__startswith=region_prefix,
        task__kind=kind,
    )
    if department is not None:
        qs = qs.filter(task__departments=department)
    return qs


def _rows_for(mode: str, quota_mode: str, market: bool) -> list[str]:
    rows = ["total", "joint" if mode == TaskMode.JOINT else "internal"]
    if quota_mode == QuotaMode.RATIO and market:
        # only market subjects have an enterprise credit-risk class (国市监信发〔2022〕6号)
        rows.append("credit")
    if market:
        rows.append("market")
    return rows


@dataclass
class Facts:
    """Everything one pass gives: the forms, each department's on-time publicity (on time, due or
    published), and the jurisdiction's cumulative monthly trend."""

    per_dept: dict
    summed: Form
    distinct: Form
    publicity: dict = field(default_factory=dict)
    months: list = field(default_factory=list)


def facts(region_prefix: str, year: int, month: int, as_of: dt.date | None = None) -> Facts:
    """The forms, the publicity counts and the monthly trend from the rollup (rollup.py): the
    counted draws are chosen live (a few hundred rows), their counts read from `Rollup` grouped
    by (department, draw, market, month finished)."""
    end = month_end(year, month)
    as_of = as_of or end.date()
    end_month = dt.date(year, month, 1)
    draws = {
        d["pk"]: d
        for d in counted_draws(region_prefix, year, end).values(
            "pk", "task_id", "task__mode", "task__quota_mode", "drawn_at"
        )
    }
    per_dept: dict = defaultdict(Form)
    summed, distinct = Form(), Form()
    drawn, finished, problems = defaultdict(int), defaultdict(int), defaultdict(int)
    publicity: dict = defaultdict(lambda: [0, 0])
    done = Q(finished_month__lte=end_month)
    rows = (
        Rollup.objects.filter(draw_id__in=list(draws))
        .values_list("department_id", "draw_id", "market", "finished_month")
        .annotate(
            households=Sum("n"),
            fin=Sum("n", filter=done),
            # a problem household is a finished one (R-RPT-1: 发现问题户数 ≤ 完成检查户数 in every
            # view): each target once, a joint target counts when every department finished it
            prob=Sum("n", filter=done & Q(problem_month__lte=end_month)),
            due=Sum("n", filter=done & Q(publicity_day__lte=as_of)),
            ontime=Sum("n", filter=done & Q(publicity_day__lte=as_of, on_time=True)),
        )
        .order_by()
    )
    for dept_id, draw_id, market, fm, n, fin, prob, due, ontime in rows:
        d, fin, prob = draws[draw_id], fin or 0, prob or 0
        keys = _rows_for(d["task__mode"], d["task__quota_mode"], market)
        if dept_id is None:  # each target once
            distinct.add(keys, d["task_id"], n, fin, prob)
            drawn[timezone.localtime(d["drawn_at"]).month] += n
            continue
        per_dept[dept_id].add(keys, d["task_id"], n, fin, prob)
        summed.add(keys, (d["task_id"], dept_id), n, fin, prob)
        if fm:
            finished[fm.month] += fin
            problems[fm.month] += prob
        publicity[dept_id][0] += ontime or 0
        publicity[dept_id][1] += due or 0
    return assemble(per_dept, summed, distinct, publicity, (drawn, finished, problems), month)


def monthly(region_prefix: str, year: int, month: int) -> tuple[dict, Form, Form]:
    """(per-department forms, the jurisdiction summed over departments, each task and target once)."""
    f = facts(region_prefix, year, month)
    return f.per_dept, f.summed, f.distinct


def assemble(per_dept, summed, distinct, publicity, monthly_counts, month: int) -> "Facts":
    """The Facts from the per-month counts (drawn, finished, problems), cumulated to `month`;
    shared by the rollup path here and the base-table reference."""
    drawn, finished, problems = monthly_counts
    departments = Department.objects.in_bulk(list(per_dept))
    months, acc = [], {"drawn": 0, "finished": 0, "problems": 0}
    for m in range(1, month + 1):
        acc = {
            "drawn": acc["drawn"] + drawn[m],
            "finished": acc["finished"] + finished[m],
            "problems": acc["problems"] + problems[m],
        }
        months.append({"month": m, **acc})
    return Facts(
        {departments[pk]: form for pk, form in per_dept.items()},
        summed,
        distinct,
        {k: tuple(v) for k, v in publicity.items()},
        months,
    )


@dataclass
class Triggered:
    """触发式检查 beside seed 003's form (issue 19): per department (a task once for each department
    that took part) and the jurisdiction's sum, cumulative for the year to the month's end — the
    same four figures, from the same rollup, over triggered tasks only."""

    per_dept: dict
    total: Cell


def triggered(region_prefix: str, year: int, month: int) -> Triggered:
    end = month_end(year, month)
    end_month = dt.date(year, month, 1)
    draws = dict(
        counted_draws(region_prefix, year, end, kind=TaskKind.TRIGGERED).values_list("pk", "task_id")
    )
    rows = (
        Rollup.objects.filter(draw_id__in=list(draws), department__isnull=False)
        .values_list("department_id", "draw_id")
        .annotate(
            households=Sum("n"),
            fin=Sum("n", filter=Q(finished_month__lte=end_month)),
            prob=Sum("n", filter=Q(problem_month__lte=end_month)),
        )
        .order_by()
    )
    per: dict = defaultdict(Form)
    total = Form()
    for dept_id, draw_id, n, fin, prob in rows:
        per[dept_id].add(["total"], draws[draw_id], n, fin or 0, prob or 0)
        total.add(["total"], (draws[draw_id], dept_id), n, fin or 0, prob or 0)
    departments = Department.objects.in_bulk(list(per))
    return Triggered({departments[pk]: f.rows["total"] for pk, f in per.items()}, total.rows["total"])
