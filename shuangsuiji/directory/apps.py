from django.apps import AppConfig


class DirectoryConfig(AppConfig):
    name = "shuangsuiji.directory"
    label = "directory"
    verbose_name = "一单两库一指引"

    def ready(self):
        # core runs the imports in the background without naming this app (core/registry.py)
        from shuangsuiji.core.registry import register_job_kind

        from .jobs import RUNNERS
        from .services import IMPORT_KINDS

        for kind, label in IMPORT_KINDS.items():
            register_job_kind(kind, label=label, runner=RUNNERS[kind], retry_url=f"directory:{kind}")
