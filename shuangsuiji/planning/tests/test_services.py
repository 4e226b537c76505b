import datetime as dt
from decimal import Decimal

import pytest

from conftest import make_uscc
from shuangsuiji.core.errors import DomainError, Forbidden
from shuangsuiji.core.models import AuditEntry
from shuangsuiji.directory.models import Item, ItemStatus, Tag, TagLibrary, Target
from shuangsuiji.planning import services
from shuangsuiji.planning.models import TASK_TRANSITIONS, PlanStatus, TaskState
from shuangsuiji.planning.presets import PRESETS
from shuangsuiji.planning.selectors import task_scope_targets

D = dt.date


@pytest.mark.django_db
def test_every_seed_preset_loads(world):
    for p in PRESETS:
        g = services.goals_from_preset(actor=world.office, preset=p.key)
        assert g.region == world.county and g.year == p.year
        assert g.coverage_snapshot == D(p.year - 1, 12, 31)
    g = services.goals_from_preset(actor=world.office, preset="luquan-2026")
    assert (g.coverage, g.joint_task_share, g.joint_household_share, g.credit_share) == (
        Decimal("0.03"),
        1,
        1,
        1,
    )
    g = services.goals_from_preset(actor=world.office, preset="guantao-gaj-2026", year=2027)
    assert (g.joint_task_share, g.joint_household_share, g.credit_share) == (
        Decimal("0.45"),
        Decimal("0.30"),
        Decimal("0.90"),
    )
    g = services.goals_from_preset(actor=world.office, preset="shijiazhuang-2021")
    assert g.coverage_by_level == {"province": "0.005", "city": "0.005", "county": "0.02"}


@pytest.mark.django_db
def test_goals_adjusted_and_audited(world):
    services.goals_from_preset(actor=world.office, preset="luquan-2026")
    g = services.goals_save(actor=world.office, year=2026, joint_household_share="0.95")
    assert g.joint_household_share == Decimal("0.95") and g.joint_task_share == 1
    e = AuditEntry.objects.filter(action="goals.save").order_by("-seq").first()
    assert e.detail == {"joint_household_share": {"from": "1.0000", "to": "0.95"}}
    with pytest.raises(DomainError, match="0 到 100%"):
        services.goals_save(actor=world.office, year=2026, coverage="1.5")
    with pytest.raises(Forbidden):
        services.goals_save(actor=world.a_admin, year=2026, coverage="0.03")


def _item(world, code, dept_admin, status=ItemStatus.PUBLISHED):
    from shuangsuiji.directory.services import item_claim

    item = Item.objects.create(
        region=world.county, code=code, name=f"事项{code}", methods=["onsite"], status=status
    )
    if status == ItemStatus.PUBLISHED:
        item_claim(actor=dept_admin, item=item)
    return item


def _task(world, plan, items, **kw):
    base = dict(name="任务", items=items, window_start=D(2026, 3, 1), window_end=D(2026, 6, 30))
    return services.task_save(actor=world.a_admin, plan=plan, **(base | kw))


@pytest.mark.django_db
def test_task_rules(world):
    a1, a2 = _item(world, "A1", world.a_admin), _item(world, "A2", world.a_admin)
    b1 = _item(world, "B1", world.b_admin)
    draft = Item.objects.create(region=world.county, code="X", name="草稿事项", methods=["onsite"])
    plan = services.plan_create(actor=world.a_admin, year=2026)
    t = _task(world, plan, [a1])
    assert t.ratios == {"A": "0.01", "B": "0.03", "C": "0.10", "D": "0.30"}  # R-PLAN-3 defaults
    t = _task(world, plan, [a1], task=t, ratios={"D": "0.2"})
    assert t.ratios == {"A": "0.01", "B": "0.03", "C": "0.10", "D": "0.2"}
    assert t.code.startswith("130110-2026-")
    cases = [
        (dict(items=[draft]), "未发布"),
        (dict(items=[b1]), "均未认领"),
        (dict(mode="joint"), "至少需要两个部门"),
        (dict(departments=[world.dept_a, world.dept_b]), "部门单独或部门内部联合"),
        (dict(mode="internal_joint", business_lines=[world.line_a1]), "至少需要两个业务条线"),
        (dict(window_start=D(2026, 6, 1), window_end=D(2026, 5, 1)), "早于开始日期"),
        (dict(window_end=D(2027, 1, 10)), "2026 年内"),
        (dict(quota_mode="total"), "抽取数量"),
        (dict(ratios={"E": "0.1"}), "A、B、C、D"),
        (dict(ratios={"A": "2"}), "0 到 100%"),
        (dict(team_size=1), "不少于 2 名"),
        (dict(mode="joint", departments=[world.dept_a, world.dept_b], items=[a1, a2]), "卫生健康局 未认领"),
    ]
    for kw, msg in cases:
        with pytest.raises(DomainError, match=msg):
            _task(world, plan, kw.pop("items", [a1]), **kw)
    ok = _task(world, plan, [a1, b1], mode="joint", departments=[world.dept_b], name="联合")
    assert set(ok.departments.all()) == {world.dept_a, world.dept_b}
    internal = _task(
        world, plan, [a1, a2], mode="internal_joint", business_lines=[world.line_a1, world.line_a2]
    )
    assert internal.business_lines.count() == 2


@pytest.mark.django_db
def test_plan_lifecycle_with_adjustment_history(world):
    a1 = _item(world, "A1", world.a_admin)
    plan = services.plan_create(actor=world.a_admin, year=2026)
    with pytest.raises(DomainError, match="还没有任务"):
        services.plan_submit(actor=world.a_admin, plan=plan)
    t = _task(world, plan, [a1])
    services.plan_submit(actor=world.a_admin, plan=plan)
    with pytest.raises(DomainError, match="不能修改"):
        _task(world, plan, [a1], task=t, name="改")
    with pytest.raises(Forbidden):
        services.plan_approve(actor=world.a_admin, plan=plan)
    with pytest.raises(DomainError, match="审核意见"):
        services.plan_return(actor=world.office, plan=plan, comment="")
    services.plan_return(actor=world.office, plan=plan, comment="请补充抽查比例依据")
    plan.refresh_from_db()
    assert plan.status == PlanStatus.DRAFT and plan.review_comment == "请补充抽查比例依据"
    services.plan_submit(actor=world.a_admin, plan=plan)
    v1 = services.plan_approve(actor=world.office, plan=plan)
    t.refresh_from_db()
    assert (
        v1.number == 1
        and t.in_published_plan
        and v1.requested_by == world.a_admin
        and v1.approved_by == world.office
    )
    with pytest.raises(DomainError, match="发起计划调整"):
        _task(world, plan, [a1], name="新增")
    with pytest.raises(DomainError, match="调整原因"):
        services.plan_adjust_open(actor=world.a_admin, plan=plan, reason=" ")
    services.plan_adjust_open(actor=world.a_admin, plan=plan, reason="上级下派专项任务")
    _task(world, plan, [a1], name="专项")
    services.plan_submit(actor=world.a_admin, plan=plan)
    v2 = services.plan_approve(actor=world.office, plan=plan)
    assert v2.number == 2 and v2.reason == "上级下派专项任务" and len(v2.snapshot["tasks"]) == 2
    assert len(v1.snapshot["tasks"]) == 1
    with pytest.raises(Forbidden):
        services.plan_approve(actor=world.far_admin, plan=plan)


@pytest.mark.django_db
def test_state_table_and_voids_keep_records(world):
    a1 = _item(world, "A1", world.a_admin)
    plan = services.plan_create(actor=world.a_admin, year=2026)
    t = _task(world, plan, [a1])
    with pytest.raises(DomainError, match="不能变为“已办结”"):
        services.task_transition(actor=world.a_admin, task=t, to=TaskState.CLOSED)
    with pytest.raises(DomainError, match="原因"):
        services.task_void(actor=world.a_admin, task=t, reason="")
    with pytest.raises(Forbidden):
        services.task_void(actor=world.b_admin, task=t, reason="x")
    services.task_void(actor=world.a_admin, task=t, reason="重复安排")
    t.refresh_from_db()
    assert t.state == TaskState.VOIDED and t.voided_reason == "重复安排"
    assert not TASK_TRANSITIONS[TaskState.VOIDED] and not TASK_TRANSITIONS[TaskState.CLOSED]
    for state, moves in TASK_TRANSITIONS.items():
        if state not in (TaskState.CLOSED, TaskState.VOIDED):
            assert TaskState.VOIDED in moves
    t2 = _task(world, plan, [a1], name="第二项")
    services.plan_void(actor=world.office, plan=plan, reason="机构调整，计划重新编制")
    plan.refresh_from_db()
    t2.refresh_from_db()
    assert plan.status == PlanStatus.VOIDED and t2.state == TaskState.VOIDED


@pytest.mark.django_db
def test_joint_list_rules(world):
    a1, b1 = _item(world, "A1", world.a_admin), _item(world, "B1", world.b_admin)
    entry = services.joint_list_save(
        actor=world.office,
        name="餐饮",
        lead=world.dept_a,
        participants=[world.dept_b],
        items=[a1, b1],
        industries=["62"],
    )
    assert list(entry.participants.all()) == [world.dept_b]
    with pytest.raises(DomainError, match="至少需要一个参与部门"):
        services.joint_list_save(
            actor=world.office, name="x", lead=world.dept_a, participants=[world.dept_a], items=[a1]
        )
    with pytest.raises(DomainError, match="不是本辖区"):
        services.joint_list_save(
            actor=world.office,
            name="y",
            lead=world.dept_a,
            participants=[world.other_county_dept],
            items=[a1],
        )


@pytest.mark.django_db
def test_task_sent_down_appears_in_the_lower_plan(world, regions):
    from shuangsuiji.core import services as core
    from shuangsuiji.core.models import Role
    from shuangsuiji.directory.services import item_claim

    city = core.department_create(actor=None, name="石家庄市市场监督管理局", region=regions["130100"])
    city_admin = core.user_create(
        actor=None, username="city_admin", password="City#2026pw", role=Role.DEPT_ADMIN, department=city
    )
    city_office_dept = core.department_create(
        actor=None, name="市双随机办", region=regions["130100"], is_office=True
    )
    city_office = core.user_create(
        actor=None,
        username="city_office",
        password="City#2026pw",
        role=Role.OFFICE,
        department=city_office_dept,
    )
    item = Item.objects.create(
        region=regions["130100"],
        code="SJZ-1",
        name="市级事项",
        methods=["onsite"],
        status=ItemStatus.PUBLISHED,
    )
    item_claim(actor=city_admin, item=item)
    plan = services.plan_create(actor=city_admin, year=2026)
    catering = Tag.objects.create(library=TagLibrary.TARGET, name="网络餐饮", region=regions["130100"])
    t = services.task_save(
        actor=city_admin,
        plan=plan,
        name="市局安排的专项抽查",
        items=[item],
        level="city",
        window_start=D(2026, 5, 1),
        window_end=D(2026, 8, 31),
        scope_kinds=["enterprise"],
        scope_industries=["62"],
        scope_tags=[catering],
    )
    t.level = "city"
    t.save()
    with pytest.raises(DomainError, match="已公示的计划"):
        services.task_send_down(actor=city_admin, task=t, departments=[world.dept_a])
    services.plan_submit(actor=city_admin, plan=plan)
    services.plan_approve(actor=city_office, plan=plan)
    t.refresh_from_db()
    with pytest.raises(DomainError, match="未认领"):
        services.task_send_down(actor=city_admin, task=t, departments=[world.dept_a])
    item_claim(actor=world.a_admin, item=item)
    [copy] = services.task_send_down(actor=city_admin, task=t, departments=[world.dept_a])
    assert (
        copy.plan.department == world.dept_a
        and copy.sent_down_from == t
        and copy.level == "city"
        and copy.in_published_plan
    )
    services.task_startable(copy)
    # the copy draws from the upper task's scope: its kinds, industries and tags (issue 21)
    assert (copy.scope_kinds, copy.scope_industries) == (["enterprise"], ["62"])
    assert list(copy.scope_tags.all()) == [catering]
    tagged = Target.objects.create(
        kind="enterprise",
        uscc=make_uscc("91130110MA0D00001"),
        name="网络餐饮企业",
        region=world.county,
        industry_code="6201",
    )
    tagged.tags.add(catering)
    Target.objects.create(
        kind="enterprise",
        uscc=make_uscc("91130110MA0D00002"),
        name="同业未加标签企业",
        region=world.county,
        industry_code="6201",
    )
    assert list(task_scope_targets(copy)) == [tagged]
    with pytest.raises(DomainError, match="已向"):
        services.task_send_down(actor=city_admin, task=t, departments=[world.dept_a])
    with pytest.raises(DomainError, match="不在本级辖区"):
        services.task_send_down(actor=city_admin, task=t, departments=[world.other_county_dept])
