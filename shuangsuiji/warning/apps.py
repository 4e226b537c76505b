from django.apps import AppConfig

AUDIT_ACTIONS: dict[str, str] = {}


class WarningConfig(AppConfig):
    """风险预警: the watch list of targets and the careless-inspection signals (issue 19)."""

    name = "shuangsuiji.warning"
    label = "warning"
    verbose_name = "风险预警"

    def ready(self):
        from shuangsuiji.core.registry import register_audit_actions

        register_audit_actions(AUDIT_ACTIONS)

        # a weighted return-visit draw samples the flagged inspectors' inspections more heavily:
        # followup is below, so it offers the hook and the signals register with it
        from shuangsuiji.followup.hooks import on_visit_weighting

        from .careless import flagged_inspections

        on_visit_weighting(flagged_inspections)
