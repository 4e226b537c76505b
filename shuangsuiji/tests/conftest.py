"""Browser fixtures: Debian's chromium driven by Playwright (sync API), never a downloaded browser.

Every page runs as on the offline intranet: a request to any host but the live server is aborted
and fails the test, and so does any console error or uncaught page error (a CSP violation shows
up as one). Each test leaves a screenshot in test-artifacts/ (gitignored)."""

import os
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
LOCAL_HOSTS = {"127.0.0.1", "localhost"}


@pytest.fixture(scope="session")
def browser():
    # Playwright's sync API runs an event loop in the test thread, which Django takes for an async
    # context; the test's own ORM calls (fixtures, the worker run) are synchronous and safe. Set
    # only while a browser is up, so the rest of the suite keeps Django's check.
    saved = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        yield from _chromium()
    finally:
        if saved is None:
            del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = saved


def _chromium():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        try:
            b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        except Exception as e:
            problem = str(e)  # failed outside the except block: one message, not a chained trace
        else:
            problem = None
        if problem:
            pytest.fail(
                "无法启动 chromium，浏览器测试不能运行：请执行 apt-get install chromium fonts-wqy-microhei。"
                " Chromium could not be launched; install it with: apt-get install chromium fonts-wqy-microhei."
                f"\n{problem}",
                pytrace=False,
            )
        try:
            yield b
        finally:
            b.close()


@pytest.fixture
def context_options():
    """Overridable per test with @pytest.mark.parametrize("context_options", [...])."""
    return {}


@pytest.fixture
def artifact_path(request):
    """artifact_path(suffix) → test-artifacts/<test name><suffix>.png."""
    ARTIFACTS.mkdir(exist_ok=True)
    stem = re.sub(r"[^\w.-]+", "_", request.node.name).strip("_")

    def _path(suffix: str = "") -> Path:
        return ARTIFACTS / f"{stem}{suffix}.png"

    return _path


@pytest.fixture
def page(browser, live_server, context_options, artifact_path):
    allowed = {(host, urlsplit(live_server.url).port) for host in LOCAL_HOSTS}
    external: list[str] = []
    problems: list[str] = []

    context = browser.new_context(
        **{"locale": "zh-CN", "viewport": {"width": 1280, "height": 800}, **context_options}
    )

    def route(r):
        url = urlsplit(r.request.url)
        if url.scheme in ("http", "https", "ws", "wss") and (url.hostname, url.port) not in allowed:
            external.append(r.request.url)
            r.abort("blockedbyclient")
        else:
            r.continue_()

    context.route("**/*", route)
    p = context.new_page()
    p.on("console", lambda m: m.type == "error" and problems.append(f"console: {m.text} @ {m.location}"))
    p.on("pageerror", lambda e: problems.append(f"pageerror: {e}"))
    p.set_default_timeout(10_000)
    yield p
    try:
        p.screenshot(path=artifact_path(), full_page=True)
    finally:
        context.close()
    assert not external, f"页面试图访问外部地址（内网离线部署，不得依赖 CDN）：{external}"
    assert not problems, f"浏览器控制台有错误：{problems}"


# ---- 鹿泉区's demo, built once for the session's browser tests -----------------------------------

DEMO_TARGETS = 600  # enough for every state the walks look for; the build grows with it
_demo: dict = {}  # the rows of the first build, per model


@pytest.fixture(scope="session")
def _demo_media(tmp_path_factory):
    return tmp_path_factory.mktemp("demo-media")


@pytest.fixture
def demo_county(transactional_db, settings, _demo_media):
    """The demo county (`demo_load`, DEMO_TARGETS targets) in the test's database. Building it is
    most of a browser test's time, so the first test that asks builds it and keeps its rows; a
    transactional test's database is emptied after each test, and the next one gets the rows
    copied back (ids and all), which takes a fraction of the build. A test may change them: the
    copy is taken before any test runs its own steps. The build's files (frozen pools) are shared."""
    from django.core.management import call_command

    settings.MEDIA_ROOT = _demo_media
    if "rows" in _demo:
        _restore(_demo["rows"])
    else:
        import io

        call_command("demo_load", targets=DEMO_TARGETS, stdout=io.StringIO())
        _demo["rows"] = _snapshot()


def _tables():
    from django.apps import apps

    return [
        m
        for m in apps.get_models(include_auto_created=True)
        if m._meta.managed and not m._meta.proxy and not m._meta.swapped
    ]


def _snapshot() -> list:
    return [(m, list(m._base_manager.order_by("pk"))) for m in _tables()]


def _restore(rows: list) -> None:
    """The snapshot's rows back into the emptied database, in one transaction (foreign keys are
    checked at commit, so the order of the tables does not matter); what the flush's post_migrate
    put back (content types, permissions) is replaced by the snapshot's own rows."""
    from django.contrib.contenttypes.models import ContentType
    from django.core.management.color import no_style
    from django.db import connection, transaction

    with transaction.atomic():
        for model, _ in rows:
            if model._base_manager.exists():
                with connection.cursor() as c:
                    c.execute(f"DELETE FROM {connection.ops.quote_name(model._meta.db_table)}")
        for model, objs in rows:
            model._base_manager.bulk_create(objs, batch_size=500)
        with connection.cursor() as c:
            for sql in connection.ops.sequence_reset_sql(no_style(), [m for m, _ in rows]):
                c.execute(sql)
    ContentType.objects.clear_cache()
