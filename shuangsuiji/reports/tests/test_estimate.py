"""The stratified estimator against hand computation, a census, and simulation."""

import math
import random

import pytest

from shuangsuiji.reports.estimate import Z95, Stratum, stratified


def test_a_hand_computed_case():
    # N = 1000 + 3000; n = 20, 30; y = 2, 9
    e = stratified([Stratum("A", 1000, 20, 2), Stratum("B", 3000, 30, 9)])
    w_a, w_b = 0.25, 0.75
    rate = w_a * 0.1 + w_b * 0.3
    var = w_a**2 * (1 - 20 / 1000) * 0.1 * 0.9 / 19 + w_b**2 * (1 - 30 / 3000) * 0.3 * 0.7 / 29
    assert e.rate == pytest.approx(rate) and e.se == pytest.approx(math.sqrt(var))
    assert (e.low, e.high) == pytest.approx((rate - Z95 * math.sqrt(var), rate + Z95 * math.sqrt(var)))
    assert (e.population, e.inspected, e.problems, e.missing) == (4000, 50, 11, ())
    assert e.expected_problems == pytest.approx(rate * 4000)


def test_a_census_has_no_sampling_error():
    e = stratified([Stratum("A", 10, 10, 3), Stratum("B", 5, 5, 0)])
    assert e.rate == pytest.approx(3 / 15) and e.se == 0 and e.low == e.high == pytest.approx(0.2)


def test_strata_without_inspections_are_named_and_left_out():
    e = stratified([Stratum("A", 100, 0, 0), Stratum("B", 300, 10, 2), Stratum("D", 0, 0, 0)])
    assert e.population == 300 and e.missing == ("A",) and e.rate == pytest.approx(0.2)
    assert stratified([Stratum("A", 100, 0, 0)]) is None


def test_one_inspected_target_borrows_the_worst_case_variance():
    e = stratified([Stratum("A", 50, 1, 0)])
    assert e.rate == 0 and e.se == pytest.approx(math.sqrt((1 - 1 / 50) * 0.25)) and e.high > 0


def test_no_problem_found_still_leaves_uncertainty():
    e = stratified([Stratum("A", 1000, 40, 0)])
    q = 0.5 / 41
    assert e.rate == 0 and e.se == pytest.approx(math.sqrt((1 - 40 / 1000) * q * (1 - q) / 39))
    assert e.low == 0 < e.high


def test_impossible_counts_are_refused():
    with pytest.raises(ValueError, match="分层 B"):
        stratified([Stratum("A", 10, 2, 1), Stratum("B", 10, 3, 4)])
    with pytest.raises(ValueError):
        stratified([Stratum("A", 10, 11, 0)])


def test_the_interval_covers_the_truth_about_95_percent_of_the_time():
    """Draw stratified samples from a known population many times: the 95 % interval holds the
    true rate in roughly 95 % of them (a wrong variance formula misses by far)."""
    rng = random.Random(20261123)
    pops = {"A": [1] * 30 + [0] * 970, "B": [1] * 300 + [0] * 2700, "C": [1] * 250 + [0] * 750}
    n = {"A": 40, "B": 90, "C": 60}
    truth = sum(sum(v) for v in pops.values()) / sum(len(v) for v in pops.values())
    runs, hits = 2000, 0
    for _ in range(runs):
        e = stratified([Stratum(k, len(v), n[k], sum(rng.sample(v, n[k]))) for k, v in pops.items()])
        hits += e.low <= truth <= e.high
    assert 0.92 <= hits / runs <= 0.975


# ---- the page, over issue 5's scenario ---------------------------------------------------------


@pytest.mark.django_db
def test_the_page_estimates_each_drawn_task_from_its_sample(scenario, client_for):
    import re

    from shuangsuiji.reports.estimate import strata_of
    from shuangsuiji.reports.selectors import estimate_counts

    w = scenario
    # T1: M alone, 10 drawn, 8 finished, problems at 2
    counts = estimate_counts([w.draws["T1"].pk])[w.draws["T1"].pk]
    assert sum(n for n, _ in counts.values()) == 8 and sum(b for _, b in counts.values()) == 2
    # T3, joint: a target counts once both M and H finished (5), with a problem if either found one (2)
    counts = estimate_counts([w.draws["T3"].pk])[w.draws["T3"].pk]
    assert sum(n for n, _ in counts.values()) == 5 and sum(b for _, b in counts.values()) == 2
    e = stratified(strata_of(w.draws["T3"].strata, counts))
    assert e.inspected == 5 and e.problems == 2

    page = client_for(w.office).get("/reports/estimates/?year=2026&month=6").content.decode()
    for key in ("T1", "T2", "T3", "T4"):
        assert f'data-draw="{w.draws[key].public_id}"' in page
    row = page.split(f'data-draw="{w.draws["T3"].public_id}"')[1].split("</tr>")[0]
    assert re.search(r"data-rate>([\d.]+)%", row).group(1) == f"{e.rate * 100:.1f}"
    # the voided first draw of T5 is not there; its redraw has nothing inspected yet
    assert "尚无完成的检查，暂不能推断" in page
    # a department sees only the tasks it took part in
    h_page = client_for(w.b_admin).get("/reports/estimates/?year=2026&month=6").content.decode()
    assert w.draws["T3"].public_id in h_page and w.draws["T1"].public_id not in h_page
