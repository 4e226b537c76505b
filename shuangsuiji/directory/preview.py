"""预览 of a target import (issue 17): what the file would do, computed from pass 1's spool (the
same validation as the write, no second set of rules) and a read of the existing rows for its
keys, in batches. Nothing is written to the directory here.

The preview's fingerprint covers every change it lists (row, field, value before, value after)
and its counts: the confirmed import recomputes it from the same spooled file and writes only
when it is unchanged (the directory may have changed between the preview and the confirm)."""

import csv
import datetime as dt
import hashlib
import tempfile
from pathlib import Path

from django.core.files import File
from django.core.files.storage import default_storage
from django.db import connection

from shuangsuiji.core.models import Department

from .importing import DIRECTORY_CHECK_BATCH, STAGE_COLUMNS
from .models import Target
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
        self._writer = csv.writer(self._full)

    def mark(self, text: str) -> None:
        self.digest.update(f"{text}\n".encode())

    def add(self, line: list) -> None:
        line = [int(line[0]), *line[1:]]  # the row as Excel numbers it (a spool holds it as text)
        self.changes += 1
        self.digest.update(("\t".join(map(str, line)) + "\n").encode())
        self._writer.writerow(line)
        if len(self.sample) < SAMPLE_SIZE:
            self.sample.append(dict(zip(_SAMPLE_KEYS, line, strict=True)))

    def finish(self, counts: dict[str, int], lines: list[dict], name: str) -> dict:
        """The preview as the job keeps it: the counts, the page's count lines (label, number,
        unit, note), the sample, the stored full list (None when empty) and the fingerprint."""
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


def preview_targets(*, spool: Path, mode: str, department: Department, name: str) -> dict:
    """Counts (新增 / 修改 / 无变化), the first SAMPLE_SIZE changes and the full list of changes
    saved in the file storage under `name` (a CSV any worker reads; None when there are none),
    and the fingerprint of all of it."""
    added = changed = unchanged = 0
    today = dt.date.today().isoformat()
    listed = ChangeList()
    batch: list[dict] = []

    counties = set(kept_counties(department))

    def flush():
        nonlocal added, changed, unchanged
        found = _existing(batch, department, counties) if mode == "update" else {}
        for s in batch:
            key = s["uscc"] or f"{s['kind']}:{s['nonmarket_key']}"
            t = found.get(key)
            if t is None:  # create mode (pass 1 refused a key already in the directory)
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
        batch.clear()

    for s in _read_spool(spool):
        batch.append(s)
        if len(batch) >= DIRECTORY_CHECK_BATCH:
            flush()
    flush()
    counts = {"added": added, "changed": changed, "unchanged": unchanged}
    return listed.finish(
        counts, add_change_lines(added, changed, unchanged, listed.changes, mode, "条"), name
    )


def changes_rows(stored: str):
    """The full list of a preview's changes, row by row (for the .xlsx download)."""
    with default_storage.open(stored, "rb") as f:
        text = (line.decode("utf-8") for line in f)
        yield from csv.reader(text)


def discard(stored: str | None) -> None:
    if stored:
        default_storage.delete(stored)
