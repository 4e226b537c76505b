"""后续处置 as service functions (R-FUP-1, R-FUP-2): opening ledger entries when results are
published, dispositions, transfers, outcomes, verification, and return visits. Each runs in one
transaction, checks permission and scope, moves along FOLLOWUP_TRANSITIONS only, writes the audit
log, and refuses in Chinese.

`on` is the date the action happened (default today): it may not lie in the future nor before
the problem was found."""

import datetime as dt
import hashlib
import secrets
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone

from shuangsuiji.core import audit
from shuangsuiji.core.errors import DomainError, Forbidden, NotFound
from shuangsuiji.core.models import Department, Role
from shuangsuiji.core.permissions import Action, require
from shuangsuiji.core.scope import editable_by, jurisdiction
from shuangsuiji.core.selectors import work_calendar
from shuangsuiji.directory.models import MARKET_KINDS
from shuangsuiji.draw import engine, seal
from shuangsuiji.inspection.models import Inspection, InspectionStatus

from . import hooks, selectors
from .models import (
    CARELESS,
    FOLLOWUP_TRANSITIONS,
    DispositionKind,
    FindingCategory,
    FollowUp,
    FollowUpState,
    ReturnVisit,
    ReturnVisitDraw,
    ReturnVisitFinding,
    Transfer,
    TransferStatus,
    VisitConclusion,
    VisitDrawStatus,
)

# Working days to choose a disposition once a problem is on the ledger (config; the national rules
# set no number, so the default follows R-FUP-1's 10 working days for 经营异常名录).
DISPOSE_WORKDAYS = 10
# R-FUP-1: 列入经营异常名录 within 10 working days of the finding.
ABNORMAL_LIST_WORKDAYS = 10
# 行政处罚法 第六十条: a decision within 90 days of 立案.
CASE_DAYS = 90
VISIT_PURPOSE = "ssj-return-visit-v1"


# ---- helpers ----------------------------------------------------------------------------------


def _today(on: dt.date | None) -> dt.date:
    return on or timezone.localdate()


def _check_on(fu: FollowUp, on: dt.date, field: str = "on") -> None:
    if on > timezone.localdate():
        raise DomainError("日期不能晚于今天", field=field)
    if on < fu.found_on:
        raise DomainError(f"日期不能早于发现问题的日期（{fu.found_on:%Y-%m-%d}）", field=field)


def _move(fu: FollowUp, to: str, doing: str) -> None:
    if to not in FOLLOWUP_TRANSITIONS[fu.state]:
        raise DomainError(f"该台账当前为“{fu.get_state_display()}”，不能{doing}")
    fu.state = to


def _require_state(fu: FollowUp, state: str, doing: str) -> None:
    if fu.state != state:
        raise DomainError(f"该台账当前为“{fu.get_state_display()}”，不能{doing}")


def _locked(actor, followup: FollowUp) -> FollowUp:
    """The entry, locked, if the actor may see it; otherwise NotFound (scope never leaks)."""
    fu = selectors.ledger_in_scope(actor).select_for_update(of=("self",)).filter(pk=followup.pk).first()
    if fu is None:
        raise NotFound("没有找到该台账记录")
    return fu


def _owner(actor, fu: FollowUp) -> None:
    require(actor, Action.FOLLOWUP_EDIT)
    own = jurisdiction(actor).department_id
    if not editable_by(FollowUp, actor).filter(pk=fu.pk, department_id=own).exists():
        raise Forbidden("只能由发现问题的部门办理该台账；如需协助，请联系责任部门")


def _receiver(actor, fu: FollowUp) -> None:
    require(actor, Action.FOLLOWUP_EDIT)
    own = jurisdiction(actor).department_id
    received = editable_by(FollowUp, actor).filter(pk=fu.pk, transfer_to_id=own).exclude(department_id=own)
    if not received.exists():
        raise Forbidden("只能由接收移送的部门办理")


def _workdays_after(day: dt.date, n: int) -> tuple[dt.date, bool]:
    return work_calendar().add_workdays(day, n)


# ---- opening entries from published results -----------------------------------------------------


@transaction.atomic
def ledger_sync(*, actor, inspection: Inspection) -> list[FollowUp]:
    """Called by `review_approve` (inside its transaction) each time an inspection is published:
    every item result with a problem gets a ledger entry (R-FUP-1), once; a republication after a
    correction that removed a problem withdraws its still-open entry, and one that brings a problem
    back reopens it. Closed entries are history and stay as they are."""
    ins = Inspection.objects.select_related("selection__draw__task__plan", "selection__target").get(
        pk=inspection.pk
    )
    if ins.status != InspectionStatus.PUBLISHED:
        return []
    task = ins.selection.draw.task
    found_on = ins.finished_on or timezone.localdate(ins.published_at)
    results = {r.item_id: r for r in ins.results.select_related("item").prefetch_related("categories")}
    existing = {f.item_id: f for f in FollowUp.objects.select_for_update().filter(inspection=ins)}
    now = timezone.now()
    touched = []
    for item_id, r in results.items():
        fu = existing.get(item_id)
        if not r.found_problem:
            if fu is not None and fu.is_open:
                fu.withdrawn_from = fu.state
                _move(fu, FollowUpState.WITHDRAWN, "撤销")
                fu.withdrawn_reason = f"更正后重新公示（第 {ins.version} 版）不再属于发现问题"
                fu.save(update_fields=["state", "withdrawn_reason", "withdrawn_from"])
                audit.record(
                    actor=actor,
                    action="followup.withdraw",
                    obj=fu,
                    summary=f"台账撤销：{fu}（{fu.withdrawn_reason}）",
                )
                touched.append(fu)
            continue
        cats = "、".join(c.name for c in r.categories.all())[:500]
        if fu is None:
            due, provisional = _workdays_after(found_on, DISPOSE_WORKDAYS)
            fu = FollowUp.objects.create(
                inspection=ins,
                item=r.item,
                department_id=ins.department_id,
                target=ins.selection.target,
                task=task,
                year=task.plan.year,
                problem=r.problem or cats,
                outcome_categories=cats,
                found_on=found_on,
                opened_at=now,
                due_on=due,
                due_provisional=provisional,
            )
            audit.record(
                actor=actor,
                action="followup.open",
                obj=fu,
                summary=f"问题登记入台账：{fu}，{due:%Y-%m-%d} 前确定处置方式",
                detail={"inspection": ins.pk, "version": ins.version},
            )
        else:
            fu.problem, fu.outcome_categories = r.problem or cats, cats
            fields = ["problem", "outcome_categories"]
            if fu.state == FollowUpState.WITHDRAWN:
                _move(fu, fu.withdrawn_from or FollowUpState.PENDING, "恢复")
                fu.withdrawn_reason, fu.withdrawn_from = "", ""
                fields += ["state", "withdrawn_reason", "withdrawn_from"]
                audit.record(
                    actor=actor, action="followup.reopen", obj=fu, summary=f"更正后仍有问题，台账恢复：{fu}"
                )
            fu.save(update_fields=fields)
        touched.append(fu)
    return touched


# ---- dispositions -----------------------------------------------------------------------------


@transaction.atomic
def followup_dispose(
    *,
    actor,
    followup: FollowUp,
    kind: str,
    measure: str = "",
    due_on: dt.date | None = None,
    case_number: str = "",
    receiving_organ: str = "",
    transfer_to: Department | None = None,
    on: dt.date | None = None,
) -> FollowUp:
    """Record the disposition of a problem (R-FUP-1) with its deadline."""
    fu = _locked(actor, followup)
    _owner(actor, fu)
    on = _today(on)
    _check_on(fu, on)
    measure = (measure or "").strip()
    if kind not in DispositionKind.values:
        raise DomainError("请选择处置方式", field="kind")
    _require_state(fu, FollowUpState.PENDING, "确定处置方式")
    if kind == DispositionKind.TRANSFER:
        _move(fu, FollowUpState.TRANSFER_PENDING, "移送")
    else:
        _move(fu, FollowUpState.IN_PROGRESS, "确定处置方式")
    provisional = False
    if kind == DispositionKind.CASE:
        if not case_number.strip():
            raise DomainError("立案查处须填写立案号", field="case_number")
        due_on = on + dt.timedelta(days=CASE_DAYS)
    elif kind == DispositionKind.ABNORMAL_LIST:
        if fu.target.kind not in MARKET_KINDS:
            raise DomainError("非市场主体不能列入经营异常名录，请选择其他处置方式", field="kind")
        due_on, provisional = _workdays_after(fu.found_on, ABNORMAL_LIST_WORKDAYS)
    else:
        if due_on is None:
            raise DomainError("请填写办结期限", field="due_on")
        if due_on < on:
            raise DomainError("办结期限不能早于处置决定日期", field="due_on")
    if kind in (DispositionKind.RECTIFY, DispositionKind.CREDIT, DispositionKind.TRANSFER) and not measure:
        label = {"rectify": "整改要求", "credit": "惩戒措施", "transfer": "移送事由"}[kind]
        raise DomainError(f"请填写{label}", field="measure")
    if kind == DispositionKind.JUDICIAL and not receiving_organ.strip():
        raise DomainError("移送司法机关须填写接收机关", field="receiving_organ")
    if kind == DispositionKind.TRANSFER:
        if transfer_to is None:
            raise DomainError("请选择接收部门", field="transfer_to")
        if (
            transfer_to.pk == fu.department_id
            or transfer_to.is_office
            or transfer_to.region_id != fu.department.region_id
        ):
            raise DomainError("接收部门须为本辖区的其他成员单位", field="transfer_to")
    fu.kind, fu.measure, fu.due_on, fu.due_provisional = kind, measure, due_on, provisional
    fu.disposed_on, fu.disposed_by = on, actor
    fu.case_number = case_number.strip()[:60]
    fu.receiving_organ = receiving_organ.strip()[:100]
    fu.transfer_to = transfer_to if kind == DispositionKind.TRANSFER else None
    fu.save()
    if kind == DispositionKind.TRANSFER:
        Transfer.objects.create(
            followup=fu, to_department=transfer_to, reason=measure, sent_on=on, sent_by=actor
        )
    audit.record(
        actor=actor,
        action="followup.dispose",
        obj=fu,
        summary=f"确定处置方式：{fu} — {fu.get_kind_display()}"
        + (f"（移送{transfer_to.name}）" if transfer_to and kind == DispositionKind.TRANSFER else "")
        + f"，期限 {due_on:%Y-%m-%d}",
        detail={"kind": kind, "due_on": due_on, "case_number": fu.case_number},
    )
    return fu


@transaction.atomic
def transfer_accept(*, actor, followup: FollowUp, on: dt.date | None = None) -> FollowUp:
    fu = _locked(actor, followup)
    _receiver(actor, fu)
    on = _today(on)
    _check_on(fu, on)
    t = selectors.pending_transfer(fu)
    _require_state(fu, FollowUpState.TRANSFER_PENDING, "接收")
    _move(fu, FollowUpState.IN_PROGRESS, "接收")
    if t is None:
        raise DomainError("没有待接收的移送")
    t.status, t.decided_on, t.decided_by = TransferStatus.ACCEPTED, on, actor
    t.save(update_fields=["status", "decided_on", "decided_by"])
    fu.save(update_fields=["state"])
    audit.record(
        actor=actor,
        action="followup.transfer_accept",
        obj=fu,
        summary=f"{actor.department.name} 接收移送：{fu}",
    )
    return fu


@transaction.atomic
def transfer_return(*, actor, followup: FollowUp, reason: str, on: dt.date | None = None) -> FollowUp:
    """The receiving department returns a transfer it is not competent for; the entry goes back
    to the sender, to be disposed again."""
    fu = _locked(actor, followup)
    _receiver(actor, fu)
    on = _today(on)
    _check_on(fu, on)
    if not (reason or "").strip():
        raise DomainError("退回时请填写理由", field="reason")
    t = selectors.pending_transfer(fu)
    _require_state(fu, FollowUpState.TRANSFER_PENDING, "退回")
    _move(fu, FollowUpState.PENDING, "退回")
    if t is None:
        raise DomainError("没有待接收的移送")
    t.status, t.decided_on, t.decided_by, t.return_reason = (
        TransferStatus.RETURNED,
        on,
        actor,
        reason.strip()[:300],
    )
    t.save(update_fields=["status", "decided_on", "decided_by", "return_reason"])
    fu.transfer_to, fu.kind, fu.disposed_on, fu.disposed_by = None, "", None, None
    fu.due_on, fu.due_provisional = _workdays_after(on, DISPOSE_WORKDAYS)
    fu.save()
    audit.record(
        actor=actor,
        action="followup.transfer_return",
        obj=fu,
        summary=f"{actor.department.name} 退回移送：{fu}：{reason.strip()}",
    )
    return fu


@transaction.atomic
def outcome_record(
    *,
    actor,
    followup: FollowUp,
    outcome: str,
    on: dt.date | None = None,
    penalty_decision_no: str = "",
    penalty_content: str = "",
    penalty_decided_on: dt.date | None = None,
) -> FollowUp:
    """Record what came of the disposition. 责令整改 then waits for an inspector's verification;
    every other kind closes. A 立案查处 outcome with a penalty decision is published beside the
    inspection result (R-FUP-1: penalty results are published)."""
    fu = _locked(actor, followup)
    if fu.kind == DispositionKind.TRANSFER:
        _receiver(actor, fu)
    else:
        _owner(actor, fu)
    on = _today(on)
    _check_on(fu, on)
    outcome = (outcome or "").strip()
    if not outcome:
        raise DomainError("请填写处置结果", field="outcome")
    to = FollowUpState.TO_VERIFY if fu.kind == DispositionKind.RECTIFY else FollowUpState.CLOSED
    _require_state(fu, FollowUpState.IN_PROGRESS, "记录处置结果")
    _move(fu, to, "记录处置结果")
    penalty = any([penalty_decision_no.strip(), penalty_content.strip(), penalty_decided_on])
    if penalty:
        if fu.kind != DispositionKind.CASE:
            raise DomainError("只有立案查处的台账记录行政处罚决定", field="penalty_decision_no")
        if not penalty_decision_no.strip():
            raise DomainError("请填写行政处罚决定书文号", field="penalty_decision_no")
        if not penalty_content.strip():
            raise DomainError("请填写处罚内容", field="penalty_content")
        if penalty_decided_on is None:
            raise DomainError("请填写处罚决定日期", field="penalty_decided_on")
        if penalty_decided_on > on or penalty_decided_on < fu.found_on:
            raise DomainError("处罚决定日期须在发现问题之后、结果记录日期之前", field="penalty_decided_on")
        fu.penalty_decision_no = penalty_decision_no.strip()[:80]
        fu.penalty_content = penalty_content.strip()
        fu.penalty_decided_on = penalty_decided_on
        fu.penalty_published_at = timezone.now()
    fu.outcome, fu.outcome_on, fu.outcome_by = outcome, on, actor
    if to == FollowUpState.CLOSED:
        fu.closed_on = on
    fu.save()
    audit.record(
        actor=actor,
        action="followup.outcome",
        obj=fu,
        summary=f"记录处置结果：{fu}：{outcome[:100]}"
        + ("（已办结）" if to == FollowUpState.CLOSED else "（待核查）"),
        detail={"penalty": fu.penalty_decision_no} if penalty else None,
    )
    if penalty:
        audit.record(
            actor=actor,
            action="followup.penalty_publish",
            obj=fu,
            summary=f"公示行政处罚结果：{fu.penalty_decision_no}（{fu.target.name}）",
        )
    return fu


@transaction.atomic
def rectification_verify(
    *, actor, followup: FollowUp, passed: bool, note: str = "", on: dt.date | None = None
) -> FollowUp:
    """责令整改 is closed only when an inspector of the department has verified the correction;
    a failed check sends it back to 处置中."""
    fu = _locked(actor, followup)
    _owner(actor, fu)
    if actor.role != Role.INSPECTOR:
        raise Forbidden("整改情况须由本部门执法检查人员核查")
    on = _today(on)
    _check_on(fu, on)
    if fu.kind != DispositionKind.RECTIFY:
        raise DomainError("只有责令整改的台账需要核查整改情况")
    _require_state(fu, FollowUpState.TO_VERIFY, "核查（请先记录整改情况）")
    note = (note or "").strip()
    if passed:
        _move(fu, FollowUpState.CLOSED, "核查")
        fu.verified_on, fu.verified_by, fu.closed_on = on, actor, on
        if note:
            fu.outcome = f"{fu.outcome}\n核查：{note}"
    else:
        if not note:
            raise DomainError("整改未通过核查时请说明原因", field="note")
        _move(fu, FollowUpState.IN_PROGRESS, "核查")
        fu.outcome = f"{fu.outcome}\n核查未通过（{on:%Y-%m-%d}）：{note}"
    fu.save()
    audit.record(
        actor=actor,
        action="followup.verify" if passed else "followup.verify_fail",
        obj=fu,
        summary=f"整改核查{'通过，已办结' if passed else '未通过'}：{fu}" + (f"：{note}" if note else ""),
    )
    return fu


# ---- 回访 (R-FUP-2) -----------------------------------------------------------------------------


def _visit_pool(region, year: int, department) -> dict[str, tuple[Department, list[tuple[str, int]]]]:
    """The published inspections of the year, per department (one stratum each), keyed by the
    inspection's number zero-padded (the 检查记录号 of the public result export), sorted by key.
    Inspections already drawn for a return visit this year are left out."""
    qs = Inspection.objects.filter(
        status=InspectionStatus.PUBLISHED,
        department__region__code__startswith=region.scope_prefix,
        selection__draw__task__plan__year=year,
    ).exclude(return_visits__draw__year=year)
    if department is not None:
        qs = qs.filter(department=department)
    strata: dict[str, tuple[Department, list[tuple[str, int]]]] = {}
    depts = {d.pk: d for d in Department.objects.filter(pk__in=qs.values("department_id"))}
    for pk, dept_id in qs.order_by("department_id", "pk").values_list("pk", "department_id").iterator():
        label = f"D{dept_id}"
        strata.setdefault(label, (depts[dept_id], []))[1].append((f"{pk:012d}", pk))
    for _, keys in strata.values():
        keys.sort(key=lambda k: k[0].encode())
    return strata


def visit_seed(*, public_id: str, secret_hex: str, pool_root_hex: str, public_value: str) -> bytes:
    """The draw-spec §4 seed with no witnesses: the office's public value (e.g. that day's lottery
    number) and the platform's secret, both published with the draw."""
    return engine.derive_seed(
        draw_id=public_id,
        secret_hex=secret_hex,
        pool_root_hex=pool_root_hex,
        reveals=[],
        public_value=public_value,
    )


def visit_positions(seed: bytes, strata: list[dict]) -> dict[str, list[int]]:
    return {
        s["label"]: engine.select_positions(seed, s["label"], s["size"], s["quota"], VISIT_PURPOSE)
        for s in strata
    }


def _pool_root(pool: dict[str, list[str]]) -> tuple[bytes, dict[str, bytes]]:
    roots = {
        label: engine.merkle_root([engine.leaf_hash(label, k) for k in keys]) if keys else engine.sha256(b"")
        for label, keys in pool.items()
    }
    return engine.pool_root([(label, len(pool[label]), roots[label]) for label in pool]), roots


def _digest(public_id: str, label: str, n: int) -> str:
    return hashlib.sha256(f"{public_id}|{label}|weighted|{n}".encode()).hexdigest()[:4].upper()


def _weight(
    strata_pool: dict[str, tuple[Department, list[tuple[str, int]]]], flagged: set[int], public_id: str
) -> dict[str, tuple[Department, list[tuple[str, int]]]]:
    """Move each department's flagged inspections into a stratum of their own. Its label is 层 and
    a hash of the draw and the department, so the public record shows a department's weighted
    stratum and its inspection numbers (which the public result export ties to no inspector),
    never whose inspections they are or why."""
    out: dict[str, tuple[Department, list[tuple[str, int]]]] = {}
    for label, (dept, keys) in strata_pool.items():
        rest = [k for k in keys if k[1] not in flagged]
        heavy = [k for k in keys if k[1] in flagged]
        if rest:
            out[label] = (dept, rest)
        if heavy:
            # 层 + 4 hex digits, as the target draws' opaque labels (draw/services.py _labels)
            n = 0
            while (weighted := "层" + _digest(public_id, label, n)) in out:
                n += 1
            out[weighted] = (dept, heavy)
    return out


def _share(value, field: str, label: str) -> Decimal:
    try:
        share = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise DomainError(f"{label}应为 0 到 100% 之间的数", field=field) from None
    if not Decimal("0") < share <= Decimal("1"):
        raise DomainError(f"{label}应大于 0、不超过 100%", field=field)
    return share


@transaction.atomic
def visit_draw_announce(
    *,
    actor,
    year: int,
    share,
    public_value_source: str,
    department: Department | None = None,
    weighted_share=None,
    now: dt.datetime | None = None,
) -> ReturnVisitDraw:
    """Announce a return-visit draw (R-FUP-2): the pool of the year's published inspections is
    frozen (one stratum per department, `share` of each rounded up), the server secret is
    committed, and the source of the public value to be entered (a future lottery result) is named.

    With `weighted_share`, the inspections of the inspectors flagged by the careless-inspection
    signals (issue 19, registered through hooks.py) form strata of their own sampled at that
    higher share; each stratum's share is in the record, so the draw re-runs as any other."""
    require(actor, Action.RETURN_VISIT)
    region = actor.department.region
    if department is not None and (
        department.is_office or not department.region.code.startswith(region.scope_prefix)
    ):
        raise DomainError("请选择本辖区的成员单位", field="department")
    share = _share(share, "share", "抽取比例")
    if weighted_share is not None:
        weighted_share = _share(weighted_share, "weighted_share", "加权抽取比例")
        if weighted_share <= share:
            raise DomainError("加权抽取比例应高于抽取比例", field="weighted_share")
    public_value_source = (public_value_source or "").strip()
    if not public_value_source:
        raise DomainError(
            "请填写公开随机值来源（如某日福彩3D开奖号码，须在公告之后产生）", field="public_value_source"
        )
    strata_pool = _visit_pool(region, year, department)
    if not strata_pool:
        raise DomainError(f"{year} 年没有尚未回访的已公示检查，无法抽取", field="year")
    n = ReturnVisitDraw.objects.filter(region=region, year=year).count() + 1
    public_id = f"HF-{region.code}-{year}-{n:03d}-{secrets.token_hex(3).upper()}"
    shares = {label: share for label in strata_pool}
    if weighted_share is not None:
        flagged = hooks.weighted_inspections(region.scope_prefix, year)
        if not any(pk in flagged for _, keys in strata_pool.values() for _, pk in keys):
            raise DomainError(
                f"{year} 年检查不认真信号中没有被标记人员尚未回访的检查，不能加权抽取", field="weighted_share"
            )
        strata_pool = _weight(strata_pool, flagged, public_id)
        shares = {label: share if label.startswith("D") else weighted_share for label in strata_pool}
    pool = {label: [k for k, _ in keys] for label, (_, keys) in sorted(strata_pool.items())}
    root, roots = _pool_root(pool)
    quotas = engine.quotas_by_ratio({label: len(keys) for label, keys in pool.items()}, shares)
    secret_hex = secrets.token_hex(32)
    d = ReturnVisitDraw.objects.create(
        public_id=public_id,
        region=region,
        year=year,
        department=department,
        share=share,
        announced_at=now or timezone.now(),
        announced_by=actor,
        public_value_source=public_value_source[:200],
        # sealed until the draw (draw/seal.py): the row holds no usable secret before then
        secret_sealed=seal.seal(secret_hex, draw_id=ReturnVisitDraw.seal_id(public_id)),
        secret_commitment=engine.server_secret_commitment(public_id, secret_hex),
        pool_root=root.hex(),
        strata=[
            {
                "label": label,
                "department": strata_pool[label][0].name,
                "size": len(keys),
                "root": roots[label].hex(),
                "quota": quotas[label],
                "share": str(shares[label]),
            }
            for label, keys in pool.items()
        ],
        pool=pool,
    )
    heavy = [label for label in pool if not label.startswith("D")]
    audit.record(
        actor=actor,
        action="return_visit.announce",
        obj=d,
        summary=f"回访抽取公告 {public_id}：{year} 年已公示检查 {sum(len(k) for k in pool.values())} 次，"
        f"按 {share * 100:g}% 抽取 {sum(quotas.values())} 次；公开随机值来源：{public_value_source}"
        + (
            f"；被标记人员的检查 {sum(len(pool[h]) for h in heavy)} 次单独分层，按 {weighted_share * 100:g}% 加权抽取"
            if heavy
            else ""
        ),
        detail={
            "pool_root": d.pool_root,
            "secret_commitment": d.secret_commitment,
            "weighted": {"share": str(weighted_share), "strata": heavy} if heavy else None,
        },
    )
    return d


@transaction.atomic
def visit_draw_run(
    *, actor, draw: ReturnVisitDraw, public_value: str, now: dt.datetime | None = None
) -> ReturnVisitDraw:
    """Enter the announced public value and draw: seed (draw-spec §4, no witnesses), then each
    stratum's positions (§6, purpose "ssj-return-visit-v1"); the secret is published with it."""
    require(actor, Action.RETURN_VISIT)
    d = selectors.visit_draws_for(actor).select_for_update(of=("self",)).filter(pk=draw.pk).first()
    if d is None:
        raise NotFound("没有找到该回访抽取")
    if d.status != VisitDrawStatus.ANNOUNCED:
        raise DomainError("该回访抽取已完成，不能重复抽取")
    public_value = (public_value or "").strip()
    if not public_value:
        raise DomainError(f"请填写公开随机值：{d.public_value_source}", field="public_value")
    secret_hex = d.server_secret()
    seed = visit_seed(
        public_id=d.public_id, secret_hex=secret_hex, pool_root_hex=d.pool_root, public_value=public_value
    )
    by_key = {
        f"{pk:012d}": (pk, dept_id)
        for pk, dept_id in Inspection.objects.filter(
            pk__in=[int(k) for keys in d.pool.values() for k in keys]
        ).values_list("pk", "department_id")
    }
    visits, order = [], 0
    positions = visit_positions(seed, d.strata)
    for s in d.strata:
        for pos in positions[s["label"]]:
            order += 1
            key = d.pool[s["label"]][pos]
            pk, dept_id = by_key[key]
            visits.append(
                ReturnVisit(
                    draw=d,
                    inspection_id=pk,
                    department_id=dept_id,
                    label=s["label"],
                    order=order,
                    position=pos,
                    key=key,
                )
            )
    ReturnVisit.objects.bulk_create(visits)
    d.public_value, d.seed, d.status = public_value[:100], seed.hex(), VisitDrawStatus.DRAWN
    d.drawn_at, d.drawn_by = now or timezone.now(), actor
    d.secret_revealed = secret_hex  # published with the draw from now on
    d.save()
    audit.record(
        actor=actor,
        action="return_visit.draw",
        obj=d,
        summary=f"回访抽取 {d.public_id}：公开随机值 {public_value}，抽中 {len(visits)} 次检查",
        detail={"seed": d.seed, "public_value": public_value},
    )
    return d


def visit_draw_verify(d: ReturnVisitDraw) -> bool:
    """Re-run a return-visit draw from its record alone: secret commitment, pool root, seed and
    positions."""
    if d.status != VisitDrawStatus.DRAWN:
        return False
    secret_hex = d.server_secret()
    if engine.server_secret_commitment(d.public_id, secret_hex) != d.secret_commitment:
        return False
    root, roots = _pool_root({s["label"]: d.pool[s["label"]] for s in d.strata})
    if root.hex() != d.pool_root or any(roots[s["label"]].hex() != s["root"] for s in d.strata):
        return False
    seed = visit_seed(
        public_id=d.public_id, secret_hex=secret_hex, pool_root_hex=d.pool_root, public_value=d.public_value
    )
    if seed.hex() != d.seed:
        return False
    positions = visit_positions(seed, d.strata)
    drawn = [(v.label, v.position, v.key) for v in d.visits.order_by("order")]
    expected = [(s["label"], p, d.pool[s["label"]][p]) for s in d.strata for p in positions[s["label"]]]
    return drawn == expected


@transaction.atomic
def visit_record(
    *,
    actor,
    visit: ReturnVisit,
    conclusion: str,
    note: str = "",
    findings: list[str] | tuple = (),
    finding_notes: dict[str, str] | None = None,
    on: dt.date | None = None,
) -> ReturnVisit:
    """The office records a return visit: its conclusion and what it found (R-FUP-2). Recording
    again replaces the findings (the visit's record is corrected, and the audit log keeps both)."""
    require(actor, Action.RETURN_VISIT)
    v = (
        ReturnVisit.objects.select_for_update()
        .filter(pk=visit.pk, draw__in=selectors.visit_draws_for(actor))
        .select_related("draw", "inspection__selection__draw__task__plan")
        .first()
    )
    if v is None:
        raise NotFound("没有找到该回访")
    on = _today(on)
    if on > timezone.localdate():
        raise DomainError("回访日期不能晚于今天", field="on")
    if v.draw.drawn_at is None or on < timezone.localdate(v.draw.drawn_at):
        raise DomainError("回访日期不能早于回访抽取日期", field="on")
    if conclusion not in VisitConclusion.values:
        raise DomainError("请选择回访结论", field="conclusion")
    findings = list(dict.fromkeys(findings))
    if any(f not in FindingCategory.values for f in findings):
        raise DomainError("回访发现的问题中有不可用的类别", field="findings")
    if conclusion != VisitConclusion.GOOD and not findings:
        raise DomainError("结论不是“检查规范”时，请选择发现的问题", field="findings")
    if conclusion == VisitConclusion.GOOD and findings:
        raise DomainError("发现问题时，结论不能为“检查规范”", field="conclusion")
    note = (note or "").strip()
    if not note:
        raise DomainError("请填写回访情况", field="note")
    v.conclusion, v.note, v.visited_on, v.visited_by = conclusion, note, on, actor
    v.save()
    v.findings.all().delete()
    year = v.inspection.selection.draw.task.plan.year
    notes = finding_notes or {}
    ReturnVisitFinding.objects.bulk_create(
        [
            ReturnVisitFinding(
                visit=v,
                department_id=v.department_id,
                year=year,
                category=f,
                careless=f in CARELESS,
                note=(notes.get(f) or "")[:500],
                recorded_on=on,
            )
            for f in findings
        ]
    )
    audit.record(
        actor=actor,
        action="return_visit.record",
        obj=v,
        summary=f"记录回访：{v.inspection}：{v.get_conclusion_display()}"
        + (f"（{'、'.join(FindingCategory(f).label for f in findings)}）" if findings else ""),
        detail={"findings": findings},
    )
    return v
