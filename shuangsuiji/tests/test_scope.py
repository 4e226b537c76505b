"""Scope in one place (issue 14): every scoped model is registered with core/scope.py, what a user
may change is part of what it may read, and the 系统管理员, the 安全管理员 and anonymous users
read and change nothing of any of them."""

import pytest
from django.apps import apps
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ImproperlyConfigured

from conftest import ACTORS, PASSWORD
from shuangsuiji.core import scope
from shuangsuiji.core import services as core_services
from shuangsuiji.core.errors import Forbidden
from shuangsuiji.core.models import AuditEntry, Department, Region, Role, User

# The standing world of the permission matrix (targets, inspectors, items, plans, a joint task
# drawn with teams, a pending recusal, a job), built once for the module and rolled back after it.
from shuangsuiji.core.tests import test_permission_matrix as matrix
from shuangsuiji.directory import services as directory_services
from shuangsuiji.directory.models import Inspector, Item, Target
from shuangsuiji.draw import services as draw_services
from shuangsuiji.draw import witnesses as draw_witnesses
from shuangsuiji.draw.models import RecusalRequest, TargetDraw
from shuangsuiji.inspection import services as inspection_services
from shuangsuiji.inspection.models import Inspection
from shuangsuiji.planning import services as planning_services
from shuangsuiji.planning.models import AnnualPlan, Task

standing, world, objs = matrix.standing, matrix.world, matrix.objs

# Models that hold a department or a region but are not scoped rows of their own, each with why.
# A new model with such a key fails `test_every_scoped_model_is_registered` until it is
# registered in its app's AppConfig.ready() or listed here with a reason.
EXEMPT = {
    "core.Region": "公开的行政区划代码表 (GB/T 2260)，人人可读，只由导入命令维护",
    "core.Department": "部门名录是机构设置，公开于本辖区；由系统管理员维护（三员分立）",
    "core.BusinessLine": "部门的业务条线，随部门由系统管理员维护",
    "core.User": "账号由系统管理员经 accounts_in_scope 维护，不是业务数据",
    "directory.DirectoryKeeper": "本县名录维护部门的设定，只由办公室指定（ownership.may_name_keeper）",
    "directory.ItemClaim": "部门认领事项的一行，只随所属事项（Item，已登记）读写",
    "directory.TargetSupervision": "部门对检查对象的监管关系，只随检查对象（Target，已登记）由本部门增删",
    "planning.YearGoals": "辖区年度目标，按区划与年份读取（goals_for），只由办公室设定",
    "draw.TeamMember": "检查组成员，只随抽取（TargetDraw）与抽中对象（Selection，已登记）读写",
    "followup.Transfer": "台账的移送记录，只随台账（FollowUp，已登记）读写",
    "followup.ReturnVisit": "回访记录，只随回访抽取（ReturnVisitDraw，已登记）读写",
    "followup.ReturnVisitFinding": "回访发现，只随回访（ReturnVisit）读写",
    "reports.ReportSchedule": "辖区报送日程设置，按区划读取，只由办公室设定",
    "reports.Rollup": "报表汇总缓存，由信号维护，只经报表 selectors 按辖区汇总读取",
    "reports.CoveredTarget": "覆盖率缓存，由信号维护，只经报表 selectors 按辖区汇总读取",
    "reports.CoverageCount": "覆盖率缓存，由信号维护，只经报表 selectors 按辖区汇总读取",
}


def _holds_department_or_region(model) -> bool:
    return any(
        f.is_relation and f.concrete and f.related_model in (Department, Region)
        for f in model._meta.get_fields()
    )


def test_every_scoped_model_is_registered():
    registered = {m._meta.label for m in scope.registered()}
    missing = [
        m._meta.label
        for m in apps.get_models()
        if _holds_department_or_region(m) and m._meta.label not in registered and m._meta.label not in EXEMPT
    ]
    assert missing == [], f"未登记数据范围的模型（core/scope.py register 或 EXEMPT）：{missing}"
    # an exemption for a model that is registered, or that no longer exists, is stale
    assert not (set(EXEMPT) & registered)
    assert set(EXEMPT) <= {m._meta.label for m in apps.get_models()}
    assert "core.AuditEntry" not in registered and AuditEntry  # the log is read by the auditor only


def test_an_unregistered_model_is_a_configuration_error():
    with pytest.raises(ImproperlyConfigured, match="未登记数据范围"):
        scope.visible_to(AuditEntry, AnonymousUser())


def test_a_second_rule_for_one_model_is_refused():
    with pytest.raises(ImproperlyConfigured, match="数据范围已由"):
        scope.register(Target, visible=Target.objects.none, editable=Target.objects.none)


REGISTERED = sorted(scope.registered(), key=lambda m: m._meta.label)


@pytest.mark.parametrize("model", REGISTERED, ids=lambda m: m._meta.label)
@pytest.mark.parametrize("actor", [a for a in ACTORS if a != "anonymous"])  # anonymous: below
def test_editable_rows_are_visible_rows(world, objs, model, actor):
    user = getattr(world, actor)
    editable = set(scope.editable_by(model, user).values_list("pk", flat=True))
    visible = set(scope.visible_to(model, user).values_list("pk", flat=True))
    assert editable <= visible, f"{actor} 可改而不可见的 {model._meta.label}：{sorted(editable - visible)}"


def _secadmin(world):
    found = User.objects.filter(role=Role.SECADMIN, is_active=True).first()
    return found or core_services.user_create(
        actor=None,
        username="scope_secadmin",
        password=PASSWORD,
        role=Role.SECADMIN,
        department=world.office_dept,
        display_name="secadmin",
    )


@pytest.mark.parametrize("model", REGISTERED, ids=lambda m: m._meta.label)
def test_anonymous_sysadmin_and_secadmin_see_and_edit_nothing(world, objs, model):
    for user in (AnonymousUser(), world.sysadmin, _secadmin(world)):
        assert not scope.visible_to(model, user).exists(), (user, model)
        assert not scope.editable_by(model, user).exists(), (user, model)


def test_the_auditor_reads_but_changes_nothing(world, objs):
    assert scope.visible_to(TargetDraw, world.auditor).exists()
    for model in REGISTERED:
        assert not scope.editable_by(model, world.auditor).exists(), model


def test_jurisdiction_nothing_answer_is_one_answer(world):
    nothing = [scope.jurisdiction(u) for u in (AnonymousUser(), world.sysadmin, _secadmin(world))]
    assert {j.prefix for j in nothing} == {scope.NOTHING}
    assert all(j.is_nothing and j.department_id is None and not j.writes for j in nothing)
    office = scope.jurisdiction(world.office)
    assert office.is_office and office.prefix == world.county.scope_prefix
    a = scope.jurisdiction(world.a_admin)
    assert (a.department_id, a.is_office, a.writes) == (world.dept_a.pk, False, True)
    assert not scope.jurisdiction(world.auditor).writes


def test_who_may_change_which_rows(world, objs):
    """The rows of the standing world each actor may change, as the issue's rules say."""
    plans_a = AnnualPlan.objects.filter(department=world.dept_a)
    plan_b = AnnualPlan.objects.filter(department=world.dept_b).first()
    tasks_a = Task.objects.filter(lead=world.dept_a)
    joint = objs.joint
    # plans: a department its own; the office those of its own level
    assert set(scope.editable_by(AnnualPlan, world.a_admin)) == set(plans_a)
    assert plan_b in scope.editable_by(AnnualPlan, world.office)
    assert plan_b not in scope.editable_by(AnnualPlan, world.a_admin)
    assert not scope.editable_by(AnnualPlan, world.far_admin).filter(department=world.dept_a).exists()
    # tasks and draws: the lead department's, not a partner's it can read
    assert set(scope.editable_by(Task, world.a_admin)) == set(tasks_a)
    assert scope.visible_to(Task, world.b_admin).filter(pk=joint.pk).exists()
    assert not scope.editable_by(Task, world.b_admin).filter(pk=joint.pk).exists()
    draw = objs.draw
    assert scope.editable_by(TargetDraw, world.a_admin).filter(pk=draw.pk).exists()
    assert scope.visible_to(TargetDraw, world.b_admin).filter(pk=draw.pk).exists()
    assert not scope.editable_by(TargetDraw, world.b_admin).filter(pk=draw.pk).exists()
    # inspectors: own department's; items: the office's own list
    assert set(scope.editable_by(Inspector, world.a_admin)) == set(
        Inspector.objects.filter(department=world.dept_a)
    )
    assert not scope.editable_by(Inspector, world.b_admin).filter(department=world.dept_a).exists()
    assert objs.draft in scope.editable_by(Item, world.office)
    assert not scope.editable_by(Item, world.a_admin).exists()
    # targets: the keeper (市场监督管理局 by default) and the office, not another supervisor
    assert objs.target in scope.editable_by(Target, world.a_admin)
    assert objs.target in scope.editable_by(Target, world.office)
    assert not scope.editable_by(Target, world.far_admin).exists()


WRITE_PATHS = {
    "inspector_update": (
        Inspector,
        "只能维护本部门的目录",
        lambda w, o: directory_services.inspector_update(actor=w.a_admin, inspector=o.inspector, name="改名"),
    ),
    "item_update": (
        Item,
        "只能修改本辖区清单中的事项",
        lambda w, o: directory_services.item_update(actor=w.office, item=o.draft, name="改名"),
    ),
    "plan_submit": (
        AnnualPlan,
        "只能编制本部门的年度计划",
        lambda w, o: planning_services.plan_submit(actor=w.a_admin, plan=o.plan28),
    ),
    "task_void": (
        Task,
        "只能作废本部门牵头的任务",
        lambda w, o: planning_services.task_void(actor=w.a_admin, task=o.task28, reason="重复"),
    ),
    "witness_invite": (
        TargetDraw,
        "抽取由任务的牵头部门组织",
        lambda w, o: draw_witnesses.witness_invite(
            actor=w.a_admin, draw=o.draw, label="见证人", description=""
        ),
    ),
    "recusal_decide": (
        RecusalRequest,
        "只能决定本部门人员的回避申请",
        lambda w, o: draw_services.recusal_decide(actor=w.a_reviewer, request=o.recusal, approve=False),
    ),
    "correction_open": (
        Inspection,
        "只能由本部门管理员或复核人员发起更正",
        lambda w, o: inspection_services.correction_open(actor=w.a_admin, inspection=o.ins, reason="笔误"),
    ),
}


@pytest.mark.parametrize("path", WRITE_PATHS)
def test_write_paths_ask_editable_by(world, objs, monkeypatch, path):
    """The services decide on the record through core/scope.py: with the registry saying "no"
    for that model, the record's own department is refused, with the same Chinese message as
    before, and nothing is recorded."""
    model, message, call = WRITE_PATHS[path]
    visible = scope.registered()[model].visible
    monkeypatch.setitem(
        scope._scopes, model, scope.ModelScope(visible=visible, editable=lambda u: model.objects.none())
    )
    before = AuditEntry.objects.count()
    with pytest.raises(Forbidden, match=message):
        call(world, objs)
    assert AuditEntry.objects.count() == before
