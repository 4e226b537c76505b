from django.apps import AppConfig

# The actions this app records in the audit log, in Chinese (core/registry.py).
AUDIT_ACTIONS = {
    "industry.load": "载入行业分类表",
    "directory.keeper": "指定名录维护部门",
    "target.create": "新增检查对象",
    "target.update": "修改检查对象",
    "target.import": "导入检查对象",
    "target.import_confirm": "确认导入检查对象",
    "target.import_abandon": "放弃导入检查对象",
    "target.import_expire": "导入预览过期自动放弃",
    "inspector.import_confirm": "确认导入检查人员",
    "inspector.import_abandon": "放弃导入检查人员",
    "inspector.import_expire": "检查人员导入预览过期自动放弃",
    "item.import_confirm": "确认导入抽查事项",
    "item.import_abandon": "放弃导入抽查事项",
    "item.import_expire": "抽查事项导入预览过期自动放弃",
    "target.own_class": "设置本部门信用风险分类",
    "target.suggestion.accept": "采纳变更建议",
    "target.suggestion.reject": "驳回变更建议",
    "target.tags": "标注检查对象",
    "inspector.create": "新增执法检查人员",
    "inspector.update": "修改执法检查人员",
    "inspector.import": "导入执法检查人员",
    "item.create": "新建抽查事项",
    "item.update": "修改抽查事项",
    "item.import": "导入抽查事项",
    "item.publish": "发布抽查事项",
    "item.claim": "认领抽查事项",
    "item.unclaim": "取消认领抽查事项",
    "tag.create": "新建标签",
    "conflict.add": "登记利害关系回避",
}


class DirectoryConfig(AppConfig):
    name = "shuangsuiji.directory"
    label = "directory"
    verbose_name = "一单两库一指引"

    def ready(self):
        from shuangsuiji.core.registry import register_audit_actions

        register_audit_actions(AUDIT_ACTIONS)

        # core runs the imports in the background without naming this app (core/registry.py)
        from shuangsuiji.core.registry import register_job_kind

        from .jobs import RUNNERS
        from .services import IMPORT_KINDS

        for kind, label in IMPORT_KINDS.items():
            register_job_kind(kind, label=label, runner=RUNNERS[kind], retry_url=f"directory:{kind}")

        # which rows each user reads and changes, in one place (core/scope.py)
        from shuangsuiji.core import scope

        from . import selectors as s
        from .models import ChangeSuggestion, Inspector, Item, Tag, Target

        scope.register(Target, visible=s.targets_for, editable=s.targets_editable_by)
        scope.register(Inspector, visible=s.inspectors_for, editable=s.inspectors_editable_by)
        scope.register(Item, visible=s.items_for, editable=s.items_editable_by)
        scope.register(Tag, visible=s.tags_for, editable=s.tags_editable_by)
        scope.register(ChangeSuggestion, visible=s.suggestions_visible_to, editable=s.suggestions_to_decide)
