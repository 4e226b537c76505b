"""督查考核 (R-RPT-2, R-ADM-5): per department, the counts of late or careless work and a score.

Counts, as of a date, for the year's work:
- 逾期公示结果: results published after their 20-working-day deadline (R-INSP-2);
- 逾期未公示结果: results whose deadline has passed with nothing published;
- 后续处置逾期: ledger entries open past their due date (R-FUP-1);
- 计划未按期公示: 1 when the department's annual plan was not published by the configured date;
- 方案/抽取作废: annual plans voided and target draws voided (charged to the task's lead);
- 回访发现问题: return-visit findings judged careless (走形式, 随意录入, …; R-FUP-2).

Score = max(0, 100 − Σ weight × count), the weights set with the year's schedule and shown on the
page with the formula."""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count

from shuangsuiji.core.models import Department, Region
from shuangsuiji.planning.models import AnnualPlan

from . import selectors
from .models import ReportSchedule

# (key, label, weight field of ReportSchedule)
COUNTS = [
    ("late_result", "逾期公示结果", "w_late_result"),
    ("unpublished", "逾期未公示结果", "w_unpublished"),
    ("overdue_followup", "后续处置逾期", "w_overdue_followup"),
    ("plan_late", "计划未按期公示", "w_plan_late"),
    ("voided", "方案/抽取作废", "w_voided"),
    ("careless", "回访发现随意录入等", "w_careless"),
]
LABELS = {k: label for k, label, _ in COUNTS}
FULL = Decimal(100)


def weights(schedule: ReportSchedule) -> dict[str, Decimal]:
    return {key: Decimal(getattr(schedule, attr)) for key, _, attr in COUNTS}


def score(counts: dict[str, int], w: dict[str, Decimal]) -> Decimal:
    return max(Decimal(0), FULL - sum((w[k] * counts[k] for k, _, _ in COUNTS), Decimal(0)))


def formula(w: dict[str, Decimal]) -> str:
    terms = " − ".join(f"{w[k].normalize():f}×{label}" for k, label, _ in COUNTS)
    return f"得分 = 100 − {terms}（最低 0 分）"


@dataclass
class Row:
    department: Department
    counts: dict[str, int] = field(default_factory=dict)
    score: Decimal = FULL


def plan_late(department, year: int, schedule: ReportSchedule, as_of: dt.date) -> bool:
    """Only once the date has passed: no plan published on or before it."""
    if as_of <= schedule.plan_publish_by:
        return False
    published = selectors.plan_published_on(department, year)
    return published is None or published > schedule.plan_publish_by


def _by_department(qs, key: str = "department_id") -> dict[int, int]:
    return dict(qs.order_by().values_list(key).annotate(n=Count("id")))


def assess(region: Region, year: int, as_of: dt.date, departments) -> tuple[list[Row], dict]:
    """Rows per department (a few grouped queries for all departments) and the weights used."""
    from shuangsuiji.followup.selectors import careless_findings, overdue_ledger

    prefix = region.scope_prefix
    schedule = selectors.schedule_for(region, year)
    w = weights(schedule)
    year_qs = selectors.year_inspections(prefix, year)
    late = _by_department(selectors.published_late(year_qs, as_of))
    unpublished = _by_department(selectors.unpublished_overdue(year_qs, as_of))
    overdue = _by_department(overdue_ledger(region, year, as_of=as_of))
    careless = _by_department(careless_findings(region, year))
    voided = _by_department(selectors.voided_plans(prefix, year))
    for k, n in _by_department(selectors.voided_draws(prefix, year), "task__lead_id").items():
        voided[k] = voided.get(k, 0) + n
    rows = []
    for d in departments:
        counts = {
            "late_result": late.get(d.pk, 0),
            "unpublished": unpublished.get(d.pk, 0),
            "overdue_followup": overdue.get(d.pk, 0),
            "plan_late": int(plan_late(d, year, schedule, as_of)),
            "voided": voided.get(d.pk, 0),
            "careless": careless.get(d.pk, 0),
        }
        rows.append(Row(d, counts, score(counts, w)))
    return rows, w


def drill(region: Region, year: int, as_of: dt.date, department, key: str):
    """The records behind one count for one department (a queryset, or a list for plan_late)."""
    from shuangsuiji.followup.selectors import careless_findings, overdue_ledger

    prefix = region.scope_prefix
    insp = selectors.year_inspections(prefix, year, department).select_related(
        "selection__target", "selection__draw__task", "department"
    )
    if key == "late_result":
        return selectors.published_late(insp, as_of).order_by("due_on", "id")
    if key == "unpublished":
        return selectors.unpublished_overdue(insp, as_of).order_by("due_on", "id")
    if key == "overdue_followup":
        return overdue_ledger(region, year, as_of=as_of, department=department)
    if key == "careless":
        return careless_findings(region, year, department=department)
    if key == "voided":
        return list(selectors.voided_plans(prefix, year, department)) + list(
            selectors.voided_draws(prefix, year, department)
        )
    if key == "plan_late":
        schedule = selectors.schedule_for(region, year)
        if not plan_late(department, year, schedule, as_of):
            return []
        return list(AnnualPlan.objects.filter(department=department, year=year)) or [department]
    raise KeyError(key)
