import datetime as dt

import pytest

from shuangsuiji.core.models import AuditEntry
from shuangsuiji.followup import services
from shuangsuiji.followup.models import FollowUp, FollowUpState, ReturnVisitDraw, ReturnVisitFinding

from .conftest import publish

D = dt.date


@pytest.mark.django_db
def test_ledger_lists_filters_and_flags_overdue(problem, client_for, django_assert_max_num_queries):
    w = problem
    for sel in w.sels[1:4]:
        publish(w, sel, problem=True)
    a = FollowUp.objects.exclude(pk=w.fu.pk).order_by("pk").first()
    services.followup_dispose(
        actor=w.a_admin,
        followup=a,
        kind="credit",
        measure="重点监管",
        due_on=D(2026, 5, 20),
        on=D(2026, 5, 6),
    )
    services.outcome_record(actor=w.a_admin, followup=a, outcome="已列入", on=D(2026, 5, 15))
    c = client_for(w.a_admin)
    with django_assert_max_num_queries(12):
        page = c.get("/followup/").content.decode()
    assert (
        page.count('<span class="tag bad">已逾期</span>') == 3 and "共 4 条" in page
    )  # the three still pending are past their deadline
    assert "共 1 条" in c.get("/followup/?state=closed").content.decode()
    assert "共 3 条" in c.get("/followup/?overdue=on").content.decode()
    assert "共 1 条" in c.get("/followup/?kind=credit").content.decode()
    assert "共 3 条" in c.get("/followup/?kind=none").content.decode()
    assert "共 0 条" in c.get("/followup/?year=2025").content.decode()
    office = client_for(w.office).get(f"/followup/?department={w.dept_a.pk}").content.decode()
    assert "共 4 条" in office
    assert "共 0 条" in client_for(w.b_admin).get("/followup/").content.decode()
    assert client_for(w.far_admin).get(f"/followup/{w.fu.pk}/").status_code == 404
    assert client_for(w.b_admin).get(f"/followup/{w.fu.pk}/").status_code == 404
    assert client_for(w.auditor).get("/followup/").status_code == 403


@pytest.mark.django_db
def test_entry_page_dispose_transfer_inbox_and_close(problem, client_for):
    w = problem
    url = f"/followup/{w.fu.pk}/"
    c = client_for(w.a_admin)
    page = c.get(url).content.decode()
    assert "确定处置方式" in page and "问题登记入台账" in page  # the action and the history
    r = c.post(
        url,
        {"action": "dispose", "kind": "transfer", "measure": "", "on": "2026-05-06", "due_on": "2026-06-30"},
        follow=True,
    )
    assert "请填写移送事由" in r.content.decode() or "请选择接收部门" in r.content.decode()
    assert FollowUp.objects.get().state == FollowUpState.PENDING
    c.post(
        url,
        {
            "action": "dispose",
            "kind": "transfer",
            "measure": "属卫生健康职责",
            "transfer_to": w.dept_b.pk,
            "on": "2026-05-06",
            "due_on": "2026-06-30",
        },
    )
    assert FollowUp.objects.get().state == FollowUpState.TRANSFER_PENDING
    # the office reads but may not act; A may not accept its own transfer
    assert client_for(w.office).get(url).status_code == 200
    assert client_for(w.office).post(url, {"action": "accept"}).status_code == 403
    assert client_for(w.a_admin).post(url, {"action": "accept"}).status_code == 403
    b = client_for(w.b_admin)
    inbox = b.get("/followup/inbox/").content.decode()
    assert w.fu.target.name in inbox and "接收或退回" in inbox
    assert "接收" in b.get(url).content.decode()
    b.post(url, {"action": "accept"})
    b.post(url, {"action": "outcome", "outcome": "已责令办理卫生许可", "on": "2026-06-01"})
    fu = FollowUp.objects.get()
    assert fu.state == FollowUpState.CLOSED and fu.closed_on == D(2026, 6, 1)
    assert AuditEntry.objects.filter(object_id=str(fu.pk), action__startswith="followup.").count() == 4
    assert b.post(url, {"action": "nonsense"}).status_code == 403


@pytest.mark.django_db
def test_published_penalty_appears_on_the_public_pages(problem, client):
    w = problem
    services.followup_dispose(
        actor=w.a_admin, followup=w.fu, kind="case", case_number="立〔2026〕1号", on=D(2026, 5, 6)
    )
    services.outcome_record(
        actor=w.a_admin,
        followup=w.fu,
        outcome="处罚",
        penalty_decision_no="鹿市监罚〔2026〕7号",
        penalty_content="警告，罚款五千元",
        penalty_decided_on=D(2026, 6, 1),
        on=D(2026, 6, 5),
    )
    target = w.sels[0].target
    page = client.get("/public/results/", {"q": target.uscc}).content.decode()
    assert "行政处罚结果" in page and "鹿市监罚〔2026〕7号" in page and "警告，罚款五千元" in page
    # an enterprise without a penalty shows none
    other = publish(w, w.sels[1], problem=False)
    assert (
        "行政处罚结果"
        not in client.get("/public/results/", {"q": other.selection.target.uscc}).content.decode()
    )
    sel_page = client.get(f"/public/selection/{w.sels[0].token}/").content.decode()
    assert "鹿市监罚〔2026〕7号" in sel_page


@pytest.mark.django_db
def test_return_visit_pages(problem, client_for):
    w = problem
    for sel in w.sels[1:4]:
        publish(w, sel, problem=False)
    c = client_for(w.office)
    r = c.post("/followup/visits/", {"year": "2026", "share": "50", "public_value_source": ""})
    assert "公开随机值来源" in r.content.decode() and not ReturnVisitDraw.objects.exists()
    r = c.post(
        "/followup/visits/", {"year": "2026", "share": "50", "public_value_source": "次日福彩3D开奖号码"}
    )
    d = ReturnVisitDraw.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/followup/visits/{d.pk}/"
    page = c.get(r["Location"]).content.decode()
    assert "录入公开随机值并抽取" in page and d.server_secret() not in page
    c.post(r["Location"], {"action": "run", "public_value": ""})
    assert not d.visits.exists()
    c.post(r["Location"], {"action": "run", "public_value": "372"})
    d.refresh_from_db()
    page = c.get(r["Location"]).content.decode()
    assert "结果一致" in page and d.seed in page and d.visits.count() == 2
    v = d.visits.first()
    c.post(
        f"/followup/visits/{d.pk}/",
        {
            "visit": v.pk,
            f"v{v.pk}-conclusion": "poor",
            f"v{v.pk}-findings": ["perfunctory"],
            f"v{v.pk}-note": "未到现场",
            f"v{v.pk}-on": dt.date.today().isoformat(),
        },
    )
    assert ReturnVisitFinding.objects.get().careless
    assert client_for(w.a_admin).get("/followup/visits/").status_code == 403
    assert client_for(w.far_admin).get(f"/followup/visits/{d.pk}/").status_code == 403
    nav = client_for(w.office).get("/followup/").content.decode()
    assert "后续处置" in nav and "/followup/visits/" in nav
