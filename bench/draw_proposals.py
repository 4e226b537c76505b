"""Measures proposed fixes for the draw and public-results misses on the database `bench/run` left
(run that first; `--only draw,results` is enough). Not part of bench/run and never of the test
suite: the application code is untouched — each proposal is a drop-in replacement defined here,
checked to give exactly what the current code gives, and timed against it in the same process.
`results` temporarily adds an index to inspection_publishedresult and drops it again.

    .venv/bin/python bench/draw_proposals.py freeze_sql      # the exclusion subqueries, uncorrelated
    .venv/bin/python bench/draw_proposals.py freeze_e2e      # both, end to end inside a transaction
    .venv/bin/python bench/draw_proposals.py freeze_python   # leaf hashes, Merkle stack, gzip level
    .venv/bin/python bench/draw_proposals.py resolve         # _resolve: streamed file, cheaper leaves
    .venv/bin/python bench/draw_proposals.py teams           # team_order: one-shot HMAC, lazy by load
    .venv/bin/python bench/draw_proposals.py results         # bigram index, capped counts
    .venv/bin/python bench/draw_proposals.py all

(with the environment bench/run sets: SHUANGSUIJI_DATABASE_URL, SHUANGSUIJI_SECRET_KEY,
DJANGO_SETTINGS_MODULE). Prints JSON.
"""

import gzip
import hashlib
import hmac
import io
import json
import sys
import time
from collections import deque
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import Clock, django_backend_pid, django_setup, timed_ms  # noqa: E402

# ---- proposal 1: pool.annotated with uncorrelated exclusion subqueries --------------------------------


def proposed_annotated(task):
    """pool.annotated, with each exclusion a `pk IN (uncorrelated subquery)`: PostgreSQL runs each
    subquery once and probes a hash (a hashed SubPlan) instead of running a five-table join per
    candidate. Same CASE order, same reasons."""
    from django.conf import settings
    from django.db.models import Case, CharField, Count, F, Q, Value, When

    from shuangsuiji.draw import pool
    from shuangsuiji.draw.models import DrawStatus, Selection
    from shuangsuiji.planning.models import TaskState

    dept_ids = list(task.departments.values_list("pk", flat=True))
    year = Selection.objects.filter(
        draw__status=DrawStatus.DRAWN, draw__task__plan__year=task.plan.year
    ).exclude(draw__task=task)
    same_dept = year.filter(draw__task__departments__in=dept_ids)
    open_task = same_dept.exclude(draw__task__state__in=[TaskState.CLOSED, TaskState.VOIDED]).values(
        "target_id"
    )
    capped = (
        same_dept.values("target_id")
        .annotate(n=Count("draw", distinct=True))
        .filter(n__gte=settings.DRAW_CAP_PER_DEPARTMENT)
        .values("target_id")
    )
    return (
        pool.scope(task)
        .annotate(
            key=pool._key_expr(),
            stratum=F("risk_class") if task.credit_based else Value("*", output_field=CharField()),
            reason=Case(
                When(pk__in=open_task, then=Value("open_task")),
                When(pk__in=capped, then=Value("cap")),
                When(Q(risk_class="A") & Q(pk__in=year.values("target_id")), then=Value("a_class")),
                default=Value(""),
                output_field=CharField(),
            ),
        )
        .order_by("stratum", "key")
    )


def _stream_digest(qs) -> tuple[int, str]:
    h, n = hashlib.sha256(), 0
    for row in qs.values_list("pk", "key", "stratum", "reason").iterator(chunk_size=5000):
        h.update(repr(row).encode())
        n += 1
    return n, h.hexdigest()


def _explain_ms(qs) -> tuple[float, float]:
    from django.db import connection

    sql, params = qs.values_list("pk", "key", "stratum", "reason").query.sql_with_params()
    with connection.cursor() as c:
        c.execute("EXPLAIN (ANALYZE) " + sql, params)
        plan = [r[0] for r in c.fetchall()]
    total = sum(
        float(x.split(":")[1].split()[0]) for x in plan if x.startswith(("Planning Time", "Execution Time"))
    )
    jit = next((float(x.split("Total")[1].split()[0]) for x in plan if "Timing:" in x and "Total" in x), 0.0)
    return total, jit


def _main_task():
    from shuangsuiji.planning.models import Task

    return Task.objects.filter(plan__year=2026, mode="joint").order_by("-pk").first()


def freeze_sql() -> dict:
    from shuangsuiji.draw import pool

    task = _main_task()
    out = {}
    for name, fn in (("current", pool.annotated), ("proposed", proposed_annotated)):
        qs = fn(task)
        ms, jit = _explain_ms(qs)
        n, digest = _stream_digest(qs)
        out[name] = {"server_ms": ms, "jit_ms": jit, "rows": n, "digest": digest}
    out["identical"] = out["current"]["digest"] == out["proposed"]["digest"]
    # end to end: the real pool.freeze over each query (labels fixed so the roots compare)
    labels = {c: f"层{c or 'U'}" for c in ("A", "B", "C", "D", "")}
    pid = django_backend_pid()
    current = pool.annotated
    for name, fn in (("current", current), ("proposed", proposed_annotated)):
        pool.annotated = fn
        with Clock(pid) as c:
            frozen = pool.freeze(task, labels)
        out[name]["freeze"] = {**c.as_dict(), "pool_root": frozen.pool_root}
    pool.annotated = current
    out["same_pool_root"] = out["current"]["freeze"]["pool_root"] == out["proposed"]["freeze"]["pool_root"]
    return out


def freeze_e2e() -> dict:
    """pool.freeze on the real pool inside a transaction (as draw_announce runs it: no WITH HOLD
    cursor), current against proposals 1 and 1+2, alternating, twice each; wall and CPU."""
    from django.db import transaction

    from shuangsuiji.draw import pool

    task = _main_task()
    labels = {c: f"层{c or 'U'}" for c in ("A", "B", "C", "D", "")}
    pid = django_backend_pid()
    current = pool.annotated
    variants = {
        "current": lambda: pool.freeze(task, labels),
        "sql": lambda: pool.freeze(task, labels),
        "sql+python": lambda: fast_freeze(task, labels, proposed_annotated),
    }
    out: dict = {k: [] for k in variants}
    roots = set()
    for _ in range(2):
        for name, fn in variants.items():
            pool.annotated = proposed_annotated if name == "sql" else current
            with transaction.atomic(), Clock(pid) as c:
                roots.add(fn().pool_root)
            out[name].append(c.as_dict())
    pool.annotated = current
    out["same_pool_root"] = len(roots) == 1
    return out


# ---- proposal 2: pool.freeze's Python --------------------------------------------------------------------


def fast_freeze(task, labels, annotated, compresslevel=6):
    """pool.freeze with the same output (the same roots, the same pool file once decompressed):
    leaf hash from a per-stratum prefix (enc() once per stratum, not per leaf), the Merkle stack
    merged by the leaf count's trailing ones with no per-node bookkeeping when no audit path is
    wanted, lines written 5,000 at a time, gzip at level 6 instead of 9."""
    from shuangsuiji.draw import engine, pool

    sha = hashlib.sha256
    stacks: dict[str, list[bytes]] = {}
    sizes: dict[str, int] = {}
    prefixes: dict[str, bytes] = {}
    exclusions = dict.fromkeys(pool.EXCLUSION_REASONS, 0)
    buf = io.BytesIO()
    with gzip.GzipFile(fileobj=buf, mode="wb", mtime=0, compresslevel=compresslevel) as gz:
        head = json.dumps({"format": "ssj-pool-v1", "task": task.code}, ensure_ascii=False) + "\n"
        gz.write(head.encode())
        lines: list[str] = []
        rows = annotated(task).values_list("pk", "key", "stratum", "reason")
        for pk, key, stratum, reason in rows.iterator(chunk_size=5000):
            if reason:
                exclusions[reason] += 1
                lines.append(f"X\t{reason}\t{key}\t{pk}\n")
            else:
                label = labels[stratum]
                stack = stacks.get(label)
                if stack is None:
                    stack = stacks[label] = []
                    sizes[label] = 0
                    prefixes[label] = b"\x00" + engine.enc(label)
                kb = key.encode()
                h = sha(prefixes[label] + len(kb).to_bytes(4, "big") + kb).digest()
                n = sizes[label]
                while n & 1:
                    h = sha(b"\x01" + stack.pop() + h).digest()
                    n >>= 1
                stack.append(h)
                lines.append(f"{label}\t{sizes[label]}\t{key}\t{pk}\n")
                sizes[label] += 1
            if len(lines) >= 5000:
                gz.write("".join(lines).encode())
                lines.clear()
        gz.write("".join(lines).encode())
    strata = []
    for stratum, label in labels.items():
        if label in stacks:
            stack = stacks[label]
            h = stack[-1]
            for left in reversed(stack[:-1]):
                h = sha(b"\x01" + left + h).digest()
            strata.append({"label": label, "risk_class": stratum, "size": sizes[label], "root": h.hex()})
    strata.sort(key=lambda s: s["label"])
    root = engine.pool_root([(s["label"], s["size"], bytes.fromhex(s["root"])) for s in strata])
    return pool.Frozen(strata, root.hex(), exclusions, buf.getvalue())


def freeze_python() -> dict:
    from types import SimpleNamespace

    import draw_bench

    from shuangsuiji.draw import pool

    labels = {c: f"层{c or 'U'}" for c in ("A", "B", "C", "D", "")}
    out = {}
    n = 1_000_000
    synth = lambda task: draw_bench._SyntheticScope(n)  # noqa: E731
    with Clock() as c:
        deque(draw_bench._SyntheticScope(n).iterator(), maxlen=0)  # produce every row, keep none
    out["synthetic_row_source_s"] = c.client_cpu
    current = pool.annotated
    pool.annotated = synth
    with Clock() as c:
        a = pool.freeze(SimpleNamespace(code="SYNTH"), labels)
    pool.annotated = current
    out["synthetic_current_s"] = c.client_cpu
    for level in (6, 1):
        with Clock() as c:
            b = fast_freeze(SimpleNamespace(code="SYNTH"), labels, synth, compresslevel=level)
        out[f"synthetic_proposed_level{level}_s"] = c.client_cpu
        out[f"synthetic_level{level}_file_mb"] = len(b.file_bytes) / 1e6
        out[f"synthetic_level{level}_identical"] = a.pool_root == b.pool_root and gzip.decompress(
            a.file_bytes
        ) == gzip.decompress(b.file_bytes)
    out["synthetic_level9_file_mb"] = len(a.file_bytes) / 1e6
    # the real pool, both fixes together (proposal 1's query and this Python)
    task = _main_task()
    pid = django_backend_pid()
    with Clock(pid) as c:
        real = fast_freeze(task, labels, proposed_annotated)
    out["real_both_proposals"] = {**c.as_dict(), "pool_root": real.pool_root}
    pool.annotated = current
    with Clock(pid) as c:
        ref = pool.freeze(task, labels)
    out["real_current"] = {**c.as_dict(), "pool_root": ref.pool_root}
    out["real_identical"] = ref.pool_root == real.pool_root and gzip.decompress(
        ref.file_bytes
    ) == gzip.decompress(real.file_bytes)
    return out


# ---- proposal 2b: services._resolve ---------------------------------------------------------------------------


class FastMerkleBuilder:
    """engine.MerkleBuilder's API and results (root, audit paths of leaves named in advance) with
    less work per leaf: the stack merges by the leaf count's trailing ones, and a subtree hash is
    kept only if its (level, index) is in an int set built from the wanted paths — no tuple, no
    method call per node."""

    def __init__(self, size: int, want=()):
        from shuangsuiji.draw import engine

        self.size, self.count = size, 0
        self._stack: list[bytes] = []
        self._want = {i: engine.path_ranges(i, 0, size) for i in want}
        self._by_level: dict[int, set[int]] = {}
        self._spine: set[tuple[int, int]] = set()  # ranges that are not aligned perfect subtrees
        for ranges in self._want.values():
            for lo, hi in ranges:
                n = hi - lo
                if n & (n - 1) == 0 and lo % n == 0:
                    self._by_level.setdefault(n.bit_length() - 1, set()).add(lo // n)
                else:
                    self._spine.add((lo, hi))
        self._levels = [self._by_level.get(k, set()) for k in range(max(self._by_level, default=-1) + 1)]
        self._found: dict[tuple[int, int], bytes] = {}

    def add(self, h: bytes) -> None:
        j = self.count
        self.count = j + 1
        levels, found, stack, sha = self._levels, self._found, self._stack, hashlib.sha256
        if levels and j in levels[0]:
            found[(j, j + 1)] = h
        lvl = 0
        while j & 1:
            h = sha(b"\x01" + stack.pop() + h).digest()
            j >>= 1
            lvl += 1
            if lvl < len(levels) and j in levels[lvl]:
                found[(j << lvl, (j + 1) << lvl)] = h
        stack.append(h)

    def root(self) -> bytes:
        if self.count != self.size:
            raise ValueError(f"expected {self.size} leaves, got {self.count}")
        if not self._stack:
            return hashlib.sha256(b"").digest()
        # the stack holds perfect subtrees, largest first: their sizes are count's set bits
        sizes = [1 << b for b in range(self.count.bit_length() - 1, -1, -1) if self.count >> b & 1]
        los, lo = [], 0
        for n in sizes:
            los.append(lo)
            lo += n
        h = self._stack[-1]
        for lo, left in zip(reversed(los[:-1]), reversed(self._stack[:-1]), strict=True):
            h = hashlib.sha256(b"\x01" + left + h).digest()
            if (lo, self.size) in self._spine:
                self._found[(lo, self.size)] = h
        return h

    def paths(self) -> dict[int, list[str]]:
        return {i: [self._found[r].hex() for r in ranges] for i, ranges in self._want.items()}


def fast_resolve(draw, wanted):
    """services._resolve with the same result: the pool file decompressed as a stream (not read
    whole first), the leaf hash from a per-stratum prefix, positions compared as the strings the
    file holds, and FastMerkleBuilder."""
    from shuangsuiji.core.errors import DomainError
    from shuangsuiji.draw import engine

    sha = hashlib.sha256
    sizes = {s["label"]: s["size"] for s in draw.strata}
    builders = {label: FastMerkleBuilder(sizes[label], wanted[label]) for label in sizes}
    prefixes = {label: b"\x00" + engine.enc(label) for label in sizes}
    want = {label: {str(p) for p in ps} for label, ps in wanted.items()}
    found = {}
    with draw.pool_file.open("rb") as f, gzip.GzipFile(fileobj=f) as gz:
        lines = io.TextIOWrapper(gz, encoding="utf-8")
        next(lines)
        for line in lines:
            label, position, key, pk = line.rstrip("\n").split("\t")
            if label == "X":
                continue
            kb = key.encode()
            builders[label].add(sha(prefixes[label] + len(kb).to_bytes(4, "big") + kb).digest())
            if position in want[label]:
                found[(label, int(position))] = (key, int(pk))
    out = {}
    for s in draw.strata:
        b = builders[s["label"]]
        if b.root().hex() != s["root"]:
            raise DomainError(f"冻结的对象池与公告的承诺不符（分层 {s['label']}），抽取已停止，请联系审计员")
        for position, path in b.paths().items():
            key, pk = found[(s["label"], position)]
            out[(s["label"], position)] = (key, pk, path)
    return out


def resolve() -> dict:
    """services._resolve against fast_resolve over a synthetic 10⁶ pool frozen by the real
    pool.freeze, with R-PLAN-3's quotas; time, and Python's peak allocation (tracemalloc, in a
    second pass)."""
    import tracemalloc
    from decimal import Decimal
    from types import SimpleNamespace

    import draw_bench

    from shuangsuiji.draw import engine, pool, services

    labels = {c: f"层{c or 'U'}" for c in ("A", "B", "C", "D", "")}
    current = pool.annotated
    pool.annotated = lambda task: draw_bench._SyntheticScope(1_000_000)
    frozen = pool.freeze(SimpleNamespace(code="SYNTH"), labels)
    pool.annotated = current
    ratios = {c: Decimal(r) for c, r in draw_bench.RATIOS.items()} | {"": Decimal(draw_bench.RATIOS["B"])}
    quotas = engine.quotas_by_ratio(
        {s["label"]: s["size"] for s in frozen.strata},
        {s["label"]: ratios[s["risk_class"]] for s in frozen.strata},
    )
    data = frozen.file_bytes
    draw = SimpleNamespace(
        strata=frozen.strata, pool_file=SimpleNamespace(open=lambda mode="rb": io.BytesIO(data))
    )
    wanted = {
        s["label"]: engine.select_positions(b"\x02" * 32, s["label"], s["size"], quotas[s["label"]])
        for s in frozen.strata
    }
    out = {"paths": sum(len(v) for v in wanted.values()), "pool_file_mb": len(data) / 1e6}
    got = {}
    for name, fn in (("current", services._resolve), ("proposed", fast_resolve)):
        with Clock() as c:
            got[name] = fn(draw, wanted)
        tracemalloc.start()
        fn(draw, wanted)
        out[name] = {
            "seconds": c.wall,
            "cpu_s": c.client_cpu,
            "python_peak_mb": tracemalloc.get_traced_memory()[1] / 2**20,
        }
        tracemalloc.stop()
    out["identical"] = got["current"] == got["proposed"]
    return out


# ---- proposal 3: the team engine ---------------------------------------------------------------------------


_ENC: dict[str, bytes] = {}  # a candidate's encoded key, computed once


def fast_draw_team(seed, *, target_key, department, candidates, required, size, load):
    """engine.draw_team with the same result: the tiebreak is the same HMAC, computed by the
    one-shot hmac.digest over a per-target prefix and each candidate's encoded key (cached), and
    only for the load groups actually reached (lowest load first, sorted within a group: the same
    order as sorting everyone by (load, tiebreak))."""
    from shuangsuiji.draw import engine

    prefix = engine.enc("ssj-team-v1", target_key, department)
    groups: dict[int, list] = {}
    count = 0
    for c in candidates:
        if not c.is_expert:
            groups.setdefault(load.get(c.key, 0), []).append(c)
            count += 1
    if size < 2:
        raise engine.DrawError("检查组至少 2 名执法人员（专家不计入）")
    if count < size:
        raise engine.DrawError(
            f"{department}：对检查对象 {target_key} 可抽取的执法人员只有 {count} 名，不足 {size} 名"
        )
    digest = hmac.digest

    def ordered():
        for level in sorted(groups):
            group = groups[level]
            keys = []
            for c in group:
                e = _ENC.get(c.key)
                if e is None:
                    e = _ENC[c.key] = engine.enc(c.key)
                keys.append(digest(seed, prefix + e, "sha256"))
            yield from (c for _, c in sorted(zip(keys, group, strict=True), key=lambda x: x[0]))

    seen: list = []  # the order, materialised only as far as needed
    it = ordered()

    def at(i):
        while len(seen) <= i:
            seen.append(next(it))
        return seen[i]

    team: list = []
    for spec in required:
        if any(spec in m.specialties for m in team):
            continue
        i, holder = 0, None
        while i < count:
            c = at(i)
            if spec in c.specialties and c not in team:
                holder = c
                break
            i += 1
        if holder is None:
            raise engine.DrawError(
                f"{department}：对检查对象 {target_key} 没有具备“{spec}”专长且无需回避的执法人员"
            )
        team.append(holder)
    if len(team) > size:
        raise engine.DrawError(f"{department}：覆盖全部专长需要 {len(team)} 人，超过检查组人数 {size}")
    i = 0
    while len(team) < size:
        c = at(i)
        if c not in team:
            team.append(c)
        i += 1
    for m in team:
        load[m.key] = load.get(m.key, 0) + 1
    return team


class TeamDrawer:
    """A stateful form of engine.draw_team for one department and one draw, with the same teams:
    candidates kept in buckets by load (moved when drawn), so each target looks only at the
    least-loaded bucket(s) — computing the spec's HMAC tiebreak (one-shot, over a per-target
    prefix and each candidate's cached encoding) for those only — instead of regrouping and
    hashing every candidate. `barred` are the keys of the target's conflicts."""

    def __init__(self, seed: bytes, department: str, candidates, required, size: int):
        from shuangsuiji.draw import engine

        if size < 2:
            raise engine.DrawError("检查组至少 2 名执法人员（专家不计入）")
        self.seed, self.department, self.required, self.size = seed, department, list(required), size
        self.cands = [c for c in candidates if not c.is_expert]
        self.enc = {c.key: engine.enc(c.key) for c in self.cands}
        self.load: dict[str, int] = {}
        self.buckets: dict[int, dict[str, object]] = {0: {c.key: c for c in self.cands}}

    def draw(self, target_key: str, barred=frozenset()):
        from shuangsuiji.draw import engine

        available = len(self.cands) - sum(1 for c in self.cands if c.key in barred)
        if available < self.size:
            raise engine.DrawError(
                f"{self.department}：对检查对象 {target_key} 可抽取的执法人员只有 {available} 名，不足 {self.size} 名"
            )
        prefix = engine.enc("ssj-team-v1", target_key, self.department)
        seed, enc, digest = self.seed, self.enc, hmac.digest
        levels = iter(sorted(self.buckets))
        seen: list = []

        def at(i):
            while len(seen) <= i:
                group = [c for k, c in self.buckets[next(levels)].items() if k not in barred]
                group.sort(key=lambda c: digest(seed, prefix + enc[c.key], "sha256"))
                seen.extend(group)
            return seen[i]

        team: list = []
        for spec in self.required:
            if any(spec in m.specialties for m in team):
                continue
            i, holder = 0, None
            while i < available:
                c = at(i)
                if spec in c.specialties and c not in team:
                    holder = c
                    break
                i += 1
            if holder is None:
                raise engine.DrawError(
                    f"{self.department}：对检查对象 {target_key} 没有具备“{spec}”专长且无需回避的执法人员"
                )
            team.append(holder)
        if len(team) > self.size:
            raise engine.DrawError(
                f"{self.department}：覆盖全部专长需要 {len(team)} 人，超过检查组人数 {self.size}"
            )
        i = 0
        while len(team) < self.size:
            c = at(i)
            if c not in team:
                team.append(c)
            i += 1
        for m in team:
            n = self.load.get(m.key, 0)
            del self.buckets[n][m.key]
            if not self.buckets[n]:
                del self.buckets[n]
            self.load[m.key] = n + 1
            self.buckets.setdefault(n + 1, {})[m.key] = m
        return team


def teams() -> dict:
    import draw_bench

    from shuangsuiji.draw import engine
    from shuangsuiji.draw.models import DrawStatus, TargetDraw

    draw = (
        TargetDraw.objects.select_related("task")
        .filter(task__plan__year=2026, task__mode="joint", status=DrawStatus.DRAWN)
        .order_by("-pk")
        .first()
    )
    seed = bytes.fromhex(draw.seed)
    selections, conflicts, depts = draw_bench._team_inputs(draw)
    out = {"selections": len(selections)}
    results = {}
    for name, fn in (("current", engine.draw_team), ("proposed", fast_draw_team)):
        teams_ = []
        with Clock() as c:
            for dname, cands, required, size in depts:
                everyone = [x for _, x in cands]
                load: dict[str, int] = {}
                for key, target_id in selections:
                    barred = conflicts.get(target_id)
                    pool_ = [x for pk, x in cands if pk not in barred] if barred else everyone
                    teams_.append(
                        [
                            m.key
                            for m in fn(
                                seed,
                                target_key=key,
                                department=dname,
                                candidates=pool_,
                                required=required,
                                size=size,
                                load=load,
                            )
                        ]
                    )
        out[name] = c.as_dict()
        results[name] = teams_
    # the stateful drawer: conflicts passed as keys, loads kept inside
    teams_ = []
    with Clock() as c:
        for dname, cands, required, size in depts:
            drawer = TeamDrawer(seed, dname, [x for _, x in cands], required, size)
            key_of = {pk: x.key for pk, x in cands}
            for key, target_id in selections:
                barred = {key_of[pk] for pk in conflicts.get(target_id, ()) if pk in key_of}
                teams_.append([m.key for m in drawer.draw(key, barred)])
    out["stateful"] = c.as_dict()
    out["identical"] = results["current"] == results["proposed"] == teams_
    return out


# ---- proposal 4: the public results search -------------------------------------------------------------------


def results() -> dict:
    """A bigram GIN index on inspection_publishedresult.name (the function migration directory 0003
    made) for 2-character queries, and a capped paginator count; `search_page` timed with the
    current search_results and with the proposed one (same rows checked)."""
    from django.core.paginator import Paginator
    from django.db import connection
    from django.db.models import BooleanField, Q
    from django.db.models.expressions import RawSQL

    from shuangsuiji.inspection.models import PublishedResult
    from shuangsuiji.publicity import results as pub

    needles = ["鑫达", "餐饮", "有限公司", "达建材"]
    current_search = pub.search_results

    def proposed_search(q):
        q = (q or "").strip()[: pub.Q_MAX]
        if len(q) == 2 and not pub.USCC_SHAPE.match(q.upper()):
            bigram = RawSQL(
                'ssj_bigrams("inspection_publishedresult"."name") @> ARRAY[%s]::text[]',
                [q],
                output_field=BooleanField(),
            )
            return PublishedResult.objects.filter(Q(bigram) & Q(name__contains=q)).order_by(
                "name", "uscc", "-published_at", "inspection_id", "id"
            )
        return current_search(q)

    class CappedPaginator(Paginator):
        """Counts at most CAP + 1 inspections (the page then says “1,000+”)."""

        CAP = 1000

        @property
        def count(self):  # a property, as Django's
            return self.object_list.order_by()[: self.CAP + 1].count()

    def page_of(search, paginator_cls):
        def run(q):
            rows = search(q)
            page = paginator_cls(pub._inspections(rows), pub.PER_PAGE).get_page(1)
            ids = [pk for pk, *_ in page.object_list]
            got = list(PublishedResult.objects.filter(inspection_id__in=ids).order_by("inspection_id", "id"))
            capped = paginator_cls is not Paginator
            n = rows.order_by()[: CappedPaginator.CAP * 4 + 1].count() if capped else rows.count()
            return ids, len(got), n

        return run

    out = {}
    with connection.cursor() as c:
        c.execute("SET maintenance_work_mem = '256MB'")
        t = time.perf_counter()
        c.execute(
            "CREATE INDEX IF NOT EXISTS bench_published_result_bigrams ON inspection_publishedresult "
            "USING gin (ssj_bigrams(name))"
        )
        out["index_build_s"] = time.perf_counter() - t
        c.execute("SELECT pg_relation_size('bench_published_result_bigrams')")
        out["index_mb"] = c.fetchone()[0] / 2**20
        c.execute("ANALYZE inspection_publishedresult")
    try:
        for q in needles:
            cur_ms, cur = timed_ms(lambda q=q: page_of(current_search, Paginator)(q), 5)
            big_ms, big = timed_ms(lambda q=q: page_of(proposed_search, Paginator)(q), 5)
            cap_ms, cap = timed_ms(lambda q=q: page_of(proposed_search, CappedPaginator)(q), 5)
            out[q] = {
                "current_ms": cur_ms,
                "bigram_ms": big_ms,
                "bigram_capped_counts_ms": cap_ms,
                "same_page": cur[0] == big[0] == cap[0],
                "rows": cur[2],
                "_ids": cur[0],
            }
        # and an index in the search's order, so that the page of a broad query stops after 20
        with connection.cursor() as c:
            t = time.perf_counter()
            c.execute(
                "CREATE INDEX IF NOT EXISTS bench_published_result_order ON inspection_publishedresult "
                "(name, uscc, published_at DESC, inspection_id)"
            )
            out["order_index_build_s"] = time.perf_counter() - t
            c.execute("ANALYZE inspection_publishedresult")
        for q in needles:
            ms, res = timed_ms(lambda q=q: page_of(proposed_search, CappedPaginator)(q), 5)
            out[q]["bigram_capped_order_index_ms"] = ms
            out[q]["same_page_order_index"] = res[0] == out[q].pop("_ids")
    finally:
        with connection.cursor() as c:
            c.execute("DROP INDEX IF EXISTS bench_published_result_bigrams")
            c.execute("DROP INDEX IF EXISTS bench_published_result_order")
    return out


def main():
    django_setup()
    which = sys.argv[1] if len(sys.argv) > 1 else "all"
    fns = {
        "freeze_sql": freeze_sql,
        "freeze_e2e": freeze_e2e,
        "freeze_python": freeze_python,
        "resolve": resolve,
        "teams": teams,
        "results": results,
    }
    out = {}
    for name, fn in fns.items():
        if which in (name, "all"):
            t = time.perf_counter()
            out[name] = fn()
            out[name]["_seconds"] = time.perf_counter() - t
            print(f"{name}: {out[name]['_seconds']:.0f} s", file=sys.stderr, flush=True)
    print(json.dumps(out, ensure_ascii=False, indent=1, default=str))


if __name__ == "__main__":
    main()
