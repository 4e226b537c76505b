"""The careless-inspection arithmetic (warning/stats.py) against direct enumeration and hand sums."""

import itertools
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shuangsuiji.warning import stats

RATES = [0.05, 0.1, 0.2, 0.3, 0.45, 0.6, 0.15, 0.8]  # distinct, as a team's cells would be


def _enumerate(rates):
    """P(X = k) by summing the probability of every one of the 2ⁿ outcomes."""
    pmf = [0.0] * (len(rates) + 1)
    for outcome in itertools.product((0, 1), repeat=len(rates)):
        pr = math.prod(p if hit else 1 - p for p, hit in zip(rates, outcome, strict=True))
        pmf[sum(outcome)] += pr
    return pmf


def test_pmf_equals_the_enumeration_of_all_outcomes():
    brute = _enumerate(RATES)
    assert stats.poisson_binomial_pmf(RATES) == pytest.approx(brute, abs=1e-15)
    assert sum(brute) == pytest.approx(1.0)


def test_lower_tail_equals_the_enumeration_for_every_count():
    brute = _enumerate(RATES)
    for k in range(-1, len(RATES) + 2):
        assert stats.lower_tail(RATES, k) == pytest.approx(sum(brute[: max(k + 1, 0)]), abs=1e-15), k


def test_a_constructed_case_with_a_known_p_value():
    # Four trials at 0.5 and nothing found: P(X ≤ 0) = 1/16, exactly.
    assert stats.lower_tail([0.5] * 4, 0) == 0.0625
    # Three trials at 0.2, 0.5, 0.9, one problem found: P(0) = .8·.5·.1 = .04,
    # P(1) = .2·.5·.1 + .8·.5·.1 + .8·.5·.9 = .01 + .04 + .36 = .41 → P(X ≤ 1) = .45
    assert stats.lower_tail([0.2, 0.5, 0.9], 1) == pytest.approx(0.45, abs=1e-15)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(min_value=0, max_value=1), min_size=0, max_size=9), st.integers(-1, 10))
def test_lower_tail_matches_enumeration_for_any_rates(rates, k):
    brute = _enumerate(rates)
    assert stats.lower_tail(rates, k) == pytest.approx(sum(brute[: max(k + 1, 0)]), abs=1e-12)


def test_rates_outside_zero_to_one_are_refused_in_chinese():
    with pytest.raises(ValueError, match="第 2 个预期比率"):
        stats.lower_tail([0.5, 1.5], 0)


def test_benjamini_hochberg_against_a_hand_computed_example():
    # m = 5; sorted p: .005 .01 .03 .04 .5 → p·m/rank: .025 .025 .05 .05 .5; running minimum from
    # the top keeps them (each is below the next); returned in the input's order.
    p = [0.04, 0.005, 0.5, 0.01, 0.03]
    assert stats.bh_adjust(p) == pytest.approx([0.05, 0.025, 0.5, 0.025, 0.05])
    # the running minimum matters: .02·3/2 = .03 > .025 = .025·3/3, so the second takes .025
    assert stats.bh_adjust([0.001, 0.02, 0.025]) == pytest.approx([0.003, 0.025, 0.025])
    assert stats.bh_adjust([0.9, 0.8]) == pytest.approx([0.9, 0.9])
    assert stats.bh_adjust([]) == []


def test_shrinking_a_small_cell_toward_its_parent():
    assert stats.shrunk_rate(0, 0, 0.2, 10) == 0.2
    assert stats.shrunk_rate(10, 5, 0.2, 10) == pytest.approx((5 + 2) / 20)
    assert stats.shrunk_rate(10_000, 5_000, 0.2, 10) == pytest.approx(0.5, abs=1e-3)


def test_a_group_is_measured_against_the_others_and_a_team_result_counts_once():
    T = stats.Trial
    trials = [T(i, "A", "x", problem=i % 2 == 0) for i in range(10)]  # the others: 5 of 10
    trials += [T(100 + i, "A", "x", problem=False) for i in range(6)]  # the careless one: 0 of 6
    groups = {"careless": [10, 11, 12, 13, 14, 15, 15], "others": list(range(10))}
    res = {r.group: r for r in stats.expected_rates(trials, groups, strength=0, leave_out=True)}
    c = res["careless"]
    assert (c.inspections, c.trials, c.observed) == (6, 6, 0)  # index 15 listed twice, counted once
    assert c.rates == pytest.approx((0.5,) * 6)  # only the others' results set his expectation
    assert c.expected == pytest.approx(3.0)
    assert c.p == pytest.approx(0.5**6)
    # without leaving out, his own zeros pull the cell down to 5/16
    res = {r.group: r for r in stats.expected_rates(trials, groups, strength=0, leave_out=False)}
    assert res["careless"].rates[0] == pytest.approx(5 / 16)
