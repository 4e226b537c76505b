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

        # which rows each user reads and changes, in one place (core/scope.py)
        from shuangsuiji.core import scope

        from . import selectors as s
        from .models import ChangeSuggestion, Inspector, Item, Tag, Target

        scope.register(Target, visible=s.targets_for, editable=s.targets_editable_by)
        scope.register(Inspector, visible=s.inspectors_for, editable=s.inspectors_editable_by)
        scope.register(Item, visible=s.items_for, editable=s.items_editable_by)
        scope.register(Tag, visible=s.tags_for, editable=s.tags_editable_by)
        scope.register(ChangeSuggestion, visible=s.suggestions_visible_to, editable=s.suggestions_to_decide)
