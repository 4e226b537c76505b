import itertools
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shuangsuiji.draw import engine
from shuangsuiji.draw.engine import Candidate, DrawError

SEEDS = [engine.sha256(f"seed-{i}".encode()) for i in range(3000)]

# Pearson χ² critical values at p = 0.001 (a fixed list of seeds: the test is deterministic).
CHI2_999 = {9: 27.877, 14: 36.123}


@given(st.binary(min_size=32, max_size=32), st.integers(min_value=1, max_value=500), st.data())
def test_positions_distinct_in_range_and_deterministic(seed, n, data):
    k = data.draw(st.integers(min_value=0, max_value=n))
    got = engine.select_positions(seed, "S", n, k)
    assert len(got) == k == len(set(got))
    assert all(0 <= p < n for p in got)
    assert got == engine.select_positions(seed, "S", n, k)
    if k == n:
        assert sorted(got) == list(range(n))


def test_quota_above_size_refused():
    with pytest.raises(DrawError, match="大于对象数"):
        engine.select_positions(bytes(32), "S", 3, 4)


def test_label_and_purpose_separate_streams():
    seed = bytes(32)
    assert engine.select_positions(seed, "S1", 1000, 5) != engine.select_positions(seed, "S2", 1000, 5)
    assert engine.select_positions(seed, "S1", 1000, 5) != engine.select_positions(
        seed, "S1", 1000, 5, purpose="ssj-return-visit-v1"
    )


def test_every_position_equally_likely():
    counts = [0] * 10
    for seed in SEEDS:
        for p in engine.select_positions(seed, "S", 10, 3):
            counts[p] += 1
    assert engine.chi_square(counts) < CHI2_999[9]


def _pair_counts(selector):
    pairs = {p: 0 for p in itertools.combinations(range(6), 2)}
    for seed in SEEDS:
        pairs[tuple(sorted(selector(seed)))] += 1
    return list(pairs.values())


def test_every_pair_equally_likely():
    assert engine.chi_square(_pair_counts(lambda s: engine.select_positions(s, "S", 6, 2))) < CHI2_999[14]


def test_a_systematic_skip_fails_the_same_test():
    """Systematic sampling (a random start, then every n/k-th) gives each position the same
    chance but never picks most pairs: the pair test catches it."""

    def systematic(seed):
        start = engine.Stream(seed, "ssj-positions-v1", "S").below(6)
        return [start, (start + 3) % 6]

    assert engine.chi_square(_pair_counts(systematic)) > CHI2_999[14]


def test_a_skewed_selector_fails_the_position_test():
    """A selector that favours low positions (the smaller of two draws) is caught."""
    counts = [0] * 10
    for seed in SEEDS:
        s = engine.Stream(seed, "ssj-positions-v1", "S")
        counts[min(s.below(10), s.below(10))] += 1
    assert engine.chi_square(counts) > CHI2_999[9]


def test_rejection_sampling_rejects_the_incomplete_tail(monkeypatch):
    s = engine.Stream(bytes(32), "p", "L")
    blocks = iter([(1 << 256) - 1, 5])  # the first lies in the incomplete tail for m = 3
    monkeypatch.setattr(s, "block", lambda: next(blocks))
    assert s.below(3) == 2


def test_seed_depends_on_every_input():
    base = dict(
        draw_id="d",
        secret_hex="11" * 32,
        pool_root_hex="22" * 32,
        reveals=[engine.Reveal("见证人1", "1", "aa")],
        public_value="",
    )
    seed = engine.derive_seed(**base)
    for change in (
        {"draw_id": "e"},
        {"secret_hex": "12" * 32},
        {"pool_root_hex": "23" * 32},
        {"reveals": [engine.Reveal("见证人1", "2", "aa")]},
        {"reveals": [engine.Reveal("见证人1", "1", "ab")]},
        {"public_value": "x"},
    ):
        assert engine.derive_seed(**{**base, **change}) != seed


def test_quotas_round_up_and_split_by_largest_remainder():
    assert engine.quotas_by_ratio(
        {"A": 41, "B": 100, "C": 0}, {"A": Decimal("0.03"), "B": Decimal("0.3"), "C": Decimal("0.1")}
    ) == {"A": 2, "B": 30, "C": 0}
    assert engine.quotas_by_ratio({"D": 3}, {"D": Decimal("1")}) == {"D": 3}
    with pytest.raises(DrawError):
        engine.quotas_by_ratio({"A": 1}, {"A": Decimal("1.5")})
    assert engine.quotas_by_total({"A": 50, "B": 30, "C": 20}, 7) == {"A": 4, "B": 2, "C": 1}
    assert engine.quotas_by_total({"A": 5}, 9) == {"A": 5}
    q = engine.quotas_by_total({"A": 3333, "B": 3333, "C": 3334}, 100)
    assert sum(q.values()) == 100


def _candidates():
    return [
        Candidate("c1", frozenset({"食品安全"})),
        Candidate("c2", frozenset()),
        Candidate("c3", frozenset({"特种设备"})),
        Candidate("c4", frozenset()),
        Candidate("e1", frozenset({"特种设备", "食品安全"}), is_expert=True),
    ]


def test_team_covers_specialties_and_never_counts_experts():
    load: dict[str, int] = {}
    team = engine.draw_team(
        bytes(32),
        target_key="T1",
        department="市场监管",
        candidates=_candidates(),
        required=["食品安全", "特种设备"],
        size=2,
        load=load,
    )
    assert {m.key for m in team} == {"c1", "c3"}
    assert load == {"c1": 1, "c3": 1}


def test_team_failures_name_what_is_missing():
    with pytest.raises(DrawError, match="“消防监督”专长"):
        engine.draw_team(
            bytes(32),
            target_key="T1",
            department="市场监管",
            candidates=_candidates(),
            required=["消防监督"],
            size=2,
            load={},
        )
    with pytest.raises(DrawError, match="只有 1 名"):
        engine.draw_team(
            bytes(32),
            target_key="T1",
            department="市场监管",
            candidates=_candidates()[:1] + _candidates()[4:],
            required=[],
            size=2,
            load={},
        )
    with pytest.raises(DrawError, match="至少 2 名"):
        engine.draw_team(
            bytes(32),
            target_key="T1",
            department="市场监管",
            candidates=_candidates(),
            required=[],
            size=1,
            load={},
        )


def test_workload_spreads_evenly():
    cands = [Candidate(f"c{i}") for i in range(6)]
    load: dict[str, int] = {}
    for t in range(30):
        engine.draw_team(
            engine.sha256(b"s"),
            target_key=f"T{t}",
            department="D",
            candidates=cands,
            required=[],
            size=2,
            load=load,
        )
    assert set(load.values()) == {10}


def test_team_is_deterministic_and_seed_dependent():
    def team(seed):
        return [
            m.key
            for m in engine.draw_team(
                seed,
                target_key="T",
                department="D",
                candidates=[Candidate(f"c{i}") for i in range(8)],
                required=[],
                size=2,
                load={},
            )
        ]

    assert team(bytes(32)) == team(bytes(32))
    assert len({tuple(team(engine.sha256(bytes([i])))) for i in range(20)}) > 5
