"""The team draw: an outsider's implementation of docs/draw-spec.md §7 (both versions) against the
§10 vectors; the fast v1 drawer against `draw_team` itself; v2's fairness and hard rules; and the
service: new records drawn under v2 with their inputs recorded, re-derived by the verifier, old
v1 records still replaced and verified under v1."""

import hashlib
import hmac
import json
import re
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from hypothesis import given, settings
from hypothesis import strategies as st

from shuangsuiji.draw import engine, services
from shuangsuiji.draw.engine import Candidate, DrawError
from shuangsuiji.draw.models import TeamMember
from shuangsuiji.draw.records import public_record
from shuangsuiji.draw.verify import check_teams, verify_record

from .conftest import full_draw

SPEC = Path(__file__).resolve().parents[3] / "docs" / "draw-spec.md"
T = json.loads(re.findall(r"```json\n(.*?)\n```", SPEC.read_text(encoding="utf-8"), re.S)[1])


# ---- an outsider's implementation, from §6 and §7 alone ----


def enc(*fields):
    return b"".join(len(f.encode()).to_bytes(4, "big") + f.encode() for f in fields)


def mac(seed, msg):
    return hmac.new(seed, msg, hashlib.sha256).digest()


class Below:
    def __init__(self, seed, prefix):
        self.seed, self.prefix, self.j = seed, prefix, 0

    def __call__(self, m):
        while True:
            x = int.from_bytes(mac(self.seed, self.prefix + self.j.to_bytes(8, "big")), "big")
            self.j += 1
            if x < 2**256 - 2**256 % m:
                return x % m


def outsider_teams(version, v):
    seed, dept = bytes.fromhex(v["seed"]), v["department"]
    specs = {c["key"]: set(c["specialties"]) for c in v["candidates"]}
    load = dict.fromkeys(specs, 0)
    out = []
    for target in v["targets"]:
        cands = [k for k in specs if k not in v["barred"].get(target, [])]
        below = Below(seed, enc("ssj-team-v2", target, dept))

        def take(ok, team, target=target, cands=cands, below=below):
            fit = [k for k in cands if ok(k) and k not in team]
            if not fit:
                return None
            if version == 1:
                return min(fit, key=lambda k: (load[k], mac(seed, enc("ssj-team-v1", target, dept, k))))
            low = min(load[k] for k in fit)
            group = sorted((k for k in fit if load[k] == low), key=str.encode)
            return group[below(len(group))]

        team = []
        for spec in v["required"]:
            if not any(spec in specs[m] for m in team):
                team.append(take(lambda k, spec=spec: spec in specs[k], team))
        while len(team) < v["team_size"]:
            team.append(take(lambda k: True, team))
        for m in team:
            load[m] += 1
        out.append(team)
    return out


def test_outsider_reproduces_the_team_vectors():
    assert outsider_teams(1, T) == T["teams_v1"]
    assert outsider_teams(2, T) == T["teams_v2"]
    r = T["replacement_v2"]
    specs = {c["key"]: set(c["specialties"]) for c in T["candidates"]}
    fit = [
        k
        for k in specs
        if k != r["recused"] and k not in r["team_left"] and all(m in specs[k] for m in r["missing"])
    ]
    low = min(r["load"].get(k, 0) for k in fit)
    group = sorted((k for k in fit if r["load"].get(k, 0) == low), key=str.encode)
    below = Below(
        bytes.fromhex(T["seed"]), enc("ssj-team-replace-v2", r["target"], T["department"], r["recused"])
    )
    assert group[below(len(group))] == r["pick"]


def _cands(v):
    return [Candidate(c["key"], frozenset(c["specialties"])) for c in v["candidates"]]


@pytest.mark.parametrize("spec", [engine.TEAM_V1, engine.TEAM_V2])
def test_engine_reproduces_the_team_vectors(spec):
    d = engine.team_drawer(spec, bytes.fromhex(T["seed"]), T["department"], _cands(T), T["required"], 2)
    got = [[m.key for m in d.draw(t, T["barred"].get(t, []))] for t in T["targets"]]
    assert got == T["teams_" + spec[-2:]]
    r = T["replacement_v2"]
    pick = engine.replacement_v2(
        bytes.fromhex(T["seed"]),
        target_key=r["target"],
        department=T["department"],
        recused_key=r["recused"],
        candidates=[c for c in _cands(T) if c.key != r["recused"] and c.key not in r["team_left"]],
        missing=r["missing"],
        load=r["load"],
    )
    assert pick.key == r["pick"]


def test_unknown_team_spec_refused():
    with pytest.raises(DrawError, match="未知的人员抽取规范版本"):
        engine.team_drawer("ssj-team-v9", bytes(32), "D", [], [], 2)


# ---- the fast v1 drawer is draw_team ----

_candidate = st.builds(
    lambda n, specs, expert: Candidate(f"冀{n:03d}", frozenset(specs), expert),
    st.integers(min_value=0, max_value=40),
    st.sets(st.sampled_from(["食品安全", "特种设备", "药品"]), max_size=2),
    st.sampled_from([False, False, False, True]),
)


@settings(max_examples=80, deadline=None)
@given(
    st.lists(_candidate, min_size=0, max_size=14, unique_by=lambda c: c.key),
    st.lists(st.sampled_from(["食品安全", "特种设备", "药品"]), max_size=2, unique=True),
    st.integers(min_value=1, max_value=3),
    st.lists(st.lists(st.integers(min_value=0, max_value=40), max_size=3), min_size=1, max_size=25),
    st.binary(min_size=32, max_size=32),
)
def test_fast_v1_drawer_gives_draw_teams_teams(cands, required, size, barred_by_target, seed):
    drawer = engine.TeamDrawer(seed, "市场监管", cands, required, size)
    load: dict[str, int] = {}
    for t, barred_ns in enumerate(barred_by_target):
        barred = {f"冀{n:03d}" for n in barred_ns}
        pool = [c for c in cands if c.key not in barred]
        try:
            want = [
                m.key
                for m in engine.draw_team(
                    seed,
                    target_key=f"T{t}",
                    department="市场监管",
                    candidates=pool,
                    required=required,
                    size=size,
                    load=load,
                )
            ]
        except DrawError as e:
            with pytest.raises(DrawError) as got:
                drawer.draw(f"T{t}", barred)
            assert str(got.value) == str(e)
            return
        assert [m.key for m in drawer.draw(f"T{t}", barred)] == want
    assert drawer.load == load


# ---- v2: fair among the least loaded, the same hard rules ----

SEEDS = [engine.sha256(f"team-seed-{i}".encode()) for i in range(3000)]
CHI2_999_DF5 = 20.515


def test_v2_each_least_loaded_candidate_equally_likely():
    cands = [Candidate(f"c{i}") for i in range(6)]
    counts = [0] * 6
    for seed in SEEDS:
        first = engine.TeamDrawerV2(seed, "D", cands, [], 2).draw("T")[0]
        counts[int(first.key[1:])] += 1
    assert engine.chi_square(counts) < CHI2_999_DF5


class _Favouring(engine.TeamDrawerV2):
    """A deliberately biased v2: one time in four it takes the first of the group in key order."""

    def _chooser(self, target_key):
        fair = super()._chooser(target_key)
        stream = engine.Stream.over(self._seed, "bias", target_key)
        return lambda group: group[0] if stream.below(4) == 0 else fair(group)


def test_a_biased_v2_fails_the_same_test():
    cands = [Candidate(f"c{i}") for i in range(6)]
    counts = [0] * 6
    for seed in SEEDS:
        counts[int(_Favouring(seed, "D", cands, [], 2).draw("T")[0].key[1:])] += 1
    assert engine.chi_square(counts) > CHI2_999_DF5


def test_v2_spreads_work_and_is_deterministic():
    cands = [Candidate(f"c{i}", frozenset({"食品安全"}) if i < 2 else frozenset()) for i in range(6)]
    d = engine.TeamDrawerV2(engine.sha256(b"s"), "D", cands, ["食品安全"], 2)
    teams = [[m.key for m in d.draw(f"T{t}")] for t in range(30)]
    assert all(any(k in ("c0", "c1") for k in team) for team in teams)
    food, others = [d.load["c0"], d.load["c1"]], [d.load.get(f"c{i}", 0) for i in range(2, 6)]
    assert max(food) - min(food) <= 1 and max(others) - min(others) <= 1 and sum(food + others) == 60
    again = engine.TeamDrawerV2(engine.sha256(b"s"), "D", cands, ["食品安全"], 2)
    assert [[m.key for m in again.draw(f"T{t}")] for t in range(30)] == teams
    other = engine.TeamDrawerV2(engine.sha256(b"t"), "D", cands, ["食品安全"], 2)
    assert [[m.key for m in other.draw(f"T{t}")] for t in range(30)] != teams


def test_v2_hard_rules_fail_with_the_same_messages():
    cands = [Candidate("c1", frozenset({"食品安全"})), Candidate("c2"), Candidate("e1", is_expert=True)]
    d = engine.TeamDrawerV2(bytes(32), "市场监管", cands, ["消防监督"], 2)
    with pytest.raises(DrawError, match="“消防监督”专长"):
        d.draw("T1")
    d = engine.TeamDrawerV2(bytes(32), "市场监管", cands, [], 2)
    with pytest.raises(DrawError, match="只有 1 名"):
        d.draw("T1", ["c2"])
    with pytest.raises(DrawError, match="至少 2 名"):
        engine.TeamDrawerV2(bytes(32), "市场监管", cands, [], 1).draw("T1")
    two = [
        Candidate("a", frozenset({"x"})),
        Candidate("b", frozenset({"y"})),
        Candidate("c", frozenset({"z"})),
    ]
    with pytest.raises(DrawError, match="覆盖全部专长需要 3 人"):
        engine.TeamDrawerV2(bytes(32), "市场监管", two, ["x", "y", "z"], 2).draw("T1")


# ---- the service ----


@pytest.mark.django_db
def test_new_teams_are_drawn_under_v2_recorded_and_re_derived(ready):
    w = ready
    draw = full_draw(w, w.joint)
    services.teams_draw(actor=w.a_admin, draw=draw)
    draw.refresh_from_db()
    assert services.team_spec(draw) == engine.TEAM_V2
    summary = draw.team_summary[w.dept_a.name]
    assert summary["spec"] == engine.TEAM_V2
    assert {c["key"] for c in summary["candidates"]} == {
        i.certificate_no for i in w.a_inspectors
    }  # the expiring one is not eligible
    rec = public_record(draw, internal=True)
    assert {d["department"] for d in rec["teams"]} == {w.dept_a.name, w.dept_b.name}
    assert "teams" not in public_record(draw, with_selection=True)  # the public record is unchanged
    checks = verify_record(rec)
    team_checks = [c for c in checks if "检查组" in c.name]
    assert len(team_checks) == 2 and all(c.ok for c in checks)
    call_command("verify_draw", draw.public_id)
    # a team changed in the database no longer re-derives
    m = TeamMember.objects.filter(selection__draw=draw, department=w.dept_a).order_by("pk").first()
    others = [
        i for i in w.a_inspectors if i.pk not in set(m.selection.team.values_list("inspector_id", flat=True))
    ]
    m.inspector = others[0]
    m.save()
    assert not all(c.ok for c in verify_record(public_record(draw, internal=True)))
    with pytest.raises(CommandError, match="核验不通过"):
        call_command("verify_draw", draw.public_id)


@pytest.mark.django_db
def test_conflicts_are_recorded_and_honoured_in_the_re_derivation(ready):
    from shuangsuiji.directory import services as directory

    w = ready
    draw = full_draw(w, w.task_a)
    sel = draw.selections.order_by("order").first()
    for i in w.a_inspectors[:3]:
        directory.conflict_add(actor=w.a_admin, inspector=i, target=sel.target, reason="近亲属")
    services.teams_draw(actor=w.a_admin, draw=draw)
    draw.refresh_from_db()
    barred = draw.team_summary[w.dept_a.name]["barred"]
    assert barred == {sel.key: sorted(i.certificate_no for i in w.a_inspectors[:3])}
    assert not set(sel.team.values_list("inspector_id", flat=True)) & {i.pk for i in w.a_inspectors[:3]}
    assert all(c.ok for c in verify_record(public_record(draw, internal=True)))


def test_a_v1_record_is_re_derived_under_v1():
    seed = bytes.fromhex(T["seed"])
    rec = {
        "department": T["department"],
        "spec": engine.TEAM_V1,
        "required": T["required"],
        "team_size": 2,
        "candidates": T["candidates"],
        "barred": T["barred"],
        "teams": [{"key": k, "team": team} for k, team in zip(T["targets"], T["teams_v1"], strict=True)],
    }
    got = []
    check_teams(seed, rec, lambda name, ok, detail="": got.append(ok))
    assert got == [True]
    rec["spec"] = engine.TEAM_V2  # the same teams are not what v2 draws
    check_teams(seed, rec, lambda name, ok, detail="": got.append(ok))
    assert got == [True, False]


@pytest.mark.django_db
def test_a_v1_record_keeps_v1_replacement(ready):
    """A record drawn before v2 carries no version: its recusal replacement follows v1's rule."""
    w = ready
    draw = full_draw(w, w.task_a)
    services.teams_draw(actor=w.a_admin, draw=draw)
    draw.refresh_from_db()
    for s in draw.team_summary.values():  # as a record of before v2 looks
        for k in ("spec", "candidates", "barred"):
            s.pop(k)
    draw.save(update_fields=["team_summary"])
    assert services.team_spec(draw) == engine.TEAM_V1
    assert "teams" not in public_record(draw, internal=True)
    member = TeamMember.objects.filter(selection__draw=draw, department=w.dept_a).order_by("pk").first()
    sel = member.selection
    team_now = set(sel.team.filter(active=True).values_list("inspector_id", flat=True))
    load: dict[str, int] = {}
    for cert in (
        TeamMember.objects.filter(selection__draw=draw, active=True, department=w.dept_a)
        .exclude(pk=member.pk)
        .values_list("inspector__certificate_no", flat=True)
    ):
        load[cert] = load.get(cert, 0) + 1
    held = {
        s
        for m in sel.team.filter(active=True).exclude(pk=member.pk)
        for s in services._candidate(m.inspector).specialties
    }
    missing = [r for r in services._requirements(w.task_a, w.dept_a) if r not in held]
    eligible, _ = services._eligibility(w.dept_a, w.task_a)
    cands = [services._candidate(i) for i in eligible if i.pk not in team_now]
    ordered = engine.team_order(bytes.fromhex(draw.seed), sel.key, w.dept_a.name, cands, load)
    expected = next(c for c in ordered if all(m in c.specialties for m in missing))
    req = services.recusal_request(actor=None, member=member, reason="曾在该企业任职")
    services.recusal_decide(actor=w.a_reviewer, request=req, approve=True)
    member.refresh_from_db()
    assert member.replaced_by.inspector.certificate_no == expected.key
