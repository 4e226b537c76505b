"""A target's inspection history on its directory page (issue 18): every task that drew it, with
its window, each department's part (status, dates, whether a problem was found) and a link to the
inspection, read as the inspection pages read it: a department sees its own part in every state
and a partner's once published; the office its jurisdiction; nobody sees a draw they may not open."""

import datetime as dt
import re

import pytest
from django.urls import reverse

from shuangsuiji.directory.selectors import targets_for
from shuangsuiji.draw import services as draws
from shuangsuiji.draw.tests.conftest import full_draw, ready  # noqa: F401  (fixture)
from shuangsuiji.inspection import selectors, services
from shuangsuiji.inspection.models import InspectionStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def h(ready):  # noqa: F811  (the imported fixture)
    """The 餐饮 joint task (A leads, B joins) drawn and teamed; on a target of both A's inspector
    entered a problem and submitted it (待复核); B has entered nothing."""
    w = ready
    w.draw = full_draw(w, w.joint)
    draws.teams_draw(actor=w.a_admin, draw=w.draw)
    # a target both departments supervise, so that each opens its directory page
    shared = targets_for(w.b_admin).filter(pk__in=targets_for(w.a_admin))
    w.sel = w.draw.selections.filter(target__in=shared).order_by("order").first()
    member = w.sel.team.filter(active=True, department=w.dept_a).order_by("pk").first()
    member.inspector.user = w.a_inspector
    member.inspector.save()
    for item in services._department_items(w.sel, w.dept_a):
        services.result_save(
            actor=w.a_inspector,
            selection=w.sel,
            item=item,
            method="onsite",
            categories=["not_disclosed"],
            problem="未公示食品安全信息",
        )
    services.inspection_finish(
        actor=w.a_inspector, selection=w.sel, finished_on=dt.date(2026, 4, 15), summary="现场检查"
    )
    w.ins = services.inspection_submit(actor=w.a_inspector, selection=w.sel)
    assert w.ins.status == InspectionStatus.SUBMITTED
    return w


def _history(client, target) -> str:
    r = client.get(reverse("directory:target_detail", args=[target.pk]))
    assert r.status_code == 200
    return r.content.decode().split("<table data-history>", 1)[1].split("</table>", 1)[0]


def test_the_history_reads_as_the_inspection_pages_do(h):
    w = h
    target = w.sel.target
    [row] = selectors.target_history(w.a_admin, target, limit=100)
    assert row.selection == w.sel and row.task == w.joint
    assert [(p.department, p.status, p.problem, p.result_known) for p in row.parts] == [
        (w.dept_a, InspectionStatus.SUBMITTED, True, True)
    ]
    # B's admin opens the draw (its department is in the team) but not A's unpublished part
    [row] = selectors.target_history(w.b_admin, target, limit=100)
    assert row.selection == w.sel and row.parts == [] and row.lines == [None]
    assert [p.department for p in selectors.target_history(w.office, target, limit=100)[0].parts] == [
        w.dept_a
    ]
    # a target no task drew has no history; nor has anyone outside the jurisdiction
    undrawn = type(target).objects.filter(region=w.county, selections__isnull=True).first()
    assert selectors.target_history(w.office, undrawn, limit=100) == []
    assert selectors.target_history(w.auditor, target, limit=100) == []


def test_the_target_page_shows_tasks_dates_results_and_links(h, client_for):
    w = h
    target = w.sel.target
    link = reverse("inspection:target", args=[w.sel.pk])
    for user in (w.a_admin, w.a_reviewer, w.a_inspector, w.office):
        table = _history(client_for(user), target)
        assert w.joint.code in table and w.joint.name in table, user
        assert f"{w.joint.window_start:%Y-%m-%d} 至 {w.joint.window_end:%Y-%m-%d}" in table
        assert w.dept_a.name in table and "已提交待复核" in table and "2026-04-15" in table
        assert '<span class="tag bad">发现问题</span>' in table
        assert f'href="{link}"' in table
        assert client_for(user).get(link).status_code == 200  # the link opens for whoever sees it
    partner = _history(client_for(w.b_admin), target)
    assert w.joint.code in partner and "尚未录入" in partner
    assert "发现问题" not in partner and "已提交待复核" not in partner
    # after publication the partner reads A's part too
    services.review_approve(actor=w.a_reviewer, inspection=w.ins)
    partner = _history(client_for(w.b_admin), target)
    assert "已公示" in partner and '<span class="tag bad">发现问题</span>' in partner


def test_a_target_never_drawn_says_so(h, client_for):
    w = h
    undrawn = type(w.sel.target).objects.filter(region=w.county, selections__isnull=True).first()
    table = _history(client_for(w.a_admin), undrawn)
    assert "没有您可查看的检查记录" in table
    assert len(re.findall(r"<tr>", table)) == 2  # the header and the one empty line
