"""The frozen pool: the set-based PostgreSQL freeze and the Python one give the same commitment
and the same file; the batched Merkle builder gives RFC 6962's roots and audit paths; a changed
pool file stops the draw."""

import gzip
import io
import json

import pytest
from django.core.files.base import ContentFile
from django.db import IntegrityError, connection, transaction
from django.db.models import ProtectedError
from hypothesis import given, settings
from hypothesis import strategies as st

from shuangsuiji.core.errors import DomainError
from shuangsuiji.directory.models import Target
from shuangsuiji.draw import engine, leaves, pool, records, services
from shuangsuiji.draw.models import DrawStatus, Selection, TargetDraw

from .conftest import announce, full_draw, run, witness_round
from .test_spec_vectors import mth, path

LABELS = {"A": "层AAAA", "B": "层BBBB", "C": "层CCCC", "D": "层DDDD", "": "层UUUU"}


DRAW_ID = "130110-2026-001-01-1"


def _salts(frozen) -> dict[int, str]:
    return {pk: salt for _, _, _, pk, salt in pool.read_pool_entries(frozen.file_bytes)}


def _reference_freeze(task, labels, frozen):
    """The freeze as the spec says it, one row at a time, with the salts the freeze drew (read
    back from its file): each stratum ordered by H(0x00 ‖ enc(draw id, salt, key))."""
    salts = _salts(frozen)
    head = (
        json.dumps({"format": "ssj-pool-v3", "task": task.code, "draw_id": DRAW_ID}, ensure_ascii=False)
        + "\n"
    )
    excluded: list[str] = []
    entries: dict[str, list[tuple[bytes, str, int]]] = {}
    exclusions = dict.fromkeys(pool.EXCLUSION_REASONS, 0)
    for pk, key, stratum, reason in pool.annotated(task).values_list("pk", "key", "stratum", "reason"):
        if reason:
            exclusions[reason] += 1
            excluded.append(f"X\t{reason}\t{key}\t{pk}\n")
            continue
        leaf = engine.sha256(b"\x00" + engine.enc(DRAW_ID, salts[pk], key))
        entries.setdefault(labels[stratum], []).append((leaf, key, pk))
    lines = []
    strata = []
    for stratum, label in labels.items():
        if label not in entries:
            continue
        ordered = sorted(entries[label])
        lines += [f"{label}\t{i}\t{key}\t{pk}\t{salts[pk]}\n" for i, (_, key, pk) in enumerate(ordered)]
        strata.append(
            {
                "label": label,
                "risk_class": stratum,
                "size": len(ordered),
                "root": mth([e[0] for e in ordered]).hex(),
            }
        )
    strata.sort(key=lambda s: s["label"])
    root = engine.pool_root(
        [(s["label"], s["size"], bytes.fromhex(s["root"])) for s in strata], "ssj-pool-v3"
    )
    return strata, root.hex(), exclusions, head, sorted(excluded), sorted(lines, key=_line_order)


def _line_order(line: str):
    label, position = line.split("\t")[:2]
    return label, int(position)


def _frozen_tuple(frozen):
    """A frozen pool, its file read as: header, excluded lines (in no particular order), each
    stratum's lines in position order (the strata in label order)."""
    text = gzip.decompress(frozen.file_bytes).decode()
    head, *lines = text.splitlines(keepends=True)
    excluded = sorted(line for line in lines if line.startswith("X\t"))
    drawable = [line for line in lines if not line.startswith("X\t")]
    assert all(
        _line_order(a) < _line_order(b)
        for a, b in zip(drawable, drawable[1:], strict=False)
        if a[:6] == b[:6]
    )
    return (
        frozen.strata,
        frozen.pool_root,
        frozen.exclusions,
        head,
        excluded,
        sorted(drawable, key=_line_order),
    )


def _freeze(task, labels=LABELS):
    return pool.freeze(task, labels, DRAW_ID)


def _checked(task, labels=LABELS):
    """Freeze on this database's path and compare with the reference; the frozen pool."""
    frozen = _freeze(task, labels)
    assert _frozen_tuple(frozen) == _reference_freeze(task, labels, frozen)
    return frozen


@pytest.mark.django_db
def test_freeze_gives_the_reference_pool_with_exclusions(ready):
    """On this database's own path (set-based SQL on PostgreSQL, streamed Python elsewhere)."""
    w = ready
    full_draw(w, w.task_a)  # department A's open task: the joint task's pool excludes its targets
    frozen = _checked(w.joint)
    assert frozen.exclusions["open_task"] > 0


@pytest.mark.django_db
def test_the_python_path_over_the_annotated_rows_gives_the_reference(ready):
    w = ready
    full_draw(w, w.task_a)
    rows = pool.annotated(w.joint).values_list("pk", "key", "stratum", "reason").iterator(chunk_size=7)
    frozen = pool.freeze_rows(w.joint.code, LABELS, rows, DRAW_ID)
    assert _frozen_tuple(frozen) == _reference_freeze(w.joint, LABELS, frozen)


@pytest.mark.postgres
@pytest.mark.django_db
@pytest.mark.parametrize("helper", [False, True], ids=["in-process", "helper-process"])
def test_the_two_freeze_paths_agree(ready, monkeypatch, helper):
    """The PostgreSQL path (rows sorted and lines formatted by the database, positions counted
    and leaves folded here or, for a pool as large as a fetch, by the helper process) against the
    Python path over the same rows."""
    w = ready
    full_draw(w, w.task_a)
    monkeypatch.setattr(pool, "HELPER_MIN", 1 if helper else 10**9)
    started = []
    monkeypatch.setattr(pool, "HelperFolder", lambda: started.append(1) or leaves.HelperFolder())
    database = pool._freeze_postgresql(w.joint, LABELS, DRAW_ID)
    salts = _salts(database)
    rows = pool.annotated(w.joint).values_list("pk", "key", "stratum", "reason").iterator(chunk_size=7)
    python = pool.freeze_rows(w.joint.code, LABELS, rows, DRAW_ID, salt=salts.__getitem__)
    assert _frozen_tuple(database) == _frozen_tuple(python)
    assert len(set(salts.values())) == len(salts) and all(len(s) == 32 for s in salts.values())
    assert started == ([1] if helper else [])


@pytest.mark.django_db
def test_every_exclusion_reason_on_this_databases_path(ready):
    """R-DRAW-4 in its order, on the path this database takes (the set-based freeze on
    PostgreSQL, streamed Python elsewhere): department A's draw, its task then closed, caps A's targets
    for the joint task (A and B); for a task of department B alone the same draw only keeps
    A-class targets out (无事不扰)."""
    from datetime import date

    from shuangsuiji.planning import services as planning
    from shuangsuiji.planning.models import Task, TaskState

    w = ready
    full_draw(w, w.task_a)
    Task.objects.filter(pk=w.task_a.pk).update(state=TaskState.CLOSED)
    drawn = set(Selection.objects.filter(draw__task=w.task_a).values_list("target_id", flat=True))
    b_task = planning.task_save(
        actor=w.b_admin,
        plan=w.plan_b,
        name="公共场所卫生双随机抽查",
        items=[w.items["B-1"]],
        ratios={"A": "0.1", "B": "0.2", "C": "0.5", "D": "1"},
        window_start=date(2026, 4, 1),
        window_end=date(2026, 6, 30),
    )
    joint = _checked(w.joint)
    assert joint.exclusions == {"carried": 0, "open_task": 0, "cap": len(drawn), "a_class": 0, "triggered": 0}
    b_frozen = _checked(b_task)
    a_drawn_b = {t.pk for t in w.targets if t.pk in drawn and t.risk_class == "A"}
    supervised_by_b = {t.pk for i, t in enumerate(w.targets) if i % 2 == 0}
    assert b_frozen.exclusions == {
        "carried": 0,
        "open_task": 0,
        "cap": 0,
        "a_class": len(a_drawn_b & supervised_by_b),
        "triggered": 0,
    }
    assert b_frozen.exclusions["a_class"] > 0


@pytest.mark.postgres
@pytest.mark.django_db
def test_a_helper_that_cannot_start_leaves_the_freeze_to_this_process(ready, monkeypatch):
    w = ready
    monkeypatch.setattr(pool, "HELPER_MIN", 1)

    def refuse():
        raise PermissionError("fork refused")

    monkeypatch.setattr(pool, "HelperFolder", refuse)
    _checked(w.joint)


def _supervised_by_columns():
    from django.db import connection

    with connection.cursor() as c:
        c.execute("SELECT id, supervised_by FROM directory_target ORDER BY id")
        return {pk: list(ids) for pk, ids in c.fetchall()}


def _supervised_by_table():
    from shuangsuiji.directory.models import Target, TargetSupervision

    table = {pk: [] for pk in Target.objects.values_list("pk", flat=True)}
    for target_id, dept_id in TargetSupervision.objects.order_by("department_id").values_list(
        "target_id", "department_id"
    ):
        table[target_id].append(dept_id)
    return table


@pytest.mark.postgres
@pytest.mark.django_db
def test_the_rows_copy_of_supervision_follows_every_change_and_the_freeze_with_it(ready):
    """PostgreSQL's freeze reads each target's supervising departments from the row (directory
    migration 0005): whatever writes directory_targetsupervision — one row, in bulk, an update, a
    delete, a department's whole list — the copy matches the table, and the freeze the reference
    (which reads the table)."""
    from shuangsuiji.directory.models import TargetSupervision

    w = ready
    assert _supervised_by_columns() == _supervised_by_table()
    t0, t1, t2, t3 = w.targets[:4]  # t0, t2: A and B; t1, t3: A only
    TargetSupervision.objects.filter(target=t0, department=w.dept_b).delete()
    TargetSupervision.objects.filter(target__in=[t1, t2]).delete()  # t1, t2 supervised by nobody
    TargetSupervision.objects.create(target=t3, department=w.dept_b)
    TargetSupervision.objects.bulk_create(
        [TargetSupervision(target=t, department=w.dept_b) for t in w.targets[5:20:2]]
    )
    TargetSupervision.objects.filter(target__in=w.targets[41:44:2]).update(department=w.dept_b)  # A → B
    columns = _supervised_by_columns()
    assert columns == _supervised_by_table()
    assert columns[t1.pk] == [] and columns[t3.pk] == sorted([w.dept_a.pk, w.dept_b.pk])
    for task in (w.joint, w.task_a):
        _checked(task)
    keys = {row[2] for row in pool.read_pool(_freeze(w.joint).file_bytes)}
    assert t0.uscc in keys and t1.uscc not in keys and t2.uscc not in keys


@pytest.mark.django_db
def test_freeze_of_an_empty_scope(ready):
    w = ready
    w.task_a.scope_regions = ["999999"]
    frozen = _freeze(w.task_a)
    assert frozen.strata == [] and frozen.exclusions == {
        "carried": 0,
        "open_task": 0,
        "cap": 0,
        "a_class": 0,
        "triggered": 0,
    }
    assert frozen.pool_root == engine.pool_root([], engine.POOL_V3).hex()
    assert list(pool.read_pool(frozen.file_bytes)) == []


@settings(max_examples=60, deadline=None)
@given(st.integers(min_value=0, max_value=300), st.data())
def test_batched_merkle_builder_matches_rfc6962(n, data):
    leaves = [engine.sha256(i.to_bytes(4, "big")) for i in range(n)]
    want = data.draw(st.lists(st.integers(min_value=0, max_value=max(n - 1, 0)), max_size=12)) if n else []
    chunks = data.draw(st.lists(st.integers(min_value=1, max_value=70), min_size=1, max_size=20))
    b = engine.MerkleBuilder(n, want)
    i, k = 0, 0
    while i < n:
        step = chunks[k % len(chunks)]
        if k % 3 == 2:
            for leaf in leaves[i : i + step]:
                b.add(leaf)
        else:
            b.extend(leaves[i : i + step])
        i, k = i + step, k + 1
    assert b.root() == mth(leaves)
    assert b.paths() == {j: [h.hex() for h in path(j, leaves)] for j in set(want)}
    for j in set(want):
        assert engine.verify_path(leaves[j], j, n, b.paths()[j], mth(leaves))


def test_merkle_builder_refuses_more_leaves_than_declared():
    b = engine.MerkleBuilder(3)
    with pytest.raises(ValueError, match="more leaves"):
        b.extend([engine.sha256(b"x")] * 4)
    with pytest.raises(ValueError, match="tree size"):
        engine.MerkleBuilder(None, [1])


_LINES = [
    "X\tcarried\tK0\t10\n",
    *[f"A\t{i}\tK{i}\t{i}\t{i:032x}\n" for i in range(1, 40)],
    "X\tdrawn\tK40\t40\n",
    "X\tclosed\tK41\t41\n",
    *[f"B\t{i}\tK{i}\t{i}\t{i:032x}\n" for i in range(42, 60)],
    "X\tdrawn\tK60\t60\n",
]


@settings(max_examples=40, deadline=None)
@given(piece=st.integers(1, 300), newline_at_end=st.booleans())
def test_candidate_runs_read_every_candidate_in_order_whatever_the_pieces(piece, newline_at_end):
    """The draw's re-check reads the pool file in pieces split at tabs and newlines at once: the
    same candidates, in order, grouped in runs of one stratum, wherever the pieces end, with the
    excluded lines (first, last, two together) dropped."""
    text = "header\n" + "".join(_LINES)
    data = gzip.compress((text if newline_at_end else text[:-1]).encode())
    runs = list(pool.candidate_runs(io.BytesIO(data), 5, piece))
    got = [
        b"\t".join(fields[i : i + 5]).decode() + "\n" for _, fields in runs for i in range(0, len(fields), 5)
    ]
    assert got == [line for line in _LINES if not line.startswith("X")]
    assert all(set(fields[::5]) == {tag} for tag, fields in runs)


@pytest.mark.parametrize(
    "lines",
    [
        _LINES[:5] + ["\n"] + _LINES[5:],  # a blank line
        _LINES[:5] + ["A\t5\tK5\t5\n"] + _LINES[6:],  # a field short
        _LINES[:5] + ["A\t5\tK5\t5\tab\tcd\n"] + _LINES[6:],  # a field more
    ],
    ids=["blank", "short", "long"],
)
def test_candidate_runs_refuse_a_line_with_another_number_of_fields(lines):
    data = gzip.compress(("header\n" + "".join(lines)).encode())
    with pytest.raises(ValueError):
        list(pool.candidate_runs(io.BytesIO(data), 5))


def _pool_lines(draw) -> list[str]:
    with draw.pool_file.open("rb") as f:
        return gzip.decompress(f.read()).decode().splitlines(keepends=True)


def _swap_two_keys(lines):
    """The keys of two candidates of one stratum swapped: the same ids, another order of leaves."""
    i = next(
        k for k in range(1, len(lines) - 1) if lines[k].split("\t")[0] == lines[k + 1].split("\t")[0] != "X"
    )
    a, b = lines[i].split("\t"), lines[i + 1].split("\t")
    a[2], b[2] = b[2], a[2]
    lines[i], lines[i + 1] = "\t".join(a), "\t".join(b)
    return lines


def _candidate(lines) -> int:
    return next(k for k in range(1, len(lines)) if not lines[k].startswith("X\t"))


def _ids_rotated(lines):
    """Every candidate's target id moved to the next candidate: the same keys and leaves (the
    committed roots still hold), each entry naming another target."""
    at = [k for k in range(1, len(lines)) if not lines[k].startswith("X\t")]
    fields = [lines[k].split("\t") for k in at]
    for k, f, g in zip(at, fields, fields[1:] + fields[:1], strict=True):
        lines[k] = "\t".join([*f[:3], g[3], *f[4:]])
    return lines


FORGERIES = {
    "target ids changed": _ids_rotated,
    "two keys swapped": _swap_two_keys,
    "a candidate repeated": lambda lines: lines + [lines[_candidate(lines)]],
    "a candidate left out": lambda lines: lines[: _candidate(lines)] + lines[_candidate(lines) + 1 :],
    "a line cut short": lambda lines: lines[:-1] + [lines[-1][:5]],
    "an unknown stratum": lambda lines: lines + ["层ZZZZ\t0\t91130100MA0000000X\t1\tab\n"],
    "a position that is not a number": lambda lines: [
        line.replace("\t0\t", "\t零\t", 1) if k == _candidate(lines) else line for k, line in enumerate(lines)
    ],
}


@pytest.mark.django_db
@pytest.mark.parametrize("forgery", FORGERIES)
@pytest.mark.parametrize("helper", [False, True], ids=["in-process", "helper-process"])
def test_a_changed_pool_file_stops_the_draw_and_nothing_is_saved(ready, monkeypatch, forgery, helper):
    """Whether this process or the helper folds the trees (services._resolve)."""
    monkeypatch.setattr(pool, "HELPER_MIN", 1 if helper else 10**9)
    w = ready
    draw = announce(w, w.task_a)
    witness_round(w, draw)
    lines = FORGERIES[forgery](_pool_lines(draw))
    draw.pool_file.save("forged.pool.gz", ContentFile(gzip.compress("".join(lines).encode())))
    with pytest.raises(DomainError, match="不符"):
        run(w, draw)
    assert TargetDraw.objects.get(pk=draw.pk).status == DrawStatus.ANNOUNCED
    assert not Selection.objects.filter(draw=draw).exists()


@pytest.mark.django_db
def test_the_helper_process_resolves_as_this_process_does(ready, monkeypatch):
    """The same keys, ids, salts and audit paths from services._resolve either way, and each path
    leads from its entry's salted leaf to the committed root of its stratum."""
    w = ready
    draw = announce(w, w.task_a)
    wanted = {s["label"]: list(range(s["size"] - 1, -1, -3)) for s in draw.strata}
    started = []
    monkeypatch.setattr(pool, "HelperFolder", lambda *a: started.append(1) or leaves.HelperFolder(*a))
    monkeypatch.setattr(pool, "HELPER_MIN", 10**9)
    here = services._resolve(draw, wanted)
    monkeypatch.setattr(pool, "HELPER_MIN", 1)
    there = services._resolve(draw, wanted)
    assert started == [1] and here == there
    assert len(here) == sum(len(ps) for ps in wanted.values()) > 3
    for s in draw.strata:
        for position in wanted[s["label"]]:
            key, _, path_, salt = here[(s["label"], position)]
            leaf = engine.salted_leaf(draw.public_id, salt, key)
            assert engine.verify_path(
                leaf, position, s["size"], engine.path_hex(path_), bytes.fromhex(s["root"])
            )


@pytest.mark.django_db
def test_selections_are_written_in_batches_in_the_order_drawn(ready, monkeypatch):
    monkeypatch.setattr(services, "_INSERT_BATCH", 4)
    w = ready
    draw = full_draw(w, w.task_a)
    rows = list(draw.selections.order_by("order"))
    assert [s.order for s in rows] == list(range(1, 28))
    by_label = {}
    for s in rows:
        by_label.setdefault(s.label, []).append(s.position)
    seed = bytes.fromhex(draw.seed)
    for s in draw.strata:
        assert by_label[s["label"]] == engine.select_positions(seed, s["label"], s["size"], s["quota"])
    assert len({s.token for s in rows}) == 27
    assert all(len(s.rating_code) == 8 and set(s.rating_code) <= set(services._RATING_ALPHABET) for s in rows)
    # each path kept as its hashes' bytes proves its entry under its stratum's root
    assert all(len(bytes(s.path)) % 32 == 0 for s in rows)
    assert all(records.proof_checks(draw, records.entry_proof(s)) == (True, True) for s in rows)


# ---- the lead department's own classes (issue 14) -----------------------------------------------


def _b_task(w, **kw):
    """A task of department B alone (B supervises the even-numbered targets)."""
    from datetime import date

    from shuangsuiji.planning import services as planning

    return planning.task_save(
        actor=w.b_admin,
        plan=w.plan_b,
        name="公共场所卫生双随机抽查",
        items=[w.items["B-1"]],
        ratios={"A": "0.1", "B": "0.2", "C": "0.5", "D": "1"},
        window_start=date(2026, 4, 1),
        window_end=date(2026, 6, 30),
        **kw,
    )


def _set_own(department, targets, klass):
    from shuangsuiji.directory.models import TargetSupervision

    TargetSupervision.objects.filter(department=department, target__in=targets).update(own_risk_class=klass)


def _strata_of_keys(frozen):
    return {key: label for label, _, key, _ in pool.read_pool(frozen.file_bytes)}


@pytest.mark.django_db
def test_own_classes_equal_to_the_keepers_give_the_fast_paths_pool_byte_for_byte(ready):
    """The query by the lead department's own classes (this database's path) gives the very pool
    file of the fast path when its classes are the keeper's: the two statements differ only in
    where the class comes from."""
    w = ready
    task = _b_task(w)
    assert not pool.uses_own_classes(task)
    fast = _freeze(task)
    assert not fast.own_classes
    by_b = [t for i, t in enumerate(w.targets) if i % 2 == 0]
    for klass in "ABCD":
        _set_own(w.dept_b, [t for t in by_b if t.risk_class == klass], klass)
    assert pool.uses_own_classes(task)
    own = _freeze(task)
    assert own.own_classes
    # the salts are fresh in every freeze: the same candidates in the same strata, each checked
    assert _strata_of_keys(own) == _strata_of_keys(fast)
    assert (own.exclusions, [(s["label"], s["size"]) for s in own.strata]) == (
        fast.exclusions,
        [(s["label"], s["size"]) for s in fast.strata],
    )
    for frozen in (own, fast):
        assert _frozen_tuple(frozen) == _reference_freeze(task, LABELS, frozen)


@pytest.mark.django_db
def test_a_departments_draw_stratifies_by_its_own_class_and_the_keepers_elsewhere(ready):
    """B classed some of its targets itself: its draw puts each of those in B's class, the rest in
    the keeper's; department A's own class (not the lead here) changes nothing there, and A's own
    draw takes A's classes, never B's."""
    w = ready
    task = _b_task(w)
    by_b = [t for i, t in enumerate(w.targets) if i % 2 == 0]
    own = {t.pk: "D" if t.risk_class == "A" else "A" for t in by_b[:10]}
    for t in by_b[:10]:
        _set_own(w.dept_b, [t], own[t.pk])
    _set_own(w.dept_a, by_b[10:14], "C")  # another department's own class: not B's draw's business
    frozen = _freeze(task)
    assert frozen.own_classes
    want = {t.uscc: LABELS[own.get(t.pk, t.risk_class)] for t in by_b}
    assert _strata_of_keys(frozen) == want
    assert _frozen_tuple(frozen) == _reference_freeze(task, LABELS, frozen)
    a_pool = _freeze(w.task_a)  # led by A: A's own classes, never B's
    assert a_pool.own_classes
    a_own = {t.pk: "C" for t in by_b[10:14]}
    assert _strata_of_keys(a_pool) == {t.uscc: LABELS[a_own.get(t.pk, t.risk_class)] for t in w.targets}


@pytest.mark.django_db
def test_the_a_class_exclusion_follows_the_class_the_draw_uses(ready):
    """无事不扰 applies to the class the lead department draws by: a target A drew this year that
    B classes as A itself is kept out of B's draw, one B classes as D is not."""
    w = ready
    full_draw(w, w.task_a)
    drawn = set(Selection.objects.filter(draw__task=w.task_a).values_list("target_id", flat=True))
    by_b = [t for i, t in enumerate(w.targets) if i % 2 == 0]
    a_drawn = [t for t in by_b if t.pk in drawn and t.risk_class == "A"]
    other_drawn = [t for t in by_b if t.pk in drawn and t.risk_class != "A"]
    assert a_drawn and other_drawn
    _set_own(w.dept_b, a_drawn[:1], "D")
    _set_own(w.dept_b, other_drawn[:1], "A")
    frozen = _freeze(_b_task(w))
    excluded = {
        line.split("\t")[2]
        for line in gzip.decompress(frozen.file_bytes).decode().splitlines()[1:]
        if line.startswith("X\ta_class")
    }
    assert excluded == {t.uscc for t in a_drawn[1:]} | {other_drawn[0].uscc}


@pytest.mark.postgres
@pytest.mark.django_db
@pytest.mark.parametrize("helper", [False, True], ids=["in-process", "helper-process"])
def test_the_two_freeze_paths_agree_on_a_draw_by_own_classes(ready, monkeypatch, helper):
    """PostgreSQL's statement by the lead department's own classes (sorted by the database, not
    read in order from the index) against the Python path over the same rows, byte for byte."""
    w = ready
    full_draw(w, w.task_a)
    monkeypatch.setattr(pool, "HELPER_MIN", 1 if helper else 10**9)
    task = _b_task(w)
    by_b = [t for i, t in enumerate(w.targets) if i % 2 == 0]
    _set_own(w.dept_b, by_b[::3], "A")
    _set_own(w.dept_b, by_b[1::3], "D")
    postgres = pool._freeze_postgresql(task, LABELS, DRAW_ID)
    rows = pool.annotated(task).values_list("pk", "key", "stratum", "reason").iterator(chunk_size=7)
    python = pool.freeze_rows(task.code, LABELS, rows, DRAW_ID, salt=_salts(postgres).__getitem__)
    assert _frozen_tuple(postgres) == _frozen_tuple(python) == _reference_freeze(task, LABELS, postgres)
    assert postgres.exclusions["a_class"] > 0


# ---- one candidate per key (issue 14) -----------------------------------------------------------


def _person(w, keeper, name="张三", klass="C", key="e3b0c44298fc1c149afbf4c8996fb924"):
    from shuangsuiji.directory.models import Target, TargetSupervision

    t = Target.objects.create(
        kind="person",
        nonmarket_key=key,
        key_display="130102********0012",
        name=name,
        region=w.county,
        keeper_department=keeper,
        risk_class=klass,
    )
    TargetSupervision.objects.create(target=t, department=keeper)
    return t


@pytest.mark.django_db
def test_a_person_both_departments_keep_is_one_candidate_the_leads_record(ready):
    """A and B each keep the same 自然人 (keys are unique per keeping department): the joint task
    led by A takes one row for the key — A's record, though B's has the lower id and another
    class — on this database's path."""
    w = ready
    b_record = _person(w, w.dept_b, klass="D")
    a_record = _person(w, w.dept_a, klass="B")
    frozen = _freeze(w.joint)
    rows = [r for r in pool.read_pool(frozen.file_bytes) if r[2].startswith("person:")]
    assert [(r[0], r[3]) for r in rows] == [(LABELS["B"], a_record.pk)]
    assert b_record.pk < a_record.pk
    assert _frozen_tuple(frozen) == _reference_freeze(w.joint, LABELS, frozen)
    assert sum(s["size"] for s in frozen.strata) == 61


@pytest.mark.django_db
def test_a_person_kept_by_two_partners_is_one_candidate_the_lowest_id(ready):
    """Neither record is the lead's: the lower id is the candidate; a person kept once stays."""
    from shuangsuiji.core import services as core

    w = ready
    dept_c = core.department_create(actor=None, name="公安局", region=w.county)
    w.joint.departments.add(dept_c)
    first = _person(w, w.dept_b, klass="A")
    _person(w, dept_c, klass="D")
    single = _person(w, dept_c, name="李四", key="another-person-digest")
    rows = [r for r in pool.read_pool(_freeze(w.joint).file_bytes) if r[2].startswith("person:")]
    assert sorted(r[3] for r in rows) == sorted([first.pk, single.pk])


@pytest.mark.postgres
@pytest.mark.django_db
def test_the_two_freeze_paths_agree_with_a_person_kept_twice(ready):
    w = ready
    _person(w, w.dept_b, klass="D")
    a_record = _person(w, w.dept_a, klass="B")
    postgres = pool._freeze_postgresql(w.joint, LABELS, DRAW_ID)
    rows = pool.annotated(w.joint).values_list("pk", "key", "stratum", "reason").iterator(chunk_size=7)
    python = pool.freeze_rows(w.joint.code, LABELS, rows, DRAW_ID, salt=_salts(postgres).__getitem__)
    assert _frozen_tuple(postgres) == _frozen_tuple(python)
    persons = [r for r in pool.read_pool(postgres.file_bytes) if r[2].startswith("person:")]
    assert [r[3] for r in persons] == [a_record.pk]


@pytest.mark.django_db
def test_a_drawn_target_cannot_be_deleted(ready):
    """Selection.target has no database constraint (its check cost draw_run a third of its time):
    Django's PROTECT refuses the delete, and in PostgreSQL a trigger refuses any statement's."""
    w = ready
    draw = full_draw(w, w.task_a)
    drawn = draw.selections.first().target
    with pytest.raises(ProtectedError):
        drawn.delete()
    if connection.vendor == "postgresql":
        with (
            pytest.raises(IntegrityError, match="已被抽中"),
            transaction.atomic(),
            connection.cursor() as cur,
        ):
            cur.execute("DELETE FROM directory_target WHERE id = %s", [drawn.pk])
    assert Target.objects.filter(pk=drawn.pk).exists()
