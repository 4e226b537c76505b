"""Reads for the reports: the year's reporting schedule, who has submitted what (R-ADM-2), and the
record lists behind every KPI and assessment figure (the drill-downs). Scoped: the office sees its
jurisdiction's departments, a department only itself."""

import datetime as dt
from dataclasses import dataclass

from django.db import connection
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from shuangsuiji.core.models import Department, Region, Role
from shuangsuiji.core.scope import jurisdiction
from shuangsuiji.core.selectors import departments_in_scope
from shuangsuiji.directory.models import Target, TargetKind
from shuangsuiji.draw.models import DrawStatus, Selection, TargetDraw
from shuangsuiji.inspection.models import Inspection, ItemResult
from shuangsuiji.planning.models import AnnualPlan, PlanStatus, PlanVersion, Task

from .models import MonthlySubmission, QuarterlySummary, ReportSchedule
from .monthly import counted_draws

# R-ADM-2: 鹿泉's dates are the defaults until the office sets its own for the year.
DEFAULT_QUARTER_DUES = ((3, 23), (6, 22), (9, 25), (12, 21))
DEFAULT_PLAN_PUBLISH_BY = (3, 31)


def day_end(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.max))


def schedule_for(region: Region, year: int) -> ReportSchedule:
    """The saved schedule, or the defaults (unsaved) when the office has not set one."""
    found = ReportSchedule.objects.filter(region=region, year=year).first()
    if found:
        return found
    q = [dt.date(year, m, d) for m, d in DEFAULT_QUARTER_DUES]
    return ReportSchedule(
        region=region,
        year=year,
        q1_due=q[0],
        q2_due=q[1],
        q3_due=q[2],
        q4_due=q[3],
        plan_publish_by=dt.date(year, *DEFAULT_PLAN_PUBLISH_BY),
    )


def monthly_due(schedule: ReportSchedule, month: int) -> dt.date:
    """The report for month M (cumulative to M's end) is due on the set day of month M+1."""
    y, m = (schedule.year + 1, 1) if month == 12 else (schedule.year, month + 1)
    return dt.date(y, m, schedule.monthly_due_day)


def area_departments(user, area: Region) -> QuerySet[Department]:
    """The member units of `area` — the user's jurisdiction, or for a city or province office one
    of the jurisdictions below it (levels.area_for) — whose reports the user follows."""
    if user.role != Role.OFFICE:
        return reporting_departments(user)
    return departments_in_scope(user).filter(is_office=False, region=area)


def reporting_departments(user) -> QuerySet[Department]:
    """Departments whose reports this user follows: the office its jurisdiction's member units,
    a department itself."""
    if user.role == Role.OFFICE:
        return departments_in_scope(user).filter(is_office=False, region=user.region)
    return Department.objects.filter(pk=user.department_id, is_office=False)


# ---- submission status ----------------------------------------------------------------------------

SUBMITTED, SUBMITTED_LATE, LATE, NOT_DUE = "submitted", "submitted_late", "late", "not_due"
STATUS_LABELS = {
    SUBMITTED: ("按时报送", "ok"),
    SUBMITTED_LATE: ("逾期报送", "warn"),
    LATE: ("逾期未报", "bad"),
    NOT_DUE: ("未到期", ""),
}


@dataclass
class Slot:
    """One department's report for one period: its due date, and what was submitted."""

    department: Department
    kind: str  # "monthly" / "quarterly"
    period: int  # month 1–12 or quarter 1–4
    due: dt.date
    submission: MonthlySubmission | QuarterlySummary | None
    status: str

    @property
    def label(self) -> str:
        return f"{self.period}月" if self.kind == "monthly" else f"第{self.period}季度"

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status][0]

    @property
    def css(self) -> str:
        return STATUS_LABELS[self.status][1]


def _status(submitted_at, due: dt.date, today: dt.date) -> str:
    if submitted_at is not None:
        local = submitted_at.astimezone().date() if submitted_at.tzinfo else submitted_at.date()
        return SUBMITTED if local <= due else SUBMITTED_LATE
    return LATE if today > due else NOT_DUE


def submission_grid(user, year: int, today: dt.date) -> list[tuple[Department, list[Slot], list[Slot]]]:
    """Per department: twelve monthly slots and four quarterly ones (three queries in all)."""
    departments = list(reporting_departments(user).select_related("liaison"))
    region = user.region
    schedule = schedule_for(region, year)
    monthly = {
        (s.department_id, s.month): s
        for s in MonthlySubmission.objects.filter(
            department__in=departments, year=year, submitted_at__isnull=False
        ).select_related("submitted_by")
    }
    quarterly = {
        (s.department_id, s.quarter): s
        for s in QuarterlySummary.objects.filter(department__in=departments, year=year).select_related(
            "submitted_by"
        )
    }
    grid = []
    for d in departments:
        months = []
        for m in range(1, 13):
            due, sub = monthly_due(schedule, m), monthly.get((d.pk, m))
            months.append(Slot(d, "monthly", m, due, sub, _status(sub and sub.submitted_at, due, today)))
        quarters = []
        for q, due in enumerate(schedule.quarter_dues, start=1):
            sub = quarterly.get((d.pk, q))
            quarters.append(Slot(d, "quarterly", q, due, sub, _status(sub and sub.submitted_at, due, today)))
        grid.append((d, months, quarters))
    return grid


def late_slots(grid) -> list[Slot]:
    """The slots past their due date with nothing submitted, oldest first."""
    late = [s for _, months, quarters in grid for s in months + quarters if s.status == LATE]
    return sorted(late, key=lambda s: (s.due, s.department.name))


def monthly_submission(user, pk: int) -> MonthlySubmission | None:
    return (
        MonthlySubmission.objects.filter(pk=pk, department__in=reporting_departments(user))
        .select_related("department", "submitted_by")
        .first()
    )


def monthly_submissions(user, year: int, month: int) -> QuerySet[MonthlySubmission]:
    """The month's submissions of the departments this user may read (an office: every
    department of its jurisdiction, the levels below included)."""
    return submissions_for(user).filter(year=year, month=month).select_related("department", "submitted_by")


def quarterly_summaries(user, year: int) -> QuerySet[QuarterlySummary]:
    return QuarterlySummary.objects.filter(department__in=reporting_departments(user), year=year)


def quarterly_summary(user, pk: int) -> QuarterlySummary | None:
    return (
        QuarterlySummary.objects.filter(pk=pk, department__in=reporting_departments(user))
        .select_related("department", "submitted_by")
        .first()
    )


# ---- the lists behind the figures ----------------------------------------------------------------


def draw_ids(prefix: str, year: int, end, department=None) -> list[int]:
    """The counted draws' ids, fetched first (a few hundred or thousand): the big queries then
    filter on a literal list, whose size the planner knows; the joined filters on draws, tasks
    and regions looked like one row to it, and it chose nested loops over 10⁶ inspections."""
    return list(counted_draws(prefix, year, end, department).values_list("pk", flat=True))


def year_inspections(prefix: str, year: int, department=None) -> QuerySet[Inspection]:
    """Inspections of the year's counted draws (drawn, not voided, in `year`) in the jurisdiction."""
    ids = draw_ids(prefix, year, day_end(dt.date(year, 12, 31)))
    qs = Inspection.objects.filter(selection__draw_id__in=ids)
    return qs.filter(department=department) if department is not None else qs


def due_or_published(qs: QuerySet[Inspection], as_of: dt.date) -> QuerySet[Inspection]:
    """Results whose 20-working-day deadline (R-INSP-2) has come by `as_of`, or published by then:
    the on-time publicity rate's denominator."""
    end = day_end(as_of)
    return qs.filter(Q(due_on__lte=as_of) | Q(published_at__lte=end))


def on_time(qs: QuerySet[Inspection], as_of: dt.date) -> QuerySet[Inspection]:
    end = day_end(as_of)
    return qs.filter(published_at__lte=end, published_at__date__lte=F("due_on"))


def published_late(qs: QuerySet[Inspection], as_of: dt.date) -> QuerySet[Inspection]:
    """逾期公示: published, but after the deadline."""
    end = day_end(as_of)
    return qs.filter(published_at__lte=end, published_at__date__gt=F("due_on"))


def unpublished_overdue(qs: QuerySet[Inspection], as_of: dt.date) -> QuerySet[Inspection]:
    """逾期未公示: the deadline has passed and nothing is published yet."""
    end = day_end(as_of)
    return qs.filter(due_on__lt=as_of).filter(Q(published_at__isnull=True) | Q(published_at__gt=end))


def counted_tasks(prefix: str, year: int, end, department=None) -> QuerySet[Task]:
    draws = counted_draws(prefix, year, end, department)
    return Task.objects.filter(pk__in=list(draws.values_list("task_id", flat=True))).select_related("lead")


def counted_selections(prefix: str, year: int, end, department=None) -> QuerySet[Selection]:
    ids = draw_ids(prefix, year, end, department)
    return Selection.objects.filter(draw_id__in=ids).select_related("target", "draw__task")


def covered_enterprises(prefix: str, year: int, end, department=None) -> QuerySet[Target]:
    """Distinct enterprises drawn this year by `end` (the coverage numerator, R-PLAN-2)."""
    ids = draw_ids(prefix, year, end, department)
    return Target.objects.filter(
        kind=TargetKind.ENTERPRISE,
        pk__in=Selection.objects.filter(draw_id__in=ids).values("target_id"),
    )


def finished_inspections(prefix: str, year: int, end, department=None) -> QuerySet[Inspection]:
    """Each department's finished inspections in the counted draws (the discovery rate's base)."""
    ids = draw_ids(prefix, year, end)
    qs = Inspection.objects.filter(selection__draw_id__in=ids, finished_on__lte=end.date())
    return qs.filter(department=department) if department is not None else qs


def with_problem(qs: QuerySet[Inspection]) -> QuerySet[Inspection]:
    # an uncorrelated IN: hashed once on PostgreSQL rather than probed per inspection
    return qs.filter(pk__in=ItemResult.objects.filter(found_problem=True).values("inspection_id"))


def plan_published_on(department, year: int) -> dt.date | None:
    """When the department's plan for the year was first published (its version 1)."""
    v = (
        PlanVersion.objects.filter(plan__department=department, plan__year=year, number=1)
        .values_list("published_at", flat=True)
        .first()
    )
    return v.astimezone().date() if v else None


def voided_plans(prefix: str, year: int, department=None) -> QuerySet[AnnualPlan]:
    qs = AnnualPlan.objects.filter(
        year=year, status=PlanStatus.VOIDED, department__region__code__startswith=prefix
    ).select_related("department")
    return qs.filter(department=department) if department is not None else qs


def voided_draws(prefix: str, year: int, department=None) -> QuerySet[TargetDraw]:
    """方案作废 (R-ADM-5): draws voided, charged to the task's lead department."""
    qs = TargetDraw.objects.filter(
        status=DrawStatus.VOIDED,
        task__plan__year=year,
        task__lead__region__code__startswith=prefix,
    ).select_related("task", "task__lead", "ended_by")
    return qs.filter(task__lead=department) if department is not None else qs


# ---- 抽查结果推断: the samples' counts per stratum -------------------------------------------


def estimate_counts(draw_ids: list[int]) -> dict[int, dict[str, tuple[int, int]]]:
    """{draw: {stratum label: (inspected, with a problem)}} over the draws' selected targets, in
    one query. A target is inspected when every department of its task has finished, and has a
    problem when any of them found one (as the jurisdiction's report counts a joint target)."""
    if not draw_ids:
        return {}
    marks = ", ".join(["%s"] * len(draw_ids))
    sql = f"""
        SELECT s.draw_id, s.label,
               SUM(CASE WHEN f.n = nd.n THEN 1 ELSE 0 END),
               SUM(CASE WHEN f.n = nd.n AND f.bad > 0 THEN 1 ELSE 0 END)
        FROM draw_selection s
        JOIN draw_targetdraw d ON d.id = s.draw_id
        JOIN (SELECT task_id, COUNT(*) AS n FROM planning_task_departments GROUP BY task_id) nd
          ON nd.task_id = d.task_id
        LEFT JOIN (
            SELECT i.selection_id, COUNT(*) AS n,
                   SUM(CASE WHEN i.id IN (SELECT r.inspection_id FROM inspection_itemresult r
                                          WHERE r.found_problem) THEN 1 ELSE 0 END) AS bad
            FROM inspection_inspection i
            JOIN draw_selection x ON x.id = i.selection_id
            WHERE i.finished_on IS NOT NULL AND x.draw_id IN ({marks})
            GROUP BY i.selection_id
        ) f ON f.selection_id = s.id
        WHERE s.draw_id IN ({marks})
        GROUP BY s.draw_id, s.label
    """
    out: dict[int, dict[str, tuple[int, int]]] = {pk: {} for pk in draw_ids}
    with connection.cursor() as c:
        c.execute(sql, [*draw_ids, *draw_ids])
        for draw_id, label, n, bad in c.fetchall():
            out[draw_id][label] = (int(n or 0), int(bad or 0))
    return out


# ---- scope (core/scope.py): whose reports a user reads and changes ------------------------------


def _reading_departments(user) -> QuerySet[Department]:
    return departments_in_scope(user) if user.role == Role.OFFICE else reporting_departments(user)


def submissions_for(user) -> QuerySet[MonthlySubmission]:
    """Every month's submissions of the departments the user may read."""
    return MonthlySubmission.objects.filter(department__in=_reading_departments(user))


def submissions_editable_by(user) -> QuerySet[MonthlySubmission]:
    """A department fills in and submits its own monthly report (services._may_report names who)."""
    return submissions_for(user).filter(department_id=jurisdiction(user).department_id)


def summaries_for(user) -> QuerySet[QuarterlySummary]:
    return QuarterlySummary.objects.filter(department__in=reporting_departments(user))


def summaries_editable_by(user) -> QuerySet[QuarterlySummary]:
    return summaries_for(user).filter(department_id=jurisdiction(user).department_id)
