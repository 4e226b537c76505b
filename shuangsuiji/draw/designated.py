"""The designated list of a triggered task (触发式检查, issue 19): its targets are given by the
trigger, not drawn, so it has no pool, no strata and no witnesses — but it is recorded as a draw
of the task (spec `ssj-designated`), so that the same team draw (`services.teams_draw`: ≥ 2,
recusal, specialties, even workload), notices, check-in, results, review, publication and
follow-up run on it unchanged.

Its team-draw seed comes from a server secret alone, revealed in the record as soon as the list
is made (there is no target draw for witnesses to vouch for); the teams can be re-derived from
it as for a random draw. A designated list is never a public draw record (`public_draws` lists
tasks of published plans only; a triggered task is in none) and never counts as a random draw
(reports count `Task.kind = random` only; the pool reads it as the `triggered` exclusion)."""

import hashlib
import secrets

from django.db import transaction
from django.utils import timezone

from shuangsuiji.core import audit
from shuangsuiji.core.errors import DomainError, Forbidden
from shuangsuiji.core.permissions import Action, require
from shuangsuiji.core.scope import editable_by
from shuangsuiji.directory.models import Target
from shuangsuiji.planning import services as planning
from shuangsuiji.planning.models import Task, TaskKind, TaskState

from . import engine
from .models import DrawStatus, Selection, TargetDraw
from .services import rating_code
from .signals import draw_settled

SPEC = "ssj-designated"


def _key(t: Target) -> str:
    return t.uscc or f"{t.kind}:{t.nonmarket_key}"


def designated_seed(draw_id: str, secret_hex: str) -> str:
    """The team draw's seed: SHA-256 over a domain tag, the draw id and the server secret."""
    return hashlib.sha256(
        b"ssj-designated\x00" + draw_id.encode() + b"\x00" + bytes.fromhex(secret_hex)
    ).hexdigest()


@transaction.atomic
def designated_list(*, actor, task: Task, targets: list[Target]) -> TargetDraw:
    """The triggered task's targets, as its one draw, made when the department head approves it
    (triggers/services.py `task_request_decide`): the moment it starts to count against random
    draws (draw/pool.py, `triggered`). The task goes planned → announced → drawn, each recorded."""
    require(actor, Action.TRIGGER_APPROVE)
    if not editable_by(Task, actor).filter(pk=task.pk).exists():
        raise Forbidden("只能为本部门的触发式检查任务确定检查对象")
    task = Task.objects.select_for_update().get(pk=task.pk)
    if task.kind != TaskKind.TRIGGERED:
        raise DomainError("双随机抽查任务的检查对象只能随机抽取")
    if task.state != TaskState.PLANNED or task.draws.exists():
        raise DomainError(f"任务当前状态为“{task.get_state_display()}”，检查对象已确定")
    if not targets:
        raise DomainError("请至少指定一个检查对象", field="targets")
    now = timezone.now()
    secret = secrets.token_hex(32)
    public_id = f"{task.code}-1"
    draw = TargetDraw.objects.create(
        task=task,
        seq=1,
        public_id=public_id,
        status=DrawStatus.DRAWN,
        draw_at=now,
        announced_at=now,
        announced_by=actor,
        secret_sealed="",
        secret_revealed=secret,
        secret_commitment=engine.server_secret_commitment(public_id, secret),
        spec=SPEC,
        pool_root="",
        pool_format="",
        strata=[],
        exclusions={},
        terms={"spec": SPEC, "draw_id": public_id, "teams": engine.TEAM_V2, "targets": len(targets)},
        seed=designated_seed(public_id, secret),
        drawn_at=now,
        drawn_by=actor,
    )
    Selection.objects.bulk_create(
        [
            Selection(
                draw=draw,
                label="",
                order=i,
                position=None,
                key=_key(t),
                target=t,
                path=b"",
                token=secrets.token_urlsafe(32),
                rating_code=rating_code(),
            )
            for i, t in enumerate(sorted(targets, key=_key), 1)
        ]
    )
    Task.objects.filter(pk=task.pk).update(total=len(targets))
    planning.task_transition(
        actor=actor, task=task, to=TaskState.ANNOUNCED, reason="触发式检查：指定检查对象"
    )
    draw_settled.send(sender=TargetDraw, draw=draw)  # the reports' rollup (reports/apps.py)
    planning.task_transition(actor=actor, task=task, to=TaskState.DRAWN)
    audit.record(
        actor=actor,
        action="draw.designate",
        obj=draw,
        summary=f"{public_id} 触发式检查指定检查对象 {len(targets)} 个：{'、'.join(t.name for t in targets[:5])}"
        + ("等" if len(targets) > 5 else ""),
        detail={"targets": [_key(t) for t in targets], "secret_commitment": draw.secret_commitment},
    )
    return draw
