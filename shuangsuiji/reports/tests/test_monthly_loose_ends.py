"""Issue 21's loose ends of the monthly report, over issue 5's June scenario (scenario.py) carried
on through the services: department M adjusts its published plan (R-PLAN-1) to add

T6: 部门联合, M leads, H joins, a total of 5 企业; M finished all five, problems at four; H finished
    none (so no T6 target is finished by every department);
T7: M alone, quotas per risk class (100% of each), 2 企业 and 2 自然人; M finished all four, a problem
    at one 企业 and one 自然人.

Each rule is checked in the rollup's figures (monthly.py), in the base-table reference
(reference.py), on the page and in the .xlsx."""

import io
import itertools

import openpyxl
import pytest
from django.urls import reverse

from shuangsuiji.directory.models import Item, Target, TargetKind, TargetSupervision
from shuangsuiji.planning import services as planning
from shuangsuiji.reports import monthly, reference

from .scenario import ALL, _inspect, _run, _targets

_ids = itertools.count(1)
PREFIX = "130110"


def _persons(world, tag, n, dept):
    out = []
    for _ in range(n):
        k = next(_ids)
        t = Target.objects.create(
            kind=TargetKind.PERSON,
            nonmarket_key=f"ZRR-{k:03d}",
            key_display=f"1301**********{k:04d}",
            name=f"自然人{k}",
            region=world.county,
        )
        t.tags.add(tag)
        TargetSupervision.objects.create(target=t, department=dept)
        out.append(t)
    return out


@pytest.fixture
def carried(scenario):
    from shuangsuiji.directory.models import Tag, TagLibrary

    w = scenario
    m, h = w.m, w.h
    tags = {n: Tag.objects.create(library=TagLibrary.TARGET, name=n, region=w.county) for n in ("T6", "T7")}
    t6 = _targets(w, tags["T6"], ["enterprise"] * 5, [m, h])
    t7 = _targets(w, tags["T7"], ["enterprise"] * 2, [m]) + _persons(w, tags["T7"], 2, m)
    plan = w.plans[m]
    planning.plan_adjust_open(actor=w.a_admin, plan=plan, reason="六月增加联合抽查和自然人专项抽查")
    win = {"window_start": w.tasks["T1"].window_start, "window_end": w.tasks["T1"].window_end}
    T6 = planning.task_save(
        actor=w.a_admin,
        plan=plan,
        name="T6",
        mode="joint",
        departments=[h],
        items=[Item.objects.get(code="M1"), Item.objects.get(code="H1")],
        quota_mode="total",
        total=5,
        scope_tags=[tags["T6"]],
        **win,
    )
    T7 = planning.task_save(
        actor=w.a_admin,
        plan=plan,
        name="T7",
        items=[Item.objects.get(code="M1")],
        ratios=ALL,
        scope_tags=[tags["T7"]],
        **win,
    )
    planning.plan_submit(actor=w.a_admin, plan=plan)
    planning.plan_approve(actor=w.office, plan=plan)
    d6, d7 = _run(w, w.a_admin, T6), _run(w, w.a_admin, T7)
    _inspect(d6, m, t6, t6[:4])
    _inspect(d7, m, t7, [t7[0], t7[2]])  # one 企业, one 自然人
    w.t6, w.t7, w.d6 = t6, t7, d6
    return w


def _views(f):
    return [("summed", f.summed), ("distinct", f.distinct)] + [(d.name, x) for d, x in f.per_dept.items()]


def _cells(form):
    return {k: c.as_tuple() for k, c in form.rows.items()}


@pytest.mark.django_db
def test_problem_households_never_exceed_finished_ones_in_any_view(carried):
    w = carried
    for facts in (monthly.facts(PREFIX, 2026, 6), reference.facts(PREFIX, 2026, 6)):
        for name, form in _views(facts):
            for key, cell in form.rows.items():
                assert cell.problems <= cell.finished, (name, key, cell)
        # each task and target once: T3 (6 drawn, 5 finished by both, 2 of those with a problem)
        # and T6 (5 drawn, none finished by H: neither finished nor a problem household yet)
        assert facts.distinct.rows["joint"].as_tuple() == (2, 11, 5, 2)
        per = {d: _cells(x) for d, x in facts.per_dept.items()}
        assert per[w.m]["joint"] == (2, 11, 11, 5)  # a department's own view is unchanged
        assert per[w.h]["joint"] == (2, 11, 5, 2)
    # once H finishes T6 (no problem of its own), M's problems count there too
    _inspect(w.d6, w.h, w.t6, [])
    assert monthly.facts(PREFIX, 2026, 6).distinct.rows["joint"].as_tuple() == (2, 11, 10, 6)


@pytest.mark.django_db
def test_natural_persons_of_a_per_risk_class_task_stay_out_of_the_credit_row(carried):
    w = carried
    for facts in (monthly.facts(PREFIX, 2026, 6), reference.facts(PREFIX, 2026, 6)):
        m = _cells(facts.per_dept[w.m])
        # T7's two 自然人 are in 总计 and 部门内部, not in 涉及企业 nor in the credit-risk row
        assert m["internal"] == (4, 22, 17, 5)
        assert m["market"] == (6, 31, 26, 9)
        assert m["credit"] == (4, 21, 16, 4)  # T1, T3, T5 and T7's two 企业
        assert facts.distinct.rows["credit"].as_tuple() == (4, 21, 15, 5)


@pytest.mark.django_db
def test_a_per_risk_class_task_of_natural_persons_only_is_not_a_credit_risk_task(carried):
    """Its 次数 stays out of the credit row, and out of the dashboard's credit share and its list."""
    from shuangsuiji.reports import drill, kpi
    from shuangsuiji.reports.tests.scenario import JUNE_DRAW

    w = carried
    before = monthly.facts(PREFIX, 2026, 6).per_dept[w.m].rows["credit"].as_tuple()
    from shuangsuiji.directory.models import Tag, TagLibrary

    tag = Tag.objects.create(library=TagLibrary.TARGET, name="T8", region=w.county)
    _persons(w, tag, 3, w.m)
    plan = w.plans[w.m]
    planning.plan_adjust_open(actor=w.a_admin, plan=plan, reason="自然人专项")
    t8 = planning.task_save(
        actor=w.a_admin,
        plan=plan,
        name="T8",
        items=[Item.objects.get(code="M1")],
        ratios=ALL,
        scope_tags=[tag],
        window_start=w.tasks["T1"].window_start,
        window_end=w.tasks["T1"].window_end,
    )
    planning.plan_submit(actor=w.a_admin, plan=plan)
    planning.plan_approve(actor=w.office, plan=plan)
    _run(w, w.a_admin, t8)
    f = monthly.facts(PREFIX, 2026, 6)
    assert f.per_dept[w.m].rows["credit"].as_tuple() == before
    assert f.per_dept[w.m].rows["total"].tasks == 7
    today = JUNE_DRAW.date().replace(day=30)
    board = kpi.dashboard(w.county, 2026, 6, today, [w.m])
    m_col = board.columns[1]
    assert (m_col.figures["credit_share"].numerator, m_col.figures["credit_share"].denominator) == (4, 7)
    listing = drill.kpi_listing(w.county, 2026, 6, today, w.m, "credit_share", "")
    assert (listing.numerator, listing.denominator) == (4, 7)


@pytest.mark.django_db
def test_page_and_xlsx_state_the_period_label_the_columns_and_carry_both_views(carried, client_for):
    w = carried
    url = reverse("reports:monthly") + "?year=2026&month=6"
    office = client_for(w.office)
    page = office.get(url).content.decode()
    assert "统计期间：2026年1月1日至2026年6月30日" in page
    assert monthly.CREDIT_NOTE in page and monthly.DISTINCT_NOTE in page
    assert page.count('<th class="num">发现问题户数</th>') == 2  # both views, each column labelled
    wb = openpyxl.load_workbook(io.BytesIO(office.get(url + "&format=xlsx").content))
    assert wb.sheetnames == ["月报表", "每个任务和对象只计一次"]
    for ws in wb.worksheets:
        assert "统计期间：2026年1月1日至2026年6月30日" in ws["A2"].value
        assert ws["D4"].value == "截止目前数据"
        assert [ws.cell(row=5, column=c).value for c in range(4, 8)] == [
            "次数",
            "抽查总户数",
            "完成检查户数",
            "发现问题户数",
        ]
        assert monthly.CREDIT_NOTE in ws["H10"].value  # beside the credit-risk row
    f = monthly.facts(PREFIX, 2026, 6)
    for ws, form in zip(wb.worksheets, (f.summed, f.distinct), strict=True):
        values = [tuple(ws.cell(row=r, column=c).value for c in range(4, 8)) for r in range(6, 11)]
        assert values == [form.rows[k].as_tuple() for k, _, _ in monthly.ROWS]
    assert monthly.DISTINCT_NOTE in wb.worksheets[1]["A11"].value
    # a department's own form: the period, no second sheet (its view counts each target once)
    own = client_for(w.a_admin)
    wb = openpyxl.load_workbook(io.BytesIO(own.get(url + "&format=xlsx").content))
    assert wb.sheetnames == ["月报表"] and "2026年6月30日" in wb.active["A2"].value
    assert '<th colspan="4">截止目前数据</th>' in own.get(url).content.decode()
