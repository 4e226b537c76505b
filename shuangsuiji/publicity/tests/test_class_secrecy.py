"""No public output of a draw adds to what the published plan and the named list already imply
about a firm's risk class (R-TGT-2, 国市监信发〔2022〕6号). Every public output of a real draw —
the portal's pages (the selection page as an inspector or a passer-by sees it, without the
enterprise's code), the record JSON, the hand-over files, the public API — is collected, then
attacked the three ways an outside reader found: a firm's key or name next to a stratum label or
class; the strata sorted by quota ÷ size and the named list cut into them by its order; an audit
path's hashes matched against the unsalted leaves of every key in the directory."""

import csv
import io
import json
import re
from html.parser import HTMLParser

import pytest
from django.test import Client
from django.urls import reverse

from shuangsuiji.directory.models import RiskClass, Target, TargetKind
from shuangsuiji.draw import engine
from shuangsuiji.draw.records import _shown_key, _shown_name
from shuangsuiji.draw.tests.conftest import ready  # noqa: F401  (fixture)

from .test_results import _api, _body, pub  # noqa: F401  (fixture)

CLASS_WORDS = [f"{c}类" for c in "ABCD"] + [label for _, label in RiskClass.choices]


class _Blocks(HTMLParser):
    """The text of each row-like element of a page (a table row, a list item, a term or its
    description, a paragraph): what a reader takes as belonging together."""

    TAGS = {"tr", "li", "dd", "dt", "p", "h1", "h2", "h3"}

    def __init__(self):
        super().__init__()
        self.blocks: list[str] = []
        self._open: list[list[str]] = []

    def handle_starttag(self, tag, attrs):
        if tag in self.TAGS:
            self._open.append([])

    def handle_endtag(self, tag):
        if tag in self.TAGS and self._open:
            self.blocks.append("".join(self._open.pop()))

    def handle_data(self, data):
        for part in self._open:
            part.append(data)


def _blocks(html: str) -> list[str]:
    p = _Blocks()
    p.feed(html)
    return p.blocks


def _objects(value):
    """Every JSON object inside a value, nested ones included."""
    if isinstance(value, dict):
        yield value
        for v in value.values():
            yield from _objects(v)
    elif isinstance(value, list):
        for v in value:
            yield from _objects(v)


def _named_lists(value):
    """Every list of objects naming firms (with key and name) inside a JSON value."""
    if (
        isinstance(value, list)
        and value
        and all(isinstance(v, dict) and {"key", "name"} <= set(v) for v in value)
    ):
        yield value
    if isinstance(value, dict):
        for v in value.values():
            yield from _named_lists(v)
    elif isinstance(value, list):
        for v in value:
            yield from _named_lists(v)


def _outputs(client: Client, w) -> tuple[dict[str, str], dict[str, object]]:
    """(pages by name, JSON documents by name): every public output of the draw."""
    d = w.draw
    pages = {
        "公示首页": client.get(reverse("publicity:index")),
        "抽取公示页": client.get(reverse("publicity:draw", args=[d.public_id])),
        "抽取公示页（服务器核验）": client.get(reverse("publicity:draw", args=[d.public_id]) + "?verify=1"),
        "检查结果查询": client.get(reverse("publicity:results"), {"q": ""}),
    }
    for s in d.selections.all():
        pages[f"核验页 {s.pk}"] = client.get(reverse("publicity:selection", args=[s.token]))
        pages[f"结果查询 {s.pk}"] = client.get(reverse("publicity:results"), {"q": s.key})
    for name, r in pages.items():
        assert r.status_code == 200, name
    docs = {
        "抽取记录": json.loads(client.get(reverse("publicity:draw_json", args=[d.public_id])).content),
        "交接：抽取": json.loads(_body(client.get(reverse("publicity:export_draws_json")))),
        "交接：结果": json.loads(_body(client.get(reverse("publicity:export_results_json")))),
        "接口：抽取": _api().get("/public/draws").json(),
        "接口：结果": _api().get("/public/results").json(),
    }
    text = _body(client.get(reverse("publicity:export_results_csv"))).decode("utf-8-sig")
    docs["交接：结果 CSV"] = list(csv.DictReader(io.StringIO(text, newline="")))
    return {k: r.content.decode() for k, r in pages.items()}, docs


@pytest.mark.django_db
def test_no_public_output_joins_a_firm_to_its_stratum_or_class(client, pub):  # noqa: F811
    w = pub
    d = w.draw
    labels = {s["label"] for s in d.strata}
    firms = [(_shown_key(s), _shown_name(s), s.label) for s in d.selections.select_related("target")]
    assert len(firms) == 28 and any(s.target.kind == TargetKind.PERSON for s in d.selections.all())
    pages, docs = _outputs(client, w)

    # 1. beside a firm's key or name: no stratum label, no class, no position or path
    for name, html in pages.items():
        for block in _blocks(html):
            for key, shown, _ in firms:
                if key in block or shown in block:
                    assert not [x for x in labels | set(CLASS_WORDS) if x in block], (name, block)
    for name, doc in docs.items():
        for obj in _objects(doc):
            values = {v for v in obj.values() if isinstance(v, str)}
            if any(key in values or shown in values for key, shown, _ in firms):
                assert not (values & labels) and not {
                    "label",
                    "position",
                    "path",
                    "risk_class",
                    "stratum",
                } & set(obj), (name, obj)

    # 2. strata sorted by quota ÷ size (the plan's ratios rise A → D), the named list cut into them
    # by its order: every list is in key order, and the cut does not give the firms' strata
    truth = {key: label for key, _, label in firms}
    by_ratio = sorted(d.strata, key=lambda s: s["quota"] / s["size"])
    lists = [
        lst for doc in docs.values() for lst in _named_lists(doc) if {e["key"] for e in lst} <= truth.keys()
    ]
    page_order = [k for k in re.findall(r"<code[^>]*>([^<]+)</code>", pages["抽取公示页"]) if k in truth]
    assert lists and page_order
    for order in [[e["key"] for e in lst] for lst in lists] + [page_order]:
        assert order == sorted(order, key=str.encode), "名单须按代码排序，不能按抽取顺序"
        for strata in (sorted(d.strata, key=lambda s: s["label"]), by_ratio):
            cut, at = {}, 0
            for s in strata:
                for key in order[at : at + s["quota"]]:
                    cut[key] = s["label"]
                at += s["quota"]
            assert cut != truth

    # 3. no published hash is the unsalted leaf (v1 with any label, v2) of any key in the directory
    published = set()
    for text in [*pages.values(), *(json.dumps(doc) for doc in docs.values())]:
        published |= set(re.findall(r"\b[0-9a-f]{64}\b", text))
    drawn = json.loads(json.dumps(docs["抽取记录"]["drawn"]))
    assert sum(len(x["entries"]) for x in drawn) == 28 and all(e["path"] for x in drawn for e in x["entries"])
    for key in _keys():
        unsalted = {engine.leaf_hash("", key, engine.POOL_V2).hex()} | {
            engine.leaf_hash(label, key, engine.POOL_V1).hex() for label in labels
        }
        assert not unsalted & published, key


def _keys() -> list[str]:
    return [
        t.uscc or f"{t.kind}:{t.nonmarket_key}"
        for t in Target.objects.only("uscc", "kind", "nonmarket_key")
        if t.uscc or t.nonmarket_key
    ]


@pytest.mark.django_db
def test_the_sort_attack_recovers_classes_from_a_record_in_drawn_order(pub):  # noqa: F811
    """The attack of check 2 is real: on the list in the order drawn (as records up to
    ssj-draw-record-v1 published it), cutting by quotas gives every firm's stratum."""
    d = pub.draw
    sels = list(d.selections.order_by("order"))
    cut, at = {}, 0
    for s in sorted(d.strata, key=lambda s: s["label"]):
        for sel in sels[at : at + s["quota"]]:
            cut[sel.key] = s["label"]
        at += s["quota"]
    assert cut == {s.key: s.label for s in sels}
