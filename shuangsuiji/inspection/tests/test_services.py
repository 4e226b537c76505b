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


# ---- issue 18: the inspector's phone flow ---------------------------------------------------------


def _on_team(w, n: int) -> list:
    """The first n non-A targets of the draw with a_inspector's inspector on each team."""
    from shuangsuiji.draw.models import Selection

    inspector = w.member.inspector
    sels = list(Selection.objects.filter(draw=w.draw).exclude(target__risk_class="A").order_by("order")[:n])
    for s in sels:
        if not s.team.filter(inspector=inspector).exists():
            TeamMember.objects.filter(
                pk=s.team.filter(active=True, department=w.dept_a).order_by("id").first().pk
            ).update(inspector=inspector)
    return sels


def _group_of(groups: dict, sel) -> str:
    [key] = [k for k, rows in groups.items() if any(r.selection.pk == sel.pk for r in rows)]
    return key


@pytest.mark.django_db
def test_my_work_groups_by_state_and_marks_an_ended_window(drawn):
    from shuangsuiji.inspection.selectors import my_assignments, my_work

    w = drawn
    todo, checked, submitted, published = _on_team(w, 4)
    services.checkin(actor=w.a_inspector, selection=checked, now=IN_WINDOW)
    for s in (submitted, published):
        _results(w, w.a_inspector, s)
        services.inspection_finish(actor=w.a_inspector, selection=s, finished_on=D(2026, 4, 30))
        ins = services.inspection_submit(actor=w.a_inspector, selection=s)
    services.review_approve(actor=w.a_reviewer, inspection=ins)

    groups = my_work(w.a_inspector, D(2026, 5, 6))
    assert [_group_of(groups, s) for s in (todo, checked, submitted, published)] == [
        "todo",
        "entering",
        "review",
        "done",
    ]
    # every target of the inspector's in exactly one group
    assert sum(len(rows) for rows in groups.values()) == my_assignments(w.a_inspector).count() >= 4
    row = next(r for r in groups["todo"] if r.selection.pk == todo.pk)
    assert row.window == "open"
    # After the window: what was never started is marked, not left saying 待检查 …
    later = my_work(w.a_inspector, D(2026, 7, 2))
    assert {r.window for r in later["todo"]} == {"ended"}
    # … and before it, marked as not yet begun.
    assert {r.window for r in my_work(w.a_inspector, D(2026, 2, 27))["todo"]} == {"ahead"}
    # Another inspector sees none of it.
    assert not any(my_work(w.b_inspector, D(2026, 5, 6)).values())


@pytest.mark.django_db
def test_my_work_flags_an_entry_past_its_twenty_working_days(drawn):
    from shuangsuiji.inspection.selectors import my_work

    w = drawn
    ins = services.inspection_finish(actor=w.a_inspector, selection=w.sel, finished_on=D(2026, 4, 30))
    assert ins.due_on == D(2026, 6, 1)  # R-INSP-2, with May Day and its 调休 Saturday
    [row] = [r for r in my_work(w.a_inspector, D(2026, 6, 2))["entering"] if r.selection.pk == w.sel.pk]
    assert row.overdue
    [row] = [r for r in my_work(w.a_inspector, D(2026, 6, 1))["entering"] if r.selection.pk == w.sel.pk]
    assert not row.overdue


@pytest.mark.django_db
def test_checkin_refusal_is_known_before_the_tap_and_the_service_refuses_alike(drawn):
    from shuangsuiji.inspection.selectors import checkin_refusal

    w = drawn
    dept, inspector = w.member.department, w.member.inspector
    outside = checkin_refusal(w.sel, dept, inspector, D(2026, 7, 2))
    assert outside == "不在任务检查时间内（2026-03-01 至 2026-06-30）"
    assert checkin_refusal(w.sel, dept, inspector, D(2026, 2, 28)) == outside
    assert checkin_refusal(w.sel, dept, inspector, D(2026, 6, 30)) == ""  # the last day still counts
    with pytest.raises(DomainError) as refused:
        services.checkin(
            actor=w.a_inspector, selection=w.sel, now=timezone.make_aware(dt.datetime(2026, 7, 2, 9))
        )
    assert refused.value.message == outside
    services.checkin(actor=w.a_inspector, selection=w.sel, now=IN_WINDOW)
    assert checkin_refusal(w.sel, dept, inspector, D(2026, 4, 15)) == "您今天已在该企业签到，无需重复签到"
    assert checkin_refusal(w.sel, dept, inspector, D(2026, 4, 16)) == ""


def _all_clear_entries(ins):
    from shuangsuiji.core import audit

    return list(audit.entries_for(ins).filter(action="inspection.all_clear"))


@pytest.mark.django_db
def test_all_clear_needs_a_checkin_or_a_record_and_is_recorded(drawn):
    from shuangsuiji.inspection.models import Inspection, ItemResult

    w = drawn
    with pytest.raises(DomainError, match="请先扫码入企签到，或上传检查记录"):
        services.results_all_clear(actor=w.a_inspector, selection=w.sel)
    assert not ItemResult.objects.exists()
    with pytest.raises(Forbidden):
        services.results_all_clear(actor=w.b_inspector, selection=w.sel)

    services.checkin(actor=w.a_inspector, selection=w.sel, now=IN_WINDOW)
    results = services.results_all_clear(actor=w.a_inspector, selection=w.sel)
    assert sorted(r.item.code for r in results) == ["A-1", "A-2"]
    for r in ItemResult.objects.all():
        assert [c.code for c in r.categories.all()] == ["none_found"]
        assert (r.method, r.all_clear, r.found_problem) == ("onsite", True, False)
    ins = Inspection.objects.get(selection=w.sel)
    assert ins.entered_by == w.a_inspector
    [entry] = _all_clear_entries(ins)
    assert entry.actor_id == w.a_inspector.pk
    assert entry.detail == {
        "items": ["A-1", "A-2"],
        "methods": ["onsite", "onsite"],
        "checked_in": True,
        "attachments": 0,
    }
    assert "全部未发现问题" in entry.summary
    with pytest.raises(DomainError, match="无需再次录入"):
        services.results_all_clear(actor=w.a_inspector, selection=w.sel)

    # Changed by hand, the item is no longer a one-tap entry; the others keep the mark.
    services.result_save(
        actor=w.a_inspector,
        selection=w.sel,
        item=w.items["A-2"],
        method="onsite",
        categories=["corrected"],
        problem="未亮照经营，已当场改正",
    )
    assert {r.item.code: r.all_clear for r in ItemResult.objects.all()} == {"A-1": True, "A-2": False}

    # The one who entered the results with one tap may not review them either.
    from shuangsuiji.core.models import Role

    services.inspection_finish(actor=w.a_inspector, selection=w.sel, finished_on=D(2026, 4, 30))
    ins = services.inspection_submit(actor=w.a_inspector, selection=w.sel)
    w.a_inspector.role = Role.REVIEWER
    w.a_inspector.save()
    with pytest.raises(Forbidden, match="不能复核自己录入"):
        services.review_approve(actor=w.a_inspector, inspection=ins)


@pytest.mark.django_db
def test_all_clear_on_an_attached_record_and_never_over_a_problem(drawn):
    from shuangsuiji.inspection.models import ItemResult

    w = drawn
    services.result_save(
        actor=w.a_inspector,
        selection=w.sel,
        item=w.items["A-1"],
        method="document",
        categories=["not_disclosed"],
        problem="未公示年报",
    )
    photo = io.BytesIO()
    Image.new("RGB", (8, 8)).save(photo, "JPEG")
    services.attachment_add(
        actor=w.a_inspector, selection=w.sel, upload=SimpleUploadedFile("检查记录.jpg", photo.getvalue())
    )
    with pytest.raises(DomainError, match="已录入其他检查结果.*食品经营检查"):
        services.results_all_clear(actor=w.a_inspector, selection=w.sel)
    assert ItemResult.objects.count() == 1
    ItemResult.objects.all().delete()
    results = services.results_all_clear(actor=w.a_inspector, selection=w.sel)
    # no visit recorded: the record is a document check (书面检查), as the audit entry says
    assert {r.method for r in results} == {"document"}
    [entry] = _all_clear_entries(results[0].inspection)
    assert entry.detail["checked_in"] is False and entry.detail["attachments"] == 1
    assert "已上传检查记录 1 份" in entry.summary


@pytest.mark.django_db
def test_all_clear_refused_once_submitted(drawn):
    w = drawn
    services.checkin(actor=w.a_inspector, selection=w.sel, now=IN_WINDOW)
    _results(w, w.a_inspector, w.sel)
    services.inspection_submit(actor=w.a_inspector, selection=w.sel, finished_on=D(2026, 4, 30))
    with pytest.raises(DomainError, match="不能修改"):
        services.results_all_clear(actor=w.a_inspector, selection=w.sel)


@pytest.mark.django_db
def test_one_save_for_all_items_keeps_nothing_of_a_refused_save(drawn):
    from shuangsuiji.core import audit
    from shuangsuiji.inspection.models import Inspection, ItemResult

    w = drawn
    a1, a2 = w.items["A-1"], w.items["A-2"]
    entry = {"method": "onsite", "problem": ""}
    with pytest.raises(DomainError) as refused:
        services.results_save(
            actor=w.a_inspector,
            selection=w.sel,
            entries=[
                {**entry, "item": a1, "categories": ["none_found"]},
                {**entry, "item": a2, "categories": ["not_disclosed"]},  # a problem with no description
            ],
        )
    assert refused.value.message == f"“{a2.name}”未保存：发现问题时请填写问题描述"
    assert refused.value.errors == [a2.pk]
    assert not ItemResult.objects.exists()
    saved = services.results_save(
        actor=w.a_inspector,
        selection=w.sel,
        entries=[
            {**entry, "item": a1, "categories": ["none_found"]},
            {**entry, "item": a2, "categories": []},  # not entered yet: left for later
        ],
    )
    assert [r.item for r in saved] == [a1]
    ins = Inspection.objects.get(selection=w.sel)
    # saved again unchanged: nothing written, nothing audited
    before = audit.entries_for(ins).count()
    again = services.results_save(
        actor=w.a_inspector, selection=w.sel, entries=[{**entry, "item": a1, "categories": ["none_found"]}]
    )
    assert again == [] and audit.entries_for(ins).count() == before
    # an entered item cannot be emptied
    with pytest.raises(DomainError, match="请选择检查结果"):
        services.results_save(
            actor=w.a_inspector, selection=w.sel, entries=[{**entry, "item": a1, "categories": []}]
        )


@pytest.mark.django_db
def test_submit_from_the_confirm_step_records_the_finish_first(drawn):
    from shuangsuiji.core import audit

    w = drawn
    _results(w, w.a_inspector, w.sel)
    ins = services.inspection_submit(actor=w.a_inspector, selection=w.sel, finished_on=D(2026, 4, 30))
    assert ins.status == InspectionStatus.SUBMITTED
    assert (ins.finished_on, ins.due_on) == (D(2026, 4, 30), D(2026, 6, 1))
    actions = list(audit.entries_for(ins).order_by("seq").values_list("action", flat=True))
    assert actions[-2:] == ["inspection.finish", "inspection.submit"]
