"""Preview before writing (issue 17): an upload first shows what it would do; only 确认导入
writes, and only what the preview showed."""

import io

import openpyxl
import pytest
from django.urls import reverse

from shuangsuiji.core.models import AuditEntry, Job, JobStatus
from shuangsuiji.core.tasks import run_job
from shuangsuiji.directory import preview, services
from shuangsuiji.directory.models import Target, TargetChange

from .test_import import HEADER, U1, U2, run

UPDATE_HEADER = "统一社会信用代码,名称,信用风险分类,备注栏"


@pytest.fixture
def two_targets(world):
    run(
        world.a_admin,
        f"{HEADER}\n{U1},原名称,企业,130110,,,,,,B,2025-12-31,\n{U2},二号,企业,130110,,,,,,A,2025-12-31,",
    )
    return world


def _preview(user, text, **params):
    job = run(user, text, confirm=False, **params)
    assert job.status == JobStatus.SUCCEEDED and job.result["stage"] == "preview", job.message
    return job


def _confirm(client, job):
    resp = client.post(reverse("directory:target_import_preview", args=[job.pk]), {"decision": "confirm"})
    assert resp.status_code == 302, resp.content.decode()
    run_job.call(job.pk)
    job.refresh_from_db()
    return job


@pytest.mark.django_db
def test_create_upload_writes_nothing_until_confirmed(world, client_for):
    job = _preview(world.a_admin, f"{HEADER}\n{U1},一号,企业,130110,,,,,,,,\n{U2},二号,企业,130110,,,,,,,,")
    assert not Target.objects.exists()
    shown = job.result["preview"]
    assert (shown["added"], shown["changed"], shown["unchanged"]) == (2, 0, 0)
    page = client_for(world.a_admin).get(reverse("directory:target_import_preview", args=[job.pk]))
    text = page.content.decode()
    assert page.status_code == 200 and "新增 <strong>2</strong> 条" in text and "确认导入" in text
    job = _confirm(client_for(world.a_admin), job)
    assert job.status == JobStatus.SUCCEEDED and job.result["stage"] == "done"
    assert Target.objects.count() == 2 and job.result["written"] == 2
    assert not job.input_file  # the spooled upload is gone once written


@pytest.mark.django_db
def test_update_preview_lists_each_changed_field_and_the_unchanged_rows(two_targets, client_for):
    w = two_targets
    job = _preview(w.a_admin, f"{UPDATE_HEADER}\n{U1},新名称,D类,x\n{U2},二号,,y", mode="update")
    assert Target.objects.get(uscc=U1).name == "原名称"  # nothing written
    shown = job.result["preview"]
    assert (shown["added"], shown["changed"], shown["unchanged"]) == (0, 1, 1)
    assert shown["ignored_columns"] == ["备注栏"]
    by_field = {c["field"]: (c["row"], c["before"], c["after"]) for c in shown["sample"]}
    assert by_field["名称"] == (2, "原名称", "新名称")
    assert by_field["信用风险分类"][1:] == ("B类（一般风险）", "D类（高风险）")
    page = (
        client_for(w.a_admin).get(reverse("directory:target_import_preview", args=[job.pk])).content.decode()
    )
    assert (
        "原名称 → 新名称" in page
        and "修改 <strong>1</strong> 条" in page
        and "无变化 <strong>1</strong> 条" in page
    )
    assert "备注栏" in page

    entries = AuditEntry.objects.count()
    job = _confirm(client_for(w.a_admin), job)
    assert job.status == JobStatus.SUCCEEDED, job.message
    t = Target.objects.get(uscc=U1)
    assert (t.name, t.risk_class) == ("新名称", "D")
    assert (job.result["changed_rows"], job.result["unchanged"]) == (1, 1)
    assert "无变化 1 条" in job.message
    confirm = AuditEntry.objects.filter(action="target.import_confirm").order_by("seq").last()
    assert (
        confirm.actor_id == w.a_admin.pk
        and confirm.detail["changed"] == 1
        and confirm.detail["unchanged"] == 1
    )
    assert AuditEntry.objects.count() == entries + 2  # the confirm, then the import itself
    assert set(TargetChange.objects.filter(target=t).values_list("field", flat=True)) >= {
        "name",
        "risk_class",
    }


@pytest.mark.django_db
def test_abandon_writes_nothing_and_deletes_the_files(two_targets, client_for):
    w = two_targets
    job = _preview(w.a_admin, f"{UPDATE_HEADER}\n{U1},新名称,,", mode="update")
    stored = job.result["preview"]["changes_file"]
    assert stored and preview.default_storage.exists(stored)
    resp = client_for(w.a_admin).post(
        reverse("directory:target_import_preview", args=[job.pk]), {"decision": "abandon"}
    )
    assert resp.status_code == 302
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and job.result["stage"] == "abandoned"
    assert Target.objects.get(uscc=U1).name == "原名称"
    assert not job.input_file and not preview.default_storage.exists(stored)
    assert AuditEntry.objects.filter(action="target.import_abandon", actor_id=w.a_admin.pk).exists()
    # a decided preview cannot be confirmed any more
    client_for(w.a_admin).post(
        reverse("directory:target_import_preview", args=[job.pk]), {"decision": "confirm"}
    )
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and Target.objects.get(uscc=U1).name == "原名称"


@pytest.mark.django_db
def test_another_department_can_neither_see_nor_confirm(two_targets, client_for):
    w = two_targets
    job = _preview(w.a_admin, f"{UPDATE_HEADER}\n{U1},新名称,,", mode="update")
    url = reverse("directory:target_import_preview", args=[job.pk])
    for user in (w.b_admin, w.office, w.far_admin):
        c = client_for(user)
        assert c.get(url).status_code in (403, 404)
        assert c.post(url, {"decision": "confirm"}).status_code in (403, 404)
        assert c.get(reverse("directory:target_import_changes", args=[job.pk])).status_code in (403, 404)
    job.refresh_from_db()
    assert job.result["stage"] == "preview" and Target.objects.get(uscc=U1).name == "原名称"


@pytest.mark.django_db
def test_a_directory_changed_after_the_preview_is_previewed_again_not_written(two_targets, client_for):
    w = two_targets
    job = _preview(w.a_admin, f"{UPDATE_HEADER}\n{U1},新名称,,\n{U2},二号,,", mode="update")
    assert job.result["preview"]["unchanged"] == 1
    Target.objects.filter(uscc=U2).update(name="别人改过的名称")  # meanwhile
    job = _confirm(client_for(w.a_admin), job)
    assert job.result["stage"] == "preview" and job.result["changed_since"]
    assert "名录在预览后已有变化" in job.message
    assert (job.result["preview"]["changed"], job.result["preview"]["unchanged"]) == (2, 0)
    assert Target.objects.get(uscc=U1).name == "原名称"  # nothing written
    # the new preview, once confirmed, is written
    job = _confirm(client_for(w.a_admin), job)
    assert job.result["stage"] == "done"
    assert Target.objects.get(uscc=U2).name == "二号" and Target.objects.get(uscc=U1).name == "新名称"


@pytest.mark.django_db
def test_large_preview_shows_a_sample_and_the_full_list_downloads(world, client_for):
    lines = [f"{HEADER}"] + [f"{_uscc(i)},名称{i},企业,130110,,,,,,,," for i in range(60)]
    run(world.a_admin, "\n".join(lines))
    upd = [UPDATE_HEADER] + [f"{_uscc(i)},新名称{i},," for i in range(60)]
    job = _preview(world.a_admin, "\n".join(upd), mode="update")
    shown = job.result["preview"]
    assert shown["changed"] == 60 and len(shown["sample"]) == preview.SAMPLE_SIZE
    c = client_for(world.a_admin)
    assert "下载完整明细" in c.get(reverse("directory:target_import_preview", args=[job.pk])).content.decode()
    resp = c.get(reverse("directory:target_import_changes", args=[job.pk]))
    assert resp.status_code == 200
    rows = list(openpyxl.load_workbook(io.BytesIO(resp.content)).active.iter_rows(values_only=True))
    assert list(rows[0]) == preview.CHANGES_HEADER and len(rows) == 61
    assert any(r[4] == "名称59" and r[5] == "新名称59" for r in rows)


@pytest.mark.django_db
def test_an_unconfirmed_preview_is_abandoned_after_a_day(two_targets):
    from django.utils import timezone

    w = two_targets
    job = _preview(w.a_admin, f"{UPDATE_HEADER}\n{U1},新名称,,", mode="update")
    assert services.import_previews_expire(timezone.now()) == 0
    Job.objects.filter(pk=job.pk).update(finished_at=timezone.now() - timezone.timedelta(days=2))
    assert services.import_previews_expire() == 1
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and job.result["stage"] == "abandoned" and not job.input_file


def _uscc(i: int) -> str:
    from conftest import make_uscc

    return make_uscc(f"91130110MA0B{i:05d}")
