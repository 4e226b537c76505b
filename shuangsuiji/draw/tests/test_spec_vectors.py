"""An outsider's verifier, written from docs/draw-spec.md alone (hashlib and hmac only, the
recursive RFC 6962 definitions, a full Fisher–Yates list): it must reproduce the spec's
known-answer vectors, and so must the platform's engine."""

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
V = json.loads(re.search(r"```json\n(.*?)\n```", SPEC.read_text(encoding="utf-8"), re.S).group(1))
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
