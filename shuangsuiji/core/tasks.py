"""Background jobs: the worker (manage.py db_worker) runs them; each updates its Job row."""

from django.utils import timezone
from django_tasks import task

from .models import Job, JobStatus


def _runner(kind: str):
    from shuangsuiji.directory import jobs as directory

    return {
        "target_import": directory.target_import_run,
        "inspector_import": directory.inspector_import_run,
        "item_import": directory.item_import_run,
    }[kind]


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
