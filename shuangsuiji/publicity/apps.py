from django.apps import AppConfig


class PublicityConfig(AppConfig):
    name = "shuangsuiji.publicity"
    label = "publicity"
    verbose_name = "一公开"
