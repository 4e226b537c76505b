import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from shuangsuiji.core.errors import DomainError, Forbidden
from shuangsuiji.draw import services as draws
from shuangsuiji.draw.models import TeamMember
from shuangsuiji.draw.tests.conftest import full_draw, ready  # noqa: F401  (fixture)
from shuangsuiji.inspection import services
from shuangsuiji.inspection.models import InspectionStatus, PublishedResult, Rating
from shuangsuiji.planning.models import TaskState

D = dt.date
IN_WINDOW = timezone.make_aware(dt.datetime(2026, 4, 15, 10, 0))


@pytest.fixture
def drawn(ready):  # noqa: F811  (the imported fixture)
    """Task A drawn and teamed; a_inspector (user) is the first member of the first target's team,
    and b_inspector sits in the joint task's teams for department B."""
    w = ready
    w.draw = full_draw(w, w.task_a)
    draws.teams_draw(actor=w.a_admin, draw=w.draw)
    w.sel = w.draw.selections.exclude(target__risk_class="A").order_by("order").first()
    w.member = w.sel.team.filter(active=True).first()
    w.member.inspector.user = w.a_inspector
    w.member.inspector.save()
    w.a_inspector.refresh_from_db()
    return w


def _results(w, user, sel, **kw):
    for item in (w.items["A-1"], w.items["A-2"]):
        services.result_save(
            actor=user, selection=sel, item=item, method="onsite", categories=["none_found"], **kw
        )


@pytest.mark.django_db
def test_checkin_rules(drawn):
    w = drawn
    with pytest.raises(Forbidden):
        services.checkin(actor=w.b_inspector, selection=w.sel, now=IN_WINDOW)
    with pytest.raises(DomainError, match="不在任务检查时间内"):
        services.checkin(
            actor=w.a_inspector, selection=w.sel, now=timezone.make_aware(dt.datetime(2026, 7, 2, 9))
        )
    services.checkin(actor=w.a_inspector, selection=w.sel, now=IN_WINDOW)
    with pytest.raises(DomainError, match="今天已在该企业签到"):
        services.checkin(actor=w.a_inspector, selection=w.sel, now=IN_WINDOW + dt.timedelta(hours=2))
    w.task_a.refresh_from_db()
    assert w.task_a.state == TaskState.IN_PROGRESS


@pytest.mark.django_db
def test_a_class_needs_a_reason_and_offsite_items_refuse_checkin(drawn):
    w = drawn
    a_sel = w.draw.selections.filter(target__risk_class="A").first()
    if not a_sel.team.filter(inspector=w.member.inspector).exists():
        TeamMember.objects.filter(pk=a_sel.team.filter(active=True).first().pk).update(
            inspector=w.member.inspector
        )
    with pytest.raises(DomainError, match="本次入企须填写入企理由"):
        services.checkin(actor=w.a_inspector, selection=a_sel, now=IN_WINDOW)
    services.checkin(actor=w.a_inspector, selection=a_sel, now=IN_WINDOW, reason="群众投诉举报")
    for item in (w.items["A-1"], w.items["A-2"]):
        item.offsite_only = True
        item.save()
    with pytest.raises(DomainError, match="不得入企"):
        services.checkin(actor=w.a_inspector, selection=w.sel, now=IN_WINDOW)


@pytest.mark.django_db
def test_result_entry_rules(drawn):
    w = drawn
    a1 = w.items["A-1"]
    with pytest.raises(Forbidden):
        services.result_save(
            actor=w.b_inspector, selection=w.sel, item=a1, method="onsite", categories=["none_found"]
        )
    with pytest.raises(DomainError, match="不是本部门"):
        services.result_save(
            actor=w.a_inspector,
            selection=w.sel,
            item=w.items["B-1"],
            method="onsite",
            categories=["none_found"],
        )
    with pytest.raises(DomainError, match="请选择检查结果"):
        services.result_save(actor=w.a_inspector, selection=w.sel, item=a1, method="onsite", categories=[])
    with pytest.raises(DomainError, match="不能与发现问题"):
        services.result_save(
            actor=w.a_inspector,
            selection=w.sel,
            item=a1,
            method="onsite",
            categories=["none_found", "not_disclosed"],
        )
    with pytest.raises(DomainError, match="问题描述"):
        services.result_save(
            actor=w.a_inspector, selection=w.sel, item=a1, method="onsite", categories=["not_disclosed"]
        )
    r = services.result_save(
        actor=w.a_inspector,
        selection=w.sel,
        item=a1,
        method="document",
        categories=["not_disclosed"],
        problem="未公示年报",
    )
    assert r.found_problem and r.inspection.entered_by == w.a_inspector
    a1.offsite_only = True
    a1.save()
    with pytest.raises(DomainError, match="非现场检查"):
        services.result_save(
            actor=w.a_inspector, selection=w.sel, item=a1, method="onsite", categories=["none_found"]
        )


@pytest.mark.django_db
def test_attachments_are_checked(drawn):
    w = drawn
    photo = io.BytesIO()
    Image.new("RGB", (8, 8)).save(photo, "JPEG")
    ok = services.attachment_add(
        actor=w.a_inspector, selection=w.sel, upload=SimpleUploadedFile("现场.jpg", photo.getvalue())
    )
    assert ok.size == ok.file.size  # the re-encoded file's size (tests/test_uploads.py)
    with pytest.raises(DomainError, match="只能是照片"):
        services.attachment_add(
            actor=w.a_inspector, selection=w.sel, upload=SimpleUploadedFile("a.exe", b"MZ")
        )
    with pytest.raises(DomainError, match="无法作为 PDF 打开"):
        services.attachment_add(
            actor=w.a_inspector, selection=w.sel, upload=SimpleUploadedFile("a.pdf", b"not a pdf")
        )


@pytest.mark.django_db
def test_attachment_size_limit(drawn, settings):
    settings.ATTACHMENT_MAX_BYTES = 50
    with pytest.raises(DomainError, match="附件过大"):
        services.attachment_add(
            actor=drawn.a_inspector,
            selection=drawn.sel,
            upload=SimpleUploadedFile("a.pdf", b"%PDF-" + b"x" * 100),
        )


@pytest.mark.django_db
def test_finish_starts_the_twenty_working_day_clock(drawn):
    w = drawn
    with pytest.raises(DomainError, match="须在任务检查时间内"):
        services.inspection_finish(actor=w.a_inspector, selection=w.sel, finished_on=D(2026, 7, 1))
    ins = services.inspection_finish(actor=w.a_inspector, selection=w.sel, finished_on=D(2026, 4, 30))
    # after Thu 4/30: May Day 5/1–5/5 off, Sat 5/9 is a 调休 working day → the 20th is Mon 6/1
    assert (ins.due_on, ins.due_provisional) == (D(2026, 6, 1), False)


@pytest.mark.django_db
def test_review_publish_correct_and_close(drawn):
    w = drawn
    with pytest.raises(DomainError, match="检查完毕日期"):
        services.inspection_submit(actor=w.a_inspector, selection=w.sel)
    services.inspection_finish(actor=w.a_inspector, selection=w.sel, finished_on=D(2026, 4, 30))
    with pytest.raises(DomainError, match="还有事项未录入"):
        services.inspection_submit(actor=w.a_inspector, selection=w.sel)
    _results(w, w.a_inspector, w.sel)
    ins = services.inspection_submit(actor=w.a_inspector, selection=w.sel)
    with pytest.raises(Forbidden):
        services.review_approve(actor=w.b_admin, inspection=ins)
    from shuangsuiji.core.models import Role
    from shuangsuiji.core.services import user_create

    w.a_inspector.role = Role.REVIEWER  # an entering person who is also a reviewer may not review it
    w.a_inspector.save()
    with pytest.raises(Forbidden, match="不能复核自己录入"):
        services.review_approve(actor=w.a_inspector, inspection=ins)
    with pytest.raises(DomainError, match="复核意见"):
        services.review_return(actor=w.a_reviewer, inspection=ins, comment="")
    services.review_return(actor=w.a_reviewer, inspection=ins, comment="缺少现场照片")
    w.a_inspector.role = Role.INSPECTOR
    w.a_inspector.save()
    services.inspection_submit(actor=w.a_inspector, selection=w.sel)
    ins = services.review_approve(actor=w.a_reviewer, inspection=ins)
    assert ins.status == InspectionStatus.PUBLISHED and ins.version == 1
    rows = PublishedResult.objects.filter(inspection=ins)
    assert (
        rows.count() == 2
        and {r.outcome for r in rows} == {"未发现问题"}
        and rows[0].uscc == w.sel.target.uscc
    )
    with pytest.raises(DomainError, match="不能修改"):
        _results(w, w.a_inspector, w.sel)
    services.correction_open(actor=w.a_admin, inspection=ins, reason="事项结果录入有误")
    services.result_save(
        actor=w.a_inspector,
        selection=w.sel,
        item=w.items["A-2"],
        method="onsite",
        categories=["corrected"],
        problem="未亮照经营，已当场改正",
    )
    services.inspection_submit(actor=w.a_inspector, selection=w.sel)
    other = user_create(
        actor=None, username="rev2", password="Rev2#2026pw", role=Role.REVIEWER, department=w.dept_a
    )
    ins = services.review_approve(actor=other, inspection=ins)
    assert (
        ins.version == 2
        and PublishedResult.objects.filter(inspection=ins, found_problem=True, version=2).count() == 1
    )


@pytest.mark.django_db
def test_rating_once_with_the_printed_code(drawn):
    w = drawn
    with pytest.raises(DomainError, match="尚未开始"):
        services.rating_submit(selection=w.sel, code=w.sel.rating_code, score=5)
    services.checkin(actor=w.a_inspector, selection=w.sel, now=IN_WINDOW)
    with pytest.raises(DomainError, match="评价码不正确"):
        services.rating_submit(selection=w.sel, code="WRONG123", score=5)
    services.rating_submit(selection=w.sel, code=w.sel.rating_code.lower(), score=5, comment="检查规范")
    with pytest.raises(DomainError, match="只能评价一次"):
        services.rating_submit(selection=w.sel, code=w.sel.rating_code, score=1)
    assert Rating.objects.get().score == 5


@pytest.mark.django_db
def test_office_sees_rating_averages_only_over_five(drawn):
    from shuangsuiji.inspection.selectors import rating_summary

    w = drawn
    sels = list(w.draw.selections.order_by("order")[:6])
    for n, s in enumerate(sels[:4]):
        Rating.objects.create(selection=s, score=5 - n % 2, at=timezone.now())
    [row] = rating_summary(w.office)
    assert row["n"] == 4 and row["avg"] is None
    Rating.objects.create(selection=sels[4], score=3, at=timezone.now())
    [row] = rating_summary(w.office)
    assert row["n"] == 5 and row["avg"] == pytest.approx((5 + 4 + 5 + 4 + 3) / 5)
    assert rating_summary(w.a_inspector) == []  # inspecting staff see no ratings


@pytest.mark.django_db
def test_closed_task_refuses_entry_and_the_list_goes_public_with_results(ready):  # noqa: F811
    from shuangsuiji.draw.records import selection_public
    from shuangsuiji.planning import services as planning

    w = ready
    draw = full_draw(w, w.joint)  # the joint task sets no publication date
    draws.teams_draw(actor=w.a_admin, draw=draw)
    assert not selection_public(draw)
    sel = draw.selections.order_by("order").first()
    member = sel.team.filter(active=True, department=w.dept_a).first()
    member.inspector.user = w.a_inspector
    member.inspector.save()
    w.a_inspector.refresh_from_db()
    services.result_save(
        actor=w.a_inspector, selection=sel, item=w.items["A-1"], method="onsite", categories=["none_found"]
    )
    services.inspection_finish(actor=w.a_inspector, selection=sel, finished_on=D(2026, 4, 1))
    ins = services.inspection_submit(actor=w.a_inspector, selection=sel)
    services.review_approve(actor=w.a_reviewer, inspection=ins)
    assert selection_public(draw)  # at the latest with the results
    planning.task_void(actor=w.a_admin, task=w.joint, reason="机构调整")
    with pytest.raises(DomainError, match="不能再录入"):
        services.result_save(
            actor=w.a_inspector,
            selection=sel,
            item=w.items["A-1"],
            method="onsite",
            categories=["none_found"],
        )
