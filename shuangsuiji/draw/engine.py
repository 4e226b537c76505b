"""The draw engine. Pure Python, no Django: what it computes, anyone can recompute from the
published record with the procedure in docs/draw-spec.md (R-DRAW-1: open, fair, recorded).

Generic over what is drawn: it maps (per-stratum pool sizes, quotas, seed) to positions in each
stratum's sorted pool; the caller maps positions back to targets (or, for return visits, to
finished inspections). Primitives: SHA-256 and HMAC-SHA256 only — never Python's `random`.
"""

import hashlib
import hmac
import json
import math
from bisect import bisect_left
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, Decimal
from operator import attrgetter

VERSION = "ssj-draw-v1"
# ssj-draw-v2 (docs/draw-spec.md): salted per-entry leaves ordered by the leaf (ssj-pool-v3), and
# the draw's terms — rule versions, quota rule, quotas, the public value's source and time —
# committed at announcement and bound into the seed
SPEC_V1 = "ssj-draw-v1"
SPEC_V2 = "ssj-draw-v2"


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
    *,
    draw_id: str,
    secret_hex: str,
    pool_root_hex: str,
    reveals: Sequence[Reveal],
    public_value: str = "",
    terms_hash_hex: str | None = None,
) -> bytes:
    """seed = HMAC-SHA256(key = the 32 bytes the server secret's hex denotes, message = draw id,
    pool root, (ssj-draw-v2) the terms' hash, public value and every witness reveal in label
    order). No single party controls it: the secret, the pool and the terms were committed before
    any witness chose a number, all witnesses committed before any revealed, and the public value
    became known only after the last commitment."""
    if terms_hash_hex is None:
        fields: list[str] = ["ssj-draw-seed-v1", draw_id, pool_root_hex, public_value]
    else:
        fields = ["ssj-draw-seed-v2", draw_id, pool_root_hex, terms_hash_hex, public_value]
    for r in sorted(reveals, key=lambda r: r.label):
        fields += [r.label, r.number, r.salt_hex]
    return hmac.new(bytes.fromhex(secret_hex), enc(*fields), hashlib.sha256).digest()


def canonical_json(value) -> str:
    """The one text of a JSON value that its hash is taken over: keys sorted, no spaces,
    non-ASCII characters as themselves (UTF-8); integers in decimal, ratios as decimal strings."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def terms_hash(terms: dict) -> str:
    """ssj-draw-v2: the commitment to the draw's terms, H(enc("ssj-terms-v1", canonical JSON))."""
    return sha256(enc("ssj-terms-v1", canonical_json(terms))).hex()


# ---- the pool commitment: RFC 6962 Merkle trees, one per stratum ---------------------------------

# Measured on the 2-core CI machine (Python 3.11, OpenSSL 3.0): a one-shot hash of 33–65 bytes
# (leaves, Merkle nodes) is ~25 % cheaper through hashlib's OpenSSL constructor than through
# CPython's own _sha256, while copying and updating a prepared state (HMAC) is ~15 % cheaper with
# _sha256. Same SHA-256 either way.
_sha = hashlib.sha256
try:
    from _sha256 import sha256 as _sha_state
except ImportError:  # pragma: no cover - Python ≥ 3.12 names it _sha2
    try:
        from _sha2 import sha256 as _sha_state
    except ImportError:
        _sha_state = hashlib.sha256

_NODE = b"\x01"

# The pool's format (docs/draw-spec.md §2): v1's leaf binds the draw's stratum label, so no leaf
# can be hashed before the draw's labels are chosen; v2's leaf is the key's alone — the same in
# every draw, so the directory keeps it with each target and a freeze only folds (the stratum's
# label is bound by the pool root, beside the stratum's root). Records keep the format they were
# drawn under.
POOL_V1 = "ssj-pool-v1"
POOL_V2 = "ssj-pool-v2"
# v3 (ssj-draw-v2): leaf = H(0x00 ‖ enc(draw id, salt, key)) with a salt drawn per entry and draw,
# and a stratum's positions in the order of its leaves — neither a leaf, nor an audit path's
# sibling, nor a position can be matched to a key without the entry's salt (R-TGT-2)
POOL_V3 = "ssj-pool-v3"
POOL_FORMATS = (POOL_V1, POOL_V2, POOL_V3)
SALTED = (POOL_V3,)


def leaf_prefix(stratum: str, fmt: str = POOL_V1) -> bytes:
    """The bytes every leaf hash of a stratum starts with: 0x00, then (v1) the label's enc() field."""
    if _pool_format(fmt) in SALTED:
        raise ValueError("a salted pool's leaves start with the draw id: salted_leaf_prefix")
    return b"\x00" + enc(stratum) if fmt == POOL_V1 else b"\x00"


def leaf_hash(stratum: str, key: str, fmt: str = POOL_V1) -> bytes:
    if _pool_format(fmt) in SALTED:
        raise ValueError("a salted pool's leaf needs the draw id and the salt: salted_leaf")
    return sha256(b"\x00" + (enc(stratum, key) if fmt == POOL_V1 else enc(key)))


def salted_leaf(draw_id: str, salt_hex: str, key: str) -> bytes:
    """ssj-pool-v3: H(0x00 ‖ enc(draw id, salt, key))."""
    return sha256(b"\x00" + enc(draw_id, salt_hex, key))


def salted_leaf_prefix(draw_id: str) -> bytes:
    """The bytes every ssj-pool-v3 leaf of a draw starts with: 0x00 and the draw id's enc() field."""
    return b"\x00" + enc(draw_id)


_SALT_FIELD = (32).to_bytes(4, "big")


def salted_leaves(prefix: bytes, salts: Sequence[bytes], keys: Sequence[bytes]) -> list[bytes]:
    """salted_leaf of each salt and key (both UTF-8 bytes; salts of 32 hex digits), given the
    draw's salted_leaf_prefix: the fast path of the draw's re-check of the pool file."""
    sha, lengths, head = _sha, _LENGTHS, prefix + _SALT_FIELD
    return [sha(head + s + lengths[len(k)] + k).digest() for s, k in zip(salts, keys, strict=True)]


def _pool_format(fmt: str) -> str:
    if fmt not in POOL_FORMATS:
        raise ValueError(f"unknown pool format {fmt!r}")
    return fmt


_LENGTHS = [n.to_bytes(4, "big") for n in range(1024)]  # enc()'s length field of a key (≤ 120 characters)


def leaf_hashes(prefix: bytes, keys: list[bytes]) -> list[bytes]:
    """leaf_hash of each UTF-8 key of one stratum, given its leaf_prefix: the fast path of the
    freeze and of the draw's re-check of the pool file."""
    sha, lengths = _sha, _LENGTHS
    return [sha(prefix + lengths[len(k)] + k).digest() for k in keys]


def _node(left: bytes, right: bytes) -> bytes:
    return _sha(_NODE + left + right).digest()


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


_BLOCK = 1 << 13  # leaves hashed level by level at a time by extend(): bounded memory


def _perfect_subtrees(size: int) -> list[tuple[int, int]]:
    """(first leaf, height) of the perfect subtrees an RFC 6962 tree of `size` leaves is folded
    from, largest first: one per set bit of size."""
    out, lo = [], 0
    for h in range(size.bit_length() - 1, -1, -1):
        if size >> h & 1:
            out.append((lo, h))
            lo += 1 << h
    return out


class MerkleBuilder:
    """RFC 6962 Merkle Tree Hash computed as leaves stream in, in O(log n) memory. Audit paths
    for leaves named in advance are collected on the way (a draw needs them only for the
    selected positions, so a pool of 10⁷ never has to sit in memory).

    Leaves come one at a time (`add`) or in batches (`extend`, the fast path: aligned blocks of
    leaves reduced level by level). The stack holds the perfect subtrees of the leaves so far,
    largest first (their sizes are the set bits of the count): the RFC 6962 tree is these folded
    right to left. A wanted leaf's path is, bottom-up, its siblings inside its perfect subtree (one
    per level, written as each pair is hashed), then the fold of the subtrees to its right, then
    the subtrees to its left, nearest first (written by root())."""

    def __init__(self, size: int | None = None, want: Iterable[int] = ()):
        want = sorted(set(want))
        if want and size is None:
            raise ValueError("audit paths need the tree size in advance")
        self.size, self.count = size, 0
        self._stack: list[bytes] = []
        self._heights: list[int] = []
        self._want = want
        self._paths: dict[int, bytearray] = {}
        if want:
            parts = _perfect_subtrees(size)
            for t, (lo, h) in enumerate(parts):
                n = h + (t < len(parts) - 1) + t
                for i in want[bisect_left(want, lo) : bisect_left(want, lo + (1 << h))]:
                    self._paths[i] = bytearray(32 * n)

    def _wanted(self, lo: int, hi: int) -> list[int]:
        w = self._want
        return w[bisect_left(w, lo) : bisect_left(w, hi)]

    def _push(self, h: bytes, height: int) -> None:
        """A perfect subtree of 2^height leaves starting at self.count (aligned)."""
        stack, heights = self._stack, self._heights
        lo = self.count
        self.count += 1 << height
        while heights and heights[-1] == height:
            left = stack.pop()
            heights.pop()
            if self._want:
                span, at = 1 << height, 32 * height
                for i in self._wanted(lo - span, lo):
                    self._paths[i][at : at + 32] = h
                for i in self._wanted(lo, lo + span):
                    self._paths[i][at : at + 32] = left
                lo -= span
            h = _sha(_NODE + left + h).digest()
            height += 1
        stack.append(h)
        heights.append(height)

    def add(self, leaf: bytes) -> None:
        if self.size is not None and self.count >= self.size:
            raise ValueError("more leaves than the declared size")
        self._push(leaf, 0)

    def extend(self, leaves: Sequence[bytes]) -> None:
        """add() each leaf, in order — the same tree, much less work per leaf."""
        n = len(leaves)
        if self.size is not None and self.count + n > self.size:
            raise ValueError("more leaves than the declared size")
        sha, node = _sha, _NODE
        i = 0
        while i < n:
            c = self.count
            h = min((n - i).bit_length() - 1, _BLOCK.bit_length() - 1)
            if c:
                h = min(h, (c & -c).bit_length() - 1)
            level = leaves[i : i + (1 << h)]
            i += 1 << h
            wanted = self._wanted(c, c + (1 << h)) if self._want else ()
            for height in range(h):
                if wanted:
                    at, first = 32 * height, c >> height
                    for j in wanted:
                        self._paths[j][at : at + 32] = level[((j >> height) ^ 1) - first]
                it = iter(level)
                level = [sha(node + a + b).digest() for a, b in zip(it, it, strict=True)]
            self._push(level[0], h)

    def root(self) -> bytes:
        if self.size is not None and self.count != self.size:
            raise ValueError(f"expected {self.size} leaves, got {self.count}")
        if not self._stack:
            return sha256(b"")
        stack, heights = self._stack, self._heights
        folds = [stack[-1]]  # folds[k]: the fold of the subtrees from the k-th last to the last
        for left in reversed(stack[:-1]):
            folds.append(_node(left, folds[-1]))
        if self._want:
            m, lo = len(stack), 0
            for t in range(m):
                span = 1 << heights[t]
                at = heights[t]
                for i in self._wanted(lo, lo + span):
                    path, k = self._paths[i], at
                    if t < m - 1:  # the fold of everything to the right
                        path[32 * k : 32 * k + 32] = folds[m - 2 - t]
                        k += 1
                    for left in reversed(stack[:t]):  # then the subtrees to the left, nearest first
                        path[32 * k : 32 * k + 32] = left
                        k += 1
                lo += span
        return folds[-1]

    def take_path(self, index: int) -> bytearray:
        """After root(): the audit path of a wanted leaf, its hashes concatenated bottom-up — handed
        over, not copied (a draw of 30,000 keeps each path once)."""
        return self._paths.pop(index)

    def paths(self) -> dict[int, list[str]]:
        """After root(): the audit path (hex, bottom-up) of each wanted leaf."""
        return {i: path_hex(p) for i, p in self._paths.items()}


def path_hex(path: bytes) -> list[str]:
    """A path's concatenated hashes as the list of hex strings the record publishes."""
    return [path[k : k + 32].hex() for k in range(0, len(path), 32)]


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


def pool_root(strata: Sequence[tuple[str, int, bytes]], fmt: str = POOL_V1) -> bytes:
    """The whole pool's commitment: each stratum's (label, size, Merkle root) in label order."""
    fields: list[str | int | bytes] = [_pool_format(fmt)]
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


class _Hmac:
    """HMAC-SHA256 under one key, RFC 2104 step by step with the padded key's two blocks hashed
    once: the same digests as hmac.new(key, msg, sha256), at a fraction of the cost per message
    (the draws compute tens of thousands under one seed)."""

    _cache: dict[bytes, "_Hmac"] = {}

    def __init__(self, key: bytes):
        k0 = (sha256(key) if len(key) > 64 else key).ljust(64, b"\x00")
        self.ipad = _sha_state(bytes(b ^ 0x36 for b in k0))
        self.opad = _sha_state(bytes(b ^ 0x5C for b in k0))

    @classmethod
    def of(cls, key: bytes) -> "_Hmac":
        mac = cls._cache.get(key)
        if mac is None:
            if len(cls._cache) > 32:
                cls._cache.clear()
            mac = cls._cache[key] = cls(key)
        return mac

    def digest(self, msg: bytes) -> bytes:
        inner = self.ipad.copy()
        inner.update(msg)
        outer = self.opad.copy()
        outer.update(inner.digest())
        return outer.digest()


class Stream:
    """Uniform integers from HMAC-SHA256(seed, enc(purpose, label) || counter) blocks."""

    def __init__(self, seed: bytes, purpose: str, label: str):
        self._key, self._prefix, self.counter = seed, enc(purpose, label), 0
        self._mac = _Hmac.of(seed)

    @classmethod
    def over(cls, seed: bytes, *fields: str) -> "Stream":
        """The stream whose blocks are HMAC(seed, enc(*fields) ‖ u64(counter))."""
        return cls.over_prefix(seed, enc(*fields))

    @classmethod
    def over_prefix(cls, seed: bytes, prefix: bytes) -> "Stream":
        stream = cls.__new__(cls)
        stream._key, stream._prefix, stream.counter, stream._mac = seed, prefix, 0, _Hmac.of(seed)
        return stream

    def block(self) -> int:
        b = self._mac.digest(self._prefix + self.counter.to_bytes(8, "big"))
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


TEAM_V1 = "ssj-team-v1"
TEAM_V2 = "ssj-team-v2"
REPLACE_V2 = "ssj-team-replace-v2"
_TEAM_V2_FIELD = enc(TEAM_V2)

_by_key = attrgetter("key")  # str order is code-point order, which is UTF-8 byte order


class TeamDrawer:
    """`draw_team` for every drawn target of one department in turn, with the same teams (the
    suite checks it against `draw_team`), at a fraction of the work: the candidates are kept in
    buckets by load and by which required specialties they hold, each bucket in key order, so each
    step looks only at the least-loaded bucket(s) that can supply it, and the HMAC tie-break is
    computed for those candidates only (with the seed's HMAC pads hashed once). The order
    `team_order` defines — load, then the HMAC — is unchanged: the first candidate in it with a
    property is the least HMAC among the least-loaded candidates with that property."""

    spec = TEAM_V1

    def __init__(
        self,
        seed: bytes,
        department: str,
        candidates: Iterable[Candidate],
        required: Sequence[str],
        size: int,
        load: dict[str, int] | None = None,
    ):
        self.department, self.required, self.size = department, list(required), size
        self.load = load if load is not None else {}
        self._seed, self._mac = seed, _Hmac.of(seed)
        self._cands = [c for c in candidates if not c.is_expert]
        self._enc = {c.key: enc(c.key) for c in self._cands}
        self._dept = enc(department)
        self._wanted = set(self.required)
        # class (the required specialties held) → load → (keys, candidates), both in key order
        self._buckets: dict[frozenset[str], dict[int, tuple[list[str], list[Candidate]]]] = {}
        for c in sorted(self._cands, key=_by_key):
            keys, cands = self._buckets.setdefault(c.specialties & self._wanted, {}).setdefault(
                self.load.get(c.key, 0), ([], [])
            )
            keys.append(c.key)
            cands.append(c)
        self._classes = list(self._buckets)  # fixed from here on: a class never gains members
        self._holders = {spec: [cls for cls in self._classes if spec in cls] for spec in self.required}

    def _groups(self, classes, excluded: set[str]) -> Iterator[list[Candidate]]:
        """Load level by load level, lowest first: the candidates of `classes` at that load and
        not excluded, in key order (never empty)."""
        buckets = self._buckets
        if len(classes) == 1:
            levels = sorted(buckets[classes[0]])
        else:
            levels = sorted({n for cls in classes for n in buckets[cls]})
        for n in levels:
            parts = [buckets[cls][n] for cls in classes if n in buckets[cls]]
            if len(parts) == 1:
                keys, group = parts[0]
                for k in excluded:
                    i = bisect_left(keys, k)
                    if i < len(keys) and keys[i] == k:
                        group = [c for c in group if c.key not in excluded]
                        break
            else:
                group = sorted((c for _, cands in parts for c in cands if c.key not in excluded), key=_by_key)
            if group:
                yield group

    def _chooser(self, target_key: str):
        """v1: the least HMAC(seed, enc("ssj-team-v1", target key, department, key)) of a group."""
        inner = self._mac.ipad.copy()
        inner.update(enc(TEAM_V1, target_key) + self._dept)
        opad, encoded, cache = self._mac.opad, self._enc, {}

        def tiebreak(c: Candidate) -> bytes:
            d = cache.get(c.key)
            if d is None:
                h = inner.copy()
                h.update(encoded[c.key])
                o = opad.copy()
                o.update(h.digest())
                d = cache[c.key] = o.digest()
            return d

        return lambda group: min(group, key=tiebreak)

    def draw(self, target_key: str, barred: Iterable[str] = ()) -> list[Candidate]:
        """The team for one target; `barred` are the keys of the candidates in conflict with it
        (R-DRAW-3). Loads are updated, as `draw_team` does."""
        if self.size < 2:
            raise DrawError("检查组至少 2 名执法人员（专家不计入）")
        excluded = set(barred) & self._enc.keys() if barred else set()
        available = len(self._cands) - len(excluded)
        if available < self.size:
            raise DrawError(
                f"{self.department}：对检查对象 {target_key} 可抽取的执法人员只有 {available} 名，不足 {self.size} 名"
            )
        choose = self._chooser(target_key)
        team: list[Candidate] = []
        for spec in self.required:
            if any(spec in m.specialties for m in team):
                continue
            group = next(self._groups(self._holders[spec], excluded), None)
            if group is None:
                raise DrawError(
                    f"{self.department}：对检查对象 {target_key} 没有具备“{spec}”专长且无需回避的执法人员"
                )
            team.append(choose(group))
            excluded.add(team[-1].key)
        if len(team) > self.size:
            raise DrawError(f"{self.department}：覆盖全部专长需要 {len(team)} 人，超过检查组人数 {self.size}")
        while len(team) < self.size:
            team.append(choose(next(self._groups(self._classes, excluded))))
            excluded.add(team[-1].key)
        self._count(team)
        return team

    def _count(self, team: list[Candidate]) -> None:
        """Each member's load goes up by one; the member moves to the next bucket."""
        for m in team:
            n = self.load.get(m.key, 0)
            buckets = self._buckets[m.specialties & self._wanted]
            keys, cands = buckets[n]
            i = bisect_left(keys, m.key)
            del keys[i], cands[i]
            if not keys:
                del buckets[n]
            keys, cands = buckets.setdefault(n + 1, ([], []))
            i = bisect_left(keys, m.key)
            keys.insert(i, m.key)
            cands.insert(i, m)
            self.load[m.key] = n + 1


class TeamDrawerV2(TeamDrawer):
    """Teams under ssj-team-v2 (docs/draw-spec.md §7), for records drawn since it was introduced:
    the same hard rules, the same least-loaded-first rule and the same chance for each of the
    least-loaded candidates, but the tie among them is settled by ONE uniform draw from the
    target's stream — HMAC(seed, enc("ssj-team-v2", target key, department) ‖ u64(j)) — over the
    tied candidates in key order, instead of one HMAC per tied candidate. (v1 needs ~140 HMACs per
    target for two departments of 100–200 inspectors: at 30,000 targets, more than the team
    draw's whole 5-second budget.)"""

    spec = TEAM_V2

    def _chooser(self, target_key: str):
        kb = target_key.encode()
        stream = Stream.over_prefix(self._seed, _TEAM_V2_FIELD + len(kb).to_bytes(4, "big") + kb + self._dept)
        return lambda group: group[stream.below(len(group))]


def team_drawer(spec: str, seed: bytes, department: str, candidates, required, size, load=None) -> TeamDrawer:
    """The drawer of a record's team spec version."""
    cls = {TEAM_V1: TeamDrawer, TEAM_V2: TeamDrawerV2}.get(spec)
    if cls is None:
        raise DrawError(f"未知的人员抽取规范版本：{spec}")
    return cls(seed, department, candidates, required, size, load)


def replacement_v2(
    seed: bytes,
    *,
    target_key: str,
    department: str,
    recused_key: str,
    candidates: Iterable[Candidate],
    missing: Sequence[str],
    load: dict[str, int],
) -> Candidate | None:
    """ssj-team-v2's replacement after an approved recusal: among the candidates (eligible, not in
    conflict, not in or ever recused from this team) holding every specialty the team now lacks,
    the least loaded; among them, in key order, the one a uniform draw from
    HMAC(seed, enc("ssj-team-replace-v2", target key, department, recused key) ‖ u64(j)) picks."""
    fit = [c for c in candidates if not c.is_expert and all(m in c.specialties for m in missing)]
    if not fit:
        return None
    low = min(load.get(c.key, 0) for c in fit)
    group = sorted((c for c in fit if load.get(c.key, 0) == low), key=_by_key)
    return group[Stream.over(seed, REPLACE_V2, target_key, department, recused_key).below(len(group))]


def chi_square(observed: Sequence[int]) -> float:
    """Pearson's statistic against equal expected counts (used by the suite and by anyone
    auditing many draws)."""
    total = sum(observed)
    expected = total / len(observed)
    return math.fsum((o - expected) ** 2 / expected for o in observed)
