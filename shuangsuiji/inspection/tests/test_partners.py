"""A joint task's departments and each other's results (issue 14, findings 3 and 4).

- A department's result is its working paper until it publishes it: another department's admin,
  reviewer and inspector get 404 for it while it is being entered, in 待复核, returned or reopened
  for a correction, and read it once published.
- The enterprise's rating code (评价码) is on the office's copy of the notice only: nobody of an
  inspecting department sees it, so no department can rate its own inspection."""

import datetime as dt

import pytest
from django.urls import reverse

from shuangsuiji.core.models import Role
from shuangsuiji.core.services import user_create
from shuangsuiji.draw import services as draws
from shuangsuiji.draw.tests.conftest import full_draw, ready  # noqa: F401  (fixture)
from shuangsuiji.inspection import selectors, services
from shuangsuiji.inspection.models import Inspection, InspectionStatus

pytestmark = pytest.mark.django_db

PROBLEM = "后厨未按规定公示食品安全信息"


@pytest.fixture
def j(ready):  # noqa: F811  (the imported fixture)
    """The 餐饮 joint task (A leads, B joins) drawn and teamed; on its first target a_inspector and
    b_inspector are their departments' members; A's result is entered and submitted (待复核)."""
    w = ready
    w.b_reviewer = user_create(
        actor=None, username="b_reviewer", password="Brev#2026pw", role=Role.REVIEWER, department=w.dept_b
    )
    w.draw = full_draw(w, w.joint)
    draws.teams_draw(actor=w.a_admin, draw=w.draw)
    w.sel = w.draw.selections.order_by("order").first()
    for user, dept in ((w.a_inspector, w.dept_a), (w.b_inspector, w.dept_b)):
        member = w.sel.team.filter(active=True, department=dept).order_by("pk").first()
        member.inspector.user = user
        member.inspector.save()
        user.refresh_from_db()
    for item in services._department_items(w.sel, w.dept_a):
        services.result_save(
            actor=w.a_inspector,
            selection=w.sel,
            item=item,
            method="onsite",
            categories=["not_disclosed"],
            problem=PROBLEM,
        )
    services.inspection_finish(
        actor=w.a_inspector, selection=w.sel, finished_on=dt.date(2026, 4, 15), summary="现场检查"
    )
    w.ins = services.inspection_submit(actor=w.a_inspector, selection=w.sel)
    assert w.ins.status == InspectionStatus.SUBMITTED
    return w


def _partners(w):
    return (w.b_admin, w.b_reviewer, w.b_inspector)


def _own(w):
    return (w.office, w.a_admin, w.a_reviewer, w.a_inspector)


def _record(client, ins):
    return client.get(reverse("inspection:record", args=[ins.pk]))


def test_a_partners_unreviewed_result_does_not_open(j, client_for):
    w = j
    for user in _partners(w):
        r = _record(client_for(user), w.ins)
        assert r.status_code == 404, user
        assert PROBLEM not in r.content.decode()
        assert not selectors.inspections_for(user).filter(pk=w.ins.pk).exists()
    for user in _own(w):
        r = _record(client_for(user), w.ins)
        assert r.status_code == 200 and PROBLEM in r.content.decode(), user


def test_published_it_opens_and_a_correction_closes_it_again(j, client_for):
    w = j
    services.review_approve(actor=w.a_reviewer, inspection=w.ins)
    for user in _partners(w):
        r = _record(client_for(user), w.ins)
        assert r.status_code == 200 and PROBLEM in r.content.decode(), user
    services.correction_open(actor=w.a_reviewer, inspection=w.ins, reason="问题描述需补充")
    assert Inspection.objects.get(pk=w.ins.pk).status == InspectionStatus.RETURNED
    for user in _partners(w):
        assert _record(client_for(user), w.ins).status_code == 404, user


def test_a_returned_result_stays_with_its_department(j, client_for):
    w = j
    services.review_return(actor=w.a_reviewer, inspection=w.ins, comment="请补充照片")
    for user in _partners(w):
        assert _record(client_for(user), w.ins).status_code == 404, user
    assert _record(client_for(w.a_admin), w.ins).status_code == 200


def test_partner_lists_show_only_their_own_part(j, client_for):
    """The lists a partner sees (progress, review queue, the target page) never hold A's part."""
    w = j
    progress = client_for(w.b_admin).get(reverse("inspection:work")).content.decode()
    assert reverse("inspection:record", args=[w.ins.pk]) not in progress
    queue = client_for(w.b_reviewer).get(reverse("inspection:review")).content.decode()
    assert PROBLEM not in queue and reverse("inspection:record", args=[w.ins.pk]) not in queue
    page = client_for(w.b_inspector).get(reverse("inspection:target", args=[w.sel.pk])).content.decode()
    assert PROBLEM not in page and reverse("inspection:record", args=[w.ins.pk]) not in page
    assert not selectors.review_queue(w.b_reviewer).exists()
    assert list(selectors.review_queue(w.a_reviewer)) == [w.ins]
    # A reviewer of the partner cannot act on A's result either: it is not there for them.
    r = client_for(w.b_reviewer).post(
        reverse("inspection:review"), {"inspection": w.ins.pk, "action": "approve"}
    )
    assert r.status_code == 404
    assert Inspection.objects.get(pk=w.ins.pk).status == InspectionStatus.SUBMITTED


def test_rating_code_is_on_the_offices_copy_only(j, client_for):
    """Finding 4: the inspecting departments' admin, reviewer and inspector print the notice
    without the 评价码; the office's copy (the one sent to the enterprise) carries it."""
    w = j
    url = reverse("inspection:notice", args=[w.sel.pk])
    for user in (w.a_admin, w.a_reviewer, w.a_inspector, w.b_admin, w.b_reviewer, w.b_inspector):
        r = client_for(user).get(url)
        assert r.status_code == 200, user
        html = r.content.decode()
        assert w.sel.rating_code not in html and "评价码：" not in html, user
        assert "评价码只印在双随机办公室发送给企业的通知书上" in html
    office = client_for(w.office).get(url).content.decode()
    assert f"评价码：{w.sel.rating_code}" in office
