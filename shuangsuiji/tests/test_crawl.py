"""The crawl (issue 18): every page of the URL resolver, GET, as every standing actor, over the
standing world of the permission matrix and the probe (tests/test_probe.py's objects), with more
than 100 rows in the long lists. Each page that answers with HTML must show

- no Latin word (a run of two or more ASCII letters not joined to a digit) outside ALLOWED,
  except inside an element that carries `data-code`, whose value is the Chinese label of the code
  it shows (`<code data-code="对象池根哈希">…</code>`): a hash, an identifier, a login name;
- no list (a table body, a <ul> or <ol>) of more than MAX_ROWS rows: a longer list is paged.

Visible text is the text content without <script>, <style> and attributes. Routes come from the
resolver (the API's excepted: /api/v1/ is for programs), so a page added tomorrow is crawled the
day it is added; its parameters are filled from test_probe.OBJECT_BY_PREFIX."""

import re
from html.parser import HTMLParser
from types import SimpleNamespace

import pytest
from django.test import Client
from django.urls import get_resolver

from conftest import ACTORS, make_uscc, module_standing
from shuangsuiji.core.tests.test_permission_matrix import _build_world

from . import test_probe

# Latin words a page may show: names of formats, encodings and algorithms a clerk meets
# by these letters elsewhere (Excel's “CSV UTF-8”, a file's “SHA-256”).
# "GB": national standards are named so (GB 32100-2015, GB/T 4754-2017)
ALLOWED = {"pdf", "api", "excel", "csv", "json", "qr", "xlsx", "xls", "utf", "gbk", "sha", "gb"}
MAX_ROWS = 100
# `data-code`'s value names the kind of code shown, in Chinese.
CODE_LABEL = re.compile(r"(码|编号|哈希|标识|密钥|令牌|盐值|种子|链接|地址|请求头|登录名|号)$")
# The platform's own identifiers, codes wherever they appear (an audit entry's summary names them):
# 回访抽取编号 HF-<区划>-<年>-<序号>-<6 位十六进制>.
# 分层标识 层<4 位十六进制> (draw/engine.py's opaque stratum labels), also inside the names of
# the draw's checks ("层FEBF：按种子重算的位置…").
IDENTIFIERS = [
    re.compile(r"HF-\d{6,12}-\d{4}-\d{3}-[0-9A-F]{6}"),
    re.compile(r"层[0-9A-F]{4}(?![0-9A-Za-z])"),
]
# A run of letters with no digit or letter beside it (a USCC's "MA0A" is part of a code).
LATIN_WORD = re.compile(r"(?<![A-Za-z0-9])[A-Za-z]{2,}(?![A-Za-z0-9])")

SKIPPED = {"script", "style", "template"}
LISTS = {"tbody", "ul", "ol"}
ITEMS = {"tbody": "tr", "ul": "li", "ol": "li"}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class PageText(HTMLParser):
    """The visible text outside code fields, the code fields' labels, and the longest lists."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, bool, bool]] = []  # (tag, hidden, code)
        self.text: list[str] = []
        self.code_labels: list[str] = []
        self.lists: list[list] = []  # open lists: [tag, rows]
        self.long_lists: list[tuple[str, int]] = []

    def _hidden(self) -> bool:
        return bool(self.stack) and self.stack[-1][1]

    def _code(self) -> bool:
        return bool(self.stack) and self.stack[-1][2]

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in VOID:
            return
        code = self._code()
        if "data-code" in attrs:
            self.code_labels.append(attrs["data-code"] or "")
            code = True
        self.stack.append((tag, self._hidden() or tag in SKIPPED, code))
        if self.lists and tag == ITEMS[self.lists[-1][0]] and self._depth_of_list() == 1:
            self.lists[-1][1] += 1
        if tag in LISTS:
            self.lists.append([tag, 0, len(self.stack)])

    def _depth_of_list(self) -> int:
        """How deep the current tag sits below the innermost open list (1: its direct child)."""
        return len(self.stack) - self.lists[-1][2]

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        # close up to the matching tag (HTML lets <li>, <tr>, <td>, <p> end unclosed)
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                while len(self.stack) > i:
                    self._pop()
                return

    def _pop(self):
        tag, _, _ = self.stack.pop()
        if tag in LISTS and self.lists and self.lists[-1][2] == len(self.stack) + 1:
            kind, rows, _ = self.lists.pop()
            if rows > MAX_ROWS:
                self.long_lists.append((kind, rows))

    def handle_data(self, data):
        if not self._hidden() and not self._code():
            self.text.append(data)


def page_problems(html: str) -> dict[str, list]:
    parser = PageText()
    parser.feed(html)
    parser.close()
    text = " ".join(parser.text)
    for pattern in IDENTIFIERS:
        text = pattern.sub(" ", text)
    words = sorted({w for w in LATIN_WORD.findall(text) if w.lower() not in ALLOWED})
    contexts = []
    for w in words:
        m = re.search(rf"(?<![A-Za-z0-9]){re.escape(w)}(?![A-Za-z0-9])", text)
        contexts.append(f"“{w}” in “…{' '.join(text[max(0, m.start() - 30) : m.end() + 30].split())}…”")
    bad_labels = [label for label in parser.code_labels if not CODE_LABEL.search(label)]
    return {"latin": contexts, "labels": bad_labels, "long_lists": parser.long_lists}


def test_page_text_finds_words_lists_and_code_fields():
    """The checker itself: what it flags and what it lets through."""
    html = (
        "<html><head><title>审计日志</title><style>p{color:red}</style><script>var x=1</script></head>"
        '<body><p title="English title">检查方式：document、online；导出 PDF、Excel</p>'
        '<dl><dt>对象池根哈希</dt><dd><code data-code="对象池根哈希">ab12cd</code></dd></dl>'
        "<p>统一社会信用代码 91130110MA0A00001X，规则 R-FUP-1，回访 HF-130110-2024-001-ABCDEF</p>"
        "<p><code>manage.py verify_draw</code></p>"
        '<span data-code="note">deadbeef</span>'
        "<table><tbody>" + "<tr><td>行</td></tr>" * 101 + "</tbody></table>"
        "<ul>" + "<li>一<ul><li>甲</li></ul></li>" * 100 + "</ul>"
        "</body></html>"
    )
    found = page_problems(html)
    words = [c.split("”")[0].lstrip("“") for c in found["latin"]]
    assert words == ["FUP", "document", "draw", "manage", "online", "py", "verify"]
    assert found["labels"] == ["note"]
    assert found["long_lists"] == [("tbody", 101)]


# ---- the pages -------------------------------------------------------------------------------


def _routes() -> list[str]:
    """Every page route (the API's excepted), in the urlconf's spelling."""
    return sorted({r for r in test_probe._walk(get_resolver()) if not r.startswith("api/")})


# Chinese names for the standing actors (their login names stay as they are).
DISPLAY_NAMES = {
    "office": "许文静",
    "a_admin": "韩立",
    "a_reviewer": "曹敏",
    "a_inspector": "邓超群",
    "b_admin": "彭丽",
    "b_inspector": "蒋涛",
    "sysadmin": "沈阳光",
    "auditor": "杜审",
    "far_admin": "钟远",
}


def _crowd(w, n: int = MAX_ROWS + 20):
    """More than MAX_ROWS rows in the long lists a clerk pages through: A's targets, inspectors
    and tags, the county's items, A's jobs, and (from all of that) the audit log."""
    from shuangsuiji.core.models import Job
    from shuangsuiji.directory.models import Inspector, Item, ItemStatus, Tag, Target, TargetSupervision

    targets = Target.objects.bulk_create(
        Target(
            kind="enterprise",
            uscc=make_uscc(f"91130110MA0F{i:05d}"),
            name=f"鹿泉区第{i}号商店",
            region=w.county,
        )
        for i in range(n)
    )
    TargetSupervision.objects.bulk_create(TargetSupervision(target=t, department=w.dept_a) for t in targets)
    Inspector.objects.bulk_create(
        Inspector(
            name=f"检查员{i}", id_digest=f"{i:064d}", id_masked="130102********1234", department=w.dept_a
        )
        for i in range(n)
    )
    Item.objects.bulk_create(
        Item(region=w.county, code=f"PLJC-{i:03d}", name=f"第{i}项批量检查事项", status=ItemStatus.PUBLISHED)
        for i in range(n)
    )
    Tag.objects.bulk_create(
        Tag(library="target", name=f"批量标签{i}", region=w.county, department=w.dept_a) for i in range(n)
    )
    Job.objects.bulk_create(
        Job(kind="target_import", title=f"检查对象导入：第{i}批", department=w.dept_a, created_by=w.a_admin)
        for i in range(n)
    )


@pytest.fixture(scope="module")
def standing(django_db_setup, django_db_blocker, tmp_path_factory):
    media = tmp_path_factory.mktemp("crawl-media")

    def build():
        w = _build_world()
        for actor, name in DISPLAY_NAMES.items():
            user = getattr(w, actor)
            user.display_name = name
            user.save(update_fields=["display_name"])
        o = test_probe._build(w)
        _crowd(w)
        for user, name in ((o.account, "新同事"), (o.grant.requested_by, "安管员")):
            user.display_name = name
            user.save(update_fields=["display_name"])
        return SimpleNamespace(w=w, o=o, media=media)

    yield from module_standing(django_db_blocker, media, build)


ROUTES = _routes()


@pytest.mark.parametrize("actor", ACTORS)
def test_every_page_speaks_chinese_and_pages_its_lists(standing, db, settings, actor):
    settings.MEDIA_ROOT = standing.media
    client = Client()
    if actor != "anonymous":
        client.force_login(getattr(standing.w, actor))
    failures = []
    crawled = 0
    for route in ROUTES:
        path = test_probe._concrete(route, standing.o) if "<" in route else "/" + route
        resp = client.get(path)
        if getattr(resp, "streaming", False):
            b"".join(resp.streaming_content)
            continue
        if resp.status_code != 200 or not resp.get("Content-Type", "").startswith("text/html"):
            continue
        crawled += 1
        found = page_problems(resp.content.decode())
        for context in found["latin"]:
            failures.append(f"{path} as {actor}: Latin word {context}")
        for label in found["labels"]:
            failures.append(f"{path} as {actor}: data-code label “{label}” does not name a code")
        for kind, rows in found["long_lists"]:
            failures.append(f"{path} as {actor}: a <{kind}> of {rows} rows (more than {MAX_ROWS})")
    assert crawled > 0
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize(
    "path",
    ["/directory/targets/", "/directory/inspectors/", "/directory/items/", "/directory/tags/", "/jobs/"],
)
def test_the_crowded_lists_are_paged_with_a_total(standing, db, settings, path):
    """The crawl's long lists are long enough to need paging: each shows its total and a pager."""
    settings.MEDIA_ROOT = standing.media
    client = Client()
    client.force_login(standing.w.a_admin)
    page = client.get(path).content.decode()
    assert "下一页" in page and re.search(r"共 [\d,]+ ", page), path
    assert not page_problems(page)["long_lists"]
