"""Reads from a streaming replica (issue 20): the public portal and the reports pages.

A request is a *replica read* when it is a GET or HEAD to /public/… or /reports/…, a replica is
configured (SHUANGSUIJI_REPLICA_URL adds the "replica" alias) and the replica is fresh enough.
ReplicaReadMiddleware decides once, at the start of the request, so that a count and the list it
links to read the same database. Everything else reads the primary:

- every write (db_for_write is always the primary): draws, imports, submissions, the audit log;
- every read inside an atomic block (a service that reads then writes reads what it will write);
- the session and the signed-in user (read before the request is marked: a session made a moment
  ago on the primary may not be on the replica yet);
- a client that wrote in the last REPLICA_MAX_LAG_SECONDS (the READ_YOUR_WRITES cookie): after a
  report is submitted, its page shows it.

Staleness bound: before a replica read, the replica's replay lag is checked — 0 when it has
replayed everything it received and its WAL receiver is streaming, else now() −
pg_last_xact_replay_timestamp() — and the replica is used only when the lag is at most
REPLICA_MAX_LAG_SECONDS. The answer is kept per process for REPLICA_CHECK_SECONDS, so a page read
from the replica is at most REPLICA_MAX_LAG_SECONDS + REPLICA_CHECK_SECONDS behind the primary.
A replica that is down, lagging or failing mid-request means the primary, silently: a warning in
the log and `shuangsuiji_replica_fallbacks_total{reason}` in /metrics, never an error page.
"""

import contextlib
import contextvars
import logging
import threading
import time
from dataclasses import dataclass

from django.conf import settings
from django.db import DatabaseError, connections, transaction

log = logging.getLogger(__name__)

PRIMARY = "default"
REPLICA = "replica"
REPLICA_PATH_PREFIXES = ("/public/", "/reports/")
READ_METHODS = ("GET", "HEAD")
READ_YOUR_WRITES = "ssj_primary"  # cookie: this client wrote lately, read the primary
# Never from the replica: the sign-in state (stale sessions would sign a user out).
PRIMARY_ONLY_MODELS = {("sessions", "session")}

# The alias this request reads from; None outside a replica read (the primary).
_read_alias: contextvars.ContextVar[str | None] = contextvars.ContextVar("ssj_read_alias", default=None)


def configured() -> bool:
    return REPLICA in connections.settings


def is_replica_request(method: str, path: str) -> bool:
    return method in READ_METHODS and path.startswith(REPLICA_PATH_PREFIXES)


def current_alias() -> str:
    return _read_alias.get() or PRIMARY


def _in_service_transaction() -> bool:
    """An atomic block open on the primary, not counting the test harness's own (Django's
    TestCase marks those), so that a test sees what production does."""
    return any(not getattr(block, "_from_testcase", False) for block in connections[PRIMARY].atomic_blocks)


class ReplicaRouter:
    """settings.DATABASE_ROUTERS: reads of a replica-read request go to the replica, every
    other query to the primary; only the primary is migrated."""

    def db_for_read(self, model, **hints):
        alias = _read_alias.get()
        if alias is None or alias == PRIMARY:
            return PRIMARY
        if (model._meta.app_label, model._meta.model_name) in PRIMARY_ONLY_MODELS:
            return PRIMARY
        if _in_service_transaction():
            return PRIMARY
        return alias

    def db_for_write(self, model, **hints):
        return PRIMARY

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the same data on both

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == PRIMARY  # the replica is read-only: it gets the schema by replication


# ---- the replica's health -----------------------------------------------------------------------

LAG_SQL = """
SELECT pg_is_in_recovery(),
       pg_last_wal_receive_lsn() IS NOT DISTINCT FROM pg_last_wal_replay_lsn(),
       EXISTS (SELECT 1 FROM pg_stat_wal_receiver),
       EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp())
"""


@dataclass
class Health:
    usable: bool
    reason: str  # "ok", "down" or "lagging"
    lag_seconds: float | None
    checked_at: float


def lag_seconds(cursor) -> float | None:
    """How far the replica is behind the primary, in seconds; None when unknown (never
    replayed a transaction and not caught up). Nothing to replay and the WAL receiver streaming
    is 0 however old the last replayed transaction is (an idle primary)."""
    cursor.execute(LAG_SQL)
    in_recovery, caught_up, receiving, since_replay = cursor.fetchone()
    if not in_recovery:
        return 0.0  # a promoted replica is a primary: nothing to lag behind
    if caught_up and receiving:
        return 0.0
    return None if since_replay is None else max(0.0, float(since_replay))


_lock = threading.Lock()
_health: Health | None = None


def reset() -> None:
    """Forget the cached check (tests; a new process starts without one)."""
    global _health
    with _lock:
        _health = None


def _count_fallback(reason: str) -> None:
    from .metrics import REPLICA_FALLBACKS

    REPLICA_FALLBACKS.labels(reason).inc()


def _measure() -> float | None:
    """The replica's lag, asked of the replica itself (raises DatabaseError when it is down)."""
    conn = connections[REPLICA]
    if conn.vendor != "postgresql":  # SQLite in tests: a mirror of the primary, never behind
        with conn.cursor() as cursor:
            cursor.execute("SELECT 1")
        return 0.0
    with transaction.atomic(using=REPLICA), conn.cursor() as cursor:
        # SET LOCAL: only this check runs under the short timeout, not the pages after it
        cursor.execute("SELECT set_config('statement_timeout', '2000', true)")
        return lag_seconds(cursor)


def _check() -> Health:
    now = time.monotonic()
    try:
        lag = _measure()
    except DatabaseError as e:
        with contextlib.suppress(Exception):
            connections[REPLICA].close()  # connect afresh at the next check (a restarted replica)
        log.warning("replica down, reading from the primary: %s", str(e)[:300])
        return Health(False, "down", None, now)
    if lag is None or lag > settings.REPLICA_MAX_LAG_SECONDS:
        log.warning(
            "replica lagging (%s s, bound %s s), reading from the primary",
            lag,
            settings.REPLICA_MAX_LAG_SECONDS,
        )
        return Health(False, "lagging", lag, now)
    return Health(True, "ok", lag, now)


def replica_health() -> Health:
    """The replica's health, checked at most every REPLICA_CHECK_SECONDS per process."""
    global _health
    with _lock:
        h = _health
        if h is not None and time.monotonic() - h.checked_at < settings.REPLICA_CHECK_SECONDS:
            return h
        h = _check()
        _health = h
        return h


def mark_down(error: Exception) -> None:
    """A query on the replica failed mid-request: the primary until the next check is due."""
    global _health
    log.warning("replica failed mid-request, reading from the primary: %s", str(error)[:300])
    with contextlib.suppress(Exception):
        connections[REPLICA].close()
    with _lock:
        _health = Health(False, "down", None, time.monotonic())


def read_alias_for(request) -> str:
    """Which database this request reads from (decided once, at its start)."""
    if not configured() or not is_replica_request(request.method, request.path_info):
        return PRIMARY
    if request.COOKIES.get(READ_YOUR_WRITES):
        return PRIMARY
    h = replica_health()
    if not h.usable:
        _count_fallback(h.reason)
        return PRIMARY
    return REPLICA


class ReplicaReadMiddleware:
    """After sign-in and the second factor (their reads stay on the primary): marks a replica
    read for the rest of the request. A replica that fails while the page is being made is
    answered by making the page again from the primary (a GET to a read-only page: safe to
    repeat)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not configured():
            return self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None:
            bool(user.is_authenticated)  # load the user (and session) from the primary now
        alias = read_alias_for(request)
        token = _read_alias.set(alias)
        try:
            response = self.get_response(request)
        finally:
            _read_alias.reset(token)
        if request.method not in READ_METHODS and response.status_code < 400:
            # this client may have just written: its next pages read the primary until the
            # replica has certainly caught up
            response.set_cookie(
                READ_YOUR_WRITES,
                "1",
                max_age=settings.REPLICA_MAX_LAG_SECONDS + settings.REPLICA_CHECK_SECONDS,
                httponly=True,
                samesite="Lax",
                secure=settings.SESSION_COOKIE_SECURE,
            )
        return response

    def process_exception(self, request, exception):
        if _read_alias.get() != REPLICA or not isinstance(exception, DatabaseError):
            return None
        mark_down(exception)
        _count_fallback("error")
        match = request.resolver_match
        token = _read_alias.set(PRIMARY)
        try:
            return match.func(request, *match.args, **match.kwargs)
        finally:
            _read_alias.reset(token)
