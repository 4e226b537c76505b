from django.apps import AppConfig

# The actions this app records in the audit log, in Chinese (core/registry.py).
AUDIT_ACTIONS = {
    "draw.announce": "公告抽取",
    "draw.run": "抽取检查对象",
    "draw.designate": "生成触发式检查对象名单",
    "draw.teams": "匹配检查人员",
    "draw.aborted": "中止抽取",
    "draw.voided": "作废抽取",
    "draw.void_request": "申请作废抽取",
    "draw.void_confirm": "确认作废抽取",
    "draw.void_refuse": "不予作废抽取",
    "draw.witness_invite": "登记见证人",
    "draw.witness_reissue": "重新生成见证人链接",
    "draw.witness_remove": "移除见证人",
    "draw.witness_commit": "见证人承诺",
    "draw.witness_reveal": "见证人揭示",
    "recusal.request": "申请回避",
    "recusal.decide": "决定回避申请",
}


class DrawConfig(AppConfig):
    name = "shuangsuiji.draw"
    label = "draw"
    verbose_name = "随机抽取"

    def ready(self):
        from shuangsuiji.core.registry import register_audit_actions

        register_audit_actions(AUDIT_ACTIONS)

        # planning's task page shows the merge candidates; planning is below draw, so it offers
        # the hook and draw registers its query with it (ARCHITECTURE.md)
        from shuangsuiji.planning.hooks import on_merge_candidates

        from .selectors import merge_candidates

        on_merge_candidates(merge_candidates)
        # and, before the announcement, the pool it would freeze (counted, not frozen)
        from shuangsuiji.planning.hooks import on_pool_preview

        from .preview import pool_preview

        on_pool_preview(pool_preview)

        # which rows each user reads and changes, in one place (core/scope.py); a recusal is
        # decided by the 主管领导 of the member's department, the only one who sees it
        from shuangsuiji.core import scope

        from . import selectors as s
        from .models import RecusalRequest, TargetDraw, VoidRequest

        scope.register(TargetDraw, visible=s.draws_for, editable=s.draws_editable_by)
        scope.register(RecusalRequest, visible=s.recusals_for, editable=s.recusals_for)
        scope.register(VoidRequest, visible=s.void_requests_for, editable=s.void_requests_editable_by)

        # 待办 on the home page (core/todo.py)
        from . import todo

        todo.register()
