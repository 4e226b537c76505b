"""Directory pages as their users meet them: the filter bar and totals over the target list,
exports in the import templates' columns, forms that refuse in Chinese and save nothing,
conflicts, claims, publishing, tags, the calendar, the job page's htmx partial, and a
query-count guard on the target list (STYLE.md 10)."""

import csv
import datetime as dt
import io
import re

import openpyxl
import pytest
from django.urls import reverse

from conftest import make_ric, make_uscc
from shuangsuiji.core import selectors as core_selectors
from shuangsuiji.core.models import AuditEntry, CalendarYear, Job
from shuangsuiji.directory import services
from shuangsuiji.directory.models import (
    Conflict,
    Industry,
    Inspector,
    Item,
    ItemClaim,
    ItemStatus,
    Tag,
    Target,
    TargetSupervision,
)

U1 = make_uscc("91130110MA0A00001")
U2 = make_uscc("92130110MA0A00002")
U3 = make_uscc("91130110MA0A00003")
UB = make_uscc("52130110MA0A00004")
RIC = make_ric("13010219850612123")

# The import templates' headers, as a user downloads them (required columns marked *).
MARKET_TEMPLATE = [
    "统一社会信用代码*",
    "名称*",
    "主体类型*",
    "行政区划代码*",
    "住所",
    "行业代码",
    "成立日期",
    "登记状态",
    "状态变更日期",
    "信用风险分类",
    "分类日期",
    "标签",
]
PERSON_TEMPLATE = ["身份证号*", "姓名*", "行政区划代码*", "地址", "标签"]
INSPECTOR_TEMPLATE = [
    "姓名*",
    "身份证号*",
    "业务条线",
    "执法证号",
    "执法证有效期至",
    "专长标签",
    "在岗",
    "专家",
    "联系电话",
]
EXPORT_HEADER = [h.rstrip("*") for h in MARKET_TEMPLATE]  # an export can be imported back


class Directory:
    """Four targets of department A (one 非市场主体), one of department B, a shared tag."""


@pytest.fixture
def d(world):
    w = world
    x = Directory()
    x.w = w

    def target(actor, key, name, kind="enterprise", **fields):
        return services.target_create(
            actor=actor, department=actor.department, kind=kind, name=name, key=key, **fields
        )

    x.t1 = target(
        w.a_admin,
        U1,
        "鹿泉区好味道餐饮有限公司",
        region=w.county.children.get(code="130110100"),
        address="获鹿镇1号",
        risk_class="B",
        founded_on=dt.date(2015, 3, 2),
    )
    x.t2 = target(w.a_admin, U2, "鹿泉区张三便利店", kind="individual", region=w.county, risk_class="C")
    x.t3 = target(w.a_admin, U3, "获鹿老字号食品厂", region=w.county, risk_class="C")
    services.target_update(actor=w.a_admin, target=x.t3, status="revoked")
    x.t4 = target(w.a_admin, "XM-001", "道路改造项目", kind="project", region=w.county)
    x.tb = target(w.b_admin, UB, "卫健局监管的诊所", kind="other_market", region=w.county, risk_class="C")
    x.tag = services.tag_create(actor=w.office, library="target", name="餐饮服务")
    services.target_tags_set(actor=w.a_admin, target=x.t1, tags=[x.tag])
    return x


def _names(resp) -> list[str]:
    return [t.name for t in resp.context["page"]]


def _csv(resp) -> list[list[str]]:
    raw = b"".join(resp.streaming_content)
    assert raw.startswith(b"\xef\xbb\xbf"), "UTF-8 with BOM, so that Excel opens it"
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))


# ---- the target list ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "query,expected",
    [
        ({}, ["鹿泉区好味道餐饮有限公司", "鹿泉区张三便利店", "获鹿老字号食品厂", "道路改造项目"]),
        ({"q": U2}, ["鹿泉区张三便利店"]),
        ({"q": U2.lower()}, ["鹿泉区张三便利店"]),
        ({"q": "便利"}, ["鹿泉区张三便利店"]),
        ({"q": "鹿泉区"}, ["鹿泉区好味道餐饮有限公司", "鹿泉区张三便利店"]),
        ({"q": UB}, []),  # department B's target is not in A's directory
        ({"q": "XM-001"}, ["道路改造项目"]),
        ({"risk_class": "C"}, ["鹿泉区张三便利店", "获鹿老字号食品厂"]),
        ({"risk_class": "C", "status": "active"}, ["鹿泉区张三便利店"]),
        ({"status": "revoked"}, ["获鹿老字号食品厂"]),
        ({"kind": "project"}, ["道路改造项目"]),
        ({"region": "130110100"}, ["鹿泉区好味道餐饮有限公司"]),
    ],
    ids=[
        "all",
        "q-exact-uscc",
        "q-uscc-lower-case",
        "q-name-substring",
        "q-name-prefix-two",
        "q-uscc-of-dept-b",
        "q-project-code",
        "risk-class",
        "risk-class-and-status",
        "status",
        "kind",
        "region-township",
    ],
)
@pytest.mark.django_db
def test_target_list_filters(client_for, d, query, expected):
    resp = client_for(d.w.a_admin).get(reverse("directory:target_list"), query)
    assert resp.status_code == 200
    assert _names(resp) == expected
    assert f"共 {len(expected)} 个检查对象" in resp.content.decode()


@pytest.mark.django_db
def test_target_list_filters_by_tag(client_for, d):
    resp = client_for(d.w.a_admin).get(reverse("directory:target_list"), {"tag": d.tag.pk})
    assert _names(resp) == ["鹿泉区好味道餐饮有限公司"]


@pytest.mark.django_db
def test_office_sees_the_whole_jurisdiction_and_b_only_its_own(client_for, d):
    assert len(_names(client_for(d.w.office).get(reverse("directory:target_list")))) == 5
    assert _names(client_for(d.w.b_admin).get(reverse("directory:target_list"))) == ["卫健局监管的诊所"]


@pytest.mark.django_db
def test_a_bad_filter_value_never_widens_the_list_or_the_export(client_for, d):
    # One invalid value (a stale tag id in a bookmarked link, a mistyped class) must not drop
    # the other filters and show, or export, the whole directory.
    c = client_for(d.w.a_admin)
    query = {"q": U2, "risk_class": "Z"}
    assert _names(c.get(reverse("directory:target_list"), query)) in ([], ["鹿泉区张三便利店"])
    rows = _csv(c.get(reverse("directory:target_export", args=["csv"]), {"q": U2, "tag": 999999}))
    assert [r[0] for r in rows[1:]] in ([], [U2])


@pytest.mark.django_db
def test_tags_of_another_county_are_not_offered(client_for, d, regions):
    # A department sees shared tags of its jurisdiction (and of the levels above it), never
    # those of a neighbouring county.
    Tag.objects.create(library="target", name="馆陶县共用标签", region=regions["130433"])
    Tag.objects.create(library="target", name="石家庄市共用标签", region=regions["130100"])
    for user in (d.w.a_admin, d.w.office):
        c = client_for(user)
        listed = {t.name for t in c.get(reverse("directory:tag_list")).context["tags"]}
        assert "馆陶县共用标签" not in listed and {"餐饮服务", "石家庄市共用标签"} <= listed
        offered = c.get(reverse("directory:target_list")).context["form"].fields["tag"].choices
        assert "馆陶县共用标签" not in {label for _, label in offered}


def _bulk_targets(w, n: int, start: int = 0) -> None:
    made = Target.objects.bulk_create(
        [
            Target(
                kind="enterprise",
                uscc=make_uscc(f"9113011000{i:07d}"),
                key_display=make_uscc(f"9113011000{i:07d}"),
                name=f"批量企业{i:03d}",
                region=w.county,
                risk_class="ABCD"[i % 4],
            )
            for i in range(start, start + n)
        ]
    )
    TargetSupervision.objects.bulk_create([TargetSupervision(target=t, department=w.dept_a) for t in made])


@pytest.mark.django_db
def test_target_list_pages_by_50_with_totals(client_for, world):
    _bulk_targets(world, 60)
    c = client_for(world.a_admin)
    first = c.get(reverse("directory:target_list"))
    text = first.content.decode()
    assert "共 60 个检查对象" in text and "第 1 / 2 页" in text
    assert len(_names(first)) == 50
    second = c.get(reverse("directory:target_list"), {"page": 2})
    assert _names(second) == [f"批量企业{i:03d}" for i in range(50, 60)]
    # The pager keeps the filter: 15 of the 60 are class A, on one page.
    filtered = c.get(reverse("directory:target_list"), {"risk_class": "A"})
    assert "共 15 个检查对象" in filtered.content.decode() and len(_names(filtered)) == 15


@pytest.mark.parametrize("who", ["a_admin", "office"])
@pytest.mark.django_db
def test_target_list_queries_do_not_grow_with_the_page(client_for, world, django_assert_max_num_queries, who):
    c = client_for(getattr(world, who))
    tag = services.tag_create(actor=world.office, library="target", name="餐饮服务")
    _bulk_targets(world, 10)
    Target.tags.through.objects.bulk_create(
        [Target.tags.through(target=t, tag=tag) for t in Target.objects.all()]
    )
    with django_assert_max_num_queries(12):
        assert len(_names(c.get(reverse("directory:target_list")))) == 10
    _bulk_targets(world, 50, start=10)
    with django_assert_max_num_queries(12):
        assert len(_names(c.get(reverse("directory:target_list")))) == 50


# ---- exports and templates -----------------------------------------------------------------


@pytest.mark.django_db
def test_csv_export_has_the_template_columns_and_one_row_per_target_in_scope(client_for, d):
    resp = client_for(d.w.a_admin).get(reverse("directory:target_export", args=["csv"]))
    assert resp.status_code == 200 and resp["Content-Type"].startswith("text/csv")
    assert "attachment" in resp["Content-Disposition"] and ".csv" in resp["Content-Disposition"]
    rows = _csv(resp)
    assert rows[0] == EXPORT_HEADER
    assert sorted(r[0] for r in rows[1:]) == sorted([U1, U2, U3, "XM-001"])
    t1 = next(r for r in rows if r[0] == U1)
    assert dict(zip(EXPORT_HEADER, t1, strict=True)) | {"分类日期": ""} == {
        "统一社会信用代码": U1,
        "名称": "鹿泉区好味道餐饮有限公司",
        "主体类型": "企业",
        "行政区划代码": "130110100",
        "住所": "获鹿镇1号",
        "行业代码": "",
        "成立日期": "2015-03-02",
        "登记状态": "存续",
        "状态变更日期": "",
        "信用风险分类": "B",
        "分类日期": "",
        "标签": "餐饮服务",
    }


@pytest.mark.django_db
def test_csv_export_respects_the_filters_and_the_scope(client_for, d):
    c = client_for(d.w.a_admin)
    rows = _csv(c.get(reverse("directory:target_export", args=["csv"]), {"risk_class": "C"}))
    assert sorted(r[1] for r in rows[1:]) == ["获鹿老字号食品厂", "鹿泉区张三便利店"]
    rows = _csv(c.get(reverse("directory:target_export", args=["csv"]), {"q": "好味道"}))
    assert [r[0] for r in rows[1:]] == [U1]
    rows = _csv(client_for(d.w.b_admin).get(reverse("directory:target_export", args=["csv"])))
    assert [r[0] for r in rows[1:]] == [UB]
    rows = _csv(client_for(d.w.office).get(reverse("directory:target_export", args=["csv"])))
    assert len(rows) == 1 + 5


@pytest.mark.django_db
def test_xlsx_export_opens_in_openpyxl(client_for, d):
    resp = client_for(d.w.a_admin).get(reverse("directory:target_export", args=["xlsx"]), {"risk_class": "C"})
    assert resp.status_code == 200
    assert resp["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    ws = openpyxl.load_workbook(io.BytesIO(resp.content), read_only=True).worksheets[0]
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    assert rows[0] == EXPORT_HEADER
    assert sorted(r[0] for r in rows[1:]) == sorted([U2, U3])


@pytest.mark.django_db
def test_export_keeps_the_industry_of_a_target_entered_by_form(client_for, d):
    # The export is meant to be edited and imported back (按代码更新): a target whose industry
    # was entered on the form, or changed later, must export that industry, not an empty or
    # stale 行业代码 that a re-import would then write back.
    w = d.w
    services.target_update(actor=w.a_admin, target=d.t2, industry=Industry.objects.get(code="62"))
    rows = _csv(client_for(w.a_admin).get(reverse("directory:target_export", args=["csv"]), {"q": U2}))
    industry = dict(zip(EXPORT_HEADER, rows[1], strict=True))["行业代码"]
    assert industry in ("62", "H62")


@pytest.mark.django_db
def test_xlsx_export_writes_a_name_as_text_never_as_a_formula(client_for, world):
    # Names come from outside (registration data, imports): a name that looks like a formula
    # must reach Excel as text, or opening the export runs it (CSV/formula injection).
    name = '=HYPERLINK("http://example.com/","点击查看")'
    services.target_create(
        actor=world.a_admin,
        department=world.dept_a,
        kind="enterprise",
        name=name,
        region=world.county,
        key=U1,
    )
    resp = client_for(world.a_admin).get(reverse("directory:target_export", args=["xlsx"]))
    cell = openpyxl.load_workbook(io.BytesIO(resp.content)).worksheets[0]["B2"]
    assert cell.data_type == "s" and name in str(cell.value)


@pytest.mark.parametrize(
    "url,header",
    [
        ("/directory/targets/template/market.csv", MARKET_TEMPLATE),
        ("/directory/targets/template/market.xlsx", MARKET_TEMPLATE),
        ("/directory/targets/template/person.csv", PERSON_TEMPLATE),
        ("/directory/inspectors/template.csv", INSPECTOR_TEMPLATE),
        ("/directory/inspectors/template.xlsx", INSPECTOR_TEMPLATE),
    ],
)
@pytest.mark.django_db
def test_import_templates_download_with_their_header(client_for, world, url, header):
    resp = client_for(world.a_admin).get(url)
    assert resp.status_code == 200
    if url.endswith(".csv"):
        assert _csv(resp) == [header]
    else:
        ws = openpyxl.load_workbook(io.BytesIO(resp.content), read_only=True).worksheets[0]
        # below the header only empty cells (code columns pre-formatted as text)
        assert [list(r) for r in ws.iter_rows(values_only=True) if any(r)] == [header]


@pytest.mark.django_db
def test_unknown_template_or_format_is_404(client_for, world):
    c = client_for(world.a_admin)
    assert c.get("/directory/targets/template/nothing.csv").status_code == 404
    assert c.get("/directory/targets/template/market.pdf").status_code == 404
    assert c.get("/directory/targets/export.pdf").status_code == 404


# ---- target forms ------------------------------------------------------------------------


def _target_form(**overrides):
    data = {
        "kind": "enterprise",
        "key": U1,
        "name": "鹿泉区好味道餐饮有限公司",
        "region": "130110",
        "address": "",
        "industry": "",
        "founded_on": "",
        "status": "active",
        "risk_class": "B",
    }
    return data | overrides


@pytest.mark.django_db
def test_target_create_form_saves_and_redirects(client_for, world):
    resp = client_for(world.a_admin).post(reverse("directory:target_create"), _target_form())
    t = Target.objects.get(uscc=U1)
    assert resp.status_code == 302 and resp["Location"] == reverse("directory:target_detail", args=[t.pk])
    assert list(t.departments.all()) == [world.dept_a]


@pytest.mark.django_db
def test_target_create_form_with_a_bad_uscc_shows_the_error_and_saves_nothing(client_for, world):
    bad = U1[:-1] + ("0" if U1[-1] != "0" else "1")
    entries = AuditEntry.objects.count()
    resp = client_for(world.a_admin).post(reverse("directory:target_create"), _target_form(key=bad))
    assert resp.status_code == 200
    assert "统一社会信用代码校验位不符" in resp.content.decode()
    assert not Target.objects.exists() and AuditEntry.objects.count() == entries


@pytest.mark.django_db
def test_target_edit_of_risk_class_writes_an_audit_entry_with_from_and_to(client_for, d):
    w = d.w
    form = {
        "name": d.t1.name,
        "region": "130110100",
        "address": "获鹿镇1号",
        "industry": "",
        "founded_on": "2015-03-02",
        "status": "active",
        "risk_class": "D",
        "tags": [d.tag.pk],
    }
    resp = client_for(w.a_admin).post(reverse("directory:target_edit", args=[d.t1.pk]), form)
    assert resp.status_code == 302, resp.content.decode()[:2000]
    d.t1.refresh_from_db()
    assert d.t1.risk_class == "D"
    entry = AuditEntry.objects.filter(action="target.update", object_id=str(d.t1.pk)).get()
    assert entry.actor_id == w.a_admin.pk
    assert entry.detail == {"risk_class": {"from": "B", "to": "D"}}


@pytest.mark.django_db
def test_target_edit_changes_the_tags(client_for, d):
    w = d.w
    own = services.tag_create(actor=w.a_admin, library="target", name="重点监管")
    form = {
        "name": d.t1.name,
        "region": "130110100",
        "address": "获鹿镇1号",
        "founded_on": "2015-03-02",
        "status": "active",
        "risk_class": "B",
        "tags": [own.pk],
    }
    about_t1 = AuditEntry.objects.filter(object_type="directory.target", object_id=str(d.t1.pk))
    before = about_t1.count()
    resp = client_for(w.a_admin).post(reverse("directory:target_edit", args=[d.t1.pk]), form)
    assert resp.status_code == 302, resp.content.decode()[:2000]
    assert [t.name for t in d.t1.tags.all()] == ["重点监管"]
    assert about_t1.count() == before + 1 and about_t1.first().actor_id == w.a_admin.pk


# ---- inspectors and conflicts ------------------------------------------------------------


def _inspector_form(**overrides):
    data = {
        "name": "王五",
        "id_number": RIC,
        "business_line": "",
        "certificate_no": "冀执001",
        "certificate_expiry": "2030-12-31",
        "on_duty": "on",
        "phone": "",
    }
    return data | overrides


@pytest.mark.django_db
def test_inspector_create_form(client_for, world):
    c = client_for(world.a_admin)
    bad = RIC[:-1] + ("0" if RIC[-1] != "0" else "1")
    resp = c.post(reverse("directory:inspector_create"), _inspector_form(id_number=bad))
    assert resp.status_code == 200 and "身份证号校验位不符" in resp.content.decode()
    assert not Inspector.objects.exists()
    resp = c.post(reverse("directory:inspector_create"), _inspector_form(business_line=world.line_a1.pk))
    i = Inspector.objects.get()
    assert resp.status_code == 302 and resp["Location"] == reverse("directory:inspector_detail", args=[i.pk])
    assert (i.department, i.business_line, i.id_masked) == (
        world.dept_a,
        world.line_a1,
        RIC[:4] + "*" * 10 + RIC[-4:],
    )
    resp = c.post(reverse("directory:inspector_create"), _inspector_form(name="另一人"))
    assert resp.status_code == 200 and "名录库中已有" in resp.content.decode()
    assert Inspector.objects.count() == 1


@pytest.mark.django_db
def test_conflict_registered_on_the_inspector_page(client_for, d):
    w = d.w
    insp = services.inspector_create(actor=w.a_admin, department=w.dept_a, name="王五", id_number=RIC)
    c = client_for(w.a_admin)
    url = reverse("directory:inspector_detail", args=[insp.pk])
    resp = c.post(url, {"target_key": U1.lower(), "reason": "曾在该企业任职"}, follow=True)
    assert resp.redirect_chain == [(url, 302)]
    text = resp.content.decode()
    assert "已登记回避关系" in text and "鹿泉区好味道餐饮有限公司" in text and "曾在该企业任职" in text
    assert Conflict.objects.filter(inspector=insp, target=d.t1).count() == 1
    again = c.post(url, {"target_key": U1, "reason": "亲属"})
    assert again.status_code == 200 and "回避关系已存在" in again.content.decode()
    outside = c.post(url, {"target_key": UB, "reason": "亲属"})  # department B's target
    assert (
        outside.status_code == 200
        and "本部门监管的检查对象中没有此统一社会信用代码" in outside.content.decode()
    )
    assert Conflict.objects.count() == 1


# ---- items -------------------------------------------------------------------------------


@pytest.fixture
def items(world):
    item = services.item_create(
        actor=world.office, code="SCJG-001", name="食品经营许可情况的检查", methods=["onsite"]
    )
    services.item_publish(actor=world.office, item=item)
    draft = services.item_create(
        actor=world.office, code="SCJG-002", name="食品标签的检查", methods=["onsite"]
    )
    bare = services.item_create(actor=world.office, code="SCJG-003", name="广告发布情况的检查")
    return item, draft, bare


@pytest.mark.django_db
def test_item_claim_and_unclaim_on_the_list(client_for, world, items):
    item, _, _ = items
    c = client_for(world.a_admin)
    url = reverse("directory:item_claim", args=[item.pk])
    resp = c.post(url, follow=True)
    assert resp.redirect_chain == [(reverse("directory:item_list"), 302)]
    assert f"已认领：{item.name}" in resp.content.decode()
    claim = ItemClaim.objects.get(item=item)
    assert (claim.department, claim.claimed_by) == (world.dept_a, world.a_admin)
    again = c.post(url, follow=True)
    assert f"本部门已认领事项“{item.name}”" in again.content.decode()
    assert ItemClaim.objects.count() == 1
    undo = c.post(url, {"undo": "1"}, follow=True)
    assert f"已取消认领：{item.name}" in undo.content.decode()
    assert not ItemClaim.objects.exists()


@pytest.mark.django_db
def test_unpublished_item_cannot_be_claimed(client_for, world, items):
    # A draft is the office's alone: a department cannot see it, so claiming it is 404
    # (the service's Chinese refusal, "尚未发布，不能认领", is checked in test_services).
    _, draft, _ = items
    resp = client_for(world.a_admin).post(reverse("directory:item_claim", args=[draft.pk]))
    assert resp.status_code == 404
    assert not ItemClaim.objects.exists()


@pytest.mark.django_db
def test_office_publishes_a_draft_item(client_for, world, items):
    _, draft, bare = items
    c = client_for(world.office)
    resp = c.post(reverse("directory:item_publish", args=[draft.pk]), follow=True)
    assert f"已发布：{draft.name}" in resp.content.decode()
    draft.refresh_from_db()
    assert draft.status == ItemStatus.PUBLISHED and draft.published_at is not None
    resp = c.post(reverse("directory:item_publish", args=[bare.pk]), follow=True)
    assert "发布前须填写检查方式" in resp.content.decode()
    assert Item.objects.get(pk=bare.pk).status == ItemStatus.DRAFT


# ---- tags --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_tag_creation_on_the_tag_page(client_for, world):
    url = reverse("directory:tag_list")
    resp = client_for(world.a_admin).post(url, {"library": "target", "name": "餐饮服务"}, follow=True)
    assert resp.redirect_chain == [(url, 302)] and "标签已新建" in resp.content.decode()
    assert Tag.objects.get(name="餐饮服务").department == world.dept_a
    again = client_for(world.a_admin).post(url, {"library": "target", "name": "餐饮服务"})
    assert again.status_code == 200 and "标签“餐饮服务”已存在" in again.content.decode()
    resp = client_for(world.office).post(url, {"library": "inspector", "name": "食品安全"}, follow=True)
    shared = Tag.objects.get(name="食品安全")
    assert shared.department is None and "辖区共用" in resp.content.decode()


# ---- the calendar and the job page -------------------------------------------------------


@pytest.mark.django_db
def test_calendar_page_saves_a_2027_schedule(client_for, world):
    c = client_for(world.office)
    form = {
        "year": 2027,
        "holidays": "2027-01-01\n2027-02-06\n2027-02-07",
        "workdays": "2027-02-20",
        "complete": "on",
        "note": "国务院办公厅关于2027年部分节假日安排的通知",
    }
    resp = c.post(reverse("core:calendar"), form, follow=True)
    assert resp.redirect_chain == [(reverse("core:calendar"), 302)]
    assert "2027 年节假日安排已保存" in resp.content.decode()
    year = CalendarYear.objects.get(year=2027)
    assert year.complete and year.note.startswith("国务院办公厅")
    assert sorted((str(x.date), x.is_workday) for x in year.days.all()) == [
        ("2027-01-01", False),
        ("2027-02-06", False),
        ("2027-02-07", False),
        ("2027-02-20", True),
    ]
    cal = core_selectors.work_calendar()
    assert not cal.is_provisional(2027)
    assert not cal.is_workday(dt.date(2027, 1, 1)) and cal.is_workday(dt.date(2027, 2, 20))
    entry = AuditEntry.objects.get(action="calendar.save")
    assert entry.actor_id == world.office.pk
    bad = c.post(reverse("core:calendar"), form | {"holidays": "2027-13-01"})
    assert bad.status_code == 200 and "不是 YYYY-MM-DD 格式的日期" in bad.content.decode()


@pytest.mark.django_db
def test_job_detail_returns_the_htmx_partial(client_for, world):
    job = Job.objects.create(
        kind="target_import",
        title="检查对象导入：名录.csv",
        department=world.dept_a,
        created_by=world.a_admin,
    )
    c = client_for(world.a_admin)
    url = reverse("core:job_detail", args=[job.pk])
    full = c.get(url)
    assert full.status_code == 200
    assert "core/job_detail.html" in [t.name for t in full.templates]
    assert "<html" in full.content.decode()
    part = c.get(url, HTTP_HX_REQUEST="true")
    assert part.status_code == 200
    names = [t.name for t in part.templates]
    assert "core/_job_status.html" in names and "core/job_detail.html" not in names
    text = part.content.decode()
    assert "<html" not in text and 'id="job-status"' in text and "排队中" in text


# ---- tags picked by ticking (issue 18) -----------------------------------------------------------


@pytest.mark.django_db
def test_tag_fields_are_checkbox_lists_not_ctrl_click_selects(client_for, d):
    w = d.w
    specialty = services.tag_create(actor=w.office, library="inspector", name="食品安全")
    pages = {
        reverse("directory:target_edit", args=[d.t1.pk]): ("tags", d.tag, w.a_admin),
        reverse("directory:inspector_create"): ("specialties", specialty, w.a_admin),
        reverse("directory:item_create"): ("required_specialties", specialty, w.office),
    }
    for url, (name, tag, user) in pages.items():
        page = client_for(user).get(url).content.decode()
        assert not re.search(rf'<select[^>]*name="{name}"', page), url
        picker = page.split("data-picker", 1)[1].split("</div>\n</div>", 1)[0]
        # each tag a box ticked by a tap on it or its name
        assert re.search(
            rf'<label for="[^"]+"><input type="checkbox" name="{name}" value="{tag.pk}"[^>]*>\s*{tag.name}</label>',
            picker,
        ), url
        # the filter box is for script only: without it the list works as it is
        assert re.search(r'<input type="search" class="picker-filter"[^>]*hidden>', picker), url
        assert 'src="/static/js/picker.js"' in page, url
    # the target's current tag comes ticked
    page = client_for(w.a_admin).get(reverse("directory:target_edit", args=[d.t1.pk])).content.decode()
    assert re.search(rf'name="tags" value="{d.tag.pk}"[^>]*checked', page)
