"""The planning simulator: a pure engine, no Django (STYLE.md 5).

Given the directory's class mix (targets per credit-risk class), per-class ratios, per-class
problem rates and the inspectors' capacity, `predict` says what a plan gives: targets drawn,
coverage, inspector-days needed against those available, expected problems found. `suggest`
finds per-class ratios that reach the coverage goal within capacity and find the most problems.

Counting follows the draw exactly (draw/engine.py `quotas_by_ratio`): a class of n targets at
ratio r draws ceil(n·r), capped at n. Every target is visited by a team of `team_size`
inspectors (≥ 2, 行政处罚法 art. 42, R-DRAW-2), and one inspector covers `per_day` targets a
working day, so k targets need k·team_size/per_day inspector-days.

The optimiser works on integer counts: with the bounds turned into counts L_c ≤ k_c ≤ U_c,
every target weighs the same (team_size/per_day inspector-days) and is worth its class's
problem rate, so the best plan takes the lower bounds, then adds targets from the class with
the highest rate downwards — first up to the coverage goal, then, while a target still has a
chance to show a problem, up to capacity. Targets that can show nothing (rate 0) are not
added beyond the goal: inspecting them finds nothing and costs the enterprise a visit
(无事不扰, 国办发〔2024〕54号)."""

import math
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

CLASSES = ("A", "B", "C", "D")
CLASS_LABELS = {"A": "A类（低风险）", "B": "B类（一般风险）", "C": "C类（较高风险）", "D": "D类（高风险）"}

# Default bounds for the optimiser (R-PLAN-3; RULEBOOK gives no national range, so these are
# settings the page shows and lets the user change). They touch but never overlap, so any
# suggestion keeps 差异化监管: A ≤ B ≤ C ≤ D. A never goes above R-PLAN-3's 1% (无事不扰;
# 馆陶: 低风险主体大幅降低抽查比例); D never below its 30%.
DEFAULT_BOUNDS: dict[str, tuple[Fraction, Fraction]] = {
    "A": (Fraction(0), Fraction(1, 100)),
    "B": (Fraction(1, 100), Fraction(5, 100)),
    "C": (Fraction(5, 100), Fraction(30, 100)),
    "D": (Fraction(30, 100), Fraction(1)),
}


class SimulationError(ValueError):
    """Input the engine cannot work with; the message is Chinese and names the field."""


Number = int | str | Decimal | Fraction | float


def _frac(value: Number, name: str) -> Fraction:
    try:
        return Fraction(str(value)) if isinstance(value, float) else Fraction(value)
    except (ValueError, TypeError, ZeroDivisionError):
        raise SimulationError(f"{name}不是有效的数字") from None


def _share(value: Number, name: str) -> Fraction:
    f = _frac(value, name)
    if not 0 <= f <= 1:
        raise SimulationError(f"{name}应在 0 到 100% 之间")
    return f


@dataclass(frozen=True)
class Capacity:
    """Inspectors available, working days each can give, targets one inspector covers a day."""

    inspectors: int
    days: Fraction
    per_day: Fraction
    team_size: int = 2

    @classmethod
    def of(cls, inspectors: int, days: Number, per_day: Number, team_size: int = 2) -> "Capacity":
        if int(inspectors) != inspectors or inspectors < 0:
            raise SimulationError("执法检查人员数应为不小于 0 的整数")
        if int(team_size) != team_size or team_size < 2:
            raise SimulationError("每组执法人员不少于 2 名（行政处罚法第四十二条）")
        days_f, per_day_f = _frac(days, "可用工作日"), _frac(per_day, "每人每日检查户数")
        if days_f < 0:
            raise SimulationError("可用工作日不能为负数")
        if per_day_f <= 0:
            raise SimulationError("每人每日检查户数应大于 0")
        return cls(int(inspectors), days_f, per_day_f, int(team_size))

    @property
    def inspector_days(self) -> Fraction:
        return self.inspectors * self.days

    @property
    def max_targets(self) -> int:
        """The most targets these inspectors can visit; none if they cannot form one team."""
        if self.inspectors < self.team_size:
            return 0
        return math.floor(self.inspector_days * self.per_day / self.team_size)

    def days_needed(self, targets: int) -> Fraction:
        return Fraction(targets * self.team_size) / self.per_day


@dataclass(frozen=True)
class ClassRow:
    risk_class: str
    count: int
    ratio: Fraction
    selected: int
    problem_rate: Fraction

    @property
    def expected_problems(self) -> Fraction:
        return self.selected * self.problem_rate


@dataclass(frozen=True)
class Prediction:
    rows: tuple[ClassRow, ...]
    capacity: Capacity
    goal: int

    @property
    def population(self) -> int:
        return sum(r.count for r in self.rows)

    @property
    def selected(self) -> int:
        return sum(r.selected for r in self.rows)

    @property
    def coverage(self) -> Fraction:
        return Fraction(self.selected, self.population) if self.population else Fraction(0)

    @property
    def meets_goal(self) -> bool:
        return self.selected >= self.goal

    @property
    def days_needed(self) -> Fraction:
        return self.capacity.days_needed(self.selected)

    @property
    def days_available(self) -> Fraction:
        return self.capacity.inspector_days

    @property
    def within_capacity(self) -> bool:
        return self.selected <= self.capacity.max_targets

    @property
    def feasible(self) -> bool:
        return self.meets_goal and self.within_capacity

    @property
    def expected_problems(self) -> Fraction:
        return sum((r.expected_problems for r in self.rows), Fraction(0))


def selected_at(count: int, ratio: Fraction) -> int:
    """As the draw counts it: ceil(n·r), at most n."""
    return min(count, math.ceil(count * ratio))


def _clean(counts: Mapping[str, int], rates: Mapping[str, Number]) -> tuple[dict, dict]:
    unknown = (set(counts) | set(rates)) - set(CLASSES)
    if unknown:
        raise SimulationError(f"信用风险分类只有 A、B、C、D 四类（收到：{'、'.join(sorted(unknown))}）")
    n = {}
    for c in CLASSES:
        v = counts.get(c, 0)
        if int(v) != v or v < 0:
            raise SimulationError(f"{c} 类对象数应为不小于 0 的整数")
        n[c] = int(v)
    p = {c: _share(rates.get(c, 0), f"{c} 类问题发现率") for c in CLASSES}
    return n, p


def predict(
    *,
    counts: Mapping[str, int],
    ratios: Mapping[str, Number],
    rates: Mapping[str, Number],
    capacity: Capacity,
    goal: int = 0,
) -> Prediction:
    """What a plan with these per-class ratios gives."""
    n, p = _clean(counts, rates)
    if set(ratios) - set(CLASSES):
        raise SimulationError("抽查比例只能按 A、B、C、D 四类设置")
    r = {c: _share(ratios.get(c, 0), f"{c} 类抽查比例") for c in CLASSES}
    if goal < 0:
        raise SimulationError("覆盖目标户数不能为负数")
    rows = tuple(ClassRow(c, n[c], r[c], selected_at(n[c], r[c]), p[c]) for c in CLASSES)
    return Prediction(rows, capacity, int(goal))


@dataclass(frozen=True)
class Suggestion:
    feasible: bool
    reasons: tuple[str, ...]
    ratios: dict[str, Fraction]
    prediction: Prediction | None
    bounds: dict[str, tuple[Fraction, Fraction]]


def count_bounds(count: int, lo: Fraction, hi: Fraction) -> tuple[int, int]:
    """The counts a ratio in [lo, hi] can draw from a class of `count`."""
    return selected_at(count, lo), selected_at(count, hi)


def ratio_for(count: int, k: int, lo: Fraction, hi: Fraction) -> Fraction:
    """A ratio in [lo, hi] that draws exactly k of `count` (k between the count bounds)."""
    if count == 0:
        return lo
    r = min(hi, max(lo, Fraction(k, count)))
    assert selected_at(count, r) == k
    return r


def suggest(
    *,
    counts: Mapping[str, int],
    rates: Mapping[str, Number],
    capacity: Capacity,
    goal: int,
    bounds: Mapping[str, tuple[Number, Number]] | None = None,
) -> Suggestion:
    """Per-class ratios within `bounds` that draw at least `goal` targets, fit the capacity and
    maximise expected problems found (ties: fewer visits, then the higher-risk class)."""
    n, p = _clean(counts, rates)
    b = {}
    for c in CLASSES:
        lo, hi = (bounds or DEFAULT_BOUNDS).get(c, DEFAULT_BOUNDS[c])
        lo, hi = _share(lo, f"{c} 类比例下限"), _share(hi, f"{c} 类比例上限")
        if lo > hi:
            raise SimulationError(f"{c} 类比例下限高于上限")
        b[c] = (lo, hi)
    if goal < 0:
        raise SimulationError("覆盖目标户数不能为负数")
    limits = {c: count_bounds(n[c], *b[c]) for c in CLASSES}
    low = sum(lo for lo, _ in limits.values())
    high = sum(hi for _, hi in limits.values())
    cap = capacity.max_targets
    reasons = []
    if capacity.inspectors < capacity.team_size and max(low, goal) > 0:
        reasons.append(
            f"执法检查人员 {capacity.inspectors} 名，不足一个检查组（每组 {capacity.team_size} 名）"
        )
    if high < goal:
        reasons.append(f"各类比例取上限也只能抽查 {high} 户，达不到覆盖目标 {goal} 户：请提高比例上限")
    need = max(low, goal)
    if need > cap:
        reasons.append(
            f"至少需抽查 {need} 户（{'覆盖目标' if goal >= low else '各类比例下限合计'}），"
            f"需 {_days(capacity.days_needed(need))} 人·天，现有 {_days(capacity.inspector_days)} 人·天，"
            f"最多可查 {cap} 户：请增加检查人员或工作日，或降低比例下限"
        )
    if reasons:
        return Suggestion(False, tuple(reasons), {}, None, b)
    k = {c: limits[c][0] for c in CLASSES}
    # Highest rate first; on equal rates the higher-risk class (D before A).
    order = sorted(CLASSES, key=lambda c: (-p[c], -CLASSES.index(c)))
    total = low
    for c in order:  # reach the goal with the most promising targets
        add = min(limits[c][1] - k[c], max(goal - total, 0))
        k[c] += add
        total += add
    for c in order:  # then, while capacity lasts, every target that may show a problem
        if p[c] == 0:
            break
        add = min(limits[c][1] - k[c], cap - total)
        k[c] += add
        total += add
    ratios = {c: ratio_for(n[c], k[c], *b[c]) for c in CLASSES}
    return Suggestion(
        True, (), ratios, predict(counts=n, ratios=ratios, rates=p, capacity=capacity, goal=goal), b
    )


def _days(x: Fraction) -> str:
    return f"{math.ceil(x):,}"
