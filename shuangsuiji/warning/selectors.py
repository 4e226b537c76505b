"""Reads of the watch list (风险预警名单), scoped (core/scope.py): a department scores the targets it
supervises, the office those of its jurisdiction; each from the records the viewer may read
(its ledger, its triggers; published inspections are public), so every count links to them.

The facts come from a handful of grouped queries over all the targets in scope (one per source:
inspections, the last inspection, the ledger, triggers, the targets themselves), never a query
per target; the score is watch_score.py's pure function over them."""

import calendar
import datetime as dt
from dataclasses import dataclass

from django.db.models import Case, Count, IntegerField, Max, Q, QuerySet, Value, When

from shuangsuiji.core.permissions import Action, can
from shuangsuiji.core.scope import jurisdiction, visible_to
from shuangsuiji.directory.models import RegistrationStatus, Target, TargetSupervision
from shuangsuiji.followup.models import OPEN_STATES, DispositionKind, FollowUp, FollowUpState
from shuangsuiji.followup.selectors import ledger_in_scope
from shuangsuiji.inspection.models import Inspection, InspectionStatus
from shuangsuiji.inspection.selectors import inspections_for
from shuangsuiji.triggers.models import Trigger
from shuangsuiji.triggers.selectors import triggers_for

from . import watch_score as ws
from .models import WatchAction, WatchSettings

REFUSAL_CATEGORY = "uncooperative"  # R-INSP-3's 不配合检查情节严重


# ---- settings ----------------------------------------------------------------------------------


def settings_visible(user) -> QuerySet[WatchSettings]:
    """The settings of the user's jurisdiction (a department reads them: the page prints them)."""
    if not can(user, Action.WATCH_VIEW):
        return WatchSettings.objects.none()
    return WatchSettings.objects.filter(region__code__startswith=jurisdiction(user).prefix)


def settings_editable(user) -> QuerySet[WatchSettings]:
    """The office sets its own jurisdiction's."""
    if not can(user, Action.WATCH_SETTINGS) or not jurisdiction(user).is_office:
        return WatchSettings.objects.none()
    return WatchSettings.objects.filter(region_id=user.region.code)


def settings_for(user) -> WatchSettings:
    """The office's settings for the user's jurisdiction, or the defaults (unsaved)."""
    region = getattr(user, "region", None)
    found = settings_visible(user).filter(region_id=region.code).first() if region else None
    return found or WatchSettings(region=region)


# ---- what was started from the list ------------------------------------------------------------


def actions_visible(user) -> QuerySet[WatchAction]:
    if not can(user, Action.WATCH_VIEW):
        return WatchAction.objects.none()
    scope = jurisdiction(user)
    qs = WatchAction.objects.select_related("trigger", "suggestion", "department", "created_by")
    if scope.is_office:
        return qs.filter(scope.within("department__region"))
    return qs.filter(department_id=scope.department_id)


def actions_editable(user) -> QuerySet[WatchAction]:
    """Nothing is changed once started; the department's own, for the registry's rule that what
    one changes one also sees."""
    if not can(user, Action.WATCH_ACT):
        return WatchAction.objects.none()
    return actions_visible(user).filter(department_id=user.department_id)


# ---- the facts and the list --------------------------------------------------------------------


def _since(cfg: WatchSettings, today: dt.date) -> dt.date:
    """The first day of the look-back window: the same day `lookback_months` months ago (the
    month's last day when it is shorter)."""
    months = today.year * 12 + today.month - 1 - cfg.lookback_months
    year, month = divmod(months, 12)
    return dt.date(year, month + 1, min(today.day, calendar.monthrange(year, month + 1)[1]))


def _published_or_own(user) -> Q:
    """Inspections the viewer may count: published ones (public anyway), and its own."""
    if jurisdiction(user).is_office:
        return Q()
    return Q(status=InspectionStatus.PUBLISHED) | Q(department_id=user.department_id)


def _counts(rows, key: str) -> dict[int, dict]:
    return {r[key]: r for r in rows}


def gather(user, targets: QuerySet[Target], cfg: WatchSettings, today: dt.date) -> dict[int, ws.Facts]:
    """Each target's facts, for every target of `targets` (already within the user's scope)."""
    since = _since(cfg, today)
    ids = targets.order_by().values("pk")
    found = _counts(
        Inspection.objects.filter(
            status=InspectionStatus.PUBLISHED, selection__target__in=ids, finished_on__gte=since
        )
        .values("selection__target_id")
        .annotate(
            problems=Count("pk", filter=Q(results__found_problem=True), distinct=True),
            refusals=Count("pk", filter=Q(results__categories__code=REFUSAL_CATEGORY), distinct=True),
        )
        .order_by(),
        "selection__target_id",
    )
    last = dict(
        Inspection.objects.filter(
            _published_or_own(user), selection__target__in=ids, finished_on__isnull=False
        )
        .values("selection__target_id")
        .annotate(last=Max("finished_on"))
        .order_by()
        .values_list("selection__target_id", "last")
    )
    open_q = Q(state__in=OPEN_STATES)
    ledger = _counts(
        ledger_in_scope(user)
        .filter(target__in=ids)
        .exclude(state=FollowUpState.WITHDRAWN)
        .values("target_id")
        .annotate(
            open=Count("pk", filter=open_q),
            overdue=Count("pk", filter=open_q & Q(due_on__lt=today)),
            abnormal=Count("pk", filter=Q(kind=DispositionKind.ABNORMAL_LIST, disposed_on__gte=since)),
        )
        .order_by(),
        "target_id",
    )
    links = Trigger.targets.through.objects
    triggers = dict(
        links.filter(
            trigger__in=triggers_for(user).filter(received_on__gte=since).values("pk"), target__in=ids
        )
        .values("target_id")
        .annotate(n=Count("trigger_id", distinct=True))
        .order_by()
        .values_list("target_id", "n")
    )
    own = {}
    if not jurisdiction(user).is_office:
        # 行业信用分级分类: a department's own class of a target stands for it (draw/pool.py)
        own = dict(
            TargetSupervision.objects.filter(department_id=user.department_id, target__in=ids)
            .exclude(own_risk_class="")
            .values_list("target_id", "own_risk_class")
        )
    # the status flag in SQL, and every count of a target read from the few grouped rows: most of
    # a county's targets have no record at all, so they share one Facts per (flag, years, class)
    recent_status = Case(
        When(~Q(status=RegistrationStatus.ACTIVE) & Q(status_changed_on__gte=since), then=Value(1)),
        default=Value(0),
        output_field=IntegerField(),
    )
    years = {pk: ws.idle_years(d, today, cfg.idle_cap_years) for pk, d in last.items()}
    never = cfg.idle_cap_years
    shared: dict[tuple, ws.Facts] = {}
    facts = {}
    for pk, risk_class, status in (
        targets.order_by()
        .annotate(recent_status=recent_status)
        .values_list("pk", "risk_class", "recent_status")
    ):
        f, led = found.get(pk), ledger.get(pk)
        key = (
            f["problems"] if f else 0,
            f["refusals"] if f else 0,
            led["open"] if led else 0,
            led["overdue"] if led else 0,
            triggers.get(pk, 0),
            led["abnormal"] if led else 0,
            status,
            years.get(pk, never),
            own.get(pk, risk_class) == "A",
        )
        one = shared.get(key)
        if one is None:
            one = shared[key] = ws.Facts(*key)
        facts[pk] = one
    return facts


@dataclass
class WatchFilter:
    """The list page's filters: level (关注 / 重点关注), a name or code, a department (office)."""

    level: str = ""
    q: str = ""
    department: int | None = None

    def apply(self, targets: QuerySet[Target]) -> QuerySet[Target]:
        q = self.q.strip()
        if q:
            targets = targets.filter(Q(name__contains=q) | Q(uscc=q.upper()) | Q(key_display=q))
        if self.department:
            targets = targets.filter(
                pk__in=TargetSupervision.objects.filter(department_id=self.department).values("target_id")
            )
        return targets


@dataclass
class Row:
    target_id: int
    score: ws.Score
    level: str


def watch_list(user, today: dt.date, flt: WatchFilter | None = None) -> list[Row]:
    """The targets at or above the office's threshold, highest score first."""
    cfg = settings_for(user)
    flt = flt or WatchFilter()
    weights = cfg.weights
    rows = []
    scored: dict[ws.Facts, tuple[ws.Score, str]] = {}  # targets of the same facts share a score
    for pk, facts in gather(user, flt.apply(visible_to(Target, user)), cfg, today).items():
        known = scored.get(facts)
        if known is None:
            s = ws.score(facts, weights)
            known = scored[facts] = (s, ws.level(s.total, cfg.watch_threshold, cfg.alert_threshold))
        s, lv = known
        if lv and (not flt.level or lv == flt.level):
            rows.append(Row(target_id=pk, score=s, level=lv))
    rows.sort(key=lambda r: (-r.score.total, r.target_id))
    return rows


def target_score(user, target: Target, today: dt.date) -> Row:
    """One target's score and level, as the list computes it."""
    cfg = settings_for(user)
    facts = gather(user, visible_to(Target, user).filter(pk=target.pk), cfg, today)[target.pk]
    s = ws.score(facts, cfg.weights)
    return Row(
        target_id=target.pk, score=s, level=ws.level(s.total, cfg.watch_threshold, cfg.alert_threshold)
    )


def page_targets(user, ids: list[int]) -> dict[int, Target]:
    return {t.pk: t for t in visible_to(Target, user).filter(pk__in=ids)}


def page_actions(user, ids: list[int]) -> dict[int, list[WatchAction]]:
    """What was started from the list for these targets (the row links back to each)."""
    out: dict[int, list[WatchAction]] = {}
    for a in actions_visible(user).filter(target_id__in=ids):
        out.setdefault(a.target_id, []).append(a)
    return out


# ---- the records behind one target's factors ---------------------------------------------------


@dataclass
class Records:
    """The records each factor of one target counts, each linkable where the viewer may open it."""

    problems: list[Inspection]
    refusals: list[Inspection]
    open: list[FollowUp]
    overdue: list[FollowUp]
    triggers: list[Trigger]
    abnormal: list[FollowUp]
    last: Inspection | None
    openable: set[int]  # inspections the viewer may open (inspection:record)
    since: dt.date


def records(user, target: Target, today: dt.date) -> Records:
    cfg = settings_for(user)
    since = _since(cfg, today)
    published = (
        Inspection.objects.filter(
            status=InspectionStatus.PUBLISHED, selection__target=target, finished_on__gte=since
        )
        .select_related("department", "selection__draw__task")
        .order_by("-finished_on", "-pk")
    )
    ledger = (
        ledger_in_scope(user)
        .filter(target=target)
        .exclude(state=FollowUpState.WITHDRAWN)
        .order_by("due_on", "pk")
    )
    opened = list(ledger.filter(state__in=OPEN_STATES))
    last = (
        Inspection.objects.filter(
            _published_or_own(user), selection__target=target, finished_on__isnull=False
        )
        .select_related("department", "selection__draw__task")
        .order_by("-finished_on", "-pk")
        .first()
    )
    problems = list(published.filter(results__found_problem=True).distinct())
    refusals = list(published.filter(results__categories__code=REFUSAL_CATEGORY).distinct())
    shown = {i.pk for i in [*problems, *refusals, *([last] if last else [])]}
    return Records(
        problems=problems,
        refusals=refusals,
        open=opened,
        overdue=[f for f in opened if f.due_on < today],
        triggers=list(
            triggers_for(user).filter(targets=target, received_on__gte=since).order_by("-received_on")
        ),
        abnormal=list(ledger.filter(kind=DispositionKind.ABNORMAL_LIST, disposed_on__gte=since)),
        last=last,
        openable=set(inspections_for(user).filter(pk__in=shown).values_list("pk", flat=True)),
        since=since,
    )
