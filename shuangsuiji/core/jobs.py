"""Background jobs run by `manage.py db_worker` processes on any node, each job's effect once.

- **Claim.** A worker takes a job only by moving it from 排队中 to 进行中 in one conditional
  UPDATE: a job queued twice, or picked by two workers at once, runs once; the other returns.
- **Liveness.** On PostgreSQL the running worker holds a session advisory lock on the job for
  as long as it runs; when its process dies (kill -9, a node lost) the server drops the
  connection and the lock with it. On SQLite (one node) the worker's host and process id say
  whether it still lives.
- **Effect once.** A job's write and `mark_written` share one transaction: a worker killed
  before the commit leaves no row written and no mark; one killed after it leaves both.
- **Recovery** (`recover`, run by every worker before it takes a job and by `manage.py
  job_recover`): a 进行中 job whose worker is gone is marked 已完成 if its write had committed,
  else queued again (nothing was written), unless its workers died MAX_INTERRUPTIONS times
  (then 未通过: a file that kills its worker is not retried for ever).
"""

import contextlib
import os
import socket
from collections.abc import Iterator

from django.db import connection, transaction
from django.utils import timezone

from . import audit
from .models import Job, JobStatus

MAX_INTERRUPTIONS = 3
_JOB_LOCK = 5_300_002  # pg_advisory_lock's first key: a running job (reports/rollup.py has 5_300_001)


# the jobs this process runs now: never settled by its own recovery (PostgreSQL's advisory lock
# is re-entrant within a session, so the lock alone would not tell)
_held: set[int] = set()


def _lock_key(job_id: int) -> list[int]:
    return [_JOB_LOCK, job_id & 0x7FFFFFFF]


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _try_lock(job_id: int) -> bool:
    if connection.vendor != "postgresql":
        return True
    with connection.cursor() as c:
        c.execute("SELECT pg_try_advisory_lock(%s, %s)", _lock_key(job_id))
        return c.fetchone()[0]


def _unlock(job_id: int) -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as c:
            c.execute("SELECT pg_advisory_unlock(%s, %s)", _lock_key(job_id))


@contextlib.contextmanager
def claimed(job_id: int) -> Iterator[Job | None]:
    """The job, now 进行中 and this worker's, or None when another worker has it or it is not
    queued. The lock comes first: recovery never sees the job running without it."""
    if job_id in _held or not _try_lock(job_id):
        yield None
        return
    _held.add(job_id)
    try:
        taken = Job.objects.filter(pk=job_id, status=JobStatus.QUEUED).update(
            status=JobStatus.RUNNING,
            started_at=timezone.now(),
            worker=worker_name()[:200],
        )
        yield Job.objects.get(pk=job_id) if taken else None
    finally:
        _held.discard(job_id)
        _unlock(job_id)


def mark_written(job: Job, *, message: str = "", result: dict | None = None) -> None:
    """Record that the job's effect is written; call inside the write's transaction. `message`
    and `result` are what the job will show if its worker dies before finishing."""
    if not connection.in_atomic_block:
        raise RuntimeError("mark_written must run inside the job's write transaction")
    fields = {"written_at": timezone.now()}
    if message:
        fields["message"] = message[:500]
    if result is not None:
        fields["result"] = result
    Job.objects.filter(pk=job.pk).update(**fields)


def _worker_gone(job: Job) -> bool:
    """Whether the worker running `job` has died. On PostgreSQL: nobody holds its lock (taken
    here, and released by the caller). On SQLite: its process on this host no longer exists."""
    if connection.vendor == "postgresql":
        return _try_lock(job.pk)
    host, _, pid = job.worker.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return False  # another node's worker: SQLite serves one node, so this is not expected
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def recover() -> list[Job]:
    """Settle every 进行中 job whose worker is gone (see the module's note); returns them."""
    settled = []
    for job in Job.objects.filter(status=JobStatus.RUNNING).exclude(pk__in=_held).order_by("pk"):
        if not _worker_gone(job):
            continue
        try:
            again = _settle(job)
        finally:
            _unlock(job.pk)
        if again is not None:
            settled.append(again)
    return settled


def _settle(job: Job) -> Job | None:
    with transaction.atomic():
        job = Job.objects.select_for_update().filter(pk=job.pk, status=JobStatus.RUNNING).first()
        if job is None:
            return None
        now = timezone.now()
        job.interruptions += 1
        if job.written_at is not None:
            job.status, job.finished_at = JobStatus.SUCCEEDED, now
            outcome = "写入已在中断前完成，作业标为已完成"
        elif job.interruptions < MAX_INTERRUPTIONS:
            job.status, job.finished_at = JobStatus.QUEUED, None
            job.message = f"作业进程中断（第 {job.interruptions} 次），未写入任何数据；已重新排队"
            outcome = "未写入任何数据，已重新排队"
        else:
            job.status, job.finished_at = JobStatus.FAILED, now
            job.message = f"作业进程中断 {job.interruptions} 次，未写入任何数据；请重新提交"
            outcome = "未写入任何数据，多次中断，不再重试"
        job.save(update_fields=["status", "finished_at", "message", "interruptions"])
        audit.record(
            actor=None,
            action="job.recover",
            obj=job,
            summary=f"后台作业“{job.title}”的作业进程（{job.worker}）中断：{outcome}",
            detail={"worker": job.worker, "interruptions": job.interruptions, "status": job.status},
        )
        if job.status == JobStatus.QUEUED:
            from .tasks import run_job

            transaction.on_commit(lambda: run_job.enqueue(job.pk))
    return job
