from django.apps import AppConfig

# The actions this app records in the audit log, in Chinese (core/registry.py).
AUDIT_ACTIONS = {
    "report.save": "填写月报表",
    "report.submit": "报送月报表",
    "report.quarterly": "报送季度进展情况",
    "report.schedule": "设置报送时间表",
}


class ReportsConfig(AppConfig):
    name = "shuangsuiji.reports"
    label = "reports"
    verbose_name = "报表与考核"

    def ready(self):
        from shuangsuiji.core.registry import register_audit_actions

        register_audit_actions(AUDIT_ACTIONS)

        # One mechanism keeps the rollup (rollup.py) for every app that feeds it: the lower app
        # offers a hook (a signal in its signals.py, sent by its service inside the transaction
        # that changed the input) and reports, the higher app, registers with it here
        # (ARCHITECTURE.md). A signal, because the rollup is a side cache (STYLE.md); nothing
        # below reports imports it.
        from shuangsuiji.directory.signals import targets_kind_changed
        from shuangsuiji.draw.signals import draw_settled
        from shuangsuiji.inspection.signals import inspection_counts_changed

        from .rollup import on_draw_settled, on_inspection_counts_changed, on_targets_kind_changed

        targets_kind_changed.connect(on_targets_kind_changed, dispatch_uid="reports.rollup.kinds")
        draw_settled.connect(on_draw_settled, dispatch_uid="reports.rollup.draw")
        inspection_counts_changed.connect(
            on_inspection_counts_changed, dispatch_uid="reports.rollup.inspection"
        )

        # which rows each user reads and changes, in one place (core/scope.py)
        from shuangsuiji.core import scope

        from . import selectors as s
        from .models import MonthlySubmission, QuarterlySummary

        scope.register(MonthlySubmission, visible=s.submissions_for, editable=s.submissions_editable_by)
        scope.register(QuarterlySummary, visible=s.summaries_for, editable=s.summaries_editable_by)

        # 待办 on the home page (core/todo.py)
        from . import todo

        todo.register()
