"""抽查结果推断 page (JOURNEYS.md December): for every drawn task in scope, what its stratified
random sample says about the problem rate of its whole pool, with a 95 % interval. The arithmetic
is `estimate.py` (pure); this module reads the counts and renders."""

from django.db import connection
from django.shortcuts import render
from django.utils import timezone

from shuangsuiji.core.decorators import requires
from shuangsuiji.core.permissions import Action
from shuangsuiji.draw.models import TargetDraw

from . import estimate
from .monthly import counted_draws, month_end
from .views import _scope, _year_month

# ---- 抽查结果推断: the sample's counts per stratum ----------------------------------------------


def estimate_counts(draw: TargetDraw) -> dict[str, tuple[int, int]]:
    """{stratum label: (inspected, with a problem)} over the draw's selected targets. A target is
    inspected when every department of the task has finished its inspection, and has a problem
    when any of them found one (as the jurisdiction's report counts a joint target)."""
    departments = draw.task.departments.count()
    sql = """
        SELECT s.label,
               SUM(CASE WHEN f.n = %s THEN 1 ELSE 0 END),
               SUM(CASE WHEN f.n = %s AND f.bad > 0 THEN 1 ELSE 0 END)
        FROM draw_selection s
        LEFT JOIN (
            SELECT i.selection_id, COUNT(*) AS n,
                   SUM(CASE WHEN i.id IN (SELECT r.inspection_id FROM inspection_itemresult r
                                          WHERE r.found_problem) THEN 1 ELSE 0 END) AS bad
            FROM inspection_inspection i
            WHERE i.finished_on IS NOT NULL
            GROUP BY i.selection_id
        ) f ON f.selection_id = s.id
        WHERE s.draw_id = %s
        GROUP BY s.label
    """
    with connection.cursor() as c:
        c.execute(sql, [departments, departments, draw.pk])
        return {label: (int(n or 0), int(bad or 0)) for label, n, bad in c.fetchall()}


@requires(Action.ASSESS_VIEW)
def estimates(request):
    year, month = _year_month(request)
    department, departments = _scope(request)
    prefix = request.user.region.scope_prefix
    draws = (
        counted_draws(prefix, year, month_end(year, month), department)
        .select_related("task", "task__lead")
        .order_by("drawn_at", "pk")
    )
    rows = []
    for d in draws:
        strata = estimate.strata_of(d.strata, estimate_counts(d))
        e = estimate.stratified(strata)
        pct = e and {
            k: f"{v:.1%}"
            for k, v in (("rate", e.rate), ("low", e.low), ("high", e.high), ("half", e.half_width))
        }
        rows.append({"draw": d, "strata": strata, "estimate": e, "pct": pct})
    return render(
        request,
        "reports/estimates.html",
        {
            "rows": rows,
            "year": year,
            "month": month,
            "months": range(1, 13),
            "department": department,
            "departments": departments,
            "today": timezone.localdate(),
        },
    )
