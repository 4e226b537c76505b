"""Workers anywhere (issue 20): real `manage.py db_worker` processes on a PostgreSQL database.

- The fault drill: a worker is killed with SIGKILL in the middle of a target import's write
  (held there by a lock this test takes on the target table, so the kill always lands inside
  the write's transaction); no row is written, recovery queues the job again, a new worker
  writes every row once. The test imports SHUANGSUIJI_DRILL_ROWS rows (default 2×10⁴ on this
  shared machine; deploy/RUNBOOK.md runs it with 10⁵).
- A job queued twice and run by two workers at once writes once.
PostgreSQL only (marker `postgres`): the PostgreSQL run of ./scripts/test runs it."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from django.db import connection

from shuangsuiji.core import jobs
from shuangsuiji.core.models import AuditEntry, Job, JobStatus
from shuangsuiji.core.tasks import run_job
from shuangsuiji.directory.models import Target

from .test_jobs import _confirmed_import as _confirmed  # an upload previewed and confirmed: queued

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[3]
ROWS = int(os.environ.get("SHUANGSUIJI_DRILL_ROWS", "20000"))
APP = "ssj_store_drill_worker"  # the workers' application_name, to find their connections


def _url() -> str:
    db = settings.DATABASES["default"]
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return (
        f"postgres://{db.get('USER') or 'postgres'}{password}@{db.get('HOST') or '127.0.0.1'}:"
        f"{db.get('PORT') or 5432}/{connection.settings_dict['NAME']}"
    )


def _worker(tmp_path: Path, name: str, *args: str) -> subprocess.Popen:
    env = {**os.environ, "SHUANGSUIJI_DATABASE_URL": _url(), "PGAPPNAME": APP}
    log = (tmp_path / f"{name}.log").open("w")
    return subprocess.Popen(
        [sys.executable, "manage.py", "db_worker", "--no-startup-delay", "--interval", "0.2", *args],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )


def _backends(where: str = "") -> list[tuple]:
    with psycopg.connect(_url()) as c:
        return c.execute(
            "SELECT pid, state, wait_event_type FROM pg_stat_activity WHERE application_name = %s" + where,
            [APP],
        ).fetchall()


def _wait(check, timeout: float, what: str):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        got = check()
        if got:
            return got
        time.sleep(0.2)
    raise AssertionError(f"等待超时：{what}")


def test_a_worker_killed_mid_import_writes_nothing_and_the_rerun_writes_every_row_once(world, tmp_path):
    job = _confirmed(world.a_admin, ROWS)
    with psycopg.connect(_url()) as holder:
        # the write's INSERT into the directory waits behind this lock, inside its transaction
        holder.execute(f"LOCK TABLE {Target._meta.db_table} IN SHARE MODE")
        worker = _worker(tmp_path, "killed")
        try:
            _wait(
                lambda: _backends(" AND wait_event_type = 'Lock'"),
                600,
                "作业进程进入写入事务",
            )
            assert Job.objects.get(pk=job.pk).message.startswith("校验通过，正在写入")
            assert jobs.recover() == []  # its worker lives (holds the job's lock): left alone
            os.kill(worker.pid, signal.SIGKILL)
            assert worker.wait(30) == -signal.SIGKILL
        finally:
            if worker.poll() is None:
                worker.kill()
        holder.rollback()
    # the server ends the dead worker's session and rolls its transaction back
    _wait(lambda: not _backends(), 120, "被终止的作业进程的数据库会话结束")

    assert Target.objects.count() == 0
    job.refresh_from_db()
    assert job.status == JobStatus.RUNNING and job.written_at is None  # until recovered

    (settled,) = jobs.recover()
    assert settled.pk == job.pk and settled.status == JobStatus.QUEUED and settled.interruptions == 1
    assert AuditEntry.objects.filter(action="job.recover", object_id=str(job.pk)).count() == 1

    rerun = _worker(tmp_path, "rerun", "--batch")
    assert rerun.wait(900) == 0, (tmp_path / "rerun.log").read_text()
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED and job.written_at is not None, job.message
    assert Target.objects.count() == ROWS
    assert Target.objects.values("uscc").distinct().count() == ROWS
    assert AuditEntry.objects.filter(action="target.import", object_id=str(job.pk)).count() == 1


def test_a_job_queued_twice_and_run_by_two_workers_writes_once(world, tmp_path):
    n = 2000
    job = _confirmed(world.a_admin, n)
    run_job.enqueue(job.pk)  # the same job queued again (a double click, a re-enqueue)
    workers = [_worker(tmp_path, f"w{i}", "--batch") for i in (1, 2)]
    for i, w in enumerate(workers, 1):
        assert w.wait(600) == 0, (tmp_path / f"w{i}.log").read_text()
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED and job.interruptions == 0
    assert Target.objects.count() == n
    assert AuditEntry.objects.filter(action="target.import", object_id=str(job.pk)).count() == 1
