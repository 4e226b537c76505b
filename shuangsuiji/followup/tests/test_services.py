import datetime as dt

import pytest

from shuangsuiji.core.errors import DomainError, Forbidden, NotFound
from shuangsuiji.core.models import AuditEntry
from shuangsuiji.core.selectors import work_calendar
from shuangsuiji.followup import selectors, services
from shuangsuiji.followup.models import DispositionKind, FollowUp, FollowUpState, Transfer, TransferStatus
from shuangsuiji.inspection import services as insp

from .conftest import FOUND, member_user

D = dt.date


def _audits(fu, action):
    return AuditEntry.objects.filter(action=action, object_id=str(fu.pk)).count()


@pytest.mark.django_db
def test_approval_opens_one_entry_per_problem(problem):
    w = problem
    fu = w.fu
    assert (fu.department, fu.target, fu.task, fu.year, fu.item) == (
        w.dept_a,
        w.sels[0].target,
        w.task_a,
        2026,
        w.items["A-1"],
    )
    assert fu.state == FollowUpState.PENDING and fu.found_on == FOUND and fu.problem == "未按规定公示年度报告"
    # the disposition is due 10 working days after the finding (May Day holiday counted)
    assert fu.due_on == work_calendar().add_workdays(FOUND, services.DISPOSE_WORKDAYS)[0]
    assert _audits(fu, "followup.open") == 1
    # an inspection without a problem opens nothing
    clean = w.sels[1]
    from .conftest import publish

    publish(w, clean, problem=False)
    assert FollowUp.objects.count() == 1


@pytest.mark.django_db
def test_republication_is_idempotent_and_a_correction_withdraws_then_reopens(problem):
    w = problem
    user = w.a_inspector
    sel = w.sels[0]
    # republished unchanged: still one entry
    insp.correction_open(actor=w.a_admin, inspection=w.ins, reason="补充说明")
    insp.inspection_submit(actor=user, selection=sel)
    from shuangsuiji.core.services import user_create

    rev2 = user_create(
        actor=None, username="rev2", password="Rev2#2026pw", role="reviewer", department=w.dept_a
    )
    insp.review_approve(actor=rev2, inspection=w.ins)
    assert FollowUp.objects.count() == 1 and FollowUp.objects.get().state == FollowUpState.PENDING
    # corrected: the problem is gone → withdrawn, and no longer counted
    insp.correction_open(actor=w.a_admin, inspection=w.ins, reason="问题认定有误")
    insp.result_save(
        actor=user, selection=sel, item=w.items["A-1"], method="onsite", categories=["none_found"]
    )
    insp.inspection_submit(actor=user, selection=sel)
    insp.review_approve(actor=w.a_reviewer, inspection=w.ins)
    fu = FollowUp.objects.get()
    assert fu.state == FollowUpState.WITHDRAWN and "不再属于发现问题" in fu.withdrawn_reason
    assert selectors.followup_counts(w.county, 2026, until=D(2026, 12, 31))["problems"] == 0
    # corrected again: the problem is back → the same entry reopens
    insp.correction_open(actor=w.a_admin, inspection=w.ins, reason="复查仍有问题")
    insp.result_save(
        actor=user,
        selection=sel,
        item=w.items["A-1"],
        method="onsite",
        categories=["not_disclosed"],
        problem="仍未公示",
    )
    insp.inspection_submit(actor=user, selection=sel)
    insp.review_approve(actor=rev2, inspection=w.ins)
    fu = FollowUp.objects.get()
    assert fu.state == FollowUpState.PENDING and fu.problem == "仍未公示"
    assert _audits(fu, "followup.withdraw") == 1 and _audits(fu, "followup.reopen") == 1


@pytest.mark.django_db
def test_rectify_outcome_then_an_inspector_verifies(problem):
    w = problem
    with pytest.raises(DomainError, match="办结期限"):
        services.followup_dispose(
            actor=w.a_admin, followup=w.fu, kind="rectify", measure="限期补报", on=D(2026, 5, 6)
        )
    with pytest.raises(DomainError, match="整改要求"):
        services.followup_dispose(
            actor=w.a_admin, followup=w.fu, kind="rectify", due_on=D(2026, 5, 21), on=D(2026, 5, 6)
        )
    with pytest.raises(DomainError, match="不能早于发现问题"):
        services.followup_dispose(
            actor=w.a_admin,
            followup=w.fu,
            kind="rectify",
            measure="补报",
            due_on=D(2026, 5, 21),
            on=D(2026, 4, 1),
        )
    fu = FollowUp.objects.get()
    assert fu.state == FollowUpState.PENDING and fu.kind == ""  # nothing half-saved
    fu = services.followup_dispose(
        actor=w.a_admin,
        followup=w.fu,
        kind="rectify",
        measure="15日内补报年度报告",
        due_on=D(2026, 5, 21),
        on=D(2026, 5, 6),
    )
    assert (fu.state, fu.kind, fu.due_on, fu.disposed_by) == (
        FollowUpState.IN_PROGRESS,
        DispositionKind.RECTIFY,
        D(2026, 5, 21),
        w.a_admin,
    )
    with pytest.raises(DomainError, match="不能确定处置方式"):
        services.followup_dispose(
            actor=w.a_admin, followup=fu, kind="credit", measure="x", due_on=D(2026, 6, 1)
        )
    with pytest.raises(DomainError, match="不能核查"):
        services.rectification_verify(actor=w.a_inspector, followup=fu, passed=True)
    fu = services.outcome_record(
        actor=w.a_admin, followup=fu, outcome="已补报2025年度报告", on=D(2026, 5, 18)
    )
    assert fu.state == FollowUpState.TO_VERIFY and fu.closed_on is None
    with pytest.raises(Forbidden, match="执法检查人员核查"):
        services.rectification_verify(actor=w.a_admin, followup=fu, passed=True)
    with pytest.raises(DomainError, match="说明原因"):
        services.rectification_verify(actor=w.a_inspector, followup=fu, passed=False)
    fu = services.rectification_verify(
        actor=w.a_inspector, followup=fu, passed=False, note="报告内容不全", on=D(2026, 5, 19)
    )
    assert fu.state == FollowUpState.IN_PROGRESS
    services.outcome_record(actor=w.a_admin, followup=fu, outcome="已补全", on=D(2026, 5, 20))
    fu = services.rectification_verify(actor=w.a_inspector, followup=fu, passed=True, on=D(2026, 5, 20))
    assert (fu.state, fu.closed_on, fu.verified_by) == (FollowUpState.CLOSED, D(2026, 5, 20), w.a_inspector)
    for action in ("followup.dispose", "followup.outcome", "followup.verify", "followup.verify_fail"):
        assert _audits(fu, action) >= 1
    with pytest.raises(DomainError, match="已办结"):
        services.outcome_record(actor=w.a_admin, followup=fu, outcome="again")


@pytest.mark.django_db
def test_scope_and_roles(problem):
    w = problem
    kw = dict(kind="credit", measure="列入重点监管", due_on=D(2026, 6, 30), on=D(2026, 5, 6))
    with pytest.raises(NotFound):
        services.followup_dispose(actor=w.b_admin, followup=w.fu, **kw)  # not B's, not transferred
    with pytest.raises(NotFound):
        services.followup_dispose(actor=w.far_admin, followup=w.fu, **kw)
    with pytest.raises(Forbidden):
        services.followup_dispose(actor=w.office, followup=w.fu, **kw)  # the office reads only
    assert selectors.ledger_in_scope(w.office).filter(pk=w.fu.pk).exists()
    assert (
        not selectors.ledger_in_scope(w.auditor).exists()
        and not selectors.ledger_in_scope(w.sysadmin).exists()
    )
    assert (
        not FollowUp.objects.exclude(kind="").exists()
        and not AuditEntry.objects.filter(action="followup.dispose").exists()
    )


@pytest.mark.django_db
def test_transfer_lands_in_the_inbox_is_accepted_and_closed_by_the_receiver(problem):
    w = problem
    with pytest.raises(DomainError, match="接收部门"):
        services.followup_dispose(
            actor=w.a_admin,
            followup=w.fu,
            kind="transfer",
            measure="属卫生健康职责",
            due_on=D(2026, 6, 30),
            on=D(2026, 5, 6),
        )
    with pytest.raises(DomainError, match="其他成员单位"):
        services.followup_dispose(
            actor=w.a_admin,
            followup=w.fu,
            kind="transfer",
            measure="x",
            due_on=D(2026, 6, 30),
            transfer_to=w.other_county_dept,
            on=D(2026, 5, 6),
        )
    fu = services.followup_dispose(
        actor=w.a_admin,
        followup=w.fu,
        kind="transfer",
        measure="涉及公共场所卫生许可，属卫生健康职责",
        due_on=D(2026, 6, 30),
        transfer_to=w.dept_b,
        on=D(2026, 5, 6),
    )
    assert fu.state == FollowUpState.TRANSFER_PENDING
    assert list(selectors.inbox_for(w.b_admin)) == [fu] and not selectors.inbox_for(w.a_admin).exists()
    with pytest.raises(Forbidden, match="接收移送的部门"):
        services.transfer_accept(actor=w.a_admin, followup=fu)
    with pytest.raises(Forbidden):
        services.outcome_record(actor=w.a_admin, followup=fu, outcome="x")
    with pytest.raises(DomainError, match="理由"):
        services.transfer_return(actor=w.b_admin, followup=fu, reason=" ")
    # returned: back to A, to be disposed again
    fu = services.transfer_return(actor=w.b_admin, followup=fu, reason="不属于本部门职责", on=D(2026, 5, 8))
    assert fu.state == FollowUpState.PENDING and fu.transfer_to is None and fu.kind == ""
    assert Transfer.objects.get().status == TransferStatus.RETURNED
    assert not selectors.ledger_in_scope(w.b_admin).exists()
    fu = services.followup_dispose(
        actor=w.a_admin,
        followup=fu,
        kind="transfer",
        measure="再次移送",
        due_on=D(2026, 6, 30),
        transfer_to=w.dept_b,
        on=D(2026, 5, 9),
    )
    fu = services.transfer_accept(actor=w.b_admin, followup=fu, on=D(2026, 5, 11))
    assert fu.state == FollowUpState.IN_PROGRESS
    with pytest.raises(DomainError, match="不能接收"):
        services.transfer_accept(actor=w.b_admin, followup=fu)
    fu = services.outcome_record(
        actor=w.b_inspector, followup=fu, outcome="已责令办理卫生许可", on=D(2026, 6, 2)
    )
    assert (fu.state, fu.closed_on, fu.outcome_by) == (FollowUpState.CLOSED, D(2026, 6, 2), w.b_inspector)
    assert _audits(fu, "followup.transfer_accept") == 1 and _audits(fu, "followup.transfer_return") == 1


@pytest.mark.django_db
def test_case_penalty_is_published_and_deadlines_are_computed(problem):
    w = problem
    with pytest.raises(DomainError, match="立案号"):
        services.followup_dispose(actor=w.a_admin, followup=w.fu, kind="case", on=D(2026, 5, 6))
    fu = services.followup_dispose(
        actor=w.a_admin, followup=w.fu, kind="case", case_number="鹿市监立〔2026〕18号", on=D(2026, 5, 6)
    )
    assert fu.due_on == D(2026, 5, 6) + dt.timedelta(days=90)  # 行政处罚法 第六十条
    with pytest.raises(DomainError, match="处罚内容"):
        services.outcome_record(
            actor=w.a_admin,
            followup=fu,
            outcome="罚款",
            penalty_decision_no="鹿市监罚〔2026〕7号",
            penalty_decided_on=D(2026, 6, 1),
        )
    with pytest.raises(DomainError, match="处罚决定日期"):
        services.outcome_record(
            actor=w.a_admin,
            followup=fu,
            outcome="罚款",
            penalty_decision_no="鹿市监罚〔2026〕7号",
            penalty_content="罚款五千元",
            penalty_decided_on=D(2026, 7, 1),
            on=D(2026, 6, 5),
        )
    assert selectors.published_penalties([w.ins.pk]) == {}
    fu = services.outcome_record(
        actor=w.a_admin,
        followup=fu,
        outcome="作出行政处罚决定",
        penalty_decision_no="鹿市监罚〔2026〕7号",
        penalty_content="警告，罚款五千元",
        penalty_decided_on=D(2026, 6, 1),
        on=D(2026, 6, 5),
    )
    assert fu.state == FollowUpState.CLOSED and fu.penalty_published_at
    [p] = selectors.published_penalties([w.ins.pk])[w.ins.pk]
    assert p["decision_no"] == "鹿市监罚〔2026〕7号" and p["department"] == w.dept_a.name
    assert _audits(fu, "followup.penalty_publish") == 1


@pytest.mark.django_db
def test_abnormal_list_is_due_ten_working_days_after_the_finding(problem):
    w = problem
    fu = services.followup_dispose(actor=w.a_admin, followup=w.fu, kind="abnormal_list", on=D(2026, 5, 6))
    # Thu 4/30 + 10 working days: 5/1–5/5 off, Sat 5/9 a 调休 working day → Mon 5/18
    assert fu.due_on == D(2026, 5, 18)
    fu.refresh_from_db()
    assert fu.overdue_on(D(2026, 5, 19)) and not fu.overdue_on(D(2026, 5, 18))


@pytest.mark.django_db
def test_counts_and_overdue_as_of_a_date(drawn):
    from .conftest import publish

    w = drawn
    for sel in w.sels[:3]:
        publish(w, sel, problem=True)
    a, b, c = FollowUp.objects.order_by("pk")
    services.followup_dispose(
        actor=w.a_admin,
        followup=a,
        kind="credit",
        measure="重点监管",
        due_on=D(2026, 5, 20),
        on=D(2026, 5, 6),
    )
    services.outcome_record(actor=w.a_admin, followup=a, outcome="已列入重点监管", on=D(2026, 5, 15))
    services.followup_dispose(
        actor=w.a_admin,
        followup=b,
        kind="judicial",
        receiving_organ="鹿泉区公安分局",
        due_on=D(2026, 6, 30),
        on=D(2026, 5, 7),
    )
    region = w.county
    assert selectors.followup_counts(region, 2026, until=D(2026, 4, 29)) == dict(
        problems=0, disposed=0, closed=0, overdue=0
    )
    assert selectors.followup_counts(region, 2026, until=D(2026, 5, 10)) == dict(
        problems=3, disposed=2, closed=0, overdue=0
    )
    # c was never disposed: its 10-working-day deadline (5/18) has passed by 5/20
    assert selectors.followup_counts(region, 2026, until=D(2026, 5, 20)) == dict(
        problems=3, disposed=2, closed=1, overdue=1
    )
    assert selectors.followup_counts(region, 2026, until=D(2026, 7, 1)) == dict(
        problems=3, disposed=2, closed=1, overdue=2
    )
    assert selectors.followup_counts(region, 2026, until=D(2026, 7, 1), department=w.dept_b)["problems"] == 0
    assert selectors.followup_counts(region, 2027, until=D(2027, 7, 1))["problems"] == 0
    assert list(selectors.overdue_ledger(region, 2026, as_of=D(2026, 7, 1))) == [c, b]
    assert list(selectors.overdue_ledger(region, 2026, as_of=D(2026, 7, 1), department=w.dept_b)) == []
    assert (
        selectors.ledger_for(region, 2026).count() == 3 and selectors.ledger_for_task(w.task_a).count() == 3
    )
    assert c.get_absolute_url() == f"/followup/{c.pk}/"


@pytest.mark.django_db
def test_an_action_dated_in_the_future_is_refused(problem):
    w = problem
    with pytest.raises(DomainError, match="不能晚于今天"):
        services.followup_dispose(
            actor=w.a_admin, followup=w.fu, kind="credit", measure="x", due_on=D(2099, 1, 1), on=D(2099, 1, 1)
        )
    assert member_user(w.sels[0], w.dept_a) == w.a_inspector


@pytest.mark.django_db
def test_a_withdrawn_entry_refuses_actions_and_reopens_where_it_was(problem):
    from shuangsuiji.core.services import user_create

    w = problem
    sel, user = w.sels[0], w.a_inspector
    rev2 = user_create(
        actor=None, username="rev2", password="Rev2#2026pw", role="reviewer", department=w.dept_a
    )
    services.followup_dispose(
        actor=w.a_admin,
        followup=w.fu,
        kind="transfer",
        measure="移送",
        transfer_to=w.dept_b,
        due_on=D(2026, 6, 30),
        on=D(2026, 5, 6),
    )
    insp.correction_open(actor=w.a_admin, inspection=w.ins, reason="问题认定有误")
    insp.result_save(
        actor=user, selection=sel, item=w.items["A-1"], method="onsite", categories=["none_found"]
    )
    insp.inspection_submit(actor=user, selection=sel)
    insp.review_approve(actor=rev2, inspection=w.ins)
    fu = FollowUp.objects.get()
    assert fu.state == FollowUpState.WITHDRAWN and fu.withdrawn_from == FollowUpState.TRANSFER_PENDING
    with pytest.raises(DomainError, match="不能接收"):
        services.transfer_accept(actor=w.b_admin, followup=fu)
    with pytest.raises(DomainError, match="不能确定处置方式"):
        services.followup_dispose(
            actor=w.a_admin, followup=fu, kind="credit", measure="x", due_on=D(2026, 6, 30)
        )
    assert not selectors.inbox_for(w.b_admin).filter(state=FollowUpState.TRANSFER_PENDING).exists()
    insp.correction_open(actor=w.a_admin, inspection=w.ins, reason="复查仍有问题")
    insp.result_save(
        actor=user,
        selection=sel,
        item=w.items["A-1"],
        method="onsite",
        categories=["not_disclosed"],
        problem="仍未公示",
    )
    insp.inspection_submit(actor=user, selection=sel)
    insp.review_approve(actor=w.a_reviewer, inspection=w.ins)
    fu = FollowUp.objects.get()
    assert (fu.state, fu.kind, fu.transfer_to) == (
        FollowUpState.TRANSFER_PENDING,
        DispositionKind.TRANSFER,
        w.dept_b,
    )
    assert (
        services.transfer_accept(actor=w.b_admin, followup=fu, on=D(2026, 5, 8)).state
        == FollowUpState.IN_PROGRESS
    )
