"""见证人 on their own devices (issue 16): the lead department registers each witness and hands
them a one-time link (shown once, as a link and a QR code); the witness opens it on their own
phone, types a number there (the platform keeps only its salted hash until the reveal) and, once
every registered witness has committed, types it again to reveal it. Nobody types a witness's
number into the lead administrator's session.

The link's token is the credential: only its SHA-256 is stored (Witness.device_token_hash); a
new link replaces the old one, and the reveal spends it. Actions on the witness's own device are
recorded with no actor (the witness has no account); registering, new links and removals by the
lead department's administrator."""

import datetime as dt
import secrets

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from shuangsuiji.core import audit
from shuangsuiji.core.errors import DomainError, NotFound

from . import engine
from .models import DrawStatus, TargetDraw, Witness
from .selectors import device_token_digest, witness_by_token
from .services import _draw_lead, _locked

_LINK_INVALID = "该见证人链接无效或已失效"


def _new_token() -> tuple[str, str]:
    token = secrets.token_urlsafe(24)
    return token, device_token_digest(token)


def _when(moment: dt.datetime) -> str:
    return f"{timezone.localtime(moment):%Y-%m-%d %H:%M}"


def commit_closed(draw: TargetDraw, now: dt.datetime | None = None) -> str | None:
    """Why no witness may commit (or be registered) now, or None: the draw is over, a witness
    has already revealed, or the public random value's time has come (a number chosen after it
    could be chosen knowing it)."""
    if draw.status != DrawStatus.ANNOUNCED:
        return f"本次抽取已结束（{draw.get_status_display()}），承诺已截止"
    if draw.witnesses.filter(revealed_at__isnull=False).exists():
        return "已有见证人揭示数字，承诺已截止"
    now = now or timezone.now()
    if draw.public_value_at and now >= draw.public_value_at:
        return f"公开随机值已于 {_when(draw.public_value_at)} 产生，承诺已截止"
    return None


def reveal_blocked(draw: TargetDraw) -> str | None:
    """Why no witness may reveal yet, or None: at least DRAW_MIN_WITNESSES have committed and
    every registered witness has (one who never commits holds the reveal up: the lead removes
    them, or aborts the draw)."""
    if draw.status != DrawStatus.ANNOUNCED:
        return f"本次抽取已结束（{draw.get_status_display()}），不能揭示"
    witnesses = list(draw.witnesses.all())
    committed = [w for w in witnesses if w.committed_at]
    if len(committed) < settings.DRAW_MIN_WITNESSES:
        return f"至少需要 {settings.DRAW_MIN_WITNESSES} 名见证人全部承诺后才能揭示（目前已承诺 {len(committed)} 名）"
    pending = [w.label for w in witnesses if not w.committed_at]
    if pending:
        return (
            f"{'、'.join(pending)} 已登记但尚未承诺，全部见证人承诺后才能揭示；"
            "如其无法承诺，请组织抽取的工作人员移除该见证人，或中止本次抽取"
        )
    return None


# ---- the lead department ------------------------------------------------------------------------


@transaction.atomic
def witness_invite(*, actor, draw: TargetDraw, label: str, description: str) -> tuple[Witness, str]:
    """登记见证人: a witness row with no commitment yet and a one-time link for their own device.
    Returns the witness and the link's token — shown once, never stored."""
    _draw_lead(actor, draw)
    draw = _locked(draw)
    label, description = (label or "").strip(), (description or "").strip()
    if not label or len(label) > 20:
        raise DomainError("请填写见证人编号（不超过 20 个字）", field="label")
    if not description or len(description) > 100:
        raise DomainError(
            "请填写见证人身份（不超过 100 个字），如：区纪委监委派驻纪检组干部", field="description"
        )
    if draw.status != DrawStatus.ANNOUNCED:
        raise DomainError("本次抽取已结束，不能再登记见证人")
    if draw.witnesses.filter(revealed_at__isnull=False).exists():
        raise DomainError("已有见证人揭示数字，不能再增加见证人")
    closed = commit_closed(draw)
    if closed:
        raise DomainError(f"{closed}，不能再登记见证人")
    if draw.witnesses.filter(label=label).exists():
        raise DomainError(f"{label} 已登记", field="label")
    token, digest = _new_token()
    w = Witness.objects.create(
        draw=draw, label=label, description=description, device_token_hash=digest, invited_at=timezone.now()
    )
    audit.record(
        actor=actor,
        action="draw.witness_invite",
        obj=draw,
        summary=f"{draw.public_id} 登记{label}（{description}），生成本人设备链接",
    )
    return w, token


def _uncommitted(actor, witness: Witness, doing: str) -> tuple[TargetDraw, Witness]:
    """The lead's checks before changing a registered witness: the draw still announced, the
    witness not committed (a committed witness's number is part of the draw: it stays)."""
    _draw_lead(actor, witness.draw)
    draw = _locked(witness.draw)
    w = draw.witnesses.select_for_update().filter(pk=witness.pk).first()
    if w is None:
        raise NotFound("没有该见证人")
    if draw.status != DrawStatus.ANNOUNCED:
        raise DomainError(f"本次抽取已结束，不能{doing}")
    if w.committed_at:
        raise DomainError(f"{w.label} 已承诺，不能{doing}")
    return draw, w


@transaction.atomic
def witness_reissue(*, actor, witness: Witness) -> str:
    """重新生成链接 for a witness who has not committed (the link was lost or seen by another):
    the old link stops working."""
    draw, w = _uncommitted(actor, witness, "重新生成链接")
    token, w.device_token_hash = _new_token()
    w.save(update_fields=["device_token_hash"])
    audit.record(
        actor=actor,
        action="draw.witness_reissue",
        obj=draw,
        summary=f"{draw.public_id} 为{w.label}重新生成本人设备链接，原链接作废",
    )
    return token


@transaction.atomic
def witness_remove(*, actor, witness: Witness) -> None:
    """移除 a registered witness who has not committed (and so holds up the reveal)."""
    draw, w = _uncommitted(actor, witness, "移除")
    label, description = w.label, w.description
    w.delete()
    audit.record(
        actor=actor,
        action="draw.witness_remove",
        obj=draw,
        summary=f"{draw.public_id} 移除未承诺的{label}（{description}）",
    )


# ---- the witness's own device -------------------------------------------------------------------


def _by_token(token: str) -> tuple[TargetDraw, Witness]:
    found = witness_by_token(token)
    if found is None:
        raise NotFound(_LINK_INVALID)
    draw = _locked(found.draw)
    w = (
        draw.witnesses.select_for_update()
        .filter(pk=found.pk, device_token_hash=found.device_token_hash)
        .first()
    )
    if w is None:  # replaced or spent while this request waited for the lock
        raise NotFound(_LINK_INVALID)
    return draw, w


def _digits(number: str) -> str:
    number = (number or "").strip()
    if not number.isascii() or not number.isdigit() or len(number) > 20:
        raise DomainError("请输入 1–20 位数字", field="number")
    return number


@transaction.atomic
def witness_commit(*, token: str, number: str) -> Witness:
    """承诺, from the witness's own page: the platform picks the salt and keeps only
    witness_commitment(draw id, label, number, salt) — the number itself is not stored until the
    reveal."""
    draw, w = _by_token(token)
    if w.committed_at:
        raise DomainError(f"{w.label} 已承诺，不能重复承诺")
    closed = commit_closed(draw)
    if closed:
        raise DomainError(closed)
    number = _digits(number)
    w.salt_hex = secrets.token_hex(16)
    w.commitment = engine.witness_commitment(draw.public_id, w.label, number, w.salt_hex)
    w.committed_at = timezone.now()
    w.save(update_fields=["salt_hex", "commitment", "committed_at"])
    audit.record(
        actor=None,
        action="draw.witness_commit",
        obj=draw,
        summary=f"{draw.public_id} {w.label}（本人设备）承诺：{w.commitment[:16]}…",
    )
    return w


@transaction.atomic
def witness_reveal(*, token: str, number: str) -> Witness:
    """揭示, from the witness's own page, once every registered witness has committed: the number
    typed again must open the commitment. The link is spent."""
    draw, w = _by_token(token)
    if not w.committed_at:
        raise DomainError(f"{w.label} 尚未承诺，请先输入数字承诺")
    if w.revealed_at:
        raise DomainError(f"{w.label} 已揭示")
    blocked = reveal_blocked(draw)
    if blocked:
        raise DomainError(blocked)
    number = (number or "").strip()
    if engine.witness_commitment(draw.public_id, w.label, number, w.salt_hex) != w.commitment:
        raise DomainError(f"{w.label} 输入的数字与其承诺不符，请本人重新输入", field="number")
    w.number, w.revealed_at, w.device_token_hash = number, timezone.now(), ""
    w.save(update_fields=["number", "revealed_at", "device_token_hash"])
    audit.record(
        actor=None,
        action="draw.witness_reveal",
        obj=draw,
        summary=f"{draw.public_id} {w.label}（本人设备）揭示：{number}",
    )
    return w
