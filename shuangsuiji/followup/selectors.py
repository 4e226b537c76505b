"""Reads for the ledger (台账) and return visits (回访).

Two kinds of reads:
- user-scoped (`ledger_in_scope`, `inbox_for`, `visit_draws_for`): a department sees its own ledger
  and the transfers sent to it; the office sees its jurisdiction read-only; anything else is out of
  scope (the views answer 404);
- the follow-up interface used by reports and planning (`followup_counts`, `overdue_ledger`,
  `ledger_for`, `careless_findings`, `ledger_for_task`): by region, plan year and optionally a
  department, set-based, never a Python loop over the ledger.
"""

import datetime as dt

from django.db.models import Count, Q, QuerySet

from shuangsuiji.core.models import Department, Region, Role
from shuangsuiji.core.scope import jurisdiction, jurisdiction_prefix

from .models import (
    OPEN_STATES,
    FollowUp,
    FollowUpState,
    ReturnVisitDraw,
    ReturnVisitFinding,
    TransferStatus,
)

_RELATED = ("department", "target", "task", "item", "transfer_to")


# ---- scoped by the acting user ----------------------------------------------------------------


def ledger_in_scope(user) -> QuerySet[FollowUp]:
    """The ledger entries this user may read (R-FUP-1)."""
    qs = FollowUp.objects.select_related(*_RELATED)
    if not getattr(user, "is_authenticated", False):
        return qs.none()
    if user.role == Role.OFFICE:
        return qs.filter(department__region__code__startswith=jurisdiction_prefix(user))
    if user.role in (Role.DEPT_ADMIN, Role.REVIEWER, Role.INSPECTOR) and user.department_id:
        return qs.filter(Q(department_id=user.department_id) | Q(transfer_to_id=user.department_id))
    return qs.none()


def inbox_for(user) -> QuerySet[FollowUp]:
    """移送收件箱: entries another department transferred to the user's department, newest first;
    pending ones first, then those accepted and still open."""
    if not getattr(user, "department_id", None) or user.role == Role.OFFICE:
        return FollowUp.objects.none()
    return (
        FollowUp.objects.select_related(*_RELATED)
        .filter(transfer_to_id=user.department_id)
        .exclude(department_id=user.department_id)
        .order_by("-state", "due_on", "id")
    )


def inbox_pending(user) -> QuerySet[FollowUp]:
    """移送收件箱's 待接收: what the inbox lists first and the 待办 home counts."""
    return inbox_for(user).filter(state=FollowUpState.TRANSFER_PENDING)


# 移送收件箱's states a clerk looks for; "open" is accepted and still being handled.
INBOX_STATES = {"transfer_pending": "待接收", "open": "已接收、办理中", "closed": "已办结"}


def inbox_shown(user, *, state="", sender=None, q="") -> QuerySet[FollowUp]:
    """移送收件箱's list (followup/forms.py InboxFilterForm): by state (the 待办 home counts
    state=transfer_pending), by the department that transferred it, by the target's name."""
    qs = inbox_for(user)
    if state == "transfer_pending":
        qs = qs.filter(state=FollowUpState.TRANSFER_PENDING)
    elif state == "open":
        qs = qs.filter(state__in=[FollowUpState.IN_PROGRESS, FollowUpState.TO_VERIFY])
    elif state == "closed":
        qs = qs.filter(state=FollowUpState.CLOSED)
    if sender is not None:
        qs = qs.filter(department=sender)
    if q:
        qs = qs.filter(target__name__icontains=q)
    return qs


def inbox_senders(user) -> QuerySet[Department]:
    """The departments that transferred something to the user's inbox."""
    return Department.objects.filter(pk__in=inbox_for(user).values("department")).order_by("name")


def visit_draws_for(user) -> QuerySet[ReturnVisitDraw]:
    if getattr(user, "role", None) != Role.OFFICE:
        return ReturnVisitDraw.objects.none()
    return ReturnVisitDraw.objects.filter(region__code__startswith=jurisdiction_prefix(user)).select_related(
        "department", "region"
    )


def public_visit_draw(public_id: str) -> ReturnVisitDraw | None:
    """A return-visit draw by its public number: its record is public (anyone may re-run it)."""
    return ReturnVisitDraw.objects.filter(public_id=public_id).first()


def pending_transfer(fu: FollowUp):
    return fu.transfers.filter(status=TransferStatus.PENDING).select_related("to_department").first()


# ---- public: penalty results (R-FUP-1: penalty results are published) ----------------------------


def published_penalties(inspection_ids) -> dict[int, list[dict]]:
    """Published penalty results per inspection, only the public fields, in one query."""
    rows = (
        FollowUp.objects.filter(inspection_id__in=list(inspection_ids), penalty_published_at__isnull=False)
        .order_by("penalty_decided_on", "id")
        .values(
            "inspection_id",
            "department__name",
            "penalty_decision_no",
            "penalty_content",
            "penalty_decided_on",
            "penalty_published_at",
        )
    )
    out: dict[int, list[dict]] = {}
    for r in rows:
        out.setdefault(r["inspection_id"], []).append(
            {
                "department": r["department__name"],
                "decision_no": r["penalty_decision_no"],
                "content": r["penalty_content"],
                "decided_on": r["penalty_decided_on"],
                "published_at": r["penalty_published_at"],
            }
        )
    return out


# ---- the follow-up interface (reports, planning) -------------------------------------------------


def _scope(region: Region, year: int, department: Department | None) -> QuerySet[FollowUp]:
    qs = FollowUp.objects.filter(year=year, department__region__code__startswith=region.scope_prefix)
    if department is not None:
        qs = qs.filter(department=department)
    # An entry withdrawn because a correction removed the problem was never a problem (R-INSP-4).
    return qs.exclude(state=FollowUpState.WITHDRAWN)


def followup_counts(
    region: Region, year: int, *, until: dt.date, department: Department | None = None
) -> dict:
    """Ledger counts as of `until`: entries opened (problem found) by then, disposed by then,
    closed by then, and open at `until` past their due date."""
    open_at_until = Q(closed_on__isnull=True) | Q(closed_on__gt=until)
    agg = (
        _scope(region, year, department)
        .filter(found_on__lte=until)
        .aggregate(
            problems=Count("id"),
            disposed=Count("id", filter=Q(disposed_on__lte=until)),
            closed=Count("id", filter=Q(closed_on__lte=until)),
            overdue=Count("id", filter=open_at_until & Q(due_on__lt=until)),
        )
    )
    return {k: int(v or 0) for k, v in agg.items()}


def overdue_ledger(
    region: Region, year: int, *, as_of: dt.date, department: Department | None = None
) -> QuerySet[FollowUp]:
    """Open entries past their due date on `as_of` (R-RPT-2)."""
    return (
        _scope(region, year, department)
        .filter(state__in=OPEN_STATES, due_on__lt=as_of, found_on__lte=as_of)
        .select_related(*_RELATED)
        .order_by("due_on", "id")
    )


def ledger_for(region: Region, year: int, *, department: Department | None = None) -> QuerySet[FollowUp]:
    return _scope(region, year, department).select_related(*_RELATED).order_by("found_on", "id")


def careless_findings(
    region: Region, year: int, *, department: Department | None = None
) -> QuerySet[ReturnVisitFinding]:
    """Return-visit findings that show a careless inspection (走形式, 随意录入, …; R-FUP-2)."""
    qs = ReturnVisitFinding.objects.filter(
        year=year, careless=True, department__region__code__startswith=region.scope_prefix
    )
    if department is not None:
        qs = qs.filter(department=department)
    return qs.select_related("department", "visit__inspection__selection__target").order_by("visit_id", "id")


def ledger_for_task(task) -> QuerySet[FollowUp]:
    return (
        FollowUp.objects.filter(task=task)
        .select_related(*_RELATED, "inspection")
        .prefetch_related("transfers")
        .order_by("found_on", "id")
    )


# ---- rows the user may change (core/scope.py editable_by) ------------------------------------------


def ledger_editable_by(user) -> QuerySet[FollowUp]:
    """The department that found the problem keeps its entry; the department it was transferred
    to works on it too (followup/services.py decides which steps each may take). The office reads."""
    if jurisdiction(user).is_office:
        return FollowUp.objects.none()
    return ledger_in_scope(user)
