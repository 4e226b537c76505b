"""Fixtures of the watch list (imported by its test modules: the careless-inspection tests keep
this package's conftest): the triggers app's county (department A and B, 60 targets of all
four classes), and a target of A's with a hand-made history — a complaint, a triggered task
inspected and published with 不配合检查情节严重, its ledger entry overdue, its registration
revoked last month."""

import datetime as dt

import pytest
from django.utils import timezone

from shuangsuiji.directory.models import Inspector, Target
from shuangsuiji.draw import services as draws
from shuangsuiji.followup.models import FollowUp
from shuangsuiji.inspection import services as insp
from shuangsuiji.triggers.tests.conftest import approved, county, full_draw, ready  # noqa: F401

D = dt.date


def publish(w, draw, categories, problem=""):
    """The first target's team member (signed in as a_inspector) enters, finishes, submits; the
    reviewer publishes."""
    sel = draw.selections.order_by("order").first()
    m = sel.team.filter(active=True).order_by("pk").first()
    Inspector.objects.filter(user=w.a_inspector).update(user=None)
    Inspector.objects.filter(pk=m.inspector_id).update(user=w.a_inspector)
    w.a_inspector._state.fields_cache.pop("inspector", None)
    for item in draw.task.items.all():
        insp.result_save(
            actor=w.a_inspector,
            selection=sel,
            item=item,
            method="onsite",
            categories=categories,
            problem=problem,
        )
    insp.inspection_finish(actor=w.a_inspector, selection=sel, finished_on=D(2026, 12, 2))
    ins = insp.inspection_submit(actor=w.a_inspector, selection=sel)
    return insp.review_approve(actor=w.a_reviewer, inspection=ins)


@pytest.fixture
def watched(county):  # noqa: F811  (the imported fixture)
    """targets[1] (class B, supervised by A only): 1 trigger, 1 published inspection that found a
    problem and a refusal, its ledger entry open and overdue, revoked last month."""
    w = county
    t = w.targets[1]
    _, task, draw = approved(w, [t])
    draws.teams_draw(actor=w.a_admin, draw=draw)
    w.ins = publish(w, draw, ["uncooperative"], "拒绝提供进货查验记录，阻挠检查")
    # the test's own dates: the entry's deadline has passed, the registration was revoked
    today = timezone.localdate()
    FollowUp.objects.filter(target=t).update(due_on=today - dt.timedelta(days=3))
    Target.objects.filter(pk=t.pk).update(status="revoked", status_changed_on=today - dt.timedelta(days=30))
    w.watched = Target.objects.get(pk=t.pk)
    return w


__all__ = ["D", "approved", "full_draw", "publish"]
