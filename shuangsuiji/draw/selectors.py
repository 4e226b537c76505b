"""Reads of draws, scoped like tasks (the task's departments and the office); the auditor reads
every draw of the jurisdiction to re-run it."""

import hashlib

from django.db.models import Case, Q, QuerySet, When

from shuangsuiji.core.models import Department, Role
from shuangsuiji.core.permissions import Action, can
from shuangsuiji.core.scope import jurisdiction, jurisdiction_prefix
from shuangsuiji.directory.models import Target
from shuangsuiji.directory.ownership import keeps_all, sees_every_class
from shuangsuiji.planning.models import TaskState
from shuangsuiji.planning.selectors import tasks_editable_by, tasks_for

from .models import (
    DrawStatus,
    RecusalRequest,
    RecusalStatus,
    Selection,
    TargetDraw,
    TeamMember,
    VoidRequest,
    VoidRequestStatus,
    Witness,
)


def draws_for(user) -> QuerySet[TargetDraw]:
    qs = TargetDraw.objects.select_related("task", "task__lead")
    if can(user, Action.DRAW_AUDIT):
        return qs.filter(task__lead__region__code__startswith=jurisdiction_prefix(user))
    return qs.filter(task__in=tasks_for(user))


def strata_shown(user, draw: TargetDraw) -> bool:
    """Whether `user` may see which credit-risk class each stratum of `draw` is, and so which
    stratum each drawn target is in (the class is shown only to the keeper, the office and the
    auditor: directory/ownership.py). The office and the auditor; a department that keeps every
    target drawn — for a draw by the lead department's own classes, only the lead, when it keeps
    them all too (it sees its own classes and the keeper's). The stratum labels are public with
    the selected list, so the classes of the strata go only to one who may see every drawn
    target's class; before the draw, whose class a label will tell is not known yet."""
    if sees_every_class(user):
        return True
    if draw.own_classes and user.department_id != draw.task.lead_id:
        return False
    if not draw.selections.exists():
        return False
    return keeps_all(user.department, Target.objects.filter(selections__draw=draw))


def public_draws() -> QuerySet[TargetDraw]:
    """Every announced draw of a task in a published plan is public, voided and aborted ones too."""
    return TargetDraw.objects.filter(task__in_published_plan=True).select_related("task", "task__lead")


def selection_by_token(token: str) -> Selection | None:
    """The selection a notice's QR code names: the token is the capability (扫码入企), so the
    lookup is by token alone, for anyone holding it."""
    return Selection.objects.select_related("draw__task", "target").filter(token=token).first()


def device_token_digest(token: str) -> str:
    """What is stored of a witness's own-device link: the SHA-256 of its token, never the token."""
    return hashlib.sha256(token.encode()).hexdigest()


def witness_by_token(token: str) -> Witness | None:
    """The witness whose own-device link carries `token` (the token is the credential, for anyone
    holding it). Looked up by the token's hash: the database compares hashes, so how long the
    lookup takes says nothing about any stored token; a spent or replaced link matches nothing."""
    if not token or len(token) > 100:
        return None
    return (
        Witness.objects.select_related("draw__task")
        .filter(device_token_hash=device_token_digest(token))
        .first()
    )


def draw_witnesses(draw: TargetDraw) -> QuerySet[Witness]:
    """The witnesses of a draw the caller already holds through draws_for(user)."""
    return Witness.objects.filter(draw=draw)


def team_members(draw: TargetDraw) -> QuerySet[TeamMember]:
    """The team members of a draw the caller already holds through draws_for(user)."""
    return TeamMember.objects.filter(selection__draw=draw)


def draw_selections(draw: TargetDraw, *, q: str = "") -> QuerySet[Selection]:
    """The drawn targets of a draw the caller already holds through draws_for(user); `q` finds a
    target by a part of its name or its code."""
    qs = Selection.objects.filter(draw=draw)
    if q:
        qs = qs.filter(Q(target__name__contains=q) | Q(key__contains=q))
    return qs


def recusable_members(selection: Selection, user) -> list[TeamMember]:
    """The active members of a drawn target's team whose recusal `user` may record: those of the
    user's own department (services.recusal_request)."""
    return list(
        selection.team.filter(active=True, department_id=user.department_id)
        .select_related("inspector", "department")
        .order_by("pk")
    )


def draw_recusals(draw: TargetDraw, user) -> QuerySet[RecusalRequest]:
    """The recusal requests of a draw for the members of the user's department, latest first."""
    return (
        RecusalRequest.objects.filter(member__selection__draw=draw, member__department_id=user.department_id)
        .select_related("member__inspector", "member__selection__target", "decided_by")
        .order_by("-requested_at")
    )


def merge_candidates(task) -> list[tuple]:
    """能合并实施的不得重复检查: this task's drawn targets that another department's open task also
    drew for a shared item."""
    draw = task.draws.filter(status=DrawStatus.DRAWN).first()
    if draw is None:
        return []
    others = (
        Selection.objects.filter(
            draw__status=DrawStatus.DRAWN,
            target__in=draw.selections.values("target"),
            draw__task__items__in=task.items.all(),
        )
        .exclude(draw__task=task)
        .exclude(draw__task__state__in=[TaskState.CLOSED, TaskState.VOIDED])
        .exclude(draw__task__departments__in=task.departments.all())
        .select_related("target", "draw__task", "draw__task__lead")
        .distinct()
    )
    return [(s.target, s.draw.task) for s in others]


def recusals_for(user) -> QuerySet[RecusalRequest]:
    qs = RecusalRequest.objects.select_related(
        "member__inspector", "member__selection__target", "member__selection__draw"
    )
    if user.role != Role.REVIEWER:
        return qs.none()
    return qs.filter(member__department_id=user.department_id)


def pending_recusals(user) -> QuerySet[RecusalRequest]:
    return recusals_for(user).filter(status=RecusalStatus.PENDING)


def recusals_shown(user, *, status="", q="", since=None, until=None) -> QuerySet[RecusalRequest]:
    """The recusal page's list (draw/forms.py RecusalFilterForm): by status (the 待办 home counts
    status=pending), by the target's or the inspector's name, by the day asked."""
    qs = recusals_for(user)
    if status:
        qs = qs.filter(status=status)
    if q:
        qs = qs.filter(
            Q(member__selection__target__name__icontains=q) | Q(member__inspector__name__icontains=q)
        )
    if since:
        qs = qs.filter(requested_at__date__gte=since)
    if until:
        qs = qs.filter(requested_at__date__lte=until)
    return qs.order_by("-requested_at", "-id")


# ---- rows the user may change (core/scope.py editable_by) ------------------------------------------


def draws_editable_by(user) -> QuerySet[TargetDraw]:
    """A draw is announced, run and settled by its task's lead department."""
    return draws_for(user).filter(task__lead_id=jurisdiction(user).department_id)


# ---- void requests (draw/voids.py) --------------------------------------------------------------


def void_requests_for(user) -> QuerySet[VoidRequest]:
    """作废申请 of the draws the user reads."""
    return VoidRequest.objects.select_related(
        "draw", "draw__task", "draw__task__lead", "requested_by", "decided_by"
    ).filter(draw__in=draws_for(user))


def void_requests_editable_by(user) -> QuerySet[VoidRequest]:
    """The lead department asks; the office of the task's level (the one that approves its plan)
    confirms or refuses."""
    if jurisdiction(user).is_office:
        return void_requests_for(user).filter(draw__task__in=tasks_editable_by(user))
    return void_requests_for(user).filter(draw__in=draws_editable_by(user))


def void_requests_to_decide(user) -> QuerySet[VoidRequest]:
    """The office's list: the requests it may decide (pending and decided), latest first."""
    if not jurisdiction(user).is_office:
        return VoidRequest.objects.none()
    return void_requests_editable_by(user).order_by("-requested_at")


def pending_void_requests(user) -> QuerySet[VoidRequest]:
    return void_requests_to_decide(user).filter(status=VoidRequestStatus.PENDING)


def void_requests_shown(user, *, status="", lead=None, since=None, until=None) -> QuerySet[VoidRequest]:
    """The office's 作废申请 list (draw/forms.py VoidFilterForm): pending first, then latest first;
    by status (the 待办 home counts status=pending), lead department, the day asked."""
    qs = void_requests_to_decide(user)
    if status:
        qs = qs.filter(status=status)
    if lead is not None:
        qs = qs.filter(draw__task__lead=lead)
    if since:
        qs = qs.filter(requested_at__date__gte=since)
    if until:
        qs = qs.filter(requested_at__date__lte=until)
    waiting = Case(When(status=VoidRequestStatus.PENDING, then=0), default=1)
    return qs.order_by(waiting, "-requested_at", "-id")


def void_request_leads(user) -> QuerySet[Department]:
    """The lead departments the office's 作废申请 list may be narrowed to."""
    return Department.objects.filter(
        pk__in=void_requests_to_decide(user).values("draw__task__lead")
    ).order_by("name")
