"""Background jobs: the worker (manage.py db_worker) runs them; each updates its Job row. The
runner of each kind is registered by the app that owns it (registry.py): core names no app."""

from django.utils import timezone
from django_tasks import task

from . import registry
from .models import Job, JobStatus


def _runner(kind: str):
    entry = registry.job_kind(kind)
    if entry is None:
        raise LookupError(f"未注册的作业类型“{kind}”")
    return entry.runner


@task()
def run_job(job_id: int) -> None:
    job = Job.objects.get(pk=job_id)
    if job.status != JobStatus.QUEUED:
        return
    Job.objects.filter(pk=job_id).update(status=JobStatus.RUNNING, started_at=timezone.now())
    try:
        _runner(job.kind)(job)
    except Exception as e:
        Job.objects.filter(pk=job_id).update(
            status=JobStatus.FAILED, message=f"作业出错：{e}"[:500], finished_at=timezone.now()
        )
        raise
