"""Issue 18: the lists that were shown whole — the office's 作废申请, the reviewer's 回避申请, a
department's 移送收件箱, the public portal's draws and plans, the account tables of 部门与账号
and 账号与动态口令 — are paged with a total and filtered. Over the permission matrix's standing
world, each list is crowded past 100 rows; each then shows one page, a pager and its total, its
filters narrow it, a value it does not know is said to be ignored, and the 待办 home's count is
the total of the list its link opens. The pages pass the crawl's checks (test_crawl.py) too, the
secadmin's 账号与动态口令 included, whom the crawl's standing actors do not cover."""

import datetime as dt
import re
from types import SimpleNamespace

import pytest
from django.test import Client
from django.utils import timezone

from conftest import module_standing
from shuangsuiji.core import services as core_services
from shuangsuiji.core import todo
from shuangsuiji.core.models import Role, User
from shuangsuiji.core.paging import PER_PAGE
from shuangsuiji.core.tests.test_permission_matrix import _build_world
from shuangsuiji.directory.models import Item, ItemStatus
from shuangsuiji.draw.models import RecusalRequest, RecusalStatus, TargetDraw, VoidRequest, VoidRequestStatus
from shuangsuiji.followup.models import FollowUp, FollowUpState
from shuangsuiji.planning.models import AnnualPlan

from . import test_probe
from .test_crawl import DISPLAY_NAMES, page_problems

CROWD = 110  # more than a page (PER_PAGE) and more than the 100 rows a page may show


def _clone(obj, **changes):
    """A copy of a saved row with some fields changed (not yet saved)."""
    copy = type(obj).objects.get(pk=obj.pk)
    copy.pk = copy.id = None
    for k, v in changes.items():
        setattr(copy, k, v)
    return copy


def _crowd(w, o) -> SimpleNamespace:
    """Past 100 rows in each list; returns what the lists' narrowed totals must be."""
    now = timezone.now()
    # 作废申请: the standing pending request of o.draw, and CROWD refused ones
    VoidRequest.objects.bulk_create(
        VoidRequest(
            draw=o.draw,
            reason="procedure",
            text=f"第{i}次申请",
            requested_at=now - dt.timedelta(days=i + 1),
            requested_by=w.a_admin,
            status=VoidRequestStatus.REFUSED,
            decided_at=now,
            decided_by=w.office,
            decision_note="不属于作废情形",
        )
        for i in range(CROWD)
    )
    # 回避申请: the standing pending one, and CROWD decided
    RecusalRequest.objects.bulk_create(
        RecusalRequest(
            member=o.recusal.member,
            reason=f"第{i}条理由",
            requested_at=now - dt.timedelta(days=i + 1),
            status=RecusalStatus.REJECTED,
            decided_by=w.a_reviewer,
            decided_at=now,
        )
        for i in range(CROWD)
    )
    # 移送收件箱 of B: CROWD problems A transferred, a tenth still to accept, a tenth closed
    items = Item.objects.bulk_create(
        Item(region=w.county, code=f"YSJC-{i:03d}", name=f"第{i}项移送事项", status=ItemStatus.PUBLISHED)
        for i in range(CROWD)
    )
    states = [FollowUpState.TRANSFER_PENDING] * 11 + [FollowUpState.CLOSED] * 11
    states += [FollowUpState.IN_PROGRESS] * (CROWD - len(states))
    FollowUp.objects.bulk_create(
        _clone(
            o.entry,
            item=item,
            transfer_to=w.dept_b,
            kind="transfer",
            state=state,
            closed_on=dt.date(2026, 6, 1) if state == FollowUpState.CLOSED else None,
        )
        for item, state in zip(items, states, strict=True)
    )
    # the portal: CROWD more draws of the published task, CROWD more published plans of A
    TargetDraw.objects.bulk_create(
        _clone(o.closed_draw, public_id=f"{o.closed_draw.public_id}-{i}", seq=100 + i) for i in range(CROWD)
    )
    AnnualPlan.objects.bulk_create(
        _clone(o.plan, year=2030 + i % 55, department=(w.dept_a, w.dept_b)[i // 55]) for i in range(CROWD)
    )
    # accounts of A, a tenth deactivated
    User.objects.bulk_create(
        User(username=f"pl_{i:03d}", display_name=f"批量账号{i}", department=w.dept_a, is_active=i % 10 != 0)
        for i in range(CROWD)
    )
    return SimpleNamespace(inbox_pending=11, inbox_closed=11)


@pytest.fixture(scope="module")
def standing(django_db_setup, django_db_blocker, tmp_path_factory):
    media = tmp_path_factory.mktemp("paged-media")

    def build():
        w = _build_world()
        for actor, name in DISPLAY_NAMES.items():  # as the crawl names them
            User.objects.filter(pk=getattr(w, actor).pk).update(display_name=name)
            getattr(w, actor).display_name = name
        o = test_probe._build(w)
        for user, name in ((o.account, "新同事"), (o.grant.requested_by, "安管员")):
            User.objects.filter(pk=user.pk).update(display_name=name)
        w.secadmin = core_services.user_create(
            actor=None,
            username="sec_pl",
            role=Role.SECADMIN,
            department=w.office_dept,
            password="Test@2026pw",
        )
        User.objects.filter(pk=w.secadmin.pk).update(display_name="安管员")
        w.secadmin.display_name = "安管员"
        return SimpleNamespace(w=w, o=o, n=_crowd(w, o), media=media)

    yield from module_standing(django_db_blocker, media, build)


def _get(user, url: str) -> str:
    c = Client()
    if user is not None:
        c.force_login(user)
    r = c.get(url)
    assert r.status_code == 200, (url, r.status_code)
    return r.content.decode()


def _total(html: str) -> int:
    totals = re.findall(r'data-total="(\d+)"', html)
    assert len(totals) == 1, totals
    return int(totals[0])


def _rows(html: str) -> int:
    """Rows of the list's table: the first table after its total."""
    body = re.search(r"<tbody>(.*?)</tbody>", html[html.index("data-total=") :], re.S).group(1)
    return body.count("<tr")


# (actor, list, a query that narrows it → the narrowed total (None: count it below), a query
# with a value the list does not know, the 待办 item that links to it)
LISTS = {
    "voids": ("office", "/draw/voids/", "status=pending", 1, "status=lost", "draw.voids_to_confirm"),
    "recusals": (
        "a_reviewer",
        "/draw/recusals/",
        "status=pending",
        1,
        "since=2026-13-01",
        "draw.recusals_to_decide",
    ),
    "inbox": ("b_admin", "/followup/inbox/", "state=transfer_pending", 11, "state=lost", "followup.inbox"),
    "public_draws": (None, "/public/draws/", "q=不存在的任务名称", 0, "year=abc", None),
    "public_plans": (None, "/public/plans/", "year=2031", 2, "year=abc", None),
    "org": ("sysadmin", "/org/", "q=批量账号10", 11, "role=lost", "core.locked_accounts"),
    "role_accounts": ("secadmin", "/roles/accounts/", "q=批量账号10", 11, "show=lost", None),
}


@pytest.mark.parametrize("name", LISTS)
def test_a_crowded_list_is_paged_filtered_and_says_what_it_ignores(standing, db, settings, name):
    settings.MEDIA_ROOT = standing.media
    actor, url, narrow, narrowed, bad, _ = LISTS[name]
    user = getattr(standing.w, actor) if actor else None

    html = _get(user, url)
    total = _total(html)
    assert total >= CROWD, (name, total)
    assert f"共 {total:,} " in html and "下一页" in html and "第 1 / " in html
    assert _rows(html) == PER_PAGE and page_problems(html) == {"latin": [], "labels": [], "long_lists": []}
    last = _get(user, f"{url}?page={-(-total // PER_PAGE)}")
    assert _rows(last) == total - PER_PAGE * (-(-total // PER_PAGE) - 1) and "上一页" in last

    assert _total(_get(user, f"{url}?{narrow}")) == narrowed, name
    refused = _get(user, f"{url}?{bad}")
    assert "未按此项筛选" in refused and _total(refused) == total, name


def test_each_filter_narrows_as_labelled(standing, db, settings):
    settings.MEDIA_ROOT = standing.media
    w, o = standing.w, standing.o
    # 作废申请 by lead department and by the day asked
    assert _total(_get(w.office, f"/draw/voids/?lead={w.dept_a.pk}")) == CROWD + 1
    day = timezone.localdate() - dt.timedelta(days=3)
    assert _total(_get(w.office, f"/draw/voids/?since={day}&until={day}")) == 1
    assert "结束日期早于开始日期" in _get(w.office, "/draw/voids/?since=2026-02-01&until=2026-01-01")
    # 回避申请 by the inspector's name
    name = o.recusal.member.inspector.name
    assert _total(_get(w.a_reviewer, f"/draw/recusals/?q={name}")) == CROWD + 1
    assert _total(_get(w.a_reviewer, "/draw/recusals/?q=查无此人")) == 0
    # 移送收件箱 by state and sender
    assert _total(_get(w.b_admin, "/followup/inbox/?state=closed")) == standing.n.inbox_closed
    assert _total(_get(w.b_admin, f"/followup/inbox/?sender={w.dept_a.pk}")) == CROWD
    # the portal's draws by status, plans by department; accounts by role and department
    drawn = TargetDraw.objects.filter(pk=o.closed_draw.pk).values_list("status", flat=True).get()
    assert _total(_get(None, f"/public/draws/?status={drawn}")) >= CROWD + 1
    assert _total(_get(None, f"/public/plans/?department={w.dept_b.pk}")) == CROWD // 2
    assert (
        _total(_get(w.sysadmin, "/org/?show=inactive&q=批量账号")) == CROWD // 10
    )  # every tenth deactivated
    admins = User.objects.filter(department=w.dept_a, role=Role.DEPT_ADMIN).count()
    assert _total(_get(w.sysadmin, f"/org/?role={Role.DEPT_ADMIN}&department={w.dept_a.pk}")) == admins


def test_the_todo_counts_are_the_totals_of_the_lists_they_open(standing, db, settings):
    settings.MEDIA_ROOT = standing.media
    today = timezone.localdate()
    for actor, _url, _n, _nn, _b, key in LISTS.values():
        if key is None:
            continue
        user = getattr(standing.w, actor)
        item = todo.items()[key]
        shown = todo.evaluate(item, user, today)
        assert _total(_get(user, shown.url)) == shown.count, key


def test_the_portal_home_counts_link_to_the_lists(standing, db, settings):
    settings.MEDIA_ROOT = standing.media
    html = _get(None, "/public/")
    draws = _total(_get(None, "/public/draws/"))
    plans = _total(_get(None, "/public/plans/"))
    assert re.search(rf'<a href="/public/draws/">共 {draws:,} 次随机抽取</a>', html)
    assert re.search(rf'<a href="/public/plans/">共 {plans:,} 份已公示的年度计划</a>', html)
    assert not page_problems(html)["long_lists"]
