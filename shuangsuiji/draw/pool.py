"""The pool of a task's draw, built set-based in SQL and streamed in key order (never loaded
whole): scope filters, the frequency caps (R-DRAW-4) as recorded exclusions, and the frozen,
committed file that an auditor can download and re-run."""

import binascii
import datetime as dt
import io
import json
import logging
import queue
import re
import secrets
import tempfile
import threading
from collections.abc import Callable, Collection, Iterable, Iterator
from dataclasses import dataclass
from itertools import groupby, islice
from typing import IO

import psycopg
from django.conf import settings
from django.db import connection, transaction
from django.db.models import (
    BooleanField,
    Case,
    CharField,
    Count,
    Exists,
    F,
    FilteredRelation,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce, Collate, Concat, NullIf
from django.utils import timezone
from isal import igzip  # the gzip format, through ISA-L: ~3× faster than zlib at level 1
from psycopg.types.string import ByteaBinaryLoader

from shuangsuiji.core.errors import DomainError
from shuangsuiji.directory.models import Target, TargetSupervision
from shuangsuiji.planning.models import Task, TaskKind, TaskState
from shuangsuiji.planning.selectors import task_scope_targets

from . import engine
from .leaves import HelperFolder, LeafFolder, Wanted
from .models import DrawStatus, Selection

logger = logging.getLogger(__name__)

NEWLINE_IN_KEY = "检查对象标识中含有换行符，无法写入对象池：请先在对象库中更正该对象的编码"
UNCLASSIFIED = ""  # targets without a risk class form their own stratum, at B's ratio

EXCLUSION_REASONS = {
    "carried": "沿用被作废抽取中仍然有效的抽中对象（只补抽被移除的对象）",
    "open_task": "已在本部门本年度另一进行中的任务中",
    "cap": "本部门本年度抽中次数已达上限",
    "a_class": "A类（低风险）对象本年度已被抽中过，不再重复抽取（无事不扰）",
    "triggered": "近期已由本部门触发式检查检查相同事项（一次检查、全面体检）",
}


def _bytewise(expr):
    # Byte order, as the spec says: PostgreSQL's "C" collation, SQLite's BINARY.
    return Collate(expr, "C" if connection.vendor == "postgresql" else "BINARY")


def key_expr(via: str = ""):
    """A target's key in a pool (统一社会信用代码, or kind:非市场主体标识), in byte order; `via`
    reaches the target from another model ("target__")."""
    return _bytewise(
        Coalesce(
            f"{via}uscc", Concat(f"{via}kind", Value(":"), f"{via}nonmarket_key"), output_field=CharField()
        )
    )


def scope(task: Task) -> QuerySet[Target]:
    """Targets in the task's scope, in 存续, supervised by one of the task's departments."""
    return _supervised_scope(task).exclude(pk__in=_duplicates(task))


def _supervised_scope(task: Task) -> QuerySet[Target]:
    dept_ids = list(task.departments.values_list("pk", flat=True))
    return _in_scope(task).filter(
        Exists(TargetSupervision.objects.filter(target=OuterRef("pk"), department_id__in=dept_ids))
    )


def _duplicates(task: Task) -> QuerySet:
    """The ids of the scope's second records of one 非市场主体: a key is unique per keeping
    department only (directory/ownership.py), so two departments of a joint task may each keep
    the same person or code; the pool takes one row per key (the spec's keys are unique within a
    stratum, and one candidate is drawn at most once) — the lead department's record, else the
    lowest id. Uncorrelated: computed once over the scope's non-market targets (few beside the
    market subjects), then tested as `pk NOT IN (hashed set)`."""
    in_scope = _supervised_scope(task)
    beaten_by = (
        in_scope.filter(kind=OuterRef("kind"), nonmarket_key=OuterRef("nonmarket_key"))
        .exclude(pk=OuterRef("pk"))
        .filter(Q(keeper_department_id=task.lead_id) | Q(pk__lt=OuterRef("pk")))
    )
    return (
        in_scope.filter(nonmarket_key__isnull=False)
        .exclude(keeper_department_id=task.lead_id)
        .filter(Exists(beaten_by))
        .order_by()
        .values("pk")
    )


def uses_own_classes(task: Task) -> bool:
    """Whether the lead department has its own class (行业信用分级分类) for any target in the task's
    scope: then its draw stratifies by it, the keeper's class where it set none. One EXISTS; when
    it finds none the freeze keeps its fast path (PostgreSQL's ordered index on the keeper's
    class)."""
    if not task.credit_based:
        return False
    own = TargetSupervision.objects.filter(department_id=task.lead_id).exclude(own_risk_class="")
    return own.filter(target__in=_in_scope(task).order_by().values("pk")).exists()


def _in_scope(task: Task) -> QuerySet[Target]:
    """`scope` but for supervision, which PostgreSQL's freeze tests on the row (`pg_rows`)."""
    return task_scope_targets(task)


def _counted_selections(task: Task):
    """Selections of this year's random draws that count (not voided or aborted), other tasks. A
    triggered task's designated list is not a draw for the caps (issue 19): it has its own
    exclusion, `triggered`."""
    return Selection.objects.filter(
        draw__status=DrawStatus.DRAWN, draw__task__plan__year=task.plan.year, draw__task__kind=TaskKind.RANDOM
    ).exclude(draw__task=task)


def triggered_targets(task: Task, as_of: dt.datetime) -> QuerySet:
    """The `triggered` exclusion (issue 19: 一次检查、全面体检, 无事不扰): targets that a triggered
    task of one of this task's departments inspects for one of this task's items, its window ending
    no more than TRIGGERED_EXCLUSION_DAYS before `as_of` (the freeze) or later, not voided. Only
    tasks approved by `as_of` count (their designated list is made at approval, `drawn_at`): a
    trigger approved after the freeze cannot shield a firm from a draw already announced."""
    since = timezone.localdate(as_of) - dt.timedelta(days=settings.TRIGGERED_EXCLUSION_DAYS)
    triggered = Task.objects.filter(
        kind=TaskKind.TRIGGERED,
        departments__in=list(task.departments.values_list("pk", flat=True)),
        items__in=list(task.items.values_list("pk", flat=True)),
        window_end__gte=since,
    ).exclude(state=TaskState.VOIDED)
    return Selection.objects.filter(
        draw__status=DrawStatus.DRAWN, draw__drawn_at__lte=as_of, draw__task__in=triggered.values("pk")
    ).values("target_id")


def _exclusion_sets(
    task: Task, carried: Collection[int] = (), as_of: dt.datetime | None = None
) -> list[tuple[str, QuerySet | list, str | None]]:
    """R-DRAW-4's exclusions in the order they are judged: (reason, the target ids it excludes,
    the risk class it is limited to or None). Each set is uncorrelated: the database computes it
    once, however many candidates it is tested against."""
    dept_ids = list(task.departments.values_list("pk", flat=True))
    year = _counted_selections(task)
    same_dept = year.filter(draw__task__departments__in=dept_ids)
    open_task = same_dept.exclude(draw__task__state__in=[TaskState.CLOSED, TaskState.VOIDED])
    capped = (
        same_dept.values("target_id")
        .annotate(n=Count("draw", distinct=True))
        .filter(n__gte=settings.DRAW_CAP_PER_DEPARTMENT)
        .values("target_id")
    )
    return [
        *([("carried", sorted(carried), None)] if carried else []),
        ("open_task", open_task.values("target_id"), None),
        ("cap", capped, None),
        ("a_class", year.values("target_id"), "A"),
        ("triggered", triggered_targets(task, as_of or timezone.now()), None),
    ]


def _risk_class(task: Task, own: bool):
    """The class a candidate is drawn by: the keeper's, or with `own` the lead department's own
    class of it where it set one (its supervision row, joined: at most one per target)."""
    if not own:
        return F("risk_class")
    return Coalesce(NullIf(F("lead_supervision__own_risk_class"), Value("")), F("risk_class"))


def _stratum(task: Task, own: bool):
    # bytewise too: the classes ('' and A–D) sort the same in any collation, and a locale-aware
    # comparison costs more than the rest of the freeze's sort
    if not task.credit_based:
        return Value("*", output_field=CharField())
    return _bytewise(_risk_class(task, own))


def annotated(task: Task, *, own: bool | None = None, exclude: Collection[int] = ()) -> QuerySet:
    """The scope, each row with its stratum, key and exclusion reason ('' when drawable), the
    first reason that applies in R-DRAW-4's order, each tested as `pk IN (uncorrelated
    subquery)` (hashed once by PostgreSQL, however many candidates it tests). `own`: whether
    the lead department's own classes apply (`uses_own_classes`, asked when not given)."""
    own = uses_own_classes(task) if own is None else own
    return _annotate(task, scope(task), key_expr(), own, exclude)


def _annotate(task: Task, qs: QuerySet, key, own: bool, carried: Collection[int] = ()) -> QuerySet:
    if own:
        qs = qs.annotate(
            lead_supervision=FilteredRelation(
                "supervisions", condition=Q(supervisions__department_id=task.lead_id)
            )
        )
    klass = _risk_class(task, own)
    whens = [
        When(Q(pk__in=ids) & (Q(klass_for_exclusion=only) if only else Q()), then=Value(reason))
        for reason, ids, only in _exclusion_sets(task, carried)
    ]
    return (
        qs.annotate(klass_for_exclusion=klass)
        .annotate(
            key=key,
            stratum=_stratum(task, own),
            reason=Case(*whens, default=Value(""), output_field=CharField()),
        )
        .order_by("stratum", "key")
    )


@dataclass
class Frozen:
    strata: list[dict]  # {label, risk_class, size, root}
    pool_root: str
    exclusions: dict[str, int]
    file: IO[bytes]  # the gzip pool file, spooled to disk (a pool of 10⁷ is ~120 MB), at offset 0
    format: str = engine.POOL_V2  # the commitment's format (docs/draw-spec.md §2)
    own_classes: bool = False  # stratified by the lead department's own classes (uses_own_classes)

    @property
    def file_bytes(self) -> bytes:
        self.file.seek(0)
        try:
            return self.file.read()
        finally:
            self.file.seek(0)


FORMAT = engine.POOL_V3  # every freeze's; records drawn under v1/v2 keep theirs (TargetDraw.pool_format)
_GZIP_LEVEL = (
    1  # ISA-L's levels are 0–3; 1 compresses a pool file better than zlib's 1, at a third of its CPU
)
_SPOOL_MAX = 8 << 20  # pool files up to 8 MB stay in memory, larger ones go to a temporary file


class _PoolWriter:
    """The gzip pool file (docs/draw-spec.md §2.3): a header line, then one line per candidate —
    label, position, key, target id, salt — or, for an excluded one, X, reason, key, target id;
    each stratum's candidates in position order (the order of their leaves), excluded lines
    anywhere. The compression runs in a thread of its own (ISA-L releases the GIL), beside the
    folding."""

    def __init__(self, task_code: str, draw_id: str):
        self.file = tempfile.SpooledTemporaryFile(max_size=_SPOOL_MAX)  # noqa: SIM115 (handed to the caller)
        self._gz = igzip.IGzipFile(fileobj=self.file, mode="wb", mtime=0, compresslevel=_GZIP_LEVEL)
        self._queue: queue.Queue = queue.Queue(maxsize=8)
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        head = (
            json.dumps({"format": FORMAT, "task": task_code, "draw_id": draw_id}, ensure_ascii=False) + "\n"
        )
        self.write(head.encode())

    def _run(self) -> None:
        try:
            while (data := self._queue.get()) is not None:
                self._gz.write(data)
        except BaseException as e:  # re-raised in the caller's thread by close()
            self._error = e
            while self._queue.get() is not None:
                continue

    def write(self, data: bytes) -> None:
        if data:
            self._queue.put(data)

    def close(self) -> IO[bytes]:
        self._queue.put(None)
        self._thread.join()
        if self._error is not None:
            raise self._error
        self._gz.close()
        self.file.seek(0)
        return self.file


def _frozen(labels: dict[str, str], trees: dict[str, tuple[int, str]], exclusions, file) -> Frozen:
    """The record's strata (an empty stratum has nothing to draw: left out) and the pool root."""
    strata = sorted(
        (
            {"label": label, "risk_class": stratum, "size": trees[label][0], "root": trees[label][1]}
            for stratum, label in labels.items()
            if label in trees
        ),
        key=lambda s: s["label"],
    )
    root = engine.pool_root([(s["label"], s["size"], bytes.fromhex(s["root"])) for s in strata], FORMAT)
    return Frozen(strata, root.hex(), exclusions, file, FORMAT)


def new_salt() -> str:
    """An entry's salt: 16 bytes from the operating system's CSPRNG, as 32 lower-case hex digits."""
    return secrets.token_hex(16)


def freeze(task: Task, labels: dict[str, str], draw_id: str, *, exclude: Collection[int] = ()) -> Frozen:
    """Stream the annotated scope once: count exclusions, give each candidate a fresh salt, order
    each stratum by its salted leaves, fold them into a tree per stratum, write the compact frozen
    pool file. On PostgreSQL the database draws the salts, hashes the leaves, orders the scope by
    them and formats the file's lines (`_freeze_postgresql`); Python counts positions, a helper
    process folds. Elsewhere `freeze_rows` does it all; both give pools of the same shape and the
    same commitment for the same salts (shuangsuiji/draw/tests/test_pool.py). `exclude`: target
    ids left out of the pool as "carried" (kept from a voided draw, R-DRAW-6)."""
    own = uses_own_classes(task)
    if connection.vendor == "postgresql":
        frozen = _freeze_postgresql(task, labels, draw_id, own=own, exclude=exclude)
    else:
        rows = (
            annotated(task, own=own, exclude=exclude)
            .values_list("pk", "key", "stratum", "reason")
            .iterator(chunk_size=5000)
        )
        frozen = freeze_rows(task.code, labels, rows, draw_id)
    frozen.own_classes = own
    return frozen


def _lines(lines: list[str] | list[bytes]) -> bytes:
    """The pool file's next lines, joined: one per candidate, or the file would misread (the
    directory refuses such a key; this keeps a file from being written wrong all the same)."""
    data = b"".join(lines) if lines and isinstance(lines[0], bytes) else "".join(lines).encode()
    if data.count(b"\n") != len(lines):
        raise DomainError(NEWLINE_IN_KEY)
    return data


def freeze_rows(
    task_code: str,
    labels: dict[str, str],
    rows: Iterable[tuple[int, str, str, str]],
    draw_id: str,
    salt: Callable[[int], str] | None = None,
) -> Frozen:
    """`freeze` over (target id, key, stratum, reason) rows (any order): each drawable row gets a
    salt (`salt(target id)`, a fresh one by default), each stratum is ordered by its leaves. Holds the scope in memory: the path
    of small pools (SQLite); PostgreSQL's freeze streams."""
    out = _PoolWriter(task_code, draw_id)
    folder = LeafFolder(FORMAT)
    exclusions = dict.fromkeys(EXCLUSION_REASONS, 0)
    prefix = engine.salted_leaf_prefix(draw_id)
    strata: dict[str, list[tuple[bytes, str, int, str]]] = {}
    lines: list[str] = []
    try:
        for pk, key, stratum, reason in rows:
            if reason:
                exclusions[reason] += 1
                lines.append(f"X\t{reason}\t{key}\t{pk}\n")
            else:
                s = salt(pk) if salt else new_salt()
                (leaf,) = engine.salted_leaves(prefix, [s.encode()], [key.encode()])
                strata.setdefault(labels[stratum], []).append((leaf, key, pk, s))
        for label in sorted(strata):
            entries = sorted(strata[label])
            _distinct(label, entries)
            folder.add_leaves(label, [e[0] for e in entries])
            lines += [f"{label}\t{i}\t{key}\t{pk}\t{s}\n" for i, (_, key, pk, s) in enumerate(entries)]
        out.write(_lines(lines))
    finally:
        file = out.close()
    return _frozen(labels, folder.roots(), exclusions, file)


def _distinct(label: str, entries) -> None:
    """Two equal leaves (two equal salts and keys: never by chance) would make positions ambiguous."""
    if any(a[0] == b[0] for a, b in zip(entries, entries[1:], strict=False)):
        raise DomainError(f"分层 {label} 中有两个相同的叶哈希，无法确定位置，请重新公告")


# The same rows as freeze_rows reads, turned by PostgreSQL into what the file and the trees need,
# in pool order: the stratum and the exclusion reason ('' for a drawable row; Python names the
# stratum by its label: mapping it in SQL costs the database a CASE per row and the client a
# non-ASCII string per row), the sort key — the stratum, ':', and the salted leaf in hex
# (ssj-pool-v3: H(0x00 ‖ enc(draw id, salt, key))) — and the end of the pool file's line,
# "<TAB>key<TAB>target id<TAB>salt<LF>": Python puts "label<TAB>position" before it (it counts
# positions as the rows arrive), or, for an excluded row, "X<TAB>reason" and leaves the salt off.
# Each salt is the first 16 bytes of SHA-256(k ‖ target id) under a key k of 32 bytes drawn from
# the operating system's CSPRNG for this freeze alone and then forgotten (the salts live on in the
# pool file only): as unpredictable as a random salt per row, at a third of the cost of
# gen_random_uuid() per row. Text, read as bytes (`_raw_text`).
#
# One flat SELECT, sorted by a column of its own: the scan, the hashing and each part's sort run in
# PostgreSQL's parallel workers (Gather Merge). The sort key is text compared bytewise (C
# collation: lower-case hex keeps the leaves' byte order, and ':' keeps each stratum — one
# character or none: `_stratum` — in one run), which PostgreSQL sorts on abbreviated keys; a bytea
# sort key costs a function call per comparison (2.3 s of a 10⁶ freeze's sort). The salt is
# written twice (in the leaf and in the line), which costs a SHA-256 more per row but keeps the
# query flat: a subquery that computes it once cannot be parallelised above its own scan.
_SALT_SQL = "encode(substring(sha256(%s::bytea || int8send(u.pk::bigint)) FROM 1 FOR 16), 'hex')"
_ROW_SQL = f"""SELECT u.stratum::text, u.reason::text,
       (u.stratum || ':' || encode(sha256(%s::bytea || '\\x00000020'::bytea || convert_to({_SALT_SQL}, 'UTF8')
            || int4send(octet_length(u.key)) || convert_to(u.key, 'UTF8')), 'hex')) COLLATE "C" AS sort_key,
       E'\\t' || u.key || E'\\t' || u.pk::text || E'\\t' || {_SALT_SQL} || E'\\n' AS line
FROM ({{inner}}) AS u (pk, key, stratum, reason)
ORDER BY sort_key"""
_FETCH = 10_000
HELPER_MIN = _FETCH  # a pool whose first fetch is full is folded by a helper process
FREEZE_SETTINGS = ("SET LOCAL jit = off", "SET LOCAL work_mem = '256MB'")


def _freeze_postgresql(
    task: Task,
    labels: dict[str, str],
    draw_id: str,
    *,
    own: bool | None = None,
    exclude: Collection[int] = (),
) -> Frozen:
    return _stream(
        *freeze_statement(*pg_rows(task, own=own, exclude=exclude), draw_id), labels, task.code, draw_id
    )


def pg_rows(task: Task, *, own: bool | None = None, exclude: Collection[int] = ()) -> tuple[str, list]:
    """The SELECT of (target id, key, stratum, reason) that `_freeze_postgresql` reads:
    `annotated`'s rows, from the columns directory migration 0005 keeps on each target (the key,
    the supervising departments), so that the scope test is a read of the row (the index
    `target_pool_order` carries every column it tests). The rows are ordered by their salted
    leaves, which exist only in this freeze: the database sorts them (`freeze_statement`). A
    second record of one 非市场主体 is left out as in `scope` (`_duplicates`, a hashed set of ids,
    tested on the index's `id`)."""
    own = uses_own_classes(task) if own is None else own
    dept_ids = list(task.departments.values_list("pk", flat=True))
    supervised = RawSQL(
        '"directory_target"."supervised_by" && %s::bigint[]', (dept_ids,), output_field=BooleanField()
    )
    key = RawSQL('"directory_target"."pool_key"', (), output_field=CharField())
    candidates = _in_scope(task).filter(supervised).exclude(pk__in=_duplicates(task))
    qs = _annotate(task, candidates, key, own, exclude).order_by()
    return qs.values_list("pk", "key", "stratum", "reason").query.sql_with_params()


def leaf_folder(large: bool, want: Wanted | None = None) -> LeafFolder | HelperFolder:
    """The helper process for a large pool; this process when it cannot start one (a host
    that forbids it): the same roots and paths either way, only slower."""
    if large:
        try:
            return HelperFolder(want) if want else HelperFolder()
        except OSError:
            logger.warning("对象池哈希子进程无法启动，改在本进程内计算", exc_info=True)
    return LeafFolder(want=want)


def freeze_statement(inner: str, params, draw_id: str) -> tuple[str, list]:
    """The freeze's statement over a SELECT of (target id, key, stratum, reason), with its
    parameters: salts drawn, leaves hashed, in pool order (stratum, leaf)."""
    sql = _ROW_SQL.replace("{inner}", inner)  # the SELECT may hold braces
    salt_key = secrets.token_bytes(32)
    return sql, [engine.salted_leaf_prefix(draw_id), salt_key, salt_key, *params]


def _raw_text(cur: psycopg.Cursor) -> None:
    """Text columns of this cursor (the statement's tag and line) read as their UTF-8 bytes
    (psycopg's own bytea loader, in C): the lines go to the file as they are, with no str made and
    encoded again per row."""
    cur.adapters.register_loader("text", ByteaBinaryLoader)


def _tag(row) -> bytes:
    """A streamed row's reason when it is excluded, else its stratum."""
    return row[1] or row[0]


def _stream(sql: str, params, labels: dict[str, str], task_code: str, draw_id: str) -> Frozen:
    """Run a freeze statement and write what it streams: the pool file, the trees, the counts."""
    out = _PoolWriter(task_code, draw_id)
    exclusions = dict.fromkeys(EXCLUSION_REASONS, 0)
    excluded = {reason.encode(): (reason, b"X\t" + reason.encode()) for reason in EXCLUSION_REASONS}
    strata = {stratum.encode(): (label, label.encode() + b"\t") for stratum, label in labels.items()}
    folder: LeafFolder | HelperFolder | None = None
    positions = dict.fromkeys(labels.values(), 0)
    try:
        with transaction.atomic(), connection.cursor() as django_cursor:
            raw = django_cursor.connection  # the psycopg connection, in this transaction
            # A one-off read and sort of the whole scope: give it memory, and skip JIT compilation
            # (seconds spent compiling a plan that runs once). SET LOCAL ends with the transaction.
            for statement in FREEZE_SETTINGS:
                raw.execute(statement)
            with psycopg.Cursor(raw) as cur:  # Django's cursors bind on the client, in text only
                _raw_text(cur)
                # streamed in chunks (not a DECLAREd cursor): the query stays eligible for
                # parallel workers, and only one chunk is in memory at a time
                stream = cur.stream(sql, params, binary=True, size=_FETCH)
                while rows := list(islice(stream, _FETCH)):
                    if folder is None:
                        folder = leaf_folder(large=len(rows) >= HELPER_MIN)
                    parts: list[bytes] = []
                    for tag, group in groupby(rows, _tag):
                        group = list(group)
                        if tag in strata:
                            label, head = strata[tag]
                            folder.add_joined(
                                label, binascii.unhexlify(b"".join([r[2][-64:] for r in group]))
                            )
                            start = positions[label]
                            parts += [b"%s%d%s" % (head, i, r[3]) for i, r in enumerate(group, start)]
                            positions[label] = start + len(group)
                        else:  # the line without its salt
                            reason, head = excluded[tag]
                            exclusions[reason] += len(group)
                            parts += [head + r[3][: r[3].rindex(b"\t")] + b"\n" for r in group]
                    out.write(_lines(parts))
        trees = folder.roots() if folder else {}
    finally:
        file = out.close()
        if folder is not None:
            folder.close()
    return _frozen(labels, trees, exclusions, file)


_EXCLUDED_LINE = re.compile(rb"\nX\t[^\n]*")


def candidate_runs(
    fileobj: IO[bytes], width: int, piece: int = 1 << 20
) -> Iterator[tuple[bytes, list[bytes]]]:
    """The candidate lines of a frozen pool file (a binary file object, read as a stream) after
    its header, as runs of one stratum's tag: (tag, the run's fields, `width` per line: label,
    position, key, target id[, salt]). Read in pieces (of 1 MiB), each split at its tabs and
    newlines at once after its excluded (X) lines are dropped: no Python work per line, which is
    what the draw's re-check of 10⁶ lines would spend most of its time on. A line with another
    number of fields (a blank one too) raises ValueError."""
    with igzip.IGzipFile(fileobj=fileobj, mode="rb") as gz:
        gz.readline()  # the header
        rest = b""
        while True:
            chunk = gz.read(piece)
            data = b"\n" + rest + chunk  # a leading newline, so that a first X line matches too
            if chunk:
                cut = data.rfind(b"\n") + 1
                data, rest = data[:cut], data[cut:]
            elif not data.endswith(b"\n"):
                data += b"\n"  # a last line without its newline
            data = _EXCLUDED_LINE.sub(b"", data)
            if len(data) > 1:
                fields = data[1:-1].replace(b"\n", b"\t").split(b"\t")
                if len(fields) != width * data.count(b"\n", 1):
                    raise ValueError("a line with another number of fields")
                i = 0
                for tag, run in groupby(fields[::width]):
                    j = i + width * len(list(run))
                    yield tag, fields[i:j]
                    i = j
            if not chunk:
                return


def read_pool(data: bytes | IO[bytes]) -> Iterator[tuple[str, int, str, int]]:
    """(label, position, key, target id) of every candidate in a frozen pool file (its bytes, or
    a binary file object read as a stream)."""
    for label, position, key, pk, _salt in read_pool_entries(data):
        yield label, position, key, pk


def read_pool_entries(data: bytes | IO[bytes]) -> Iterator[tuple[str, int, str, int, str]]:
    """(label, position, key, target id, salt) of every candidate; the salt is '' in a pool file
    of a format without salts (ssj-pool-v1, v2)."""
    for fields in read_pool_lines(data):
        if fields[0] != "X":
            yield fields[0], int(fields[1]), fields[2], int(fields[3]), fields[4] if len(fields) > 4 else ""


def read_pool_lines(data: bytes | IO[bytes]) -> Iterator[list[str]]:
    """Every line of a frozen pool file after its header, split at its tabs: a candidate
    (label, position, key, target id[, salt]) or an excluded one (X, reason, key, target id)."""
    fileobj = io.BytesIO(data) if isinstance(data, bytes | bytearray) else data
    with igzip.IGzipFile(fileobj=fileobj, mode="rb") as gz:
        lines = io.TextIOWrapper(gz, encoding="utf-8")
        next(lines)
        for line in lines:
            yield line.rstrip("\n").split("\t")
