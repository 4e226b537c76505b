from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "shuangsuiji.reports"
    label = "reports"
    verbose_name = "报表与考核"
