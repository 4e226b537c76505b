from django.apps import AppConfig

AUDIT_ACTIONS = {
    "trigger.record": "登记触发事项",
    "trigger.request": "申请触发式检查",
    "trigger.decide": "审批触发式检查",
    "trigger.merge": "触发事项并入随机抽查",
}


class TriggersConfig(AppConfig):
    name = "shuangsuiji.triggers"
    label = "triggers"
    verbose_name = "触发式监管"

    def ready(self):
        # which rows each user reads and changes, in one place (core/scope.py): a department its
        # own triggers, the office those of its jurisdiction (read only)
        from shuangsuiji.core import scope
        from shuangsuiji.core.registry import register_audit_actions

        from . import selectors as s
        from .models import TaskRequest, Trigger

        register_audit_actions(AUDIT_ACTIONS)
        scope.register(Trigger, visible=s.triggers_for, editable=s.triggers_editable_by)
        scope.register(TaskRequest, visible=s.requests_for, editable=s.requests_editable_by)
