"""The 待办 home (issue 18): each role's items, counted through the same filters as the lists they
link to. A county with work in every state is built through the services; each standing actor
opens the home, every count is checked against what the scenario put there, and every link is
followed to a list whose total is the count."""

import datetime as dt
import re

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.test import Client
from django.utils import timezone

from shuangsuiji.core import services as core
from shuangsuiji.core import todo
from shuangsuiji.core.models import Role
from shuangsuiji.draw import services as draws
from shuangsuiji.draw import voids
from shuangsuiji.draw.models import Selection
from shuangsuiji.draw.tests.conftest import full_draw, ready  # noqa: F401  (fixture)
from shuangsuiji.followup import services as followup
from shuangsuiji.followup.models import FollowUp
from shuangsuiji.inspection import selectors as insp_selectors
from shuangsuiji.inspection import services as insp
from shuangsuiji.inspection.models import Inspection
from shuangsuiji.planning import services as planning
from shuangsuiji.planning.models import Task

pytestmark = pytest.mark.django_db

DAY = dt.timedelta(days=1)


def _enter(w, sel, *, problems=(), finish=False, submit=False):
    for item in (w.items["A-1"], w.items["A-2"]):
        problem = item in problems
        insp.result_save(
            actor=w.a_inspector,
            selection=sel,
            item=item,
            method="onsite",
            categories=["not_disclosed"] if problem else ["none_found"],
            problem="未按规定公示年度报告" if problem else "",
        )
    if finish:
        insp.inspection_finish(actor=w.a_inspector, selection=sel, finished_on=timezone.localdate() - 2 * DAY)
    if submit:
        insp.inspection_submit(actor=w.a_inspector, selection=sel)
    return Inspection.objects.get(selection=sel, department=w.dept_a)


@pytest.fixture
def county(ready):  # noqa: F811  (the imported fixture)
    """Work waiting in every state, for each role:
    - task A drawn and teamed, its window holding today; a_inspector in several of its teams:
      s1 published with two problems (one disposed as a transfer to B, one still to dispose),
      s2 submitted (waiting for review), s3 being entered past its due date;
    - the joint task drawn, its teams not matched, a request to void its draw pending;
    - a recusal request of a member of task A pending;
    - B's plan submitted (for the office), A's 2027 plan returned by the office;
    - b_inspector locked after failed sign-ins."""
    w = ready
    today = timezone.localdate()
    w.draw = full_draw(w, w.task_a)
    draws.teams_draw(actor=w.a_admin, draw=w.draw)
    Task.objects.filter(pk=w.task_a.pk).update(window_start=today - 60 * DAY, window_end=today + 30 * DAY)
    first = w.draw.selections.exclude(target__risk_class="A").order_by("order").first()
    inspector = first.team.filter(active=True).order_by("id").first().inspector
    inspector.user = w.a_inspector
    inspector.save()
    mine = list(
        Selection.objects.filter(draw=w.draw, team__inspector=inspector, team__active=True)
        .exclude(target__risk_class="A")  # 无事不扰: an A-class target needs a reason on site
        .order_by("order")
    )
    assert len(mine) >= 3, "the scenario needs three of the inspector's targets"
    w.mine = mine
    s1, s2, s3 = mine[:3]
    w.s1 = _enter(w, s1, problems=(w.items["A-1"], w.items["A-2"]), finish=True, submit=True)
    insp.review_approve(actor=w.a_reviewer, inspection=w.s1)
    transferred, w.to_dispose = FollowUp.objects.filter(inspection=w.s1).order_by("id")
    followup.followup_dispose(
        actor=w.a_admin,
        followup=transferred,
        kind="transfer",
        measure="移送卫生健康局",
        transfer_to=w.dept_b,
        due_on=today + 30 * DAY,
    )
    w.s2 = _enter(w, s2, finish=True, submit=True)
    Inspection.objects.filter(pk=w.s2.pk).update(due_on=today - DAY)  # waiting past its deadline
    w.s3 = _enter(w, s3)
    Inspection.objects.filter(pk=w.s3.pk).update(due_on=today - 3 * DAY)  # not entered in time

    w.joint_draw = full_draw(w, w.joint)
    voids.void_request(actor=w.a_admin, draw=w.joint_draw, reason="procedure", text="见证人未按规定到场")
    member = w.draw.selections.order_by("order").last().team.filter(active=True).first()
    draws.recusal_request(actor=w.a_admin, member=member, reason="曾在该企业任职")

    planning.task_save(
        actor=w.b_admin,
        plan=w.plan_b,
        name="2026年医疗机构双随机抽查",
        items=[w.items["B-1"]],
        ratios={"A": "0.1", "B": "0.1", "C": "0.2", "D": "0.5"},
        window_start=dt.date(2026, 9, 1),
        window_end=dt.date(2026, 12, 31),
    )
    planning.plan_submit(actor=w.b_admin, plan=w.plan_b)
    w.plan_2027 = planning.plan_create(actor=w.a_admin, year=2027)
    planning.task_save(
        actor=w.a_admin,
        plan=w.plan_2027,
        name="2027年食品经营双随机抽查",
        items=[w.items["A-1"]],
        ratios={"A": "0.1", "B": "0.2", "C": "0.5", "D": "1"},
        window_start=dt.date(2027, 3, 1),
        window_end=dt.date(2027, 6, 30),
    )
    planning.plan_submit(actor=w.a_admin, plan=w.plan_2027)
    planning.plan_return(actor=w.office, plan=w.plan_2027, comment="请补充检查人员安排")

    for _ in range(settings.LOGIN_MAX_FAILURES):
        core.login_failed(address="10.0.0.9", username="b_inspector")
    return w


def _home(client: Client) -> dict[str, tuple[int, str]]:
    """key → (count, link) of every item on the home page."""
    html = client.get("/").content.decode()
    items = re.findall(r'<li data-todo="([\w.]+)"><a href="([^"]+)">.*?data-count="(\d+)"', html, re.S)
    return {key: (int(n), url.replace("&amp;", "&")) for key, url, n in items}


def _total(client: Client, url: str) -> int:
    r = client.get(url)
    assert r.status_code == 200, (url, r.status_code)
    totals = re.findall(r'data-total="(\d+)"', r.content.decode())
    assert len(totals) == 1, (url, totals)
    return int(totals[0])


EXPECTED = {
    "office": {
        "planning.plans_to_approve": 1,
        "draw.voids_to_confirm": 1,
        "inspection.unpublished": 2,  # s2 (待复核) and s3 (录入中), both past their due date
        "core.role_grants": 0,
    },
    "a_admin": {
        "planning.plans_returned": 1,
        "planning.draws_to_run": 0,
        "planning.teams_to_match": 1,
        "followup.inbox": 0,
        "followup.to_dispose": 1,
        "followup.overdue": 0,
        "inspection.overdue": 1,
    },
    "b_admin": {
        "planning.plans_returned": 0,
        "followup.inbox": 1,
        "inspection.overdue": 0,
    },
    "a_reviewer": {"inspection.review": 1, "draw.recusals_to_decide": 1},
    "a_inspector": {"inspection.my_overdue": 1, "followup.to_verify": 0},
    "sysadmin": {"core.locked_accounts": 1},
    "auditor": {"draw.audit": 2},
}


def test_every_count_is_the_total_of_the_list_it_links_to(county):
    """One scenario for every standing actor (it takes a while to build)."""
    for actor in [*EXPECTED, "b_inspector"]:
        client = Client()
        client.force_login(getattr(county, actor))
        items = _home(client)
        role = getattr(county, actor).role
        registered = {k for k, i in todo.items().items() if role in i.roles}
        assert set(items) == registered, actor
        for key, n in EXPECTED.get(actor, {}).items():
            assert items[key][0] == n, (actor, key)
        for key, (n, url) in items.items():
            assert _total(client, url) == n, (actor, key, url)


def test_an_inspectors_today_and_week(county):
    """今日可检查: the inspector's targets not yet inspected (no entry, or still 检查中) whose
    window is open today; s1 and s2 are finished, s3 is still 检查中."""
    today = timezone.localdate()
    rows = insp_selectors.my_work_shown(county.a_inspector, today=today, show="today")
    assigned = set(
        Selection.objects.filter(team__inspector__user=county.a_inspector, team__active=True).values_list(
            "pk", flat=True
        )
    )
    assert {m.selection_id for m in rows} == assigned - {county.s1.selection_id, county.s2.selection_id}
    assert county.s3.selection_id in assigned
    week = insp_selectors.my_work_shown(county.a_inspector, today=today, show="week")
    assert not week.exists()  # the window ends in 30 days
    Task.objects.filter(pk=county.task_a.pk).update(window_end=today)
    assert week.count() == rows.count()
    # the window over: nothing left to inspect today
    Task.objects.filter(pk=county.task_a.pk).update(window_end=today - DAY)
    assert not insp_selectors.my_work_shown(county.a_inspector, today=today, show="today").exists()


def test_progress_states_partition_the_rows(county):
    """Every row of 检查进度 is in exactly one of 待检查 / 录入中 / 待复核 / 已公示; the overdue
    filters are subsets."""
    today = timezone.localdate()
    for user in (county.a_admin, county.office):
        total = insp_selectors.progress_rows(user, today=today).count()
        parts = {
            s: insp_selectors.progress_rows(user, today=today, state=s).count()
            for s in insp_selectors.PROGRESS_STATES
        }
        assert parts["todo"] + parts["entering"] + parts["submitted"] + parts["published"] == total
        assert (parts["entering"], parts["submitted"], parts["published"]) == (1, 1, 1)
        assert parts["overdue"] == 1 and parts["unpublished"] == 2
    # the office sees B's part of nothing here (B has no team in task A), A only its own
    assert insp_selectors.progress_rows(county.b_admin, today=today).count() == 0


def test_progress_is_paged_and_filtered(county, client_for):
    c = client_for(county.a_admin)
    html = c.get("/inspection/?state=overdue").content.decode()
    assert county.s3.selection.target.name in html
    assert county.s2.selection.target.name not in html
    # the overdue count is a link to the overdue list
    assert re.search(
        r'<a href="\?state=overdue" data-state="overdue"[^>]*>逾期未录入 <span[^>]*>1</span>', html
    )
    # a value not recognised is said, and filters nothing
    html = c.get("/inspection/?state=nonsense").content.decode()
    assert "未按此筛选" in html
    assert (
        int(re.search(r'data-total="(\d+)"', html).group(1))
        == insp_selectors.progress_rows(county.a_admin, today=timezone.localdate()).count()
    )


def test_progress_pages_at_100_rows(county, client_for, monkeypatch):
    from shuangsuiji.inspection import views

    monkeypatch.setattr(views, "PROGRESS_PAGE", 2)
    c = client_for(county.office)
    total = insp_selectors.progress_rows(county.office, today=timezone.localdate()).count()
    assert total > 2
    html = c.get("/inspection/").content.decode()
    assert html.count('<tr><td><a href="/inspection/s/') == 2
    assert f'data-total="{total}"' in html
    assert "第 1 /" in html


def test_review_queue_oldest_first_with_waiting_days(county, client_for):
    later = _enter(county, county.mine[3], finish=True, submit=True) if len(county.mine) > 3 else None
    queue = list(insp_selectors.review_queue(county.a_reviewer))
    assert queue[0].pk == county.s2.pk
    if later:
        assert [i.pk for i in queue] == [county.s2.pk, later.pk]
        Inspection.objects.filter(pk=county.s2.pk).update(submitted_at=timezone.now() - 10 * DAY)
    html = client_for(county.a_reviewer).get("/inspection/review/").content.decode()
    assert "已等待" in html and "个工作日" in html
    home = client_for(county.a_reviewer).get("/").content.decode()
    assert "等待最久的一份已等待" in home


def test_the_sign_in_lands_an_inspector_on_the_home(county):
    from conftest import PASSWORD

    c = Client()
    r = c.post("/login/", {"username": "a_inspector", "password": PASSWORD})
    assert r.status_code == 302 and r["Location"] == "/"
    html = c.get("/").content.decode()
    assert 'data-todo="inspection.my_today"' in html and "我的检查" in html


def test_roles_that_read_no_supervision_data_see_none_on_their_home(county):
    for actor in ("sysadmin", "auditor"):
        c = Client()
        c.force_login(getattr(county, actor))
        keys = set(_home(c))
        assert not {k for k in keys if k.split(".")[0] in ("inspection", "planning", "followup", "reports")}


def test_a_key_is_one_modules():
    item = todo.items()["inspection.review"]
    todo.register(
        "inspection.review", label=item.label, roles=item.roles, url_name=item.url_name, count=item.count
    )  # the same module again (ready() may run twice) replaces it
    with pytest.raises(ImproperlyConfigured, match="inspection.review"):
        todo.register(
            "inspection.review", label="别的", roles={Role.OFFICE}, url_name="core:home", count=print
        )
    todo.register(  # restore the app's own item
        "inspection.review",
        label=item.label,
        roles=item.roles,
        url_name=item.url_name,
        count=item.count,
        order=item.order,
        unit=item.unit,
        note=item.note,
    )
    assert todo.items()["inspection.review"] == item
