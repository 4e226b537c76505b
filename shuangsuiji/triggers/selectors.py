"""Reads of triggers and triggered-task requests, scoped (core/scope.py): a department reads and
changes its own; the office reads those of its jurisdiction and changes none."""

from django.db.models import QuerySet

from shuangsuiji.core.permissions import Action, can
from shuangsuiji.core.scope import jurisdiction
from shuangsuiji.directory.models import Item, ItemStatus, Target
from shuangsuiji.draw.models import DrawStatus, Selection
from shuangsuiji.followup.models import FollowUp
from shuangsuiji.planning.models import TaskKind, TaskState

from .models import RequestStatus, TaskRequest, Trigger, TriggerMerge


def triggers_for(user) -> QuerySet[Trigger]:
    if not can(user, Action.TRIGGER_VIEW):
        return Trigger.objects.none()
    scope = jurisdiction(user)
    qs = Trigger.objects.select_related("department", "source_department", "created_by")
    if scope.is_office:
        return qs.filter(department__region__code__startswith=scope.prefix)
    return qs.filter(department_id=scope.department_id)


def triggers_editable_by(user) -> QuerySet[Trigger]:
    """Only the department that keeps a trigger changes it (the office supervises, reads only)."""
    if jurisdiction(user).is_office:
        return Trigger.objects.none()
    return triggers_for(user)


def requests_for(user) -> QuerySet[TaskRequest]:
    return TaskRequest.objects.filter(trigger__in=triggers_for(user)).select_related(
        "trigger", "task", "requested_by", "decided_by"
    )


def requests_editable_by(user) -> QuerySet[TaskRequest]:
    """The department head decides its own department's requests."""
    if not can(user, Action.TRIGGER_APPROVE):
        return TaskRequest.objects.none()
    return requests_for(user).filter(trigger__in=triggers_editable_by(user))


def pending_requests(user) -> QuerySet[TaskRequest]:
    return requests_editable_by(user).filter(status=RequestStatus.PENDING)


def merged_targets(trigger: Trigger) -> set[int]:
    return set(trigger.merges.values_list("selection__target_id", flat=True))


def open_targets(trigger: Trigger) -> QuerySet[Target]:
    """The trigger's targets no random visit covers yet: a triggered task inspects these."""
    return trigger.targets.exclude(pk__in=merged_targets(trigger)).order_by("name")


def merge_candidates(trigger: Trigger) -> QuerySet[Selection]:
    """Random visits the trigger can join (一次检查、全面体检): a drawn target of the trigger, in a
    random task of its department that shares one of its items and is not yet closed or voided,
    not merged already."""
    return (
        Selection.objects.filter(
            draw__status=DrawStatus.DRAWN,
            draw__task__kind=TaskKind.RANDOM,
            draw__task__departments=trigger.department_id,
            draw__task__items__in=trigger.items.all(),
            target__in=open_targets(trigger),
        )
        .exclude(draw__task__state__in=[TaskState.CLOSED, TaskState.VOIDED])
        .select_related("target", "draw__task")
        .distinct()
        .order_by("target__name", "draw__task__code")
    )


def merges_of(trigger: Trigger) -> QuerySet[TriggerMerge]:
    return trigger.merges.select_related("selection__target", "selection__draw__task", "merged_by")


def requests_of(trigger: Trigger) -> QuerySet[TaskRequest]:
    return trigger.requests.select_related("task", "requested_by", "decided_by").order_by("-requested_at")


def department_items(user) -> QuerySet[Item]:
    """Items a trigger of the user's department may name: published and claimed by it."""
    return Item.objects.filter(
        status=ItemStatus.PUBLISHED, claims__department_id=user.department_id
    ).order_by("code")


def transfers_received(user) -> QuerySet[FollowUp]:
    """Ledger entries other departments 抄告/移送 to the user's department: a 转办交办 may start
    from one."""
    if not user.department_id:
        return FollowUp.objects.none()
    return (
        FollowUp.objects.filter(transfer_to_id=user.department_id)
        .exclude(department_id=user.department_id)
        .select_related("department", "target")
        .order_by("-disposed_on", "-id")
    )


def trigger_counts(user) -> dict[str, int]:
    qs = triggers_for(user)
    return {s: qs.filter(status=s).count() for s in ("open", "requested", "tasked", "merged")}
