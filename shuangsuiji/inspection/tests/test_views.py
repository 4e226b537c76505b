"""The inspection pages over HTTP (Django's test client): the inspector's list and target page with
its POST actions, the printable notice and record, the reviewer's queue, the progress list, and
the public page the notice's QR code opens (validity, check-in button, rating).

Dates are never waited for: a test that needs today inside (or outside) the task's window moves
the window around today."""

import datetime as dt
import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from conftest import PASSWORD, make_ric
from shuangsuiji.core.models import Role
from shuangsuiji.core.services import user_create
from shuangsuiji.draw import services as draws
from shuangsuiji.draw.models import Selection
from shuangsuiji.draw.tests.conftest import full_draw, ready  # noqa: F401  (fixture)
from shuangsuiji.inspection import services
from shuangsuiji.inspection.models import (
    Attachment,
    CheckIn,
    Inspection,
    InspectionStatus,
    ItemResult,
    PublishedResult,
    Rating,
)
from shuangsuiji.planning.models import Task

pytestmark = pytest.mark.django_db

DAY = dt.timedelta(days=1)


def _today():
    return timezone.localdate()


def _window(task, start: dt.date, end: dt.date) -> None:
    Task.objects.filter(pk=task.pk).update(window_start=start, window_end=end)
    task.refresh_from_db()


@pytest.fixture
def w(ready):  # noqa: F811  (the imported fixture)
    """Task A drawn and teamed, its window moved to hold today (120 days back, 30 ahead);
    a_inspector is the first member of the first non-A target's team."""
    w = ready
    w.draw = full_draw(w, w.task_a)
    draws.teams_draw(actor=w.a_admin, draw=w.draw)
    _window(w.task_a, _today() - 120 * DAY, _today() + 30 * DAY)
    first = w.draw.selections.exclude(target__risk_class="A").order_by("order").first()
    w.sel = Selection.objects.get(pk=first.pk)  # not through w.draw: its task is the one cached before
    w.member = w.sel.team.filter(active=True).order_by("id").first()
    w.member.inspector.user = w.a_inspector
    w.member.inspector.save()
    w.a_inspector.refresh_from_db()
    w.a1, w.a2 = w.items["A-1"], w.items["A-2"]
    return w


def _follow(client, url, data=None):
    r = client.post(url, data or {}, follow=True)
    assert r.status_code == 200, r.status_code
    return r.content.decode()


def _jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8)).save(out, "JPEG")
    return out.getvalue()


def _messages(html: str) -> str:
    """Every message on the page: the target page shows each beside the part it concerns."""
    return "".join(re.findall(r'<ul class="messages">(.*?)</ul>', html, re.S))


def _target_url(sel):
    return reverse("inspection:target", args=[sel.pk])


def _result_data(item, method="onsite", categories=("none_found",), problem=""):
    return {
        "action": "results",
        f"i{item.pk}-method": method,
        f"i{item.pk}-categories": list(categories),
        f"i{item.pk}-problem": problem,
    }


SUBMIT = {"action": "submit", "submit-confirm": "1"}  # the confirm step's button


def _entered_and_submitted(w, actor=None):
    actor = actor or w.a_inspector
    services.result_save(
        actor=actor,
        selection=w.sel,
        item=w.a1,
        method="onsite",
        categories=["not_disclosed"],
        problem="未按规定公示年度报告",
    )
    services.result_save(actor=actor, selection=w.sel, item=w.a2, method="onsite", categories=["none_found"])
    services.inspection_finish(actor=actor, selection=w.sel, finished_on=_today())
    return services.inspection_submit(actor=actor, selection=w.sel)


# ---- the inspector's list ------------------------------------------------------------------------


def test_inspector_list_shows_only_own_assignments(w, client_for):
    mine = set(
        Selection.objects.filter(
            team__inspector=w.member.inspector, team__active=True, draw=w.draw
        ).values_list("target__name", flat=True)
    )
    others = set(w.draw.selections.values_list("target__name", flat=True)) - mine
    assert mine and others
    html = client_for(w.a_inspector).get(reverse("inspection:work")).content.decode()
    assert "我的检查" in html
    for name in mine:
        assert name in html
    shown_others = [n for n in others if n in html]
    assert not shown_others, f"检查人员的列表出现了不属于本人的检查对象：{shown_others}"
    assert f'href="{_target_url(w.sel)}"' in html

    # An inspector account not linked to anyone on a team sees nothing.
    html = client_for(w.b_inspector).get(reverse("inspection:work")).content.decode()
    assert "暂无检查对象" in html
    assert not [n for n in mine | others if n in html]


def test_inspector_cannot_open_a_target_outside_their_teams(w, client_for):
    other = w.draw.selections.exclude(team__inspector=w.member.inspector).first()
    c = client_for(w.a_inspector)
    assert c.get(_target_url(other)).status_code == 404
    assert c.post(_target_url(other), {"action": "checkin"}).status_code == 404
    assert c.get(reverse("inspection:notice", args=[other.pk])).status_code == 404
    assert not CheckIn.objects.exists()


# ---- the target page's actions --------------------------------------------------------------------


def test_target_page_actions_check_in_enter_finish_submit(w, client_for, settings):
    c = client_for(w.a_inspector)
    url = _target_url(w.sel)
    html = c.get(url).content.decode()
    assert w.sel.target.name in html and "扫码入企签到" in html and "尚未签到" in html
    assert w.member.inspector.certificate_no in html

    # Check-in, once a day.
    html = _follow(c, url, {"action": "checkin"})
    assert "已签到（扫码入企）" in _messages(html)
    assert CheckIn.objects.filter(selection=w.sel, inspector=w.member.inspector).count() == 1
    assert "尚未签到" not in html
    html = _follow(c, url, {"action": "checkin"})
    assert "您今天已在该企业签到，无需重复签到" in _messages(html)
    assert CheckIn.objects.count() == 1

    # Results: a problem needs a description; one item with a problem, one without.
    html = _follow(c, url, _result_data(w.a1, categories=["not_disclosed"]))
    assert "发现问题时请填写问题描述" in _messages(html)
    assert not ItemResult.objects.exists()
    html = _follow(c, url, _result_data(w.a1, categories=["none_found", "not_disclosed"], problem="x"))
    assert "不能与发现问题的结果同时选择" in _messages(html)
    html = _follow(c, url, _result_data(w.a1, categories=[]))
    assert _messages(html) and not ItemResult.objects.exists()
    html = _follow(c, url, _result_data(w.a1, categories=["not_disclosed"], problem="未按规定公示年度报告"))
    assert f"已保存：{w.a1.name}" in _messages(html)
    html = _follow(c, url, _result_data(w.a2))
    assert f"已保存：{w.a2.name}" in _messages(html)
    r1, r2 = (ItemResult.objects.get(item=i) for i in (w.a1, w.a2))
    assert r1.found_problem and r1.problem == "未按规定公示年度报告"
    assert not r2.found_problem and [c.code for c in r2.categories.all()] == ["none_found"]
    assert r1.inspection.entered_by == w.a_inspector
    assert html.count("已录入") == 2

    # Another department's item is not on the page: its fields are ignored (the service refuses it
    # too, test_services), and a save with nothing changed says so.
    html = _follow(c, url, _result_data(w.items["B-1"]))
    assert "没有修改，无需保存" in _messages(html)
    assert not ItemResult.objects.filter(item=w.items["B-1"]).exists()

    # Attachments: only photos and PDFs, checked by content too.
    html = _follow(c, url, {"action": "attach", "file": SimpleUploadedFile("病毒.exe", b"MZ\x90\x00")})
    assert "附件只能是照片（.jpg、.png）或 PDF 文件" in _messages(html)
    html = _follow(c, url, {"action": "attach", "file": SimpleUploadedFile("假照片.jpg", b"GIF89a....")})
    assert "附件“假照片.jpg”无法作为照片（JPEG）打开" in _messages(html)
    html = _follow(c, url, {"action": "attach"})
    assert "请选择文件" in _messages(html)
    assert not Attachment.objects.exists()
    html = _follow(c, url, {"action": "attach", "file": SimpleUploadedFile("现场.jpg", _jpeg())})
    assert "附件已上传" in _messages(html) and "现场.jpg" in html
    assert Attachment.objects.get().uploaded_by == w.a_inspector

    # Submitting before finishing is refused; finishing in the future too.
    html = _follow(c, url, SUBMIT)
    assert "请先填写检查完毕日期" in _messages(html)
    html = _follow(c, url, {"action": "finish", "finished_on": (_today() + DAY).isoformat()})
    assert "检查完毕日期不能晚于今天" in _messages(html)
    html = _follow(c, url, {"action": "finish", "finished_on": "明天"})
    assert "请填写检查完毕日期" in _messages(html)
    html = _follow(c, url, {"action": "finish", "finished_on": _today().isoformat(), "summary": "现场检查"})
    assert "已记录检查完毕；结果请于" in _messages(html)
    ins = Inspection.objects.get(selection=w.sel, department=w.dept_a)
    assert ins.status == InspectionStatus.FINISHED and ins.finished_on == _today() and ins.due_on
    assert ins.due_on.strftime("%Y-%m-%d") in _messages(html)

    html = _follow(c, url, SUBMIT)
    assert "已提交复核" in _messages(html)
    ins.refresh_from_db()
    assert ins.status == InspectionStatus.SUBMITTED and ins.submitted_at
    assert "已提交待复核" in html
    assert 'value="submit"' not in html  # the forms are gone once submitted

    # Submitted: no more changes from the page.
    html = _follow(c, url, _result_data(w.a2, categories=["corrected"], problem="改"))
    assert "不能修改" in _messages(html)
    assert ItemResult.objects.get(item=w.a2).problem == ""

    # An unknown action is refused outright.
    assert c.post(url, {"action": "delete"}).status_code == 403


def test_result_without_a_category_names_the_field(w, client_for):
    """One save holds every item: an item entered before and now left without a result is
    refused naming the item and the field, and nothing of the save is kept."""
    c = client_for(w.a_inspector)
    _follow(c, _target_url(w.sel), _result_data(w.a1))
    data = {**_result_data(w.a1, categories=[]), **_result_data(w.a2)}
    html = _follow(c, _target_url(w.sel), data)
    assert f"“{w.a1.name}”未保存：请选择检查结果" in _messages(html)
    assert [r.item for r in ItemResult.objects.all()] == [w.a1]  # a2 not saved either


def test_low_risk_target_checkin_needs_a_reason(w, client_for):
    a_sel = w.draw.selections.filter(target__risk_class="A").first()
    member = a_sel.team.filter(active=True).first()
    inspector = member.inspector
    inspector.user = user_create(
        actor=None, username="insp_a", password=PASSWORD, role=Role.INSPECTOR, department=w.dept_a
    )
    inspector.save()
    c = client_for(inspector.user)
    url = _target_url(a_sel)
    html = c.get(url).content.decode()
    assert 'name="reason" required' in html
    html = _follow(c, url, {"action": "checkin"})
    assert "本次入企须填写入企理由" in _messages(html) and not CheckIn.objects.exists()
    html = _follow(c, url, {"action": "checkin", "reason": "群众投诉举报"})
    assert "已签到" in _messages(html)
    assert CheckIn.objects.get().reason == "群众投诉举报"


def test_checkin_outside_the_window_is_refused_with_the_window(w, client_for):
    _window(w.task_a, _today() - 40 * DAY, _today() - 10 * DAY)
    html = _follow(client_for(w.a_inspector), _target_url(w.sel), {"action": "checkin"})
    assert "不在任务检查时间内" in _messages(html)
    assert w.task_a.window_end.strftime("%Y-%m-%d") in _messages(html)
    assert not CheckIn.objects.exists()


@pytest.mark.parametrize("who", ["a_admin", "a_reviewer", "office"])
def test_post_actions_refused_for_a_non_member(w, client_for, who):
    """Staff who may see the target (its department's admin and reviewer, the office) but are not
    on its team get 403 for every action, and nothing is recorded."""
    c = client_for(getattr(w, who))
    url = _target_url(w.sel)
    assert c.get(url).status_code == 200
    posts = [
        {"action": "checkin"},
        _result_data(w.a1),
        {"action": "finish", "finished_on": _today().isoformat()},
        SUBMIT,
        {"action": "attach", "file": SimpleUploadedFile("现场.jpg", _jpeg())},
    ]
    for data in posts:
        assert c.post(url, data).status_code == 403, data["action"]
    assert not CheckIn.objects.exists()
    assert not ItemResult.objects.exists()
    assert not Attachment.objects.exists()
    assert not Inspection.objects.exclude(status=InspectionStatus.OPEN).exists()


def test_anonymous_is_sent_to_sign_in(w):
    r = Client().post(_target_url(w.sel), {"action": "checkin"})
    assert r.status_code == 302 and r["Location"].startswith("/login/")
    assert not CheckIn.objects.exists()


def test_public_checkin_button_refuses_a_non_member_inspector(w, client_for):
    stranger = w.draw.selections.exclude(team__inspector=w.member.inspector).first()
    c = client_for(w.a_inspector)
    r = c.post(reverse("inspection:checkin", args=[stranger.token]), follow=True)
    # A refusal of permission: 403, or back on the page with the reason; never recorded.
    assert r.status_code == 403 or "您不在该检查对象的检查组中" in _messages(r.content.decode())
    assert not CheckIn.objects.exists()
    # The page itself offers the button only to the team.
    html = c.get(reverse("publicity:selection", args=[stranger.token])).content.decode()
    assert "检查人员签到" not in html
    html = c.get(reverse("publicity:selection", args=[w.sel.token])).content.decode()
    assert "检查人员签到" in html
    # Non-inspector roles may not use it at all.
    assert client_for(w.a_reviewer).post(reverse("inspection:checkin", args=[w.sel.token])).status_code == 403


def test_public_checkin_button_records_the_checkin(w, client_for):
    c = client_for(w.a_inspector)
    r = c.post(reverse("inspection:checkin", args=[w.sel.token]), follow=True)
    assert r.redirect_chain[-1][0] == reverse("publicity:selection", args=[w.sel.token])
    assert "已签到（扫码入企）" in _messages(r.content.decode())
    assert CheckIn.objects.filter(selection=w.sel, inspector=w.member.inspector).count() == 1


# ---- the printable pages ------------------------------------------------------------------------


def _all_id_numbers(w):
    """Every 身份证号 of the ready world's inspectors, full and as masked for display."""
    full = [
        make_ric(f"1301021985{n % 9 + 1:02d}{10 + n % 18:02d}{n:03d}")
        for n in (*range(1, 10), *range(11, 16))
    ]
    masked = [i.id_masked for i in (*w.a_inspectors, w.expiring, *w.b_inspectors)]
    return full + masked


def test_notice_has_the_qr_the_certificates_and_never_an_id_number(w, client_for):
    r = client_for(w.a_inspector).get(reverse("inspection:notice", args=[w.sel.pk]))
    assert r.status_code == 200
    html = r.content.decode()
    qr = re.search(r'<div class="qr">(.*?)</div>', html, re.S)
    assert qr and qr.group(1).lstrip().startswith("<svg") and "核验二维码" in qr.group(1)
    public = f"http://testserver/public/selection/{w.sel.token}/"
    assert public in html
    # The inspecting department's copies never carry the enterprise's rating code (its admin and
    # reviewer could rate their own inspection); the office's printed one does.
    assert w.sel.rating_code not in html
    for user in (w.a_admin, w.a_reviewer):
        dept_copy = client_for(user).get(reverse("inspection:notice", args=[w.sel.pk])).content.decode()
        assert w.sel.rating_code not in dept_copy
    office_copy = client_for(w.office).get(reverse("inspection:notice", args=[w.sel.pk])).content.decode()
    assert f"评价码：{w.sel.rating_code}" in office_copy
    team = list(w.sel.team.filter(active=True).select_related("inspector"))
    assert len(team) >= 2
    for m in team:
        assert m.inspector.name in html and m.inspector.certificate_no in html
    leaked = [i for i in _all_id_numbers(w) if i in html]
    assert not leaked and "身份证" not in html, f"检查通知书上出现了身份证号：{leaked}"
    assert w.task_a.code in html and w.a1.name in html


def test_target_and_public_pages_never_show_an_id_number(w, client_for):
    pages = [
        client_for(w.a_inspector).get(_target_url(w.sel)),
        Client().get(reverse("publicity:selection", args=[w.sel.token])),
    ]
    for r in pages:
        html = r.content.decode()
        assert r.status_code == 200
        leaked = [i for i in _all_id_numbers(w) if i in html]
        assert not leaked and "身份证" not in html


def test_record_has_the_results_and_signature_lines(w, client_for):
    c = client_for(w.a_inspector)
    _entered_and_submitted(w)
    ins = Inspection.objects.get(selection=w.sel, department=w.dept_a)
    html = c.get(_target_url(w.sel)).content.decode()
    assert f'href="{reverse("inspection:record", args=[ins.pk])}"' in html
    r = c.get(reverse("inspection:record", args=[ins.pk]))
    assert r.status_code == 200
    html = r.content.decode()
    assert "检查记录表" in html and w.sel.target.name in html
    assert "未按规定公示年度报告" in html and "未发现问题" in html
    team = list(w.sel.team.filter(active=True, department=w.dept_a).select_related("inspector"))
    for m in team:
        assert f"{m.inspector.name}（执法证号 {m.inspector.certificate_no}）" in html
    assert html.count('class="sign"') == len(team) + 1  # each inspector and the enterprise
    assert "被检查单位负责人" in html and "签字（盖章）" in html
    assert not [i for i in _all_id_numbers(w) if i in html]
    # Scoped: an inspector outside the team cannot open it.
    outsider = user_create(
        actor=None, username="insp_out", password=PASSWORD, role=Role.INSPECTOR, department=w.dept_a
    )
    assert client_for(outsider).get(reverse("inspection:record", args=[ins.pk])).status_code == 404


# ---- the reviewer's queue -------------------------------------------------------------------------


def test_reviewer_approves_and_it_is_published(w, client_for):
    _entered_and_submitted(w)
    c = client_for(w.a_reviewer)
    html = c.get(reverse("inspection:review")).content.decode()
    assert w.sel.target.name in html and "未按规定公示年度报告" in html and "复核通过并公示" in html
    ins = Inspection.objects.get(selection=w.sel)
    html = _follow(c, reverse("inspection:review"), {"inspection": ins.pk, "action": "approve"})
    assert f"已复核通过并公示：{w.sel.target.name}" in _messages(html)
    ins.refresh_from_db()
    assert ins.status == InspectionStatus.PUBLISHED and ins.reviewed_by == w.a_reviewer
    rows = {r.item: (r.outcome, r.found_problem) for r in PublishedResult.objects.filter(inspection=ins)}
    assert rows == {w.a1.name: ("未按规定公示应当公示的信息", True), w.a2.name: ("未发现问题", False)}
    assert "没有待复核的结果" in html
    # Approving again is refused, nothing republished.
    html = _follow(c, reverse("inspection:review"), {"inspection": ins.pk, "action": "approve"})
    assert "没有待复核的结果" in _messages(html)
    assert Inspection.objects.get(pk=ins.pk).version == 1


def test_reviewer_returns_with_a_comment(w, client_for):
    ins = _entered_and_submitted(w)
    c = client_for(w.a_reviewer)
    html = _follow(
        c, reverse("inspection:review"), {"inspection": ins.pk, "action": "return", "comment": " "}
    )
    assert "退回时请填写复核意见" in _messages(html)
    assert Inspection.objects.get(pk=ins.pk).status == InspectionStatus.SUBMITTED
    html = _follow(
        c, reverse("inspection:review"), {"inspection": ins.pk, "action": "return", "comment": "缺少现场照片"}
    )
    assert "已退回修改" in _messages(html)
    ins.refresh_from_db()
    assert ins.status == InspectionStatus.RETURNED and ins.review_comment == "缺少现场照片"
    assert not PublishedResult.objects.exists()
    # The inspector sees the comment and can change and resubmit.
    c = client_for(w.a_inspector)
    html = c.get(_target_url(w.sel)).content.decode()
    assert "已退回修改" in html and "复核意见：缺少现场照片" in html
    html = _follow(
        c, _target_url(w.sel), _result_data(w.a2, categories=["corrected"], problem="未亮照，已改正")
    )
    assert f"已保存：{w.a2.name}" in _messages(html)
    html = _follow(c, _target_url(w.sel), SUBMIT)
    assert "已提交复核" in _messages(html)


def test_reviewer_opens_a_correction_after_publication(w, client_for):
    ins = _entered_and_submitted(w)
    services.review_approve(actor=w.a_reviewer, inspection=ins)
    c = client_for(w.a_reviewer)
    html = c.get(reverse("inspection:review")).content.decode()
    assert "发起更正" in html and w.sel.target.name in html
    html = _follow(
        c, reverse("inspection:review"), {"inspection": ins.pk, "action": "correct", "comment": ""}
    )
    assert "请填写更正原因" in _messages(html)
    html = _follow(
        c,
        reverse("inspection:review"),
        {"inspection": ins.pk, "action": "correct", "comment": "事项结果录入有误"},
    )
    assert "已发起更正" in _messages(html)
    ins.refresh_from_db()
    assert ins.status == InspectionStatus.RETURNED and ins.review_comment == "更正：事项结果录入有误"


def test_the_entering_person_cannot_approve(w, client_for):
    """A reviewer who is also on the team enters the results; their own approval is refused with
    a message and nothing is published; another reviewer approves."""
    second = w.sel.team.filter(active=True, department=w.dept_a).exclude(pk=w.member.pk).first()
    entering = user_create(
        actor=None, username="rev_insp", password=PASSWORD, role=Role.REVIEWER, department=w.dept_a
    )
    second.inspector.user = entering
    second.inspector.save()
    c = client_for(entering)
    url = _target_url(w.sel)
    _follow(c, url, _result_data(w.a1, categories=["not_disclosed"], problem="未按规定公示年度报告"))
    _follow(c, url, _result_data(w.a2))
    _follow(c, url, {"action": "finish", "finished_on": _today().isoformat()})
    html = _follow(c, url, SUBMIT)
    assert "已提交复核" in _messages(html)
    ins = Inspection.objects.get(selection=w.sel)
    assert ins.entered_by == entering and ins.status == InspectionStatus.SUBMITTED

    r = c.post(reverse("inspection:review"), {"inspection": ins.pk, "action": "approve"}, follow=True)
    # Refused as a 403 or with a message on the queue, but either way the reviewer is told why.
    assert r.status_code in (200, 403), r.status_code
    refusal = (r.status_code, r.content.decode())
    ins.refresh_from_db()
    assert ins.status == InspectionStatus.SUBMITTED and ins.published_at is None
    assert not PublishedResult.objects.exists()

    html = _follow(
        client_for(w.a_reviewer), reverse("inspection:review"), {"inspection": ins.pk, "action": "approve"}
    )
    assert "已复核通过并公示" in _messages(html)
    assert PublishedResult.objects.filter(inspection=ins).count() == 2

    status, html = refusal
    assert "录入人员不能复核自己录入的结果" in html, (
        f"自己录入的结果复核被拒绝（HTTP {status}），但页面没有说明原因：{html[:200]}"
    )


def test_review_queue_is_the_reviewers_department_only(w, client_for):
    ins = _entered_and_submitted(w)
    b_reviewer = user_create(
        actor=None, username="b_reviewer", password=PASSWORD, role=Role.REVIEWER, department=w.dept_b
    )
    c = client_for(b_reviewer)
    html = c.get(reverse("inspection:review")).content.decode()
    assert w.sel.target.name not in html and "没有待复核的结果" in html
    assert (
        c.post(reverse("inspection:review"), {"inspection": ins.pk, "action": "approve"}).status_code == 404
    )
    assert client_for(w.a_inspector).get(reverse("inspection:review")).status_code == 403
    assert Inspection.objects.get(pk=ins.pk).status == InspectionStatus.SUBMITTED


# ---- the progress list ------------------------------------------------------------------------------


def test_progress_list_shows_overdue(w, client_for):
    long_ago = _today() - 100 * DAY  # inside the window (120 days back); 20 working days long past
    ins = services.inspection_finish(actor=w.a_inspector, selection=w.sel, finished_on=long_ago)
    assert ins.due_on < _today()
    c = client_for(w.a_admin)
    html = c.get(reverse("inspection:work")).content.decode()
    assert "检查进度" in html and w.sel.target.name in html
    assert f"{ins.due_on:%Y-%m-%d} 已逾期" in html
    assert re.search(r'逾期未录入 <span class="tag bad">1</span>', html)

    # Submitted in time or not, a submitted result is no longer overdue.
    for item in (w.a1, w.a2):
        services.result_save(
            actor=w.a_inspector, selection=w.sel, item=item, method="onsite", categories=["none_found"]
        )
    services.inspection_submit(actor=w.a_inspector, selection=w.sel)
    html = c.get(reverse("inspection:work")).content.decode()
    assert "已逾期" not in html
    assert re.search(r'逾期未录入 <span class="tag ok">0</span>', html)


def test_progress_list_not_overdue_when_recent(w, client_for):
    ins = services.inspection_finish(actor=w.a_inspector, selection=w.sel, finished_on=_today())
    html = client_for(w.a_reviewer).get(reverse("inspection:work")).content.decode()
    assert f"{ins.due_on:%Y-%m-%d}" in html and "已逾期" not in html


# ---- the public page the QR code opens ------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "end", "kind", "text"),
    [
        (10, 40, "warn", "尚未开始：检查时间自 {start} 起"),
        (-10, 10, "ok", "有效：{start} 至 {end}"),
        (0, 0, "ok", "有效：{start} 至 {end}"),
        (-40, -1, "bad", "已过期：检查时间已于 {end} 结束"),
    ],
    ids=["before", "within", "today-only", "after"],
)
def test_public_page_validity(w, start, end, kind, text):
    s, e = _today() + start * DAY, _today() + end * DAY
    _window(w.task_a, s, e)
    r = Client().get(reverse("publicity:selection", args=[w.sel.token]))
    assert r.status_code == 200
    html = r.content.decode()
    expected = text.format(start=f"{s:%Y-%m-%d}", end=f"{e:%Y-%m-%d}")
    assert f'<p class="result {kind}" role="status">{expected}</p>' in html
    assert w.sel.target.name in html
    for m in w.sel.team.filter(active=True).select_related("inspector"):
        assert m.inspector.certificate_no in html
    assert "检查人员签到" not in html  # anonymous: no check-in button


def test_public_page_of_a_voided_task_says_invalid(w):
    Task.objects.filter(pk=w.task_a.pk).update(state="voided")
    html = Client().get(reverse("publicity:selection", args=[w.sel.token])).content.decode()
    assert "无效：该抽取或任务已作废" in html


def test_public_page_with_a_forged_code(w):
    r = Client().get(reverse("publicity:selection", args=["forged-code-1234"]))
    assert r.status_code == 404
    html = r.content.decode()
    assert "该二维码无效" in html and w.sel.target.name not in html


def test_rating_with_a_wrong_code_then_once(w):
    services.checkin(actor=w.a_inspector, selection=w.sel)
    url = reverse("publicity:selection", args=[w.sel.token])
    c = Client()
    r = c.post(url, {"action": "rate", "code": "WRONG123", "score": "5", "comment": ""})
    assert r.status_code == 200
    assert "评价码不正确" in r.content.decode()
    assert not Rating.objects.exists()

    r = c.post(
        url, {"action": "rate", "code": w.sel.rating_code.lower(), "score": "4", "comment": "检查规范"}
    )
    assert r.status_code == 302
    html = c.get(url).content.decode()
    assert "感谢评价，评价已匿名记录" in _messages(html) and "本次检查已评价" in html
    assert (Rating.objects.get().score, Rating.objects.get().comment) == (4, "检查规范")


def test_a_second_rating_is_refused_and_says_so(w):
    """A second attempt (a form left open in another tab, a resubmission) must be refused and
    tell the enterprise so, not thank it as if its rating had counted."""
    services.checkin(actor=w.a_inspector, selection=w.sel)
    services.rating_submit(selection=w.sel, code=w.sel.rating_code, score=4, comment="检查规范")
    url = reverse("publicity:selection", args=[w.sel.token])
    r = Client().post(
        url, {"action": "rate", "code": w.sel.rating_code, "score": "1", "comment": "差"}, follow=True
    )
    html = r.content.decode()
    assert Rating.objects.count() == 1 and Rating.objects.get().score == 4
    assert "本次检查已评价过，每次检查只能评价一次" in html, (
        "第二次评价被拒绝，但页面没有告诉企业（只显示“本次检查已评价，感谢您的意见”）"
    )


def test_rating_before_the_inspection_started_is_refused(w):
    url = reverse("publicity:selection", args=[w.sel.token])
    r = Client().post(url, {"action": "rate", "code": w.sel.rating_code, "score": "5"})
    assert r.status_code == 200 and "检查尚未开始，暂不能评价" in r.content.decode()
    assert not Rating.objects.exists()


def test_malformed_ids_in_posts_are_not_server_errors(w, client_for):
    """A tampered form (an unknown action, a value not on the list, an inspection id that is not
    a number) is refused as a bad request, a refusal or not found, never a 500."""
    c = client_for(w.a_inspector)
    c.raise_request_exception = False
    item = c.post(_target_url(w.sel), {"action": "result:abc"}).status_code
    tampered = c.post(
        _target_url(w.sel), {**_result_data(w.a1, method="abc", categories=["../x"])}
    ).status_code
    c = client_for(w.a_reviewer)
    c.raise_request_exception = False
    review = c.post(reverse("inspection:review"), {"inspection": "abc", "action": "approve"}).status_code
    assert (item in (400, 403, 404), tampered in (200, 400), review in (400, 404)) == (True, True, True), {
        "target": item,
        "tampered": tampered,
        "review": review,
    }
    assert not ItemResult.objects.exists()


# ---- issue 18: the inspector's phone flow ---------------------------------------------------------


def _section(html: str, key: str) -> str:
    m = re.search(rf'<section class="work-group" id="{key}".*?</section>', html, re.S)
    assert m, f"我的检查缺少分组 {key}"
    return m.group(0)


def test_my_work_in_four_counted_groups_finished_on_demand(w, client_for):
    c = client_for(w.a_inspector)
    mine = list(
        Selection.objects.filter(team__inspector=w.member.inspector, team__active=True, draw=w.draw).exclude(
            pk=w.sel.pk
        )
    )
    _entered_and_submitted(w)
    services.review_approve(actor=w.a_reviewer, inspection=Inspection.objects.get(selection=w.sel))
    html = c.get(reverse("inspection:work")).content.decode()
    heads = re.findall(r'<h2 id="\w+-h">(\S+) <span class="count">(\d+)</span>', html)
    assert heads == [("待检查", str(len(mine))), ("录入中", "0"), ("待复核", "0"), ("已完成", "1")]
    # finished work is hidden until asked for, its count a link to it
    assert w.sel.target.name not in html
    assert 'href="?done=1#done"' in html
    for s in mine:
        assert s.target.name in _section(html, "todo")
    html = c.get(reverse("inspection:work") + "?done=1").content.decode()
    assert w.sel.target.name in _section(html, "done")
    assert f'href="{_target_url(w.sel)}"' in html


def test_my_work_marks_targets_whose_window_ended(w, client_for):
    _window(w.task_a, _today() - 40 * DAY, _today() - DAY)
    html = client_for(w.a_inspector).get(reverse("inspection:work")).content.decode()
    todo = _section(html, "todo")
    assert w.sel.target.name in todo
    assert "检查期限已过" in todo and '<span class="tag">待检查</span>' not in todo
    assert re.search(r"其中 \d+ 项已过检查期限", todo)
    assert f"检查时间已于 {w.task_a.window_end:%Y-%m-%d} 结束" in todo


def test_checkin_greyed_out_with_the_reason_outside_the_window(w, client_for):
    _window(w.task_a, _today() - 40 * DAY, _today() - DAY)
    c = client_for(w.a_inspector)
    reason = f"不在任务检查时间内（{w.task_a.window_start:%Y-%m-%d} 至 {w.task_a.window_end:%Y-%m-%d}）"
    html = c.get(_target_url(w.sel)).content.decode()
    assert re.search(
        r'<button type="button" disabled aria-describedby="checkin-why">扫码入企签到</button>', html
    )
    assert f"暂不能签到：{reason}" in html
    assert 'name="action" value="checkin"' not in html
    html = c.get(reverse("publicity:selection", args=[w.sel.token])).content.decode()
    assert "disabled" in html and f"暂不能签到：{reason}" in html
    # the services refuse all the same (a form kept open from yesterday, a crafted request)
    html = _follow(c, _target_url(w.sel), {"action": "checkin"})
    assert reason in _messages(html)
    r = c.post(reverse("inspection:checkin", args=[w.sel.token]), follow=True)
    assert reason in _messages(r.content.decode())
    assert not CheckIn.objects.exists()


def test_all_clear_in_one_tap_after_the_checkin(w, client_for):
    c = client_for(w.a_inspector)
    url = _target_url(w.sel)
    html = c.get(url).content.decode()
    assert re.search(
        r'<button class="wide" disabled aria-describedby="all-clear-why">全部未发现问题</button>', html
    )
    html = _follow(c, url, {"action": "all_clear"})
    assert "请先扫码入企签到" in _messages(html) and not ItemResult.objects.exists()
    c.post(url, {"action": "checkin"})
    html = c.get(url).content.decode()
    assert '<button class="wide">全部未发现问题</button>' in html
    r = c.post(url, {"action": "all_clear"})
    assert r.status_code == 302 and r["Location"] == f"{url}#submit"  # on to the next step
    html = c.get(url).content.decode()
    assert "已将 2 个事项录入为“未发现问题”" in _messages(html)
    assert {(r.item_id, r.all_clear) for r in ItemResult.objects.all()} == {(w.a1.pk, True), (w.a2.pk, True)}
    assert "全部未发现问题</button>" not in html  # nothing left to enter
    assert "确认提交复核" in html


def test_submit_needs_the_confirm_step(w, client_for):
    c = client_for(w.a_inspector)
    url = _target_url(w.sel)
    for item in (w.a1, w.a2):
        _follow(c, url, _result_data(item))
    html = c.get(url).content.decode()
    # 提交复核 opens the confirm step; its button is not beside any other
    confirm = re.search(r'<details class="confirm">(.*?)</details>', html, re.S).group(1)
    assert "<summary" in confirm and confirm.count("<button") == 1 and "确认提交复核" in confirm
    html = _follow(c, url, {"action": "submit"})
    assert "请确认后再提交复核" in _messages(html)
    assert Inspection.objects.get(selection=w.sel).status == InspectionStatus.OPEN
    html = _follow(c, url, {**SUBMIT, "submit-finished_on": _today().isoformat()})
    assert "已提交复核" in _messages(html)
    ins = Inspection.objects.get(selection=w.sel)
    assert ins.status == InspectionStatus.SUBMITTED and ins.finished_on == _today() and ins.due_on


def test_a_refused_save_keeps_what_was_typed_and_shows_the_item(w, client_for):
    c = client_for(w.a_inspector)
    data = {
        **_result_data(w.a1, categories=["not_disclosed"], problem="未按规定公示年度报告"),
        **_result_data(w.a2, categories=["corrected"]),  # a problem with no description
    }
    r = c.post(_target_url(w.sel), data)
    assert r.status_code == 200
    html = r.content.decode()
    assert f"“{w.a2.name}”未保存：发现问题时请填写问题描述" in _messages(html)
    assert not ItemResult.objects.exists()
    assert "未按规定公示年度报告</textarea>" in html  # the other item's text is still there
    refused = re.search(rf'<details class="item" id="item-{w.a2.pk}" open>(.*?)</details>', html, re.S)
    assert refused and "autofocus" in refused.group(1)
    # saved: back at the save button, not at the top of the page
    data[f"i{w.a2.pk}-problem"] = "未亮照经营，已当场改正"
    r = c.post(_target_url(w.sel), data)
    assert r["Location"] == f"{_target_url(w.sel)}#results-save"
    assert ItemResult.objects.count() == 2
