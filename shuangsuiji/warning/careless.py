"""检查不认真信号 (issue 19): per inspector and per department, the problems found in the year's
published results against what the same strata and items found elsewhere in the jurisdiction.

One trial is one checked item of one published inspection (ItemResult with checked = True); it
"found a problem" as the estimates and the monthly report count it (ItemResult.found_problem).
Its cell is the draw's risk stratum of the target (A–D, 未分类, or 不分层 for a task not drawn by
credit class: the same strata as 抽查结果推断, reports/estimate.py) × the item. The expected rate
of a trial is its cell's rate in the jurisdiction's year, computed without the tested group's own
trials, and shrunk toward the item's rate, itself shrunk toward the jurisdiction's overall rate,
with SHRINK_STRENGTH pseudo-trials (stats.expected_rates): a cell of three trials says little on
its own. (estimate.stratified answers another question — the problem rate of a whole drawn pool,
strata weighted by their sizes — so its per-stratum counts are reused in spirit, not its weights.)

A team inspects together and enters one result: each active member of the department's team is
answerable for it, so the result counts once for every member (never twice for one member).

An inspector is tested with at least MIN_INSPECTIONS published inspections in the year; below it a
zero says too little. The tested inspectors' p-values are adjusted together (Benjamini–Hochberg),
and an inspector is flagged when q ≤ ALPHA. A department's row sums its inspections (a joint
visit's part counted once for the department) and uses the jurisdiction's cells with the
department's own results left out; where a department alone checks an item, its expectation is
then the other departments' overall rate, so the department row is context for the inspectors'
rows, and the flags are the inspectors'.

Reads only (no state change, nothing audited). The whole jurisdiction's year is read in four
queries whatever its size; the expectation is the jurisdiction's, while the rows shown are those
the reader may see (scope.visible_to)."""

from collections import defaultdict
from dataclasses import dataclass, field

from shuangsuiji.core import scope
from shuangsuiji.core.models import Department
from shuangsuiji.directory.models import Inspector, Item
from shuangsuiji.draw.models import TargetDraw, TeamMember
from shuangsuiji.draw.pool import UNCLASSIFIED
from shuangsuiji.inspection.models import Inspection, InspectionStatus, ItemResult

from . import stats

ALPHA = 0.05  # the false-flag rate among the flagged (Benjamini–Hochberg)
MIN_INSPECTIONS = 10  # fewer published inspections in the year: not tested
SHRINK_STRENGTH = 5  # pseudo-trials of the parent rate added to every cell and item

STRATUM_LABELS = {
    "A": "A类（低风险）",
    "B": "B类（一般风险）",
    "C": "C类（较高风险）",
    "D": "D类（高风险）",
    UNCLASSIFIED: "未分类",
    "*": "不分层",
}


def method_text() -> str:
    """The test as the page prints it, with the thresholds in force."""
    return (
        "每个已公示检查中每个已检查的事项为一次试验；其预期发现问题比率取本辖区当年同一风险分层×同一事项的发现问题比率"
        f"（不含被检验人员自己的结果；样本少的格向该事项的比率收缩，事项再向全辖区比率收缩，各加 {SHRINK_STRENGTH} 个虚拟样本）。"
        "检查组共同录入的结果，计入每名在组成员各一次。"
        "对每名人员，以泊松二项分布精确计算“发现问题数不多于实际数”的概率 p（单侧：只检验发现过少；发现多不视为不认真）；"
        f"年内已公示检查不少于 {MIN_INSPECTIONS} 次的人员参加检验，"
        f"其 p 值按本杰明尼–霍赫伯格方法（控制错误发现率）校正为 q 值，q ≤ {ALPHA:g} 且发现数少于预期的人员标记为异常。"
    )


@dataclass
class Row:
    pk: int
    name: str
    department: str
    inspections: int
    trials: int
    observed: int
    expected: float
    p: float
    q: float | None = None  # None: below the minimum, not tested
    flagged: bool = False
    inspection_ids: list[int] = field(default_factory=list)
    department_id: int | None = None
    flagged_members: int = 0  # a department's row: its flagged inspectors

    @property
    def tested(self) -> bool:
        return self.q is not None

    @property
    def p_text(self) -> str:
        return _prob(self.p)

    @property
    def q_text(self) -> str:
        return "未检验" if self.q is None else _prob(self.q)


def _prob(v: float) -> str:
    """A probability for the page: four decimals, and a bound below them rather than 0.0000."""
    return "< 0.0001" if v < 0.0001 else f"{v:.4f}"


@dataclass
class Signals:
    year: int
    inspectors: list[Row]
    departments: list[Row]
    trials: int
    problems: int
    alpha: float
    minimum: int
    strength: int
    method: str


@dataclass
class _Year:
    trials: list[stats.Trial]
    trial_rows: list[tuple[int, int]]  # (inspection, item) per trial
    by_inspector: dict[int, list[int]]
    by_department: dict[int, list[int]]


def _year(prefix: str, year: int) -> _Year:
    """The jurisdiction's published results of the year as trials, with who answers for each."""
    results = list(
        ItemResult.objects.filter(
            checked=True,
            inspection__status=InspectionStatus.PUBLISHED,
            inspection__department__region__code__startswith=prefix,
            inspection__selection__draw__task__plan__year=year,
        )
        .order_by("inspection_id", "item_id")
        .values_list(
            "inspection_id",
            "inspection__selection_id",
            "inspection__department_id",
            "inspection__selection__draw_id",
            "inspection__selection__label",
            "item_id",
            "found_problem",
        )
    )
    draw_ids = {r[3] for r in results}
    risk = {
        (pk, s["label"]): s.get("risk_class", "*")
        for pk, strata in TargetDraw.objects.filter(pk__in=draw_ids).values_list("pk", "strata")
        for s in strata or []
    }
    members: dict[tuple[int, int], set[int]] = defaultdict(set)
    for sel, dept, insp in TeamMember.objects.filter(
        active=True,
        department__region__code__startswith=prefix,
        selection__draw__task__plan__year=year,
    ).values_list("selection_id", "department_id", "inspector_id"):
        members[(sel, dept)].add(insp)
    trials, rows = [], []
    by_inspector: dict[int, list[int]] = defaultdict(list)
    by_department: dict[int, list[int]] = defaultdict(list)
    for i, (ins, sel, dept, draw, label, item, problem) in enumerate(results):
        trials.append(stats.Trial(ins, risk.get((draw, label), "*"), item, bool(problem)))
        rows.append((ins, item))
        by_department[dept].append(i)
        for inspector in members.get((sel, dept), ()):
            by_inspector[inspector].append(i)
    return _Year(trials, rows, dict(by_inspector), dict(by_department))


def _rows(y: _Year, groups: dict[int, list[int]], names: dict[int, tuple[str, str, int]]) -> list[Row]:
    out = []
    for r in stats.expected_rates(y.trials, groups, strength=SHRINK_STRENGTH, leave_out=True):
        name, dept, dept_id = names.get(r.group, ("", "", None))
        out.append(
            Row(
                pk=r.group,
                name=name,
                department=dept,
                inspections=r.inspections,
                trials=r.trials,
                observed=r.observed,
                expected=r.expected,
                p=r.p,
                inspection_ids=sorted({y.trial_rows[i][0] for i in groups[r.group]}),
                department_id=dept_id,
            )
        )
    return out


def _adjust(rows: list[Row]) -> None:
    """BH over the rows at or above the minimum; flag where q ≤ α and fewer than expected."""
    tested = [r for r in rows if r.inspections >= MIN_INSPECTIONS]
    for r, q in zip(tested, stats.bh_adjust([r.p for r in tested]), strict=True):
        r.q = q
        r.flagged = q <= ALPHA and r.observed < r.expected


def _order(rows: list[Row]) -> list[Row]:
    return sorted(rows, key=lambda r: (not r.flagged, r.q is None, r.q or 1.0, r.p, r.department, r.name))


def jurisdiction_signals(prefix: str, year: int) -> Signals:
    """The whole jurisdiction's signals for the year (also what the return-visit weighting reads)."""
    return _signals(_year(prefix, year), year)


def _signals(y: _Year, year: int) -> Signals:
    inspectors = {
        pk: (name, dept, dept_id)
        for pk, name, dept, dept_id in Inspector.objects.filter(pk__in=list(y.by_inspector)).values_list(
            "pk", "name", "department__name", "department_id"
        )
    }
    departments = {
        pk: (name, name, pk)
        for pk, name in Department.objects.filter(pk__in=list(y.by_department)).values_list("pk", "name")
    }
    people = _rows(y, y.by_inspector, inspectors)
    depts = _rows(y, y.by_department, departments)
    _adjust(people)
    _adjust(depts)
    for d in depts:
        d.flagged_members = sum(1 for r in people if r.flagged and r.department_id == d.pk)
    return Signals(
        year=year,
        inspectors=_order(people),
        departments=_order(depts),
        trials=len(y.trials),
        problems=sum(t.problem for t in y.trials),
        alpha=ALPHA,
        minimum=MIN_INSPECTIONS,
        strength=SHRINK_STRENGTH,
        method=method_text(),
    )


def signals_for(user, year: int) -> Signals:
    """The signals of the user's jurisdiction, showing the inspectors and departments the user may
    see (the office: all of the jurisdiction; a department's head: its own)."""
    j = scope.jurisdiction(user)
    s = jurisdiction_signals(j.prefix, year)
    seen = set(scope.visible_to(Inspector, user).values_list("pk", flat=True))
    s.inspectors = [r for r in s.inspectors if r.pk in seen]
    if not j.is_office:
        s.departments = [r for r in s.departments if r.pk == j.department_id]
    return s


@dataclass
class TrialRow:
    inspection: int
    item: str
    stratum: str
    problem: bool
    expected: float

    @property
    def pct(self) -> str:
        return f"{self.expected:.1%}"


def inspector_detail(
    user, inspector_pk: int, year: int
) -> tuple[Inspector, Row | None, list[TrialRow]] | None:
    """One inspector's row and the records behind it: every trial, with its inspection (for the
    link to its 检查记录), item, stratum, outcome and expected rate. None when out of scope."""
    inspector = scope.visible_to(Inspector, user).select_related("department").filter(pk=inspector_pk).first()
    if inspector is None:
        return None
    j = scope.jurisdiction(user)
    y = _year(j.prefix, year)
    idx = y.by_inspector.get(inspector.pk, [])
    if not idx:
        return inspector, None, []
    row = next(r for r in _signals(y, year).inspectors if r.pk == inspector.pk)
    (res,) = stats.expected_rates(y.trials, {inspector.pk: idx}, strength=SHRINK_STRENGTH, leave_out=True)
    items = dict(Item.objects.filter(pk__in={y.trials[i].item for i in idx}).values_list("pk", "name"))
    trials = [
        TrialRow(
            inspection=y.trial_rows[i][0],
            item=items.get(y.trials[i].item, ""),
            stratum=STRATUM_LABELS.get(y.trials[i].stratum, str(y.trials[i].stratum)),
            problem=y.trials[i].problem,
            expected=rate,
        )
        for i, rate in zip(dict.fromkeys(idx), res.rates, strict=True)
    ]
    return inspector, row, trials


def flagged_inspections(prefix: str, year: int) -> set[int]:
    """The published inspections that flagged inspectors answered for: what a weighted return-visit
    draw samples more heavily (registered with followup/hooks.py; it gets no names, only these)."""
    s = jurisdiction_signals(prefix, year)
    return {pk for r in s.inspectors if r.flagged for pk in r.inspection_ids}


def visible_inspection_ids(user, ids: list[int]) -> set[int]:
    """Of these inspections, the ones whose 检查记录 the user may open (the links are only drawn
    for those)."""
    return set(scope.visible_to(Inspection, user).filter(pk__in=ids).values_list("pk", flat=True))
