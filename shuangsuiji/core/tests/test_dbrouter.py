"""Reads from a replica (issue 20, core/ops/dbrouter.py): which database a query goes to, for
which request, model and write; the staleness check; a replica that is down, lagging or failing
mid-request means the primary and never an error page."""

from unittest import mock

import pytest
from django.contrib.sessions.models import Session
from django.db import OperationalError, connections, transaction
from django.db.utils import load_backend
from django.test.utils import CaptureQueriesContext
from prometheus_client.parser import text_string_to_metric_families

from shuangsuiji.core.models import AuditEntry
from shuangsuiji.core.ops import dbrouter
from shuangsuiji.core.ops.dbrouter import PRIMARY, REPLICA, ReplicaRouter
from shuangsuiji.core.ops.metrics import REGISTRY
from shuangsuiji.directory.models import Target

PASSWORD = "Test@2026pw"


def _fallbacks(reason: str) -> float:
    for family in text_string_to_metric_families(
        "".join(line.decode() + "\n" for line in _generate().splitlines())
    ):
        if family.name == "shuangsuiji_replica_fallbacks":
            for s in family.samples:
                if s.name.endswith("_total") and s.labels.get("reason") == reason:
                    return s.value
    return 0.0


def _generate() -> bytes:
    from prometheus_client import generate_latest

    return generate_latest(REGISTRY)


@pytest.fixture(autouse=True)
def _fresh_health():
    dbrouter.reset()
    yield
    dbrouter.reset()


def _add_alias(monkeypatch, settings_dict, wrapper=None):
    """A "replica" alias for this test only. Its own connection is named apart from the aliases
    in settings (Django's test case refuses new connections to those)."""
    monkeypatch.setitem(connections.settings, REPLICA, settings_dict)
    if wrapper is None:
        wrapper = load_backend(settings_dict["ENGINE"]).DatabaseWrapper(settings_dict, "replica_in_test")
        # reachable by its own name too (django.contrib.postgres looks it up on connecting)
        monkeypatch.setattr(connections._connections, wrapper.alias, wrapper, raising=False)
    monkeypatch.setattr(connections._connections, REPLICA, wrapper, raising=False)
    return wrapper


@pytest.fixture
def replica_mirror(db, monkeypatch):
    """A replica that is the primary's own connection (Django's TEST MIRROR, but inside the test's
    transaction, so it sees what the test wrote)."""
    _add_alias(monkeypatch, connections.settings[PRIMARY], connections[PRIMARY])
    calls = []
    real = ReplicaRouter.db_for_read

    def spy(self, model, **hints):
        alias = real(self, model, **hints)
        calls.append((model._meta.label, alias))
        return alias

    monkeypatch.setattr(ReplicaRouter, "db_for_read", spy)
    return calls


@pytest.fixture
def replica_down(db, monkeypatch):
    """A replica alias whose database cannot be reached: on PostgreSQL a closed port of this
    machine, on SQLite a file in a folder that does not exist."""
    broken = dict(connections.settings[PRIMARY])
    if connections[PRIMARY].vendor == "postgresql":
        broken |= {
            "HOST": "127.0.0.1",
            "PORT": "9",
            "OPTIONS": {**broken.get("OPTIONS", {}), "connect_timeout": 2},
        }
    else:
        broken["NAME"] = "/nonexistent-ssj-replica/replica.sqlite3"
    wrapper = _add_alias(monkeypatch, broken)
    yield
    wrapper.close()


# ---- which requests, which models ------------------------------------------------------------


@pytest.mark.parametrize(
    "method,path,replica",
    [
        ("GET", "/public/", True),
        ("HEAD", "/public/results/", True),
        ("GET", "/reports/dashboard/", True),
        ("POST", "/public/witness/abc/", False),
        ("POST", "/reports/submissions/", False),
        ("GET", "/directory/targets/", False),
        ("GET", "/draw/", False),
        ("GET", "/publicity/", False),
        ("GET", "/healthz", False),
    ],
)
def test_only_reads_of_the_public_portal_and_the_reports_are_replica_reads(method, path, replica):
    assert dbrouter.is_replica_request(method, path) is replica


@pytest.mark.django_db
def test_the_router_sends_a_replica_reads_queries_to_the_replica_and_everything_else_to_the_primary():
    router = ReplicaRouter()
    assert router.db_for_read(Target) == PRIMARY  # outside a replica read
    token = dbrouter._read_alias.set(REPLICA)
    try:
        assert router.db_for_read(Target) == REPLICA
        assert router.db_for_read(AuditEntry) == REPLICA
        assert router.db_for_read(Session) == PRIMARY  # the sign-in state is never stale
        assert router.db_for_write(Target) == PRIMARY  # every write
        with transaction.atomic():  # a service reads what it is about to write
            assert router.db_for_read(Target) == PRIMARY
        assert router.db_for_read(Target) == REPLICA
    finally:
        dbrouter._read_alias.reset(token)
    assert router.allow_migrate(PRIMARY, "core") is True
    assert router.allow_migrate(REPLICA, "core") is False


def test_the_replica_lag_counts_nothing_to_replay_as_caught_up():
    def lag(row):
        cursor = mock.Mock()
        cursor.fetchone.return_value = row
        return dbrouter.lag_seconds(cursor)

    # (in recovery, receive LSN = replay LSN, WAL receiver running, seconds since last replay)
    assert lag((True, True, True, 900.0)) == 0.0  # an idle primary: old timestamp, nothing to replay
    assert lag((True, False, True, 12.5)) == 12.5  # replaying: the age of what it last replayed
    assert lag((True, True, False, 900.0)) == 900.0  # cut off from the primary: it may be behind
    assert lag((True, False, True, None)) is None  # never replayed anything and behind: unknown
    assert lag((False, None, False, None)) == 0.0  # promoted: it is the primary


# ---- requests --------------------------------------------------------------------------------


def test_a_public_page_reads_the_replica_for_the_whole_request(client, world, replica_mirror):
    resp = client.get("/public/")
    assert resp.status_code == 200
    aliases = {alias for label, alias in replica_mirror if label != "sessions.Session"}
    assert aliases == {REPLICA}, replica_mirror  # a count and its list: the same database


def test_a_reports_page_reads_the_replica_after_sign_in_is_read_from_the_primary(
    client, world, replica_mirror
):
    client.force_login(world.office)
    resp = client.get("/reports/dashboard/")
    assert resp.status_code == 200
    reads = [alias for label, alias in replica_mirror if label not in ("sessions.Session", "core.User")]
    assert reads and set(reads) == {REPLICA}
    # the session and the user were read before the request was marked
    assert ("sessions.Session", REPLICA) not in replica_mirror
    assert ("core.User", REPLICA) not in replica_mirror


def test_other_pages_and_writes_read_the_primary(client, world, replica_mirror):
    client.force_login(world.a_admin)
    assert client.get("/directory/targets/").status_code == 200
    assert replica_mirror and {alias for _, alias in replica_mirror} == {PRIMARY}


def test_a_client_that_just_wrote_reads_the_primary_until_the_replica_has_caught_up(
    client, world, replica_mirror, settings
):
    client.force_login(world.a_admin)
    resp = client.post("/logout/")
    assert resp.status_code < 400
    cookie = resp.cookies[dbrouter.READ_YOUR_WRITES]
    assert cookie["max-age"] == settings.REPLICA_MAX_LAG_SECONDS + settings.REPLICA_CHECK_SECONDS
    replica_mirror.clear()
    assert client.get("/public/").status_code == 200
    assert {alias for _, alias in replica_mirror} == {PRIMARY}


def test_a_replica_that_is_down_leaves_the_public_pages_served_from_the_primary(client, world, replica_down):
    before = _fallbacks("down")
    with CaptureQueriesContext(connections[PRIMARY]) as primary:
        resp = client.get("/public/")
    assert resp.status_code == 200
    assert "双随机" in resp.content.decode()
    assert len(primary.captured_queries) > 0
    assert _fallbacks("down") == before + 1
    # the answer is kept for REPLICA_CHECK_SECONDS: the next page does not wait on the replica again
    with mock.patch.object(dbrouter, "_measure", side_effect=AssertionError("checked again")):
        assert client.get("/public/results/").status_code == 200
    assert _fallbacks("down") == before + 2


def test_a_lagging_replica_is_not_read(client, world, replica_mirror, settings):
    settings.REPLICA_MAX_LAG_SECONDS = 30
    before = _fallbacks("lagging")
    with mock.patch.object(dbrouter, "_measure", return_value=31.0):
        assert client.get("/public/").status_code == 200
    assert {alias for _, alias in replica_mirror} == {PRIMARY}
    assert _fallbacks("lagging") == before + 1
    dbrouter.reset()
    replica_mirror.clear()
    with mock.patch.object(dbrouter, "_measure", return_value=29.0):
        assert client.get("/public/").status_code == 200
    assert REPLICA in {alias for _, alias in replica_mirror}


def test_a_replica_failing_mid_request_is_answered_from_the_primary(client, world, replica_down):
    # the check passed a moment ago; the replica went down before the page's first query
    with mock.patch.object(dbrouter, "_measure", return_value=0.0):
        dbrouter.replica_health()
    before = _fallbacks("error")
    resp = client.get("/public/")
    assert resp.status_code == 200
    assert _fallbacks("error") == before + 1
    assert dbrouter.replica_health().usable is False  # and the next pages go to the primary


def test_the_replica_falls_back_when_a_query_raises(world, replica_mirror, rf):
    """process_exception answers only a database error of a replica read."""
    middleware = dbrouter.ReplicaReadMiddleware(lambda r: None)
    request = rf.get("/public/")
    assert middleware.process_exception(request, OperationalError("x")) is None  # not a replica read
    token = dbrouter._read_alias.set(REPLICA)
    try:
        assert middleware.process_exception(request, ValueError("x")) is None  # not the database
    finally:
        dbrouter._read_alias.reset(token)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_on_postgresql_a_second_connection_is_checked_for_lag_and_read(client, monkeypatch):
    """A real second connection to the test database (as a replica would be): the lag check runs
    on it (a primary answers 0) and the page's queries go through it."""
    from conftest import build_world

    build_world()
    wrapper = _add_alias(monkeypatch, dict(connections.settings[PRIMARY]))
    try:
        assert dbrouter.replica_health().usable is True
        assert dbrouter.replica_health().lag_seconds == 0.0
        with (
            CaptureQueriesContext(connections[REPLICA]) as on_replica,
            CaptureQueriesContext(connections[PRIMARY]) as on_primary,
        ):
            assert client.get("/public/").status_code == 200
        assert any("publicity" in q["sql"] or "planning" in q["sql"] for q in on_replica.captured_queries)
        assert not any("planning_" in q["sql"] for q in on_primary.captured_queries)
    finally:
        wrapper.close()


# ---- settings --------------------------------------------------------------------------------


def _settings_in_a_new_process(**env):
    import json
    import os
    import subprocess
    import sys

    base = {
        k: v
        for k, v in os.environ.items()
        if k not in ("SHUANGSUIJI_DATABASE_URL", "SHUANGSUIJI_REPLICA_URL")
    }
    code = (
        "import json, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'config.settings'\n"
        "from django.conf import settings\n"
        "r = settings.DATABASES.get('replica')\n"
        "print(json.dumps({'replica': r and {k: r[k] for k in ('HOST', 'PORT', 'TEST', 'OPTIONS', 'CONN_HEALTH_CHECKS')},"
        " 'routers': settings.DATABASE_ROUTERS, 'lag': settings.REPLICA_MAX_LAG_SECONDS}))"
    )
    r = subprocess.run(
        [sys.executable, "-c", code], env={**base, **env}, capture_output=True, text=True, timeout=120
    )
    return r.returncode, (json.loads(r.stdout) if r.returncode == 0 else r.stderr)


def test_the_replica_url_adds_a_read_only_mirror_alias_to_a_postgresql_primary():
    rc, out = _settings_in_a_new_process(
        SHUANGSUIJI_DATABASE_URL="postgres://app@10.0.0.31:5432/shuangsuiji",
        SHUANGSUIJI_REPLICA_URL="postgres://app@10.0.0.32:5432/shuangsuiji",
        SHUANGSUIJI_REPLICA_MAX_LAG_SECONDS="20",
    )
    assert rc == 0, out
    assert out["replica"]["HOST"] == "10.0.0.32"
    assert out["replica"]["TEST"] == {"MIRROR": "default"}  # tests never make a second database
    assert out["replica"]["OPTIONS"]["connect_timeout"] == 2  # a dead replica is given up quickly
    assert out["replica"]["CONN_HEALTH_CHECKS"] is True
    assert out["routers"] == ["shuangsuiji.core.ops.dbrouter.ReplicaRouter"]
    assert out["lag"] == 20
    rc, out = _settings_in_a_new_process()
    assert rc == 0 and out["replica"] is None  # unset: everything on the primary


def test_a_replica_without_a_postgresql_primary_is_refused_at_start():
    rc, err = _settings_in_a_new_process(SHUANGSUIJI_REPLICA_URL="postgres://app@10.0.0.32:5432/shuangsuiji")
    assert rc != 0 and "SHUANGSUIJI_REPLICA_URL 须与 PostgreSQL 主库" in err
    rc, err = _settings_in_a_new_process(
        SHUANGSUIJI_DATABASE_URL="postgres://app@10.0.0.31:5432/shuangsuiji",
        SHUANGSUIJI_REPLICA_URL="postgres://app@10.0.0.32:5432/shuangsuiji",
        SHUANGSUIJI_REPLICA_MAX_LAG_SECONDS="0",
    )
    assert rc != 0 and "SHUANGSUIJI_REPLICA_MAX_LAG_SECONDS" in err
