"""The draw engine. Pure Python, no Django: what it computes, anyone can recompute from the
published record with the procedure in docs/draw-spec.md (R-DRAW-1: open, fair, recorded).

Generic over what is drawn: it maps (per-stratum pool sizes, quotas, seed) to positions in each
stratum's sorted pool; the caller maps positions back to targets (or, for return visits, to
finished inspections). Primitives: SHA-256 and HMAC-SHA256 only — never Python's `random`.
"""

import hashlib
import hmac
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, Decimal

VERSION = "ssj-draw-v1"


class DrawError(ValueError):
    """The draw cannot be made as asked; the message is Chinese and names what is missing."""


# ---- encoding ---------------------------------------------------------------------------------


def enc(*fields: str | bytes | int) -> bytes:
    """Unambiguous concatenation: each field is its bytes (str as UTF-8, int as 8-byte
    big-endian) prefixed by a 4-byte big-endian length."""
    out = bytearray()
    for f in fields:
        if isinstance(f, int):
            b = f.to_bytes(8, "big")
        elif isinstance(f, str):
            b = f.encode("utf-8")
        else:
            b = bytes(f)
        out += len(b).to_bytes(4, "big") + b
    return bytes(out)


def sha256(b: bytes) -> bytes:
    return hashlib.sha256(b).digest()


# ---- commitments and the seed -------------------------------------------------------------------


def server_secret_commitment(draw_id: str, secret_hex: str) -> str:
    return sha256(enc("ssj-server-secret-v1", draw_id, secret_hex)).hex()


def witness_commitment(draw_id: str, label: str, number: str, salt_hex: str) -> str:
    """A witness's commitment to the number they typed; the salt (chosen by the platform and
    published at reveal) keeps a short number from being guessed from its hash."""
    return sha256(enc("ssj-witness-v1", draw_id, label, number, salt_hex)).hex()


@dataclass(frozen=True)
class Reveal:
    label: str  # e.g. "见证人1"
    number: str  # what the witness typed, as typed (digits)
    salt_hex: str


def derive_seed(
    *, draw_id: str, secret_hex: str, pool_root_hex: str, reveals: Sequence[Reveal], public_value: str = ""
) -> bytes:
    """seed = HMAC-SHA256(key = server secret, message = draw id, pool root, public value and
    every witness reveal in label order). No single party controls it: the secret and the pool
    were committed before any witness chose a number, and all witnesses committed before any
    revealed."""
    fields: list[str] = ["ssj-draw-seed-v1", draw_id, pool_root_hex, public_value]
    for r in sorted(reveals, key=lambda r: r.label):
        fields += [r.label, r.number, r.salt_hex]
    return hmac.new(bytes.fromhex(secret_hex), enc(*fields), hashlib.sha256).digest()


# ---- the pool commitment: RFC 6962 Merkle trees, one per stratum ---------------------------------


def leaf_hash(stratum: str, key: str) -> bytes:
    return sha256(b"\x00" + enc(stratum, key))


def _node(left: bytes, right: bytes) -> bytes:
    return sha256(b"\x01" + left + right)


def _split(n: int) -> int:
    """The largest power of two smaller than n (RFC 6962 §2.1)."""
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def path_ranges(index: int, lo: int, hi: int) -> list[tuple[int, int]]:
    """The leaf ranges whose subtree hashes make the RFC 6962 audit path of `index` in the tree
    over leaves [lo, hi), bottom-up."""
    if hi - lo <= 1:
        return []
    k = _split(hi - lo)
    if index < lo + k:
        return path_ranges(index, lo, lo + k) + [(lo + k, hi)]
    return path_ranges(index, lo + k, hi) + [(lo, lo + k)]


class MerkleBuilder:
    """RFC 6962 Merkle Tree Hash computed as leaves stream in, in O(log n) memory. Audit paths
    for leaves named in advance are collected on the way (a draw needs them only for the
    selected positions, so a pool of 10⁷ never has to sit in memory)."""

    def __init__(self, size: int | None = None, want: Iterable[int] = ()):
        want = list(want)
        if want and size is None:
            raise ValueError("audit paths need the tree size in advance")
        self.size, self.count = size, 0
        self._stack: list[tuple[int, int, bytes]] = []  # (first leaf, leaf count, hash)
        self._want = {i: path_ranges(i, 0, size) for i in want}
        self._needed = {r for ranges in self._want.values() for r in ranges}
        self._found: dict[tuple[int, int], bytes] = {}

    def _note(self, lo: int, n: int, h: bytes) -> None:
        if (lo, lo + n) in self._needed:
            self._found[(lo, lo + n)] = h

    def add(self, leaf: bytes) -> None:
        if self.size is not None and self.count >= self.size:
            raise ValueError("more leaves than the declared size")
        item = (self.count, 1, leaf)
        self.count += 1
        self._note(*item)
        while self._stack and self._stack[-1][1] == item[1]:
            lo, n, h = self._stack.pop()
            item = (lo, n * 2, _node(h, item[2]))
            self._note(*item)
        self._stack.append(item)

    def root(self) -> bytes:
        if self.size is not None and self.count != self.size:
            raise ValueError(f"expected {self.size} leaves, got {self.count}")
        size = self.count
        if not self._stack:
            return sha256(b"")
        h = self._stack[-1][2]
        for lo, _, left in reversed(self._stack[:-1]):  # fold the right spine
            h = _node(left, h)
            self._note(lo, size - lo, h)
        return h

    def paths(self) -> dict[int, list[str]]:
        """After root(): the audit path (hex, bottom-up) of each wanted leaf."""
        return {i: [self._found[r].hex() for r in ranges] for i, ranges in self._want.items()}


def merkle_root(leaves: Sequence[bytes]) -> bytes:
    b = MerkleBuilder(len(leaves))
    for leaf in leaves:
        b.add(leaf)
    return b.root()


def verify_path(leaf: bytes, index: int, size: int, path: Sequence[str], root: bytes) -> bool:
    """RFC 9162 §2.1.3.2: recompute the root from a leaf hash, its index, the tree size and
    its audit path."""
    if not 0 <= index < size:
        return False
    fn, sn, r = index, size - 1, leaf
    for p in path:
        step = bytes.fromhex(p)
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = _node(step, r)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            r = _node(r, step)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == root


def pool_root(strata: Sequence[tuple[str, int, bytes]]) -> bytes:
    """The whole pool's commitment: each stratum's (label, size, Merkle root) in label order."""
    fields: list[str | int | bytes] = ["ssj-pool-v1"]
    for label, size, root in sorted(strata, key=lambda s: s[0]):
        fields += [label, size, root]
    return sha256(enc(*fields))


# ---- quotas -------------------------------------------------------------------------------------


def quotas_by_ratio(sizes: dict[str, int], ratios: dict[str, Decimal]) -> dict[str, int]:
    """Per-class ratios (R-PLAN-3), each rounded up: 3% of 41 is 2. A ratio of 0 draws none."""
    out = {}
    for label, n in sizes.items():
        r = Decimal(ratios.get(label, 0))
        if r < 0 or r > 1:
            raise DrawError(f"{label} 的抽查比例应在 0 到 100% 之间")
        out[label] = min(n, int((Decimal(n) * r).to_integral_value(rounding=ROUND_CEILING)))
    return out


def quotas_by_total(sizes: dict[str, int], total: int) -> dict[str, int]:
    """A total count split in proportion to stratum sizes by largest remainder (Hamilton);
    equal remainders go to the stratum whose label sorts first."""
    n = sum(sizes.values())
    if total < 0:
        raise DrawError("抽取数量不能为负数")
    if total >= n:
        return dict(sizes)
    base = {label: size * total // n for label, size in sizes.items()}
    left = total - sum(base.values())
    by_remainder = sorted(sizes, key=lambda label: (-(sizes[label] * total % n), label))
    for label in by_remainder[:left]:
        base[label] += 1
    return base


# ---- selecting positions ------------------------------------------------------------------------


class Stream:
    """Uniform integers from HMAC-SHA256(seed, enc(purpose, label) || counter) blocks."""

    def __init__(self, seed: bytes, purpose: str, label: str):
        self._key, self._prefix, self.counter = seed, enc(purpose, label), 0

    def block(self) -> int:
        b = hmac.new(self._key, self._prefix + self.counter.to_bytes(8, "big"), hashlib.sha256).digest()
        self.counter += 1
        return int.from_bytes(b, "big")

    def below(self, m: int) -> int:
        """Uniform in [0, m): a 256-bit block, rejected if it falls in the incomplete last
        copy of [0, m) (so every value has exactly the same number of preimages)."""
        if m <= 0:
            raise ValueError(m)
        limit = (1 << 256) - ((1 << 256) % m)
        while True:
            x = self.block()
            if x < limit:
                return x % m


def select_positions(
    seed: bytes, label: str, size: int, quota: int, purpose: str = "ssj-positions-v1"
) -> list[int]:
    """`quota` distinct positions of [0, size), in the order drawn: the first `quota` steps of a
    Fisher–Yates shuffle of 0..size-1 (kept sparse, so the cost is the quota, not the size).
    Every k-subset, and every order of it, is equally likely."""
    if quota > size:
        raise DrawError(f"{label}：抽取数 {quota} 大于对象数 {size}")
    swapped: dict[int, int] = {}
    out = []
    stream = Stream(seed, purpose, label)
    for i in range(quota):
        j = i + stream.below(size - i)
        vi, vj = swapped.get(i, i), swapped.get(j, j)
        swapped[j] = vi
        out.append(vj)
    return out


# ---- teams --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Candidate:
    key: str  # stable, public-safe id (e.g. the 执法证号)
    specialties: frozenset[str] = field(default_factory=frozenset)
    is_expert: bool = False


def team_order(
    seed: bytes, target_key: str, department: str, candidates: Iterable[Candidate], load: dict[str, int]
) -> list[Candidate]:
    """Candidates least loaded first; among equal loads, in the order of a keyed hash — random,
    and recomputable."""

    def tiebreak(c: Candidate) -> bytes:
        return hmac.new(seed, enc("ssj-team-v1", target_key, department, c.key), hashlib.sha256).digest()

    return sorted(candidates, key=lambda c: (load.get(c.key, 0), tiebreak(c)))


def draw_team(
    seed: bytes,
    *,
    target_key: str,
    department: str,
    candidates: Sequence[Candidate],
    required: Sequence[str],
    size: int,
    load: dict[str, int],
) -> list[Candidate]:
    """A team of `size` non-experts (R-DRAW-2: at least 2) holding every required specialty
    between them. Candidates are already eligible (执法证 valid, on duty, no conflict with this
    target). First, for each required specialty (in the order given) not yet held, the first
    candidate in `team_order` who holds it; then the first others until the team is full.
    `load` is updated so later targets spread the work."""
    if size < 2:
        raise DrawError("检查组至少 2 名执法人员（专家不计入）")
    ordered = [c for c in team_order(seed, target_key, department, candidates, load) if not c.is_expert]
    if len(ordered) < size:
        raise DrawError(
            f"{department}：对检查对象 {target_key} 可抽取的执法人员只有 {len(ordered)} 名，不足 {size} 名"
        )
    team: list[Candidate] = []
    for spec in required:
        if any(spec in m.specialties for m in team):
            continue
        holder = next((c for c in ordered if spec in c.specialties and c not in team), None)
        if holder is None:
            raise DrawError(f"{department}：对检查对象 {target_key} 没有具备“{spec}”专长且无需回避的执法人员")
        team.append(holder)
    if len(team) > size:
        raise DrawError(f"{department}：覆盖全部专长需要 {len(team)} 人，超过检查组人数 {size}")
    for c in ordered:
        if len(team) >= size:
            break
        if c not in team:
            team.append(c)
    for m in team:
        load[m.key] = load.get(m.key, 0) + 1
    return team


def chi_square(observed: Sequence[int]) -> float:
    """Pearson's statistic against equal expected counts (used by the suite and by anyone
    auditing many draws)."""
    total = sum(observed)
    expected = total / len(observed)
    return math.fsum((o - expected) ** 2 / expected for o in observed)
