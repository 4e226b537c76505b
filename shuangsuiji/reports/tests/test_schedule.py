"""R-ADM-2: the year's reporting schedule set by the office, liaisons submitting the monthly form and
the quarterly progress summary, and the office's view of who submitted, who is late, and what."""

import datetime as dt

import pytest
from django.urls import reverse

from shuangsuiji.core import services as core
from shuangsuiji.core.errors import DomainError, Forbidden
from shuangsuiji.core.models import AuditEntry, Role
from shuangsuiji.reports import selectors, services
from shuangsuiji.reports.models import QuarterlySummary, ReportSchedule
from shuangsuiji.reports.tests.kpi_scenario import Clock

D = dt.date
DATES = {
    "q1_due": D(2026, 4, 1),
    "q2_due": D(2026, 7, 1),
    "q3_due": D(2026, 9, 28),
    "q4_due": D(2026, 12, 29),
    "plan_publish_by": D(2026, 3, 31),
}
WEIGHTS = {a: "1" for a in services.SCHEDULE_WEIGHTS}


@pytest.mark.django_db
def test_the_office_sets_the_schedule(world):
    w = world
    # 清河's dates (seed 003): the 23rd, 4/1, 7/1, 9/28, 12/29
    s = services.schedule_save(actor=w.office, year=2026, monthly_due_day=23, dates=DATES, weights=WEIGHTS)
    assert s.monthly_due_day == 23 and s.q3_due == D(2026, 9, 28)
    assert selectors.monthly_due(s, 6) == D(2026, 7, 23) and selectors.monthly_due(s, 12) == D(2027, 1, 23)
    assert AuditEntry.objects.filter(action="report.schedule").count() == 1
    bad = [
        ({"monthly_due_day": 31}, "月报表报送日"),
        ({"dates": DATES | {"q2_due": D(2026, 3, 1)}}, "依次排列"),
        ({"dates": DATES | {"plan_publish_by": None}}, "年度抽查计划公示截止"),
        ({"dates": DATES | {"q1_due": D(2024, 4, 1)}}, "须在 2026 年内"),
        ({"weights": WEIGHTS | {"w_voided": "-1"}}, "方案/抽取作废"),
        ({"weights": WEIGHTS | {"w_careless": "很多"}}, "回访发现随意录入等"),
    ]
    for change, message in bad:
        args = {"monthly_due_day": 20, "dates": DATES, "weights": WEIGHTS} | change
        with pytest.raises(DomainError) as e:
            services.schedule_save(actor=w.office, year=2026, **args)
        assert message in e.value.message
    s.refresh_from_db()
    assert s.monthly_due_day == 23 and AuditEntry.objects.filter(action="report.schedule").count() == 1
    for actor in (w.a_admin, w.sysadmin, w.auditor):
        with pytest.raises(Forbidden):
            services.schedule_save(actor=actor, year=2026, monthly_due_day=20, dates=DATES, weights=WEIGHTS)
    # the page
    from django.test import Client

    c = Client()
    c.force_login(w.office)
    r = c.post(
        reverse("reports:schedule") + "?year=2027",
        {"monthly_due_day": "20", **{k: f"2027-{v:%m-%d}" for k, v in DATES.items()}, **WEIGHTS},
    )
    assert r.status_code == 302 and ReportSchedule.objects.get(year=2027).q4_due == D(2027, 12, 29)
    c.force_login(w.a_admin)
    assert c.get(reverse("reports:schedule")).status_code == 403


@pytest.mark.django_db
def test_who_submitted_who_is_late(world, monkeypatch, client_for):
    w = world
    clock = Clock(monkeypatch)
    e = core.department_create(actor=None, name="生态环境分局", region=w.county)
    liaison = core.user_create(
        actor=None, username="m_liaison", password="Liai#2026pw", role=Role.INSPECTOR, department=w.dept_a
    )
    w.dept_a.liaison = liaison
    w.dept_a.save()
    services.schedule_save(actor=w.office, year=2026, monthly_due_day=20, dates=DATES, weights=WEIGHTS)
    clock.at(D(2026, 7, 15))
    services.monthly_submit(actor=liaison, department=w.dept_a, year=2026, month=6)  # due 07-20
    clock.at(D(2026, 6, 30))
    services.quarterly_submit(
        actor=liaison, department=w.dept_a, year=2026, quarter=2, text="二季度完成抽查任务三项。"
    )
    clock.at(D(2026, 8, 22))
    services.monthly_submit(actor=w.b_admin, department=w.dept_b, year=2026, month=7)  # due 08-20
    # refused: another department's report, the office, an empty summary, a quarter not begun
    with pytest.raises(Forbidden):
        services.monthly_submit(actor=w.b_admin, department=w.dept_a, year=2026, month=7)
    with pytest.raises(Forbidden):
        services.quarterly_submit(actor=w.office, department=w.dept_a, year=2026, quarter=3, text="x")
    with pytest.raises(Forbidden):
        services.quarterly_submit(actor=w.a_inspector, department=w.dept_a, year=2026, quarter=3, text="x")
    with pytest.raises(DomainError, match="请填写工作进展情况"):
        services.quarterly_submit(actor=liaison, department=w.dept_a, year=2026, quarter=3, text="  ")
    with pytest.raises(DomainError, match="尚未开始"):
        services.quarterly_submit(actor=liaison, department=w.dept_a, year=2026, quarter=4, text="x")
    assert QuarterlySummary.objects.count() == 1
    assert AuditEntry.objects.filter(action="report.quarterly").count() == 1

    today = D(2026, 8, 25)
    grid = {d: (months, quarters) for d, months, quarters in selectors.submission_grid(w.office, 2026, today)}
    assert set(grid) == {w.dept_a, w.dept_b, e}  # the office itself and the other county are not listed
    a_months, a_quarters = grid[w.dept_a]
    assert [s.status for s in a_months[:8]] == ["late"] * 5 + ["submitted", "late", "not_due"]
    assert a_quarters[1].status == "submitted" and a_quarters[0].status == "late"
    assert a_quarters[2].status == "not_due"
    assert grid[w.dept_b][0][6].status == "submitted_late"
    assert grid[e][0][5].status == "late" and grid[e][0][7].status == "not_due"
    late = selectors.late_slots(selectors.submission_grid(w.office, 2026, today))
    assert (e, "monthly", 7) in {(s.department, s.kind, s.period) for s in late}
    assert (w.dept_b, "monthly", 7) not in {(s.department, s.kind, s.period) for s in late}

    # the office's page: statuses, the submitted versions viewable; a department sees only itself
    clock.reset()
    page = client_for(w.office).get(reverse("reports:submissions") + "?year=2026").content.decode()
    assert f'data-slot="{w.dept_a.pk}-monthly-6" data-status="submitted"' in page
    assert f'data-slot="{w.dept_b.pk}-monthly-7" data-status="submitted_late"' in page
    assert "m_liaison" in page
    sub = w.dept_a.monthly_reports.get(month=6)
    detail = client_for(w.office).get(reverse("reports:monthly_submission", args=[sub.pk]))
    assert detail.status_code == 200 and "报送版本" in detail.content.decode()
    q = QuarterlySummary.objects.get()
    assert (
        "二季度完成抽查任务三项"
        in client_for(w.office).get(reverse("reports:quarterly_detail", args=[q.pk])).content.decode()
    )
    assert client_for(w.b_admin).get(reverse("reports:quarterly_detail", args=[q.pk])).status_code == 404
    assert client_for(w.b_admin).get(reverse("reports:monthly_submission", args=[sub.pk])).status_code == 404
    own = client_for(w.b_admin).get(reverse("reports:submissions") + "?year=2026").content.decode()
    assert w.dept_b.name in own and f'data-slot="{w.dept_a.pk}-' not in own
    for user in (w.auditor, w.sysadmin, w.a_inspector):
        assert client_for(user).get(reverse("reports:submissions")).status_code == 403


@pytest.mark.django_db
def test_quarterly_page_submits(world, client_for):
    w = world
    c = client_for(w.a_admin)
    url = reverse("reports:quarterly") + "?year=2026"
    r = c.post(url, {"quarter": "1", "text": ""})
    assert r.status_code == 200 and "请填写工作进展情况" in r.content.decode()
    r = c.post(url, {"quarter": "1", "text": "一季度：完成计划公示。"})
    assert r.status_code == 302
    s = QuarterlySummary.objects.get(department=w.dept_a, quarter=1)
    assert s.submitted_by == w.a_admin and s.snapshot["through_month"] == 3
    assert client_for(w.office).post(url, {"quarter": "1", "text": "x"}).status_code == 403
