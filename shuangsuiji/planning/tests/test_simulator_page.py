"""The simulator page: prefilled from the directory's class mix, past published results and the
inspector directory; office and department admins only."""

import datetime as dt
import re

import pytest

from shuangsuiji.draw import services as draws
from shuangsuiji.draw.tests.conftest import full_draw, ready  # noqa: F401  (fixture)
from shuangsuiji.inspection import services as insp
from shuangsuiji.planning import selectors

D = dt.date


def _value(page: str, name: str) -> str:
    m = re.search(rf'name="{name}"[^>]*value="([^"]*)"', page) or re.search(
        rf'value="([^"]*)"[^>]*name="{name}"', page
    )
    return m.group(1) if m else ""


@pytest.fixture
def inspected(ready):  # noqa: F811
    """Task A drawn; two of its selected targets inspected and published, one with a problem."""
    w = ready
    draw = full_draw(w, w.task_a)
    draws.teams_draw(actor=w.a_admin, draw=draw)
    w.published = []
    for n, sel in enumerate(draw.selections.filter(target__risk_class="D").order_by("order")[:2]):
        member = sel.team.filter(active=True).first()
        member.inspector.user = w.a_inspector
        member.inspector.save()
        w.a_inspector.refresh_from_db()
        for item in (w.items["A-1"], w.items["A-2"]):
            problem = n == 0 and item == w.items["A-1"]
            insp.result_save(
                actor=w.a_inspector,
                selection=sel,
                item=item,
                method="onsite",
                categories=["not_disclosed"] if problem else ["none_found"],
                problem="未公示年报" if problem else "",
            )
        insp.inspection_finish(actor=w.a_inspector, selection=sel, finished_on=D(2026, 4, 15))
        ins = insp.inspection_submit(actor=w.a_inspector, selection=sel)
        insp.review_approve(actor=w.a_reviewer, inspection=ins)
        member.inspector.user = None
        member.inspector.save()
        w.published.append(sel)
    return w


@pytest.mark.django_db
def test_inputs_are_read_set_based(inspected, django_assert_max_num_queries):
    w = inspected
    prefix = w.county.scope_prefix
    assert selectors.class_mix(prefix, department=w.dept_a) == {"A": 14, "B": 14, "C": 14, "D": 14, "": 4}
    assert selectors.class_mix(prefix, department=w.dept_b) == {"A": 14, "B": 0, "C": 14, "D": 0, "": 2}
    with django_assert_max_num_queries(1):
        rates = selectors.problem_rates(prefix, department=w.dept_a)
    assert rates["D"] == (2, 1) and rates["A"] == (0, 0)
    assert selectors.problem_rates(prefix, department=w.dept_b)["D"] == (0, 0)
    # a_inspectors: 8 valid; the expiring one's 执法证 ran out on 2026-04-10.
    assert selectors.inspectors_available(prefix, department=w.dept_a, today=D(2026, 5, 1)) == 8
    assert selectors.inspectors_available(prefix, department=w.dept_a, today=D(2026, 4, 1)) == 9
    assert selectors.inspectors_available(prefix, today=D(2026, 5, 1)) == 13


@pytest.mark.django_db
def test_page_prefills_and_simulates(inspected, client_for, django_assert_max_num_queries):
    w = inspected
    c = client_for(w.a_admin)
    with django_assert_max_num_queries(15):  # the layout's own, then goals, class mix, rates, inspectors
        page = c.get("/planning/simulator/").content.decode()
    assert _value(page, "count_B") == "18" and _value(page, "count_D") == "14"  # 4 unclassified go with B
    assert _value(page, "rate_D") == "50.00" and "无数据，请填写估计值" in page
    assert _value(page, "ratio_C") == "10.00"
    form = {
        "run": "1",
        "kind": "enterprise",
        "inspectors": 4,
        "days": 2,
        "per_day": 3,
        "team_size": 2,
        "goal": 10,
        **{f"count_{c}": 14 for c in "ABCD"},
        **{f"ratio_{c}": r for c, r in zip("ABCD", [1, 3, 10, 30], strict=True)},
        **{f"rate_{c}": r for c, r in zip("ABCD", [0, 5, 20, 50], strict=True)},
        **{f"min_{c}": r for c, r in zip("ABCD", [0, 1, 5, 30], strict=True)},
        **{f"max_{c}": r for c, r in zip("ABCD", [1, 5, 30, 100], strict=True)},
    }
    r = client_for(w.a_admin).get("/planning/simulator/", form)
    page = r.content.decode()
    assert r.status_code == 200 and 'id="prediction"' in page and 'id="suggestion"' in page
    # 14 each at 1/3/10/30%: 1 + 1 + 2 + 5 = 9 targets, 6 inspector-days of 8; goal 10 not met.
    assert "需 <strong>6</strong> 人·天" in page and "未达到" in page
    # Capacity 4·2·3/2 = 12 targets: lower bounds 0+1+1+5 = 7, then D up to 12 (rate 50%).
    assert "在所给范围和检查力量内无法达到" not in page
    assert re.search(
        r"D类（高风险）</td><td>14</td><td>30.00% – 100.00%</td><td>71.43%</td><td>10</td>", page
    )
    r = client_for(w.a_admin).get("/planning/simulator/", form | {"goal": 40})
    assert "无法达到覆盖目标" in r.content.decode() and "最多可查 12 户" in r.content.decode()
    r = client_for(w.a_admin).get("/planning/simulator/", form | {"min_A": 5})
    assert "A 类比例下限高于上限" in r.content.decode()
    r = client_for(w.a_admin).get("/planning/simulator/", form | {"team_size": 1})
    assert r.status_code == 200 and 'id="prediction"' not in r.content.decode()


@pytest.mark.django_db
def test_who_may_simulate(inspected, client_for):
    w = inspected
    office = client_for(w.office).get(f"/planning/simulator/?department={w.dept_b.pk}&kind=enterprise")
    assert office.status_code == 200 and _value(office.content.decode(), "count_A") == "14"
    whole = client_for(w.office).get("/planning/simulator/?department=&kind=")
    assert _value(whole.content.decode(), "count_B") == "18"
    for user in (w.a_reviewer, w.a_inspector, w.b_inspector, w.sysadmin, w.auditor):
        assert client_for(user).get("/planning/simulator/").status_code == 403
    # A department admin simulates for its own department whatever it asks for.
    own = client_for(w.b_admin).get(f"/planning/simulator/?department={w.dept_a.pk}")
    assert _value(own.content.decode(), "count_D") == "0"
