"""The draws as service functions: announce (freeze and commit the pool), run the target draw,
draw the teams, void or abort, decide recusals (the witnesses commit and reveal on their own
devices: witnesses.py). Each runs in one transaction with the task row locked, and writes the
audit log."""

import datetime as dt
import secrets
from bisect import bisect_left
from decimal import Decimal
from operator import lt

from django.conf import settings
from django.core.files.base import File
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from shuangsuiji.core import audit
from shuangsuiji.core.errors import DomainError, Forbidden
from shuangsuiji.core.models import Role
from shuangsuiji.core.permissions import Action, require
from shuangsuiji.core.scope import editable_by
from shuangsuiji.directory.models import Conflict, Inspector, Target, TargetKind
from shuangsuiji.planning import services as planning
from shuangsuiji.planning.models import DEFAULT_RATIOS, TASK_TRANSITIONS, QuotaMode, Task, TaskMode, TaskState

from . import engine, pool, seal
from .models import DrawStatus, RecusalRequest, RecusalStatus, Selection, TargetDraw, TeamMember
from .signals import draw_settled


def _lead_admin(actor, task: Task) -> None:
    """Before the draw exists: the task's lead department (core/scope.py: Task editable_by)."""
    require(actor, Action.DRAW_RUN)
    if not editable_by(Task, actor).filter(pk=task.pk).exists():
        raise Forbidden("抽取由任务的牵头部门组织")


def _draw_lead(actor, draw: TargetDraw) -> None:
    """An existing draw: one the actor's scope lets it change (the lead department's)."""
    require(actor, Action.DRAW_RUN)
    if not editable_by(TargetDraw, actor).filter(pk=draw.pk).exists():
        raise Forbidden("抽取由任务的牵头部门组织")


def _labels(task: Task) -> dict[str, str]:
    """Opaque stratum labels, new for every draw: risk classes are internal (R-TGT-2)."""
    strata = ["A", "B", "C", "D", pool.UNCLASSIFIED] if task.credit_based else ["*"]
    labels: dict[str, str] = {}
    while len(labels) < len(strata):
        label = "层" + secrets.token_hex(2).upper()
        if label not in labels.values():
            labels[strata[len(labels)]] = label
    return labels


def _quotas(task: Task, strata: list[dict]) -> dict:
    """Each stratum's quota, and the rule it came from as the terms state it: per-class ratios
    (R-PLAN-3) by stratum label, or a total."""
    sizes = {s["label"]: s["size"] for s in strata}
    if task.quota_mode == QuotaMode.RATIO:
        ratios = {c: Decimal(task.ratios.get(c, DEFAULT_RATIOS[c])) for c in "ABCD"}
        ratios[pool.UNCLASSIFIED] = ratios["B"]  # unclassified subjects are sampled as 一般风险
        by_label = {s["label"]: ratios[s["risk_class"]] for s in strata}
        q = engine.quotas_by_ratio(sizes, by_label)
        rule = {"quota_rule": "ratio", "ratios": {label: str(r) for label, r in by_label.items()}}
    else:
        q = engine.quotas_by_total(sizes, task.total or 0)
        rule = {"quota_rule": "total", "total": task.total or 0}
    for s in strata:
        s["quota"] = q[s["label"]]
    return rule


def quotas_for(task: Task, strata: list[dict], basis=None) -> dict:
    """Each stratum's quota (set in `strata`) and the rule it came from: after a pool-related void
    (R-DRAW-6, `basis` from voids.redraw_basis) the entries still valid are kept and only the
    removed ones are drawn again, each stratum replacing what it lost (as far as it can);
    otherwise `_quotas`. One function for the announcement and the pool preview (preview.py)."""
    if basis is not None and basis.mode == "partial":
        q = {s["label"]: min(s["size"], basis.replacements.get(s["risk_class"], 0)) for s in strata}
        for s in strata:
            s["quota"] = q[s["label"]]
        return {"quota_rule": "replace", "replace": q}
    return _quotas(task, strata)


def nothing_to_draw(strata: list[dict], basis=None) -> None:
    """Refuse an announcement that would draw nothing (a partial redraw keeps its carried entries)."""
    if not sum(s["quota"] for s in strata) and not (
        basis is not None and basis.mode == "partial" and basis.carried
    ):
        raise DomainError(
            f"按任务范围和比例计算，本次没有可抽取的对象（范围内 {sum(s['size'] for s in strata)} 个）"
        )


def draw_terms(draw: TargetDraw, rule: dict, *, min_witnesses: int) -> dict:
    """What decides the outcome beside the pool and the random inputs, committed at announcement
    and bound into the seed (ssj-draw-v2): the rule versions, the quota rule (ratios by stratum
    label, or a total), the quotas, the public value's source and time, the witnesses required."""
    terms = {
        "draw_id": draw.public_id,
        "spec": engine.SPEC_V2,
        "pool_format": draw.pool_format,
        "positions": "ssj-positions-v1",
        "teams": engine.TEAM_V2,
        **rule,
        "quotas": {s["label"]: s["quota"] for s in draw.strata},
        "public_value_source": draw.public_value_source,
        "public_value_at": timezone.localtime(draw.public_value_at).isoformat(timespec="seconds"),
        "min_witnesses": min_witnesses,
    }
    return terms


def announceable(task: Task) -> None:
    """Refuse a task whose draw may not be announced now: not planned (announced already, or
    under way), or not startable (R-PLAN-1, R-ITEM-1). The confirmation page asks it first."""
    if task.state != TaskState.PLANNED:
        raise DomainError(f"任务当前状态为“{task.get_state_display()}”，不能公告抽取")
    planning.task_startable(task)


@transaction.atomic
def draw_announce(
    *,
    actor,
    task: Task,
    draw_at: dt.datetime,
    place: str = "",
    public_value_source: str = "",
    public_value_at: dt.datetime | None = None,
) -> TargetDraw:
    """公告: freeze and commit the pool, commit to a server secret and to the draw's terms, set
    the draw time and the public random value that will be mixed in — one that becomes known
    only after the witnesses have committed (their commitments close at its time)."""
    _lead_admin(actor, task)
    task = Task.objects.select_for_update().get(pk=task.pk)
    announceable(task)
    public_value_source = (public_value_source or "").strip()
    if not public_value_source:
        raise DomainError(
            "请写明公开随机值的来源（如：2026-03-10 福彩3D开奖号码），抽取时须录入该值",
            field="public_value_source",
        )
    now = timezone.now()
    if public_value_at is None or public_value_at <= now:
        raise DomainError(
            "公开随机值的产生时间须晚于公告时间：见证人须在该值产生之前完成承诺", field="public_value_at"
        )
    public_value_at = public_value_at.replace(microsecond=0)  # the terms state it to the second
    from .voids import PARTIAL, redraw_basis  # voids builds on this module

    labels = _labels(task)
    seq = task.draws.count() + 1
    public_id = f"{task.code}-{seq}"
    basis = redraw_basis(task)
    partial = basis is not None and basis.mode == PARTIAL
    frozen = pool.freeze(task, labels, public_id, exclude=basis.carried_ids if partial else ())
    rule = quotas_for(task, frozen.strata, basis)
    nothing_to_draw(frozen.strata, basis)
    secret = secrets.token_hex(32)
    draw = TargetDraw(
        task=task,
        seq=seq,
        public_id=public_id,
        draw_at=draw_at,
        place=place,
        announced_at=now,
        announced_by=actor,
        secret_commitment="",
        public_value_source=public_value_source,
        public_value_at=public_value_at,
        pool_root=frozen.pool_root,
        pool_format=frozen.format,
        spec=engine.SPEC_V2,
        strata=frozen.strata,
        exclusions=frozen.exclusions,
        own_classes=frozen.own_classes,
        publish_selection_on=task.publish_selection_on,
        redraw_of=basis.voided if basis else None,
        redraw_mode=basis.mode if basis else "",
    )
    if basis:
        rule |= {"redraw_of": basis.voided.public_id, "carried": len(basis.carried) if partial else 0}
    draw.terms = draw_terms(draw, rule, min_witnesses=settings.DRAW_MIN_WITNESSES)
    draw.terms_hash = engine.terms_hash(draw.terms)
    draw.secret_commitment = engine.server_secret_commitment(draw.public_id, secret)
    draw.secret_sealed = seal.seal(secret, draw_id=draw.public_id)
    with frozen.file:
        draw.pool_file.save(f"{draw.public_id}.pool.gz", File(frozen.file), save=False)
    draw.save()
    planning.task_transition(actor=actor, task=task, to=TaskState.ANNOUNCED)
    audit.record(
        actor=actor,
        action="draw.announce",
        obj=draw,
        summary=f"公告抽取 {draw.public_id}：对象池 {sum(s['size'] for s in draw.strata)} 个，拟抽 {sum(s['quota'] for s in draw.strata)} 个，抽取时间 {timezone.localtime(draw_at):%Y-%m-%d %H:%M}",
        detail={
            "pool_root": draw.pool_root,
            "terms_hash": draw.terms_hash,
            "secret_commitment": draw.secret_commitment,
            "exclusions": draw.exclusions,
        },
    )
    return draw


def _locked(draw: TargetDraw) -> TargetDraw:
    return TargetDraw.objects.select_for_update().select_related("task").get(pk=draw.pk)


@transaction.atomic
def draw_run(
    *, actor, draw: TargetDraw, public_value: str = "", now: dt.datetime | None = None
) -> TargetDraw:
    """The target draw. Refused while another draw of the task runs (row lock), before the
    announced time, or while any witness has not revealed."""
    _draw_lead(actor, draw)
    task = Task.objects.select_for_update().get(pk=draw.task_id)
    draw = _locked(draw)
    if draw.status != DrawStatus.ANNOUNCED or task.state != TaskState.ANNOUNCED:
        raise DomainError("本次抽取已进行或已结束，不能重复抽取")
    now = now or timezone.now()
    if now < draw.draw_at:
        raise DomainError(f"未到公告的抽取时间（{timezone.localtime(draw.draw_at):%Y-%m-%d %H:%M}）")
    witnesses = list(draw.witnesses.all())
    if len(witnesses) < settings.DRAW_MIN_WITNESSES:
        raise DomainError(f"至少需要 {settings.DRAW_MIN_WITNESSES} 名见证人")
    pending = [w.label for w in witnesses if not w.revealed_at]
    if pending:
        raise DomainError(f"{'、'.join(pending)} 尚未揭示；如无法揭示，请中止本次抽取并重新公告")
    if draw.public_value_at and now < draw.public_value_at:
        raise DomainError(
            f"公告的公开随机值尚未产生（{timezone.localtime(draw.public_value_at):%Y-%m-%d %H:%M}），请届时再抽取"
        )
    if draw.public_value_source and not public_value.strip():
        raise DomainError(f"请填写公告的公开随机值（{draw.public_value_source}）", field="public_value")
    if not witnesses and not public_value.strip():
        raise DomainError("没有见证人时必须使用公开随机值")
    draw.public_value = public_value.strip()
    seed = engine.derive_seed(
        draw_id=draw.public_id,
        secret_hex=draw.server_secret(),
        pool_root_hex=draw.pool_root,
        reveals=[engine.Reveal(w.label, w.number, w.salt_hex) for w in witnesses],
        public_value=draw.public_value,
        terms_hash_hex=draw.terms_hash or None,
    )
    wanted = {
        s["label"]: engine.select_positions(seed, s["label"], s["size"], s["quota"]) for s in draw.strata
    }
    chosen = _resolve(draw, wanted)
    selected = _insert_selections(draw, wanted, chosen)
    selected += _carry(draw, first_order=selected + 1)
    _check_drawn_targets(draw, selected)
    draw.seed, draw.status, draw.drawn_at, draw.drawn_by = seed.hex(), DrawStatus.DRAWN, now, actor
    # the record publishes it from now on (a later void keeps it public)
    draw.secret_revealed = draw.server_secret()
    draw.save(update_fields=["seed", "status", "drawn_at", "drawn_by", "public_value", "secret_revealed"])
    draw_settled.send(sender=TargetDraw, draw=draw)  # the reports' rollup (reports/apps.py)
    planning.task_transition(actor=actor, task=task, to=TaskState.DRAWN)
    audit.record(
        actor=actor,
        action="draw.run",
        obj=draw,
        summary=f"{draw.public_id} 抽取完成：抽中 {selected} 个对象",
        detail={"seed": draw.seed, "counts": {s["label"]: s["quota"] for s in draw.strata}},
    )
    return draw


_RATING_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # 32 characters: a byte's low 5 bits pick one
_RATING_TABLE = bytes(ord(_RATING_ALPHABET[b & 31]) for b in range(256))  # byte → its character


def rating_code() -> str:
    """Eight characters a person can type from paper, without look-alikes (0/O, 1/I); each
    uniform over the 32 (256 is a multiple of 32), from the operating system's CSPRNG."""
    return secrets.token_bytes(8).translate(_RATING_TABLE).decode()


def _check_drawn_targets(draw: TargetDraw, selected: int) -> None:
    """Every Selection row names the target whose key it holds: the pool file's target ids are
    not in the committed leaves, so an id changed in the file is caught here — and a target row
    gone since the freeze too (Selection.target has no database constraint: models.py)."""
    named = (
        Selection.objects.filter(draw=draw)
        .annotate(target_key=pool.key_expr("target__"))
        .filter(key=F("target_key"))
        .count()
    )
    if named != selected:
        raise DomainError("冻结的对象池中的对象编号与检查对象名录不符，抽取已停止，请联系审计员")


def _resolve(
    draw: TargetDraw, wanted: dict[str, list[int]]
) -> dict[tuple[str, int], tuple[str, int, bytes, str]]:
    """Positions → (key, target id, audit path as concatenated hashes, salt), streaming the frozen
    pool file once (never read whole); each stratum's root is recomputed and must equal the
    committed one, and (ssj-pool-v3) its leaves must rise strictly — a changed pool file is caught.
    This process reads the file and hashes the leaves; for a large pool a helper process folds the
    trees and collects the paths (leaves.HelperFolder), on the second core."""
    sizes = {s["label"]: s["size"] for s in draw.strata}
    labels = {label.encode(): label for label in sizes}
    want = {label: sorted(set(ps)) for label, ps in wanted.items()}
    counts = dict.fromkeys(sizes, 0)
    found: dict[tuple[str, int], tuple[str, int, str]] = {}
    salted = draw.pool_format in engine.SALTED
    width = 5 if salted else 4  # label, position, key, target id[, salt]
    prefix = engine.salted_leaf_prefix(draw.public_id)
    last: dict[str, bytes] = {}

    def mismatch(label):
        return DomainError(f"冻结的对象池与公告的承诺不符（分层 {label}），抽取已停止，请联系审计员")

    folder = pool.leaf_folder(
        sum(sizes.values()) >= pool.HELPER_MIN, want={label: (sizes[label], wanted[label]) for label in sizes}
    )
    try:
        label = None
        with draw.pool_file.open("rb") as f:
            try:
                for tag, fields in pool.candidate_runs(f, width):
                    label = labels.get(tag)
                    if label is None:
                        raise mismatch(tag.decode(errors="replace"))
                    start, n = counts[label], len(fields) // width
                    counts[label] = start + n
                    if counts[label] > sizes[label]:
                        raise mismatch(label)
                    # the file's positions are 0…size-1, in order
                    if list(map(int, fields[1::width])) != list(range(start, start + n)):
                        raise mismatch(label)
                    keys = fields[2::width]
                    if salted:
                        salts = fields[4::width]
                        leaves = engine.salted_leaves(prefix, salts, keys)
                        # ssj-pool-v3's leaves rise strictly, across the runs of a stratum too
                        if last.get(label, b"") >= leaves[0] or not all(map(lt, leaves, leaves[1:])):
                            raise mismatch(label)
                        last[label] = leaves[-1]
                    else:
                        salts = [b""] * n
                        leaves = engine.leaf_hashes(engine.leaf_prefix(label, draw.pool_format), keys)
                    folder.add_leaves(label, leaves)
                    ps = want[label]
                    for position in ps[bisect_left(ps, start) : bisect_left(ps, start + n)]:
                        k = position - start
                        found[(label, position)] = (
                            keys[k].decode(),
                            int(fields[width * k + 3]),
                            salts[k].decode(),
                        )
            except (ValueError, IndexError, UnicodeDecodeError):  # a malformed line
                raise mismatch(label) from None
        for s in draw.strata:
            if counts[s["label"]] != s["size"]:
                raise mismatch(s["label"])
        roots = folder.roots()
        paths = folder.paths()
    finally:
        folder.close()
    out = {}
    for s in draw.strata:
        if roots[s["label"]][1] != s["root"]:
            raise mismatch(s["label"])
        for position in wanted[s["label"]]:
            key, pk, salt = found[(s["label"], position)]
            out[(s["label"], position)] = (key, pk, paths[s["label"]][position], salt)
    return out


def _carry(draw: TargetDraw, *, first_order: int) -> int:
    """A partial redraw's entries kept from the voided draw (the pool file's "carried" lines),
    after the drawn ones: no stratum or position in this draw's pool — their proof is the voided
    draw's record — and new codes for their notices."""
    if not draw.redraw_of_id or "carried" not in draw.exclusions or not draw.exclusions["carried"]:
        return 0
    with draw.pool_file.open("rb") as f:
        ids = {int(x[3]) for x in pool.read_pool_lines(f) if x[:2] == ["X", "carried"]}
    kept = list(draw.redraw_of.selections.filter(target_id__in=ids).order_by("key"))
    if len(kept) != len(ids):
        raise DomainError("沿用的对象与作废抽取的名单不符，抽取已停止，请联系审计员")
    Selection.objects.bulk_create(
        [
            Selection(
                draw=draw,
                label="",
                order=first_order + i,
                position=None,
                key=s.key,
                target_id=s.target_id,
                path=b"",
                token=secrets.token_urlsafe(32),
                rating_code=rating_code(),
                carried_from=s,
            )
            for i, s in enumerate(kept)
        ]
    )
    return len(kept)


_INSERT_BATCH = 5000
_SELECTION_COLUMNS = (
    'draw_id, label, "order", position, key, target_id, path, token, rating_code, salt, proof_code'
)
# their types, for COPY's binary format (the paths go as their bytes, not escaped as text)
_SELECTION_TYPES = ["int8", "text", "int4", "int4", "text", "int8", "bytea", "text", "text", "text", "text"]


def _insert_selections(
    draw: TargetDraw, wanted: dict[str, list[int]], chosen: dict[tuple[str, int], tuple[str, int, bytes, str]]
) -> int:
    """The Selection rows, in the order drawn (stratum by stratum, in label order): streamed by
    binary COPY on PostgreSQL (no parameters for the client to bind: binding 30,000 rows' arrays
    took longer than the database's insert), in batches elsewhere, so that neither 30,000 model
    objects nor 30,000 paths sit in memory at once."""

    def rows():
        order = 0
        for s in draw.strata:
            label = s["label"]
            for position in wanted[label]:
                key, target_id, path, salt = chosen[(label, position)]
                order += 1
                yield (
                    draw.pk,
                    label,
                    order,
                    position,
                    key,
                    target_id,
                    path,
                    secrets.token_urlsafe(32),
                    rating_code(),
                    salt,
                    rating_code() if salt else "",
                )

    n = 0
    if connection.vendor == "postgresql":
        with connection.cursor() as django_cursor:
            raw = django_cursor.connection  # the psycopg connection, in this transaction
            with (
                raw.cursor() as cur,
                cur.copy(f"COPY draw_selection ({_SELECTION_COLUMNS}) FROM STDIN (FORMAT BINARY)") as cp,
            ):
                cp.set_types(_SELECTION_TYPES)
                for row in rows():
                    cp.write_row(row)
                    n += 1
        return n
    batch: list[Selection] = []
    for _, label, o, position, key, target_id, path, token, code, salt, proof in rows():
        batch.append(
            Selection(
                draw=draw,
                label=label,
                order=o,
                position=position,
                key=key,
                target_id=target_id,
                path=path,
                token=token,
                rating_code=code,
                salt=salt,
                proof_code=proof,
            )
        )
        n += 1
        if len(batch) >= _INSERT_BATCH:
            Selection.objects.bulk_create(batch)
            batch = []
    Selection.objects.bulk_create(batch)
    return n


@transaction.atomic
def draw_abort(*, actor, draw: TargetDraw, reason: str) -> TargetDraw:
    """A witness did not reveal: the draw stops, recorded; the task may be announced again."""
    _draw_lead(actor, draw)
    return _end(actor, draw, reason, DrawStatus.ABORTED, from_status=DrawStatus.ANNOUNCED)


def _end(
    actor, draw: TargetDraw, reason: str, status: str, *, from_status: str, void_reason: str = ""
) -> TargetDraw:
    """End a draw (the caller checked who may): aborted by the lead department (draw_abort), or
    voided once the office confirms the lead department's request (voids.void_confirm)."""
    if not reason.strip():
        raise DomainError("请填写原因", field="reason")
    task = Task.objects.select_for_update().get(pk=draw.task_id)
    draw = _locked(draw)
    if draw.status != from_status:
        raise DomainError(f"本次抽取状态为“{draw.get_status_display()}”，不能{DrawStatus(status).label[1:]}")
    if TaskState.PLANNED not in TASK_TRANSITIONS[task.state]:
        raise DomainError(
            f"任务当前为“{task.get_state_display()}”，检查已经开始，不能{DrawStatus(status).label[1:]}本次抽取；"
            "如确需停止，请由牵头部门或双随机办公室作废任务并说明原因"
        )
    draw.status, draw.ended_reason, draw.ended_at, draw.ended_by = status, reason, timezone.now(), actor
    draw.void_reason = void_reason
    draw.save(update_fields=["status", "ended_reason", "void_reason", "ended_at", "ended_by"])
    draw_settled.send(sender=TargetDraw, draw=draw)  # the reports' rollup (reports/apps.py)
    planning.task_transition(
        actor=actor, task=task, to=TaskState.PLANNED, reason=f"{DrawStatus(status).label}：{reason}"
    )
    audit.record(
        actor=actor,
        action=f"draw.{status}",
        obj=draw,
        summary=f"{draw.public_id} {DrawStatus(status).label}：{reason}",
    )
    return draw


# ---- teams --------------------------------------------------------------------------------------


def _eligibility(department, task: Task) -> tuple[list[Inspector], list[dict]]:
    """On duty, not an expert, 执法证 valid through the task window (R-INS-1, R-DRAW-3)."""
    ok, skipped = [], []
    for i in (
        Inspector.objects.filter(department=department)
        .select_related("business_line")
        .prefetch_related("specialties")
        .order_by("pk")
    ):
        if i.is_expert:
            continue
        if not i.on_duty:
            skipped.append({"name": i.name, "reason": "离岗"})
        elif not i.certificate_no or not i.certificate_expiry:
            skipped.append({"name": i.name, "reason": "无执法证信息"})
        elif i.certificate_expiry < task.window_end:
            when = "已过期" if i.certificate_expiry < timezone.localdate() else "在任务期间到期"
            skipped.append(
                {
                    "name": i.name,
                    "reason": f"执法证 {i.certificate_expiry:%Y-%m-%d} {when}，早于任务结束日期 {task.window_end:%Y-%m-%d}",
                }
            )
        else:
            ok.append(i)
    return ok, skipped


def _candidate(i: Inspector) -> engine.Candidate:
    specs = {t.name for t in i.specialties.all()}
    if i.business_line_id:
        specs.add(f"条线:{i.business_line.name}")
    return engine.Candidate(key=i.certificate_no, specialties=frozenset(specs))


def _requirements(task: Task, department) -> list[str]:
    """Specialties the department's items in this task require, and, for an internal joint task,
    one member of each participating business line."""
    claimed = task.items.filter(claims__department=department)
    required = sorted(
        {
            t.name
            for item in claimed.prefetch_related("required_specialties")
            for t in item.required_specialties.all()
        }
    )
    if task.mode == TaskMode.INTERNAL_JOINT:
        required += [f"条线:{b.name}" for b in task.business_lines.order_by("name")]
    return required


_INSERT_MEMBERS_PG = """
INSERT INTO draw_teammember (selection_id, department_id, inspector_id, is_expert, via, active)
SELECT x.selection_id, %s, x.inspector_id, false, 'draw', true
FROM unnest(%s::bigint[], %s::bigint[]) AS x (selection_id, inspector_id)
"""


def _insert_members(department_id: int, selection_ids: list[int], inspector_ids: list[int]) -> None:
    """TeamMember rows, set-based: one INSERT … SELECT FROM unnest(…) per 20,000 on PostgreSQL (as
    fast as COPY here, measured: the rows' index entries and foreign-key checks dominate)."""
    for k in range(0, len(selection_ids), 20_000):
        sel, ins = selection_ids[k : k + 20_000], inspector_ids[k : k + 20_000]
        if connection.vendor == "postgresql":
            with connection.cursor() as cur:
                cur.execute(_INSERT_MEMBERS_PG, [department_id, sel, ins])
        else:
            TeamMember.objects.bulk_create(
                [
                    TeamMember(selection_id=s, department_id=department_id, inspector_id=i)
                    for s, i in zip(sel, ins, strict=True)
                ]
            )


def team_spec(draw: TargetDraw) -> str:
    """The team-draw rules a record was drawn under: records from before ssj-team-v2 carry no
    version and were drawn under v1."""
    return next((s.get("spec") for s in draw.team_summary.values() if s.get("spec")), engine.TEAM_V1)


@transaction.atomic
def teams_draw(*, actor, draw: TargetDraw) -> TargetDraw:
    """随机匹配: each department of the task draws its own team for every drawn target (R-DRAW-5);
    hard rules fail the draw with nothing saved, workload is spread as evenly as they allow.
    New records are drawn under ssj-team-v2 (docs/draw-spec.md §7); the inputs — each
    department's eligible candidates with the required specialties they hold, the conflicts as
    they stood — are recorded in the team summary, so that the teams can be re-derived."""
    _draw_lead(actor, draw)
    task = Task.objects.select_for_update().get(pk=draw.task_id)
    draw = _locked(draw)
    if draw.status != DrawStatus.DRAWN or task.state != TaskState.DRAWN:
        raise DomainError("请先完成对象抽取；人员只能匹配一次（如需重新匹配，请作废本次抽取）")
    seed = bytes.fromhex(draw.seed)
    selections = list(draw.selections.order_by("order").values_list("pk", "key", "target_id"))
    conflicts: dict[int, set[int]] = {}
    for insp_id, target_id in Conflict.objects.filter(target__selections__draw=draw).values_list(
        "inspector_id", "target_id"
    ):
        conflicts.setdefault(target_id, set()).add(insp_id)
    members = 0
    summary = {}
    for department in task.departments.order_by("pk"):
        eligible, skipped = _eligibility(department, task)
        required = _requirements(task, department)
        size = max(task.team_size, sum(1 for r in required if r.startswith("条线:")))
        cands = [_candidate(i) for i in eligible]
        pk_of = {i.certificate_no: i.pk for i in eligible}
        key_of = {i.pk: i.certificate_no for i in eligible}
        drawer = engine.team_drawer(engine.TEAM_V2, seed, department.name, cands, required, size)
        sel_ids, ins_ids, barred_record = [], [], {}
        for selection_id, key, target_id in selections:
            barred = [key_of[i] for i in conflicts.get(target_id, ()) if i in key_of]
            if barred:
                barred_record[key] = sorted(barred)
            try:
                team = drawer.draw(key, barred)
            except engine.DrawError as e:
                name = Target.objects.filter(pk=target_id).values_list("name", flat=True).first()
                raise DomainError(f"人员匹配失败（检查对象：{name}）：{e}；未保存任何结果") from None
            for c in team:
                sel_ids.append(selection_id)
                ins_ids.append(pk_of[c.key])
        _insert_members(department.pk, sel_ids, ins_ids)
        members += len(sel_ids)
        wanted = set(required)
        summary[department.name] = {
            "eligible": len(eligible),
            "skipped": skipped,
            "team_size": size,
            "required": required,
            "load_min": min(drawer.load.values(), default=0),
            "load_max": max(drawer.load.values(), default=0),
            "spec": drawer.spec,
            "candidates": [
                {"key": c.key, "specialties": sorted(c.specialties & wanted)} for c in sorted(cands, key=_key)
            ],
            "barred": barred_record,
        }
    draw.teams_drawn_at, draw.teams_drawn_by, draw.team_summary = timezone.now(), actor, summary
    draw.save(update_fields=["teams_drawn_at", "teams_drawn_by", "team_summary"])
    planning.task_transition(actor=actor, task=task, to=TaskState.TEAMS_DRAWN)
    audit.record(
        actor=actor,
        action="draw.teams",
        obj=draw,
        summary=f"{draw.public_id} 人员匹配完成：{members} 人次",
        detail={
            d: {k: v for k, v in s.items() if k not in ("candidates", "barred")} for d, s in summary.items()
        },
    )
    return draw


def _key(c: engine.Candidate) -> str:
    return c.key


# ---- recusal ------------------------------------------------------------------------------------


@transaction.atomic
def recusal_request(*, actor, member: TeamMember, reason: str) -> RecusalRequest:
    """Recorded from the enterprise's request (via its verification page, or entered by staff)."""
    if getattr(actor, "is_authenticated", False) and (
        actor.role not in (Role.DEPT_ADMIN, Role.REVIEWER) or actor.department_id != member.department_id
    ):
        raise Forbidden("回避申请由该人员所在部门的管理员或主管领导登记")
    if not reason.strip():
        raise DomainError("请说明申请回避的理由", field="reason")
    if not member.active:
        raise DomainError("该人员已不在检查组中")
    if member.recusals.filter(status=RecusalStatus.PENDING).exists():
        raise DomainError("已有待决定的回避申请")
    req = RecusalRequest.objects.create(
        member=member,
        reason=reason.strip(),
        requested_at=timezone.now(),
        recorded_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    audit.record(
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action="recusal.request",
        obj=req,
        summary=f"申请回避：{member.inspector.name}（{member.selection.target.name}）：{reason}",
    )
    return req


@transaction.atomic
def recusal_decide(*, actor, request: RecusalRequest, approve: bool, note: str = "") -> RecusalRequest:
    """The department's 主管领导 decides — never whoever ran the draw. An approved recusal draws
    the replacement from the same seed and the same rules, recorded."""
    require(actor, Action.RECUSAL_DECIDE)
    req = (
        RecusalRequest.objects.select_for_update()
        .select_related("member__selection__draw__task", "member__department")
        .get(pk=request.pk)
    )
    member = req.member
    draw = member.selection.draw
    if not editable_by(RecusalRequest, actor).filter(pk=req.pk).exists():
        raise Forbidden("只能决定本部门人员的回避申请")
    if actor.pk in (draw.drawn_by_id, draw.teams_drawn_by_id):
        raise Forbidden("组织抽取的人员不能决定回避申请，请由主管领导决定")
    if req.status != RecusalStatus.PENDING:
        raise DomainError("该申请已决定")
    req.status = RecusalStatus.APPROVED if approve else RecusalStatus.REJECTED
    req.decided_by, req.decided_at, req.decision_note = actor, timezone.now(), note
    req.save()
    replacement = None
    if approve:
        replacement = _replace(member, draw)
    audit.record(
        actor=actor,
        action="recusal.decide",
        obj=req,
        summary=f"{'同意' if approve else '不同意'} {member.inspector.name} 回避 {member.selection.target.name}"
        + (f"；替补：{replacement.inspector.name}" if replacement else ""),
        detail={"note": note},
    )
    return req


def _replace(member: TeamMember, draw: TargetDraw) -> TeamMember:
    task, selection, department = draw.task, member.selection, member.department
    member.active = False
    member.save(update_fields=["active"])
    team = list(selection.team.filter(active=True, department=department).select_related("inspector"))
    barred = set(Conflict.objects.filter(target=selection.target).values_list("inspector_id", flat=True))
    barred |= {m.inspector_id for m in team} | set(
        selection.team.filter(active=False).values_list("inspector_id", flat=True)
    )
    eligible, _ = _eligibility(department, task)
    cands = {i.certificate_no: (i, _candidate(i)) for i in eligible if i.pk not in barred}
    held = {s for m in team for s in _candidate(m.inspector).specialties}
    missing = [r for r in _requirements(task, department) if r not in held]
    load: dict[str, int] = {}
    for ins_cert in TeamMember.objects.filter(
        selection__draw=draw, active=True, department=department
    ).values_list("inspector__certificate_no", flat=True):
        load[ins_cert] = load.get(ins_cert, 0) + 1
    seed = bytes.fromhex(draw.seed)
    if team_spec(draw) == engine.TEAM_V2:
        pick = engine.replacement_v2(
            seed,
            target_key=selection.key,
            department=department.name,
            recused_key=member.inspector.certificate_no,
            candidates=[c for _, c in cands.values()],
            missing=missing,
            load=load,
        )
    else:  # a record drawn under v1 keeps v1's rule: the first in team order holding what is missing
        ordered = engine.team_order(
            seed, selection.key, department.name, [c for _, c in cands.values()], load
        )
        pick = next((c for c in ordered if all(m in c.specialties for m in missing)), None)
    if pick is None:
        raise DomainError(f"没有可替补的执法人员（需具备：{'、'.join(missing) or '无'}），请调整后再决定")
    new = TeamMember.objects.create(
        selection=selection, department=department, inspector=cands[pick.key][0], via="recusal"
    )
    member.replaced_by = new
    member.save(update_fields=["replaced_by"])
    return new


def masked_key(selection: Selection) -> str:
    return selection.key if selection.target.kind != TargetKind.PERSON else selection.key[:12] + "…"
