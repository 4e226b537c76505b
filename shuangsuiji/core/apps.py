from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "shuangsuiji.core"
    label = "core"
    verbose_name = "基础"

    def ready(self):
        from . import second_factor

        second_factor.connect()
