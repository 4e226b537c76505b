from django.apps import AppConfig


class TriggersConfig(AppConfig):
    name = "shuangsuiji.triggers"
    label = "triggers"
    verbose_name = "触发式监管"

    def ready(self):
        # which rows each user reads and changes, in one place (core/scope.py): a department its
        # own triggers, the office those of its jurisdiction (read only)
        from shuangsuiji.core import scope

        from . import selectors as s
        from .models import TaskRequest, Trigger

        scope.register(Trigger, visible=s.triggers_for, editable=s.triggers_editable_by)
        scope.register(TaskRequest, visible=s.requests_for, editable=s.requests_editable_by)
