"""Handing out a task's dossier: scoped, refused before the task is closed, and audited."""

from django.db import transaction

from shuangsuiji.core import audit
from shuangsuiji.core.errors import DomainError, Forbidden, NotFound
from shuangsuiji.planning.models import Task, TaskState

from . import dossier, selectors


@transaction.atomic
def task_dossier(*, actor, task: Task, out, verify_base: str) -> dict:
    """Write a closed task's dossier (.zip), the part `actor` may have, into `out`, and record the
    hand-out with the manifest's SHA-256, so the archive can be checked later."""
    if not selectors.may_download(actor):
        raise Forbidden("您没有权限下载任务档案；如需办理，请联系本单位管理员")
    if not selectors.tasks_for(actor).filter(pk=task.pk).exists():
        raise NotFound("没有找到该任务")
    task = Task.objects.get(pk=task.pk)
    if task.state != TaskState.CLOSED:
        raise DomainError(f"任务当前状态为“{task.get_state_display()}”：办结后才能下载任务档案")
    part = selectors.part_for(actor)
    manifest = dossier.build(task, out, generated_by=actor, verify_base=verify_base, part=part)
    audit.record(
        actor=actor,
        action="task.dossier",
        obj=task,
        summary=f"下载任务档案（{part.label}）：{task.code}（{len(manifest['files'])} 个文件；"
        f"清单 SHA-256 {manifest['sha256'][:16]}…）",
        detail={
            "part": part.label,
            "manifest_sha256": manifest["sha256"],
            "files": len(manifest["files"]),
            "counts": manifest["counts"],
        },
    )
    return manifest
