"""The draw day as steps (issue 18): an announcement only after a confirmation that shows the
pool preview, one step active at a time as the services would answer, the drawn targets paged,
recusal requests on a page of their own."""

import datetime as dt
import re
from unittest import mock

import pytest
from django.urls import reverse
from django.utils import timezone

from shuangsuiji.draw import services, steps, views, witnesses
from shuangsuiji.draw.models import TargetDraw, TeamMember

from .conftest import announce, full_draw

TERMS = {"place": "三楼", "public_value_source": "福彩3D开奖号码"}


def _terms(minutes=2) -> dict:
    now = timezone.localtime()
    return TERMS | {
        "draw_at": (now - dt.timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M"),
        "public_value_at": (now + dt.timedelta(minutes=minutes)).strftime("%Y-%m-%dT%H:%M"),
    }


def _preview_numbers(page: str) -> dict[str, tuple[int, int]]:
    table = page[page.index('id="pool-preview"') : page.index("</table>", page.index('id="pool-preview"'))]
    rows = re.findall(
        r'<tr><td>([^<]+)</td><td class="num">([\d,]+)</td><td class="num">([\d,]+)</td></tr>', table
    )
    return {name: (int(size.replace(",", "")), int(quota.replace(",", ""))) for name, size, quota in rows}


@pytest.mark.django_db
def test_nothing_is_announced_without_the_confirmation(ready, client_for):
    w = ready
    c = client_for(w.a_admin)
    url = reverse("draw:announce", args=[w.task_a.pk])
    page = c.get(url).content.decode()
    assert "下一步：核对对象池" in page and "公告抽取（不可撤销）" not in page
    assert 'aria-current="step"' in page  # the steps, the first current
    # the terms alone: the confirmation page, nothing frozen
    r = c.post(url, _terms())
    assert r.status_code == 200 and not TargetDraw.objects.exists()
    r = c.post(url, _terms() | {"step": "confirm"})
    page = r.content.decode()
    assert "公告抽取（不可撤销）" in page and not TargetDraw.objects.exists()
    # the button without the box ticked: still nothing, and it says why, at the top
    r = c.post(url, _terms() | {"step": "announce"})
    page = r.content.decode()
    assert not TargetDraw.objects.exists()
    assert '<a href="#row-confirmed">' in page and "请勾选确认后再公告" in page
    assert 'id="pool-preview"' in page  # the preview stays in view
    # back to the terms with what was entered
    page = c.post(url, _terms() | {"step": "edit"}).content.decode()
    assert 'value="福彩3D开奖号码"' in page and not TargetDraw.objects.exists()
    # confirmed: announced
    r = c.post(url, _terms() | {"step": "announce", "confirmed": "on"})
    draw = TargetDraw.objects.get()
    assert r.status_code == 302 and r["Location"] == reverse("draw:detail", args=[draw.public_id])


@pytest.mark.django_db
def test_the_confirmation_shows_the_numbers_the_freeze_then_produces(ready, client_for):
    w = ready
    c = client_for(w.a_admin)
    url = reverse("draw:announce", args=[w.task_a.pk])
    shown = _preview_numbers(c.post(url, _terms() | {"step": "confirm"}).content.decode())
    assert shown == {
        "A类（低风险）": (14, 2),
        "B类（一般风险）": (14, 3),
        "C类（较高风险）": (14, 7),
        "D类（高风险）": (14, 14),
        "尚未分类（按B类比例抽取）": (4, 1),
    }
    c.post(url, _terms() | {"step": "announce", "confirmed": "on"})
    draw = TargetDraw.objects.get()
    names = {"A": "A类（低风险）", "B": "B类（一般风险）", "C": "C类（较高风险）", "D": "D类（高风险）"}
    frozen = {
        names.get(s["risk_class"], "尚未分类（按B类比例抽取）"): (s["size"], s["quota"]) for s in draw.strata
    }
    assert frozen == shown
    # the task's page showed the same before the announcement (for the one who announces)


@pytest.mark.django_db
def test_the_task_page_previews_the_pool_for_the_lead_only(ready, client_for):
    w = ready
    page = client_for(w.a_admin).get(reverse("planning:task_detail", args=[w.task_a.pk])).content.decode()
    assert 'id="task-pool-preview"' in page
    assert _preview_numbers(page)["D类（高风险）"] == (14, 14)
    assert '<th class="num" id="preview-quota">27</th>' in page
    page = client_for(w.b_admin).get(reverse("planning:task_detail", args=[w.joint.pk])).content.decode()
    assert 'id="task-pool-preview"' not in page  # B takes part; A announces


@pytest.mark.django_db
def test_a_refused_announcement_comes_back_to_the_terms_with_the_reason(ready, client_for):
    w = ready
    c = client_for(w.a_admin)
    url = reverse("draw:announce", args=[w.task_a.pk])
    past = _terms() | {"public_value_at": "2026-01-01T08:00"}
    page = c.post(url, past | {"step": "announce", "confirmed": "on"}).content.decode()
    assert not TargetDraw.objects.exists()
    assert '<a href="#row-public_value_at">公开随机值产生时间：公开随机值的产生时间须晚于公告时间' in page
    page = c.post(url, TERMS | {"step": "confirm"}).content.decode()  # no times at all
    assert '<a href="#row-draw_at">' in page and '<a href="#row-public_value_at">' in page


def _states(page: str) -> list[tuple[str, str]]:
    steps_html = page[page.index('<ol class="steps"') : page.index("</ol>")]
    return re.findall(r'<li class="(\w+)"[^>]*>([^<]+)<span', steps_html)


@pytest.mark.django_db
def test_one_step_at_a_time_as_the_services_answer(ready, client_for):
    w = ready
    # the public value comes in two minutes (within the session's idle limit)
    draw = announce(w, w.task_a, public_value_at=timezone.now() + dt.timedelta(minutes=2))
    c = client_for(w.a_admin)
    url = reverse("draw:detail", args=[draw.public_id])

    def page():
        return c.get(url).content.decode()

    p = page()
    assert _states(p) == [
        ("done", "公告抽取"),
        ("current", "见证人登记并承诺"),
        ("waiting", "见证人揭示"),
        ("waiting", "录入公开随机值并抽取对象"),
        ("waiting", "匹配检查人员"),
    ]
    assert 'id="invite-form"' in p and 'id="run-form"' not in p and 'value="teams"' not in p
    tokens = []
    for i, n in enumerate(("271828", "314159"), 1):
        _, token = witnesses.witness_invite(
            actor=w.a_admin, draw=draw, label=f"见证人{i}", description="见证"
        )
        witnesses.witness_commit(token=token, number=n)
        tokens.append((token, n))
    p = page()
    assert [s for s, _ in _states(p)] == ["done", "done", "current", "waiting", "waiting"]
    assert 'id="invite-form"' not in p and 'id="run-form"' not in p
    for token, n in tokens:
        witnesses.witness_reveal(token=token, number=n)
    # every witness revealed, the public value not yet known: the draw's form, its button disabled
    p = page()
    assert [s for s, _ in _states(p)] == ["done", "done", "done", "current", "waiting"]
    assert 'id="run-form"' in p and "公开随机值尚未产生" in p
    assert re.search(r"<button disabled>抽取对象</button>", p)
    later = draw.public_value_at + dt.timedelta(minutes=1)
    with mock.patch.object(timezone, "now", lambda: later):
        p = page()
        assert re.search(r"<button>抽取对象</button>", p) and 'id="step-blocked"' not in p
        c.post(url, {"action": "run", "public_value": "123"})
    p = page()
    assert [s for s, _ in _states(p)] == ["done", "done", "done", "done", "current"]
    assert 'value="teams"' in p and 'id="run-form"' not in p
    c.post(url, {"action": "teams"})
    assert [s for s, _ in _states(page())] == ["done"] * 5
    # a department taking part sees the steps, and no action
    b = (
        client_for(w.b_admin)
        .get(reverse("draw:detail", args=[announce(w, w.joint).public_id]))
        .content.decode()
    )
    assert 'aria-current="step"' in b and 'id="current-step"' not in b


def test_the_steps_of_an_aborted_draw_stop():
    draw = TargetDraw(status="aborted", announced_at=timezone.now(), draw_at=timezone.now())
    got = steps.draw_steps(draw)
    assert [s.state for s in got] == ["done", "stopped", "stopped", "stopped", "stopped"]
    assert steps.current(got) is None


@pytest.mark.django_db
def test_the_drawn_targets_are_paged_and_carry_no_recusal_forms(ready, client_for, monkeypatch):
    w = ready
    draw = full_draw(w, w.task_a)  # 27 targets
    services.teams_draw(actor=w.a_admin, draw=draw)
    monkeypatch.setattr(views, "PAGE_ROWS", 10)
    c = client_for(w.a_admin)
    url = reverse("draw:detail", args=[draw.public_id])
    first = c.get(url).content.decode()
    table = first.split('id="selections"')[1]
    assert "抽中对象（27）</h2>" in first
    assert table.count("<tr>") == 1 + 10 and "第 1 / 3 页" in table
    assert "<details><summary>登记回避申请" not in first and 'name="reason"' not in table
    last = c.get(url, {"page": 3}).content.decode().split('id="selections"')[1]
    assert last.count("<tr>") == 1 + 7


@pytest.mark.django_db
def test_recusal_page_finds_the_target_and_records_for_the_own_department(ready, client_for):
    w = ready
    draw = full_draw(w, w.joint)
    services.teams_draw(actor=w.a_admin, draw=draw)
    url = reverse("draw:recusal_new", args=[draw.public_id])
    sel = draw.selections.select_related("target").first()
    a = client_for(w.a_admin)
    page = a.get(url, {"q": sel.target.name}).content.decode()
    assert "共 1 个" in page and f"?s={sel.pk}" in page
    assert "没有名称或代码含“不存在的名字”的抽中对象" in a.get(url, {"q": "不存在的名字"}).content.decode()
    page = a.get(url, {"s": sel.pk}).content.decode()
    mine = TeamMember.objects.filter(selection=sel, department=w.dept_a)
    theirs = TeamMember.objects.filter(selection=sel, department=w.dept_b)
    assert all(f'value="{m.pk}"' in page for m in mine)
    assert not any(f'value="{m.pk}"' in page for m in theirs)  # B records its own members' recusals
    # a missing reason records nothing and says so
    r = a.post(url, {"member": mine[0].pk, "reason": ""}, follow=True)
    assert "请填写企业申请回避的理由" in r.content.decode() and not mine[0].recusals.exists()
    r = a.post(url, {"member": mine[0].pk, "reason": "曾在该企业任职"}, follow=True)
    assert f"已登记 {sel.target.name} 对 {mine[0].inspector.name} 的回避申请" in r.content.decode()
    assert mine[0].recusals.get().reason == "曾在该企业任职"
    # the office has no part in recording it; B's admin may not record A's member
    assert client_for(w.office).get(url).status_code == 403
    assert client_for(w.b_admin).post(url, {"member": mine[1].pk, "reason": "亲属"}).status_code == 403


@pytest.mark.django_db
def test_a_task_announced_already_is_refused_before_the_confirmation(ready, client_for):
    w = ready
    announce(w, w.task_a)
    c = client_for(w.a_admin)
    page = c.post(
        reverse("draw:announce", args=[w.task_a.pk]), _terms() | {"step": "confirm"}
    ).content.decode()
    assert "任务当前状态为“已公告抽取”，不能公告抽取" in page and "公告抽取（不可撤销）" not in page
    assert TargetDraw.objects.count() == 1
