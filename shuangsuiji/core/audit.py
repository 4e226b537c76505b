"""The audit chain: one entry per action, each hashed over its content and its predecessor's
hash. `record` is called inside the acting service's transaction, so an action and its entry
commit or roll back together.

Tamper resistance (docs/audit-log.md; GB/T 22239-2019 8.1.4.3 c):
- v2 entries are keyed: HMAC-SHA256 with settings.AUDIT_KEY, kept outside the database, so
  whoever can write the table cannot recompute the chain after an edit;
- the head (seq, hash, time) is published as an anchor on the public portal at least daily, so
  a rewrite by someone who has the key, or a truncated chain with its head rewound, disagrees
  with copies kept outside the database (`audit_verify --anchors FILE`);
- on PostgreSQL a trigger refuses UPDATE, DELETE and TRUNCATE on the log and its anchors, and
  the application's role holds only SELECT and INSERT on them (migration 0004_audit_anchors).
"""

import datetime as dt
import hashlib
import hmac
import json
import re
from datetime import UTC

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django_tasks import task

from .models import AuditAnchor, AuditEntry, AuditHead, AuditScheme

GENESIS = "0" * 64
CURRENT_SCHEME = AuditScheme.HMAC_SHA256
_HEX64 = re.compile(r"[0-9a-f]{64}")


def _body(e: AuditEntry) -> str:
    payload = {
        "seq": e.seq,
        "at": e.at.astimezone(UTC).isoformat(timespec="microseconds"),
        "actor_id": e.actor_id,
        "actor_label": e.actor_label,
        "action": e.action,
        "object_type": e.object_type,
        "object_id": e.object_id,
        "summary": e.summary,
        "detail": e.detail,
    }
    if e.scheme != AuditScheme.SHA256:
        # The scheme is inside what a v2 hash covers, so an entry cannot be relabelled v1.
        payload["scheme"] = e.scheme
    return json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)


def _digest(prev_hash: str, e: AuditEntry) -> str:
    message = (prev_hash + _body(e)).encode()
    if e.scheme == AuditScheme.SHA256:
        return hashlib.sha256(message).hexdigest()
    if e.scheme == AuditScheme.HMAC_SHA256:
        # One HMAC costs two SHA-256 compressions more than a plain hash: nothing next to the
        # entry's INSERT in the acting service's transaction.
        return hmac.new(settings.AUDIT_KEY.encode(), message, hashlib.sha256).hexdigest()
    raise ValueError(f"未知的哈希方案 {e.scheme}")


def record(*, actor, action: str, summary: str, obj=None, detail: dict | None = None) -> AuditEntry:
    """Append one entry. `actor` is a user or None (the system); `obj` any model instance."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit.record must run inside the acting service's transaction")
    head, _ = AuditHead.objects.select_for_update().get_or_create(pk=1)
    now = timezone.now()
    today = timezone.localdate(now)
    if head.anchored_on != today:
        # The first entry of a day publishes the head as it stood and books the end-of-day
        # anchor with the worker: every entry is anchored by the next midnight (docs/audit-log.md).
        _publish(head, now)
        head.anchored_on = today
        transaction.on_commit(_book_midnight_anchor, robust=True)  # a failed booking must not fail the action
    entry = AuditEntry(
        seq=head.last_seq + 1,
        at=now,
        actor_id=getattr(actor, "pk", None),
        actor_label=(str(actor) if actor is not None else "系统")[:100],
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        summary=summary[:300],
        detail=json.loads(json.dumps(detail or {}, ensure_ascii=False, default=str)),
        prev_hash=head.last_hash,
        scheme=CURRENT_SCHEME,
    )
    entry.hash = _digest(head.last_hash, entry)
    entry.save()
    head.last_seq, head.last_hash = entry.seq, entry.hash
    head.save(update_fields=["last_seq", "last_hash", "anchored_on"])
    return entry


# ---- anchors -------------------------------------------------------------------------------


def _publish(head: AuditHead, now) -> AuditAnchor | None:
    """Publish the locked head as an anchor, unless it is empty or already published."""
    if head.last_seq == 0 or AuditAnchor.objects.filter(seq__gte=head.last_seq).exists():
        return None
    entry_at = AuditEntry.objects.filter(seq=head.last_seq).values_list("at", flat=True).first()
    anchor = AuditAnchor(seq=head.last_seq, hash=head.last_hash, entry_at=entry_at or now, published_at=now)
    anchor.save()
    return anchor


def anchor_publish() -> AuditAnchor | None:
    """Publish the chain's current head on the public portal (manage.py audit_anchor, the
    worker's end-of-day job). None when the head is already published or the log is empty.
    Publishing writes no audit entry: the anchor is itself the public record, and an entry
    would move the head it has just published."""
    try:
        with transaction.atomic():
            head, _ = AuditHead.objects.select_for_update().get_or_create(pk=1)
            return _publish(head, timezone.now())
    except IntegrityError:  # another process published the same head a moment earlier
        return None


@task()
def anchor_publish_task() -> None:
    anchor_publish()


def _next_midnight() -> dt.datetime:
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    return timezone.make_aware(dt.datetime.combine(tomorrow, dt.time.min))


def _book_midnight_anchor() -> None:
    anchor_publish_task.using(run_after=_next_midnight()).enqueue()


def anchors_published():
    """The published anchors, newest first: the public portal lists them."""
    return AuditAnchor.objects.order_by("-seq")


def last_change_at(*_args, **_kwargs):
    """When the newest entry of the log was written: every state change is logged in its own
    transaction, so nothing the public portal shows changed after it (the Last-Modified of the
    portal's pages, core/ops/caching.py). The newest by seq, on its unique index."""
    return AuditEntry.objects.order_by("-seq").values_list("at", flat=True).first()


def last_anchor_at(*_args, **_kwargs):
    """When the newest anchor was published (the Last-Modified of the anchors' pages)."""
    return anchors_published().values_list("published_at", flat=True).first()


def anchor_as_public(a: AuditAnchor) -> dict:
    """An anchor as the portal's JSON publishes it and `audit_verify --anchors` reads it back."""
    return {
        "seq": a.seq,
        "hash": a.hash,
        "entry_at": a.entry_at.isoformat(timespec="seconds"),
        "published_at": a.published_at.isoformat(timespec="seconds"),
    }


def parse_anchors(data) -> dict[int, str]:
    """Anchors supplied from outside the database (the portal's JSON list, kept by anyone):
    seq → hash. Raises ValueError in Chinese on anything else."""
    if not isinstance(data, list):
        raise ValueError("锚点文件应为 JSON 数组（从公开门户“操作日志锚点”下载的格式）")
    out: dict[int, str] = {}
    for i, item in enumerate(data, 1):
        seq = item.get("seq") if isinstance(item, dict) else None
        h = item.get("hash") if isinstance(item, dict) else None
        if not isinstance(seq, int) or isinstance(seq, bool) or seq < 1:
            raise ValueError(f"第 {i} 个锚点：序号 seq 应为正整数")
        if not isinstance(h, str) or not _HEX64.fullmatch(h):
            raise ValueError(f"第 {i} 个锚点：哈希 hash 应为 64 位小写十六进制")
        if out.get(seq, h) != h:
            raise ValueError(f"锚点文件中第 {seq} 条有两个不同的哈希")
        out[seq] = h
    return out


# ---- verification --------------------------------------------------------------------------


def verify(anchors: dict[int, str] | None = None) -> tuple[int, AuditEntry | None, str]:
    """Walk the chain in order. Returns (entries checked, first broken entry or None, why).

    Checked against the anchors recorded in the database and, when given, against anchors kept
    outside it (seq → hash): a different hash at an anchored seq means history was rewritten
    (被改写), a chain that ends before an anchor was truncated (截断)."""
    published = dict(AuditAnchor.objects.values_list("seq", "hash"))
    outside = anchors or {}
    prev, expected_seq, n, scheme_seen = GENESIS, 1, 0, AuditScheme.SHA256
    for e in AuditEntry.objects.order_by("seq").iterator(chunk_size=2000):
        if e.seq != expected_seq:
            return n, e, f"序号不连续：应为 {expected_seq}，实为 {e.seq}（有记录被删除）"
        if e.prev_hash != prev:
            return n, e, "前一条哈希不符（前一条记录被改动或删除）"
        if e.scheme < scheme_seen:
            return n, e, "哈希方案倒退：带密钥的记录之后出现了无密钥的记录（被改写）"
        try:
            ok = _digest(prev, e) == e.hash
        except ValueError as err:
            return n, e, str(err)
        if not ok:
            return n, e, "内容与哈希不符（本条记录被改动）"
        for where, source in (("外部保存的锚点", outside), ("已公布的锚点", published)):
            if e.seq in source and source[e.seq] != e.hash:
                return n, e, f"与{where}不符：日志在锚定之后被改写"
        prev, expected_seq, n, scheme_seen = e.hash, expected_seq + 1, n + 1, e.scheme
    for where, source in (("外部保存的锚点", outside), ("已公布的锚点", published)):
        if source and max(source) > n:
            return (
                n,
                None,
                f"日志只到第 {n} 条，但{where}已到第 {max(source)} 条：日志被截断（末尾记录被删除）",
            )
    head = AuditHead.objects.filter(pk=1).first()
    if head and (head.last_seq != n or head.last_hash != prev):
        return n, None, f"链头记录到第 {head.last_seq} 条，但日志只有 {n} 条（末尾记录被删除）"
    return n, None, ""


def entries_for(obj):
    """The audit entries about one record: its history (who, when, what)."""
    return AuditEntry.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk))
