from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "shuangsuiji.core"
    label = "core"
    verbose_name = "基础"

    def ready(self):
        from . import second_factor

        second_factor.connect()

        # core's own scoped rows (the apps register theirs in their ready(); core/scope.py)
        from . import scope, selectors
        from .models import Job

        scope.register(Job, visible=selectors.jobs_for, editable=selectors.jobs_editable_by)

        # core's own 待办 items (core/todo.py; the apps register theirs in their ready())
        from . import todo_items

        todo_items.register()
