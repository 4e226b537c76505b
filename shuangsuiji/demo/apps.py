from django.apps import AppConfig

# The actions this app records in the audit log, in Chinese (core/registry.py).
AUDIT_ACTIONS = {
    "demo.load": "载入演示数据",
}


class DemoConfig(AppConfig):
    name = "shuangsuiji.demo"
    label = "demo"
    verbose_name = "演示数据"

    def ready(self):
        from shuangsuiji.core.registry import register_audit_actions

        register_audit_actions(AUDIT_ACTIONS)
