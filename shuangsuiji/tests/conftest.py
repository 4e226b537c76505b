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
