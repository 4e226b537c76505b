from django.apps import AppConfig

# The actions this app records in the audit log, in Chinese (core/registry.py).
AUDIT_ACTIONS = {
    "user.login": "登录",
    "user.locked": "账号连续登录失败被锁定",
    "login.locked": "登录失败过多，暂停登录",
    "login.address_locked": "地址登录失败过多，暂停该地址登录",
    "user.unlock": "解锁账号",
    "user.password_reset": "重置密码",
    "user.create": "新建账号",
    "user.activate": "启用账号",
    "user.deactivate": "停用账号",
    "second_factor.enrol": "启用动态口令",
    "second_factor.reset": "重置动态口令",
    "role_grant.apply": "授予角色",
    "role_grant.request": "申请授予角色",
    "role_grant.confirm": "确认授予角色",
    "role_grant.refuse": "拒绝角色授权申请",
    "role_grant.withdraw": "撤回角色授权申请",
    "account.code_issue": "签发开通码",
    "account.activate": "以开通码设置密码",
    "api_token.create": "创建接口令牌",
    "api_token.revoke": "注销接口令牌",
    "department.create": "新建部门",
    "business_line.create": "新建业务条线",
    "region.load": "载入行政区划代码表",
    "calendar.save": "录入节假日安排",
    "job.recover": "作业进程中断后处理后台作业",
}


class CoreConfig(AppConfig):
    name = "shuangsuiji.core"
    label = "core"
    verbose_name = "基础"

    def ready(self):
        from shuangsuiji.core.registry import register_audit_actions

        register_audit_actions(AUDIT_ACTIONS)

        from . import second_factor

        second_factor.connect()

        # core's own scoped rows (the apps register theirs in their ready(); core/scope.py)
        from . import scope, selectors
        from .models import Job

        scope.register(Job, visible=selectors.jobs_for, editable=selectors.jobs_editable_by)

        # core's own 待办 items (core/todo.py; the apps register theirs in their ready())
        from . import todo_items

        todo_items.register()
