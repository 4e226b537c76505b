"""Background jobs: the worker (manage.py db_worker) runs them; each updates its Job row. The
runner of each kind is registered by the app that owns it (registry.py): core names no app.
Several workers on several nodes may run: core/jobs.py makes each job's effect happen once."""

import contextlib

from django.utils import timezone
from django_tasks import task

from . import jobs, registry, storage
from .models import Job, JobStatus


def _runner(kind: str):
    entry = registry.job_kind(kind)
    if entry is None:
        raise LookupError(f"未注册的作业类型“{kind}”")
    return entry.runner


@task()
def run_job(job_id: int) -> None:
    jobs.recover()  # first settle the jobs of workers that died (on any node)
    with jobs.claimed(job_id) as job:
        if job is None:  # another worker has it, or it already ran
            return
        try:
            # the upload, copied from the database to this node's disk for the readers that
            # need a path (openpyxl, the CSV sniffer); removed when the job ends
            with contextlib.ExitStack() as stack:
                if job.input_file:
                    job.input_path = stack.enter_context(storage.local_copy(job.input_file))
                _runner(job.kind)(job)
        except Exception as e:
            Job.objects.filter(pk=job_id).update(
                status=JobStatus.FAILED, message=f"作业出错：{e}"[:500], finished_at=timezone.now()
            )
            raise
