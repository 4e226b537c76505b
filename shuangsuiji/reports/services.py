"""Saving and submitting a department's monthly report (R-RPT-1, R-ADM-2)."""

from django.db import transaction
from django.utils import timezone

from shuangsuiji.core import audit
from shuangsuiji.core.errors import DomainError, Forbidden
from shuangsuiji.core.models import Role

from .models import MonthlySubmission
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
