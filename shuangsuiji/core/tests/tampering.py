"""Staging an attack on the audit log in tests. On PostgreSQL the log's trigger refuses UPDATE and
DELETE for every role (migration 0004_audit_anchors), so a test plays an attacker with the
database superuser's powers, the one way left to change the rows: triggers switched off for the
session (`session_replication_role = replica`, which only a superuser may set)."""

import hashlib
import hmac
from contextlib import contextmanager

from django.db import connection

from shuangsuiji.core import audit
from shuangsuiji.core.models import AuditEntry


@contextmanager
def triggers_off():
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as c:
        c.execute("SET session_replication_role = replica")
    try:
        yield
    finally:
        with connection.cursor() as c:
            c.execute("SET session_replication_role = DEFAULT")


def execute(sql: str, params=()):
    with triggers_off(), connection.cursor() as c:
        c.execute(sql, params)


def rewrite(seq: int, summary: str, *, key: str | None = None, scheme: int | None = None):
    """Change entry `seq`'s summary and recompute every later hash as an attacker would: with
    plain SHA-256 (no key), or with `key` as HMAC-SHA256; `scheme` relabels the entries. The
    head is moved to the new last hash, so the chain is consistent in itself."""
    with triggers_off(), connection.cursor() as c:
        c.execute("UPDATE core_auditentry SET summary = %s WHERE seq = %s", [summary, seq])
        if scheme is not None:
            c.execute("UPDATE core_auditentry SET scheme = %s", [scheme])
        prev = audit.GENESIS
        for e in AuditEntry.objects.order_by("seq"):
            if e.seq >= seq or scheme is not None:
                message = (prev + audit._body(e)).encode()
                if key is None:
                    h = hashlib.sha256(message).hexdigest()
                else:
                    h = hmac.new(key.encode(), message, hashlib.sha256).hexdigest()
                c.execute(
                    "UPDATE core_auditentry SET prev_hash = %s, hash = %s WHERE seq = %s", [prev, h, e.seq]
                )
                prev = h
            else:
                prev = e.hash
        c.execute("UPDATE core_audithead SET last_hash = %s WHERE id = 1", [prev])


def truncate_to(seq: int):
    """Delete the entries after `seq` and rewind the head to it."""
    last = AuditEntry.objects.get(seq=seq)
    execute("DELETE FROM core_auditentry WHERE seq > %s", [seq])
    execute("UPDATE core_audithead SET last_seq = %s, last_hash = %s WHERE id = 1", [seq, last.hash])


def forget_anchors():
    """The database's own copy of the anchors, deleted by whoever owns the database."""
    execute("DELETE FROM core_auditanchor")
