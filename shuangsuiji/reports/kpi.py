"""The year's KPIs against its goals (R-PLAN-2, R-RPT-2), for the jurisdiction and each department,
as they stood at the end of a chosen month (or today, within the current month).

Definitions (shown on the dashboard too):
- 抽查企业覆盖率: distinct 企业 drawn this year (counted draws) ÷ 企业 on file at the goals'
  snapshot date (the same denominator as the 年度目标 page);
- 联合抽查次数占比 / 户数占比: 部门联合 次数 (户数) ÷ all 次数 (户数), from the monthly report; the
  jurisdiction counts each task and target once, a department its own form;
- 信用风险分类抽查次数占比: tasks whose quotas are set per risk class ÷ all tasks;
- 抽查结果按时公示率: results published by their 20-working-day deadline (R-INSP-2) ÷ results whose
  deadline has come (or that were published) by the date;
- 后续处置率: problems with a disposition recorded ÷ problems in the ledger (R-FUP-1);
- 问题发现率: inspections that found a problem ÷ finished inspections (no goal: for information).

Colours (the rule `colour` implements, stated on the page): green when the goal is met; amber when
not yet met but at or above the pro-rata pace goal × (days elapsed ÷ days in the year) before the
year's end; red when behind that pace, or not met at the year's end."""

import calendar
import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Sum

from shuangsuiji.core.models import Department, Region
from shuangsuiji.planning.models import YearGoals
from shuangsuiji.planning.selectors import enterprises_on_file

from .models import CoverageCount, CoveredTarget
from .monthly import Form, counted_draws, facts, month_end

KPIS = [
    ("coverage", "抽查企业覆盖率", "coverage"),
    ("joint_task_share", "联合抽查次数占比", "joint_task_share"),
    ("joint_household_share", "联合抽查户数占比", "joint_household_share"),
    ("credit_share", "信用风险分类抽查次数占比", "credit_share"),
    ("publicity_on_time", "抽查结果按时公示率", "publicity_on_time"),
    ("followup_rate", "后续处置率", "followup_rate"),
    ("discovery_rate", "问题发现率", None),
]
LABELS = {key: label for key, label, _ in KPIS}

GREEN, AMBER, RED, NONE = "green", "amber", "red", "none"
COLOUR_LABELS = {GREEN: ("已达标", "ok"), AMBER: ("进度内", "warn"), RED: ("落后", "bad"), NONE: ("", "")}


def year_fraction(as_of: dt.date) -> Decimal:
    """Days elapsed (as_of included) ÷ days in the year."""
    days = 366 if calendar.isleap(as_of.year) else 365
    return Decimal(as_of.timetuple().tm_yday) / Decimal(days)


def colour(value: Decimal | None, goal: Decimal | None, as_of: dt.date) -> str:
    """green: met; amber: not met, but on pace (≥ goal × year fraction) before the year's end;
    red: behind pace, or missed at the year's end; none: no goal set or nothing to measure."""
    if goal is None or value is None:
        return NONE
    if value >= goal:
        return GREEN
    year_over = as_of >= dt.date(as_of.year, 12, 31)
    if not year_over and value >= goal * year_fraction(as_of):
        return AMBER
    return RED


@dataclass
class Figure:
    key: str
    numerator: int
    denominator: int
    goal: Decimal | None
    as_of: dt.date

    @property
    def label(self) -> str:
        return LABELS[self.key]

    @property
    def value(self) -> Decimal | None:
        if not self.denominator:
            return None
        return Decimal(self.numerator) / Decimal(self.denominator)

    @property
    def percent(self) -> str:
        v = self.value
        return "—" if v is None else f"{v * 100:.1f}%"

    @property
    def colour(self) -> str:
        return colour(self.value, self.goal, self.as_of)

    @property
    def colour_label(self) -> str:
        return COLOUR_LABELS[self.colour][0]

    @property
    def css(self) -> str:
        return COLOUR_LABELS[self.colour][1]

    @property
    def pace(self) -> Decimal | None:
        return None if self.goal is None else self.goal * year_fraction(self.as_of)


@dataclass
class Column:
    """The jurisdiction (department None) or one department, with its figures by KPI key."""

    department: Department | None
    figures: dict[str, Figure] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.department.name if self.department else "全辖区"


@dataclass
class Dashboard:
    year: int
    month: int
    as_of: dt.date
    goals: YearGoals | None
    on_file: int
    columns: list[Column]
    months: list[dict]

    def rows(self):
        """(key, label, goal, [figure per column]) for the table."""
        return [
            (key, label, self.columns[0].figures[key].goal, [c.figures[key] for c in self.columns])
            for key, label, _ in KPIS
        ]


def as_of_for(year: int, month: int, today: dt.date) -> dt.date:
    return min(month_end(year, month).date(), today)


def _goal(goals: YearGoals | None, attr: str | None) -> Decimal | None:
    return getattr(goals, attr) if goals is not None and attr else None


def coverage(prefix: str, year: int, month: int) -> tuple[dict[int, int], int]:
    """Distinct enterprises drawn by the month's end, per department and in the jurisdiction, from
    the rollup: under one lead region `CoverageCount` (a few rows per month); over several (a
    city's or province's office) `CoveredTarget`, counting each enterprise once."""
    regions = set(
        counted_draws(prefix, year, month_end(year, month)).values_list("task__lead__region_id", flat=True)
    )
    if len(regions) <= 1:
        rows = CoverageCount.objects.filter(
            year=year, region_id__in=regions, first_month__lte=month
        ).order_by()
        n = Sum("n")
    else:
        rows = CoveredTarget.objects.filter(
            year=year, region_id__in=regions, first_month__lte=month
        ).order_by()
        n = Count("target_id", distinct=True)
    per = dict(rows.filter(department__isnull=False).values_list("department_id").annotate(n=n))
    return per, rows.filter(department__isnull=True).aggregate(n=n)["n"] or 0


def _form_figures(form: Form, goals, as_of) -> dict[str, tuple[int, int]]:
    total, joint, credit = form.rows["total"], form.rows["joint"], form.rows["credit"]
    return {
        "joint_task_share": (joint.tasks, total.tasks),
        "joint_household_share": (joint.households, total.households),
        "credit_share": (credit.tasks, total.tasks),
        "discovery_rate": (total.problems, total.finished),
    }


def dashboard(
    region: Region, year: int, month: int, today: dt.date, departments=None, *, jurisdiction: bool = True
) -> Dashboard:
    """Every KPI for the jurisdiction and each department: a handful of grouped queries."""
    from shuangsuiji.followup.selectors import followup_counts

    prefix = region.scope_prefix
    as_of = as_of_for(year, month, today)
    goals = YearGoals.objects.filter(region=region, year=year).first()
    if departments is None:
        departments = list(Department.objects.filter(region=region, is_office=False))
    on_file = enterprises_on_file(prefix, goals.coverage_snapshot if goals else dt.date(year - 1, 12, 31))
    f = facts(prefix, year, month, as_of)
    per_dept, summed, distinct, publicity = f.per_dept, f.summed, f.distinct, f.publicity
    per_dept = {d.pk: form for d, form in per_dept.items()}
    covered, covered_all = coverage(prefix, year, month)
    columns = ([Column(None)] if jurisdiction else []) + [Column(d) for d in departments]
    for col in columns:
        d = col.department
        if d is None:
            form = distinct
            discovery = (summed.rows["total"].problems, summed.rows["total"].finished)
            cov = covered_all
            pub = tuple(map(sum, zip(*publicity.values(), strict=True))) if publicity else (0, 0)
        else:
            form = per_dept.get(d.pk, Form())
            discovery = (form.rows["total"].problems, form.rows["total"].finished)
            cov = covered.get(d.pk, 0)
            pub = publicity.get(d.pk, (0, 0))
        fup = followup_counts(region, year, until=as_of, department=d)
        values = _form_figures(form, goals, as_of) | {
            "coverage": (cov, on_file),
            "publicity_on_time": pub,
            "followup_rate": (fup["disposed"], fup["problems"]),
            "discovery_rate": discovery,
        }
        for key, _, attr in KPIS:
            n, den = values[key]
            col.figures[key] = Figure(key, n, den, _goal(goals, attr), as_of)
    return Dashboard(year, month, as_of, goals, on_file, columns, f.months if jurisdiction else [])
