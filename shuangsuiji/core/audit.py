"""The audit chain: one entry per action, each hashed over its content and its predecessor's
hash. `record` is called inside the acting service's transaction, so an action and its entry
commit or roll back together."""

import hashlib
import json
from datetime import UTC

from django.db import transaction
from django.utils import timezone

from .models import AuditEntry, AuditHead

GENESIS = "0" * 64


def _digest(prev_hash: str, e: AuditEntry) -> str:
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
    body = json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256((prev_hash + body).encode()).hexdigest()


def record(*, actor, action: str, summary: str, obj=None, detail: dict | None = None) -> AuditEntry:
    """Append one entry. `actor` is a user or None (the system); `obj` any model instance."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit.record must run inside the acting service's transaction")
    head, _ = AuditHead.objects.select_for_update().get_or_create(pk=1)
    entry = AuditEntry(
        seq=head.last_seq + 1,
        at=timezone.now(),
        actor_id=getattr(actor, "pk", None),
        actor_label=(str(actor) if actor is not None else "系统")[:100],
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        summary=summary[:300],
        detail=json.loads(json.dumps(detail or {}, ensure_ascii=False, default=str)),
        prev_hash=head.last_hash,
    )
    entry.hash = _digest(head.last_hash, entry)
    entry.save()
    head.last_seq, head.last_hash = entry.seq, entry.hash
    head.save(update_fields=["last_seq", "last_hash"])
    return entry


def verify() -> tuple[int, AuditEntry | None, str]:
    """Walk the chain in order. Returns (entries checked, first broken entry or None, why)."""
    prev, expected_seq, n = GENESIS, 1, 0
    for e in AuditEntry.objects.order_by("seq").iterator(chunk_size=2000):
        if e.seq != expected_seq:
            return n, e, f"序号不连续：应为 {expected_seq}，实为 {e.seq}（有记录被删除）"
        if e.prev_hash != prev:
            return n, e, "前一条哈希不符（前一条记录被改动或删除）"
        if _digest(prev, e) != e.hash:
            return n, e, "内容与哈希不符（本条记录被改动）"
        prev, expected_seq, n = e.hash, expected_seq + 1, n + 1
    head = AuditHead.objects.filter(pk=1).first()
    if head and (head.last_seq != n or head.last_hash != prev):
        return n, None, f"链头记录到第 {head.last_seq} 条，但日志只有 {n} 条（末尾记录被删除）"
    return n, None, ""


def entries_for(obj):
    """The audit entries about one record: its history (who, when, what)."""
    return AuditEntry.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk))
