"""Bodies of the directory's background jobs (imports). Each reads a whole file, validates every
row, and changes nothing unless every row is good; the write and its one audit entry share a
transaction."""

import datetime as dt
import logging
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from shuangsuiji.core import audit
from shuangsuiji.core import jobs as core_jobs
from shuangsuiji.core.errors import DomainError
from shuangsuiji.core.identifiers import IdentifierError, check_ric, keyed_digest, mask_ric, normalize_ric
from shuangsuiji.core.models import BusinessLine, Job, JobStatus

from . import error_list, importing, preview, supervise
from .importing import CellError, Column, Outcome, cell_reader, parse_bool, parse_date
from .models import (
    Inspector,
    Item,
    ItemKind,
    ItemStatus,
    Method,
    TagLibrary,
    Target,
    TargetKind,
    TargetSupervision,
)
from .selectors import usable_tags
from .tabular import FileProblem, count_rows, read_table


def _job_progress(job: Job):
    def update(done: int):
        Job.objects.filter(pk=job.pk).update(done=done)

    return update


logger = logging.getLogger(__name__)

# PostgreSQL: after a large import the planner's statistics still describe the directory before
# it, and the draw's freeze right after runs 3–5 times slower (autovacuum analyzes only after its
# naptime, and the office may announce a draw at once). So the import refreshes them itself when
# it wrote at least this many rows, or more than this share of the table's estimated size
# (pg_class.reltuples, as of the last ANALYZE: the rows the statistics do not describe).
ANALYZE_MIN_ROWS = 10_000
ANALYZE_MIN_SHARE = 0.10
# what the freeze reads: the targets, their supervision, their tags (a task's scope by tag)
_ANALYZED = (Target._meta.db_table, TargetSupervision._meta.db_table, Target.tags.through._meta.db_table)


def analyze_due(written: int, reltuples: float) -> bool:
    """Whether `written` rows make the statistics stale; `reltuples` < 0: never analyzed."""
    if written <= 0:
        return False
    return written >= ANALYZE_MIN_ROWS or written > ANALYZE_MIN_SHARE * max(reltuples, 0)


def analyze_after_import(written: int) -> bool:
    """ANALYZE the directory's tables after an import that wrote many rows (PostgreSQL only:
    SQLite's planner keeps no such statistics of its own unless asked, and needs none here).
    Returns whether it ran. A failure is logged, not raised: the import itself has committed."""
    if connection.vendor != "postgresql":
        return False
    try:
        with connection.cursor() as c:
            c.execute("SELECT reltuples FROM pg_class WHERE oid = %s::regclass", [Target._meta.db_table])
            if not analyze_due(written, c.fetchone()[0]):
                return False
            for table in _ANALYZED:
                c.execute(f"ANALYZE {connection.ops.quote_name(table)}")
    except DatabaseError:
        logger.warning("导入后更新检查对象表的统计信息失败", exc_info=True)
        return False
    return True


def target_import_run(job: Job) -> None:
    """Pass 1 outside any transaction (progress is visible), the preview (an upload stops there,
    services.import_start), then pass 2 in one transaction once the clerk has confirmed."""
    department = job.department
    p = job.params
    if p.get("mode") == "supervise":
        supervise_import_run(job)
        return
    path = getattr(job, "input_path", None)  # none once written (or lost): the kept rows may do
    spool = tag_spool = None
    try:
        ready = _staged_rows(job)
        if ready is not None:  # a confirm of an unchanged preview: the rows it checked
            summary, spool, tag_spool, shown = ready
        else:
            if path is None:
                raise FileProblem("上传的文件已不在（已写入或已过期），请重新上传")
            _count_rows(job)
            lookups = importing.Lookups(department)
            outcome, spool, tag_spool = importing.validate_targets(
                path,
                p["filename"],
                template=p.get("template", "market"),
                mode=p.get("mode", "create"),
                encoding=p.get("encoding", "auto"),
                lookups=lookups,
                progress=_job_progress(job),
            )
            summary = _summary(job, outcome)
            if outcome.error_count or outcome.rows == 0:
                _keep_error_list(job, summary, outcome, importing.TEMPLATES[p.get("template", "market")][1])
                _refuse(job, summary)
                return

            def make(name: str) -> dict:
                shown = preview.preview_targets(
                    spool=spool,
                    tag_spool=tag_spool,
                    mode=p.get("mode", "create"),
                    department=department,
                    name=name,
                )
                return {**shown, "ignored_columns": outcome.ignored_columns}

            go, shown = _preview_stage(
                job, summary, make, keep=lambda name: preview.stage(name, spool, tag_spool)
            )
            if not go:
                return
        if shown:  # rows, as previewed (write_targets' "changed" counts the fields changed)
            summary.update(added=shown["added"], changed_rows=shown["changed"], unchanged=shown["unchanged"])
        Job.objects.filter(pk=job.pk).update(message="校验通过，正在写入……")
        with transaction.atomic():
            counts = importing.write_targets(
                spool=spool,
                tag_spool=tag_spool,
                mode=p.get("mode", "create"),
                department=department,
                actor=job.created_by,
                source=f"导入：{p['filename']}"[:200],
            )
            _list_suggestions(summary, counts.pop("suggestion_rows"), counts["suggested"])
            summary.update(counts)
            verb = "新增" if p.get("mode", "create") == "create" else "更新"
            # a row the department does not keep changes no shared field: its values wait for the
            # keeper as 变更建议, and the log says how many (directory/ownership.py)
            suggested = (
                f"，变更建议 {counts['suggested']} 条（待名录维护部门处理）" if counts["suggested"] else ""
            )
            audit.record(
                actor=job.created_by,
                action="target.import",
                obj=job,
                summary=f"导入检查对象（{verb}）：{p['filename']}，{counts['written']} 条{suggested}",
                detail={
                    "sha256": job.input_sha256,
                    "rows": summary["rows"],
                    **counts,
                    "mode": p.get("mode"),
                    "warnings": summary["warning_count"],
                    **({"changed_rows": shown["changed"], "unchanged": shown["unchanged"]} if shown else {}),
                },
            )
            # ANALYZE once the write has committed, not inside its transaction (where PostgreSQL
            # would allow it): there it would hold its lock and lengthen the import's transaction
            # by the sampling, other sessions' planners would see the new statistics only at the
            # commit anyway, and a rolled-back import would leave the table's size estimate
            # (updated in place, outside the transaction) counting rows that never were. Outside
            # any transaction (the job runner's case) on_commit runs at this block's exit, so the
            # job is reported finished only with fresh statistics: a draw announced on seeing
            # “导入完成” plans with them.
            written = counts["written"]
            # the effect and its mark commit together: a rerun of this job never writes again
            # (core/jobs.py)
            core_jobs.mark_written(job, message=f"导入已写入 {written} 条", result=summary)
            transaction.on_commit(lambda: analyze_after_import(written))
        unchanged = f"（其中无变化 {shown['unchanged']} 条）" if shown and verb == "更新" else ""
        _job_finish(
            job,
            JobStatus.SUCCEEDED,
            f"导入完成：{verb} {counts['written']} 条{unchanged}{suggested}",
            summary,
        )
        _written(job, shown)
    except FileProblem as e:
        _job_finish(
            job,
            JobStatus.FAILED,
            str(e),
            {"errors": [{"row": None, "field": "文件", "reason": str(e)}], "error_count": 1},
        )
    except IntegrityError:
        _job_finish(
            job,
            JobStatus.FAILED,
            "写入时发现与目录重复的主体（可能有其他导入同时进行），未导入任何数据；请重新导入",
            {},
        )
    finally:
        for f in (spool, tag_spool):
            if f:
                f.unlink(missing_ok=True)


def _staged_rows(job: Job) -> tuple[dict, Path, Path, dict] | None:
    """A confirmed target import whose preview kept its checked rows (preview.stage), when the
    directory is as the preview read it (preview.state_unchanged): (the summary, the two spools,
    the preview), and the file is not read or checked again. Otherwise None: the file is read
    again, and the preview's fingerprint decides (_preview_stage)."""
    shown = (job.result or {}).get("preview") or {}
    if job.params.get("stage") != "confirm" or not shown.get("staged") or not shown.get("state"):
        return None
    if shown.get("fingerprint") != job.params.get("fingerprint"):
        return None
    Job.objects.filter(pk=job.pk).update(message="正在核对预览后名录有无变化……")
    spools = preview.unstage(shown["staged"])
    if spools is None:
        return None
    spool, tag_spool = spools
    if not preview.state_unchanged(shown, spool=spool, tag_spool=tag_spool, department=job.department):
        spool.unlink(missing_ok=True)
        tag_spool.unlink(missing_ok=True)
        return None
    summary = {
        k: job.result[k] for k in ("rows", "error_count", "errors", "warning_count", "warnings", "sha256")
    }
    summary["stage"] = "done"
    return summary, spool, tag_spool, dict(shown)


# the preview page of each previewed import (its URL name; services.PREVIEWED_KINDS)
PREVIEW_PAGES = {
    "target_import": "directory:target_import_preview",
    "inspector_import": "directory:inspector_import_preview",
    "item_import": "directory:item_import_preview",
}


def _preview_stage(
    job: Job,
    summary: dict,
    make: Callable[[str], dict],
    default: str = "write",
    keep: Callable[[str], dict] | None = None,
) -> tuple[bool, dict | None]:
    """The preview before writing, the same for every directory's import: an upload (stage
    preview) stops at the preview `make(name)` builds (its full list of changes stored under
    `name`); a confirmed one (stage confirm) builds it again from the same file and goes on to
    write only if its fingerprint is the one the clerk confirmed, else shows the new preview.
    `keep(name)`: stores the checked rows for the confirm, when a preview stops here (the target
    import's; jobs._staged_rows). Returns (whether to write, the preview). `default`: the stage of
    a job that names none (one queued before previews existed writes as it was asked to)."""
    stage = job.params.get("stage", default)
    if stage not in ("preview", "confirm"):
        return True, None
    Job.objects.filter(pk=job.pk).update(message="校验通过，正在生成预览……")
    name = f"jobs/preview/{job.pk}-{job.input_sha256[:12]}"
    shown = make(f"{name}.csv")
    if stage == "preview" or shown["fingerprint"] != job.params.get("fingerprint"):
        if keep is not None:
            shown["staged"] = keep(name)
        _preview_ready(job, summary, shown, changed_since=stage == "confirm")
        return False, shown
    preview.discard_preview(shown)
    summary["stage"] = "done"
    return True, shown


def _written(job: Job, shown: dict | None) -> None:
    """Once written, the uploaded file is no longer needed (the preview's confirm read it), nor
    the confirmed preview's stored files, its list of changes and its kept rows (the job's result
    as the run began names them)."""
    if shown is not None:
        job.input_file.delete(save=False)
        Job.objects.filter(pk=job.pk).update(input_file="")
        preview.discard_preview((job.result or {}).get("preview"))


def preview_message(shown: dict) -> str:
    return "、".join(f"{line['label']} {line['n']} {line['unit']}" for line in shown["lines"])


def _preview_ready(job: Job, summary: dict, shown: dict, *, changed_since: bool) -> None:
    """The preview waits for the clerk: nothing has been written (the job's status 已完成 is the
    preview's; result["stage"] says it waits for 确认导入)."""
    old = (job.result or {}).get("preview") or {}
    if old.get("changes_file") != shown.get("changes_file"):
        preview.discard(old.get("changes_file"))
    if old.get("staged") != shown.get("staged"):
        preview.discard_preview({"staged": old.get("staged")})
    counts = preview_message(shown)
    if changed_since:
        message = (
            f"名录在预览后已有变化，未写入任何数据；已按现在的名录重新生成预览（{counts}），请核对后再确认"
        )
    else:
        message = f"预览已生成（{counts}），尚未写入任何数据，请在预览页确认导入"
    summary.update(
        stage="preview",
        preview=shown,
        changed_since=changed_since,
        preview_url=reverse(PREVIEW_PAGES[job.kind], args=[job.pk]),
    )
    _job_finish(job, JobStatus.SUCCEEDED, message, summary)


def supervise_import_run(job: Job) -> None:
    """添加监管关系 (directory/supervise.py): pass 1 checks the keys, the preview counts what
    would be added, the confirmed write adds the department's supervision, nothing else."""
    department = job.department
    p = job.params
    template = p.get("template", "market")
    spool = None
    try:
        _count_rows(job)
        outcome, spool = supervise.validate_keys(
            job.input_path,
            p["filename"],
            template=template,
            encoding=p.get("encoding", "auto"),
            lookups=importing.Lookups(department),
            progress=_job_progress(job),
        )
        summary = _summary(job, outcome)
        key = supervise.key_column(template)
        if outcome.error_count or outcome.rows == 0:
            _keep_error_list(job, summary, outcome, importing.TEMPLATES[template][1], key=key)
            _refuse(job, summary)
            return
        planned: list[int] = []

        def make(name):
            shown, ids = supervise.plan(spool=spool, department=department, name=name)
            planned[:] = ids
            return {**shown, "ignored_columns": outcome.ignored_columns}

        go, shown = _preview_stage(job, summary, make, default="preview")  # a new mode: always previewed
        if not go:
            return
        Job.objects.filter(pk=job.pk).update(message="校验通过，正在写入……")
        with transaction.atomic():
            written = supervise.write(planned, department)
            counts = {k: shown[k] for k in ("supervised", "already", "not_found")}
            summary.update(counts, written=written)
            audit.record(
                actor=job.created_by,
                action="target.import",
                obj=job,
                summary=(
                    f"导入检查对象（添加监管关系）：{p['filename']}，新增本部门监管 {written} 条、"
                    f"已由本部门监管 {counts['already']} 条、本辖区目录中未找到 {counts['not_found']} 条"
                ),
                detail={"sha256": job.input_sha256, "rows": outcome.rows, "mode": "supervise", **counts},
            )
            core_jobs.mark_written(job)
            transaction.on_commit(lambda: analyze_after_import(written))
        _job_finish(
            job,
            JobStatus.SUCCEEDED,
            f"导入完成：新增本部门监管 {written} 条（已由本部门监管 {counts['already']} 条，"
            f"本辖区目录中未找到 {counts['not_found']} 条）",
            summary,
        )
        _written(job, shown)
    except FileProblem as e:
        _job_finish(
            job,
            JobStatus.FAILED,
            str(e),
            {"errors": [{"row": None, "field": "文件", "reason": str(e)}], "error_count": 1},
        )
    finally:
        if spool:
            spool.unlink(missing_ok=True)


# the import column of each shared field, to name a row's 变更建议 as the file does
_SUGGESTION_COLUMN = {
    "name": "名称",
    "kind": "主体类型",
    "region": "行政区划代码",
    "address": "住所",
    "industry": "行业代码",
    "founded_on": "成立日期",
    "status": "登记状态",
    "risk_class": "信用风险分类",
}


def _list_suggestions(summary: dict, rows: list[tuple[int, str]], count: int) -> None:
    """The rows whose values became 变更建议, listed with the import's notes (第 N 行【字段】…)."""
    for row_no, field in rows:
        if len(summary["warnings"]) >= importing.MAX_LISTED_ERRORS:
            break
        summary["warnings"].append(
            {
                "row": row_no,
                "field": _SUGGESTION_COLUMN.get(field, field),
                "reason": "该字段由名录维护部门维护，本行的值与名录不一致，已作为变更建议提交，未修改名录",
            }
        )
    summary["warning_count"] += count


def _job_finish(job: Job, status: str, message: str, result: dict) -> None:
    Job.objects.filter(pk=job.pk).update(
        status=status, message=message[:500], result=result, finished_at=timezone.now()
    )


def _summary(job: Job, out: Outcome) -> dict:
    return {
        "rows": out.rows,
        "error_count": out.error_count,
        "errors": [e.__dict__ for e in out.errors],
        "warning_count": out.warning_count,
        "warnings": [w.__dict__ for w in out.warnings],
        "sha256": job.input_sha256,
    }


def _keep_error_list(job: Job, summary: dict, out: Outcome, columns: list[Column], key: str | None = None):
    """Keep the full error list with the job (its output file: the refused rows with their reasons,
    directory/error_list.py), for the job's page to offer as a download."""
    p = job.params
    made = error_list.error_workbook(
        job.input_path,
        p["filename"],
        p.get("encoding", "auto"),
        columns,
        out.kept_errors,
        update=p.get("mode") == "update",
        key=key,
    )
    if made is None:
        return
    data, rows = made
    job.output_file.save(f"错误清单-{job.pk}.xlsx", ContentFile(data), save=False)
    Job.objects.filter(pk=job.pk).update(output_file=job.output_file.name)
    summary["error_file_rows"] = rows
    summary["error_file_complete"] = out.error_count <= importing.MAX_KEPT_ERRORS


def _count_rows(job: Job) -> None:
    """The job's total before pass 1: the file's rows less its header, counted cheaply
    (tabular.count_rows); progress then reads done / total and a percentage."""
    total = count_rows(job.input_path, job.params["filename"])
    if total:
        job.total = max(total - 1, 1)
        Job.objects.filter(pk=job.pk).update(total=job.total)


def _refuse(job: Job, summary: dict) -> None:
    if not summary["error_count"]:
        summary["errors"], summary["error_count"] = (
            [{"row": None, "field": "文件", "reason": "没有数据行"}],
            1,
        )
    _job_finish(
        job,
        JobStatus.FAILED,
        f"共 {summary['error_count']} 处错误，未导入任何数据；请修改后重新导入",
        summary,
    )


def _split(text: str) -> list[str]:
    """Cells listing several values: separated by ; ； 、 or new lines."""
    for sep in ("；", "、", "\n"):
        text = text.replace(sep, ";")
    return [t.strip() for t in text.split(";") if t.strip()]


@dataclass
class SmallImport:
    """A directory whose files are small (hundreds to thousands of rows): every row is parsed
    into memory, previewed, then written in one transaction once the clerk confirms."""

    kind: str  # the job's kind (importing.MODE_LABELS)
    noun: str  # 人 / 项
    action: str  # audit action
    title: str
    columns: list[Column]
    key: str  # the column that identifies a row in update mode
    parse: Callable  # (cell, row_no, out, update, ctx) -> row values, or None
    write: Callable  # (rows, update, ctx) -> count
    context: Callable  # (job) -> ctx
    # update mode: (rows as [(row_no, values)], ctx) -> for each row, (its key as shown, its name,
    # [(field, before, after)] of the fields the write would change), as the page shows values
    changes: Callable

    @property
    def update_label(self) -> str:
        return importing.MODE_LABELS[self.kind]["update"]


def _small_preview(
    spec: SmallImport, rows: list[tuple[int, str, dict]], update: bool, ctx, name: str
) -> dict:
    """The preview of a small import: the same counts, list and fingerprint as a target
    import's (preview.ChangeList)."""
    listed = preview.ChangeList()
    added = changed = unchanged = 0
    if not update:
        for _, key, _ in rows:
            added += 1
            listed.mark(f"+{key}")
    else:
        found = spec.changes([(row_no, v) for row_no, _, v in rows], ctx)
        for (row_no, _, _), (shown_key, label, fields) in zip(rows, found, strict=True):
            for field_label, before, after in fields:
                listed.add([row_no, shown_key, label, field_label, before, after, ""])
            if fields:
                changed += 1
            else:
                unchanged += 1
    counts = {"added": added, "changed": changed, "unchanged": unchanged}
    mode = "update" if update else "create"
    return listed.finish(
        counts, preview.add_change_lines(added, changed, unchanged, listed.changes, mode, spec.noun), name
    )


def run_small_import(job: Job, spec: SmallImport) -> None:
    p = job.params
    update = p.get("mode") == "update"
    out = Outcome()
    ctx = spec.context(job)
    valid: list[tuple[int, str, dict]] = []  # (row, key, values)
    seen: dict[str, int] = {}
    progress = _job_progress(job)
    try:
        _count_rows(job)
        rows = read_table(job.input_path, p["filename"], p.get("encoding", "auto"))
        index, rows = importing.locate_header(
            rows, spec.columns, update, out, key=spec.key, update_label=spec.update_label
        )
        id_at = importing.id_positions(index or {})
        for row_no, cells in rows if index is not None else ():
            if not any(c.strip() for c in cells):
                continue
            out.rows += 1
            if out.rows % 500 == 0:
                progress(out.rows)
            if id_at and importing.refuse_excel_numbers(id_at, cells, row_no, out):
                continue
            cell = cell_reader(index, cells)
            key = ctx["key_of"](cell)
            if key in seen:
                out.error(row_no, spec.key, f"与第 {seen[key]} 行重复")
                continue
            seen[key] = row_no
            before = out.error_count
            values = spec.parse(cell, row_no, out, update, ctx)
            if values is not None and out.error_count == before:
                valid.append((row_no, key, values))
    except FileProblem as e:
        out.error(None, "文件", str(e))
    progress(out.rows)
    summary = _summary(job, out)
    if out.error_count or not valid:
        _keep_error_list(job, summary, out, spec.columns, key=spec.key)
        _refuse(job, summary)
        return
    go, shown = _preview_stage(
        job,
        summary,
        lambda name: {
            **_small_preview(spec, valid, update, ctx, name),
            "ignored_columns": out.ignored_columns,
        },
    )
    if not go:
        return
    unchanged = ""
    if shown:
        summary.update(added=shown["added"], changed_rows=shown["changed"], unchanged=shown["unchanged"])
        if update:
            unchanged = f"（其中无变化 {shown['unchanged']} {spec.noun}）"
    verb = "更新" if update else "新增"
    try:
        with transaction.atomic():
            summary["written"] = spec.write([v for _, _, v in valid], update, ctx)
            audit.record(
                actor=job.created_by,
                action=spec.action,
                obj=job,
                summary=f"{spec.title}（{verb}）：{p['filename']}，{summary['written']} {spec.noun}{unchanged}",
                detail={
                    "sha256": job.input_sha256,
                    "rows": out.rows,
                    "written": summary["written"],
                    **({k: shown[k] for k in ("added", "changed", "unchanged")} if shown else {}),
                },
            )
            core_jobs.mark_written(job)
    except DomainError as e:
        summary["errors"], summary["error_count"] = [{"row": None, "field": "", "reason": e.message}], 1
        _refuse(job, summary)
        return
    _job_finish(
        job, JobStatus.SUCCEEDED, f"导入完成：{verb} {summary['written']} {spec.noun}{unchanged}", summary
    )
    _written(job, shown)


def _shown(value) -> str:
    """A field's value as a preview shows it: dates as YYYY-MM-DD, 是/否, names, （空）."""
    if value is None or value == "" or value == []:
        return "（空）"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return "、".join(map(str, value))
    return str(getattr(value, "name", value))


def _field_changes(obj, new: dict, fields, show: Callable[[str, object], str] | None = None) -> list:
    """(field label, before, after) of each of `fields` whose value in `new` differs from obj's,
    each value as `show(field, value)` gives it (by default _shown)."""
    show = show or (lambda f, value: _shown(value))
    found = []
    for f in fields:
        if f not in new:
            continue
        before, after = show(f, getattr(obj, f)), show(f, new[f])
        if before != after:
            found.append((str(obj._meta.get_field(f).verbose_name), before, after))
    return found


# ---- inspectors ----------------------------------------------------------------------------

INSPECTOR_COLUMNS = [
    Column("姓名", True),
    Column("身份证号", True, "18 位；系统只保存脱敏后的号码"),
    Column("业务条线", False, "须为本部门已有的业务条线"),
    Column("执法证号"),
    Column("执法证有效期至", False, "YYYY-MM-DD"),
    Column("专长标签", False, "多个用分号分隔"),
    Column("在岗", False, "是 / 否，默认是"),
    Column("专家", False, "是 / 否，默认否"),
    Column("联系电话"),
]


def _inspector_context(job: Job) -> dict:
    dept = job.department

    def key_of(cell):
        try:
            return keyed_digest(settings.ID_DIGEST_KEY, normalize_ric(cell("身份证号")))
        except IdentifierError:
            return "bad:" + cell("身份证号")

    return {
        "department": dept,
        "key_of": key_of,
        "lines": {importing.value_key(b.name): b for b in BusinessLine.objects.filter(department=dept)},
        "tags": {importing.value_key(t.name): t for t in usable_tags(dept, TagLibrary.INSPECTOR)},
        # a 身份证号 is one person in the whole directory (Inspector.id_digest is unique), but an
        # update reaches only the department's own inspectors
        "existing": set(Inspector.objects.values_list("id_digest", flat=True)),
        "own": set(Inspector.objects.filter(department=dept).values_list("id_digest", flat=True)),
    }


def _inspector_parse(cell, row_no, out: Outcome, update: bool, ctx) -> dict | None:
    try:
        ric, notes = check_ric(cell("身份证号"))
    except IdentifierError as e:
        out.error(row_no, "身份证号", str(e))
        return None
    for note in notes:
        out.warn(row_no, "身份证号", note)
    v: dict = {"id_digest": keyed_digest(settings.ID_DIGEST_KEY, ric), "id_masked": mask_ric(ric)}
    if update and v["id_digest"] not in ctx["own"]:
        out.error(row_no, "身份证号", "本部门名录中没有此人员，无法更新（新增请选择“新增”）")
    if not update and v["id_digest"] in ctx["own"]:
        out.error(row_no, "身份证号", "本部门名录中已有此人员（更新请选择“按身份证号更新”）")
    elif not update and v["id_digest"] in ctx["existing"]:
        out.error(row_no, "身份证号", "名录库中已有此人员，不能重复录入")
    if cell("姓名"):
        v["name"] = cell("姓名")[:50]
    elif not update:
        out.error(row_no, "姓名", "必填")
    if cell("业务条线"):
        line = ctx["lines"].get(importing.value_key(cell("业务条线")))
        if line is None:
            out.error(row_no, "业务条线", f"“{cell('业务条线')}”不是本部门的业务条线")
        v["business_line"] = line
    if cell("执法证号"):
        v["certificate_no"] = cell("执法证号")[:40]
    for header, key, parser in (
        ("执法证有效期至", "certificate_expiry", parse_date),
        ("在岗", "on_duty", parse_bool),
        ("专家", "is_expert", parse_bool),
    ):
        if cell(header):
            try:
                v[key] = parser(cell(header))
            except CellError as e:
                out.error(row_no, header, str(e))
    if cell("联系电话"):
        v["phone"] = importing.value_key(cell("联系电话"))[:20]
    v["specialties"] = []
    for name in _split(cell("专长标签")):
        tag = ctx["tags"].get(importing.value_key(name))
        if tag is not None:
            v["specialties"].append(tag)
        else:
            out.error(row_no, "专长标签", f"标签“{name}”不在执法人员标签库中")
    return v


_INSPECTOR_FIELDS = (
    "name",
    "business_line",
    "certificate_no",
    "certificate_expiry",
    "on_duty",
    "is_expert",
    "phone",
)


def _inspector_changes(rows: list[tuple[int, dict]], ctx) -> list[tuple[str, str, list]]:
    current = {
        i.id_digest: i
        for i in Inspector.objects.filter(
            department=ctx["department"], id_digest__in=[v["id_digest"] for _, v in rows]
        )
        .select_related("business_line")
        .prefetch_related("specialties")
    }
    found = []
    for _, v in rows:
        insp = current[v["id_digest"]]
        fields = _field_changes(insp, v, _INSPECTOR_FIELDS)
        had = sorted(t.name for t in insp.specialties.all())
        will = sorted({*had, *(t.name for t in v["specialties"])})  # the write adds, never removes
        if will != had:
            fields.append(("专长标签", _shown(had), _shown(will)))
        found.append((insp.id_masked, insp.name, fields))
    return found


def _inspector_write(rows: list[dict], update: bool, ctx) -> int:
    dept = ctx["department"]
    for v in rows:
        specialties = v.pop("specialties")
        if update:
            insp = Inspector.objects.select_for_update().get(id_digest=v["id_digest"])
            if insp.department_id != dept.pk:
                raise DomainError("本部门名录中没有此人员，无法更新")
            for k, val in v.items():
                setattr(insp, k, val)
            insp.save()
            insp.specialties.add(*specialties)
        else:
            Inspector.objects.create(department=dept, **v).specialties.set(specialties)
    return len(rows)


INSPECTOR_IMPORT = SmallImport(
    kind="inspector_import",
    noun="人",
    action="inspector.import",
    title="导入执法检查人员",
    columns=INSPECTOR_COLUMNS,
    key="身份证号",
    parse=_inspector_parse,
    write=_inspector_write,
    context=_inspector_context,
    changes=_inspector_changes,
)


def inspector_import_run(job: Job) -> None:
    run_small_import(job, INSPECTOR_IMPORT)


# ---- items (the 抽查事项清单 as the upper level sends it) -------------------------------------

ITEM_COLUMNS = [
    Column("事项编码", True),
    Column("事项名称", True),
    Column("事项类别", False, "一般检查事项 / 重点检查事项，默认一般"),
    Column("实施主体"),
    Column("检查子项", False, "多项用分号分隔"),
    Column("检查依据"),
    Column("实施层级", False, "省级;市级;县级"),
    Column("检查对象类型", False, "企业;个体工商户;…"),
    Column("检查方式", True, "实地检查;书面检查;网络监测;视频检查;信息共享;检验检测;委托专业机构"),
    Column("非现场检查", False, "是 / 否：是则不得入企"),
    Column("人员专长要求", False, "执法人员标签，多个用分号分隔"),
    Column("检查要点", False, "多个用分号分隔"),
]
_LEVELS = {"省级": "province", "市级": "city", "县级": "county"}
_BY_LABEL = {
    "kind": {label: value for value, label in ItemKind.choices} | {"一般": "general", "重点": "key"},
    "levels": _LEVELS,
    "target_kinds": {label: value for value, label in TargetKind.choices},
    "methods": {label: value for value, label in Method.choices}
    | {"书面核查": Method.DOCUMENT, "现场检查": Method.ONSITE},
}
# as a cell is compared: full-width as half-width, without spaces (importing.value_key)
_BY_KEY = {f: {importing.value_key(k): v for k, v in table.items()} for f, table in _BY_LABEL.items()}
# a stored value back to its label, for the preview
_LABEL_OF = {
    "kind": dict(ItemKind.choices),
    "levels": {v: k for k, v in _LEVELS.items()},
    "target_kinds": dict(TargetKind.choices),
    "methods": dict(Method.choices),
}


def _item_context(job: Job) -> dict:
    region = job.created_by.region
    return {
        "region": region,
        "key_of": lambda cell: _item_code(cell("事项编码")),
        "existing": set(Item.objects.filter(region=region).values_list("code", flat=True)),
        "tags": {importing.value_key(t.name): t for t in usable_tags(job.department, TagLibrary.INSPECTOR)},
    }


def _item_code(text: str) -> str:
    """An item's code as stored: full-width characters as half-width (NFKC), no spaces around."""
    return unicodedata.normalize("NFKC", text).strip()


def _choices(cell, header, field, row_no, out) -> list[str]:
    values = []
    for label in _split(cell(header)):
        value = _BY_KEY[field].get(importing.value_key(label))
        if value is not None:
            values.append(value)
        else:
            allowed = "、".join(k for k in _BY_LABEL[field] if len(k) > 1)
            out.error(row_no, header, f"“{label}”不是可选值（{allowed}）")
    return values


def _item_parse(cell, row_no, out: Outcome, update: bool, ctx) -> dict | None:
    code = _item_code(cell("事项编码"))
    if not code:
        out.error(row_no, "事项编码", "必填")
        return None
    if code != cell("事项编码"):
        out.warn(row_no, "事项编码", f"已将全角字符转为半角：{code}")
    if len(code) > 40:
        out.error(row_no, "事项编码", "不能超过 40 个字符")
    if update and code not in ctx["existing"]:
        out.error(row_no, "事项编码", "清单中没有此事项，无法更新（新增请选择“新增”）")
    if not update and code in ctx["existing"]:
        out.error(row_no, "事项编码", "清单中已有此事项（更新请选择“按事项编码更新”）")
    v: dict = {"code": code}
    if cell("事项名称"):
        v["name"] = cell("事项名称")[:200]
    elif not update:
        out.error(row_no, "事项名称", "必填")
    if cell("事项类别"):
        kind = _BY_KEY["kind"].get(importing.value_key(cell("事项类别")))
        if not kind:
            out.error(row_no, "事项类别", "应为“一般检查事项”或“重点检查事项”")
        v["kind"] = kind
    for header, key in (("实施主体", "competent"), ("检查依据", "legal_basis")):
        if cell(header):
            v[key] = cell(header)
    if cell("检查子项"):
        v["sub_items"] = "\n".join(_split(cell("检查子项")))
    if cell("实施层级"):
        v["levels"] = _choices(cell, "实施层级", "levels", row_no, out)
    if cell("检查对象类型"):
        v["target_kinds"] = _choices(cell, "检查对象类型", "target_kinds", row_no, out)
    if cell("检查方式"):
        v["methods"] = _choices(cell, "检查方式", "methods", row_no, out)
    elif not update:
        out.error(row_no, "检查方式", "必填")
    if cell("非现场检查"):
        try:
            v["offsite_only"] = parse_bool(cell("非现场检查"))
        except CellError as e:
            out.error(row_no, "非现场检查", str(e))
    if v.get("offsite_only") and Method.ONSITE in v.get("methods", []):
        out.error(row_no, "检查方式", "非现场检查事项不能包含“实地检查”")
    v["specialties"] = []
    for n in _split(cell("人员专长要求")):
        tag = ctx["tags"].get(importing.value_key(n))
        if tag is not None:
            v["specialties"].append(tag)
        else:
            out.error(row_no, "人员专长要求", f"标签“{n}”不在辖区共用的执法人员标签库中")
    v["checklist"] = _split(cell("检查要点")) if cell("检查要点") else None
    return v


_ITEM_FIELDS = (
    "name",
    "kind",
    "competent",
    "legal_basis",
    "sub_items",
    "levels",
    "target_kinds",
    "methods",
    "offsite_only",
)


def _item_value(field: str, value) -> str:
    labels = _LABEL_OF.get(field)
    if labels is None:
        return _shown(value)
    if isinstance(value, list):
        return _shown([str(labels.get(x, x)) for x in value])
    return _shown(str(labels.get(value, value)))


def _item_changes(rows: list[tuple[int, dict]], ctx) -> list[tuple[str, str, list]]:
    current = {
        i.code: i
        for i in Item.objects.filter(
            region=ctx["region"], code__in=[v["code"] for _, v in rows]
        ).prefetch_related("required_specialties", "checklist")
    }
    found = []
    for _, v in rows:
        item = current[v["code"]]
        fields = _field_changes(item, v, _ITEM_FIELDS, _item_value)
        had = sorted(t.name for t in item.required_specialties.all())
        if v["specialties"] and sorted(t.name for t in v["specialties"]) != had:
            fields.append(("人员专长要求", _shown(had), _shown(sorted(t.name for t in v["specialties"]))))
        points = [c.text for c in sorted(item.checklist.all(), key=lambda c: c.seq)]
        if v["checklist"] is not None and [t[:500] for t in v["checklist"]] != points:
            fields.append(("检查要点", "；".join(points) or "（空）", "；".join(v["checklist"]) or "（空）"))
        found.append((item.code, item.name, fields))
    return found


def _item_write(rows: list[dict], update: bool, ctx) -> int:
    for v in rows:
        specialties, checklist = v.pop("specialties"), v.pop("checklist")
        if update:
            item = Item.objects.select_for_update().get(region=ctx["region"], code=v.pop("code"))
            for k, val in v.items():
                setattr(item, k, val)
            item.save()
        else:
            item = Item.objects.create(region=ctx["region"], status=ItemStatus.DRAFT, **v)
        if specialties:
            item.required_specialties.set(specialties)
        if checklist is not None:
            item.checklist.all().delete()
            item.checklist.bulk_create(
                [item.checklist.model(item=item, seq=i, text=t[:500]) for i, t in enumerate(checklist, 1)]
            )
    return len(rows)


ITEM_IMPORT = SmallImport(
    kind="item_import",
    noun="项",
    action="item.import",
    title="导入抽查事项",
    columns=ITEM_COLUMNS,
    key="事项编码",
    parse=_item_parse,
    write=_item_write,
    context=_item_context,
    changes=_item_changes,
)


def item_import_run(job: Job) -> None:
    """Imported items are drafts: the office reviews and publishes them (R-ITEM-1)."""
    run_small_import(job, ITEM_IMPORT)


# Registered with core in apps.py, with the labels of services.IMPORT_KINDS; each kind's import
# page has the URL name `directory:<kind>`.
RUNNERS = {
    "target_import": target_import_run,
    "inspector_import": inspector_import_run,
    "item_import": item_import_run,
}
