from .permissions import Action, can


def navigation(request):
    """The left navigation, by workflow; each entry only for roles that may open it."""
    user = request.user
    if not user.is_authenticated:
        return {}
    nav = []
    if can(user, Action.DIRECTORY_VIEW):
        nav.append(
            (
                "目录库",
                [
                    ("检查对象", "directory:target_list"),
                    ("执法检查人员", "directory:inspector_list"),
                    ("抽查事项", "directory:item_list"),
                    ("分类标签", "directory:tag_list"),
                ],
            )
        )
    plan = []
    if can(user, Action.GOALS_EDIT):
        plan += [("年度目标", "planning:goals"), ("一业一查清单", "planning:joint_lists")]
    if can(user, Action.PLAN_VIEW):
        plan.append(("年度抽查计划", "planning:plan_list"))
        plan.append(("抽查任务", "planning:task_list"))
        plan.append(("实施方案任务分工", "planning:workplan"))
    if can(user, Action.PLAN_EDIT) or can(user, Action.PLAN_APPROVE):
        plan.append(("抽查计划测算", "planning:simulator"))
    if can(user, Action.RECUSAL_DECIDE):
        plan.append(("回避申请", "draw:recusals"))
    if can(user, Action.PLAN_APPROVE):
        plan.append(("抽取作废申请", "draw:voids"))
    if can(user, Action.TRIGGER_VIEW):
        plan.append(("触发式监管", "triggers:list"))
    if can(user, Action.WATCH_VIEW):
        plan.append(("风险预警名单", "warning:watch_list"))
    if can(user, Action.DRAW_AUDIT):
        plan.append(("抽取记录（审计）", "draw:audit_list"))
    if plan:
        nav.append(("计划 · 抽取", plan))
    check = []
    if can(user, Action.INSPECT):
        check.append(("我的检查", "inspection:work"))
    elif can(user, Action.PLAN_VIEW):
        check.append(("检查进度", "inspection:work"))
    if can(user, Action.RESULT_REVIEW):
        check.append(("结果复核", "inspection:review"))
    if check:
        nav.append(("检查", check))
    followup = []
    if can(user, Action.FOLLOWUP_VIEW):
        followup.append(("台账", "followup:ledger"))
        if user.role != "office":
            followup.append(("移送收件箱", "followup:inbox"))
    if can(user, Action.RETURN_VISIT):
        followup.append(("回访", "followup:visits"))
    if followup:
        nav.append(("后续处置", followup))
    reports = []
    if can(user, Action.REPORT_VIEW):
        reports += [("月报表", "reports:monthly"), ("报送情况", "reports:submissions")]
    if can(user, Action.ASSESS_VIEW):
        reports += [
            ("指标看板", "reports:dashboard"),
            ("督查考核", "reports:assessment"),
            ("抽查结果推断", "reports:estimates"),
        ]
    if can(user, Action.CARELESS_VIEW):
        reports.append(("检查不认真信号", "warning:careless"))
    if can(user, Action.RULES_VIEW):
        reports.append(("规则对照", "reports:rules"))
    if reports:
        nav.append(("报表", reports))
    nav.append(("公示", [("公示门户", "publicity:index"), ("检查结果查询", "publicity:results")]))
    admin = []
    if can(user, Action.JOB_VIEW):
        admin.append(("后台作业", "core:job_list"))
    if can(user, Action.CALENDAR_EDIT):
        admin.append(("节假日安排", "core:calendar"))
    if can(user, Action.ORG_MANAGE):
        admin.append(("部门与账号", "core:org"))
    if can(user, Action.ROLE_CONFIRM):
        admin.append(("角色授权", "core:roles"))
    if can(user, Action.AUDIT_VIEW):
        admin.append(("操作日志", "core:audit_log"))
    admin.append(("API 令牌", "core:tokens"))
    nav.append(("系统", admin))
    return {"nav": nav}
