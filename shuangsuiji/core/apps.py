from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "shuangsuiji.core"
    label = "core"
    verbose_name = "基础"
