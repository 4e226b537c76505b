"""Reads for inspection, scoped: an inspector sees the targets of teams they are in; a
department's admin and reviewer see their department's part; the office sees its jurisdiction.

Every read of an inspection (a department's result for one target) goes through
`inspections_for`: in a joint task a department reads its own part in every state, but another
department's part only once that department has published it. Until then (being entered, 待复核,
returned, or reopened for a correction) it is another department's working paper and does not
exist for the partner (404)."""

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Exists, F, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from shuangsuiji.core.models import Department, Role
from shuangsuiji.core.scope import jurisdiction, jurisdiction_prefix
from shuangsuiji.directory.models import Item
from shuangsuiji.draw.models import DrawStatus, Selection, TeamMember
from shuangsuiji.planning.models import Task, TaskState

from .models import CheckIn, Inspection, InspectionStatus, ItemResult

ACTIVE_TASK = [TaskState.TEAMS_DRAWN, TaskState.IN_PROGRESS, TaskState.RESULTS_DUE, TaskState.CLOSED]


def selections_for(user) -> QuerySet[Selection]:
    qs = Selection.objects.filter(
        draw__status=DrawStatus.DRAWN, draw__task__state__in=ACTIVE_TASK
    ).select_related("target", "draw__task")
    if not getattr(user, "is_authenticated", False):
        return qs.none()
    if user.role == Role.OFFICE:
        return qs.filter(draw__task__lead__region__code__startswith=jurisdiction_prefix(user))
    if user.role in (Role.DEPT_ADMIN, Role.REVIEWER):
        return qs.filter(team__department_id=user.department_id).distinct()
    if user.role == Role.INSPECTOR:
        return qs.filter(team__inspector__user=user, team__active=True).distinct()
    return qs.none()


def partner_rule(department_id) -> Q:
    """The one rule for what a department reads of a task's inspections: its own in every state,
    another department's once published. The dossier applies it too."""
    return Q(department_id=department_id) | Q(status=InspectionStatus.PUBLISHED)


def inspections_for(user) -> QuerySet[Inspection]:
    """Inspections of the targets the user may open (selections_for), less partners' unpublished
    parts; the office supervises every department's progress in its jurisdiction."""
    qs = Inspection.objects.filter(selection__in=selections_for(user))
    if not getattr(user, "is_authenticated", False):
        return qs.none()
    if user.role == Role.OFFICE:
        return qs
    return qs.filter(partner_rule(user.department_id))


@dataclass
class HistoryRow:
    """One time the target was drawn: the task, and each department's part the user may read."""

    selection: Selection
    parts: list[Inspection] = field(default_factory=list)

    @property
    def task(self):
        return self.selection.draw.task

    @property
    def lines(self) -> list[Inspection | None]:
        """A table line per part; one empty line while no department has entered anything."""
        return self.parts or [None]


# Entered results: what was found is known (an open or returned part may still change).
RESULT_KNOWN = (InspectionStatus.SUBMITTED, InspectionStatus.PUBLISHED)


def target_history(user, target, *, limit: int) -> list[HistoryRow]:
    """The target's inspection history on its directory page (directory/hooks.py), newest task
    first: the draws that took it in that the user may open (selections_for), and the parts of
    them the user may read (inspections_for, so a partner's unpublished part stays hidden), each
    with whether a problem was found. At most `limit` + 1 rows, in two queries."""
    selections = list(
        selections_for(user)
        .filter(target=target)
        .select_related("draw__task__lead")
        .order_by("-draw__task__window_start", "-draw__drawn_at", "-pk")[: limit + 1]
    )
    rows = {s.pk: HistoryRow(s) for s in selections}
    parts = (
        inspections_for(user)
        .filter(selection__in=list(rows))
        .select_related("department")
        .annotate(problem=Exists(ItemResult.objects.filter(inspection=OuterRef("pk"), found_problem=True)))
        .order_by("department_id")
    )
    for part in parts:
        part.result_known = part.status in RESULT_KNOWN
        rows[part.selection_id].parts.append(part)
    return list(rows.values())


def own_inspections(user) -> QuerySet[Inspection]:
    """The user's department's part only (progress lists, the review queue)."""
    return inspections_for(user).filter(department_id=user.department_id)


def my_assignments(user) -> QuerySet[TeamMember]:
    return (
        TeamMember.objects.filter(inspector__user=user, active=True, selection__draw__status=DrawStatus.DRAWN)
        .filter(selection__draw__task__state__in=ACTIVE_TASK[:-1])
        .select_related("selection__target", "selection__draw__task", "department")
        .order_by("selection__draw__task__window_end", "selection__order")
    )


def department_items(selection: Selection, department) -> list[Item]:
    """The items of the task this department checks: those it claimed."""
    return list(selection.draw.task.items.filter(claims__department=department).order_by("code"))


def checked_in(selection: Selection, department) -> bool:
    """Someone of this department's team has checked in at the target (扫码入企), on any day."""
    return CheckIn.objects.filter(selection=selection, inspector__department=department).exists()


def checkin_refusal(selection: Selection, department, inspector, today: dt.date) -> str:
    """Why a team member cannot check in today, or "": the page greys the button out and says
    why before the tap; services.checkin refuses with the same words (R-INSP-1)."""
    task = selection.draw.task
    if selection.draw.status != DrawStatus.DRAWN:
        return "该抽取已作废，检查对象以重新抽取的名单为准"
    if task.state in (TaskState.CLOSED, TaskState.VOIDED):
        return f"任务已{task.get_state_display()}，不能再签到"
    if not task.window_contains(today):
        return f"不在任务检查时间内（{task.window_start:%Y-%m-%d} 至 {task.window_end:%Y-%m-%d}）"
    items = department_items(selection, department)
    if items and all(i.offsite_only for i in items):
        return "本部门在该任务中的事项均为非现场检查，不得入企（请通过书面核查、网络监测等方式检查）"
    if CheckIn.objects.filter(selection=selection, inspector=inspector, at__date=today).exists():
        return "您今天已在该企业签到，无需重复签到"
    return ""


def window_state(task, today: dt.date) -> str:
    """The task's window as of today: "open", "ended" or "ahead"."""
    if today > task.window_end:
        return "ended"
    return "ahead" if today < task.window_start else "open"


def all_clear_applies(items: list[Item], stored: dict) -> bool:
    """“全部未发现问题” has something to do: an item not entered yet, and no item entered with
    anything but 未发现问题 (services.results_all_clear refuses the same)."""
    return any(i.pk not in stored for i in items) and all(
        {c.code for c in stored[i.pk].categories.all()} == {"none_found"} for i in items if i.pk in stored
    )


# ---- 我的检查: the inspector's targets in four groups ------------------------------------------

WORK_GROUPS = [
    ("todo", "待检查"),
    ("entering", "录入中"),
    ("review", "待复核"),
    ("done", "已完成"),
]
UNSUBMITTED = (InspectionStatus.OPEN, InspectionStatus.FINISHED, InspectionStatus.RETURNED)
WORK_GROUP_LIMIT = 100  # rows shown per group; the count above the group is the whole number


@dataclass
class WorkRow:
    member: TeamMember
    inspection: Inspection | None
    checked_in: bool
    group: str
    window: str  # the task's window as of today: "open", "ended" or "ahead"
    today: dt.date

    @property
    def selection(self) -> Selection:
        return self.member.selection

    @property
    def task(self):
        return self.member.selection.draw.task

    @property
    def overdue(self) -> bool:
        """Results not submitted by the 20th working day after the inspection ended (R-INSP-2)."""
        ins = self.inspection
        return bool(ins and ins.due_on and ins.status in UNSUBMITTED and ins.due_on < self.today)


def _work_group(ins: Inspection | None, checked: bool) -> str:
    if ins is not None and ins.status == InspectionStatus.PUBLISHED:
        return "done"
    if ins is not None and ins.status == InspectionStatus.SUBMITTED:
        return "review"
    if ins is not None or checked:
        # checked in, or something entered (a result, an attachment, the finish date), or returned
        return "entering"
    return "todo"


def my_work(user, today: dt.date, members: list[TeamMember] | None = None) -> dict[str, list[WorkRow]]:
    """The inspector's targets of running tasks, grouped: 待检查 (nothing done yet; a target whose
    window ended is marked, not left saying 待检查), 录入中, 待复核, 已完成. Three queries whatever
    the number of targets."""
    members = list(my_assignments(user)) if members is None else members
    sel_ids = [m.selection_id for m in members]
    inspections = {
        (i.selection_id, i.department_id): i for i in own_inspections(user).filter(selection__in=sel_ids)
    }
    checked = set(
        CheckIn.objects.filter(selection__in=sel_ids).values_list("selection_id", "inspector__department_id")
    )
    groups: dict[str, list[WorkRow]] = {key: [] for key, _ in WORK_GROUPS}
    for m in members:
        ins = inspections.get((m.selection_id, m.department_id))
        did_check_in = (m.selection_id, m.department_id) in checked
        window = window_state(m.selection.draw.task, today)
        group = _work_group(ins, did_check_in)
        groups[group].append(WorkRow(m, ins, did_check_in, group, window, today))
    # what can be done today first, then what has not begun, then what the window has passed by
    order = {"open": 0, "ahead": 1, "ended": 2}
    groups["todo"].sort(key=lambda r: (order[r.window], r.task.window_end, r.selection.order))
    groups["entering"].sort(
        key=lambda r: (
            not r.overdue,
            r.inspection.due_on if r.inspection and r.inspection.due_on else dt.date.max,
        )
    )
    groups["done"].sort(key=lambda r: r.inspection.published_at, reverse=True)
    return groups


def overdue(qs: QuerySet[Inspection], today=None) -> QuerySet[Inspection]:
    """Results not yet submitted after their due date (R-INSP-2)."""
    today = today or timezone.localdate()
    return qs.filter(due_on__lt=today).filter(
        Q(status=InspectionStatus.OPEN)
        | Q(status=InspectionStatus.FINISHED)
        | Q(status=InspectionStatus.RETURNED)
    )


def review_queue(user) -> QuerySet[Inspection]:
    """待复核: the department's submitted results, the longest waiting first."""
    return (
        own_inspections(user)
        .filter(status=InspectionStatus.SUBMITTED)
        .select_related("selection__target", "selection__draw__task", "entered_by")
        .order_by("submitted_at", "id")
    )


# ---- 检查进度: one row per drawn target and inspecting department ----------------------------------

# The states a row of the progress list can be in, and its filters (issue 18). A row is a drawn
# target and one department of its team: before that department's first entry there is no
# inspection row, and the target is 待检查.
ENTERING = (InspectionStatus.OPEN, InspectionStatus.FINISHED, InspectionStatus.RETURNED)
PROGRESS_STATES = {
    "todo": "待检查",
    "entering": "录入中",
    "submitted": "待复核",
    "published": "已公示",
    "overdue": "逾期未录入",
    "unpublished": "逾期未公示",
}


def progress_rows(
    user, *, today: dt.date, state: str = "", task_id: int | None = None, department_id: int | None = None
) -> QuerySet:
    """The progress list (检查进度) of the targets the user may open: the office every inspecting
    department of its jurisdiction, a department its own part. Rows are dicts (the target, task
    and department, and the department's inspection: its id, status and dates, none before its
    first entry); set-based, one query for a page."""
    pairs = TeamMember.objects.filter(active=True, selection__in=selections_for(user))
    if not jurisdiction(user).is_office:
        pairs = pairs.filter(department_id=getattr(user, "department_id", None))
    if task_id:
        pairs = pairs.filter(selection__draw__task_id=task_id)
    if department_id:
        pairs = pairs.filter(department_id=department_id)
    ins = Inspection.objects.filter(
        selection_id=OuterRef("selection_id"), department_id=OuterRef("department_id")
    )
    rows = pairs.values(
        "selection_id",
        "department_id",
        target_name=F("selection__target__name"),
        task_code=F("selection__draw__task__code"),
        task_name=F("selection__draw__task__name"),
        window_end=F("selection__draw__task__window_end"),
        department_name=F("department__name"),
    ).annotate(
        inspection_id=Subquery(ins.values("pk")[:1]),
        status=Subquery(ins.values("status")[:1]),
        finished_on=Subquery(ins.values("finished_on")[:1]),
        due_on=Subquery(ins.values("due_on")[:1]),
        due_provisional=Subquery(ins.values("due_provisional")[:1]),
    )
    if state == "todo":
        rows = rows.filter(~Exists(ins))
    elif state == "entering":
        rows = rows.filter(Exists(ins.filter(status__in=ENTERING)))
    elif state == "submitted":
        rows = rows.filter(Exists(ins.filter(status=InspectionStatus.SUBMITTED)))
    elif state == "published":
        rows = rows.filter(Exists(ins.filter(status=InspectionStatus.PUBLISHED)))
    elif state == "overdue":  # R-INSP-2: not yet submitted after the due date (as `overdue`)
        rows = rows.filter(Exists(ins.filter(status__in=ENTERING, due_on__lt=today)))
    elif state == "unpublished":  # past the due date and not published (待复核 included)
        rows = rows.filter(Exists(ins.filter(due_on__lt=today).exclude(status=InspectionStatus.PUBLISHED)))
    return rows.distinct().order_by(
        F("due_on").asc(nulls_last=True), "window_end", "selection_id", "department_id"
    )


def progress_tasks(user):
    """The tasks the progress list can be narrowed to: those with a drawn target the user may open."""
    return Task.objects.filter(pk__in=selections_for(user).order_by().values("draw__task_id")).order_by(
        "-window_start", "code"
    )


def progress_departments(user):
    """The departments with a part in the progress list of the user (the office's filter)."""
    pairs = TeamMember.objects.filter(active=True, selection__in=selections_for(user))
    return Department.objects.filter(pk__in=pairs.order_by().values("department_id")).order_by("name")


def my_work_shown(user, *, today: dt.date, show: str = "") -> QuerySet[TeamMember]:
    """The inspector's assignments (my_assignments), narrowed for the 待办 home's links:
    - today: not yet inspected (no entry of the department, or still 检查中), the window open today;
    - week: not yet inspected, the window ending this week (today to Sunday);
    - overdue: the department's result past its due date and not submitted (R-INSP-2)."""
    qs = my_assignments(user)
    ins = Inspection.objects.filter(
        selection_id=OuterRef("selection_id"), department_id=OuterRef("department_id")
    )
    not_done = ~Exists(ins.exclude(status=InspectionStatus.OPEN))
    if show == "today":
        qs = qs.filter(
            not_done,
            selection__draw__task__window_start__lte=today,
            selection__draw__task__window_end__gte=today,
        )
    elif show == "week":
        sunday = today + dt.timedelta(days=6 - today.weekday())
        qs = qs.filter(not_done, selection__draw__task__window_end__range=(today, sunday))
    elif show == "overdue":
        qs = qs.filter(Exists(ins.filter(status__in=ENTERING, due_on__lt=today)))
    return qs


MY_WORK_SHOWS = {"today": "今日可检查", "week": "本周检查期截止", "overdue": "逾期未录入"}


def published_of(user) -> QuerySet[Inspection]:
    return (
        own_inspections(user)
        .filter(status=InspectionStatus.PUBLISHED)
        .select_related("selection__target", "selection__draw__task")
    )


RATING_MIN_GROUP = 5  # aggregates only over this many ratings, so no single rating can be traced


def rating_summary(user) -> list[dict]:
    """Per task: count and average, shown only when at least RATING_MIN_GROUP enterprises rated."""
    if getattr(user, "role", None) != Role.OFFICE:
        return []  # inspecting staff never see ratings
    from django.db.models import Avg, Count

    from .models import Rating

    rows = (
        Rating.objects.filter(selection__in=selections_for(user))
        .values("selection__draw__task__code", "selection__draw__task__name")
        .annotate(n=Count("pk"), avg=Avg("score"))
        .order_by("selection__draw__task__code")
    )
    return [
        {
            "code": r["selection__draw__task__code"],
            "name": r["selection__draw__task__name"],
            "n": r["n"],
            "avg": r["avg"] if r["n"] >= RATING_MIN_GROUP else None,
        }
        for r in rows
    ]


def draw_has_published_result(draw) -> bool:
    """A result of this draw is published: its selected list is public from then on at the latest
    (draw.records.selection_public, which asks through the hook registered in apps.py)."""
    return Inspection.objects.filter(selection__draw=draw, status=InspectionStatus.PUBLISHED).exists()


def problem_rates(prefix: str, *, department=None, kind: str = "") -> dict[str, tuple[int, int]]:
    """Past published results per risk class (the target's class now): (targets inspected,
    targets with a problem found), for planning's simulator (planning/hooks.py, registered in
    apps.py). A target inspected by several departments of a joint task counts once, with a
    problem when any found one; voided draws count for nothing."""
    from django.db.models import Count

    qs = Inspection.objects.filter(
        status=InspectionStatus.PUBLISHED,
        selection__draw__status=DrawStatus.DRAWN,
        selection__draw__task__lead__region__code__startswith=prefix,
    )
    if department is not None:
        qs = qs.filter(department=department)
    if kind:
        qs = qs.filter(selection__target__kind=kind)
    rows = (
        qs.values("selection__target__risk_class")
        .annotate(
            inspected=Count("selection", distinct=True),
            problems=Count("selection", distinct=True, filter=Q(results__found_problem=True)),
        )
        .order_by()
    )
    return {r["selection__target__risk_class"] or "": (r["inspected"], r["problems"]) for r in rows}


# ---- rows the user may change (core/scope.py editable_by) ------------------------------------------


def inspections_editable_by(user) -> QuerySet[Inspection]:
    """A result is entered, reviewed and corrected by the inspecting department only."""
    return own_inspections(user)


def selections_editable_by(user) -> QuerySet[Selection]:
    """The inspecting departments work on the selections their teams hold; the office reads."""
    if jurisdiction(user).is_office:
        return Selection.objects.none()
    return selections_for(user)
