from django.apps import AppConfig


class FollowupConfig(AppConfig):
    name = "shuangsuiji.followup"
    label = "followup"
    verbose_name = "后续处置"
