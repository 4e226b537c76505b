"""Saving and submitting a department's monthly report (R-RPT-1, R-ADM-2)."""

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone

from shuangsuiji.core import audit
from shuangsuiji.core.errors import DomainError, Forbidden
from shuangsuiji.core.models import Role
from shuangsuiji.core.permissions import Action, require

from .assessment import COUNTS
from .models import MonthlySubmission, QuarterlySummary, ReportSchedule
from .monthly import ROWS, monthly

OTHER_ROWS = ("internal", "market", "credit")  # the form's 其他平台 block


def _may_report(actor, department) -> None:
    own = actor.department_id == department.pk
    allowed = actor.role in (Role.DEPT_ADMIN, Role.REVIEWER) or department.liaison_id == actor.pk
    if not (own and allowed):
        raise Forbidden("月报表由本部门的信息联络员或管理员填报")


@transaction.atomic
def monthly_save(
    *, actor, department, year: int, month: int, other: dict, contact="", phone="", mobile=""
) -> MonthlySubmission:
    _may_report(actor, department)
    clean = {}
    for row in OTHER_ROWS:
        values = other.get(row) or [0, 0, 0, 0]
        try:
            numbers = [int(v or 0) for v in values]
        except (TypeError, ValueError):
            raise DomainError("其他平台数据须为整数", field="other") from None
        if len(numbers) != 4 or any(n < 0 for n in numbers):
            raise DomainError("其他平台数据须为四个非负整数", field="other")
        if numbers[2] > numbers[1] or numbers[3] > numbers[2]:
            raise DomainError(
                "完成检查户数不能多于抽查总户数，发现问题户数不能多于完成检查户数", field="other"
            )
        clean[row] = numbers
    sub, _ = MonthlySubmission.objects.select_for_update().get_or_create(
        department=department, year=year, month=month
    )
    sub.other_platform, sub.contact, sub.phone, sub.mobile = clean, contact, phone, mobile
    sub.save()
    audit.record(actor=actor, action="report.save", obj=sub, summary=f"填写月报表：{sub}")
    return sub


@transaction.atomic
def monthly_submit(*, actor, department, year: int, month: int) -> MonthlySubmission:
    """报送: the platform's figures are frozen into the submission as they stand now."""
    _may_report(actor, department)
    sub, _ = MonthlySubmission.objects.select_for_update().get_or_create(
        department=department, year=year, month=month
    )
    per_dept, _, _ = monthly(department.region.scope_prefix, year, month)
    form = per_dept.get(department)
    sub.snapshot = {key: (form.rows[key].as_tuple() if form else (0, 0, 0, 0)) for key, _, _ in ROWS}
    sub.submitted_by, sub.submitted_at = actor, timezone.now()
    sub.save()
    audit.record(
        actor=actor,
        action="report.submit",
        obj=sub,
        summary=f"报送月报表：{sub}",
        detail={"snapshot": sub.snapshot},
    )
    return sub


# ---- the year's reporting schedule and the quarterly summaries (R-ADM-2, R-ADM-5) ----------------

SCHEDULE_DATES = ("q1_due", "q2_due", "q3_due", "q4_due", "plan_publish_by")
SCHEDULE_WEIGHTS = tuple(attr for _, _, attr in COUNTS)


@transaction.atomic
def schedule_save(*, actor, year: int, monthly_due_day: int, dates: dict, weights: dict) -> ReportSchedule:
    """The office sets its jurisdiction's due dates and the assessment's weights for a year."""
    require(actor, Action.GOALS_EDIT)
    if actor.role != Role.OFFICE or actor.region is None:
        raise Forbidden("报送与考核安排由本辖区双随机办公室设置")
    if not 1 <= int(monthly_due_day or 0) <= 28:
        raise DomainError("月报表报送日须为 1 至 28 日", field="monthly_due_day")
    clean_dates = {}
    for name in SCHEDULE_DATES:
        day = dates.get(name)
        if not isinstance(day, dt.date):
            raise DomainError(f"请填写{ReportSchedule._meta.get_field(name).verbose_name}", field=name)
        if day.year not in (year, year + 1):
            raise DomainError(
                f"{ReportSchedule._meta.get_field(name).verbose_name}须在 {year} 年内（四季度可至次年）",
                field=name,
            )
        clean_dates[name] = day
    quarters = [clean_dates[f"q{q}_due"] for q in range(1, 5)]
    if quarters != sorted(quarters):
        raise DomainError("各季度报送截止日期须依次排列", field="q1_due")
    clean_weights = {}
    for name in SCHEDULE_WEIGHTS:
        try:
            w = Decimal(str(weights.get(name, "")))
        except InvalidOperation:
            w = Decimal(-1)
        if not w.is_finite() or w < 0 or w > 100:
            raise DomainError(
                f"{ReportSchedule._meta.get_field(name).verbose_name}须为 0 至 100 的数", field=name
            )
        clean_weights[name] = w.quantize(Decimal("0.01"))
    schedule, created = ReportSchedule.objects.select_for_update().get_or_create(
        region=actor.region, year=year, defaults={"monthly_due_day": monthly_due_day, **clean_dates}
    )
    before = {f: str(getattr(schedule, f)) for f in ("monthly_due_day", *SCHEDULE_DATES, *SCHEDULE_WEIGHTS)}
    schedule.monthly_due_day = int(monthly_due_day)
    for name, value in (clean_dates | clean_weights).items():
        setattr(schedule, name, value)
    schedule.save()
    after = {f: str(getattr(schedule, f)) for f in before}
    audit.record(
        actor=actor,
        action="report.schedule",
        obj=schedule,
        summary=f"{'设置' if created else '修改'}{schedule}",
        detail={"before": None if created else before, "after": after},
    )
    return schedule


@transaction.atomic
def quarterly_submit(
    *, actor, department, year: int, quarter: int, text: str, today=None
) -> QuarterlySummary:
    """报送季度工作进展情况: the text, and the department's monthly-report figures to the quarter's
    end (or to today, within the quarter) frozen beside it. A resubmission replaces it, audited."""
    _may_report(actor, department)
    if quarter not in (1, 2, 3, 4):
        raise DomainError("季度须为 1 至 4", field="quarter")
    if not (text or "").strip():
        raise DomainError("请填写工作进展情况", field="text")
    today = today or timezone.localdate()
    month = min(quarter * 3, today.month if today.year == year else 12)
    if today.year < year or (today.year == year and today.month < quarter * 3 - 2):
        raise DomainError(f"{year}年第{quarter}季度尚未开始，不能报送", field="quarter")
    per_dept, _, _ = monthly(department.region.scope_prefix, year, month)
    form = per_dept.get(department)
    snapshot = {
        "through_month": month,
        "rows": {key: (form.rows[key].as_tuple() if form else (0, 0, 0, 0)) for key, _, _ in ROWS},
    }
    summary, created = QuarterlySummary.objects.select_for_update().update_or_create(
        department=department,
        year=year,
        quarter=quarter,
        defaults={
            "text": text.strip(),
            "snapshot": snapshot,
            "submitted_by": actor,
            "submitted_at": timezone.now(),
        },
    )
    audit.record(
        actor=actor,
        action="report.quarterly",
        obj=summary,
        summary=f"{'报送' if created else '重新报送'}季度进展情况：{summary}",
        detail={"snapshot": snapshot},
    )
    return summary
