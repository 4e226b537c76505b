"""State changes of the directories: one function per action, each in a transaction, each
writing the audit log, each refusing with a Chinese message that names the field."""

import hashlib
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.core.files.base import File
from django.db import IntegrityError, transaction
from django.utils import timezone

from shuangsuiji.core import audit
from shuangsuiji.core.errors import DomainError, Forbidden, NotFound
from shuangsuiji.core.identifiers import (
    IdentifierError,
    keyed_digest,
    mask_ric,
    normalize_ric,
    normalize_uscc,
)
from shuangsuiji.core.models import Department, Job, JobStatus, Role
from shuangsuiji.core.permissions import Action, require
from shuangsuiji.core.scope import editable_by, jurisdiction

from . import ownership, preview, selectors
from .models import (
    MARKET_KINDS,
    ChangeSuggestion,
    Conflict,
    DirectoryKeeper,
    Inspector,
    Item,
    ItemClaim,
    ItemStatus,
    RiskClass,
    SuggestionStatus,
    Tag,
    TagLibrary,
    Target,
    TargetChange,
    TargetKind,
    TargetSupervision,
)
from .selectors import items_for, usable_tags


def _check_tags(tags, department: Department, library: str, field: str) -> None:
    usable = set(usable_tags(department, library).values_list("pk", flat=True))
    bad = [t.name for t in tags if t.pk not in usable]
    if bad:
        raise DomainError(
            f"标签不可用：{'、'.join(bad)}（须为本辖区共用或本部门的{TagLibrary(library).label}）",
            field=field,
        )


def _own_department(actor, department: Department) -> None:
    """A new row goes to the actor's own department (core/scope.py jurisdiction)."""
    if jurisdiction(actor).department_id != department.pk:
        raise Forbidden("只能维护本部门的目录")


def _may_change(actor, obj, message: str) -> None:
    """An existing row: only one the actor's scope lets it change (core/scope.py editable_by)."""
    if not editable_by(type(obj), actor).filter(pk=obj.pk).exists():
        raise Forbidden(message)


# ---- targets -----------------------------------------------------------------------------


@transaction.atomic
def _check_target_fields(target: Target, department: Department) -> None:
    """The rules a target's own fields must keep, whoever sets them."""
    if not (target.name or "").strip():
        raise DomainError("名称为必填项", field="name")
    if target.kind not in TargetKind.values:
        raise DomainError(f"未知主体类型“{target.kind}”", field="kind")
    if target.risk_class and target.risk_class not in RiskClass.values:
        raise DomainError("信用风险分类应为 A、B、C 或 D", field="risk_class")
    region = target.region
    if region.retired_on or not region.code.startswith(department.region.scope_prefix):
        raise DomainError("所属区划须为本辖区现行区划", field="region")
    # Exports carry the code; keep it in step with the industry chosen on a form or the API.
    target.industry_code = target.industry_id or ""


@transaction.atomic
def target_create(
    *, actor, department: Department, kind: str, name: str, region, key: str, **fields
) -> Target:
    """Add one target to the directory, supervised by `department`."""
    require(actor, Action.TARGET_EDIT)
    _own_department(actor, department)
    target = Target(kind=kind, name=(name or "").strip(), region=region, **fields)
    _check_target_fields(target, department)
    try:
        if kind in MARKET_KINDS:
            target.uscc = target.key_display = normalize_uscc(key)
        elif kind == TargetKind.PERSON:
            ric = normalize_ric(key)
            target.nonmarket_key = keyed_digest(settings.ID_DIGEST_KEY, ric)
            target.key_display = mask_ric(ric)
        else:
            if not key.strip():
                raise DomainError("编码为必填项", field="key")
            target.nonmarket_key = target.key_display = key.strip()
    except IdentifierError as e:
        raise DomainError(str(e), field="key") from None
    if kind not in MARKET_KINDS:
        # a 非市场主体 is kept by the department that records it; its key is unique only among
        # that department's records, so adding one tells nothing of other departments' records
        target.keeper_department = department
    suggested_class = ""
    if target.risk_class and not ownership.can_edit_shared_fields(actor, target):
        # the class is the keeper's to set: a new market subject's class from another department
        # waits for the keeper as a 变更建议
        suggested_class, target.risk_class = target.risk_class, ""
    if target.risk_class and not target.risk_class_set_on:
        target.risk_class_set_on = timezone.localdate()
    try:
        with transaction.atomic():
            target.save()
    except IntegrityError:
        raise DomainError(f"目录中已有此主体（{target.key_display}）", field="key") from None
    TargetSupervision.objects.create(target=target, department=department)
    if suggested_class:
        _suggest(actor=actor, target=target, field="risk_class", value=suggested_class, source="")
    audit.record(
        actor=actor,
        action="target.create",
        obj=target,
        summary=f"新增检查对象：{target.name}（{target.key_display}）",
        detail={"suggested": {"risk_class": suggested_class}} if suggested_class else None,
    )
    return target


def _suggest(*, actor, target: Target, field: str, value: str, source: str) -> ChangeSuggestion:
    return ChangeSuggestion.objects.create(
        target=target,
        field=field,
        current_value=_as_text(getattr(target, ownership.field_attname(field))),
        suggested_value=value,
        department=actor.department,
        proposed_by=actor,
        source=source,
        created_at=timezone.now(),
    )


def _as_text(value) -> str:
    if value is None:
        return ""
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


_EDITABLE = (
    "name",
    "kind",
    "region",
    "address",
    "industry",
    "founded_on",
    "status",
    "status_changed_on",
    "risk_class",
)


SOURCE_PAGE = "页面"
SOURCE_SUGGESTION = "采纳变更建议"


@transaction.atomic
def target_update(*, actor, target: Target, source: str = SOURCE_PAGE, **changes) -> Target:
    """Change a target's shared fields: only its keeper or the office (directory/ownership.py).
    Each changed field is kept in 变更记录 with `source` (页面 / 采纳变更建议; the import writes its
    own, set-based)."""
    if actor.role != Role.OFFICE:
        require(actor, Action.TARGET_EDIT)
    target = Target.objects.select_for_update().get(pk=target.pk)
    keeper = ownership.target_keeper(target)  # as the target stands, before any change
    allowed = ownership.can_edit_shared_fields(actor, target)
    before = {}
    for k, v in changes.items():
        if k not in _EDITABLE:
            raise DomainError(f"字段“{k}”不能在此修改")
        old = getattr(target, k)
        if old != v:
            before[k] = old
            setattr(target, k, v)
    if not before:
        return target
    if "kind" in before and (before["kind"] in MARKET_KINDS) != target.is_market:
        raise DomainError("主体类型不能在市场主体与非市场主体之间变更", field="kind")
    if not allowed:
        field = next(iter(before))
        raise Forbidden(
            f"【{ownership.SHARED_FIELDS[field]}】由{keeper.name if keeper else '名录维护部门'}维护，"
            "本部门不能修改；可通过“按代码更新”导入提出变更建议",
            field=field,
        )
    code = target.industry_code
    _check_target_fields(target, actor.department)
    if "industry" not in before:
        target.industry_code = code  # an imported code below the loaded depth stays as it was
    derived = {}  # the dates that follow a status or class: in 变更记录, not the audit detail
    if "status" in before and "status_changed_on" not in changes:
        derived["status_changed_on"] = target.status_changed_on
        target.status_changed_on = timezone.localdate()
    if "risk_class" in before:
        derived["risk_class_set_on"] = target.risk_class_set_on
        target.risk_class_set_on = timezone.localdate()
    target.save()
    now = timezone.now()
    TargetChange.objects.bulk_create(
        TargetChange(
            target=target,
            field=k,
            before=_field_text(old),
            after=_field_text(getattr(target, k)),
            actor=actor,
            at=now,
            source=source,
        )
        for k, old in (before | derived).items()
        if _field_text(old) != _field_text(getattr(target, k))
    )
    audit.record(
        actor=actor,
        action="target.update",
        obj=target,
        summary=f"修改检查对象：{target.name}（{source}）",
        detail={k: {"from": str(v), "to": str(getattr(target, k))} for k, v in before.items()},
    )
    return target


def _field_text(value) -> str:
    """A field's value as 变更记录 keeps it: the code of a region or industry, ISO dates."""
    return _as_text(getattr(value, "pk", value))


def _suggested_value(field: str, text: str):
    """A suggestion's text back into the value target_update takes."""
    from shuangsuiji.core.models import Region

    from .models import Industry

    if field == "region":
        return Region.objects.get(code=text)
    if field == "industry":
        return Industry.objects.get(code=text) if text else None
    if field in ("founded_on", "status_changed_on", "risk_class_set_on"):
        import datetime as dt

        return dt.date.fromisoformat(text) if text else None
    return text


def _pending_suggestion(actor, suggestion: ChangeSuggestion) -> ChangeSuggestion:
    suggestion = ChangeSuggestion.objects.select_for_update().select_related("target").get(pk=suggestion.pk)
    if suggestion.status != SuggestionStatus.PENDING:
        raise DomainError(f"该变更建议已{suggestion.get_status_display()}")
    if not ownership.can_edit_shared_fields(actor, suggestion.target):
        raise Forbidden("只有名录维护部门或双随机办公室能处理该变更建议")
    return suggestion


@transaction.atomic
def suggestion_accept(*, actor, suggestion: ChangeSuggestion) -> ChangeSuggestion:
    """采纳: the suggested value goes in through target_update (checked, logged as 采纳变更建议)."""
    suggestion = _pending_suggestion(actor, suggestion)
    label = ownership.SHARED_FIELDS.get(suggestion.field, suggestion.field)
    try:
        value = _suggested_value(suggestion.field, suggestion.suggested_value)
    except (ValueError, ObjectDoesNotExist):
        raise DomainError(f"【{label}】建议值“{suggestion.suggested_value}”已无效，请驳回") from None
    target_update(
        actor=actor, target=suggestion.target, source=SOURCE_SUGGESTION, **{suggestion.field: value}
    )
    suggestion.status = SuggestionStatus.ACCEPTED
    suggestion.decided_by, suggestion.decided_at = actor, timezone.now()
    suggestion.save(update_fields=["status", "decided_by", "decided_at"])
    audit.record(
        actor=actor,
        action="target.suggestion.accept",
        obj=suggestion,
        summary=f"采纳变更建议：{suggestion.target.name}【{label}】→ {suggestion.suggested_value}"
        f"（{suggestion.department.name} 提出）",
    )
    return suggestion


@transaction.atomic
def suggestion_reject(*, actor, suggestion: ChangeSuggestion, reason: str) -> ChangeSuggestion:
    suggestion = _pending_suggestion(actor, suggestion)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("请填写驳回理由", field="reason")
    label = ownership.SHARED_FIELDS.get(suggestion.field, suggestion.field)
    suggestion.status, suggestion.reason = SuggestionStatus.REJECTED, reason[:200]
    suggestion.decided_by, suggestion.decided_at = actor, timezone.now()
    suggestion.save(update_fields=["status", "reason", "decided_by", "decided_at"])
    audit.record(
        actor=actor,
        action="target.suggestion.reject",
        obj=suggestion,
        summary=f"驳回变更建议：{suggestion.target.name}【{label}】（{reason}）",
    )
    return suggestion


@transaction.atomic
def target_tags_set(*, actor, target: Target, tags: list[Tag]) -> None:
    """A department's own and the shared tags: any supervising department may set them."""
    require(actor, Action.TARGET_EDIT)
    if not target.supervisions.filter(department_id=actor.department_id).exists():
        raise Forbidden("只能标注本部门监管的检查对象")
    _check_tags(tags, actor.department, TagLibrary.TARGET, "tags")
    # Tags of other departments are theirs: kept as they are.
    others = list(target.tags.exclude(pk__in=usable_tags(actor.department, TagLibrary.TARGET)))
    target.tags.set([*tags, *others])
    audit.record(
        actor=actor,
        action="target.tags",
        obj=target,
        summary=f"标注检查对象 {target.name}：{'、'.join(t.name for t in tags) or '（无）'}",
    )


@transaction.atomic
def supervision_class_set(*, actor, target: Target, risk_class: str) -> TargetSupervision:
    """行业信用分级分类: a supervising department's own class of a target (empty: the keeper's
    class applies). Its own record: no other department sees or changes it."""
    require(actor, Action.TARGET_EDIT)
    if risk_class and risk_class not in RiskClass.values:
        raise DomainError("本部门分类应为 A、B、C 或 D，或留空（采用名录维护部门的分类）", field="risk_class")
    sup = (
        TargetSupervision.objects.select_for_update()
        .filter(target=target, department_id=actor.department_id)
        .first()
    )
    if sup is None:
        raise Forbidden("只能为本部门监管的检查对象设置本部门分类")
    if sup.own_risk_class == risk_class:
        return sup
    before = sup.own_risk_class
    sup.own_risk_class = risk_class
    sup.own_risk_class_set_on = timezone.localdate() if risk_class else None
    sup.save(update_fields=["own_risk_class", "own_risk_class_set_on"])
    audit.record(
        actor=actor,
        action="target.own_class",
        obj=target,
        summary=f"{actor.department.name} 设置本部门分类：{target.name} → {risk_class or '（采用名录维护部门的分类）'}",
        detail={"from": before, "to": risk_class},
    )
    return sup


@transaction.atomic
def directory_keeper_set(*, actor, department: Department) -> Department:
    """The office names the department that keeps its county's market subjects' shared fields
    (by default its 市场监督管理局): from then on only that department, and the office, changes
    them, and other departments' values reach it as 变更建议."""
    if not ownership.may_name_keeper(actor):
        raise Forbidden("只有双随机办公室能指定名录维护部门")
    region = actor.department.region
    if department.region_id != region.code or department.is_office:
        raise DomainError("名录维护部门须为本辖区的成员部门", field="department")
    before = ownership.county_keeper(region.code)
    DirectoryKeeper.objects.update_or_create(
        region=region, defaults={"department": department, "set_by": actor}
    )
    audit.record(
        actor=actor,
        action="directory.keeper",
        obj=department,
        summary=f"指定{region.name}名录维护部门：{department.name}"
        f"（原为 {before.name if before else '未指定'}）",
    )
    return department


# ---- imports (run by the background worker) ---------------------------------------------


IMPORT_KINDS = {
    "target_import": "检查对象导入",
    "inspector_import": "执法检查人员导入",
    "item_import": "抽查事项导入",
}
_IMPORT_ACTION = {
    "target_import": Action.TARGET_EDIT,
    "inspector_import": Action.INSPECTOR_EDIT,
    "item_import": Action.ITEM_MANAGE,
}


def _sha256(f) -> str:
    h = hashlib.sha256()
    for chunk in f.chunks():
        h.update(chunk)
    f.seek(0)
    return h.hexdigest()


@transaction.atomic
def import_start(*, actor, kind: str, upload, params: dict) -> Job:
    """Save the upload and queue the import; the page that started it shows the job."""
    if kind not in IMPORT_KINDS:
        raise DomainError(f"未知导入类型“{kind}”")
    require(actor, _IMPORT_ACTION[kind])
    if upload.size > settings.IMPORT_MAX_BYTES:
        raise DomainError(f"文件过大：上限 {settings.IMPORT_MAX_BYTES // 1024 // 1024} MB", field="file")
    if not upload.name.lower().endswith((".xlsx", ".xls", ".csv", ".txt")):
        raise DomainError("文件类型不支持：请上传 .xlsx、.xls 或 .csv 文件", field="file")
    import_previews_expire()
    if kind in PREVIEWED_KINDS:  # nothing is written before the clerk confirms the preview
        params = {**params, "stage": "preview"}
    job = Job(
        kind=kind,
        title=f"{IMPORT_KINDS[kind]}：{upload.name}",
        department=actor.department,
        created_by=actor,
        params={**params, "filename": upload.name},
        input_sha256=_sha256(upload),
    )
    job.input_file.save(Path(upload.name).name, File(upload), save=False)
    job.save()
    from shuangsuiji.core.tasks import run_job

    transaction.on_commit(lambda: run_job.enqueue(job.pk))
    return job


# ---- preview before writing (issue 17) -----------------------------------------------------

PREVIEWED_KINDS = tuple(IMPORT_KINDS)  # every directory's import shows its preview first
PREVIEW_KEPT_FOR = timezone.timedelta(days=1)  # an unconfirmed preview is abandoned after this
# what each import brings in, for the log's summaries
_IMPORTED = {"target_import": "检查对象", "inspector_import": "执法检查人员", "item_import": "抽查事项"}
# the counts a preview may hold (preview.ChangeList.finish's counts), for the log's detail
_COUNTS = ("added", "changed", "unchanged", "supervised", "already", "not_found")


def import_preview_of(actor, job_id: int, kind: str | None = None) -> Job:
    """A preview of a `kind` import (any, if None) the actor may see and decide: its own
    department's (the job's scope)."""
    job = selectors.import_previews_for(actor, kind or PREVIEWED_KINDS).filter(pk=job_id).first()
    if job is None:
        raise NotFound("没有该导入预览")
    return job


def _waiting(actor, job_id: int, kind: str | None) -> Job:
    job = import_preview_of(actor, job_id, kind)
    require(actor, _IMPORT_ACTION[job.kind])
    job = Job.objects.select_for_update().get(pk=job.pk)
    if job.status != JobStatus.SUCCEEDED or job.result.get("stage") != "preview":
        raise DomainError("该导入已确认或已放弃，不能再操作")
    return job


def _audit_prefix(job: Job) -> str:
    """target / inspector / item: the log's actions are <prefix>.import_confirm and so on."""
    return job.kind.removesuffix("_import")


@transaction.atomic
def import_confirm(*, actor, job_id: int, kind: str | None = None) -> Job:
    """确认导入: the worker writes only if the preview still holds — for a target import, the rows
    the preview checked, when the directory is as it read them (jobs._staged_rows); otherwise the
    same stored upload validated again, its fingerprint compared (jobs._preview_stage) — and else
    shows the new preview."""
    job = _waiting(actor, job_id, kind)
    shown = job.result["preview"]
    job.params = {**job.params, "stage": "confirm", "fingerprint": shown["fingerprint"]}
    job.status, job.message, job.finished_at = JobStatus.QUEUED, "已确认导入，等待写入……", None
    job.save(update_fields=["params", "status", "message", "finished_at"])
    counts = "、".join(f"{line['label']} {line['n']} {line['unit']}" for line in shown["lines"])
    audit.record(
        actor=actor,
        action=f"{_audit_prefix(job)}.import_confirm",
        obj=job,
        summary=f"确认导入{_IMPORTED[job.kind]}：{job.params['filename']}，{counts}",
        detail={
            "sha256": job.input_sha256,
            "mode": job.params.get("mode"),
            **{k: shown[k] for k in _COUNTS if k in shown},
        },
    )
    from shuangsuiji.core.tasks import run_job

    transaction.on_commit(lambda: run_job.enqueue(job.pk))
    return job


def _discard_preview(job: Job, message: str) -> None:
    preview.discard_preview(job.result.get("preview"))
    job.input_file.delete(save=False)
    job.status, job.message = JobStatus.FAILED, message
    job.result = {**job.result, "stage": "abandoned", "preview": {}}
    job.save(update_fields=["status", "message", "result", "input_file"])


@transaction.atomic
def import_abandon(*, actor, job_id: int, kind: str | None = None) -> Job:
    job = _waiting(actor, job_id, kind)
    _discard_preview(job, "已放弃导入，未写入任何数据")
    audit.record(
        actor=actor,
        action=f"{_audit_prefix(job)}.import_abandon",
        obj=job,
        summary=f"放弃导入{_IMPORTED[job.kind]}：{job.params['filename']}（未写入任何数据）",
    )
    return job


@transaction.atomic
def import_previews_expire(now=None) -> int:
    """Abandon the previews left unconfirmed for a day and delete their files, and the write log's
    rows no preview can still need (preview.prune_write_log)."""
    preview.prune_write_log()
    cutoff = (now or timezone.now()) - PREVIEW_KEPT_FOR
    stale = Job.objects.select_for_update().filter(
        kind__in=PREVIEWED_KINDS, status=JobStatus.SUCCEEDED, result__stage="preview", finished_at__lt=cutoff
    )
    n = 0
    for job in stale:
        _discard_preview(job, "预览超过一天未确认，已自动放弃，未写入任何数据")
        audit.record(
            actor=None,
            action=f"{_audit_prefix(job)}.import_expire",
            obj=job,
            summary=f"导入预览超过一天未确认，已自动放弃：{job.params.get('filename', '')}",
        )
        n += 1
    return n


# ---- inspectors --------------------------------------------------------------------------


def _inspector_values(
    *, department: Department, name: str, id_number: str, business_line=None, **fields
) -> dict:
    if not name.strip():
        raise DomainError("姓名为必填项", field="name")
    try:
        ric = normalize_ric(id_number)
    except IdentifierError as e:
        raise DomainError(str(e), field="id_number") from None
    if business_line and business_line.department_id != department.pk:
        raise DomainError("业务条线不属于本部门", field="business_line")
    return {
        "name": name.strip(),
        "id_digest": keyed_digest(settings.ID_DIGEST_KEY, ric),
        "id_masked": mask_ric(ric),
        "department": department,
        "business_line": business_line,
        **fields,
    }


@transaction.atomic
def inspector_create(
    *, actor, department: Department, name: str, id_number: str, specialties=(), **fields
) -> Inspector:
    require(actor, Action.INSPECTOR_EDIT)
    _own_department(actor, department)
    values = _inspector_values(department=department, name=name, id_number=id_number, **fields)
    if Inspector.objects.filter(id_digest=values["id_digest"]).exists():
        raise DomainError(f"名录库中已有身份证号为 {values['id_masked']} 的人员", field="id_number")
    _check_tags(specialties, department, TagLibrary.INSPECTOR, "specialties")
    insp = Inspector.objects.create(**values)
    insp.specialties.set(specialties)
    audit.record(
        actor=actor,
        action="inspector.create",
        obj=insp,
        summary=f"新增执法检查人员：{insp.name}（{insp.id_masked}）",
    )
    return insp


_INSPECTOR_EDITABLE = (
    "name",
    "business_line",
    "certificate_no",
    "certificate_expiry",
    "on_duty",
    "is_expert",
    "phone",
)


@transaction.atomic
def inspector_update(*, actor, inspector: Inspector, specialties=None, **changes) -> Inspector:
    require(actor, Action.INSPECTOR_EDIT)
    inspector = Inspector.objects.select_for_update().get(pk=inspector.pk)
    _may_change(actor, inspector, "只能维护本部门的目录")
    before = {}
    for k, v in changes.items():
        if k not in _INSPECTOR_EDITABLE:
            raise DomainError(f"字段“{k}”不能在此修改")
        if k == "business_line" and v and v.department_id != inspector.department_id:
            raise DomainError("业务条线不属于本部门", field="business_line")
        if getattr(inspector, k) != v:
            before[k] = getattr(inspector, k)
            setattr(inspector, k, v)
    inspector.save()
    if specialties is not None:
        _check_tags(specialties, inspector.department, TagLibrary.INSPECTOR, "specialties")
        inspector.specialties.set(specialties)
        before["specialties"] = "（已更新）"
    if before:
        audit.record(
            actor=actor,
            action="inspector.update",
            obj=inspector,
            summary=f"修改执法检查人员：{inspector.name}",
            detail={k: {"from": str(v), "to": str(getattr(inspector, k, ""))} for k, v in before.items()},
        )
    return inspector


@transaction.atomic
def conflict_add(*, actor, inspector: Inspector, target: Target, reason: str) -> Conflict:
    """利害关系 (R-DRAW-3): recorded once, never drawn together afterwards."""
    require(actor, Action.INSPECTOR_EDIT)
    _may_change(actor, inspector, "只能维护本部门的目录")
    if not reason.strip():
        raise DomainError("请填写回避原因", field="reason")
    conflict, created = Conflict.objects.get_or_create(
        inspector=inspector, target=target, defaults={"reason": reason}
    )
    if not created:
        raise DomainError(f"{inspector.name} 与 {target.name} 的回避关系已存在")
    audit.record(
        actor=actor,
        action="conflict.add",
        obj=conflict,
        summary=f"登记回避：{inspector.name} 不检查 {target.name}（{reason}）",
    )
    return conflict


# ---- tags and items ----------------------------------------------------------------------


@transaction.atomic
def tag_create(*, actor, library: str, name: str, description: str = "") -> Tag:
    """The office keeps the jurisdiction's shared tags; a department admin its own."""
    require(actor, Action.TAG_EDIT)
    if library not in TagLibrary.values:
        raise DomainError("未知标签库", field="library")
    name = name.strip()
    if not name:
        raise DomainError("标签名称为必填项", field="name")
    department = None if actor.role == Role.OFFICE else actor.department
    if Tag.objects.filter(library=library, region=actor.region, department=department, name=name).exists():
        raise DomainError(f"标签“{name}”已存在", field="name")
    tag = Tag.objects.create(
        library=library, name=name, region=actor.region, department=department, description=description
    )
    audit.record(
        actor=actor, action="tag.create", obj=tag, summary=f"新建标签：{name}（{TagLibrary(library).label}）"
    )
    return tag


@transaction.atomic
def item_create(
    *, actor, code: str, name: str, checklist: list[str] = (), required_specialties=(), **fields
) -> Item:
    require(actor, Action.ITEM_MANAGE)
    if Item.objects.filter(region=actor.region, code=code).exists():
        raise DomainError(f"事项编码“{code}”已存在", field="code")
    if not name.strip():
        raise DomainError("事项名称为必填项", field="name")
    item = Item.objects.create(region=actor.region, code=code, name=name, **fields)
    _check_tags(required_specialties, actor.department, TagLibrary.INSPECTOR, "required_specialties")
    item.required_specialties.set(required_specialties)
    for seq, text in enumerate([t for t in checklist if t.strip()], start=1):
        item.checklist.create(seq=seq, text=text.strip())
    audit.record(actor=actor, action="item.create", obj=item, summary=f"新建抽查事项：{code} {name}")
    return item


_ITEM_EDITABLE = (
    "name",
    "sub_items",
    "legal_basis",
    "competent",
    "kind",
    "levels",
    "target_kinds",
    "methods",
    "offsite_only",
)


@transaction.atomic
def item_update(
    *, actor, item: Item, checklist: list[str] | None = None, required_specialties=None, **changes
) -> Item:
    """Edit an item of the office's own list; the checklist is replaced as a whole."""
    require(actor, Action.ITEM_MANAGE)
    item = Item.objects.select_for_update().get(pk=item.pk)
    _may_change(actor, item, "只能修改本辖区清单中的事项")
    changed = []
    for k, v in changes.items():
        if k not in _ITEM_EDITABLE:
            raise DomainError(f"字段“{k}”不能在此修改")
        if getattr(item, k) != v:
            setattr(item, k, v)
            changed.append(k)
    if item.status == ItemStatus.PUBLISHED and not item.methods:
        raise DomainError("已发布的事项须有检查方式", field="methods")
    item.save()
    if required_specialties is not None:
        _check_tags(required_specialties, actor.department, TagLibrary.INSPECTOR, "required_specialties")
        item.required_specialties.set(required_specialties)
        changed.append("required_specialties")
    if checklist is not None:
        item.checklist.all().delete()
        for seq, text in enumerate([t for t in checklist if t.strip()], start=1):
            item.checklist.create(seq=seq, text=text.strip())
        changed.append("checklist")
    audit.record(
        actor=actor,
        action="item.update",
        obj=item,
        summary=f"修改抽查事项：{item.code} {item.name}",
        detail={"fields": changed},
    )
    return item


@transaction.atomic
def item_publish(*, actor, item: Item) -> Item:
    require(actor, Action.ITEM_MANAGE)
    item = Item.objects.select_for_update().get(pk=item.pk)
    _may_change(actor, item, "只能发布本辖区清单中的事项")
    if item.status == ItemStatus.PUBLISHED:
        raise DomainError("该事项已发布")
    if not item.methods:
        raise DomainError("发布前须填写检查方式", field="methods")
    item.status, item.published_at = ItemStatus.PUBLISHED, timezone.now()
    item.save(update_fields=["status", "published_at"])
    audit.record(
        actor=actor, action="item.publish", obj=item, summary=f"发布抽查事项：{item.code} {item.name}"
    )
    return item


@transaction.atomic
def item_claim(*, actor, item: Item) -> ItemClaim:
    """认领 (R-ITEM-1): only a published item can be claimed."""
    require(actor, Action.ITEM_CLAIM)
    if not items_for(actor).filter(pk=item.pk).exists() and item.status == ItemStatus.PUBLISHED:
        raise NotFound("本辖区及上级清单中没有该事项")
    if item.status != ItemStatus.PUBLISHED:
        raise DomainError(f"事项“{item.name}”尚未发布，不能认领")
    claim, created = ItemClaim.objects.get_or_create(
        item=item, department=actor.department, defaults={"claimed_by": actor}
    )
    if not created:
        raise DomainError(f"本部门已认领事项“{item.name}”")
    audit.record(
        actor=actor,
        action="item.claim",
        obj=claim,
        summary=f"{actor.department.name} 认领事项：{item.code} {item.name}",
    )
    return claim


@transaction.atomic
def item_unclaim(*, actor, item: Item) -> None:
    require(actor, Action.ITEM_CLAIM)
    deleted, _ = ItemClaim.objects.filter(item=item, department=actor.department).delete()
    if not deleted:
        raise DomainError("本部门未认领该事项")
    audit.record(
        actor=actor,
        action="item.unclaim",
        obj=item,
        summary=f"{actor.department.name} 取消认领：{item.code} {item.name}",
    )
