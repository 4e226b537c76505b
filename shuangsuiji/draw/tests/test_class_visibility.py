"""The credit-risk class is shown only to the keeper, the office and the auditor (issue 14): a
partner department of a joint task sees no stratum beside a drawn firm on any page it can open,
and an inspector is asked for a check-in reason without being told the firm's class."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from shuangsuiji.draw import services
from shuangsuiji.draw.models import TeamMember
from shuangsuiji.inspection.models import CheckIn
from shuangsuiji.planning.models import Task

from .conftest import full_draw


def _joint_draw_with_an_a_class_firm(w):
    """The joint task (lead A, the keeper; partner B) drawn and its teams matched; one drawn firm
    of class A whose B team has a member signed in as b_inspector."""
    draw = full_draw(w, w.joint)
    services.teams_draw(actor=w.a_admin, draw=draw)
    selection = next(s for s in draw.selections.select_related("target") if s.target.risk_class == "A")
    member = TeamMember.objects.filter(selection=selection, department=w.dept_b).first()
    inspector = member.inspector
    inspector.user = w.b_inspector
    inspector.save(update_fields=["user"])
    return draw, selection


def _pages(draw, selection):
    return {
        "draw": reverse("draw:detail", args=[draw.public_id]),
        "task": reverse("planning:task_detail", args=[draw.task_id]),
        "work": reverse("inspection:work"),
        "target": reverse("inspection:target", args=[selection.pk]),
        "notice": reverse("inspection:notice", args=[selection.pk]),
    }


def _row_of(page: str, name: str) -> str:
    """The table rows naming the firm, or the page's main part if it names it outside a table
    (the navigation's own labels, such as 风险预警名单, say nothing of a firm)."""
    page = page.split("<main", 1)[-1]
    rows = [r for r in re.split(r"<tr[ >]", page) if name in r]
    if "<tr" not in page:
        return page if name in page else ""
    return "".join(rows)


@pytest.mark.django_db
def test_a_partner_departments_pages_show_no_stratum_or_class_of_a_drawn_firm(client_for, ready):
    w = ready
    draw, selection = _joint_draw_with_an_a_class_firm(w)
    labels = [s["label"] for s in draw.strata]
    opened = 0
    for user in (w.b_admin, w.b_inspector):
        c = client_for(user)
        for name, url in _pages(draw, selection).items():
            r = c.get(url)
            if r.status_code != 200:
                continue
            opened += 1
            page = r.content.decode()
            # (the task page names the ratios per class of the published plan: the task's, no firm's)
            assert not re.search(r"<td>[ABCD]类</td>|<td>未分类</td>|<th>风险分类</th>|低风险|A类（", page), (
                user,
                name,
            )
            row = _row_of(page, selection.target.name)
            assert not any(label in row for label in labels), (user, name)
            assert not re.search(r"[ABCD]\s*类|风险", row), (user, name)
        # the draw page lists the drawn firms by key, not stratum by stratum
        page = c.get(_pages(draw, selection)["draw"]).content.decode()
        keys = [k for k in re.findall(r'<div class="help">([0-9A-Z]{18})</div>', page)]
        assert keys == sorted(keys) and len(keys) == draw.selections.count()
    assert opened >= 7  # both open the draw, task, work and target pages; the admin the notice too
    # the check-in form is offered inside the task's window only (issue 18): move it around today
    today = timezone.localdate()
    Task.objects.filter(pk=w.joint.pk).update(
        window_start=today - dt.timedelta(days=10), window_end=today + dt.timedelta(days=10)
    )
    page = client_for(w.b_inspector).get(_pages(draw, selection)["target"]).content.decode()
    assert 'name="reason" required' in page and "本次入企须填写" in page  # the rule stays, unworded


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["a_admin", "office"])
def test_the_keeper_and_the_office_still_see_the_strata(client_for, ready, who):
    """(The auditor reads them in the internal record: test_views.test_auditor_downloads_pool_and_record.)"""
    w = ready
    draw, selection = _joint_draw_with_an_a_class_firm(w)
    user = getattr(w, who)
    url = reverse("draw:detail", args=[draw.public_id])
    page = client_for(user).get(url).content.decode()
    a_label = next(s["label"] for s in draw.strata if s["risk_class"] == "A")
    assert f'<td><span data-code="分层标识">{a_label}</span></td><td>A类</td>' in page
    assert a_label in _row_of(page, selection.target.name)


@pytest.mark.django_db
def test_the_keeper_sees_no_strata_of_a_draw_by_the_lead_departments_own_classes(client_for, ready):
    """A draw stratified by the lead department's own classes: a partner that keeps the targets
    (here A) would learn the lead's own classes from its strata, so only the office (and the
    auditor) see them — and the lead, were it to keep every drawn target."""
    w = ready
    draw, selection = _joint_draw_with_an_a_class_firm(w)
    type(draw).objects.filter(pk=draw.pk).update(own_classes=True)
    url = reverse("draw:detail", args=[draw.public_id])
    a_label = next(s["label"] for s in draw.strata if s["risk_class"] == "A")
    assert (
        f'<td><span data-code="分层标识">{a_label}</span></td><td>A类</td>'
        in client_for(w.office).get(url).content.decode()
    )
    # A leads here and keeps every drawn firm: its own classes and the keeper's are both its own
    assert (
        f'<td><span data-code="分层标识">{a_label}</span></td><td>A类</td>'
        in client_for(w.a_admin).get(url).content.decode()
    )
    b_page = client_for(w.b_admin).get(url).content.decode()
    assert "A类</td>" not in b_page and a_label not in _row_of(b_page, selection.target.name)


@pytest.mark.django_db
def test_the_keeper_sees_no_strata_when_a_drawn_target_is_kept_by_another_department(client_for, ready):
    """A 自然人 kept by B is among the drawn: a label's class would tell A (the keeper of the
    market subjects) B's class of that person, so A sees no strata either."""
    from shuangsuiji.directory.models import Target, TargetSupervision

    w = ready
    person = Target.objects.create(
        kind="person",
        nonmarket_key="digest-of-a-person",
        name="张某某",
        region=w.county,
        keeper_department=w.dept_b,
        risk_class="D",
    )
    TargetSupervision.objects.create(target=person, department=w.dept_b)
    w.joint.ratios = {"A": "0.1", "B": "0.1", "C": "0.2", "D": "1"}
    w.joint.save(update_fields=["ratios"])
    draw = full_draw(w, w.joint)
    assert draw.selections.filter(target=person).exists()
    page = client_for(w.a_admin).get(reverse("draw:detail", args=[draw.public_id])).content.decode()
    assert "风险分类" not in page and "D类" not in page
    assert "D类" in client_for(w.office).get(reverse("draw:detail", args=[draw.public_id])).content.decode()


@pytest.mark.django_db
def test_the_check_in_reason_is_asked_without_naming_the_class(ready):
    from django.utils import timezone

    from shuangsuiji.core.errors import DomainError
    from shuangsuiji.inspection import services as inspection

    w = ready
    draw, selection = _joint_draw_with_an_a_class_firm(w)
    when = timezone.make_aware(timezone.datetime(2026, 4, 1, 10))
    with pytest.raises(DomainError) as e:
        inspection.checkin(actor=w.b_inspector, selection=selection, now=when)
    assert e.value.message == "本次入企须填写入企理由"
    inspection.checkin(actor=w.b_inspector, selection=selection, now=when, reason="群众举报")
    assert CheckIn.objects.get(selection=selection).reason == "群众举报"
