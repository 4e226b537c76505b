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

        # which rows each user reads and changes, in one place (core/scope.py); the office
        # draws and records the return visits of its jurisdiction
        from shuangsuiji.core import scope

        from . import selectors as s
        from .models import FollowUp, ReturnVisitDraw

        scope.register(FollowUp, visible=s.ledger_in_scope, editable=s.ledger_editable_by)
        scope.register(ReturnVisitDraw, visible=s.visit_draws_for, editable=s.visit_draws_for)

        # 待办 on the home page (core/todo.py)
        from . import todo

        todo.register()
