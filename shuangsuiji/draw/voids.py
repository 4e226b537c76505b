"""作废与重新抽取 (R-DRAW-6, issue 16): a void cannot be a re-roll in disguise.

- The lead department asks (`void_request`) with a reason from a fixed list (VoidReason) and a
  text; the 双随机办公室 of the task's level confirms (`void_confirm`) or refuses (`void_refuse`).
  Only a confirmation voids the draw.
- After a pool-related void (POOL_VOID_REASONS) the redraw keeps every drawn entry still valid
  and draws only replacements for the removed ones (`redraw_basis`); a full redraw after such a
  void must be asked for with its reason and is confirmed with the void. Any other reason redraws
  in full.
- The redraw's public page links the voided draw and shows both outcomes and what changed in the
  pool (`redraw_context`, `pool_diff`)."""

import io
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from isal import igzip

from shuangsuiji.core import audit
from shuangsuiji.core.errors import DomainError, Forbidden
from shuangsuiji.core.identifiers import mask_name
from shuangsuiji.core.permissions import Action, require
from shuangsuiji.core.scope import editable_by
from shuangsuiji.directory.models import Target, TargetKind
from shuangsuiji.planning.models import TASK_TRANSITIONS, Task, TaskState

from . import pool
from .models import (
    POOL_VOID_REASONS,
    DrawStatus,
    Selection,
    TargetDraw,
    VoidReason,
    VoidRequest,
    VoidRequestStatus,
)
from .records import selection_public
from .services import _draw_lead, _end, _locked

PARTIAL, FULL = "partial", "full"
MODE_LABELS = {PARTIAL: "只补抽被移除的对象", FULL: "全部重新抽取"}

# ended_reason is "<reason label>：<text>" in 300 characters; the longest label is under 40
TEXT_MAX = 200
NOTE_MAX = 500

OUT_OF_SCOPE = "已不在抽取范围内（如已注销、迁出或不再由本部门监管）"
ADDED = "新纳入抽取范围"
CARRIED = "carried"  # the new pool's exclusion reason for an entry carried over from the voided draw


def _task_may_go_back(task: Task) -> None:
    """services._end's rule, asked already when the request is made: a draw whose inspection has
    begun cannot be voided."""
    if TaskState.PLANNED not in TASK_TRANSITIONS[task.state]:
        raise DomainError(
            f"任务当前为“{task.get_state_display()}”，检查已经开始，不能作废本次抽取；"
            "如确需停止，请由牵头部门或双随机办公室作废任务并说明原因"
        )


@transaction.atomic
def void_request(
    *,
    actor,
    draw: TargetDraw,
    reason: str,
    text: str,
    full_redraw: bool = False,
    full_redraw_reason: str = "",
) -> VoidRequest:
    """作废申请: the lead department's admin asks, with a reason from the list and a text. For a
    pool-related reason the redraw only replaces the removed entries unless a full redraw is
    asked for with its reason; for any other reason the redraw is always full (recorded so)."""
    _draw_lead(actor, draw)
    if draw.spec == "ssj-designated":  # draw/designated.py: no random draw to redo
        raise DomainError("触发式检查的检查对象不是随机抽取，不能作废重抽；如需停止，请作废该任务并说明原因")
    if reason not in VoidReason.values:
        raise DomainError("请从列表中选择作废原因", field="reason")
    text = (text or "").strip()
    if not text:
        raise DomainError("请填写作废的具体说明", field="text")
    if len(text) > TEXT_MAX:
        raise DomainError(f"具体说明最多 {TEXT_MAX} 字", field="text")
    full_redraw_reason = (full_redraw_reason or "").strip()
    if reason in POOL_VOID_REASONS:
        if full_redraw and not full_redraw_reason:
            raise DomainError("申请全部重新抽取的，请说明理由", field="full_redraw_reason")
        if not full_redraw:
            full_redraw_reason = ""
    else:  # only the pool's own faults can be mended by replacing what they removed
        full_redraw, full_redraw_reason = True, ""
    if len(full_redraw_reason) > NOTE_MAX:
        raise DomainError(f"理由最多 {NOTE_MAX} 字", field="full_redraw_reason")
    task = Task.objects.select_for_update().get(pk=draw.task_id)
    draw = _locked(draw)
    if draw.status != DrawStatus.DRAWN:
        raise DomainError(f"本次抽取状态为“{draw.get_status_display()}”，不能作废")
    _task_may_go_back(task)
    if draw.void_requests.filter(status=VoidRequestStatus.PENDING).exists():
        raise DomainError("本次抽取已有待双随机办公室确认的作废申请")
    req = VoidRequest.objects.create(
        draw=draw,
        reason=reason,
        text=text,
        full_redraw=full_redraw,
        full_redraw_reason=full_redraw_reason,
        requested_at=timezone.now(),
        requested_by=actor,
    )
    mode = MODE_LABELS[FULL if full_redraw else PARTIAL]
    audit.record(
        actor=actor,
        action="draw.void_request",
        obj=draw,
        summary=f"申请作废 {draw.public_id}：{req.get_reason_display()}：{text}；重新抽取方式：{mode}"
        + (f"（理由：{full_redraw_reason}）" if full_redraw_reason else ""),
        detail={"request": req.pk, "reason": reason, "full_redraw": full_redraw},
    )
    return req


def _office_of(actor, req: VoidRequest) -> None:
    """The office that approves the task's plan (core/scope.py: VoidRequest editable_by)."""
    require(actor, Action.PLAN_APPROVE)
    if not editable_by(VoidRequest, actor).filter(pk=req.pk).exists():
        raise Forbidden("只能确认本辖区任务的作废申请")


def _pending(request: VoidRequest) -> VoidRequest:
    req = VoidRequest.objects.select_for_update().get(pk=request.pk)
    if req.status != VoidRequestStatus.PENDING:
        raise DomainError(f"该申请已处理（{req.get_status_display()}）")
    return req


@transaction.atomic
def void_confirm(*, actor, request: VoidRequest, note: str = "") -> VoidRequest:
    """The office confirms: the draw is voided (services._end: status, reason "<category>：<text>",
    the rollup, the task back to 待抽取, the audit entry "draw.voided")."""
    _office_of(actor, request)
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise DomainError(f"确认意见最多 {NOTE_MAX} 字", field="note")
    req = _pending(request)
    req.draw = _end(
        actor,
        req.draw,
        f"{req.get_reason_display()}：{req.text}",
        DrawStatus.VOIDED,
        from_status=DrawStatus.DRAWN,
        void_reason=req.reason,
    )
    return _decided(
        req,
        actor,
        VoidRequestStatus.CONFIRMED,
        note,
        f"双随机办公室确认作废 {req.draw.public_id}" + (f"：{note}" if note else ""),
    )


@transaction.atomic
def void_refuse(*, actor, request: VoidRequest, note: str) -> VoidRequest:
    """The office refuses, saying why: the draw stays as drawn."""
    _office_of(actor, request)
    note = (note or "").strip()
    if not note:
        raise DomainError("不予作废时请填写意见", field="note")
    if len(note) > NOTE_MAX:
        raise DomainError(f"意见最多 {NOTE_MAX} 字", field="note")
    req = _pending(request)
    return _decided(
        req, actor, VoidRequestStatus.REFUSED, note, f"双随机办公室不予作废 {req.draw.public_id}：{note}"
    )


def _decided(req: VoidRequest, actor, status: str, note: str, summary: str) -> VoidRequest:
    """The office's decision on a request, recorded on it and in the audit log."""
    req.status, req.decided_at, req.decided_by, req.decision_note = status, timezone.now(), actor, note
    req.save(update_fields=["status", "decided_at", "decided_by", "decision_note"])
    action = "draw.void_confirm" if status == VoidRequestStatus.CONFIRMED else "draw.void_refuse"
    audit.record(actor=actor, action=action, obj=req.draw, summary=summary, detail={"request": req.pk})
    return req


def confirmed_request(draw: TargetDraw) -> VoidRequest | None:
    """The confirmed request that voided `draw` (none for a draw voided before requests existed)."""
    return (
        draw.void_requests.filter(status=VoidRequestStatus.CONFIRMED)
        .select_related("decided_by")
        .order_by("-decided_at")
        .first()
    )


# ---- the redraw ---------------------------------------------------------------------------------


@dataclass
class RedrawBasis:
    voided: TargetDraw
    request: VoidRequest | None
    mode: str  # PARTIAL or FULL
    carried: list[Selection] = field(default_factory=list)
    carried_strata: dict[int, str] = field(default_factory=dict)  # target id → its stratum now
    replacements: dict[str, int] = field(default_factory=dict)
    carried_ids: frozenset[int] = frozenset()


def _latest_voided(task: Task) -> TargetDraw | None:
    """The task's latest draw that was drawn, if it was voided; draws aborted since (announced,
    never drawn) do not end it: an abort must not turn a partial redraw into a full one."""
    last = task.draws.filter(status__in=[DrawStatus.DRAWN, DrawStatus.VOIDED]).order_by("-seq").first()
    return last if last is not None and last.status == DrawStatus.VOIDED else None


def redraw_basis(task: Task) -> RedrawBasis | None:
    """What a new announcement of `task` builds on, or None when it is no redraw.

    The basis is the task's latest VOIDED draw, when no draw has been drawn since (draws announced
    and aborted since do not count: an abort cannot turn a partial redraw into a full one).
    `mode` is "partial" when its confirmed VoidRequest's reason is in POOL_VOID_REASONS and
    full_redraw is False, else "full" (also for a draw voided without a confirmed request).

    For "partial":
    - `carried`: the voided draw's Selection rows (in their drawn order) whose target is still a
      valid candidate now — still in the task's scope and not excluded: pool.annotated(task)
      restricted to those target ids, reason == '' meaning valid; `carried_strata` gives each
      carried target's stratum (risk class) now, from annotated's `stratum` column;
    - `replacements`: {stratum: count} — the risk class code ('' for unclassified, '*' for a task
      that is not credit-based) of each of the voided draw's selections that is no longer valid
      (excluded now, or out of scope), counted by the stratum it had in the voided draw
      (draw.strata maps label → risk_class);
    - `carried_ids`: the carried target ids, to be kept out of the new pool.
    For "full" the three are empty."""
    voided = _latest_voided(task)
    if voided is None:
        return None
    req = confirmed_request(voided)
    partial = req is not None and req.reason in POOL_VOID_REASONS and not req.full_redraw
    basis = RedrawBasis(voided=voided, request=req, mode=PARTIAL if partial else FULL)
    if not partial:
        return basis
    selections = list(voided.selections.order_by("order"))
    ids = [s.target_id for s in selections]
    now = {
        pk: (stratum, reason)
        for pk, stratum, reason in pool.annotated(task)
        .filter(pk__in=ids)
        .values_list("pk", "stratum", "reason")
    }
    stratum_of_label = {s["label"]: s["risk_class"] for s in voided.strata}
    for s in selections:
        stratum, reason = now.get(s.target_id, (None, "out_of_scope"))
        if reason == "":
            basis.carried.append(s)
            basis.carried_strata[s.target_id] = stratum
        else:
            was = stratum_of_label[s.label]
            basis.replacements[was] = basis.replacements.get(was, 0) + 1
    basis.carried_ids = frozenset(basis.carried_strata)
    return basis


# ---- what changed in the pool -------------------------------------------------------------------


def _pool_lines(draw: TargetDraw):
    """(tag, second field, key, target id) of each line of a frozen pool file: a label and a
    position for a drawable entry, "X" and a reason for an excluded one. A line may carry more
    fields after these four (a salt): they are left aside."""
    with draw.pool_file.open("rb") as f, igzip.IGzipFile(fileobj=f, mode="rb") as gz:
        lines = io.TextIOWrapper(gz, encoding="utf-8")
        next(lines)
        for line in lines:
            a, b, key, pk = line.rstrip("\n").split("\t", 4)[:4]
            yield a, b, key, int(pk)


def _entry(key: str, target: tuple[str, str] | None, reason: str) -> dict:
    name, kind = target or ("", "")
    return {"key": key, "name": mask_name(name) if kind == TargetKind.PERSON else name, "reason": reason}


def _named(ids: list[int]) -> dict[int, tuple[str, str]]:
    """target id → (name, kind), read in chunks (a changed pool may name many)."""
    out: dict[int, tuple[str, str]] = {}
    for k in range(0, len(ids), 5000):
        rows = Target.objects.filter(pk__in=ids[k : k + 5000]).values_list("pk", "name", "kind")
        out |= {pk: (name, kind) for pk, name, kind in rows}
    return out


def pool_diff(old: TargetDraw, new: TargetDraw) -> dict:
    """What changed between two frozen pools (by target): `added`, entries drawable in `new` and
    not in `old` ("新纳入抽取范围"); `removed`, entries drawable in `old` and not in `new`, each
    with the reason the new pool gives (its exclusion reason's label, pool.EXCLUSION_REASONS), or,
    when the new pool does not hold it at all, OUT_OF_SCOPE. Entries the new pool keeps out
    because they are carried over from the voided draw are not removed: counted as `carried`.

    Counts by reason (`added_counts`, `removed_counts`: [(reason, n)]) and the entries (key and
    name, a natural person's name masked), never a stratum or a risk class. An entry removed by an
    exclusion reason (R-DRAW-4: drawn by another open task, the yearly cap, an A-class target drawn
    already) is counted but not named (`unnamed`): naming it would disclose another task's drawn
    target before that task's list is public, or the target's risk class."""
    was: dict[int, str] = {}  # target id → key, drawable in the old pool
    for tag, _, key, pk in _pool_lines(old):
        if tag != "X":
            was[pk] = key
    added: list[tuple[int, str]] = []
    excluded_now: dict[int, str] = {}
    for tag, second, key, pk in _pool_lines(new):
        if tag == "X":
            if pk in was:
                excluded_now[pk] = second
        elif was.pop(pk, None) is None:
            added.append((pk, key))
    carried = sum(1 for pk in was if excluded_now.get(pk) == CARRIED)
    gone = [(pk, key) for pk, key in was.items() if pk not in excluded_now]
    counts: dict[str, int] = {OUT_OF_SCOPE: len(gone)} if gone else {}
    for reason in excluded_now.values():
        if reason != CARRIED:
            label = pool.EXCLUSION_REASONS.get(reason, reason)
            counts[label] = counts.get(label, 0) + 1
    targets = _named([pk for pk, _ in added] + [pk for pk, _ in gone])
    return {
        "added": sorted((_entry(key, targets.get(pk), ADDED) for pk, key in added), key=lambda e: e["key"]),
        "added_counts": [(ADDED, len(added))] if added else [],
        "removed": sorted(
            (_entry(key, targets.get(pk), OUT_OF_SCOPE) for pk, key in gone), key=lambda e: e["key"]
        ),
        "removed_counts": sorted(counts.items()),
        "unnamed": sum(counts.values()) - len(gone),
        "carried": carried,
    }


# ---- the public page ----------------------------------------------------------------------------


def _names(draw: TargetDraw) -> list[dict]:
    rows = [
        {
            "name": mask_name(s.target.name) if s.target.kind == TargetKind.PERSON else s.target.name,
            "carried": s.carried_from_id is not None,
        }
        for s in draw.selections.select_related("target")
    ]
    return sorted(rows, key=lambda r: r["name"])


def redraw_context(draw: TargetDraw) -> dict | None:
    """The void-and-redraw part of a draw's public page (publicity/_draw_redraw.html), or None.

    A voided draw: the reason's category and text, when the office confirmed it, and its
    redraws. A redraw: the voided draw, the mode (and, for a full redraw, the office-confirmed
    reason), both outcomes — names only, sorted by name, carried entries marked — once this
    draw's list is public, and what changed in the pool."""
    ctx: dict = {}
    if draw.status == DrawStatus.VOIDED:
        req = confirmed_request(draw)
        ctx["void"] = {
            "reason": req.get_reason_display() if req else draw.get_void_reason_display(),
            "text": req.text if req else draw.ended_reason,
            "confirmed_at": req.decided_at if req else None,
            "ended_at": draw.ended_at,
            "redraws": list(draw.redraws.order_by("seq").values_list("public_id", flat=True)),
        }
    voided = draw.redraw_of
    if voided is not None:
        req = confirmed_request(voided)
        mode = draw.redraw_mode or FULL
        why = ""
        if mode == FULL and req is not None:
            why = req.full_redraw_reason or f"作废原因为“{req.get_reason_display()}”，须全部重新抽取"
        shown = selection_public(draw)
        drawn = draw.status in (DrawStatus.DRAWN, DrawStatus.VOIDED)
        ctx["redraw"] = {
            "voided_id": voided.public_id,
            "void_reason": req.get_reason_display() if req else voided.get_void_reason_display(),
            "void_text": req.text if req else voided.ended_reason,
            "mode": mode,
            "mode_label": MODE_LABELS.get(mode, MODE_LABELS[FULL]),
            "full_reason": why,
            "outcomes_shown": shown and drawn,
            "before": _names(voided) if shown and drawn else [],
            "after": _names(draw) if shown and drawn else [],
            "diff": pool_diff(voided, draw),
        }
    return ctx or None
