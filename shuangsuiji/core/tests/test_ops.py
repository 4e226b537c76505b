"""Operations of an app node (issue 20, core/ops): /healthz, the request id and the JSON log
lines, /metrics and who may read it, and the cache headers and 304s of the public portal."""

import datetime as dt
import io
import ipaddress
import json
import logging
from unittest import mock

import pytest
from django.db import OperationalError, connection, connections
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.http import http_date
from prometheus_client.parser import text_string_to_metric_families

from shuangsuiji.core import audit
from shuangsuiji.core.models import AuditEntry, Job, JobStatus
from shuangsuiji.core.ops.logs import JsonFormatter, RequestIdFilter
from shuangsuiji.draw import witnesses
from shuangsuiji.draw.tests.conftest import announce, ready  # noqa: F401  (fixture)
from shuangsuiji.planning import services as planning
from shuangsuiji.publicity.tests.test_results import build_public_data

EXTERNAL = "203.0.113.9"
TOKEN = "metrics-token-zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz"

# ---- /healthz ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_healthz_answers_ok_when_the_database_answers(client):
    with CaptureQueriesContext(connection) as queries:
        resp = client.get("/healthz")
    assert resp.status_code == 200
    assert resp.content == b"ok"
    assert resp["Cache-Control"] == "no-store"
    assert "sessionid" not in resp.cookies and "csrftoken" not in resp.cookies
    # the check itself, nothing else (no session, no user)
    assert not any("session" in q["sql"].lower() or "core_user" in q["sql"] for q in queries.captured_queries)
    assert any("SELECT 1" in q["sql"] for q in queries.captured_queries)


@pytest.mark.django_db
def test_healthz_answers_a_balancer_naming_the_node_by_address_and_leaves_a_session_alone(client, world):
    # the balancer's Host is the node's address, not one of ALLOWED_HOSTS: no 400 for the check
    assert client.get("/healthz", HTTP_HOST="10.0.0.21:8000").status_code == 200
    assert client.get("/public/", HTTP_HOST="10.0.0.21:8000").status_code == 400  # unlike a page
    client.force_login(world.office)
    with CaptureQueriesContext(connection) as queries:
        resp = client.get("/healthz")
    assert resp.status_code == 200
    assert [q["sql"] for q in queries.captured_queries if "django_session" in q["sql"]] == []
    assert "sessionid" not in resp.cookies  # not saved again (SESSION_SAVE_EVERY_REQUEST)


@pytest.mark.django_db
def test_healthz_answers_503_with_the_reason_when_the_database_does_not(client):
    with mock.patch.object(
        type(connections["default"]), "cursor", side_effect=OperationalError("connection refused")
    ):
        resp = client.get("/healthz")
    assert resp.status_code == 503
    assert resp.content.decode() == "不可用：数据库无法连接"
    with mock.patch.object(
        type(connections["default"]),
        "cursor",
        side_effect=OperationalError("canceling statement due to statement timeout"),
    ):
        resp = client.get("/healthz")
    assert resp.status_code == 503
    assert resp.content.decode() == "不可用：数据库响应超时"
    assert client.get("/healthz").status_code == 200  # and back once it answers


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)  # no test transaction around: the check's is its own
def test_healthz_check_runs_under_the_short_statement_timeout_on_postgresql(settings):
    from shuangsuiji.core.ops.health import database_problem

    settings.HEALTHZ_TIMEOUT_MS = 1500
    seen = []

    def spy(execute, sql, params, many, context):
        seen.append(sql)
        if sql == "SELECT 1":
            with connection.cursor() as c:  # the same transaction: the check's own setting
                c.execute("SHOW statement_timeout")
                seen.append(c.fetchone()[0])
        return execute(sql, params, many, context)

    with connection.execute_wrapper(spy):
        assert database_problem() is None
    assert "1500ms" in seen
    with connection.cursor() as c:  # SET LOCAL: gone with the check's transaction
        c.execute("SHOW statement_timeout")
        assert c.fetchone()[0] != "1500ms"


# ---- the request id and the log lines ----------------------------------------------------------


@pytest.fixture
def log_lines():
    """The JSON lines the app writes while the test runs (settings.LOGGING's filter and
    formatter, on a stream of the test's own), the access log at INFO."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(JsonFormatter())
    root, access = logging.getLogger(), logging.getLogger("shuangsuiji.request")
    root.addHandler(handler)
    level = access.level
    access.setLevel(logging.DEBUG)
    try:
        yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    finally:
        root.removeHandler(handler)
        access.setLevel(level)


@pytest.mark.django_db
def test_every_log_line_of_a_request_carries_its_id_and_the_access_line_its_facts(client, world, log_lines):
    client.force_login(world.a_admin)
    resp = client.get("/directory/targets/999999999/")  # Django's own warning (Not Found) and ours
    assert resp.status_code == 404
    rid = resp["X-Request-ID"]
    assert len(rid) == 32 and int(rid, 16) >= 0
    lines = log_lines()
    assert {line["logger"] for line in lines} >= {"django.request", "shuangsuiji.request"}
    assert [line for line in lines if line["request_id"] != rid] == []
    (access,) = [line for line in lines if line["logger"] == "shuangsuiji.request"]
    assert access["level"] == "INFO"
    assert access["method"] == "GET" and access["path"] == "/directory/targets/999999999/"
    assert access["status"] == 404 and access["view"] == "directory:target_detail"
    assert access["user_id"] == world.a_admin.pk
    assert isinstance(access["duration_ms"], float) and access["client"] == "127.0.0.1"
    assert client.get("/public/")["X-Request-ID"] != rid  # a new id per request


@pytest.mark.django_db
def test_healthz_and_metrics_are_not_logged_at_info(client, log_lines):
    client.get("/healthz")
    client.get("/metrics")
    client.get("/public/")
    by_path = {line["path"]: line["level"] for line in log_lines() if line["logger"] == "shuangsuiji.request"}
    assert by_path == {"/healthz": "DEBUG", "/metrics": "DEBUG", "/public/": "INFO"}


@pytest.mark.django_db
def test_the_balancers_request_id_is_kept_only_from_a_trusted_proxy(client, settings):
    settings.TRUSTED_PROXIES = [ipaddress.ip_network("10.0.0.5/32")]
    given = "4f1c2a9d0b7e43d58c6a1e2f3b4c5d6e"
    from_proxy = client.get("/healthz", HTTP_X_REQUEST_ID=given, REMOTE_ADDR="10.0.0.5")
    assert from_proxy["X-Request-ID"] == given
    from_client = client.get("/healthz", HTTP_X_REQUEST_ID=given, REMOTE_ADDR=EXTERNAL)
    assert from_client["X-Request-ID"] != given
    # a value that is not an id (here: a forged log line) is replaced, even from the proxy
    forged = client.get("/healthz", HTTP_X_REQUEST_ID='x" level=ERROR\nfake', REMOTE_ADDR="10.0.0.5")
    assert len(forged["X-Request-ID"]) == 32 and "\n" not in forged["X-Request-ID"]


def test_a_log_line_outside_a_request_is_json_with_an_empty_id_and_the_traceback():
    formatter, record_filter = JsonFormatter(), RequestIdFilter()
    try:
        raise ValueError("坏数据")
    except ValueError:
        import sys

        record = logging.LogRecord("x", logging.ERROR, __file__, 1, "第 %s 行", (3,), sys.exc_info())
    record.row = 3
    record_filter.filter(record)
    out = json.loads(formatter.format(record))
    assert out["message"] == "第 3 行" and out["request_id"] == "" and out["row"] == 3
    assert "ValueError: 坏数据" in out["exc"]


# ---- /metrics -----------------------------------------------------------------------------------


def _metrics(client, **extra) -> dict:
    resp = client.get("/metrics", **extra)
    assert resp.status_code == 200, resp.content
    assert resp["Content-Type"].startswith("text/plain; version=")
    out = {}
    for family in text_string_to_metric_families(resp.content.decode()):
        for s in family.samples:
            out[(s.name, tuple(sorted(s.labels.items())))] = s.value
    return out


def _requests(samples, view, status, method="GET") -> float:
    key = ("shuangsuiji_http_requests_total", (("method", method), ("status", status), ("view", view)))
    return samples.get(key, 0.0)


@pytest.mark.django_db
def test_metrics_count_requests_by_view_name_not_by_path(client):
    before = _metrics(client)
    for pk in (999991, 999992, 999993):
        assert client.get(f"/public/plans/{pk}/").status_code == 404
    client.get("/public/")
    client.get("/no/such/page/")
    after = _metrics(client)
    assert _requests(after, "publicity:plan", "404") - _requests(before, "publicity:plan", "404") == 3
    assert _requests(after, "publicity:index", "200") - _requests(before, "publicity:index", "200") == 1
    assert _requests(after, "unmatched", "404") - _requests(before, "unmatched", "404") == 1
    assert not any("999991" in str(labels) for _, labels in after)
    count = (
        "shuangsuiji_http_request_duration_seconds_count",
        (("method", "GET"), ("view", "publicity:plan")),
    )
    assert after[count] - before.get(count, 0) == 3


@pytest.mark.django_db
def test_metrics_report_the_job_queue_and_the_database(client, world):
    for status in (JobStatus.QUEUED, JobStatus.QUEUED, JobStatus.RUNNING, JobStatus.SUCCEEDED):
        Job.objects.create(kind="import", title="导入", status=status, created_by=world.a_admin)
    samples = _metrics(client)
    assert samples[("shuangsuiji_jobs", (("status", "queued"),))] == 2
    assert samples[("shuangsuiji_jobs", (("status", "running"),))] == 1
    assert samples[("shuangsuiji_database_up", ())] == 1
    with mock.patch.object(type(connections["default"]), "cursor", side_effect=OperationalError("down")):
        down = client.get("/metrics").content.decode()
    assert "shuangsuiji_database_up 0.0" in down


@pytest.mark.django_db
def test_metrics_refuse_another_address_and_a_wrong_token(client, settings):
    settings.METRICS_TOKEN = TOKEN
    resp = client.get("/metrics", REMOTE_ADDR=EXTERNAL)
    assert resp.status_code == 403
    assert "无权读取运行指标" in resp.content.decode()
    assert b"shuangsuiji_" not in resp.content
    assert client.get("/metrics", REMOTE_ADDR=EXTERNAL, HTTP_AUTHORIZATION="Bearer wrong").status_code == 403
    assert _metrics(client, REMOTE_ADDR=EXTERNAL, HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    settings.METRICS_TOKEN = ""  # no token configured: a bearer header opens nothing
    assert client.get("/metrics", REMOTE_ADDR=EXTERNAL, HTTP_AUTHORIZATION="Bearer ").status_code == 403


@pytest.mark.django_db
def test_metrics_through_the_balancer_count_the_client_not_the_balancer(client, settings):
    # the balancer runs on the node itself: a request it passes on comes from loopback, but the
    # client is the address it vouches for
    settings.TRUSTED_PROXIES = [ipaddress.ip_network("127.0.0.1/32")]
    assert client.get("/metrics", HTTP_X_FORWARDED_FOR=EXTERNAL).status_code == 403
    settings.METRICS_ALLOWED_NETWORKS = [ipaddress.ip_network("192.0.2.0/24")]
    assert client.get("/metrics", REMOTE_ADDR="192.0.2.10").status_code == 200
    assert client.get("/metrics").status_code == 403  # loopback is no longer on the list


# ---- the public portal's cache headers and 304s -------------------------------------------------

LATER = dt.timedelta(minutes=5)


def _later():
    """The clock a few minutes on, so that the newest change has settled (caching.LAST_MODIFIED_SETTLE)."""
    return mock.patch("shuangsuiji.core.ops.caching.timezone.now", return_value=timezone.now() + LATER)


@pytest.fixture
def pub(ready):  # noqa: F811  (the imported fixture)
    return build_public_data(ready)


def _cache_control(resp) -> set[str]:
    return {p.strip() for p in resp.get("Cache-Control", "").split(",") if p.strip()}


@pytest.mark.parametrize("url", ["/public/", "/public/results/?q=测试企业"])
def test_public_lists_answer_with_an_etag_a_last_modified_and_304(client, pub, settings, url):
    newest = AuditEntry.objects.order_by("-seq").first().at
    with _later():
        resp = client.get(url)
        assert resp.status_code == 200
        assert _cache_control(resp) == {"public", f"max-age={settings.PUBLIC_CACHE_SECONDS}"}
        assert resp["Last-Modified"] == http_date(int(newest.timestamp()))
        etag = resp["ETag"]
        with CaptureQueriesContext(connection) as queries:
            again = client.get(url, HTTP_IF_MODIFIED_SINCE=resp["Last-Modified"])
        assert again.status_code == 304 and again.content == b""
        assert len(queries) <= 2  # the newest log entry (and the session lookup), no page built
        assert _cache_control(again) == _cache_control(resp)
        same = client.get(url, HTTP_IF_NONE_MATCH=etag)
        assert same.status_code == 304 and same["ETag"] == etag
        assert client.get(url, HTTP_IF_NONE_MATCH='"stale"').status_code == 200


def test_a_new_change_ends_the_304s(client, pub, world):
    with _later():
        first = client.get("/public/")
    # a logged change (shown nowhere public) in a later second than the page's newest
    with mock.patch("django.utils.timezone.now", return_value=timezone.now() + dt.timedelta(seconds=10)):
        planning.plan_create(actor=world.b_admin, year=2031)
    with mock.patch("shuangsuiji.core.ops.caching.timezone.now", return_value=timezone.now() + 2 * LATER):
        resp = client.get("/public/", HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
    assert resp.status_code == 200  # Last-Modified moved on: the page is sent again
    assert resp["Last-Modified"] != first["Last-Modified"]


def test_a_change_within_the_last_seconds_announces_no_last_modified(client, pub):
    resp = client.get("/public/")  # the newest entry was written a moment ago
    assert resp.status_code == 200
    assert "Last-Modified" not in resp and resp["ETag"]


def test_a_draws_page_changes_with_the_date_so_it_has_only_the_etag(client, pub):
    url = reverse("publicity:draw", args=[pub.plain_sel.draw.public_id])
    with _later():
        resp = client.get(url)
        assert resp.status_code == 200 and "Last-Modified" not in resp
        assert "public" in _cache_control(resp)
        assert client.get(url, HTTP_IF_NONE_MATCH=resp["ETag"]).status_code == 304
        json_url = reverse("publicity:draw_json", args=[pub.plain_sel.draw.public_id])
        record = client.get(json_url)
        assert client.get(json_url, HTTP_IF_NONE_MATCH=record["ETag"]).status_code == 304


def test_a_signed_in_visitor_gets_a_private_page(client, pub, world):
    with _later():
        anonymous = client.get("/public/")
        client.force_login(world.a_admin)
        resp = client.get("/public/", HTTP_IF_NONE_MATCH=anonymous["ETag"])
    assert resp.status_code == 200  # the page with the navigation and the sign-out form
    assert _cache_control(resp) == {"private", "no-store"}
    assert "ETag" not in resp and "Last-Modified" not in resp


def test_the_selection_page_is_private_and_never_stored(client, pub):
    url = reverse("publicity:selection", args=[pub.plain_sel.token])
    resp = client.get(url)
    assert resp.status_code == 200
    assert _cache_control(resp) == {"private", "no-store"}
    assert "ETag" not in resp
    invalid = client.get(reverse("publicity:selection", args=["no-such-token"]))
    assert invalid.status_code == 404 and _cache_control(invalid) == {"private", "no-store"}


def test_the_witness_page_is_private_and_never_stored(client, ready):  # noqa: F811
    draw = announce(ready, ready.task_a)
    _, token = witnesses.witness_invite(
        actor=ready.a_admin, draw=draw, label="见证人1", description="行业协会代表"
    )
    resp = client.get(reverse("draw_witness:page", args=[token]))
    assert resp.status_code == 200
    assert _cache_control(resp) == {"private", "no-store"}


@pytest.mark.django_db
def test_the_anchors_pages_take_the_newest_anchors_time(client, world):
    from django.db import transaction

    with transaction.atomic():
        audit.record(actor=None, action="test.mark", summary="测试")
    anchor = audit.anchor_publish()
    assert anchor is not None
    for name in ("publicity:audit_anchors", "publicity:audit_anchors_json"):
        with _later():
            resp = client.get(reverse(name))
            assert resp["Last-Modified"] == http_date(int(anchor.published_at.timestamp()))
            assert client.get(reverse(name), HTTP_IF_MODIFIED_SINCE=resp["Last-Modified"]).status_code == 304
