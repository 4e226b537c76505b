"""Fixtures: department A's task drawn and teamed (the draw app's `ready`), and a helper that
publishes one target's inspection through the inspection services, with or without a problem."""

import datetime as dt
import itertools

import pytest

from shuangsuiji.core import services as core
from shuangsuiji.core.models import Role
from shuangsuiji.draw import services as draws
from shuangsuiji.draw.tests.conftest import full_draw, ready  # noqa: F401  (fixture)
from shuangsuiji.inspection import services as insp
from shuangsuiji.inspection.models import Inspection

D = dt.date
FOUND = D(2026, 4, 30)
_users = itertools.count(1)


def member_user(sel, dept):
    """The account of the first active team member of `dept` for this target (created if needed)."""
    m = sel.team.filter(active=True, department=dept).select_related("inspector").first()
    if m.inspector.user_id is None:
        m.inspector.user = core.user_create(
            actor=None,
            username=f"insp{next(_users)}",
            # unlike any "inspN" (the similarity check refused "insp20" once a session made 20)
            password="Vx#8142-qa",
            role=Role.INSPECTOR,
            department=dept,
        )
        m.inspector.save()
    return m.inspector.user


def publish(w, sel, *, problem: bool, finished_on=FOUND) -> Inspection:
    """Department A enters, finishes, submits and its reviewer approves (publishes)."""
    user = member_user(sel, w.dept_a)
    for item in (w.items["A-1"], w.items["A-2"]):
        if problem and item == w.items["A-1"]:
            insp.result_save(
                actor=user,
                selection=sel,
                item=item,
                method="onsite",
                categories=["not_disclosed"],
                problem="未按规定公示年度报告",
            )
        else:
            insp.result_save(actor=user, selection=sel, item=item, method="onsite", categories=["none_found"])
    insp.inspection_finish(actor=user, selection=sel, finished_on=finished_on)
    ins = insp.inspection_submit(actor=user, selection=sel)
    return insp.review_approve(actor=w.a_reviewer, inspection=ins)


@pytest.fixture
def drawn(ready):  # noqa: F811  (the imported fixture)
    w = ready
    w.draw = full_draw(w, w.task_a)
    draws.teams_draw(actor=w.a_admin, draw=w.draw)
    w.sels = list(w.draw.selections.exclude(target__risk_class="A").order_by("order"))
    return w


@pytest.fixture
def problem(drawn):
    """One published inspection of department A with a problem on item A-1; a_inspector is the
    account of that team member (so it may verify corrections)."""
    w = drawn
    sel = w.sels[0]
    m = sel.team.filter(active=True, department=w.dept_a).select_related("inspector").first()
    m.inspector.user = w.a_inspector
    m.inspector.save()
    w.ins = publish(w, sel, problem=True)
    w.fu = w.ins.followups.get()
    return w
