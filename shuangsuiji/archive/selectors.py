"""Who may download a task's dossier, of which tasks, and which part (dossier.py's table)."""

from django.db.models import QuerySet

from shuangsuiji.core.models import Role
from shuangsuiji.core.permissions import Action, can
from shuangsuiji.core.scope import jurisdiction_prefix
from shuangsuiji.planning import selectors as planning
from shuangsuiji.planning.models import Task

from .dossier import WHOLE, Part


def may_download(user) -> bool:
    """Whoever reads tasks, and the auditor, who re-runs their draws from the frozen pools."""
    return can(user, Action.PLAN_VIEW) or can(user, Action.DRAW_AUDIT)


def tasks_for(user) -> QuerySet[Task]:
    """The tasks whose dossier the user may download: the auditor's are those of the jurisdiction
    (as for the pools); everyone else's are the tasks they may read."""
    if can(user, Action.DRAW_AUDIT):
        return Task.objects.filter(lead__region__code__startswith=jurisdiction_prefix(user))
    return planning.tasks_for(user)


def part_for(user) -> Part:
    """The office and the auditor get the whole dossier; anyone of a department that took part in
    the task (lead or partner) gets that department's part."""
    if user.role in (Role.OFFICE, Role.AUDITOR):
        return WHOLE
    return Part(department=user.department)
