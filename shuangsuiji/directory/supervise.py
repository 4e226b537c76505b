"""添加监管关系 (issue 17): an import mode of its own, whose file holds the keys of targets already
in the directory (统一社会信用代码, or a 非市场主体's 身份证号 / 编码); the uploading department
becomes one of their supervisors. Under the trust boundaries (directory/ownership.py) every
department adds its own supervision and nothing else: this mode changes no shared field (a
department that does not keep a target suggests changes through 按代码更新, as 变更建议), and it
adds no other department's supervision.

What a key finds: a market subject of the department's jurisdiction (its region under the
department's scope), or a 非市场主体 among the department's own records only (its key is unique
per keeping department, and the answer must not tell whether another department holds that
person: issue 14, finding 7). Any other key counts as 未找到, the same answer whether the subject
exists elsewhere or not at all.

Pass 1 validates the keys into a spool (as a target import does); the preview counts 新增监管 /
已监管 / 未找到 and lists each row it adds or does not find; the confirmed write recomputes the
same preview in its transaction and adds the rows only when the fingerprint still matches."""

import csv
import datetime as dt
import itertools
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.db import transaction

from shuangsuiji.core.models import Department

from . import importing
from .importing import DIRECTORY_CHECK_BATCH, TEMPLATES, Outcome
from .models import Target, TargetSupervision
from .preview import ChangeList, count_line
from .tabular import read_table

SPOOL_COLUMNS = ["row_no", "kind", "uscc", "nonmarket_key", "key_display"]
NOT_FOUND = "本辖区目录中没有此主体（或不是本部门录入的非市场主体），不导入"
ADDED = "新增本部门监管"
WRITE_BATCH = 5000


def key_column(template: str) -> str:
    return TEMPLATES[template][1][0].header


def validate_keys(
    path: Path,
    filename: str,
    *,
    template: str,
    encoding: str,
    lookups: importing.Lookups,
    progress: Callable[[int], None] | None = None,
) -> tuple[Outcome, Path]:
    """Pass 1 of 添加监管关系: each row's key checked as a target import checks it (an Excel
    number refused, a USCC's check digit, a 身份证号's birth date and checksum, full-width
    normalised and said so); a key twice in the file is taken once, with a note."""
    if template not in TEMPLATES:
        raise importing.FileProblem(f"未知模板“{template}”")
    columns = TEMPLATES[template][1]
    key = key_column(template)
    out = Outcome()
    rows = read_table(path, filename, encoding)
    spool = importing.spool_path("ssj-supervise-")
    try:
        _fill(rows, spool, columns, key, template, lookups, out, progress)
    except BaseException:
        spool.unlink(missing_ok=True)
        raise
    return out, spool


def _fill(rows, spool: Path, columns, key: str, template: str, lookups, out: Outcome, progress) -> None:
    first = next(rows, None)
    if first is None:
        out.error(None, "文件", "文件为空")
        return
    index, rows = importing.locate_header(
        itertools.chain([first], rows), columns, False, out, key=key, keys_only=True
    )
    if index is None:
        return
    id_at = importing.id_positions(index)
    seen: dict[str, int] = {}
    digest_key = settings.ID_DIGEST_KEY
    today = dt.date.today()
    with spool.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        for row_no, cells in rows:
            if not "".join(cells).strip():
                continue
            out.rows += 1
            if progress and out.rows % 5000 == 0:
                progress(out.rows)
            if id_at and importing.refuse_excel_numbers(id_at, cells, row_no, out):
                continue
            cell = importing.cell_reader(index, cells)
            before = out.error_count
            # the key alone, checked by the target import's own row rules (update: nothing else
            # is required, and nothing else is read)
            v = importing._target_row(cell, row_no, template, True, lookups, out, digest_key, today)
            if v is None or out.error_count > before:
                continue
            k = v["uscc"] or f"{v['kind']}:{v['nonmarket_key']}"
            if k in seen:
                out.warn(row_no, key, f"与第 {seen[k]} 行是同一主体，只计一次")
                continue
            seen[k] = row_no
            w.writerow([row_no, v["kind"] or "", v["uscc"] or "", v["nonmarket_key"] or "", v["key_display"]])
    if progress:
        progress(out.rows)


def _read(spool: Path):
    with spool.open(newline="", encoding="utf-8") as f:
        for r in csv.reader(f):
            yield dict(zip(SPOOL_COLUMNS, r, strict=True))


def _found(batch: list[dict], department: Department) -> dict[str, tuple[int, str]]:
    """key -> (target id, name) of the batch's keys the department may supervise."""
    usccs = [s["uscc"] for s in batch if s["uscc"]]
    found = {}
    if usccs:
        for uscc, pk, name in Target.objects.filter(
            uscc__in=usccs, region__code__startswith=department.region.scope_prefix
        ).values_list("uscc", "pk", "name"):
            found[uscc] = (pk, name)
    by_kind: dict[str, list[str]] = {}
    for s in batch:
        if not s["uscc"]:
            by_kind.setdefault(s["kind"], []).append(s["nonmarket_key"])
    for kind, keys in by_kind.items():
        for nk, pk, name in Target.objects.filter(
            kind=kind, nonmarket_key__in=keys, keeper_department=department
        ).values_list("nonmarket_key", "pk", "name"):
            found[f"{kind}:{nk}"] = (pk, name)
    return found


def plan(*, spool: Path, department: Department, name: str) -> tuple[dict, list[int]]:
    """The preview (counts 新增监管 / 已监管 / 未找到, each added or unfound row listed, the
    fingerprint) and the ids of the targets the write would add."""
    listed = ChangeList()
    to_add: list[int] = []
    already = not_found = 0
    batch: list[dict] = []

    def flush():
        nonlocal already, not_found
        found = _found(batch, department)
        supervised = set(
            TargetSupervision.objects.filter(
                department=department, target_id__in=[pk for pk, _ in found.values()]
            ).values_list("target_id", flat=True)
        )
        for s in batch:
            k = s["uscc"] or f"{s['kind']}:{s['nonmarket_key']}"
            hit = found.get(k)
            if hit is None:
                not_found += 1
                listed.add([s["row_no"], s["key_display"], "", "", "", "", NOT_FOUND])
            elif hit[0] in supervised:
                already += 1
                listed.mark(f"={hit[0]}")
            else:
                to_add.append(hit[0])
                listed.add([s["row_no"], s["key_display"], hit[1], "监管部门", "", department.name, ADDED])
        batch.clear()

    for s in _read(spool):
        batch.append(s)
        if len(batch) >= DIRECTORY_CHECK_BATCH:
            flush()
    flush()
    counts = {"supervised": len(to_add), "already": already, "not_found": not_found}
    lines = [
        count_line("新增本部门监管", len(to_add)),
        count_line("已由本部门监管", already, note="（不变）"),
        count_line("本辖区目录中未找到", not_found, note="（不导入）"),
    ]
    return listed.finish(counts, lines, name), to_add


def write(target_ids: list[int], department: Department) -> int:
    """Add the department's supervision of `target_ids` (inside the import's transaction; the
    rows' copy of their supervising departments follows by the table's trigger on PostgreSQL)."""
    assert transaction.get_connection().in_atomic_block
    for start in range(0, len(target_ids), WRITE_BATCH):
        TargetSupervision.objects.bulk_create(
            [
                TargetSupervision(target_id=pk, department=department)
                for pk in target_ids[start : start + WRITE_BATCH]
            ],
            ignore_conflicts=True,  # one added meanwhile by the target's page: the same row
        )
    return len(target_ids)
