"""一公开 of inspection results: the public search, the hand-over files and the public API, on
results published through the services (draw, teams, results, finish, submit, review)."""

import csv
import datetime as dt
import io
import json
import re
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone
from ninja import NinjaAPI
from ninja.testing import TestClient

from conftest import make_ric
from shuangsuiji.api import SessionAuth, TokenAuth
from shuangsuiji.directory import services as directory
from shuangsuiji.directory.models import RiskClass, TargetKind
from shuangsuiji.draw import services as draws
from shuangsuiji.draw.models import TeamMember
from shuangsuiji.draw.tests.conftest import full_draw, ready  # noqa: F401  (fixture)
from shuangsuiji.draw.verify import verify_record
from shuangsuiji.inspection import services as inspection
from shuangsuiji.inspection.models import DEFAULT_CATEGORIES, PublishedResult, ResultCategory
from shuangsuiji.publicity import results
from shuangsuiji.publicity.api import router

D = dt.date
HANDOVER = Path(__file__).resolve().parents[3] / "docs" / "handover.md"

PERSON_NAME = "张三丰"
PERSON_RIC = make_ric("13010219850307123")
RETURN_COMMENT = "缺少现场照片，请补充后再提交"
CORRECTION_REASON = "事项结果录入有误，复核发现"
RISK_TEXTS = ["A类", "B类", "C类", "D类", "低风险", "一般风险", "较高风险", "高风险", "信用风险分类"]


def _join(w, sel) -> None:
    """Put the signed-in inspector (a_inspector) into the target's team for department A."""
    inspector = w.a_inspectors[0]
    if inspector.user_id != w.a_inspector.pk:
        inspector.user = w.a_inspector
        inspector.save()
        w.a_inspector.refresh_from_db()
    if not sel.team.filter(inspector=inspector, active=True).exists():
        m = sel.team.filter(active=True, department=w.dept_a).first()
        TeamMember.objects.filter(pk=m.pk).update(inspector=inspector)


def _enter(w, sel, outcomes: dict) -> None:
    for code, (categories, problem) in outcomes.items():
        inspection.result_save(
            actor=w.a_inspector,
            selection=sel,
            item=w.items[code],
            method="onsite",
            categories=categories,
            problem=problem,
        )


NONE_FOUND = {"A-1": (["none_found"], ""), "A-2": (["none_found"], "")}


def _publish(w, sel, outcomes=NONE_FOUND, *, returned: bool = False):
    _join(w, sel)
    _enter(w, sel, outcomes)
    inspection.inspection_finish(actor=w.a_inspector, selection=sel, finished_on=D(2026, 4, 30))
    ins = inspection.inspection_submit(actor=w.a_inspector, selection=sel)
    if returned:
        inspection.review_return(actor=w.a_reviewer, inspection=ins, comment=RETURN_COMMENT)
        ins = inspection.inspection_submit(actor=w.a_inspector, selection=sel)
    return inspection.review_approve(actor=w.a_reviewer, inspection=ins)


def build_public_data(w):
    """Demo-like public data on top of the `ready` world (a published plan): a natural person in
    the pool, task A drawn and teamed, and three published inspections — a person's, a plain one,
    and one returned once, published, corrected and republished as version 2."""
    # A migration loads the result categories; a transactional test's flush has removed them.
    for order, (code, name, problem) in enumerate(DEFAULT_CATEGORIES):
        ResultCategory.objects.get_or_create(
            code=code, defaults={"name": name, "is_problem": problem, "order": order}
        )
    w.person = directory.target_create(
        actor=w.a_admin,
        department=w.dept_a,
        kind=TargetKind.PERSON,
        name=PERSON_NAME,
        region=w.county,
        key=PERSON_RIC,
        address="鹿泉区获鹿镇向阳大街 8 号",
        risk_class="D",  # task A draws every D-class target
    )
    w.draw = full_draw(w, w.task_a)
    draws.teams_draw(actor=w.a_admin, draw=w.draw)
    sels = list(w.draw.selections.select_related("target").order_by("order"))
    w.person_sel = next(s for s in sels if s.target_id == w.person.pk)
    firms = [s for s in sels if s.target.kind == TargetKind.ENTERPRISE]
    w.plain_sel, w.fixed_sel = firms[0], firms[1]
    w.person_ins = _publish(w, w.person_sel)
    w.plain_ins = _publish(w, w.plain_sel)
    ins = _publish(w, w.fixed_sel, returned=True)
    inspection.correction_open(actor=w.a_admin, inspection=ins, reason=CORRECTION_REASON)
    _enter(w, w.fixed_sel, {"A-2": (["corrected"], "未亮照经营，已当场改正")})
    ins = inspection.inspection_submit(actor=w.a_inspector, selection=w.fixed_sel)
    w.fixed_ins = inspection.review_approve(actor=w.a_reviewer, inspection=ins)
    assert w.fixed_ins.version == 2
    w.inspector_names = list(
        TeamMember.objects.filter(selection__in=[w.person_sel, w.plain_sel, w.fixed_sel])
        .values_list("inspector__name", flat=True)
        .distinct()
    )
    return w


@pytest.fixture
def pub(ready):  # noqa: F811  (the imported fixture)
    return build_public_data(ready)


def _page(client, q, **params) -> str:
    r = client.get(reverse("publicity:results"), {"q": q, **params})
    assert r.status_code == 200
    return r.content.decode()


def _body(response) -> bytes:
    assert response.status_code == 200, response
    return b"".join(response.streaming_content)


def _csv(client, **params) -> tuple[list[str], list[dict]]:
    raw = _body(client.get(reverse("publicity:export_results_csv"), params))
    assert raw.startswith(b"\xef\xbb\xbf"), "CSV 应带 UTF-8 BOM"
    text = raw.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    return rows[0], [dict(zip(rows[0], r, strict=True)) for r in rows[1:]]


def _json(client, name, **params) -> dict:
    return json.loads(_body(client.get(reverse(f"publicity:{name}"), params)).decode("utf-8"))


def _api():
    """The router mounted as shuangsuiji/api.py mounts it, under the project's own (token and
    session) authentication, which `auth=None` must override."""
    api = NinjaAPI(auth=[TokenAuth(), SessionAuth(csrf=True)], urls_namespace="test-public-api")
    api.add_router("/public", router)
    return TestClient(api)


# ---- the search -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_search_by_exact_uscc(client, pub):
    w = pub
    uscc = w.plain_sel.target.uscc
    assert set(results.search_results(uscc).values_list("uscc", flat=True)) == {uscc}
    assert results.search_results(f"  {uscc.lower()} ").count() == 2  # two items of task A
    page = _page(client, uscc)
    assert w.plain_sel.target.name in page and w.fixed_sel.target.name not in page
    assert w.task_a.name in page and w.task_a.code in page and "市场监督管理局" in page
    assert "食品经营检查" in page and "企业公示信息检查" in page and "未发现问题" in page
    assert "2026-04-30" in page
    assert "共 1 次检查、2 个检查事项的结果" in page
    # 17 characters are not a code: a name search, which finds nothing here
    assert results.search_results(uscc[:17]).count() == 0


@pytest.mark.django_db
def test_search_by_name_substring(client, pub):
    w = pub
    found = set(results.search_results("测试企业").values_list("name", flat=True))
    assert found == {w.plain_sel.target.name, w.fixed_sel.target.name}
    # two characters: on PostgreSQL through the bigram index, LIKE deciding
    assert set(results.search_results("测试").values_list("name", flat=True)) == found
    page = _page(client, "测试企业")
    assert w.plain_sel.target.name in page and w.fixed_sel.target.name in page
    assert page.count("<h2 ") == 2  # one group per enterprise
    assert "共 2 次检查" in page
    # The corrected one says so, with its version; its found problem shows.
    assert "第 2 版，更正后重新公示" in page and "发现问题已责令改正" in page
    # An 18-character name is a name, not a code.
    long_name = "石家庄市鹿泉区获鹿镇好味道餐饮服务店"
    assert len(long_name) == 18
    PublishedResult.objects.filter(inspection=w.plain_ins).update(name=long_name)
    assert results.search_results(long_name).count() == 2
    assert results.search_results("").count() == results.search_results("   ").count() == 0
    assert "找到" not in _page(client, "") and "共 " not in _page(client, "")


@pytest.mark.django_db
def test_search_pages_by_twenty_inspections_and_groups_big_numbers(client, pub, monkeypatch):
    w = pub
    monkeypatch.setattr(results, "PER_PAGE", 1)
    first, second = _page(client, "测试企业"), _page(client, "测试企业", page=2)
    assert "第 1 / 2 页" in first and "第 2 / 2 页" in second
    names = {w.plain_sel.target.name, w.fixed_sel.target.name}
    assert {n for n in names if n in first} | {n for n in names if n in second} == names
    assert not any(n in first and n in second for n in names)
    monkeypatch.setattr(results, "PER_PAGE", 20)
    row = PublishedResult.objects.filter(inspection=w.plain_ins).first()
    extra = [
        PublishedResult(
            **{f.name: getattr(row, f.name) for f in PublishedResult._meta.fields if f.name != "id"}
            | {"item": f"补充事项{n:04d}"}
        )
        for n in range(1200)
    ]
    PublishedResult.objects.bulk_create(extra)
    assert "共 1 次检查、1,202 个检查事项的结果" in _page(client, row.uscc)


@pytest.mark.django_db
def test_a_search_over_the_cap_pages_without_counting(client, pub, monkeypatch):
    """Beyond COUNT_CAP rows the page stops counting: “超过”, previous/next, the same order."""
    w = pub
    names = [w.plain_sel.target.name, w.fixed_sel.target.name]
    rows = results.search_results("测试企业").count()
    monkeypatch.setattr(results, "PER_PAGE", 1)
    exact = [results.search_page("测试企业", n).groups[0].name for n in (1, 2)]
    assert sorted(exact) == sorted(names) and results.search_page("测试企业", 1).inspections == 2
    monkeypatch.setattr(results, "COUNT_CAP", rows - 1)
    sp = results.search_page("测试企业", 1)
    assert sp.capped and sp.inspections is None and sp.rows == rows
    assert [results.search_page("测试企业", n).groups[0].name for n in (1, 2)] == exact
    first, second = _page(client, "测试企业"), _page(client, "测试企业", page=2)
    assert f"超过 {rows - 1} 个检查事项的结果" in first and "共 " not in first
    assert "下一页" in first and "上一页" not in first and "第 1 页" in first
    assert "上一页" in second and "下一页" not in second and "第 2 页" in second
    # a page number past the cap is held at the cap; one that is not a number is page 1
    assert results.search_page("测试企业", 99).page.number == (rows - 1) // 1
    assert results.search_page("测试企业", "x").page.number == 1


@pytest.mark.django_db
def test_a_persons_name_is_masked(client, pub):
    page = _page(client, "张")
    assert "张**" in page and PERSON_NAME not in page
    assert "统一社会信用代码 <code" not in page  # a person has none, and no other key is shown
    assert set(results.search_results("张").values_list("uscc", flat=True)) == {""}
    assert results.search_results(PERSON_NAME).count() == 0  # the real name is not stored


@pytest.mark.django_db
def test_nothing_internal_in_the_page_or_the_exports(client, pub):
    w = pub
    person = w.person
    outputs = {
        "page": _page(client, "测试企业") + _page(client, "张"),
        "csv": _body(client.get(reverse("publicity:export_results_csv"))).decode("utf-8-sig"),
        "results.json": _body(client.get(reverse("publicity:export_results_json"))).decode(),
        "draws.json": _body(client.get(reverse("publicity:export_draws_json"))).decode(),
        "api": json.dumps(_api().get("/public/results").json(), ensure_ascii=False)
        + json.dumps(_api().get("/public/draws").json(), ensure_ascii=False),
    }
    secret = [
        PERSON_NAME,
        PERSON_RIC,
        person.key_display,  # the masked 身份证号 stays internal too
        # (its keyed digest is the public draw key, by design: docs/draw-spec.md)
        RETURN_COMMENT,
        CORRECTION_REASON,
        *w.inspector_names,
        *[label for _, label in RiskClass.choices],
        *RISK_TEXTS,
    ]
    ric_shape = re.compile(r"\b\d{17}[\dX]\b")
    for where, text in outputs.items():
        leaked = [s for s in secret if s and s in text]
        assert not leaked, f"{where} 泄露了内部信息：{leaked}"
        assert not ric_shape.search(text), f"{where} 含有形如身份证号的内容"
        assert "张**" in text, where


# ---- the hand-over files ------------------------------------------------------------------------


def _documented_columns() -> list[tuple[str, str]]:
    """(CSV header, JSON key) rows of the results table in docs/handover.md, in order."""
    text = HANDOVER.read_text(encoding="utf-8")
    section = text.split("<!-- results-columns -->")[1].split("<!-- /results-columns -->")[0]
    return re.findall(r"^\|\s*`([^`]+)`\s*\|\s*`([a-z_]+)`\s*\|", section, flags=re.M)


@pytest.mark.django_db
def test_csv_header_matches_the_docs_and_rows_follow_it(client, pub):
    w = pub
    documented = _documented_columns()
    assert [(key, header) for header, key in documented] == results.RESULT_FIELDS
    header, rows = _csv(client)
    assert header == [h for h, _ in documented]
    assert len(rows) == 6  # 3 inspections × 2 items
    raw = _body(client.get(reverse("publicity:export_results_csv")))
    assert b"\r\n" in raw
    fixed = [r for r in rows if r["任务编号"] == w.task_a.code and r["版本"] == "2"]
    assert {r["发现问题"] for r in fixed} == {"是", "否"}
    problem = next(r for r in fixed if r["发现问题"] == "是")
    assert problem["检查事项"] == "企业公示信息检查" and problem["检查结果"] == "发现问题已责令改正"
    assert problem["统一社会信用代码"] == w.fixed_sel.target.uscc
    assert problem["检查日期"] == "2026-04-30"
    assert problem["公示时间"].endswith("+08:00")
    assert problem["检查记录号"] == str(w.fixed_ins.pk)
    assert {r["名称"] for r in rows if not r["统一社会信用代码"]} == {"张**"}
    # Oldest publication first: the corrected one, republished last, comes last.
    assert [r["检查记录号"] for r in rows][-2:] == [str(w.fixed_ins.pk)] * 2
    # JSON: the same rows and keys, typed.
    data = _json(client, "export_results_json")
    assert data["format"] == "ssj-public-results-v2" and data["since"] is None
    assert [list(r) for r in data["results"]] == [[k for _, k in documented]] * 6
    last = data["results"][-1]
    assert last["version"] == 2 and isinstance(last["found_problem"], bool)
    assert last["inspection_id"] == w.fixed_ins.pk
    r = client.get(reverse("publicity:export_results_csv"))
    assert r["Content-Type"] == "text/csv; charset=utf-8" and "attachment" in r["Content-Disposition"]


def _at(y, m, d, hh=0, mm=0):
    return timezone.make_aware(dt.datetime(y, m, d, hh, mm))  # Asia/Shanghai


@pytest.mark.django_db
def test_since_filters_by_publication_day_in_local_time(client, pub):
    w = pub
    PublishedResult.objects.filter(inspection=w.person_ins).update(published_at=_at(2026, 5, 31, 23, 59))
    PublishedResult.objects.filter(inspection=w.plain_ins).update(published_at=_at(2026, 6, 1, 0, 0))
    _, rows = _csv(client, since="2026-06-01")
    assert {r["检查记录号"] for r in rows} == {str(w.plain_ins.pk), str(w.fixed_ins.pk)}
    _, rows = _csv(client, since="2026-05-31")
    assert len(rows) == 6
    data = _json(client, "export_results_json", since="2026-06-01")
    assert data["since"] == "2026-06-01"
    assert {r["inspection_id"] for r in data["results"]} == {w.plain_ins.pk, w.fixed_ins.pk}
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    assert _csv(client, since=tomorrow)[1] == []
    assert _json(client, "export_results_json", since=tomorrow)["results"] == []
    # draws: changed since the day they were drawn, or not after it (the fixture draws an hour
    # ahead of the clock, at the announced public value's time: after 23:00 that is tomorrow)
    drawn_day = timezone.localdate(w.draw.drawn_at)
    assert len(_json(client, "export_draws_json", since=drawn_day.isoformat())["draws"]) == 1
    after = (drawn_day + dt.timedelta(days=1)).isoformat()
    assert _json(client, "export_draws_json", since=after)["draws"] == []
    for name in ("export_results_csv", "export_results_json", "export_draws_json"):
        r = client.get(reverse(f"publicity:{name}"), {"since": "2026-13-01"})
        assert r.status_code == 400 and "YYYY-MM-DD" in r.content.decode()


@pytest.mark.django_db
def test_draws_export_holds_the_public_records(client, pub):
    w = pub
    data = _json(client, "export_draws_json")
    assert data["format"] == "ssj-public-draws-v2"
    [rec] = data["draws"]
    assert rec["format"] == "ssj-draw-record-v2" and rec["draw_id"] == w.draw.public_id
    assert rec["seed"] and all("risk_class" not in s for s in rec["strata"])
    assert all(set(e) <= {"key", "name", "carried"} for e in rec["named"])
    names = {s["name"] for s in rec["named"]}
    assert "张**" in names and PERSON_NAME not in names


# ---- the API ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_public_api_results_and_draws_need_no_sign_in(pub):
    w = pub
    c = _api()
    r = c.get("/public/results")
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["count"] == 6 and len(body["items"]) == 6
    assert list(body["items"][0]) == [k for k, _ in results.RESULT_FIELDS]
    assert body["items"][-1]["version"] == 2 and body["items"][-1]["inspection_id"] == w.fixed_ins.pk
    paged = c.get("/public/results?page=2&page_size=4").json()
    assert paged["count"] == 6 and len(paged["items"]) == 2
    uscc = w.plain_sel.target.uscc
    assert {i["uscc"] for i in c.get(f"/public/results?q={uscc}").json()["items"]} == {uscc}
    PublishedResult.objects.filter(inspection=w.person_ins).update(published_at=_at(2026, 5, 1, 9))
    assert c.get("/public/results?since=2026-06-01").json()["count"] == 4
    assert c.get("/public/results?since=not-a-date").status_code == 422

    r = c.get("/public/draws")
    assert r.status_code == 200, r.content
    d = r.json()
    assert d["count"] == 1
    [rec] = d["items"]
    assert rec["draw_id"] == w.draw.public_id and rec["task"]["code"] == w.task_a.code
    assert "张**" in {s["name"] for s in rec["named"]}
    assert all(set(s) == {"label", "size", "quota", "root"} for s in rec["strata"])
    assert all(set(e) <= {"key", "name", "carried"} for e in rec["named"])
    # the record as the API gives it is enough to re-run the draw: its pool format included
    assert rec["pool_format"] == "ssj-pool-v3"
    checks = verify_record(rec)
    assert checks and all(c.ok for c in checks), [c for c in checks if not c.ok]
    after = (timezone.localdate(w.draw.drawn_at) + dt.timedelta(days=1)).isoformat()  # drawn an hour ahead
    assert c.get(f"/public/draws?since={after}").json() == {"items": [], "count": 0}
