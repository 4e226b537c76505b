from django.apps import AppConfig


class PlanningConfig(AppConfig):
    name = "shuangsuiji.planning"
    label = "planning"
    verbose_name = "计划与任务"

    def ready(self):
        # which rows each user reads and changes, in one place (core/scope.py)
        from shuangsuiji.core import scope

        from . import selectors as s
        from .models import AnnualPlan, JointList, Milestone, Task

        scope.register(AnnualPlan, visible=s.plans_for, editable=s.plans_editable_by)
        scope.register(Task, visible=s.tasks_for, editable=s.tasks_editable_by)
        scope.register(Milestone, visible=s.milestones_for, editable=s.milestones_editable_by)
        scope.register(JointList, visible=s.joint_lists_for, editable=s.joint_lists_editable_by)

        # 待办 on the home page (core/todo.py)
        from . import todo

        todo.register()
