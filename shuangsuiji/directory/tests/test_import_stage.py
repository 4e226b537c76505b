"""The rows a preview checked are kept for its confirm (issue 17): in the file storage, where any
worker reads them, so that a confirm writes them without reading and checking the file again — but
only while the directory is as the preview read it; otherwise the file is read again and the
preview's fingerprint decides, as before."""

import pytest
from django.core.files.storage import default_storage

from shuangsuiji.core.models import JobStatus
from shuangsuiji.core.tasks import run_job
from shuangsuiji.directory import services
from shuangsuiji.directory.models import Tag, Target

from .test_import import HEADER, U1, U2, run
from .test_import_preview import UPDATE_HEADER


def _preview(user, text, **params):
    job = run(user, text, confirm=False, **params)
    assert job.status == JobStatus.SUCCEEDED and job.result["stage"] == "preview", job.message
    return job


def _confirm(user, job):
    services.import_confirm(actor=user, job_id=job.pk)
    run_job.call(job.pk)
    job.refresh_from_db()
    return job


def _staged(job) -> list[str]:
    """The preview's stored files: its kept rows and its full list of changes (when it has one)."""
    shown = job.result["preview"]
    return [*shown["staged"].values(), *filter(None, [shown.get("changes_file")])]


@pytest.mark.django_db
def test_a_confirm_writes_the_rows_the_preview_checked_without_reading_the_file_again(world):
    job = _preview(world.a_admin, f"{HEADER}\n{U1},一号,企业,130110,,,,,,B,,\n{U2},二号,企业,130110,,,,,,,,")
    staged = _staged(job)
    assert len(staged) == 2 and all(default_storage.exists(name) for name in staged)
    # the upload is gone (a worker on another node has no copy of it): the kept rows suffice
    job.input_file.delete(save=True)
    job = _confirm(world.a_admin, job)
    assert job.status == JobStatus.SUCCEEDED and job.result["stage"] == "done", job.message
    assert job.result["written"] == 2 and job.result["rows"] == 2
    assert Target.objects.get(uscc=U1).risk_class == "B"
    assert not any(default_storage.exists(name) for name in staged)  # gone once written


@pytest.mark.django_db
def test_a_row_changed_since_the_preview_sends_the_confirm_back_to_the_file(world):
    run(world.a_admin, f"{HEADER}\n{U1},原名称,企业,130110,,,,,,B,,\n{U2},二号,企业,130110,,,,,,A,,")
    job = _preview(world.a_admin, f"{UPDATE_HEADER}\n{U1},新名称,,\n{U2},二号,,", mode="update")
    old = _staged(job)
    assert len(old) == 3  # the kept rows, their tags and the list of changes
    Target.objects.filter(uscc=U2).update(name="别人改过的名称")  # meanwhile
    job = _confirm(world.a_admin, job)
    assert job.result["stage"] == "preview" and job.result["changed_since"]
    assert Target.objects.get(uscc=U1).name == "原名称"  # nothing written
    # the new preview keeps new rows; the old ones are gone
    assert not any(default_storage.exists(name) for name in old)
    assert all(default_storage.exists(name) for name in _staged(job))
    new = _staged(job)
    job = _confirm(world.a_admin, job)
    assert job.result["stage"] == "done" and Target.objects.get(uscc=U2).name == "二号"
    assert not any(default_storage.exists(name) for name in new)  # the written preview's files are gone


@pytest.mark.django_db
def test_a_key_added_to_the_directory_since_a_create_preview_is_refused_at_the_confirm(world):
    job = _preview(world.a_admin, f"{HEADER}\n{U1},一号,企业,130110,,,,,,,,")
    run(world.b_admin, f"{HEADER}\n{U1},别的部门先导入,企业,130110,,,,,,,,")  # meanwhile
    job = _confirm(world.a_admin, job)
    assert job.status == JobStatus.FAILED and Target.objects.get(uscc=U1).name == "别的部门先导入"
    assert job.result["errors"][0]["field"].startswith("统一社会信用代码")


@pytest.mark.django_db
def test_a_tag_deleted_since_the_preview_is_not_written_from_the_kept_rows(tagged_world):
    w, tag = tagged_world
    job = _preview(w.a_admin, f"{HEADER}\n{U1},一号,企业,130110,,,,,,,,{tag.name}")
    tag.delete()  # meanwhile
    job = _confirm(w.a_admin, job)
    # read again from the file: the tag is no longer known, the row refused, nothing written
    assert job.status == JobStatus.FAILED and not Target.objects.exists()
    assert "标签" in job.result["errors"][0]["field"]


@pytest.mark.django_db
def test_an_abandoned_preview_leaves_no_kept_rows(world):
    job = _preview(world.a_admin, f"{HEADER}\n{U1},一号,企业,130110,,,,,,,,")
    staged = _staged(job)
    services.import_abandon(actor=world.a_admin, job_id=job.pk)
    assert not any(default_storage.exists(name) for name in staged)


@pytest.fixture
def tagged_world(world):
    from shuangsuiji.directory.models import TagLibrary

    tag = Tag.objects.create(
        library=TagLibrary.TARGET,
        name="餐饮服务",
        region=world.a_admin.department.region,
        department=world.a_admin.department,
    )
    return world, tag


# ---- the write log (PostgreSQL): a confirm that need not read the directory again ---------------
# Each statement here commits on its own (transaction=True), as the upload, the clerk's other
# work and the confirm do in production.


def _reads_counted(monkeypatch) -> list[int]:
    from shuangsuiji.directory import preview

    reads, read = [], preview.directory_state

    def counted(**kw):
        reads.append(1)
        return read(**kw)

    monkeypatch.setattr(preview, "directory_state", counted)
    return reads


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_confirm_with_nothing_written_since_the_preview_does_not_read_the_directory_again(
    world, monkeypatch
):
    run(world.a_admin, f"{HEADER}\n{U1},原名称,企业,130110,,,,,,B,,")
    job = _preview(world.a_admin, f"{UPDATE_HEADER}\n{U1},新名称,,", mode="update")
    assert job.result["preview"]["snapshot"]
    reads = _reads_counted(monkeypatch)
    job = _confirm(world.a_admin, job)
    assert job.result["stage"] == "done" and Target.objects.get(uscc=U1).name == "新名称"
    assert reads == []


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_any_target_written_since_the_preview_sends_the_confirm_to_read_the_directory(world, monkeypatch):
    run(world.a_admin, f"{HEADER}\n{U1},原名称,企业,130110,,,,,,B,,\n{U2},二号,企业,130110,,,,,,A,,")
    job = _preview(world.a_admin, f"{UPDATE_HEADER}\n{U1},新名称,,", mode="update")
    reads = _reads_counted(monkeypatch)
    Target.objects.filter(uscc=U2).update(address="别处")  # meanwhile: a row the file does not hold
    job = _confirm(world.a_admin, job)
    # read again: the preview's rows are as they were, so the kept rows are written
    assert reads == [1]
    assert job.result["stage"] == "done" and Target.objects.get(uscc=U1).name == "新名称"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_previewed_row_written_since_still_sends_the_confirm_back_to_the_file(world):
    run(world.a_admin, f"{HEADER}\n{U1},原名称,企业,130110,,,,,,B,,")
    job = _preview(world.a_admin, f"{UPDATE_HEADER}\n{U1},新名称,,", mode="update")
    Target.objects.filter(uscc=U1).update(name="别人改过的名称")  # meanwhile
    job = _confirm(world.a_admin, job)
    assert job.result["stage"] == "preview" and job.result["changed_since"]
    assert Target.objects.get(uscc=U1).name == "别人改过的名称"


@pytest.mark.postgres
@pytest.mark.django_db
def test_a_preview_in_a_transaction_that_wrote_targets_notes_no_snapshot(world):
    # its own later writes would be in its snapshot: the confirm must read the directory again
    run(world.a_admin, f"{HEADER}\n{U1},原名称,企业,130110,,,,,,B,,")
    job = _preview(world.a_admin, f"{UPDATE_HEADER}\n{U1},新名称,,", mode="update")
    assert "snapshot" not in job.result["preview"]


@pytest.mark.postgres
@pytest.mark.django_db
def test_the_write_log_keeps_three_days(world):
    from django.db import connection

    with connection.cursor() as c:
        c.execute("DELETE FROM directory_target_writes")
        c.execute(
            "INSERT INTO directory_target_writes (xid, at) VALUES "
            "('1'::xid8, now() - interval '4 days'), ('2'::xid8, now() - interval '2 days')"
        )
        services.import_previews_expire()  # at each import's start
        c.execute("SELECT xid::text FROM directory_target_writes ORDER BY xid")
        assert [x for (x,) in c.fetchall()] == ["2"]
