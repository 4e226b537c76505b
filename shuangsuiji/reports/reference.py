"""The reports' figures computed from the base tables (selections, inspections, item results):
the reference the rollup (rollup.py) is proven against (tests/test_rollup.py), and a way to check
a database whose rollup is in doubt (`rollup_rebuild --check`). Same definitions as monthly.py
(R-RPT-1) and kpi.py (R-PLAN-2, R-RPT-2); reads every selection of the year."""

import datetime as dt
from collections import defaultdict

from django.db import connection
from django.db.models import Count
from django.utils import timezone

from shuangsuiji.directory.models import MARKET_KINDS, TargetKind
from shuangsuiji.draw.models import Selection, TargetDraw

from . import selectors
from .monthly import Facts, Form, _rows_for, assemble, counted_draws, month_end

# Uncorrelated, so PostgreSQL hashes the problem results once instead of probing per inspection.
_PROBLEM = "i.id IN (SELECT r.inspection_id FROM inspection_itemresult r WHERE r.found_problem)"


def _market_case() -> tuple[str, list]:
    marks = ", ".join(["%s"] * len(MARKET_KINDS))
    return f"CASE WHEN tg.kind IN ({marks}) THEN 1 ELSE 0 END", [str(k) for k in MARKET_KINDS]


def _local_dialect() -> dict[str, str]:
    """The two expressions that differ between PostgreSQL and SQLite: the month of a date, and the
    local date of a timestamp (R-INSP-2's deadline is a local date)."""
    offset = timezone.localtime().utcoffset() or dt.timedelta(0)
    if connection.vendor == "postgresql":
        return {
            "month": "CAST(EXTRACT(MONTH FROM i.finished_on) AS integer)",
            "published_day": f"(i.published_at AT TIME ZONE '{timezone.get_current_timezone_name()}')::date",
        }
    hours = int(offset.total_seconds() // 3600)
    return {
        "month": "CAST(strftime('%%m', i.finished_on) AS integer)",
        "published_day": f"date(i.published_at, '{hours:+d} hours')",
    }


def _per_department(draw_sql: str, draw_params, end_day: dt.date, as_of: dt.date) -> list[tuple]:
    """(department, draw, market, month finished, households, finished, problems, results due or
    published by `as_of`, of those published on time) for every department of every counted draw's
    task: the form, the monthly trend and the on-time publicity rate in one pass."""
    market, mparams = _market_case()
    sql_dialect = _local_dialect()
    as_of_end = timezone.make_aware(dt.datetime.combine(as_of, dt.time.max))
    sql = f"""
        SELECT td.department_id, s.draw_id, {market} AS market, {sql_dialect["month"]} AS fm, COUNT(*),
               COUNT(i.id), SUM(CASE WHEN i.id IS NOT NULL AND {_PROBLEM} THEN 1 ELSE 0 END),
               SUM(CASE WHEN i.due_on <= %s OR i.published_at <= %s THEN 1 ELSE 0 END),
               SUM(CASE WHEN i.published_at <= %s AND {sql_dialect["published_day"]} <= i.due_on
                        THEN 1 ELSE 0 END)
        FROM draw_selection s
        JOIN draw_targetdraw d ON d.id = s.draw_id
        JOIN planning_task_departments td ON td.task_id = d.task_id
        JOIN directory_target tg ON tg.id = s.target_id
        LEFT JOIN inspection_inspection i
               ON i.selection_id = s.id AND i.department_id = td.department_id AND i.finished_on <= %s
        WHERE s.draw_id IN ({draw_sql})
        GROUP BY td.department_id, s.draw_id, {market}, {sql_dialect["month"]}
    """
    at = connection.ops.adapt_datetimefield_value(as_of_end)  # SQLite keeps UTC text
    params = [*mparams, as_of, at, at, end_day, *draw_params, *mparams]
    with connection.cursor() as c:
        c.execute(sql, params)
        return c.fetchall()


def _shared_targets(draw_sql: str, draw_params, end_day: dt.date) -> list[tuple]:
    """(draw, market, households, finished by every department, of those a problem found by any)
    for draws of tasks with several departments: each target once (one row per department joined,
    so a target is finished when its finished inspections number its rows)."""
    market, mparams = _market_case()
    sql = f"""
        SELECT x.draw_id, x.market, COUNT(*),
               SUM(CASE WHEN x.fin = x.nd THEN 1 ELSE 0 END),
               SUM(CASE WHEN x.fin = x.nd THEN x.prob ELSE 0 END)
        FROM (
            SELECT s.id, s.draw_id, {market} AS market, COUNT(i.id) AS fin, COUNT(*) AS nd,
                   MAX(CASE WHEN i.id IS NOT NULL AND {_PROBLEM} THEN 1 ELSE 0 END) AS prob
            FROM draw_selection s
            JOIN draw_targetdraw d ON d.id = s.draw_id
            JOIN planning_task_departments td ON td.task_id = d.task_id
            JOIN directory_target tg ON tg.id = s.target_id
            LEFT JOIN inspection_inspection i
                   ON i.selection_id = s.id AND i.department_id = td.department_id AND i.finished_on <= %s
            WHERE s.draw_id IN ({draw_sql})
            GROUP BY s.id, s.draw_id, {market}
        ) x
        GROUP BY x.draw_id, x.market
    """
    with connection.cursor() as c:
        c.execute(sql, [*mparams, end_day, *draw_params, *mparams])
        return c.fetchall()


def facts(region_prefix: str, year: int, month: int, as_of: dt.date | None = None) -> Facts:
    end = month_end(year, month)
    as_of = as_of or end.date()
    draws = {
        d["pk"]: d
        for d in counted_draws(region_prefix, year, end)
        .annotate(nd=Count("task__departments", distinct=True))
        .values("pk", "task_id", "task__mode", "task__quota_mode", "nd", "drawn_at")
    }
    per_dept: dict = defaultdict(Form)
    summed, distinct = Form(), Form()
    drawn, finished, problems = defaultdict(int), defaultdict(int), defaultdict(int)
    publicity: dict = defaultdict(lambda: [0, 0])
    if draws:
        draw_sql, draw_params = (
            TargetDraw.objects.filter(pk__in=list(draws)).values("pk").query.sql_with_params()
        )
        rows = _per_department(draw_sql, draw_params, end.date(), as_of)
        for dept_id, draw_id, market, fm, n, fin, prob, due, ontime in rows:
            d, prob = draws[draw_id], prob or 0
            keys = _rows_for(d["task__mode"], d["task__quota_mode"], bool(market))
            per_dept[dept_id].add(keys, d["task_id"], n, fin, prob)
            summed.add(keys, (d["task_id"], dept_id), n, fin, prob)
            if d["nd"] == 1:
                distinct.add(keys, d["task_id"], n, fin, prob)
                drawn[timezone.localtime(d["drawn_at"]).month] += n
            if fm:
                finished[fm] += fin
                problems[fm] += prob
            publicity[dept_id][0] += ontime or 0
            publicity[dept_id][1] += due or 0
        shared = [pk for pk, d in draws.items() if d["nd"] > 1]
        if shared:
            sql, params = TargetDraw.objects.filter(pk__in=shared).values("pk").query.sql_with_params()
            for draw_id, market, n, fin, prob in _shared_targets(sql, params, end.date()):
                d = draws[draw_id]
                keys = _rows_for(d["task__mode"], d["task__quota_mode"], bool(market))
                distinct.add(keys, d["task_id"], n, fin or 0, prob or 0)
                drawn[timezone.localtime(d["drawn_at"]).month] += n
    return assemble(per_dept, summed, distinct, publicity, (drawn, finished, problems), month)


def coverage(region_prefix: str, year: int, month: int) -> tuple[dict[int, int], int]:
    """Distinct enterprises drawn by the month's end: per department, and in the jurisdiction."""
    end = month_end(year, month)
    covered = dict(
        Selection.objects.filter(
            draw_id__in=selectors.draw_ids(region_prefix, year, end), target__kind=TargetKind.ENTERPRISE
        )
        .values_list("draw__task__departments")
        .annotate(n=Count("target_id", distinct=True))
    )
    return covered, selectors.covered_enterprises(region_prefix, year, end).count()
