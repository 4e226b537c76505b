"""The office keeps the item list and its checklists; departments claim published items."""

import pytest
from django.urls import reverse

from shuangsuiji.directory.models import Item


def _post(c, url, **over):
    data = {
        "code": "LQ-T-001",
        "name": "食品经营许可事项的检查",
        "kind": "general",
        "competent": "市场监管部门",
        "levels": ["county"],
        "target_kinds": ["enterprise", "individual"],
        "methods": ["onsite", "document"],
        "checklist": "查验许可证\n\n检查台账记录",
        **over,
    }
    return c.post(url, data)


@pytest.mark.django_db
def test_office_creates_and_edits_an_item_with_its_checklist(client_for, world):
    c = client_for(world.office)
    r = _post(c, reverse("directory:item_create"))
    assert r.status_code == 302
    item = Item.objects.get(code="LQ-T-001")
    assert [p.text for p in item.checklist.all()] == ["查验许可证", "检查台账记录"]
    assert item.methods == ["onsite", "document"] and item.status == "draft"
    r = _post(c, reverse("directory:item_edit", args=[item.pk]), checklist="只查许可证", name="改名")
    assert r.status_code == 302
    item.refresh_from_db()
    assert item.name == "改名" and [p.text for p in item.checklist.all()] == ["只查许可证"]


@pytest.mark.django_db
def test_offsite_item_cannot_list_onsite_method(client_for, world):
    r = _post(client_for(world.office), reverse("directory:item_create"), offsite_only="on")
    assert r.status_code == 200 and "非现场检查事项不能选择" in r.content.decode()
    assert not Item.objects.exists()


@pytest.mark.django_db
def test_department_admin_cannot_edit_items(client_for, world):
    assert _post(client_for(world.a_admin), reverse("directory:item_create")).status_code == 403


ITEM_HEADER = "事项编码,事项名称,事项类别,实施主体,检查子项,检查依据,实施层级,检查对象类型,检查方式,非现场检查,人员专长要求,检查要点"


def _import(user, text, mode="create"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from shuangsuiji.core.tasks import run_job
    from shuangsuiji.directory import services
    from shuangsuiji.directory.tests.test_import import confirmed

    job = services.import_start(
        actor=user,
        kind="item_import",
        upload=SimpleUploadedFile("清单.csv", text.encode()),
        params={"mode": mode},
    )
    run_job.call(job.pk)
    job.refresh_from_db()
    return confirmed(user, job)  # an upload stops at its preview (issue 17): confirmed at once


@pytest.mark.django_db
def test_office_imports_the_province_list_as_drafts_and_exports_it_back(client_for, world):
    from shuangsuiji.directory.models import Tag, TagLibrary

    Tag.objects.create(library=TagLibrary.INSPECTOR, name="食品安全", region=world.county)
    text = "\n".join(
        [
            ITEM_HEADER,
            "HB-SC-001,食品经营许可事项的检查,一般检查事项,市场监管部门,许可证；台账,《食品安全法》,省级;县级,企业;个体工商户,实地检查;书面检查,否,食品安全,查验许可证；检查台账",
            "HB-SC-002,企业公示信息的检查,重点,市场监管部门,,,县级,企业,书面检查;网络监测,是,,核对年报",
        ]
    )
    job = _import(world.office, text)
    assert job.status == "succeeded", job.result
    a = Item.objects.get(code="HB-SC-001")
    assert (a.kind, a.levels, a.target_kinds, a.methods, a.offsite_only, a.status) == (
        "general",
        ["province", "county"],
        ["enterprise", "individual"],
        ["onsite", "document"],
        False,
        "draft",
    )
    assert [t.name for t in a.required_specialties.all()] == ["食品安全"]
    assert [p.text for p in a.checklist.all()] == ["查验许可证", "检查台账"]
    b = Item.objects.get(code="HB-SC-002")
    assert b.kind == "key" and b.offsite_only and b.methods == ["document", "online"]
    resp = client_for(world.office).get(reverse("directory:item_export", args=["csv"]))
    csv = b"".join(resp.streaming_content).decode("utf-8-sig")
    assert csv.splitlines()[0] == ITEM_HEADER
    assert "HB-SC-001,食品经营许可事项的检查,一般检查事项" in csv and "查验许可证；检查台账" in csv
    # the export imports back as an update
    job = _import(world.office, csv.replace("食品经营许可事项的检查", "食品经营许可检查"), mode="update")
    assert job.status == "succeeded", job.result
    assert Item.objects.get(code="HB-SC-001").name == "食品经营许可检查"


@pytest.mark.django_db
def test_bad_item_rows_listed(world):
    text = "\n".join(
        [
            ITEM_HEADER,
            "X1,名称,特殊事项,,,,乡级,,实地检查,否,不存在,",
            "X2,名称2,,,,,,,,,,",
            "X3,非现场却实地,,,,,,,实地检查,是,,",
            "X3,重复,,,,,,,书面检查,,,",
        ]
    )
    job = _import(world.office, text)
    assert job.status == "failed"
    got = {(e["row"], e["field"]) for e in job.result["errors"]}
    assert {
        (2, "事项类别"),
        (2, "实施层级"),
        (2, "人员专长要求"),
        (3, "检查方式"),
        (4, "检查方式"),
        (5, "事项编码"),
    } <= got
    assert not Item.objects.exists()
