"""The careless-inspection signals page (issue 19): thin, the numbers come from careless.py."""

from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from shuangsuiji.core.decorators import requires
from shuangsuiji.core.paging import list_page
from shuangsuiji.core.params import int_param
from shuangsuiji.core.permissions import Action

from . import careless


def _year(request) -> int:
    if request.GET.get("year"):
        return int_param(request.GET, "year", label="年度", lo=2000, hi=2100)
    return timezone.localdate().year


@requires(Action.CARELESS_VIEW)
@require_GET
def careless_list(request):
    """Every inspector's row (flagged first) and the departments' rows, with the test printed."""
    year = _year(request)
    s = careless.signals_for(request.user, year)
    return render(
        request,
        "warning/careless.html",
        {
            "s": s,
            "year": year,
            "page": list_page(request, s.inspectors),
            "flagged": sum(r.flagged for r in s.inspectors),
        },
    )


@requires(Action.CARELESS_VIEW)
@require_GET
def careless_inspector(request, pk):
    """The records behind one inspector's row: each checked item, its cell's expected rate, and a
    link to the inspection's 检查记录."""
    year = _year(request)
    found = careless.inspector_detail(request.user, pk, year)
    if found is None:
        raise Http404("没有找到该执法检查人员")
    inspector, row, trials = found
    page = list_page(request, trials)
    return render(
        request,
        "warning/careless_inspector.html",
        {
            "inspector": inspector,
            "row": row,
            "page": page,
            "year": year,
            "alpha": careless.ALPHA,
            "minimum": careless.MIN_INSPECTIONS,
            "method": careless.method_text(),
            "openable": careless.visible_inspection_ids(request.user, [t.inspection for t in page]),
        },
    )
