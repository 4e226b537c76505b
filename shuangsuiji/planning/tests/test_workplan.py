"""实施方案任务分工 (R-ADM-3): entered by the office, read across the jurisdiction, done, reopened,
late ones listed."""

import datetime as dt

import pytest

from shuangsuiji.core.errors import DomainError, Forbidden
from shuangsuiji.core.models import AuditEntry
from shuangsuiji.planning import selectors, services
from shuangsuiji.planning.models import Milestone
from shuangsuiji.planning.presets import BY_KEY, PRESETS

D = dt.date


@pytest.mark.django_db
def test_preset_loads_the_seed_assignments_once(world):
    made = services.milestones_from_preset(actor=world.office, preset="guantao-gaj-2026")
    p = BY_KEY["guantao-gaj-2026"]
    assert len(made) == len(p.assignments) == 9
    first = Milestone.objects.get(year=2026, order=1)
    assert first.unit_name == "治安管理大队、网络安全保卫大队、刑事侦查大队"
    assert first.due_on == D(2026, 3, 31) and first.due_text == "3月底前"
    ongoing = Milestone.objects.filter(year=2026, due_on__isnull=True)
    assert ongoing.count() == 4 and all(m.due_text == "持续推进" for m in ongoing)
    # Loading again adds nothing; for another year it is a fresh list.
    assert services.milestones_from_preset(actor=world.office, preset="guantao-gaj-2026") == []
    assert Milestone.objects.filter(year=2026).count() == 9
    again = services.milestones_from_preset(actor=world.office, preset="guantao-gaj-2026", year=2027)
    assert {m.due_on for m in again if m.due_on} == {
        D(2027, 3, 31),
        D(2027, 6, 20),
        D(2027, 9, 20),
        D(2027, 12, 20),
        D(2027, 3, 20),
    }
    assert AuditEntry.objects.filter(action="milestone.preset").count() == 3
    with pytest.raises(DomainError, match="没有名为"):
        services.milestones_from_preset(actor=world.office, preset="nowhere")
    with pytest.raises(Forbidden):
        services.milestones_from_preset(actor=world.a_admin, preset="luquan-2026")


@pytest.mark.django_db
def test_every_preset_has_assignments_with_deadlines_in_its_year(world):
    for p in PRESETS:
        made = services.milestones_from_preset(actor=world.office, preset=p.key)
        assert made and all(m.year == p.year for m in made)
        assert all(m.due_on is None or m.due_on.year == p.year for m in made)
        assert all(m.unit_name for m in made)
    qhd = Milestone.objects.filter(year=2023)
    assert qhd.filter(content__contains="归档").exists()  # 秦皇岛: archive after every task


@pytest.mark.django_db
def test_save_validates_and_nothing_half_saved(world):
    w = world
    before = AuditEntry.objects.count()
    with pytest.raises(DomainError, match="请填写工作任务"):
        services.milestone_save(actor=w.office, year=2026, content=" ", unit_name="各成员单位")
    with pytest.raises(DomainError, match="责任部门或填写责任单位"):
        services.milestone_save(actor=w.office, year=2026, content="完成分类标注")
    with pytest.raises(DomainError, match="不是本辖区的部门"):
        services.milestone_save(
            actor=w.office, year=2026, content="完成分类标注", departments=[w.other_county_dept]
        )
    with pytest.raises(DomainError, match="须在 2026 年内"):
        services.milestone_save(
            actor=w.office, year=2026, content="完成分类标注", unit_name="各成员单位", due_on=D(2027, 1, 5)
        )
    with pytest.raises(Forbidden):
        services.milestone_save(actor=w.a_admin, year=2026, content="完成分类标注", unit_name="各成员单位")
    assert Milestone.objects.count() == 0 and AuditEntry.objects.count() == before
    m = services.milestone_save(
        actor=w.office,
        year=2026,
        content="完成检查对象分类标注",
        departments=[w.dept_a, w.dept_b],
        due_on=D(2026, 3, 31),
        due_text="3月底前",
    )
    assert set(m.departments.all()) == {w.dept_a, w.dept_b} and m.order == 1
    e = AuditEntry.objects.get(action="milestone.create")
    assert e.actor_id == w.office.pk and "市场监督管理局、卫生健康局" in e.summary
    m = services.milestone_save(
        actor=w.office,
        milestone=m,
        year=2026,
        content="完成检查对象和执法人员分类标注",
        departments=[w.dept_a],
    )
    assert list(m.departments.all()) == [w.dept_a] and m.due_on is None
    assert AuditEntry.objects.filter(action="milestone.update", object_id=str(m.pk)).exists()


@pytest.mark.django_db
def test_done_reopen_and_late_list(world):
    w = world
    services.milestones_from_preset(actor=w.office, preset="luquan-2026")
    qs = selectors.milestones_for(w.office, 2026)
    q1 = qs.get(due_on=D(2026, 3, 23))
    q2 = qs.get(due_on=D(2026, 6, 22))
    today = D(2026, 7, 10)
    assert set(selectors.late_milestones(qs, today)) == {q1, q2}
    assert set(selectors.late_milestones(qs, D(2026, 3, 23))) == set()  # the deadline day is in time
    assert set(selectors.late_milestones(qs, D(2026, 3, 24))) == {q1}

    with pytest.raises(DomainError, match="不能晚于今天"):
        services.milestone_done(actor=w.office, milestone=q1, done_on=D(2026, 7, 11), today=today)
    with pytest.raises(Forbidden):
        services.milestone_done(actor=w.a_admin, milestone=q1, today=today)
    q1 = services.milestone_done(
        actor=w.office, milestone=q1, done_on=D(2026, 3, 20), note="已报送", today=today
    )
    assert q1.done_by == w.office and q1.done_note == "已报送"
    q2 = services.milestone_done(actor=w.office, milestone=q2, today=today)
    assert q2.done_on == today
    e = AuditEntry.objects.filter(action="milestone.done").order_by("-seq").first()
    assert e.detail["late"] is True and "逾期" in e.summary
    with pytest.raises(DomainError, match="已于 2026-07-10 确认完成"):
        services.milestone_done(actor=w.office, milestone=q2, today=today)
    assert set(selectors.late_milestones(qs, today)) == set()

    with pytest.raises(DomainError, match="原因"):
        services.milestone_reopen(actor=w.office, milestone=q2, reason="")
    q2 = services.milestone_reopen(actor=w.office, milestone=q2, reason="报送内容不全，需补报")
    assert q2.done_on is None and q2.done_by is None
    assert set(selectors.late_milestones(qs, today)) == {q2}
    with pytest.raises(DomainError, match="无需重新打开"):
        services.milestone_reopen(actor=w.office, milestone=q2, reason="再次")
    assert AuditEntry.objects.filter(action="milestone.reopen", object_id=str(q2.pk)).count() == 1


@pytest.mark.django_db
def test_who_reads_the_milestones(world):
    w = world
    services.milestones_from_preset(actor=w.office, preset="luquan-2026")
    n = len(BY_KEY["luquan-2026"].assignments)
    for user in (w.office, w.a_admin, w.a_reviewer, w.a_inspector, w.b_admin):
        assert selectors.milestones_for(user, 2026).count() == n
    for user in (w.far_admin, w.sysadmin, w.auditor):
        assert selectors.milestones_for(user, 2026).count() == 0


@pytest.mark.django_db
def test_workplan_pages(world, client_for):
    w = world
    c = client_for(w.office)
    r = c.post("/planning/workplan/", {"action": "preset", "p-preset": "luquan-2026", "p-year": 2026})
    assert r.status_code == 302 and Milestone.objects.filter(year=2026).count() == 9
    m = Milestone.objects.get(year=2026, due_on=D(2026, 3, 23))
    r = c.post(f"/planning/workplan/{m.pk}/", {"action": "done", "done_on": "2026-03-20", "note": "按时报送"})
    assert r.status_code == 302
    m.refresh_from_db()
    assert m.done_on == D(2026, 3, 20)
    r = c.post(
        "/planning/workplan/",
        {"action": "add", "year": 2026, "content": "", "unit_name": "各成员单位", "due_on": "2026-05-01"},
    )
    assert r.status_code == 200 and "这个字段是必填项" in r.content.decode()
    r = c.post(
        "/planning/workplan/",
        {
            "action": "add",
            "year": 2026,
            "content": "调整领导小组成员单位",
            "departments": [w.dept_a.pk],
            "due_on": "2026-05-01",
        },
    )
    assert r.status_code == 302
    r = c.post(f"/planning/workplan/{m.pk}/", {"action": "reopen", "reason": ""})
    assert r.status_code == 302
    m.refresh_from_db()
    assert m.done_on is not None  # refused: no reason

    page = client_for(w.a_inspector).get("/planning/workplan/?year=2026").content.decode()
    assert "调整领导小组成员单位" in page and 'class="mine"' in page and "确认完成" not in page
    assert client_for(w.a_admin).post(f"/planning/workplan/{m.pk}/", {"action": "done"}).status_code == 403
    assert client_for(w.a_admin).post("/planning/workplan/", {"action": "preset"}).status_code == 403


@pytest.mark.django_db
def test_demo_loader_leaves_some_done_and_some_late(world):
    from shuangsuiji.demo import workplan as demo

    today = D(2025, 11, 23)  # a past year: the demo clock never writes in the future
    counts = demo.load(world.county, 2025, today)
    qs = selectors.milestones_for(world.office, 2025)
    assert counts == {"milestones": 11, "milestones_done": qs.filter(done_on__isnull=False).count()}
    late = set(selectors.late_milestones(qs, today).values_list("content", flat=True))
    assert late == {demo.LEFT_LATE, "利用分类标签库完成本单位检查对象和执法检查人员的分类标注"}
    assert counts["milestones_done"] == 3  # Q1, Q2 reports and the 5-15 one; the rest not yet due
    done = AuditEntry.objects.filter(action="milestone.done").order_by("seq").first()
    assert done.at.date() == D(2025, 3, 21)  # recorded on the day it happened


@pytest.mark.django_db
def test_workplan_page_queries_do_not_grow_with_rows(world, client_for):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    w = world
    c = client_for(w.a_admin)
    services.milestone_save(actor=w.office, year=2026, content="一", departments=[w.dept_a, w.dept_b])
    with CaptureQueriesContext(connection) as few:
        assert c.get("/planning/workplan/?year=2026").status_code == 200
    services.milestones_from_preset(actor=w.office, preset="luquan-2026")
    for n in range(5):
        services.milestone_save(actor=w.office, year=2026, content=f"任务{n}", departments=[w.dept_a])
    with CaptureQueriesContext(connection) as many:
        page = c.get("/planning/workplan/?year=2026").content.decode()
    assert page.count("<tr") > 15 and len(many) == len(few)
