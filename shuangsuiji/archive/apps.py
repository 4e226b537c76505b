from django.apps import AppConfig


class ArchiveConfig(AppConfig):
    name = "shuangsuiji.archive"
    label = "archive"
    verbose_name = "归档"
