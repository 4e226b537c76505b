"""The planning simulator's engine: predictions counted as the draw counts, and suggestions that
meet the goal within capacity, are refused when nothing can, and are never beaten by brute force."""

import itertools
import math
from fractions import Fraction as F

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shuangsuiji.draw import engine as draw_engine
from shuangsuiji.planning import simulator as sim
from shuangsuiji.planning.simulator import CLASSES, Capacity, SimulationError, predict, suggest


def test_prediction_counts_as_the_draw_does():
    counts = {"A": 1000, "B": 4100, "C": 700, "D": 41}
    ratios = {"A": "0.01", "B": "0.03", "C": "0.10", "D": "0.30"}
    rates = {"A": "0.02", "B": "0.1", "C": "0.25", "D": "0.5"}
    cap = Capacity.of(inspectors=20, days=10, per_day=3)
    p = predict(counts=counts, ratios=ratios, rates=rates, capacity=cap, goal=180)
    from decimal import Decimal

    quotas = draw_engine.quotas_by_ratio(counts, {c: Decimal(r) for c, r in ratios.items()})
    assert {r.risk_class: r.selected for r in p.rows} == quotas == {"A": 10, "B": 123, "C": 70, "D": 13}
    assert p.selected == 216 and p.population == 5841
    assert p.coverage == F(216, 5841) and p.meets_goal
    assert p.days_needed == F(216 * 2, 3) == 144 and p.days_available == 200 and p.within_capacity
    assert p.expected_problems == F(10 * 2, 100) + F(123, 10) + F(70, 4) + F(13, 2)
    tight = predict(counts=counts, ratios=ratios, rates=rates, capacity=Capacity.of(20, 7, 3), goal=180)
    assert tight.days_needed > tight.days_available and not tight.within_capacity and not tight.feasible


def test_bad_input_is_refused_in_chinese():
    cap = Capacity.of(4, 10, 3)
    with pytest.raises(SimulationError, match="不少于 2 名"):
        Capacity.of(4, 10, 3, team_size=1)
    with pytest.raises(SimulationError, match="大于 0"):
        Capacity.of(4, 10, 0)
    with pytest.raises(SimulationError, match="0 到 100%"):
        predict(counts={"A": 10}, ratios={"A": "1.5"}, rates={}, capacity=cap)
    with pytest.raises(SimulationError, match="A、B、C、D"):
        predict(counts={"E": 10}, ratios={}, rates={}, capacity=cap)
    with pytest.raises(SimulationError, match="不是有效的数字"):
        predict(counts={"A": 10}, ratios={"A": "abc"}, rates={}, capacity=cap)
    with pytest.raises(SimulationError, match="下限高于上限"):
        suggest(counts={"A": 10}, rates={}, capacity=cap, goal=1, bounds={"A": ("0.5", "0.1")})


def test_default_bounds_keep_the_risk_order():
    b = sim.DEFAULT_BOUNDS
    assert b["A"][1] <= b["B"][0] and b["B"][1] <= b["C"][0] and b["C"][1] <= b["D"][0]
    assert b["A"] == (0, F(1, 100))  # 无事不扰: never above R-PLAN-3's 1%


def test_suggestion_fills_the_most_promising_classes_first():
    counts = {"A": 1000, "B": 4000, "C": 600, "D": 100}
    rates = {"A": "0.01", "B": "0.05", "C": "0.2", "D": "0.4"}
    s = suggest(counts=counts, rates=rates, capacity=Capacity.of(10, 20, 3), goal=150)
    # capacity: 10·20·3/2 = 300 targets. Lower bounds: A 0, B 40, C 30, D 30 = 100.
    assert s.feasible and s.prediction.selected == 300
    rows = {r.risk_class: r.selected for r in s.prediction.rows}
    assert rows == {"A": 0, "B": 40, "C": 160, "D": 100}
    assert all(s.bounds[c][0] <= s.ratios[c] <= s.bounds[c][1] for c in CLASSES)


def test_classes_that_show_nothing_are_not_visited_beyond_the_goal():
    counts = {"A": 1000, "B": 1000, "C": 100, "D": 10}
    s = suggest(counts=counts, rates={"D": "0.5"}, capacity=Capacity.of(50, 50, 3), goal=30)
    rows = {r.risk_class: r.selected for r in s.prediction.rows}
    assert rows == {"A": 0, "B": 10, "C": 10, "D": 10} and s.prediction.selected == 30


def test_infeasible_reasons():
    counts = {"A": 1000, "B": 4000, "C": 600, "D": 100}
    s = suggest(counts=counts, rates={}, capacity=Capacity.of(10, 5, 2), goal=100)
    assert not s.feasible and s.prediction is None
    assert any("现有 50 人·天" in r and "最多可查 50 户" in r for r in s.reasons)
    s = suggest(counts={"A": 100}, rates={}, capacity=Capacity.of(10, 50, 3), goal=5)
    assert not s.feasible and any("达不到覆盖目标 5 户" in r for r in s.reasons)
    s = suggest(counts=counts, rates={}, capacity=Capacity.of(1, 100, 3), goal=10)
    assert not s.feasible and any("不足一个检查组" in r for r in s.reasons)


# ---- properties ------------------------------------------------------------------------------

shares = st.fractions(min_value=0, max_value=1, max_denominator=20)


@st.composite
def problems(draw):
    counts = {c: draw(st.integers(0, 8)) for c in CLASSES}
    rates = {c: draw(shares) for c in CLASSES}
    bounds = {}
    for c in CLASSES:
        a, b = draw(shares), draw(shares)
        bounds[c] = (min(a, b), max(a, b))
    cap = Capacity.of(
        draw(st.integers(0, 6)),
        draw(st.integers(0, 4)),
        draw(st.sampled_from([1, 2, 3, F(5, 2)])),
        draw(st.sampled_from([2, 3])),
    )
    goal = draw(st.integers(0, 30))
    return counts, rates, bounds, cap, goal


def _candidate_ratios(n: int, lo: F, hi: F) -> list[F]:
    """Every ratio in [lo, hi] that draws a different count: the bounds and each k/n inside."""
    return sorted({lo, hi} | {F(k, n) for k in range(n + 1) if n and lo <= F(k, n) <= hi})


@settings(max_examples=200, deadline=None)
@given(problems())
def test_suggestion_is_feasible_and_optimal_against_brute_force(case):
    counts, rates, bounds, cap, goal = case
    s = suggest(counts=counts, rates=rates, capacity=cap, goal=goal, bounds=bounds)
    best = None
    for combo in itertools.product(*(_candidate_ratios(counts[c], *bounds[c]) for c in CLASSES)):
        p = predict(
            counts=counts, ratios=dict(zip(CLASSES, combo, strict=True)), rates=rates, capacity=cap, goal=goal
        )
        if p.feasible and (best is None or p.expected_problems > best):
            best = p.expected_problems
    if best is None:
        assert not s.feasible and s.reasons and s.prediction is None
        return
    assert s.feasible, s.reasons
    p = s.prediction
    assert p.meets_goal and p.within_capacity and p.days_needed <= p.days_available
    assert all(bounds[c][0] <= s.ratios[c] <= bounds[c][1] for c in CLASSES)
    assert p.expected_problems == best  # nothing feasible finds more
    # The suggested ratios draw what the suggestion says, counted as the draw counts.
    again = predict(counts=counts, ratios=s.ratios, rates=rates, capacity=cap, goal=goal)
    assert again.selected == p.selected


@settings(max_examples=200, deadline=None)
@given(n=st.integers(0, 10**6), lo=shares, hi=shares)
def test_ratio_for_draws_exactly_the_count(n, lo, hi):
    lo, hi = min(lo, hi), max(lo, hi)
    kl, kh = sim.count_bounds(n, lo, hi)
    for k in {kl, kh, (kl + kh) // 2}:
        r = sim.ratio_for(n, k, lo, hi)
        assert lo <= r <= hi and sim.selected_at(n, r) == k == min(n, math.ceil(n * r))
