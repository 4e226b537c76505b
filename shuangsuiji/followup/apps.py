from django.apps import AppConfig

# The actions this app records in the audit log, in Chinese (core/registry.py).
AUDIT_ACTIONS = {
    "followup.open": "问题登记入台账",
    "followup.dispose": "确定处置方式",
    "followup.outcome": "记录处置结果",
    "followup.verify": "整改核查通过",
    "followup.verify_fail": "整改核查未通过",
    "followup.reopen": "台账恢复",
    "followup.withdraw": "台账撤销",
    "followup.transfer_accept": "接收移送",
    "followup.transfer_return": "退回移送",
    "followup.penalty_publish": "公示行政处罚结果",
    "return_visit.announce": "回访抽取公告",
    "return_visit.draw": "回访抽取",
    "return_visit.record": "记录回访",
}


class FollowupConfig(AppConfig):
    name = "shuangsuiji.followup"
    label = "followup"
    verbose_name = "后续处置"

    def ready(self):
        from shuangsuiji.core.registry import register_audit_actions

        register_audit_actions(AUDIT_ACTIONS)

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
