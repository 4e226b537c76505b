"""The reports' rollup (issue 5): `Rollup` and `CoveredTarget` hold, per draw, the counts the
monthly report (R-RPT-1) and the dashboard (R-RPT-2) read, so that a report over 10⁶ results reads
a few thousand rows. Exact and always current: the services that change an input recompute the
draw's slice from the base tables with one grouped query bounded by that draw's size, in their own
transaction (never a delta):

- the draw's status and selections (draw_run, draw_void, draw_abort): `refresh_draw`;
- an inspection's finish date, item results, publication (inspection_finish, result_save,
  review_approve): `refresh_inspection`;
- drawn targets' kind changed by an import: `refresh_targets`.

Each of those services sends its own app's signal (draw.signals.draw_settled,
inspection.signals.inspection_counts_changed, directory.signals.targets_kind_changed) and
apps.py connects the receivers below: one mechanism, hooks the lower apps offer, so that none of
them imports reports.

What the rollup leaves to the report, read live from the small tables: which draws count (status,
drawn_at, the lead's region), the task's mode and quota mode. `rebuild` recomputes everything (the
`rollup_rebuild` command, after data written in bulk by the bench or a loader)."""

import datetime as dt
from collections import Counter

from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from shuangsuiji.directory.models import MARKET_KINDS, TargetKind
from shuangsuiji.draw.models import DrawStatus, TargetDraw

from .models import CoverageCount, CoveredTarget, Rollup


def _dialect() -> dict[str, str]:
    """SQL that differs between PostgreSQL and SQLite: local dates of timestamps (the report's
    months and R-INSP-2's deadline are local), a month's first day."""
    if connection.vendor == "postgresql":
        tz = timezone.get_current_timezone_name()
        return {
            "day": f"({{0}} AT TIME ZONE '{tz}')::date",
            "fm": "date_trunc('month', {0})::date",
            "year": f"CAST(EXTRACT(YEAR FROM d.drawn_at AT TIME ZONE '{tz}') AS integer)",
            "month": f"CAST(EXTRACT(MONTH FROM d.drawn_at AT TIME ZONE '{tz}') AS integer)",
        }
    offset = timezone.localtime().utcoffset() or dt.timedelta(0)
    hours = f"'{int(offset.total_seconds() // 3600):+d} hours'"
    return {
        "day": f"date({{0}}, {hours})",
        "fm": "date({0}, 'start of month')",
        "year": f"CAST(strftime('%%Y', d.drawn_at, {hours}) AS integer)",
        "month": f"CAST(strftime('%%m', d.drawn_at, {hours}) AS integer)",
    }


def _market() -> tuple[str, list[str]]:
    marks = ", ".join(["%s"] * len(MARKET_KINDS))
    return f"(tg.kind IN ({marks}))", [str(k) for k in MARKET_KINDS]


_COVERAGE_LOCK = 5_300_001  # pg_advisory_xact_lock's first key: the reports' coverage

# A problem found at the inspection. For one draw, looked up per inspection (a correlated scalar
# subquery PostgreSQL cannot hash: it would read every item result of every year); for the rebuild,
# EXISTS, which it hashes once.
_PROBLEM_ONE = (
    "(SELECT COUNT(*) FROM inspection_itemresult r WHERE r.inspection_id = i.id AND r.found_problem) > 0"
)
_PROBLEM_ALL = (
    "EXISTS (SELECT 1 FROM inspection_itemresult r WHERE r.inspection_id = i.id AND r.found_problem)"
)


def _problem(where: str) -> str:
    return _PROBLEM_ALL if where == "TRUE" else _PROBLEM_ONE


# The rows every slice is computed from: each selection once per department of the task, with that
# department's inspection when it is finished; a common table that the department rows and the
# each-target rows both read (one read of the join for a whole draw's slice).
def _joined(where: str) -> str:
    market, _ = _market()
    return f"""
        WITH j AS (
            SELECT s.id AS selection_id, s.draw_id, td.department_id, {market} AS market,
                   i.id AS inspection_id, i.finished_on, i.published_at, i.due_on,
                   CASE WHEN i.id IS NOT NULL AND {_problem(where)} THEN 1 ELSE 0 END AS problem
            FROM draw_selection s
            JOIN draw_targetdraw d ON d.id = s.draw_id
            JOIN planning_task_departments td ON td.task_id = d.task_id
            JOIN directory_target tg ON tg.id = s.target_id
            LEFT JOIN inspection_inspection i
                   ON i.selection_id = s.id AND i.department_id = td.department_id AND i.finished_on IS NOT NULL
            WHERE {where}
        )
        INSERT INTO reports_rollup (draw_id, department_id, market, finished_month, problem_month,
                                    publicity_day, on_time, n)
    """


def _per_department() -> str:
    """One row per (draw, department, market, finished month, problem month, publicity day, on
    time): the departments' own forms and the on-time publicity counts."""
    q = _dialect()
    fm = q["fm"].format("j.finished_on")
    pub = q["day"].format("j.published_at")
    publicity_day = (
        f"CASE WHEN j.published_at IS NULL THEN j.due_on WHEN j.due_on IS NULL THEN {pub} "
        f"WHEN {pub} < j.due_on THEN {pub} ELSE j.due_on END"
    )
    return f"""
        SELECT j.draw_id, j.department_id, j.market, {fm},
               CASE WHEN j.problem = 1 THEN {fm} END,
               {publicity_day},
               CASE WHEN j.published_at IS NOT NULL AND {pub} <= j.due_on THEN TRUE ELSE FALSE END,
               COUNT(*)
        FROM j
        GROUP BY 1, 2, 3, 4, 5, 6, 7
    """


def _each_target() -> str:
    """Rows with no department: each target once, finished in the month its last department
    finished (none until every department has), with a problem from the month one was first found
    (the report counts the problem only once the target is finished: monthly.facts)."""
    q = _dialect()
    return f"""
        SELECT x.draw_id, NULL, x.market,
               CASE WHEN x.fin = x.nd THEN {q["fm"].format("x.last_on")} END,
               {q["fm"].format("x.problem_on")}, NULL, FALSE, COUNT(*)
        FROM (
            SELECT j.selection_id, j.draw_id, j.market, COUNT(j.inspection_id) AS fin, COUNT(*) AS nd,
                   MAX(j.finished_on) AS last_on,
                   MIN(CASE WHEN j.problem = 1 THEN j.finished_on END) AS problem_on
            FROM j
            GROUP BY j.selection_id, j.draw_id, j.market
        ) x
        GROUP BY x.draw_id, x.market, 4, 5
    """


def _rollup_sql(where: str, *, departments: bool = True, each_target: bool = True) -> str:
    """INSERT the rollup rows of the selections `where` selects: the department rows, the
    each-target rows, or both from one read of the join."""
    parts = ([_per_department()] if departments else []) + ([_each_target()] if each_target else [])
    return _joined(where) + " UNION ALL ".join(parts)


def _covered_sql(where: str) -> str:
    """Enterprises of drawn draws, with the month of their first draw in the year, per lead region
    and department, and per lead region alone (department NULL: the jurisdiction's), from one
    read of the drawn selections (a common table both groupings read). Random tasks only: a
    triggered inspection never counts toward the coverage goal (issue 19)."""
    q = _dialect()
    return f"""
        WITH drawn AS (
            SELECT {q["year"]} AS drawn_year, l.region_id, td.department_id, s.target_id, {q["month"]} AS drawn_month
            FROM draw_selection s
            JOIN draw_targetdraw d ON d.id = s.draw_id
            JOIN planning_task t ON t.id = d.task_id
            JOIN core_department l ON l.id = t.lead_id
            LEFT JOIN planning_task_departments td ON td.task_id = d.task_id
            JOIN directory_target tg ON tg.id = s.target_id
            WHERE d.status = %s AND d.drawn_at IS NOT NULL AND tg.kind = %s AND t.kind = 'random' AND {where}
        )
        INSERT INTO reports_coveredtarget (year, region_id, department_id, target_id, first_month)
        SELECT drawn_year, region_id, department_id, target_id, MIN(drawn_month) FROM drawn
        WHERE department_id IS NOT NULL
        GROUP BY drawn_year, region_id, department_id, target_id
        UNION ALL
        SELECT drawn_year, region_id, NULL, target_id, MIN(drawn_month) FROM drawn
        GROUP BY drawn_year, region_id, target_id
    """


def _execute(sql: str, params: list) -> None:
    with connection.cursor() as c:
        c.execute(sql, params)


def _rollup_slice(draw_id: int, department_id: int | None = None) -> None:
    _, mparams = _market()
    if department_id is None:
        Rollup.objects.filter(draw_id=draw_id).delete()
        _execute(_rollup_sql("s.draw_id = %s"), [*mparams, draw_id])
        return
    # the department's own rows and the each-target rows (which depend on every department)
    Rollup.objects.filter(draw_id=draw_id, department_id=department_id).delete()
    Rollup.objects.filter(draw_id=draw_id, department__isnull=True).delete()
    _execute(
        _rollup_sql("s.draw_id = %s AND td.department_id = %s", each_target=False),
        [*mparams, draw_id, department_id],
    )
    _execute(_rollup_sql("s.draw_id = %s", departments=False), [*mparams, draw_id])


def _counted(sql: str, params: list) -> Counter:
    """Run a DELETE or INSERT of coverage rows; the rows it deleted or inserted, counted by
    (region, department, first month)."""
    with connection.cursor() as c:
        c.execute(f"{sql} RETURNING region_id, department_id, first_month", params)
        return Counter(map(tuple, c.fetchall()))


def _covered_targets(year: int, targets: list[int] | None = None, *, draw_id: int | None = None) -> None:
    """Recompute the coverage rows of these targets (or of a draw's: a subquery, not 30,000
    parameters for the client to bind) in `year`, and move `CoverageCount` by what those rows were
    and now are (counted from the rows the DELETE and the INSERT return)."""
    if connection.vendor == "postgresql":
        # draws of different tasks may share enterprises: their coverage refreshes take turns
        _execute("SELECT pg_advisory_xact_lock(%s, %s)", [_COVERAGE_LOCK, year])
    if draw_id is not None:
        parts = [("SELECT x.target_id FROM draw_selection x WHERE x.draw_id = %s", [draw_id])]
    else:
        parts = [
            (", ".join(["%s"] * len(ids)), ids)
            for ids in (targets[i : i + 10_000] for i in range(0, len(targets), 10_000))
        ]
    before, after = Counter(), Counter()
    for ids_sql, ids in parts:
        before += _counted(
            f"DELETE FROM reports_coveredtarget WHERE year = %s AND target_id IN ({ids_sql})", [year, *ids]
        )
    for ids_sql, ids in parts:
        where = f"{_dialect()['year']} = %s AND s.target_id IN ({ids_sql})"
        after += _counted(_covered_sql(where), [DrawStatus.DRAWN, str(TargetKind.ENTERPRISE), year, *ids])
    for region, department, month in before.keys() | after.keys():
        change = after[(region, department, month)] - before[(region, department, month)]
        if not change:
            continue
        key = {"year": year, "region_id": region, "department_id": department, "first_month": month}
        if not CoverageCount.objects.filter(**key).update(n=F("n") + change):
            CoverageCount.objects.create(**key, n=change)
    CoverageCount.objects.filter(year=year, n=0).delete()


def _covered_slice(draw: TargetDraw) -> None:
    """The coverage rows of this draw's targets in the year it was drawn."""
    if draw.drawn_at is None:
        return
    _covered_targets(timezone.localtime(draw.drawn_at).year, draw_id=draw.pk)


def _lock(draw_id: int) -> TargetDraw:
    """Refreshes of one draw run one after another: each recomputes from what the one before it
    committed (READ COMMITTED takes a new snapshot per statement, after the lock is granted)."""
    return TargetDraw.objects.select_for_update().get(pk=draw_id)


@transaction.atomic
def refresh_draw(draw: TargetDraw) -> None:
    """The draw's whole slice: after it was drawn, voided or aborted (its selections and status)."""
    draw = _lock(draw.pk)
    _rollup_slice(draw.pk)
    _covered_slice(draw)


@transaction.atomic
def refresh_inspection(inspection) -> None:
    """After an inspection's finish date, results or publication changed: its (draw,
    department) slice and the draw's each-target rows."""
    draw = _lock(inspection.selection.draw_id)
    _rollup_slice(draw.pk, inspection.department_id)


@transaction.atomic
def refresh_targets(target_ids) -> None:
    """After targets' kind changed (an import may turn an 企业 into an 个体工商户): their coverage
    rows in every year they were drawn. (Whether a target is a market subject cannot change: a
    USCC goes with the market kinds.)"""
    ids = sorted(set(target_ids))
    years = {
        timezone.localtime(at).year
        for at in TargetDraw.objects.filter(selections__target_id__in=ids, drawn_at__isnull=False)
        .values_list("drawn_at", flat=True)
        .distinct()
    }
    for year in sorted(years):
        _covered_targets(year, ids)


def on_targets_kind_changed(sender, target_ids, **kwargs) -> None:
    """directory.signals.targets_kind_changed (an import changed drawn targets' kind)."""
    refresh_targets(target_ids)


def on_draw_settled(sender, draw: TargetDraw, **kwargs) -> None:
    """draw.signals.draw_settled (draw_run, draw_void, draw_abort), in the service's transaction.
    draw_run inserts the selections before it saves the status, so they are there to count."""
    refresh_draw(draw)


def on_inspection_counts_changed(sender, inspection, **kwargs) -> None:
    """inspection.signals.inspection_counts_changed (inspection_finish, result_save,
    review_approve), in the service's transaction."""
    refresh_inspection(inspection)


@transaction.atomic
def rebuild() -> dict[str, int]:
    """Everything from the base tables: set-based, one statement per part."""
    _, mparams = _market()
    Rollup.objects.all().delete()
    CoveredTarget.objects.all().delete()
    CoverageCount.objects.all().delete()
    _execute(_rollup_sql("TRUE"), mparams)
    _execute(_covered_sql("TRUE"), [DrawStatus.DRAWN, str(TargetKind.ENTERPRISE)])
    _execute(
        "INSERT INTO reports_coveragecount (year, region_id, department_id, first_month, n) "
        "SELECT year, region_id, department_id, first_month, COUNT(*) FROM reports_coveredtarget "
        "GROUP BY year, region_id, department_id, first_month",
        [],
    )
    return {"rollup": Rollup.objects.count(), "covered": CoveredTarget.objects.count()}
