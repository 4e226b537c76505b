# axe-core 4.14.1 (npm registry, MPL-2.0), vendored as shuangsuiji/static/vendor/axe.min.js
"""The public pages (一公开) for everyone: axe-core's WCAG 2.1 A/AA rules in Debian's chromium,
and a phone's width (390×844) without sideways scrolling. The data is built as in the demo:
through the services, from a published plan to a drawn task and published results."""

from pathlib import Path

import pytest
from django.urls import reverse

from shuangsuiji.draw.tests.conftest import ready  # noqa: F401  (fixture)
from shuangsuiji.publicity.tests.test_results import build_public_data

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Path(__file__).resolve().parents[1] / "static" / "vendor" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING = {"serious", "critical"}
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}

RUN_AXE = """async (tags) => {
  const r = await axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']});
  return r.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help, url: v.helpUrl,
    nodes: v.nodes.map(n => ({impact: n.impact, target: n.target.join(' '), html: n.html.slice(0, 200),
                              summary: n.failureSummary}))
  }));
}"""

# What sticks out past the right edge of the viewport outside any box that scrolls by itself.
SIDEWAYS = """() => {
  const vw = document.documentElement.clientWidth;
  const scrollsItself = (e) => {
    for (let p = e.parentElement; p && p !== document.body; p = p.parentElement) {
      const o = getComputedStyle(p).overflowX;
      if ((o === 'auto' || o === 'scroll' || o === 'hidden') && p.getBoundingClientRect().right <= vw + 1) return true;
    }
    return false;
  };
  const culprits = [];
  for (const e of document.body.querySelectorAll('*')) {
    const r = e.getBoundingClientRect();
    if (r.width && r.right > vw + 1 && !scrollsItself(e)) {
      const kids = [...e.children].some(c => c.getBoundingClientRect().right > vw + 1);
      if (!kids) culprits.push(`${e.tagName.toLowerCase()}${e.className ? '.' + e.className : ''} ` +
                               `right=${Math.round(r.right)} 「${(e.textContent || '').trim().slice(0, 40)}」`);
    }
  }
  return {viewport: vw, page: document.documentElement.scrollWidth, body: document.body.scrollWidth,
          culprits: culprits.slice(0, 10)};
}"""


@pytest.fixture
def public_pages(ready):  # noqa: F811  (the imported fixture)
    w = build_public_data(ready)
    return [
        ("公示首页", reverse("publicity:index")),
        ("年度抽查计划", reverse("publicity:plan", args=[w.plan_a.pk])),
        ("抽取记录（验证）", reverse("publicity:draw", args=[w.draw.public_id]) + "?verify=1"),
        # the same page verified in the browser (static/js/draw-verify.js): see _settle()
        ("抽取记录（浏览器内验证）", reverse("publicity:draw", args=[w.draw.public_id]) + "#verify-in-page"),
        ("检查结果查询", reverse("publicity:results") + "?q=测试企业"),
        ("检查结果查询（自然人）", reverse("publicity:results") + "?q=张"),
        ("企业抽取核验", reverse("publicity:selection", args=[w.plain_sel.token])),
    ]


def _settle(page, url: str) -> None:
    """The in-page verification's list is checked as the visitor sees it: after 验证 ran."""
    if url.endswith("#verify-in-page"):
        page.get_by_role("button", name="验证").click()
        page.locator("#draw-verify [data-verify-list] li").first.wait_for()


def _report(found: dict[str, list[dict]]) -> str:
    lines = []
    for name, violations in found.items():
        for v in violations:
            lines.append(f"【{name}】{v['id']}（{v['impact']}）{v['help']} {v['url']}")
            for n in v["nodes"]:
                lines.append(f"    {n['target']}  {n['html']}")
                lines.append("      " + (n["summary"] or "").replace("\n", "\n      "))
    return "\n".join(lines)


@pytest.mark.parametrize(
    "context_options",
    # axe is injected as a script of the page (add_script_tag with the vendored file), which the
    # strict CSP rightly refuses: these contexts bypass CSP for the check only. The CSP itself is
    # held by the other browser tests (any violation is a console error there).
    [{"bypass_csp": True}, {**PHONE, "bypass_csp": True}],
    ids=["1280x800", "390x844"],
)
def test_public_pages_pass_axe_wcag21_aa(page, live_server, public_pages, artifact_path):
    found = {}
    for n, (name, url) in enumerate(public_pages):
        page.goto(live_server.url + url)
        _settle(page, url)
        page.add_script_tag(path=str(AXE))
        violations = page.evaluate(RUN_AXE, WCAG_TAGS)
        blocking = [v for v in violations if v["impact"] in BLOCKING]
        if blocking:
            found[name] = blocking
            page.screenshot(path=artifact_path(f"-{n}"), full_page=True)
        print(f"{name} {url}: {len(violations)} 项违规，其中严重 {len(blocking)} 项")
        if violations:
            print(_report({name: violations}))
    assert not found, "公示页面有严重的无障碍问题（axe-core，WCAG 2.1 A/AA）：\n" + _report(found)


@pytest.mark.parametrize("context_options", [PHONE], ids=["390x844"])
def test_public_pages_fit_a_phone(page, live_server, public_pages, artifact_path):
    wide = {}
    for n, (name, url) in enumerate(public_pages):
        page.goto(live_server.url + url)
        _settle(page, url)
        m = page.evaluate(SIDEWAYS)
        assert m["viewport"] == 390, m
        if max(m["page"], m["body"]) > m["viewport"]:
            wide[name] = m
            page.screenshot(path=artifact_path(f"-{n}"), full_page=True)
    assert not wide, "手机宽度（390px）下页面可横向滚动：\n" + "\n".join(
        f"【{name}】{url_m['page']}px：{'；'.join(url_m['culprits'])}" for name, url_m in wide.items()
    )
