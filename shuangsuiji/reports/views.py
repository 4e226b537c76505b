"""The monthly report page and its .xlsx: thin over `monthly.monthly` and the services."""

import datetime as dt
from urllib.parse import quote

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from shuangsuiji.core.decorators import requires
from shuangsuiji.core.errors import DomainError
from shuangsuiji.core.models import Role
from shuangsuiji.core.permissions import Action
from shuangsuiji.core.selectors import departments_in_scope

from . import services, xlsx
from .models import MonthlySubmission
from .monthly import ROWS, Form, monthly
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


def _department(request):
    """The office chooses any department of its jurisdiction (or none: the whole jurisdiction);
    a department sees its own."""
    if request.user.role != Role.OFFICE:
        return request.user.department
    pk = request.GET.get("department")
    if not pk:
        return None
    if not str(pk).isdigit():
        raise Http404
    return departments_in_scope(request.user).filter(pk=pk, is_office=False).first() or _404()


def _404():
    raise Http404


@requires(Action.REPORT_VIEW)
def monthly_report(request):
    year, month = _period(request)
    department = _department(request)
    region = request.user.region
    per_dept, summed, distinct = monthly(region.scope_prefix, year, month)
    sub = (
        MonthlySubmission.objects.filter(department=department, year=year, month=month).first()
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
        unit = department.name if department else f"{region.name}（全辖区，按部门合计）"
        body = xlsx.workbook(
            unit=unit,
            filled_on=timezone.localdate(),
            form=form or summed,
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
            "form": form,
            "summed": summed,
            "distinct": distinct,
            "sub": sub,
            "other_rows": [
                (k, label, (sub.other_platform.get(k) if sub else None) or [0, 0, 0, 0])
                for k, label in xlsx.OTHER
            ],
            "departments": departments_in_scope(request.user).filter(is_office=False)
            if request.user.role == Role.OFFICE
            else [],
            "submissions": MonthlySubmission.objects.filter(
                year=year, month=month, department__in=departments_in_scope(request.user)
            ).select_related("department", "submitted_by")
            if request.user.role == Role.OFFICE
            else [],
            "can_fill": department is not None and request.user.department_id == department.pk,
        },
    )
