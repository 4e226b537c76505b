from django.apps import AppConfig


class FollowupConfig(AppConfig):
    name = "shuangsuiji.followup"
    label = "followup"
    verbose_name = "后续处置"

    def ready(self):
        # R-FUP-1: a published result's problems go on the ledger. inspection is below followup,
        # so it offers the hook and followup registers with it (ARCHITECTURE.md).
        from shuangsuiji.inspection.hooks import on_publish

        from .services import ledger_sync

        on_publish(ledger_sync)
