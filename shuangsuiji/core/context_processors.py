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
    admin = []
    if can(user, Action.JOB_VIEW):
        admin.append(("后台作业", "core:job_list"))
    if can(user, Action.CALENDAR_EDIT):
        admin.append(("节假日安排", "core:calendar"))
    if can(user, Action.ORG_MANAGE):
        admin.append(("部门与账号", "core:org"))
    if can(user, Action.AUDIT_VIEW):
        admin.append(("操作日志", "core:audit_log"))
    admin.append(("API 令牌", "core:tokens"))
    nav.append(("系统", admin))
    return {"nav": nav}
