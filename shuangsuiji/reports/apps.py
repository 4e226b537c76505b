from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "shuangsuiji.reports"
    label = "reports"
    verbose_name = "报表与考核"

    def ready(self):
        # the rollup follows draw_run / draw_void / draw_abort without an edit to draw/services.py
        from django.db.models.signals import post_save

        from shuangsuiji.directory.signals import targets_kind_changed
        from shuangsuiji.draw.models import TargetDraw

        from .rollup import on_draw_saved, on_targets_kind_changed

        post_save.connect(on_draw_saved, sender=TargetDraw, dispatch_uid="reports.rollup.draw")
        targets_kind_changed.connect(on_targets_kind_changed, dispatch_uid="reports.rollup.kinds")
