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
