"""One permission vocabulary for pages and API (STYLE.md 4). `can(user, action)` answers
whether a role may ever do an action; which records it may touch is the selectors' scope
(a record out of scope is 404, so scope never reveals what exists)."""

from enum import StrEnum

from .errors import Forbidden
from .models import Role


class Action(StrEnum):
    ORG_MANAGE = "org.manage"  # regions, departments, business lines, accounts (no roles)
    ROLE_GRANT = "role.grant"  # ask for role grants, reset a lost second factor (安全管理员)
    ROLE_CONFIRM = "role.confirm"  # the second person who confirms or refuses a role grant
    CALENDAR_EDIT = "calendar.edit"  # holidays and 调休 days
    DIRECTORY_VIEW = "directory.view"  # items, targets, inspectors, tags in scope
    TARGET_EDIT = "target.edit"  # the department's targets: add, edit, import, conflicts
    INSPECTOR_EDIT = "inspector.edit"  # the department's inspector directory
    ITEM_MANAGE = "item.manage"  # the jurisdiction's item list and checklists, shared tags
    ITEM_CLAIM = "item.claim"  # a department claims (认领) published items
    TAG_EDIT = "tag.edit"  # the department's own tags
    AUDIT_VIEW = "audit.view"  # the audit log and its verification
    JOB_VIEW = "job.view"  # one's own background jobs
    GOALS_EDIT = "goals.edit"  # the year's goals and 一业一查 joint lists
    PLAN_VIEW = "plan.view"  # plans and tasks in scope
    PLAN_EDIT = "plan.edit"  # the department's annual plan and its tasks
    PLAN_APPROVE = "plan.approve"  # the office approves, publishes, returns plans
    DRAW_RUN = "draw.run"  # announce and run the draws of the department's tasks
    RECUSAL_DECIDE = "recusal.decide"  # the department's 主管领导 decides recusal requests
    DRAW_AUDIT = "draw.audit"  # download frozen pools and re-run draws
    INSPECT = "inspect"  # check in, enter the department's results
    RESULT_REVIEW = "result.review"  # review, publish, return, correct results
    REPORT_VIEW = "report.view"  # monthly reports (the office: every department of its jurisdiction)
    FOLLOWUP_VIEW = "followup.view"  # the problem ledger (台账) in scope, transfers received
    FOLLOWUP_EDIT = "followup.edit"  # record dispositions and outcomes, accept transfers
    RETURN_VISIT = "return_visit"  # the office draws and records return visits (回访)
    ASSESS_VIEW = "assess.view"  # KPI dashboard, assessment (督查考核), overdue lists
    WORKPLAN_EDIT = "workplan.edit"  # the office keeps the 实施方案's milestones and deadlines
    RULES_VIEW = "rules.view"  # 规则对照: the rules, their proofs and the configured numbers
    TRIGGER_VIEW = "trigger.view"  # triggers (投诉举报, 转办交办 …) and triggered tasks in scope
    TRIGGER_EDIT = "trigger.edit"  # record triggers, ask for a triggered task, merge into a random visit
    TRIGGER_APPROVE = "trigger.approve"  # the department head approves or refuses a triggered task
    CARELESS_VIEW = "careless.view"  # 检查不认真信号: the office, and a department's head for its own
    WATCH_VIEW = "watch.view"  # 风险预警名单: the targets in scope, scored, with their records
    WATCH_SETTINGS = "watch.settings"  # the office sets the list's weights and thresholds
    WATCH_ACT = "watch.act"  # start a 监测预警 trigger or propose a class change from the list


_ALL_DIRECTORY_READERS = {Role.OFFICE, Role.DEPT_ADMIN, Role.INSPECTOR, Role.REVIEWER}

# Separation of duties (等保2.0 第三级, GB/T 22239-2019 8.1.4.2 三员分立): the sysadmin manages
# accounts, the secadmin grants roles; neither reads or changes supervision data; the auditor
# only reads the audit log. Which grants the office may confirm is the services' rule
# (core/services.py role_grant_confirm).
ROLE_ACTIONS: dict[Action, set[str]] = {
    Action.ORG_MANAGE: {Role.SYSADMIN},
    Action.ROLE_GRANT: {Role.SECADMIN},
    Action.ROLE_CONFIRM: {Role.SECADMIN, Role.OFFICE},
    Action.CALENDAR_EDIT: {Role.SYSADMIN, Role.OFFICE},
    Action.DIRECTORY_VIEW: _ALL_DIRECTORY_READERS,
    Action.TARGET_EDIT: {Role.DEPT_ADMIN},
    Action.INSPECTOR_EDIT: {Role.DEPT_ADMIN},
    Action.ITEM_MANAGE: {Role.OFFICE},
    Action.ITEM_CLAIM: {Role.DEPT_ADMIN},
    Action.TAG_EDIT: {Role.DEPT_ADMIN, Role.OFFICE},
    Action.AUDIT_VIEW: {Role.AUDITOR},
    Action.JOB_VIEW: {Role.OFFICE, Role.DEPT_ADMIN},
    Action.GOALS_EDIT: {Role.OFFICE},
    Action.PLAN_VIEW: _ALL_DIRECTORY_READERS,
    Action.PLAN_EDIT: {Role.DEPT_ADMIN},
    Action.PLAN_APPROVE: {Role.OFFICE},
    Action.DRAW_RUN: {Role.DEPT_ADMIN},
    Action.RECUSAL_DECIDE: {Role.REVIEWER},
    Action.DRAW_AUDIT: {Role.AUDITOR},
    Action.INSPECT: {Role.INSPECTOR},
    Action.RESULT_REVIEW: {Role.REVIEWER},
    Action.REPORT_VIEW: {Role.OFFICE, Role.DEPT_ADMIN, Role.REVIEWER},
    Action.FOLLOWUP_VIEW: {Role.OFFICE, Role.DEPT_ADMIN, Role.REVIEWER, Role.INSPECTOR},
    Action.FOLLOWUP_EDIT: {Role.DEPT_ADMIN, Role.REVIEWER, Role.INSPECTOR},
    Action.RETURN_VISIT: {Role.OFFICE},
    Action.ASSESS_VIEW: {Role.OFFICE, Role.DEPT_ADMIN, Role.REVIEWER},
    Action.WORKPLAN_EDIT: {Role.OFFICE},
    # the office answers for the rules; the auditor checks them (it reads, changes nothing)
    Action.RULES_VIEW: {Role.OFFICE, Role.AUDITOR},
    Action.TRIGGER_VIEW: {Role.OFFICE, Role.DEPT_ADMIN, Role.REVIEWER},
    Action.TRIGGER_EDIT: {Role.DEPT_ADMIN},
    Action.TRIGGER_APPROVE: {Role.REVIEWER},
    # names inspectors against numbers: the office supervises, the 主管领导 answers for his people
    Action.CARELESS_VIEW: {Role.OFFICE, Role.REVIEWER},
    # internal: the office and the departments, never the public; the auditor has no part in it
    Action.WATCH_VIEW: {Role.OFFICE, Role.DEPT_ADMIN, Role.REVIEWER},
    Action.WATCH_SETTINGS: {Role.OFFICE},
    Action.WATCH_ACT: {Role.DEPT_ADMIN},
}


def can(user, action: Action) -> bool:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return user.role in ROLE_ACTIONS[action]


def require(user, action: Action) -> None:
    if not can(user, action):
        raise Forbidden("您没有权限进行此操作；如需办理，请联系本单位管理员")
