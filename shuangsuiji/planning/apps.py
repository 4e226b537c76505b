from django.apps import AppConfig

# The actions this app records in the audit log, in Chinese (core/registry.py).
AUDIT_ACTIONS = {
    "plan.create": "新建年度计划",
    "plan.submit": "提交年度计划",
    "plan.return": "退回年度计划",
    "plan.publish": "审核通过并公示年度计划",
    "plan.adjust": "发起计划调整",
    "plan.void": "作废年度计划",
    "task.create": "新增抽查任务",
    "task.update": "修改抽查任务",
    "task.state": "任务状态变化",
    "task.send_down": "下派抽查任务",
    "goals.save": "设定年度目标",
    "joint_list.save": "保存一业一查清单",
    "milestone.create": "新增实施方案任务",
    "milestone.update": "修改实施方案任务",
    "milestone.delete": "删除实施方案任务",
    "milestone.done": "确认实施方案任务完成",
    "milestone.reopen": "重新打开实施方案任务",
    "milestone.preset": "载入实施方案任务分工",
}


class PlanningConfig(AppConfig):
    name = "shuangsuiji.planning"
    label = "planning"
    verbose_name = "计划与任务"

    def ready(self):
        from shuangsuiji.core.registry import register_audit_actions

        register_audit_actions(AUDIT_ACTIONS)

        # which rows each user reads and changes, in one place (core/scope.py)
        from shuangsuiji.core import scope

        from . import selectors as s
        from .models import AnnualPlan, JointList, Milestone, Task

        scope.register(AnnualPlan, visible=s.plans_for, editable=s.plans_editable_by)
        scope.register(Task, visible=s.tasks_for, editable=s.tasks_editable_by)
        scope.register(Milestone, visible=s.milestones_for, editable=s.milestones_editable_by)
        scope.register(JointList, visible=s.joint_lists_for, editable=s.joint_lists_editable_by)

        # 待办 on the home page (core/todo.py)
        from . import todo

        todo.register()
