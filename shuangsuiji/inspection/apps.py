from django.apps import AppConfig


class InspectionConfig(AppConfig):
    name = "shuangsuiji.inspection"
    label = "inspection"
    verbose_name = "检查与结果"
