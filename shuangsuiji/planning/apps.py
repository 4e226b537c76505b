from django.apps import AppConfig


class PlanningConfig(AppConfig):
    name = "shuangsuiji.planning"
    label = "planning"
    verbose_name = "计划与任务"
