"""The report pages: the monthly report and its .xlsx, the KPI dashboard and its drill-downs,
the assessment, the submissions overview, the quarterly summaries and the schedule. Thin over
`monthly`, `kpi`, `assessment`, the selectors and the services."""

import datetime as dt
import math
from urllib.parse import quote

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET

from shuangsuiji.core import rules as core_rules
from shuangsuiji.core.decorators import requires
from shuangsuiji.core.errors import DomainError
from shuangsuiji.core.models import Role
from shuangsuiji.core.paging import CappedPaginator
from shuangsuiji.core.params import int_param
from shuangsuiji.core.permissions import Action
from shuangsuiji.core.selectors import departments_in_scope

from . import assessment, charts, drill, estimate, kpi, levels, rules, selectors, services, xlsx
from .models import ReportSchedule
from .monthly import CREDIT_NOTE, DISTINCT_NOTE, ROWS, Form, counted_draws, month_end, monthly
from .monthly import triggered as triggered_counts
from .services import OTHER_ROWS

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _period(request) -> tuple[int, int]:
    today = timezone.localdate()
    try:
        year = int(request.GET.get("year") or today.year)
        month = int(request.GET.get("month") or today.month)
        dt.date(year, month, 1)
    except ValueError:
        raise Http404 from None
    return year, month


def _area(request):
    """The jurisdiction the page shows: the user's own or, for a city or province office, one of
    the jurisdictions below it (`?region=`, levels.area_for; any other is 404)."""
    return levels.area_for(request.user, request.GET.get("region") or None)


def _area_query(request, area) -> str:
    return f"&region={area.code}" if area != request.user.region else ""


def _department(request, area):
    """The office chooses any department of the shown jurisdiction (or none: the whole
    jurisdiction); a department sees its own."""
    if request.user.role != Role.OFFICE:
        return request.user.department
    pk = request.GET.get("department")
    if not pk:
        return None
    if not str(pk).isdigit():
        raise Http404
    return (
        departments_in_scope(request.user)
        .filter(pk=pk, is_office=False, region__code__startswith=area.scope_prefix)
        .first()
        or _404()
    )


def _upper(request, area) -> dict:
    """For a city or province office: the jurisdictions below to choose from and, on its own
    total, the per-jurisdiction comparison (levels.py)."""
    own = request.user.region
    if request.user.role != Role.OFFICE or not levels.is_upper(own):
        return {}
    return {
        "lower": levels.lower_regions(own),
        "area": area,
        "total_label": levels.TOTAL_LABEL[own.level],
        "at_total": area == own,
    }


def _404():
    raise Http404


@requires(Action.REPORT_VIEW)
def monthly_report(request):
    year, month = _period(request)
    region = _area(request)
    department = _department(request, region)
    per_dept, summed, distinct = monthly(region.scope_prefix, year, month)
    upper = _upper(request, region)
    if upper.get("at_total"):
        upper["parts"] = levels.monthly_parts(region, year, month)
    sub = (
        selectors.monthly_submissions(request.user, year, month).filter(department=department).first()
        if department
        else None
    )
    if request.method == "POST" and department is not None:
        other = {row: [request.POST.get(f"{row}_{i}", "0") for i in range(4)] for row in OTHER_ROWS}
        try:
            services.monthly_save(
                actor=request.user,
                department=department,
                year=year,
                month=month,
                other=other,
                contact=request.POST.get("contact", ""),
                phone=request.POST.get("phone", ""),
                mobile=request.POST.get("mobile", ""),
            )
            if request.POST.get("action") == "submit":
                services.monthly_submit(actor=request.user, department=department, year=year, month=month)
                messages.success(request, f"{year}年{month}月月报表已报送")
            else:
                messages.success(request, "已保存")
        except DomainError as e:
            messages.error(request, e.message)
        return redirect(f"{reverse('reports:monthly')}?year={year}&month={month}")
    form = per_dept.get(department, Form()) if department else None
    if request.GET.get("format") == "xlsx":
        whole = upper["total_label"] if upper.get("at_total") else "全辖区"
        unit = department.name if department else f"{region.name}（{whole}，按部门合计）"
        body = xlsx.workbook(
            unit=unit,
            filled_on=timezone.localdate(),
            period=xlsx.period_text(year, month, month_end(year, month).date()),
            form=form or summed,
            distinct=None if department else distinct,
            triggered=_triggered(region.scope_prefix, year, month, department)["cell"],
            other=sub.other_platform if sub else {},
            contact=sub.contact if sub else "",
            phone=sub.phone if sub else "",
            mobile=sub.mobile if sub else "",
        )
        resp = HttpResponse(body, content_type=XLSX)
        resp["Content-Disposition"] = (
            f"attachment; filename*=UTF-8''{quote(f'月报表-{unit}-{year}年{month}月.xlsx')}"
        )
        return resp
    return render(
        request,
        "reports/monthly.html",
        {
            "year": year,
            "month": month,
            "department": department,
            "rows": ROWS,
            "columns": xlsx.COLUMNS,
            "period": xlsx.period_text(year, month, month_end(year, month).date()),
            "credit_note": CREDIT_NOTE,
            "distinct_note": DISTINCT_NOTE,
            "form": form,
            "summed": summed,
            "distinct": distinct,
            "sub": sub,
            "other_rows": [
                (k, label, (sub.other_platform.get(k) if sub else None) or [0, 0, 0, 0])
                for k, label in xlsx.OTHER
            ],
            "departments": departments_in_scope(request.user).filter(
                is_office=False, region__code__startswith=region.scope_prefix
            )
            if request.user.role == Role.OFFICE
            else [],
            "submissions": selectors.monthly_submissions(request.user, year, month)
            if request.user.role == Role.OFFICE
            else [],
            "can_fill": department is not None and request.user.department_id == department.pk,
            "triggered": _triggered(region.scope_prefix, year, month, department),
            "region_query": _area_query(request, region),
            **upper,
        },
    )


def _triggered(prefix: str, year: int, month: int, department) -> dict:
    """触发式检查 beside seed 003's figures (issue 19): the department's, or the jurisdiction's sum."""
    t = triggered_counts(prefix, year, month)
    return {"cell": t.per_dept.get(department, Form().rows["total"]) if department else t.total}


# ---- KPI dashboard and its drill-downs (R-PLAN-2, R-RPT-2) ----------------------------------------


def _scope(request, area=None):
    """(department or None for the jurisdiction, the departments the user may see). The office
    may pick any member unit of the shown jurisdiction; a department only ever sees itself."""
    departments = list(selectors.area_departments(request.user, area or request.user.region))
    pk = request.GET.get("department") or ""
    if request.user.role == Role.OFFICE:
        if not pk:
            return None, departments
        match = [d for d in departments if str(d.pk) == pk]
        if not match:
            raise Http404
        return match[0], departments
    own = departments[0] if departments else _404()
    if pk and pk != str(own.pk):
        raise Http404
    return own, departments


def _year_month(request) -> tuple[int, int]:
    year, month = _period(request)
    if not 2000 <= year <= 2100:
        raise Http404
    return year, month


def _drill_url(key: str, year: int, month: int, department, show: str = "", area_q: str = "") -> str:
    q = f"?year={year}&month={month}" + (f"&department={department.pk}" if department else "") + area_q
    return reverse("reports:kpi_drill", args=[key]) + q + (f"&show={show}" if show else "")


def _ranked_charts(board, kpis) -> list[tuple[str, str, str]]:
    """(key, label, svg) per KPI, the departments ranked; none when there is only one to rank."""
    compared = [c for c in board.columns if c.department is not None]
    if len(compared) < 2:
        return []
    out = []
    for key, label, _ in kpis:
        figures = [c.figures[key] for c in compared]
        svg = charts.ranked_bars(
            [
                {"label": c.name, "value": f.value, "colour": f.colour}
                for c, f in zip(compared, figures, strict=True)
            ],
            goal=figures[0].goal,
            pace=figures[0].pace,
            title=f"{label}：各部门排名（截至 {board.as_of:%Y-%m-%d}）",
            ident=f"rank-{key}",
        )
        out.append((key, label, mark_safe(svg)))  # noqa: S308 — built by charts.py, every text escaped
    return out


@requires(Action.ASSESS_VIEW)
def dashboard(request):
    year, month = _year_month(request)
    today = timezone.localdate()
    office = request.user.role == Role.OFFICE
    area = _area(request)
    area_q = _area_query(request, area)
    _, departments = _scope(request, area)
    board = kpi.dashboard(area, year, month, today, departments, jurisdiction=office)
    upper = _upper(request, area)
    if upper.get("at_total"):
        upper["parts"] = [
            (
                p,
                [
                    (
                        p.column.figures[key],
                        _drill_url(key, year, month, None, area_q=f"&region={p.part.region.code}"),
                    )
                    for key, _, _ in kpi.KPIS
                ],
            )
            for p in levels.dashboard_parts(area, year, month, today)
        ]
    kpis = [
        (key, label, None if goal is None else f"≥ {(goal * 100).normalize():f}%")
        for key, label, goal, _ in board.rows()
    ]
    table = [
        (
            c,
            [
                (c.figures[key], _drill_url(key, year, month, c.department, area_q=area_q))
                for key, _, _ in kpis
            ],
        )
        for c in board.columns
    ]
    first = board.columns[0]
    bars = charts.goal_bars(
        [
            {
                "label": f.label,
                "value": f.value,
                "goal": f.goal,
                "pace": f.pace,
                "colour": f.colour,
            }
            for f in first.figures.values()
        ],
        title=f"{first.name}各项指标与年度目标（截至 {board.as_of:%Y-%m-%d}）",
        ident="kpi-bars",
    )
    ranked = _ranked_charts(board, kpis)
    series = [("drawn", "抽查户数"), ("finished", "完成检查（部门合计）"), ("problems", "发现问题")]
    trend = charts.monthly_bars(
        board.months, series, title=f"{year}年1月至{month}月累计（全辖区）", ident="kpi-months"
    )
    return render(
        request,
        "reports/dashboard.html",
        {
            "board": board,
            "kpis": kpis,
            "table": table,
            "ranked": ranked,
            "year": year,
            "month": month,
            "months": range(1, 13),
            "bars": mark_safe(bars),  # noqa: S308 — built by charts.py, every text escaped
            "trend": mark_safe(trend) if office else "",  # noqa: S308
            "series": series,
            "triggered": _triggered(area.scope_prefix, year, month, first.department),
            "region_query": area_q,
            **upper,
            "target_households": (
                math.ceil(board.on_file * board.goals.coverage)
                if board.goals and board.goals.coverage is not None
                else None
            ),
        },
    )


@requires(Action.ASSESS_VIEW)
def kpi_drill(request, key: str):
    if key not in kpi.LABELS:
        raise Http404
    year, month = _year_month(request)
    area = _area(request)
    area_q = _area_query(request, area)
    department, _ = _scope(request, area)
    listing = drill.kpi_listing(
        area, year, month, timezone.localdate(), department, key, request.GET.get("show", "")
    )
    page = CappedPaginator(listing.queryset, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "reports/drill.html",
        {
            "listing": listing,
            "page": page,
            "rows": [listing.describe(o) for o in page],
            "department": department,
            "year": year,
            "month": month,
            "back": reverse("reports:dashboard") + f"?year={year}&month={month}{area_q}",
            "shows": [
                (s, label, _drill_url(key, year, month, department, s, area_q)) for s, label in listing.shows
            ],
        },
    )


# ---- assessment (督查考核, R-ADM-5) -----------------------------------------------------------------


def _as_of(request, year: int):
    raw = request.GET.get("as_of")
    today = timezone.localdate()
    if raw:
        try:
            day = dt.date.fromisoformat(raw)
        except ValueError:
            raise Http404 from None
    else:
        day = today
    return min(day, dt.date(year, 12, 31))


@requires(Action.ASSESS_VIEW)
def assessment_page(request):
    """督查考核 of the user's jurisdiction or, for a city or province office, of one below it
    (`?region=`: that jurisdiction's member units, against its own year's schedule)."""
    year, _ = _year_month(request)
    as_of = _as_of(request, year)
    area = _area(request)
    _, departments = _scope(request, area)
    rows, w = assessment.assess(area, year, as_of, departments)
    return render(
        request,
        "reports/assessment.html",
        {
            "rows": rows,
            "counts": assessment.COUNTS,
            "weights": [(label, w[k]) for k, label, _ in assessment.COUNTS],
            "formula": assessment.formula(w),
            "year": year,
            "as_of": as_of,
            "schedule": selectors.schedule_for(area, year),
            "area_q": _area_query(request, area),
            **_upper(request, area),
        },
    )


@requires(Action.ASSESS_VIEW)
def assessment_drill(request, department: int, key: str):
    if key not in assessment.LABELS:
        raise Http404
    year, _ = _year_month(request)
    as_of = _as_of(request, year)
    area = _area(request)
    _, departments = _scope(request, area)
    dept = next((d for d in departments if d.pk == department), None) or _404()
    records = assessment.drill(area, year, as_of, dept, key)
    paginator = Paginator if isinstance(records, list) else CappedPaginator  # short lists: plans, draws
    page = paginator(records, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "reports/assessment_drill.html",
        {
            "department": dept,
            "key": key,
            "label": assessment.LABELS[key],
            "page": page,
            "rows": [drill.describe(o, as_of) for o in page],
            "year": year,
            "as_of": as_of,
        },
    )


# ---- submissions (报送情况, R-ADM-2) and the schedule ----------------------------------------------


@requires(Action.REPORT_VIEW)
def submissions(request):
    year, _ = _year_month(request)
    today = timezone.localdate()
    grid = selectors.submission_grid(request.user, year, today)
    return render(
        request,
        "reports/submissions.html",
        {
            "grid": grid,
            "late": selectors.late_slots(grid),  # the 待办 home counts the same (reports/todo.py)
            "year": year,
            "today": today,
            "schedule": selectors.schedule_for(request.user.region, year),
            "months": range(1, 13),
        },
    )


@requires(Action.REPORT_VIEW)
def monthly_submission_detail(request, pk: int):
    sub = selectors.monthly_submission(request.user, pk) or _404()
    if sub.submitted_at is None:
        raise Http404
    snap = sub.snapshot or {}
    return render(
        request,
        "reports/submission_detail.html",
        {
            "sub": sub,
            "kind": "monthly",
            "title": f"{sub.department.name} {sub.year}年{sub.month}月月报表（报送版本）",
            "rows": [(section, label, snap.get(key, [0, 0, 0, 0])) for key, section, label in ROWS],
            "other": [(label, (sub.other_platform or {}).get(k, [0, 0, 0, 0])) for k, label in xlsx.OTHER],
        },
    )


@requires(Action.REPORT_VIEW)
def quarterly(request):
    year, _ = _year_month(request)
    user = request.user
    can_fill = user.role != Role.OFFICE and user.department_id is not None
    if request.method == "POST":
        if not can_fill:
            raise PermissionDenied
        try:
            quarter = int(request.POST.get("quarter") or 0)
        except ValueError:
            quarter = 0
        try:
            s = services.quarterly_submit(
                actor=user,
                department=user.department,
                year=year,
                quarter=quarter,
                text=request.POST.get("text", ""),
            )
            messages.success(request, f"{s} 工作进展情况已报送")
            return redirect(reverse("reports:quarterly_detail", args=[s.pk]))
        except DomainError as e:
            messages.error(request, e.message)
    schedule = selectors.schedule_for(user.region, year)
    mine = {s.quarter: s for s in selectors.quarterly_summaries(user, year)}
    return render(
        request,
        "reports/quarterly.html",
        {
            "year": year,
            "can_fill": can_fill,
            "quarters": [(q, due, mine.get(q)) for q, due in enumerate(schedule.quarter_dues, start=1)],
            "text": request.POST.get("text", ""),
        },
    )


@requires(Action.REPORT_VIEW)
def quarterly_detail(request, pk: int):
    s = selectors.quarterly_summary(request.user, pk) or _404()
    rows = s.snapshot.get("rows", {})
    return render(
        request,
        "reports/submission_detail.html",
        {
            "sub": s,
            "kind": "quarterly",
            "title": f"{s.department.name} {s.year}年第{s.quarter}季度工作进展情况（报送版本）",
            "rows": [(section, label, rows.get(key, [0, 0, 0, 0])) for key, section, label in ROWS],
            "through_month": s.snapshot.get("through_month"),
        },
    )


@requires(Action.GOALS_EDIT)
def schedule(request):
    year, _ = _year_month(request)
    current = selectors.schedule_for(request.user.region, year)
    errors = {}
    if request.method == "POST":
        dates = {}
        for name in services.SCHEDULE_DATES:
            try:
                dates[name] = dt.date.fromisoformat(request.POST.get(name, ""))
            except ValueError:
                dates[name] = None
        try:
            services.schedule_save(
                actor=request.user,
                year=year,
                monthly_due_day=_int(request.POST.get("monthly_due_day")),
                dates=dates,
                weights={n: request.POST.get(n, "") for n in services.SCHEDULE_WEIGHTS},
            )
            messages.success(request, f"{year} 年报送与考核安排已保存")
            return redirect(reverse("reports:schedule") + f"?year={year}")
        except DomainError as e:
            errors[e.field] = e.message
            messages.error(request, e.message)
    fields = [
        (n, ReportSchedule._meta.get_field(n).verbose_name, request.POST.get(n) or getattr(current, n))
        for n in ("monthly_due_day", *services.SCHEDULE_DATES, *services.SCHEDULE_WEIGHTS)
    ]
    return render(
        request,
        "reports/schedule.html",
        {"year": year, "fields": fields, "errors": errors, "saved": current.pk is not None},
    )


def _int(v) -> int:
    try:
        return int(v)
    except (TypeError, ValueError):
        return 0


@requires(Action.ASSESS_VIEW)
def estimates(request):
    """抽查结果推断 (JOURNEYS.md December): for every drawn task in scope, what its stratified random
    sample says about the problem rate of its whole pool (`estimate.py`), with a 95 % interval."""
    year, month = _year_month(request)
    area = _area(request)
    department, departments = _scope(request, area)
    draws = list(
        counted_draws(area.scope_prefix, year, month_end(year, month), department)
        .select_related("task", "task__lead")
        .order_by("drawn_at", "pk")
    )
    counts = selectors.estimate_counts([d.pk for d in draws])
    rows = []
    for d in draws:
        strata = estimate.strata_of(d.strata, counts[d.pk])
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
            **_upper(request, area),
        },
    )


# ---- 规则对照 (issue 21) ----------------------------------------------------------------------


@requires(Action.RULES_VIEW)
@require_GET
def rules_page(request):
    """Every registered rule (core/rules.py) with its proofs and each configured number's current
    value in the reader's jurisdiction for a year: printable, for the office and the auditor."""
    year = (
        int_param(request.GET, "year", label="年度", lo=2000, hi=2100)
        if request.GET.get("year")
        else timezone.localdate().year
    )
    register = rules.register(request.user, year)
    return render(
        request,
        "reports/rules.html",
        {
            "year": year,
            "register": register,
            "pending": [row.rule for row in register if row.rule.status != core_rules.Status.ENFORCED],
            "unsettled": core_rules.UNSETTLED,
        },
    )
