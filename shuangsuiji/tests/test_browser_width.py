"""No page scrolls sideways on a 1,366×900 screen (issue 18): every page a standing actor of the
demo reaches from the navigation (the office, a department's admin, its reviewer, an inspector,
the auditor, the system and security administrators, and a visitor of the public portal), that is every navigation entry and, from each,
one page of every kind it links to. A table wider than the page belongs in a box that scrolls by
itself (`.table-scroll`), never the page."""

from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.test import Client
from django.urls import Resolver404, resolve
from playwright.sync_api import Error as PlaywrightError

from shuangsuiji.core.models import User
from shuangsuiji.tests.test_browser_a11y import SIDEWAYS
from shuangsuiji.tests.test_browser_inspection import guarded_context

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DESKTOP = {"viewport": {"width": 1366, "height": 900}}
ACTORS = ["office", "scjg_admin", "scjg_reviewer", "scjg_inspector", "auditor", "sysadmin", "secadmin", None]
WIDTH = "() => [document.scrollingElement.scrollWidth, document.scrollingElement.clientWidth]"
LINKS = "(scope) => [...document.querySelectorAll(scope)].map(a => a.getAttribute('href'))"
FILES = (".json", ".xlsx", ".csv", ".pdf", ".zip")


def _signed_in(context, base: str, username: str | None) -> None:
    """The session of a signed-in account (its second factor counted, as for the test client),
    set as the browser's cookie: the sign-in page itself is another test's subject."""
    if username is None:
        return
    c = Client()
    c.force_login(User.objects.get(username=username))
    cookie = c.cookies[settings.SESSION_COOKIE_NAME].value
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": base}])


def _page_link(href: str | None) -> str | None:
    """A link to one of the site's pages (not a file, an anchor or another host), or None."""
    if not href:
        return None
    url = urlsplit(href)
    if url.scheme or url.netloc or not url.path.startswith("/") or url.path.endswith(FILES):
        return None
    try:
        resolve(url.path)
    except Resolver404:
        return None
    return href


def _crawl(page, base: str, start: str) -> tuple[list[str], dict[str, dict]]:
    """Every navigation entry (the portal's links for a visitor), then one page of each kind they
    link to. → (the pages measured, {url: what sticks out} of those wider than the screen)."""
    page.goto(base + start)
    scope = "nav.side a[href]" if page.locator("nav.side").count() else "main a[href]"
    queue = list(dict.fromkeys(filter(None, map(_page_link, page.evaluate(LINKS, scope)))))
    first = set(queue)
    kinds = {resolve(urlsplit(u).path).view_name for u in queue}
    wide, seen = {}, []
    for url in queue:
        try:
            response = page.goto(base + url)
        except PlaywrightError as e:  # a link that downloads a file (a pool, a record sheet)
            if "Download is starting" in str(e):
                continue
            raise
        assert response.ok, (url, response.status)
        if "text/html" not in response.headers.get("content-type", ""):
            continue
        seen.append(url)
        scroll, client = page.evaluate(WIDTH)
        if scroll > client:
            wide[url] = page.evaluate(SIDEWAYS)
        if url not in first:
            continue
        for href in filter(None, map(_page_link, page.evaluate(LINKS, "main a[href]"))):
            kind = resolve(urlsplit(href).path).view_name
            if kind not in kinds and "download" not in kind and "export" not in kind:
                kinds.add(kind)
                queue.append(href)
    assert first <= set(seen), (start, first - set(seen))
    return seen, wide


def test_no_page_scrolls_sideways_at_1366(demo_county, browser, live_server):
    base = live_server.url
    visited, wide = {}, {}
    for username in ACTORS:
        # each actor at a desk of their own: a fresh context, guarded like the page fixture (a
        # context reused with its cookies swapped kept showing the previous actor's pages)
        with guarded_context(browser, base, DESKTOP["viewport"]) as context:
            _signed_in(context, base, username)
            page = context.new_page()
            page.set_default_timeout(30_000)
            seen, found = _crawl(page, base, "/" if username else "/public/")
        visited[username] = seen
        wide |= {f"{username or '公众'} {url}": m for url, m in found.items()}
    assert "/reports/dashboard/" in visited["office"]  # all nine departments side by side
    assert "/org/" in visited["sysadmin"] and "/roles/accounts/" in visited["secadmin"]
    assert "/directory/targets/" in visited["scjg_inspector"] and "/public/results/" in visited[None]
    assert sum(map(len, visited.values())) > 100
    assert not wide, "1366×900 下页面可横向滚动：\n" + "\n".join(
        f"【{who}】{m['page']}px：{'；'.join(m['culprits'])}" for who, m in wide.items()
    )
