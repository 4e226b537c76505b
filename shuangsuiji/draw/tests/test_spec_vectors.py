"""An outsider's verifier, written from docs/draw-spec.md alone (hashlib and hmac only, the
recursive RFC 6962 definitions, a full Fisher–Yates list, teams from §7's words): it must
reproduce every known-answer vector of the spec — §9 (ssj-draw-v1, ssj-pool-v1), §9.1
(ssj-pool-v2), §9.2 (ssj-draw-v2 over ssj-pool-v3: salted leaves, terms hash, seed v2, positions,
leaves, paths, the example record), §10 and §10.1 (teams, a one-candidate group) — and so must
the platform's engine."""

import hashlib
import hmac
import json
import math
import re
from decimal import Decimal
from pathlib import Path

import pytest

from shuangsuiji.draw import engine

SPEC = Path(__file__).resolve().parents[3] / "docs" / "draw-spec.md"
TEXT = SPEC.read_text(encoding="utf-8")
V = json.loads(re.search(r"```json\n(.*?)\n```", TEXT, re.S).group(1))
T = json.loads(re.findall(r"```json\n(.*?)\n```", TEXT, re.S)[1])  # §10


def _block(info: str) -> dict:
    return json.loads(re.search(rf"```json {info}\n(.*?)\n```", TEXT, re.S).group(1))


W = _block("ssj-draw-v2")  # §9.2
S = _block("ssj-teams-v2-single")  # §10.1
# §9.1: the same inputs under ssj-pool-v2 (its own roots, seed, positions and paths)
V2 = V | json.loads(
    re.search(r"```json ssj-pool-v2\n(.*?)\n```", SPEC.read_text(encoding="utf-8"), re.S).group(1)
)


# ---- the outsider's implementation ----


def enc(*fields):
    out = b""
    for f in fields:
        b = f.to_bytes(8, "big") if isinstance(f, int) else f.encode() if isinstance(f, str) else f
        out += len(b).to_bytes(4, "big") + b
    return out


def H(b):
    return hashlib.sha256(b).digest()


def mth(leaves):
    n = len(leaves)
    if n == 0:
        return H(b"")
    if n == 1:
        return leaves[0]
    k = 1 << (n - 1).bit_length() - 1
    return H(b"\x01" + mth(leaves[:k]) + mth(leaves[k:]))


def path(m, leaves):
    n = len(leaves)
    if n <= 1:
        return []
    k = 1 << (n - 1).bit_length() - 1
    if m < k:
        return path(m, leaves[:k]) + [mth(leaves[k:])]
    return path(m - k, leaves[k:]) + [mth(leaves[:k])]


def positions(seed: bytes, label: str, n: int, k: int):
    j = 0

    def below(m):
        nonlocal j
        while True:
            x = int.from_bytes(
                hmac.new(
                    seed, enc("ssj-positions-v1", label) + j.to_bytes(8, "big"), hashlib.sha256
                ).digest(),
                "big",
            )
            j += 1
            if x < 2**256 - (2**256 % m):
                return x % m

    a = list(range(n))
    out = []
    for i in range(k):
        r = i + below(n - i)
        a[i], a[r] = a[r], a[i]
        out.append(a[i])
    return out


# ---- the checks ----


def _seed_and_selection(vec) -> None:
    """§4 and §6 from a vector set's pool root: its seed, positions and selected keys."""
    msg = ["ssj-draw-seed-v1", vec["draw_id"], vec["pool_root"], vec["public_value"]]
    for r in sorted(vec["reveals"], key=lambda r: r["label"].encode()):
        msg += [r["label"], r["number"], r["salt_hex"]]
    seed = hmac.new(bytes.fromhex(vec["secret_hex"]), enc(*msg), hashlib.sha256).digest()
    assert seed.hex() == vec["seed"]
    for s in vec["strata"]:
        got = positions(seed, s["label"], len(s["keys"]), vec["quotas"][s["label"]])
        assert got == vec["positions"][s["label"]]
        assert [s["keys"][p] for p in got] == vec["selected"][s["label"]]


def test_outsider_reproduces_every_vector():
    did = V["draw_id"]
    assert H(enc("ssj-server-secret-v1", did, V["secret_hex"])).hex() == V["server_secret_commitment"]
    for r in V["reveals"]:
        assert (
            H(enc("ssj-witness-v1", did, r["label"], r["number"], r["salt_hex"])).hex()
            == V["witness_commitments"][r["label"]]
        )
    roots = {}
    for s in V["strata"]:
        leaves = [H(b"\x00" + enc(s["label"], k)) for k in sorted(s["keys"], key=str.encode)]
        roots[s["label"]] = (len(leaves), mth(leaves))
        assert roots[s["label"]][1].hex() == V["stratum_roots"][s["label"]]
    fields = ["ssj-pool-v1"]
    for label in sorted(roots, key=str.encode):
        fields += [label, roots[label][0], roots[label][1]]
    pool_root = H(enc(*fields))
    assert pool_root.hex() == V["pool_root"]
    _seed_and_selection(V)
    s2 = next(s for s in V["strata"] if s["label"] == "S2")
    leaves = [H(b"\x00" + enc("S2", k)) for k in s2["keys"]]
    for idx, p in V["paths_S2"].items():
        assert [h.hex() for h in path(int(idx), leaves)] == p
    for mp in V["more_positions"]:
        assert positions(bytes.fromhex(mp["seed"]), mp["label"], mp["size"], mp["quota"]) == mp["positions"]
    q = V["quotas_by_ratio"]
    assert {c: min(n, math.ceil(Decimal(n) * Decimal(q["ratios"][c]))) for c, n in q["sizes"].items()} == q[
        "quotas"
    ]


def test_engine_reproduces_every_vector():
    did = V["draw_id"]
    assert engine.server_secret_commitment(did, V["secret_hex"]) == V["server_secret_commitment"]
    strata = []
    for s in V["strata"]:
        root = engine.merkle_root([engine.leaf_hash(s["label"], k) for k in s["keys"]])
        assert root.hex() == V["stratum_roots"][s["label"]]
        strata.append((s["label"], len(s["keys"]), root))
    assert engine.pool_root(strata).hex() == V["pool_root"]
    reveals = [engine.Reveal(**r) for r in reversed(V["reveals"])]  # order given does not matter
    seed = engine.derive_seed(
        draw_id=did,
        secret_hex=V["secret_hex"],
        pool_root_hex=V["pool_root"],
        reveals=reveals,
        public_value=V["public_value"],
    )
    assert seed.hex() == V["seed"]
    for s in V["strata"]:
        assert (
            engine.select_positions(seed, s["label"], len(s["keys"]), V["quotas"][s["label"]])
            == V["positions"][s["label"]]
        )
    for mp in V["more_positions"]:
        assert (
            engine.select_positions(bytes.fromhex(mp["seed"]), mp["label"], mp["size"], mp["quota"])
            == mp["positions"]
        )
    q = V["quotas_by_ratio"]
    assert engine.quotas_by_ratio(q["sizes"], {c: Decimal(r) for c, r in q["ratios"].items()}) == q["quotas"]
    t = V["quotas_by_total"]
    assert engine.quotas_by_total(t["sizes"], t["total"]) == t["quotas"] == {"S1": 4, "S2": 3, "S3": 3}
    s2 = next(s for s in V["strata"] if s["label"] == "S2")
    b = engine.MerkleBuilder(len(s2["keys"]), [int(i) for i in V["paths_S2"]])
    for k in s2["keys"]:
        b.add(engine.leaf_hash("S2", k))
    b.root()
    assert {str(i): p for i, p in b.paths().items()} == V["paths_S2"]


@pytest.mark.parametrize("n", list(range(0, 34)) + [100, 257])
def test_streaming_root_and_paths_equal_the_recursive_definition(n):
    leaves = [H(str(i).encode()) for i in range(n)]
    b = engine.MerkleBuilder(n, range(n))
    for leaf in leaves:
        b.add(leaf)
    root = b.root()
    assert root == mth(leaves)
    for i, p in b.paths().items():
        assert p == [h.hex() for h in path(i, leaves)]
        assert engine.verify_path(leaves[i], i, n, p, root)
        if p:
            bad = list(p)
            bad[0] = "00" * 32
            assert not engine.verify_path(leaves[i], i, n, bad, root)
        assert not engine.verify_path(H(b"forged"), i, n, p, root)
        if n > 1:
            assert not engine.verify_path(leaves[i], (i + 1) % n, n, p, root)


# ---- ssj-pool-v2: the leaf is the key's alone ----


def _v2_strata(leaf):
    return [(s["label"], len(s["keys"]), mth([leaf(k) for k in s["keys"]])) for s in V2["strata"]]


def test_outsider_reproduces_the_v2_vectors():
    roots = {label: (n, root) for label, n, root in _v2_strata(lambda k: H(b"\x00" + enc(k)))}
    assert {label: r.hex() for label, (_, r) in roots.items()} == V2["stratum_roots"]
    fields = ["ssj-pool-v2"]
    for label in sorted(roots, key=str.encode):
        fields += [label, *roots[label]]
    assert H(enc(*fields)).hex() == V2["pool_root"]
    _seed_and_selection(V2)
    s2 = next(s for s in V2["strata"] if s["label"] == "S2")
    leaves = [H(b"\x00" + enc(k)) for k in s2["keys"]]
    assert {str(i): [h.hex() for h in path(int(i), leaves)] for i in V2["paths_S2"]} == V2["paths_S2"]


def test_engine_reproduces_the_v2_vectors_and_tells_the_formats_apart():
    v2 = engine.POOL_V2
    strata = _v2_strata(lambda k: engine.leaf_hash("S1", k, v2))  # the label plays no part in v2's leaf
    assert engine.pool_root(strata, v2).hex() == V2["pool_root"] != V["pool_root"]
    assert engine.pool_root(strata, engine.POOL_V1).hex() != V2["pool_root"]  # the format is committed
    prefix = engine.leaf_prefix("S2", v2)
    keys = [k.encode() for k in next(s for s in V2["strata"] if s["label"] == "S2")["keys"]]
    assert engine.leaf_hashes(prefix, keys) == [engine.leaf_hash("S9", k.decode(), v2) for k in keys]
    seed = engine.derive_seed(
        draw_id=V2["draw_id"],
        secret_hex=V2["secret_hex"],
        pool_root_hex=V2["pool_root"],
        reveals=[engine.Reveal(**r) for r in V2["reveals"]],
        public_value=V2["public_value"],
    )
    assert seed.hex() == V2["seed"]
    with pytest.raises(ValueError):
        engine.leaf_hash("S1", "911301100000000001", "ssj-pool-v3")


# ---- ssj-draw-v2 over ssj-pool-v3 (§9.2): the outsider's reading ----


def canonical(value) -> str:
    """§1.1 written out by hand (not json.dumps): sorted keys, no spaces, minimal escapes."""
    if value is True:
        return "true"
    if value is False:
        return "false"
    if value is None:
        return "null"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        named = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r"}
        return '"' + "".join(named.get(c, f"\\u{ord(c):04x}" if ord(c) < 0x20 else c) for c in value) + '"'
    if isinstance(value, list):
        return "[" + ",".join(canonical(v) for v in value) + "]"
    return (
        "{" + ",".join(canonical(k) + ":" + canonical(value[k]) for k in sorted(value, key=str.encode)) + "}"
    )


def _v3_strata():
    """Per stratum: its keys in position order and their leaves, from the salts."""
    out = {}
    for s in W["strata"]:
        leaves = sorted((H(b"\x00" + enc(W["draw_id"], e["salt"], e["key"])), e["key"]) for e in s["entries"])
        assert len({leaf for leaf, _ in leaves}) == len(leaves)  # strictly ascending
        out[s["label"]] = leaves
    return out


def test_outsider_reproduces_the_ssj_draw_v2_vectors():
    strata = _v3_strata()
    for s in W["strata"]:
        for e in s["entries"]:
            assert H(b"\x00" + enc(W["draw_id"], e["salt"], e["key"])).hex() == W["leaves"][e["key"]]
            assert re.fullmatch(r"[0-9a-f]{32}", e["salt"])
    assert {label: [k for _, k in ls] for label, ls in strata.items()} == W["ordered"]
    roots = {label: mth([leaf for leaf, _ in ls]) for label, ls in strata.items()}
    assert {label: r.hex() for label, r in roots.items()} == W["stratum_roots"]
    fields = ["ssj-pool-v3"]
    for label in sorted(roots, key=str.encode):
        fields += [label, len(strata[label]), roots[label]]
    pool_root = H(enc(*fields)).hex()
    assert pool_root == W["pool_root"]
    terms = W["terms"]
    assert canonical(terms) == W["terms_canonical"]
    terms_hash = H(enc("ssj-terms-v1", canonical(terms))).hex()
    assert terms_hash == W["terms_hash"]
    sizes = {label: len(ls) for label, ls in strata.items()}
    assert {
        label: min(n, math.ceil(Decimal(n) * Decimal(terms["ratios"][label]))) for label, n in sizes.items()
    } == terms["quotas"]
    msg = ["ssj-draw-seed-v2", W["draw_id"], pool_root, terms_hash, W["public_value"]]
    for r in sorted(W["reveals"], key=lambda r: r["label"].encode()):
        msg += [r["label"], r["number"], r["salt_hex"]]
    seed = hmac.new(bytes.fromhex(W["secret_hex"]), enc(*msg), hashlib.sha256).digest()
    assert seed.hex() == W["seed"]
    rec = W["record"]
    for label, ls in strata.items():
        got = positions(seed, label, len(ls), terms["quotas"][label])
        assert got == W["positions"][label]
        assert [ls[p][1] for p in got] == W["selected"][label]
        (drawn,) = [d for d in rec["drawn"] if d["label"] == label]
        leaves = [leaf for leaf, _ in ls]
        assert drawn["entries"] == [
            {"position": p, "leaf": leaves[p].hex(), "path": [h.hex() for h in path(p, leaves)]} for p in got
        ]
    # the example record: in label order, names sorted by key bytes, a person's key cut to its head
    assert [d["label"] for d in rec["drawn"]] == sorted(strata, key=str.encode)
    assert [n["key"] for n in rec["named"]] == sorted((n["key"] for n in rec["named"]), key=str.encode)
    assert any(
        n["key"].startswith("person:") and n["key"].endswith("…") and len(n["key"]) == 13
        for n in rec["named"]
    )
    assert all(set(n) <= {"key", "name", "carried"} for n in rec["named"])
    assert (rec["pool_root"], rec["terms_hash"], rec["seed"]) == (pool_root, terms_hash, seed.hex())


def test_engine_reproduces_the_ssj_draw_v2_vectors():
    from shuangsuiji.draw.verify import verify_record

    strata = []
    for s in W["strata"]:
        leaves = sorted(engine.salted_leaf(W["draw_id"], e["salt"], e["key"]) for e in s["entries"])
        prefix = engine.salted_leaf_prefix(W["draw_id"])
        assert (
            sorted(
                engine.salted_leaves(
                    prefix,
                    [e["salt"].encode() for e in s["entries"]],
                    [e["key"].encode() for e in s["entries"]],
                )
            )
            == leaves
        )
        strata.append((s["label"], len(leaves), engine.merkle_root(leaves)))
    assert {label: r.hex() for label, _, r in strata} == W["stratum_roots"]
    assert engine.pool_root(strata, engine.POOL_V3).hex() == W["pool_root"]
    assert engine.canonical_json(W["terms"]) == W["terms_canonical"]
    assert engine.terms_hash(W["terms"]) == W["terms_hash"]
    sizes = {label: n for label, n, _ in strata}
    ratios = {k: Decimal(v) for k, v in W["terms"]["ratios"].items()}
    assert engine.quotas_by_ratio(sizes, ratios) == W["terms"]["quotas"]
    seed = engine.derive_seed(
        draw_id=W["draw_id"],
        secret_hex=W["secret_hex"],
        pool_root_hex=W["pool_root"],
        reveals=[engine.Reveal(**r) for r in W["reveals"]],
        public_value=W["public_value"],
        terms_hash_hex=W["terms_hash"],
    )
    assert seed.hex() == W["seed"]
    for label, n, _ in strata:
        assert engine.select_positions(seed, label, n, W["terms"]["quotas"][label]) == W["positions"][label]
    checks = verify_record(W["record"])
    assert checks and all(c.ok for c in checks), [c for c in checks if not c.ok]
    assert "抽取条款哈希 = 条款的规范化文本的哈希" in [c.name for c in checks]
    # the v1 seed of the same inputs differs: the terms are bound
    assert (
        engine.derive_seed(
            draw_id=W["draw_id"],
            secret_hex=W["secret_hex"],
            pool_root_hex=W["pool_root"],
            reveals=[engine.Reveal(**r) for r in W["reveals"]],
            public_value=W["public_value"],
        )
        != seed
    )


def test_canonical_json_is_pythons_json_dumps():
    """§1.1's rule written out equals the engine's json.dumps for what terms can hold."""
    odd = {
        "z": '引号"反斜杠\\换行\n制表\t退格\b换页\f回车\r\x00\x1f\x7f\u2028😀',
        "a": [1, -2, 0, True, False, None, {"ｂ": 1, "b": 2, "😀": 3, "\uff01": 4}],
        "层9C0D": "0.30",
    }
    assert canonical(odd) == engine.canonical_json(odd)


# ---- teams (§7, §10, §10.1): the outsider's reading ----


def teams_outsider(spec, seed, t, *, skip_single=False):
    """§7's words: per target, the required specialties then the filling, each step among the
    least-loaded candidates not in the team (v1: the least HMAC; v2: G[below(|G|)] from the
    target's stream, one-candidate groups included)."""
    load = {c["key"]: 0 for c in t["candidates"]}
    out = []
    for target in t["targets"]:
        team = _team_outsider(spec, seed, t, target, load, skip_single)
        for key in team:
            load[key] += 1
        out.append(team)
    return out


def _team_outsider(spec, seed, t, target, load, skip_single):
    barred = set(t["barred"].get(target, []))
    cands = [c for c in t["candidates"] if c["key"] not in barred]
    blocks = (
        int.from_bytes(
            hmac.new(
                seed, enc("ssj-team-v2", target, t["department"]) + j.to_bytes(8, "big"), hashlib.sha256
            ).digest(),
            "big",
        )
        for j in range(1 << 30)
    )

    def tiebreak(c):
        return hmac.new(seed, enc("ssj-team-v1", target, t["department"], c["key"]), hashlib.sha256).digest()

    def choose(group):
        if spec == "ssj-team-v1":
            return min(group, key=tiebreak)
        if skip_single and len(group) == 1:
            return group[0]
        m = len(group)
        x = next(blocks)
        while x >= 2**256 - 2**256 % m:  # rejected (§6): the next block
            x = next(blocks)
        return group[x % m]

    team = []

    def step(ok):
        free = [c for c in cands if ok(c) and c not in team]
        low = min(load[c["key"]] for c in free)
        team.append(
            choose(sorted((c for c in free if load[c["key"]] == low), key=lambda c: c["key"].encode()))
        )

    for needed in t["required"]:
        if not any(needed in m["specialties"] for m in team):
            step(lambda c, s=needed: s in c["specialties"])
    while len(team) < t["team_size"]:
        step(lambda c: True)
    return [m["key"] for m in team]


def _engine_teams(spec, t):
    drawer = engine.team_drawer(
        spec,
        bytes.fromhex(t["seed"]),
        t["department"],
        [engine.Candidate(c["key"], frozenset(c["specialties"])) for c in t["candidates"]],
        t["required"],
        t["team_size"],
    )
    return [[m.key for m in drawer.draw(k, t["barred"].get(k, []))] for k in t["targets"]]


@pytest.mark.parametrize(("spec", "want"), [("ssj-team-v1", "teams_v1"), ("ssj-team-v2", "teams_v2")])
def test_team_vectors_outsider_and_engine(spec, want):
    seed = bytes.fromhex(T["seed"])
    assert teams_outsider(spec, seed, T) == T[want] == _engine_teams(spec, T)


def test_one_candidate_group_takes_a_block():
    """§10.1: the first step of every team has one candidate; it takes block 0 all the same."""
    seed = bytes.fromhex(S["seed"])
    holders = [c for c in S["candidates"] if S["required"][0] in c["specialties"]]
    assert len(holders) == 1
    assert teams_outsider("ssj-team-v2", seed, S) == S["teams_v2"] == _engine_teams("ssj-team-v2", S)
    skipped = teams_outsider("ssj-team-v2", seed, S, skip_single=True)
    assert skipped == S["teams_v2_if_one_candidate_groups_took_no_block"] != S["teams_v2"]
    assert engine.Stream(seed, "x", "y").below(1) == 0  # below(1) reads a block and gives 0
    st = engine.Stream.over(seed, "ssj-team-v2", S["targets"][0], S["department"])
    st.below(1)
    assert st.counter == 1


def test_replacement_vector_outsider_and_engine():
    rp = T["replacement_v2"]
    seed = bytes.fromhex(T["seed"])
    gone = set(rp["team_left"]) | {rp["recused"]}
    fit = [
        c
        for c in T["candidates"]
        if c["key"] not in gone and all(m in c["specialties"] for m in rp["missing"])
    ]
    low = min(rp["load"].get(c["key"], 0) for c in fit)
    group = sorted((c["key"] for c in fit if rp["load"].get(c["key"], 0) == low), key=str.encode)
    j, m = 0, len(group)
    while True:
        msg = enc("ssj-team-replace-v2", rp["target"], T["department"], rp["recused"]) + j.to_bytes(8, "big")
        x = int.from_bytes(hmac.new(seed, msg, hashlib.sha256).digest(), "big")
        j += 1
        if x < 2**256 - 2**256 % m:
            break
    assert group[x % m] == rp["pick"]
    pick = engine.replacement_v2(
        seed,
        target_key=rp["target"],
        department=T["department"],
        recused_key=rp["recused"],
        candidates=[
            engine.Candidate(c["key"], frozenset(c["specialties"]))
            for c in T["candidates"]
            if c["key"] not in gone
        ],
        missing=rp["missing"],
        load=rp["load"],
    )
    assert pick.key == rp["pick"]
