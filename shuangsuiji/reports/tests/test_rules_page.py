"""规则对照 (issue 21): the register's page shows every rule, those not yet enforced apart, and each
configured number's current value read from where it is configured, per jurisdiction and year."""

import datetime as dt

import pytest

from shuangsuiji.core import rules
from shuangsuiji.core import services as core
from shuangsuiji.core.models import Role
from shuangsuiji.planning import services as planning
from shuangsuiji.planning.models import YearGoals
from shuangsuiji.reports import services as reports
from shuangsuiji.reports.models import ReportSchedule
from shuangsuiji.reports.rules import Current, current, register

D = dt.date
DATES = {
    "q1_due": D(2026, 4, 1),
    "q2_due": D(2026, 7, 1),
    "q3_due": D(2026, 9, 28),
    "q4_due": D(2026, 12, 29),
    "plan_publish_by": D(2026, 3, 31),
}
WEIGHTS = {a: "1" for a in reports.SCHEDULE_WEIGHTS}


def _values(user, year) -> dict[str, list[Current]]:
    return {s.setting.source: s.values for row in register(user, year) for s in row.settings}


@pytest.fixture
def configured(world):
    w = world
    # 清河县 2025 (seed 003): 联合次数 ≥ 60%, 联合户数 ≥ 50%, 信用风险分类 ≥ 95%; reports by the 23rd
    planning.goals_save(
        actor=w.office,
        year=2026,
        source="清河县实施方案",
        coverage="0.03",
        joint_task_share="0.6",
        joint_household_share="0.5",
        credit_share="0.95",
    )
    reports.schedule_save(actor=w.office, year=2026, monthly_due_day=23, dates=DATES, weights=WEIGHTS)
    return w


@pytest.mark.django_db
def test_every_setting_is_read_from_where_it_is_configured(configured, settings):
    w = configured
    settings.RESULT_DUE_WORKDAYS = 15
    county = w.county.name
    v = _values(w.office, 2026)
    assert v["goals:joint_task_share"] == [Current(county, "60%")]
    assert v["goals:credit_share"] == [Current(county, "95%")]
    assert v["goals:coverage_snapshot"] == [Current(county, "2025年12月31日")]
    assert v["schedule:monthly_due_day"] == [Current(county, "23 日")]
    assert v["schedule:q3_due"] == [Current(county, "2026年9月28日")]
    assert v["schedule:w_voided"] == [Current(county, "1 分")]
    assert v["setting:RESULT_DUE_WORKDAYS"] == [Current("全平台", "15")]
    assert v["constant:shuangsuiji.planning.models:DEFAULT_RATIOS"] == [
        Current("全平台", "A 1%、B 3%、C 10%、D 30%")
    ]
    assert v["categories"][0].value.startswith("共 15 个：未发现问题")
    # another year: the goals are not set, the schedule is the default
    v27 = _values(w.office, 2027)
    assert v27["goals:joint_task_share"] == [Current(county, "未设定")]
    assert v27["schedule:monthly_due_day"] == [Current(county, "20 日（默认）")]
    # every source of the register resolves, to a field that exists where it says
    for r in rules.RULES:
        for s in r.settings:
            kind, _, ref = s.source.partition(":")
            if kind == "goals":
                YearGoals._meta.get_field(ref)
            if kind == "schedule":
                ReportSchedule._meta.get_field(ref)
            assert current(s, w.office, 2026), s.source


@pytest.mark.django_db
def test_a_city_office_sees_each_county_that_set_its_numbers(configured, regions):
    w = configured
    city_office = core.department_create(
        actor=None, name="市双随机办", region=regions["130100"], is_office=True
    )
    user = core.user_create(
        actor=None, username="city_office", password="City#2026pw", role=Role.OFFICE, department=city_office
    )
    v = _values(user, 2026)
    assert v["goals:joint_task_share"] == [
        Current(regions["130100"].name, "未设定"),
        Current(w.county.name, "60%"),
    ]
    # the county's office does not see the city's
    assert [c.scope for c in _values(w.office, 2026)["goals:coverage"]] == [w.county.name]


@pytest.mark.django_db
def test_the_page_lists_every_rule_and_those_not_yet_enforced(configured, client_for):
    w = configured
    for user in (w.office, w.auditor):
        page = client_for(user).get("/reports/rules/?year=2026").content.decode()
        assert "<th>规则编号</th>" in page
        for r in rules.RULES:
            assert f'id="{r.id}"' in page and r.title in page
            for p in r.proofs:
                assert p.says in page
        pending = page.split("尚未执行或部分执行的规则")[1].split("<section")[0]
        for r in rules.RULES:
            assert (r.id in pending) == (r.status != rules.Status.ENFORCED)
            if r.missing:
                assert r.missing in pending
        assert "60%" in page and "23 日" in page
    assert client_for(w.office).get("/reports/rules/").status_code == 200  # this year by default
    assert client_for(w.office).get("/reports/rules/?year=x").status_code == 400
    assert "规则对照" in client_for(w.auditor).get("/").content.decode()  # in the auditor's navigation
