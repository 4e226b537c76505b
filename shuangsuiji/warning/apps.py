from django.apps import AppConfig

AUDIT_ACTIONS: dict[str, str] = {
    "warning.watch.settings": "设置风险预警名单",
    "warning.watch.trigger": "从风险预警名单发起触发式检查",
    "warning.watch.propose": "从风险预警名单提出信用风险分类调整建议",
}


class WarningConfig(AppConfig):
    """风险预警: the watch list of targets and the careless-inspection signals (issue 19)."""

    name = "shuangsuiji.warning"
    label = "warning"
    verbose_name = "风险预警"

    def ready(self):
        from shuangsuiji.core import scope
        from shuangsuiji.core.registry import register_audit_actions

        from . import selectors as s
        from .models import WatchAction, WatchSettings

        register_audit_actions(AUDIT_ACTIONS)
        # the watch list's rows: the office's settings of its jurisdiction, and what a
        # department started from the list (core/scope.py)
        scope.register(WatchSettings, visible=s.settings_visible, editable=s.settings_editable)
        scope.register(WatchAction, visible=s.actions_visible, editable=s.actions_editable)

        # a weighted return-visit draw samples the flagged inspectors' inspections more heavily:
        # followup is below, so it offers the hook and the signals register with it
        from shuangsuiji.followup.hooks import on_visit_weighting

        from .careless import flagged_inspections

        on_visit_weighting(flagged_inspections)
