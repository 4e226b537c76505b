"""Preview before writing for the inspector and item imports (issue 17): the same flow, page,
changes download and fingerprint as a target import's (directory/preview.py ChangeList,
jobs._preview_stage): rows to add, rows to change with each changed field (before → after), rows
unchanged, columns ignored, warnings; nothing written before 确认导入, and a confirm refused when a
previewed row changed since. Also: their files follow the target import's rules (aliases, header
below title rows, full-width values, Excel dates)."""

import io

import openpyxl
import pytest
from django.urls import reverse

from conftest import make_ric
from shuangsuiji.core.models import AuditEntry, JobStatus
from shuangsuiji.core.tasks import run_job
from shuangsuiji.directory import preview, services
from shuangsuiji.directory.models import Inspector, Item, Tag, TagLibrary

from .test_import import run

R1, R2 = make_ric("13010219850101123"), make_ric("13010219900202456")
ITEM_HEADER = "事项编码,事项名称,事项类别,检查方式,检查要点"


def _preview(user, text, **params):
    job = run(user, text, confirm=False, **params)
    assert job.status == JobStatus.SUCCEEDED and job.result["stage"] == "preview", job.result
    return job


def _decide(client, url_name, job, decision="confirm"):
    resp = client.post(reverse(url_name, args=[job.pk]), {"decision": decision})
    assert resp.status_code == 302, resp.content.decode()
    run_job.call(job.pk)
    job.refresh_from_db()
    return job


@pytest.fixture
def two_inspectors(world):
    Tag.objects.create(library=TagLibrary.INSPECTOR, name="食品安全", region=world.county)
    Tag.objects.create(library=TagLibrary.INSPECTOR, name="特种设备", region=world.county)
    job = run(
        world.a_admin,
        f"姓名,身份证号,执法证有效期至,专长标签,在岗\n王五,{R1},2027-06-30,食品安全,是\n赵六,{R2},2027-06-30,,是",
        kind="inspector_import",
    )
    assert job.status == JobStatus.SUCCEEDED, job.result
    return world


@pytest.mark.django_db
def test_inspector_upload_writes_nothing_until_confirmed(world, client_for):
    job = _preview(world.a_admin, f"姓名,身份证号\n王五,{R1}\n赵六,{R2}", kind="inspector_import")
    assert not Inspector.objects.exists()
    assert job.result["preview"]["added"] == 2
    url = reverse("directory:inspector_import_preview", args=[job.pk])
    page = client_for(world.a_admin).get(url).content.decode()
    assert "新增 <strong>2</strong> 人" in page and "执法检查人员名录库" in page and "方式：新增" in page
    # the job's page leads to it
    assert url in client_for(world.a_admin).get(reverse("core:job_detail", args=[job.pk])).content.decode()
    job = _decide(client_for(world.a_admin), "directory:inspector_import_preview", job)
    assert job.status == JobStatus.SUCCEEDED and job.result["written"] == 2 and not job.input_file
    assert Inspector.objects.count() == 2


@pytest.mark.django_db
def test_inspector_update_preview_lists_each_changed_field(two_inspectors, client_for):
    w = two_inspectors
    # a county's own roster: a title row, its own column names, an Excel-style date, a full-width Ｎ
    text = f"2026年执法人员名册,,,,\n人员姓名,身份证号码,执法证有效期,业务专长,是否在岗,备注\n王五,{R1},2028/12/31,特种设备,Ｎ,调岗\n赵六,{R2},2027-06-30,,是,"
    job = _preview(w.a_admin, text, kind="inspector_import", mode="update")
    insp = Inspector.objects.get(name="王五")
    assert str(insp.certificate_expiry) == "2027-06-30" and insp.on_duty  # nothing written
    shown = job.result["preview"]
    assert (shown["added"], shown["changed"], shown["unchanged"]) == (0, 1, 1)
    assert shown["ignored_columns"] == ["备注"]
    changes = {c["field"]: (c["row"], c["key"], c["before"], c["after"]) for c in shown["sample"]}
    assert changes == {
        "执法证有效期至": (3, insp.id_masked, "2027-06-30", "2028-12-31"),
        "在岗": (3, insp.id_masked, "是", "否"),
        "专长标签": (3, insp.id_masked, "食品安全", "特种设备、食品安全"),
    }
    assert R1 not in str(shown)  # only the masked number is shown or kept
    page = (
        client_for(w.a_admin)
        .get(reverse("directory:inspector_import_preview", args=[job.pk]))
        .content.decode()
    )
    assert "修改 <strong>1</strong> 人" in page and "无变化 <strong>1</strong> 人" in page
    assert "2027-06-30 → 2028-12-31" in page and "方式：按身份证号更新" in page
    assert "表头在第 2 行" in page  # the title row, named among the warnings

    job = _decide(client_for(w.a_admin), "directory:inspector_import_preview", job)
    assert job.status == JobStatus.SUCCEEDED, job.result
    insp.refresh_from_db()
    assert (str(insp.certificate_expiry), insp.on_duty) == ("2028-12-31", False)
    assert sorted(t.name for t in insp.specialties.all()) == ["特种设备", "食品安全"]
    assert "无变化 1 人" in job.message
    entry = AuditEntry.objects.filter(action="inspector.import_confirm").latest("seq")
    assert entry.actor_id == w.a_admin.pk and (entry.detail["changed"], entry.detail["unchanged"]) == (1, 1)
    assert AuditEntry.objects.filter(action="inspector.import", summary__contains="无变化 1 人").exists()


@pytest.mark.django_db
def test_an_inspector_changed_after_the_preview_is_previewed_again_not_written(two_inspectors, client_for):
    w = two_inspectors
    job = _preview(w.a_admin, f"身份证号,联系电话\n{R1},13800000000", kind="inspector_import", mode="update")
    Inspector.objects.filter(name="王五").update(phone="13900000000")  # meanwhile, on the edit page
    job = _decide(client_for(w.a_admin), "directory:inspector_import_preview", job)
    assert job.result["stage"] == "preview" and job.result["changed_since"]
    assert job.result["preview"]["sample"][0]["before"] == "13900000000"
    assert Inspector.objects.get(name="王五").phone == "13900000000"  # nothing written
    job = _decide(client_for(w.a_admin), "directory:inspector_import_preview", job)
    assert job.result["stage"] == "done" and Inspector.objects.get(name="王五").phone == "13800000000"


@pytest.mark.django_db
def test_inspector_previews_are_the_departments_own(two_inspectors, client_for):
    w = two_inspectors
    job = _preview(w.a_admin, f"身份证号,联系电话\n{R1},13800000000", kind="inspector_import", mode="update")
    for user in (w.b_admin, w.office, w.far_admin):
        c = client_for(user)
        for name in ("directory:inspector_import_preview", "directory:inspector_import_changes"):
            assert c.get(reverse(name, args=[job.pk])).status_code in (403, 404)
        assert c.post(
            reverse("directory:inspector_import_preview", args=[job.pk]), {"decision": "confirm"}
        ).status_code in (403, 404)
    # nor is a target import's page another kind's door
    assert (
        client_for(w.a_admin).get(reverse("directory:target_import_preview", args=[job.pk])).status_code
        == 404
    )
    # another department cannot update A's inspectors by file, and is not told whose they are
    job = run(w.b_admin, f"身份证号,联系电话\n{R1},13800000000", kind="inspector_import", mode="update")
    assert job.status == JobStatus.FAILED
    assert job.result["errors"][0]["reason"].startswith("本部门名录中没有此人员，无法更新")


@pytest.mark.django_db
def test_item_update_preview_confirm_and_changes_download(world, client_for):
    run(
        world.office,
        f"{ITEM_HEADER}\nHB-1,甲,一般检查事项,实地检查,查许可证\nHB-2,乙,一般,书面检查,",
        kind="item_import",
    )
    lines = [
        ITEM_HEADER,
        "ＨＢ-1,甲,重点检查事项,实地检查；书面检查,查许可证；查台账",
        "HB-2,乙,一般,书面检查,",
    ]
    job = _preview(world.office, "\n".join(lines), kind="item_import", mode="update")
    shown = job.result["preview"]
    assert (shown["changed"], shown["unchanged"]) == (1, 1)
    changes = {c["field"]: (c["key"], c["before"], c["after"]) for c in shown["sample"]}
    assert changes == {
        "事项类别": ("HB-1", "一般检查事项", "重点检查事项"),
        "检查方式": ("HB-1", "实地检查", "实地检查、书面检查"),
        "检查要点": ("HB-1", "查许可证", "查许可证；查台账"),
    }
    assert any("已将全角字符转为半角：HB-1" in x["reason"] for x in job.result["warnings"])
    c = client_for(world.office)
    page = c.get(reverse("directory:item_import_preview", args=[job.pk])).content.decode()
    assert "修改 <strong>1</strong> 项" in page and "抽查事项清单" in page
    resp = c.get(reverse("directory:item_import_changes", args=[job.pk]))
    rows = list(openpyxl.load_workbook(io.BytesIO(resp.content)).active.iter_rows(values_only=True))
    assert list(rows[0]) == preview.CHANGES_HEADER and len(rows) == 4
    assert Item.objects.get(code="HB-1").kind == "general"  # nothing written yet
    job = _decide(c, "directory:item_import_preview", job)
    assert job.status == JobStatus.SUCCEEDED, job.result
    item = Item.objects.get(code="HB-1")
    assert (item.kind, item.methods) == ("key", ["onsite", "document"])
    assert [p.text for p in item.checklist.all()] == ["查许可证", "查台账"]


@pytest.mark.django_db
def test_an_item_preview_abandoned_writes_nothing(world, client_for):
    job = _preview(world.office, f"{ITEM_HEADER}\nHB-1,甲,一般检查事项,实地检查,", kind="item_import")
    job = _decide(client_for(world.office), "directory:item_import_preview", job, "abandon")
    assert job.status == JobStatus.FAILED and job.result["stage"] == "abandoned" and not Item.objects.exists()
    assert AuditEntry.objects.filter(action="item.import_abandon", actor_id=world.office.pk).exists()
    with pytest.raises(services.DomainError):
        services.import_confirm(actor=world.office, job_id=job.pk)


@pytest.mark.django_db
def test_item_files_take_their_aliases_and_full_width_values(world):
    text = "抽查事项清单（2026年）\n抽查事项编码,抽查事项名称,事项类型,抽查方式,非现场检查\nHB-3,丙,重 点,书面检查;网络监测,Ｙ"
    job = run(world.office, text, kind="item_import")
    assert job.status == JobStatus.SUCCEEDED, job.result
    item = Item.objects.get(code="HB-3")
    assert (item.name, item.kind, item.methods, item.offsite_only) == (
        "丙",
        "key",
        ["document", "online"],
        True,
    )
