from django.apps import AppConfig

# The actions this app records in the audit log, in Chinese (core/registry.py).
AUDIT_ACTIONS = {
    "inspection.checkin": "扫码入企",
    "inspection.result": "录入检查结果",
    "inspection.all_clear": "一次录入全部未发现问题",
    "inspection.attachment": "上传附件",
    "inspection.finish": "记录检查完毕",
    "inspection.submit": "提交复核",
    "inspection.return": "退回修改",
    "inspection.publish": "复核通过并公示",
    "inspection.correct": "发起更正",
    "inspection.rating": "企业评价",
}


class InspectionConfig(AppConfig):
    name = "shuangsuiji.inspection"
    label = "inspection"
    verbose_name = "检查与结果"

    def ready(self):
        from shuangsuiji.core.registry import register_audit_actions

        register_audit_actions(AUDIT_ACTIONS)

        # directory, draw and planning are below inspection: they offer hooks for what they must know of
        # inspection's results, and inspection registers its queries with them (ARCHITECTURE.md)
        from shuangsuiji.directory.hooks import on_target_history
        from shuangsuiji.draw.hooks import on_result_published
        from shuangsuiji.planning.hooks import on_problem_rates

        from .selectors import draw_has_published_result, problem_rates, target_history

        on_result_published(draw_has_published_result)
        on_problem_rates(problem_rates)
        on_target_history(target_history)

        # which rows each user reads and changes, in one place (core/scope.py)
        from shuangsuiji.core import scope
        from shuangsuiji.draw.models import Selection

        from . import selectors as s
        from .models import Inspection

        scope.register(Selection, visible=s.selections_for, editable=s.selections_editable_by)
        scope.register(Inspection, visible=s.inspections_for, editable=s.inspections_editable_by)

        # 待办 on the home page (core/todo.py): counts read through the lists' own filters
        from . import todo

        todo.register()
