from django.apps import AppConfig

# The actions this app records in the audit log, in Chinese (core/registry.py).
AUDIT_ACTIONS = {
    "task.dossier": "下载任务档案",
}


class ArchiveConfig(AppConfig):
    name = "shuangsuiji.archive"
    label = "archive"
    verbose_name = "归档"

    def ready(self):
        from shuangsuiji.core.registry import register_audit_actions

        register_audit_actions(AUDIT_ACTIONS)
