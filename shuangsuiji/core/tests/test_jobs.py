"""Each background job's effect once (core/jobs.py), on either database: a job is claimed by one
conditional update, so running it twice writes once; a job whose worker died is queued again
when nothing was written, marked done when its write had committed, and given up after
MAX_INTERRUPTIONS. The kill -9 drill with real worker processes is in test_workers.py (PostgreSQL)."""

import subprocess

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django_tasks_db.models import DBTaskResult

from conftest import make_uscc
from shuangsuiji.core import jobs
from shuangsuiji.core.models import AuditEntry, Job, JobStatus
from shuangsuiji.core.tasks import run_job
from shuangsuiji.directory import services
from shuangsuiji.directory.models import Target

HEADER = "统一社会信用代码*,名称*,主体类型*,行政区划代码*"


def _csv(n: int) -> bytes:
    rows = [HEADER] + [
        f"{make_uscc(f'91130110MA0B{i:05d}')},鹿泉测试企业{i}号,有限责任公司,130110" for i in range(n)
    ]
    return "\n".join(rows).encode()


def _confirmed_import(user, n=3) -> Job:
    """A target import past its preview: confirmed and queued to write."""
    job = services.import_start(
        actor=user,
        kind="target_import",
        upload=SimpleUploadedFile("t.csv", _csv(n)),
        params={"template": "market", "mode": "create", "encoding": "auto"},
    )
    run_job.call(job.pk)
    services.import_confirm(actor=user, job_id=job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.QUEUED
    return job


def _dead_pid() -> int:
    p = subprocess.Popen(["true"])
    p.wait()
    return p.pid


@pytest.mark.django_db
def test_a_job_run_twice_writes_once(world):
    job = _confirmed_import(world.a_admin)
    run_job.call(job.pk)
    run_job.call(job.pk)  # queued twice, or picked again after the first run
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED and job.written_at is not None
    assert Target.objects.count() == 3
    assert AuditEntry.objects.filter(action="target.import").count() == 1


@pytest.mark.django_db
def test_a_running_job_is_not_claimed_by_a_second_worker(world):
    job = _confirmed_import(world.a_admin)
    with jobs.claimed(job.pk) as mine:
        assert mine is not None and mine.status == JobStatus.RUNNING and mine.worker == jobs.worker_name()
        with jobs.claimed(job.pk) as other:
            assert other is None
        assert jobs.recover() == []  # its worker (this process) is alive
    assert Target.objects.count() == 0


@pytest.mark.django_db
def test_a_job_whose_worker_died_before_writing_is_queued_again_and_then_runs(
    world, django_capture_on_commit_callbacks
):
    job = _confirmed_import(world.a_admin)
    Job.objects.filter(pk=job.pk).update(
        status=JobStatus.RUNNING, worker=f"{jobs.socket.gethostname()}:{_dead_pid()}"
    )
    queued = DBTaskResult.objects.filter(task_path__endswith="run_job")
    before = queued.count()
    with django_capture_on_commit_callbacks(execute=True):
        (settled,) = jobs.recover()
    assert settled.pk == job.pk and settled.status == JobStatus.QUEUED
    assert "未写入任何数据" in settled.message
    assert queued.count() == before + 1 and queued.order_by("-enqueued_at").first().args_kwargs["args"] == [
        job.pk
    ]
    entry = AuditEntry.objects.get(action="job.recover")
    assert entry.actor_id is None and "已重新排队" in entry.summary
    run_job.call(job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED and job.interruptions == 1 and Target.objects.count() == 3


@pytest.mark.django_db
def test_a_job_whose_worker_died_after_its_write_committed_is_done_not_rerun(world):
    job = _confirmed_import(world.a_admin)
    run_job.call(job.pk)
    # as if the worker died between the write's commit and the job's last update
    Job.objects.filter(pk=job.pk).update(
        status=JobStatus.RUNNING, worker=f"{jobs.socket.gethostname()}:{_dead_pid()}", finished_at=None
    )
    (settled,) = jobs.recover()
    assert settled.status == JobStatus.SUCCEEDED and settled.finished_at is not None
    run_job.call(job.pk)
    assert Target.objects.count() == 3
    assert AuditEntry.objects.filter(action="target.import").count() == 1


@pytest.mark.django_db
def test_a_job_interrupted_too_often_is_given_up(world):
    job = _confirmed_import(world.a_admin)
    Job.objects.filter(pk=job.pk).update(
        status=JobStatus.RUNNING,
        worker=f"{jobs.socket.gethostname()}:{_dead_pid()}",
        interruptions=jobs.MAX_INTERRUPTIONS - 1,
    )
    (settled,) = jobs.recover()
    assert settled.status == JobStatus.FAILED and "请重新提交" in settled.message
    assert Target.objects.count() == 0
