"""预览 of a target import (issue 17): what the file would do, computed from pass 1's spool (the
same validation as the write, no second set of rules) and a read of the existing rows for its
keys, in batches. Nothing is written to the directory here.

The preview's fingerprint covers every change it lists (row, field, value before, value after)
and its counts; its state digest covers the directory rows it read. The confirmed import writes the
rows the preview checked (kept in the file storage: `stage`) when the directory's state is the same;
otherwise it reads the file again, recomputes the preview and writes only when the fingerprint is
unchanged (the directory may have changed between the preview and the confirm)."""

import csv
import datetime as dt
import hashlib
import io
import operator
import shutil
import tempfile
from pathlib import Path

from django.core.files import File
from django.core.files.storage import default_storage
from django.db import connection
from django.utils import timezone
from isal import igzip

from shuangsuiji.core.models import Department

from .importing import DIRECTORY_CHECK_BATCH, STAGE_COLUMNS, spool_path
from .models import Tag, Target
from .ownership import SHARED_FIELDS, kept_counties, value_label

SAMPLE_SIZE = 50  # changes shown on the page; the rest download as .xlsx
CHANGES_HEADER = ["行号", "代码/证件号", "名称", "字段", "原值", "新值", "说明"]
_SAMPLE_KEYS = ("row", "key", "name", "field", "before", "after", "note")
SUGGESTION_NOTE = "由名录维护部门维护：提交为变更建议，不直接修改"

# (stage column, field) of the fields an update writes, as write_targets' _UPDATED
_FIELDS = [
    ("name", "name"),
    ("kind", "kind"),
    ("region_id", "region"),
    ("address", "address"),
    ("industry_id", "industry"),
    ("founded_on", "founded_on"),
    ("status", "status"),
    ("status_changed_on", "status_changed_on"),
    ("risk_class", "risk_class"),
    ("risk_class_set_on", "risk_class_set_on"),
]
# a row the department does not keep: these become 变更建议 (write_targets' _SUGGESTED)
_SUGGESTED = {"name", "kind", "region", "address", "industry", "founded_on", "status", "risk_class"}


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _new_values(s: dict, t: dict, today: str) -> dict[str, str]:
    """The value of each field after the update, as write_targets' UPDATE computes it."""
    new = {}
    for col, f in _FIELDS:
        if col == "status_changed_on":
            if s["status"] and s["status"] != t["status"]:
                new[f] = s[col] or today
            else:
                new[f] = s[col] or t[col]
        else:
            new[f] = s[col] or t[col]
    return new


def _read_spool(spool: Path):
    with spool.open(newline="", encoding="utf-8") as f:
        for r in csv.reader(f):
            yield dict(zip(STAGE_COLUMNS, r, strict=False))


_COLUMNS = ["uscc", "kind", "nonmarket_key", "keeper_department_id", *[c for c, _ in _FIELDS]]
_row_values = operator.itemgetter(*_COLUMNS)  # a found row's _COLUMNS values, in order


def _select(where: str, params: list, orm_filter: dict) -> list[tuple]:
    """The directory's rows (_COLUMNS, as text) matching `where`: on PostgreSQL one array parameter per
    list of keys (psycopg parses each query text client-side: thousands of placeholders cost
    more than the query), elsewhere the ORM's IN."""
    if connection.vendor == "postgresql":  # as text, as the spool and the page have them
        cols = ", ".join(f"COALESCE(CAST({c} AS text), '')" for c in _COLUMNS)
        with connection.cursor() as c:
            c.execute(f"SELECT {cols} FROM {Target._meta.db_table} WHERE {where}", params)
            return c.fetchall()
    return [tuple(map(_text, r)) for r in Target.objects.filter(**orm_filter).values_list(*_COLUMNS)]


def _existing(batch: list[dict], department: Department, counties: set[str]) -> dict[str, dict]:
    """The directory's rows for the keys of `batch` (staged rows), by key, their values as text,
    with whether the department keeps each (ownership.kept_sql's rule: a market subject by its
    region's county among `counties`, any other by its keeper)."""
    usccs = [s["uscc"] for s in batch if s["uscc"]]
    rows = []
    if usccs:
        rows += _select("uscc = ANY(%s)", [usccs], {"uscc__in": usccs})
    by_kind: dict[str, list[str]] = {}
    for s in batch:
        if not s["uscc"]:
            by_kind.setdefault(s["kind"], []).append(s["nonmarket_key"])
    for kind, keys in by_kind.items():
        rows += _select(
            "kind = %s AND nonmarket_key = ANY(%s) AND keeper_department_id = %s",
            [kind, keys, department.pk],
            {"kind": kind, "nonmarket_key__in": keys, "keeper_department": department},
        )
    found = {}
    keeper = str(department.pk)
    for r in rows:
        t = dict(zip(_COLUMNS, r, strict=True))
        if t["uscc"]:
            t["kept"] = t["region_id"][:6] in counties
            found[t["uscc"]] = t
        else:
            t["kept"] = t["keeper_department_id"] == keeper
            found[f"{t['kind']}:{t['nonmarket_key']}"] = t
    return found


class ChangeList:
    """What a preview lists and how it proves it (one piece for every directory's import): each
    change as a CHANGES_HEADER line, the first SAMPLE_SIZE of them for the page, all of them in a
    CSV saved to the file storage (any worker reads it), and the fingerprint of all of it and of
    the counts. `mark` adds to the fingerprint what is counted but not listed (a row added)."""

    def __init__(self):
        self.digest = hashlib.sha256()
        self.sample: list[dict] = []
        self.changes = 0
        self._full = tempfile.NamedTemporaryFile("w+", newline="", encoding="utf-8", suffix=".csv")  # noqa: SIM115
        # lines not yet hashed and written, in order: an update of 10⁶ rows lists 2×10⁶ changes,
        # and one digest update and one writerows per few thousand cost a fraction of one each
        self._text: list[str] = []
        self._rows: list[list] = []

    def mark(self, text: str) -> None:
        self._text.append(f"{text}\n")

    def add(self, line: list) -> None:
        line = [int(line[0]), *line[1:]]  # the row as Excel numbers it (a spool holds it as text)
        self.changes += 1
        self._text.append("\t".join(map(str, line)) + "\n")
        self._rows.append(line)
        if len(self.sample) < SAMPLE_SIZE:
            self.sample.append(dict(zip(_SAMPLE_KEYS, line, strict=True)))
        if len(self._rows) >= 5000:
            self._flush()

    def _flush(self) -> None:
        self.digest.update("".join(self._text).encode())
        buffer = io.StringIO()  # one write to the file per flush, not one per row
        csv.writer(buffer).writerows(self._rows)
        self._full.write(buffer.getvalue())
        self._text, self._rows = [], []

    def finish(self, counts: dict[str, int], lines: list[dict], name: str) -> dict:
        """The preview as the job keeps it: the counts, the page's count lines (label, number,
        unit, note), the sample, the stored full list (None when empty) and the fingerprint."""
        self._flush()
        self.digest.update(repr(sorted(counts.items())).encode())
        stored = None
        with self._full as full:
            if self.changes:
                full.flush()
                full.seek(0)
                stored = default_storage.save(name, File(full, name=Path(name).name))
        return {
            **counts,
            "changes": self.changes,
            "lines": lines,
            "sample": self.sample,
            "changes_file": stored,
            "fingerprint": self.digest.hexdigest(),
        }


def count_line(label: str, n: int, unit: str = "条", note: str = "") -> dict:
    return {"label": label, "n": n, "unit": unit, "note": note}


def add_change_lines(
    added: int, changed: int, unchanged: int, changes: int, mode: str, unit: str
) -> list[dict]:
    """The count lines of a create (新增) or update (修改, 无变化) preview."""
    if mode != "update":
        return [count_line("新增", added, unit)]
    return [
        count_line("修改", changed, unit, f"（共 {changes} 处字段变化）" if changes else ""),
        count_line("无变化", unchanged, unit),
    ]


def _batches(spool: Path, department: Department):
    """The spool's rows in batches, each with the directory's rows for its keys (_existing)."""
    counties = set(kept_counties(department))
    batch: list[dict] = []
    for s in _read_spool(spool):
        batch.append(s)
        if len(batch) >= DIRECTORY_CHECK_BATCH:
            yield batch, _existing(batch, department, counties)
            batch = []
    if batch:
        yield batch, _existing(batch, department, counties)


class _State:
    """The directory as a preview read it: for each staged key in file order, the row it found
    (every column compared, and whether the department keeps it) or none; the department's kept
    counties; the staged tags that exist. A confirm whose state is the same would show the same
    preview, so it writes the rows checked at the preview without reading the file again."""

    def __init__(self, department: Department, tag_spool: Path):
        self.head = _state_head(department, tag_spool)
        self.digest = hashlib.sha256(self.head.encode())

    def add(self, batch: list[dict], found: dict[str, dict]) -> None:
        lines = []
        for s in batch:
            key = s["uscc"] or f"{s['kind']}:{s['nonmarket_key']}"
            t = found.get(key)
            row = "\t".join([*_row_values(t), str(t["kept"])]) if t else "-"
            lines.append(f"{key}\t{row}\n")
        self.digest.update("".join(lines).encode())

    def hexdigest(self) -> str:
        return self.digest.hexdigest()


def _state_head(department: Department, tag_spool: Path) -> str:
    """What a preview's state holds besides the directory's rows: the department's kept counties
    and which staged tags exist."""
    with tag_spool.open(newline="", encoding="utf-8") as f:
        ids = sorted({int(r[1]) for r in csv.reader(f)})
    tags = list(Tag.objects.filter(pk__in=ids).order_by("pk").values_list("pk", flat=True))
    return hashlib.sha256(repr((sorted(kept_counties(department)), tags)).encode()).hexdigest()


def directory_state(*, spool: Path, tag_spool: Path, department: Department) -> str:
    """The state digest `preview_targets` returned, read again now (a confirm's check)."""
    state = _State(department, tag_spool)
    for batch, found in _batches(spool, department):
        state.add(batch, found)
    return state.hexdigest()


# On PostgreSQL every transaction that writes directory_target leaves its id in a log (directory
# migration 0012). A preview notes the snapshot its reads start from; a confirm then knows without
# reading 10⁶ rows again that the directory is as the preview read it when no logged transaction
# is missing from that snapshot. The log keeps three days (pruned at each import's start); a
# snapshot is trusted for two (a preview is abandoned after one), and only when taken outside a
# transaction that had written already: its own later writes would be in its snapshot.
WRITES_KEPT_FOR = dt.timedelta(days=3)
SNAPSHOT_TRUSTED_FOR = dt.timedelta(days=2)


def directory_snapshot() -> dict[str, str]:
    """The snapshot a preview's reads start from, with its time; none where there is no log."""
    if connection.vendor != "postgresql":
        return {}
    with connection.cursor() as c:
        c.execute("SELECT pg_current_snapshot()::text, pg_current_xact_id_if_assigned() IS NULL, now()")
        snapshot, clean, at = c.fetchone()
    return {"snapshot": snapshot, "snapshot_at": at.isoformat()} if clean else {}


def _directory_unwritten_since(shown: dict) -> bool:
    """No transaction that wrote directory_target has committed since the preview's snapshot."""
    snapshot, at = shown.get("snapshot"), shown.get("snapshot_at")
    if not snapshot or not at or connection.vendor != "postgresql":
        return False
    if timezone.now() - dt.datetime.fromisoformat(at) > SNAPSHOT_TRUSTED_FOR:
        return False
    with connection.cursor() as c:
        c.execute(
            "SELECT NOT EXISTS (SELECT 1 FROM directory_target_writes "
            "WHERE NOT pg_visible_in_snapshot(xid, %s::pg_snapshot))",
            [snapshot],
        )
        return c.fetchone()[0]


def state_unchanged(shown: dict, *, spool: Path, tag_spool: Path, department: Department) -> bool:
    """The directory is as the preview `shown` read it (a confirm's check): by the write log when
    it can tell, else by reading the preview's rows again."""
    if _directory_unwritten_since(shown) and shown.get("state_head") == _state_head(department, tag_spool):
        return True
    return directory_state(spool=spool, tag_spool=tag_spool, department=department) == shown["state"]


def prune_write_log() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as c:
            c.execute("DELETE FROM directory_target_writes WHERE at < now() - %s", [WRITES_KEPT_FOR])


def preview_targets(*, spool: Path, tag_spool: Path, mode: str, department: Department, name: str) -> dict:
    """Counts (新增 / 修改 / 无变化), the first SAMPLE_SIZE changes and the full list of changes
    saved in the file storage under `name` (a CSV any worker reads; None when there are none),
    the fingerprint of all of it, and the state of the directory it read (`directory_state`)."""
    added = changed = unchanged = 0
    today = dt.date.today().isoformat()
    listed = ChangeList()
    snapshot = directory_snapshot()  # before the first read
    state = _State(department, tag_spool)

    for batch, existing in _batches(spool, department):
        state.add(batch, existing)
        # create mode: pass 1 refused a key already in the directory (one found now came since:
        # the state differs, and a confirm reads the file again)
        found = existing if mode == "update" else {}
        for s in batch:
            key = s["uscc"] or f"{s['kind']}:{s['nonmarket_key']}"
            t = found.get(key)
            if t is None:
                added += 1
                listed.mark(f"+{key}")
                continue
            new = _new_values(s, t, today)
            row_changes = 0
            for col, f in _FIELDS:
                if not t["kept"] and f not in _SUGGESTED:
                    continue
                before, after = t[col], new[f]
                if before == after:
                    continue
                row_changes += 1
                listed.add(
                    [
                        s["row_no"],
                        s["key_display"] or key,
                        t["name"],
                        SHARED_FIELDS.get(f, f),
                        value_label(f, before),
                        value_label(f, after),
                        "" if t["kept"] else SUGGESTION_NOTE,
                    ]
                )
            if row_changes:
                changed += 1
            else:
                unchanged += 1
    counts = {"added": added, "changed": changed, "unchanged": unchanged}
    shown = listed.finish(
        counts, add_change_lines(added, changed, unchanged, listed.changes, mode, "条"), name
    )
    return {**shown, "state": state.hexdigest(), "state_head": state.head, **snapshot}


# ---- the checked rows, kept from the preview to the confirm ------------------------------------
# A worker on any node confirms: the rows pass 1 checked (the spool) and their tags are kept in
# the file storage, gzip-compressed, until the write or the preview's end.


def stage(name: str, spool: Path, tag_spool: Path) -> dict[str, str]:
    """Keep the two spools under `name`-rows / `name`-tags; returns their stored names."""
    out = {}
    for part, path in (("rows", spool), ("tags", tag_spool)):
        with tempfile.TemporaryFile() as packed:
            with path.open("rb") as src, igzip.IGzipFile(fileobj=packed, mode="wb", compresslevel=1) as gz:
                shutil.copyfileobj(src, gz, 1 << 20)
            packed.seek(0)
            out[part] = default_storage.save(f"{name}-{part}.csv.gz", File(packed, name=f"{part}.csv.gz"))
    return out


def unstage(staged: dict[str, str]) -> tuple[Path, Path] | None:
    """The kept spools as local files again (the caller deletes them); None if either is gone."""
    paths: list[Path] = []
    try:
        for part in ("rows", "tags"):
            paths.append(spool_path(f"ssj-{part}-"))
            with (
                default_storage.open(staged[part], "rb") as f,
                igzip.IGzipFile(fileobj=f, mode="rb") as gz,
                paths[-1].open("wb") as dest,
            ):
                shutil.copyfileobj(gz, dest, 1 << 20)
    except (FileNotFoundError, KeyError):
        for p in paths:
            p.unlink(missing_ok=True)
        return None
    return paths[0], paths[1]


def changes_rows(stored: str):
    """The full list of a preview's changes, row by row (for the .xlsx download)."""
    with default_storage.open(stored, "rb") as f:
        text = (line.decode("utf-8") for line in f)
        yield from csv.reader(text)


def discard(stored: str | None) -> None:
    if stored:
        default_storage.delete(stored)


def discard_preview(shown: dict | None) -> None:
    """A preview's stored files: its full list of changes and the rows it kept for the confirm."""
    shown = shown or {}
    for stored in (shown.get("changes_file"), *(shown.get("staged") or {}).values()):
        discard(stored)
