"""下载任务档案 (R-ADM-4). Thin: the service checks scope and state and audits the hand-out."""

import tempfile

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect

from shuangsuiji.core.errors import DomainError
from shuangsuiji.core.models import Role

from . import selectors, services


def task_dossier(request, pk):
    """The dossier of a closed task, the part the user may have (dossier.py), as a .zip."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET", "HEAD"])  # a download changes nothing: no POST
    if not selectors.may_download(request.user):
        raise PermissionDenied
    task = get_object_or_404(selectors.tasks_for(request.user), pk=pk)
    out = tempfile.SpooledTemporaryFile(max_size=16 << 20)  # noqa: SIM115  (FileResponse closes it)
    try:
        services.task_dossier(
            actor=request.user, task=task, out=out, verify_base=request.build_absolute_uri("/").rstrip("/")
        )
    except DomainError as e:
        out.close()
        messages.error(request, e.message)
        # The auditor reads no task pages: back to the draws they audit.
        if request.user.role == Role.AUDITOR:
            return redirect("draw:audit_list")
        return redirect("planning:task_detail", pk)
    out.seek(0)
    return FileResponse(
        out, as_attachment=True, filename=f"{task.code}-任务档案.zip", content_type="application/zip"
    )
