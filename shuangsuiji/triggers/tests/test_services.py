"""Triggers, the approval rule, the triggered task's team draw, and the merge into a random visit
(issue 19), through the services as a test calls them without HTTP."""

import pytest

from shuangsuiji.core import audit
from shuangsuiji.core.errors import DomainError, Forbidden
from shuangsuiji.core.models import AuditEntry, Role, User
from shuangsuiji.core.scope import visible_to
from shuangsuiji.draw import services as draws
from shuangsuiji.planning.models import TaskKind, TaskState
from shuangsuiji.triggers import services
from shuangsuiji.triggers.models import RequestStatus, Trigger, TriggerStatus

from .conftest import full_draw, record, request


def _actions(obj) -> list[str]:
    return list(audit.entries_for(obj).order_by("seq").values_list("action", flat=True))


def test_a_complaint_becomes_an_approved_triggered_task_with_a_drawn_team(county):
    w = county
    targets = [w.targets[1], w.targets[2]]
    t = record(w, targets)
    assert _actions(t) == ["trigger.record"]
    assert "张某" not in AuditEntry.objects.get(action="trigger.record").summary  # never the complainant
    req = request(w, t)
    t.refresh_from_db()
    assert t.status == TriggerStatus.REQUESTED
    task = req.task
    assert (task.kind, task.trigger_category, task.state) == (
        TaskKind.TRIGGERED,
        "complaint",
        TaskState.PLANNED,
    )
    assert not task.in_published_plan and not task.draws.exists()
    assert task.name == "2026年触发式检查（投诉举报）" and task.kind_label == "触发式检查（投诉举报）"

    services.task_request_decide(actor=w.a_reviewer, request=req, approve=True, note="线索具体，同意检查")
    req.refresh_from_db()
    t.refresh_from_db()
    task.refresh_from_db()
    assert (req.status, req.decided_by, t.status) == (
        RequestStatus.APPROVED,
        w.a_reviewer,
        TriggerStatus.TASKED,
    )
    draw = task.draws.get()
    assert task.state == TaskState.DRAWN and draw.spec == "ssj-designated"
    assert sorted(draw.selections.values_list("target_id", flat=True)) == sorted(x.pk for x in targets)
    assert _actions(req) == ["trigger.request", "trigger.decide"]
    assert _actions(draw) == ["draw.designate"]

    # the random task's team draw, unchanged: ≥ 2 of department A per target, the item's specialty held
    draws.teams_draw(actor=w.a_admin, draw=draw)
    for sel in draw.selections.all():
        team = list(sel.team.filter(active=True).select_related("inspector"))
        assert len(team) >= 2 and {m.department_id for m in team} == {w.dept_a.pk}
        assert any(s.name == "食品安全" for m in team for s in m.inspector.specialties.all())
    task.refresh_from_db()
    assert task.state == TaskState.TEAMS_DRAWN


def test_the_requester_never_approves_and_a_reason_is_required(county):
    w = county
    req = request(w, record(w, [w.targets[1]]))
    with pytest.raises(Forbidden):  # a department admin may not approve at all
        services.task_request_decide(actor=w.a_admin, request=req, approve=True, note="同意")
    with pytest.raises(DomainError, match="审批意见"):
        services.task_request_decide(actor=w.a_reviewer, request=req, approve=True, note="  ")
    # the one who asked, later made the department's reviewer, still may not decide their own
    User.objects.filter(pk=w.a_admin.pk).update(role=Role.REVIEWER)
    asker = User.objects.get(pk=w.a_admin.pk)
    with pytest.raises(Forbidden, match="申请人不能审批自己的申请"):
        services.task_request_decide(actor=asker, request=req, approve=True, note="同意")
    req.refresh_from_db()
    assert req.status == RequestStatus.PENDING and not req.task.draws.exists()
    assert not AuditEntry.objects.filter(action="trigger.decide").exists()


def test_a_refusal_voids_the_task_with_its_reason_and_reopens_the_trigger(county):
    w = county
    t = record(w, [w.targets[1]])
    req = request(w, t)
    services.task_request_decide(
        actor=w.a_reviewer, request=req, approve=False, note="线索不具体，转为日常监管"
    )
    req.refresh_from_db()
    t.refresh_from_db()
    req.task.refresh_from_db()
    assert (req.status, t.status, req.task.state) == (
        RequestStatus.REFUSED,
        TriggerStatus.OPEN,
        TaskState.VOIDED,
    )
    assert req.task.voided_reason == "不予批准：线索不具体，转为日常监管"
    with pytest.raises(DomainError, match="不能重复审批"):
        services.task_request_decide(actor=w.a_reviewer, request=req, approve=True, note="改为同意")
    request(w, t, reason="补充了线索，再次申请")  # it may be asked for again


def test_scope_the_office_reads_the_county_b_sees_nothing_and_only_a_records(county):
    w = county
    t = record(w, [w.targets[1]])
    assert list(visible_to(Trigger, w.office)) == [t]
    assert not visible_to(Trigger, w.b_admin).exists()
    with pytest.raises(Forbidden):
        record(w, [w.targets[1]], actor=w.office)
    with pytest.raises(Forbidden):
        request(w, t, actor=w.b_admin)


def test_bad_input_is_refused_naming_the_field_and_nothing_is_saved(county):
    w = county
    b_only = w.items["B-1"]
    with pytest.raises(DomainError) as e:
        record(w, [w.targets[1]], items=[b_only])
    assert e.value.field == "items"
    with pytest.raises(DomainError) as e:
        record(w, [w.targets[1]], source=" ")
    assert e.value.field == "source"
    with pytest.raises(DomainError) as e:
        record(w, [])
    assert e.value.field == "targets"
    with pytest.raises(DomainError) as e:  # a triggered task's window lies within one year
        request(w, record(w, [w.targets[1]]), window_end=w.now.date().replace(year=2027, month=1, day=15))
    assert e.value.field == "window_start"
    assert Trigger.objects.count() == 1 and Trigger.objects.get().status == TriggerStatus.OPEN


def test_a_random_visit_to_the_target_can_take_the_trigger_in(county):
    w = county
    draw = full_draw(w, w.task_a)  # items
    sel = draw.selections.order_by("order").first()
    t = record(w, [sel.target])
    from shuangsuiji.triggers import selectors

    assert list(selectors.merge_candidates(t)) == [sel]
    m = services.trigger_merge(actor=w.a_admin, trigger=t, selection=sel, note="随本次抽查一并核查")
    t.refresh_from_db()
    assert t.status == TriggerStatus.MERGED and m.selection == sel
    assert _actions(m) == ["trigger.merge"]
    with pytest.raises(DomainError, match="不能再申请"):
        request(w, t)
    # a trigger for an item the random task does not check cannot ride on its visit
    other = record(w, [sel.target], items=[w.items["A-2"]], category="deployment", source="市局部署文件")
    joint_draw = full_draw(w, w.joint)  # items A-1, B-1
    joint_sel = joint_draw.selections.filter(target=sel.target).first() or joint_draw.selections.first()
    with pytest.raises(DomainError, match="不能并入"):
        services.trigger_merge(actor=w.a_admin, trigger=other, selection=joint_sel)


def test_a_trigger_with_two_targets_merges_one_and_inspects_the_other(county):
    w = county
    draw = full_draw(w, w.task_a)
    sel = draw.selections.order_by("order").first()
    outside = next(x for x in w.targets if not draw.selections.filter(target=x).exists())
    t = record(w, [sel.target, outside], category="referral", source="市市场监督管理局交办")
    services.trigger_merge(actor=w.a_admin, trigger=t, selection=sel)
    t.refresh_from_db()
    assert t.status == TriggerStatus.OPEN
    req = request(w, t)
    services.task_request_decide(actor=w.a_reviewer, request=req, approve=True, note="同意")
    assert list(req.task.draws.get().selections.values_list("target_id", flat=True)) == [outside.pk]
