from django.apps import AppConfig


class DrawConfig(AppConfig):
    name = "shuangsuiji.draw"
    label = "draw"
    verbose_name = "随机抽取"
