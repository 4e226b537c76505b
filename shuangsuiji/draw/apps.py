from django.apps import AppConfig


class DrawConfig(AppConfig):
    name = "shuangsuiji.draw"
    label = "draw"
    verbose_name = "随机抽取"

    def ready(self):
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
