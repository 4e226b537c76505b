"""Issue 5's scenario, built through the services, and every cell of seed 003's form for June.

T1: M alone, quotas per risk class, 10 企业; M finished 8, problems at 2.
T2: M internal joint (two business lines), a total count, 5 drawn (3 企业, 2 个体工商户); M finished 5,
    problem at 1 个体工商户.
T3: 部门联合, M leads, H joins, quotas per risk class, 6 企业; M finished 6, problem at 1; H finished 5,
    problems at 2 (one the same target as M's).
T4: E alone, a total count, 4 construction projects (非市场主体); E finished 4, problem at 1.
T5: M alone, quotas per risk class; first draw voided with a reason, redraw of 3 企业; none finished."""

import datetime as dt
import itertools

import pytest
from django.utils import timezone

from conftest import make_ric, make_uscc
from shuangsuiji.core import services as core
from shuangsuiji.core.models import Role
from shuangsuiji.directory import services as directory
from shuangsuiji.directory.models import Item, ItemStatus, Tag, TagLibrary, Target, TargetSupervision
from shuangsuiji.draw import services as draws
from shuangsuiji.inspection import services as insp
from shuangsuiji.planning import services as planning
from shuangsuiji.reports.monthly import monthly

D = dt.date
JUNE_DRAW = timezone.make_aware(dt.datetime(2026, 6, 2, 9, 30))
ALL = {"A": "1", "B": "1", "C": "1", "D": "1"}
_ids = itertools.count(1)


def _targets(world, tag, kinds, depts):
    out = []
    for kind in kinds:
        n = next(_ids)
        if kind == "project":
            t = Target.objects.create(
                kind=kind,
                nonmarket_key=f"XM-{n:03d}",
                key_display=f"XM-{n:03d}",
                name=f"项目{n}",
                region=world.county,
            )
        else:
            t = Target.objects.create(
                kind=kind,
                uscc=make_uscc(f"9{'1' if kind == 'enterprise' else '2'}130110MA0C{n:05d}"),
                name=f"主体{n}",
                region=world.county,
                risk_class="ABCD"[n % 4],
            )
        t.tags.add(tag)
        for d in depts:
            TargetSupervision.objects.create(target=t, department=d)
        out.append(t)
    return out


def _inspectors(dept, admin, lines, n=4):
    users = []
    for k in range(n):
        i = next(_ids)
        user = core.user_create(
            actor=None, username=f"ins{i}", password="Ins#2026pw", role=Role.INSPECTOR, department=dept
        )
        insp_ = directory.inspector_create(
            actor=admin,
            department=dept,
            name=f"检查员{i}",
            id_number=make_ric(f"1301021990{k % 9 + 1:02d}{10 + i % 18:02d}{i:03d}"),
            certificate_no=f"冀{i:06d}",
            certificate_expiry=D(2027, 12, 31),
            business_line=lines[k % len(lines)] if lines else None,
        )
        insp_.user = user
        insp_.save()
        users.append(user)
    return users


def _run(w, admin, task, void: str | None = None):
    for attempt in range(2 if void else 1):
        task.refresh_from_db()
        d = draws.draw_announce(actor=admin, task=task, draw_at=JUNE_DRAW)
        for k, num in ((1, "1234"), (2, "5678")):
            draws.witness_commit(actor=admin, draw=d, label=f"见证人{k}", description="见证", number=num)
        for k, num in ((1, "1234"), (2, "5678")):
            draws.witness_reveal(actor=admin, draw=d, label=f"见证人{k}", number=num)
        d = draws.draw_run(actor=admin, draw=d, now=JUNE_DRAW)
        if void and attempt == 0:
            draws.draw_void(actor=admin, draw=d, reason=void)
    draws.teams_draw(actor=admin, draw=d)
    return d


FINISHED_ON = D(2026, 6, 20)


def _inspect(draw, dept, finished: list, problems: list, on=FINISHED_ON):
    """Finish the given targets for `dept`; `problems` (a subset) get a problem result."""
    for t in finished:
        sel = draw.selections.get(target=t)
        user = sel.team.filter(active=True, department=dept).first().inspector.user
        for item in insp._department_items(sel, dept):
            if t in problems:
                insp.result_save(
                    actor=user,
                    selection=sel,
                    item=item,
                    method="onsite",
                    categories=["pending_followup"],
                    problem="发现问题",
                )
            else:
                insp.result_save(
                    actor=user, selection=sel, item=item, method="onsite", categories=["none_found"]
                )
        insp.inspection_finish(actor=user, selection=sel, finished_on=on)


@pytest.fixture
def scenario(world):
    w = world
    m, h = w.dept_a, w.dept_b
    e = core.department_create(actor=None, name="生态环境分局", region=w.county)
    e_admin = core.user_create(
        actor=None, username="e_admin", password="Eadm#2026pw", role=Role.DEPT_ADMIN, department=e
    )
    admins = {m: w.a_admin, h: w.b_admin, e: e_admin}
    items = {}
    for dept, codes in ((m, ["M1", "M2"]), (h, ["H1"]), (e, ["E1"])):
        for code in codes:
            item = Item.objects.create(
                region=w.county,
                code=code,
                name=f"事项{code}",
                methods=["onsite"],
                status=ItemStatus.PUBLISHED,
            )
            directory.item_claim(actor=admins[dept], item=item)
            items[code] = item
    tags = {
        n: Tag.objects.create(library=TagLibrary.TARGET, name=n, region=w.county)
        for n in ("T1", "T2", "T3", "T4", "T5")
    }
    t1 = _targets(w, tags["T1"], ["enterprise"] * 10, [m])
    t2 = _targets(w, tags["T2"], ["enterprise"] * 3 + ["individual"] * 2, [m])
    t3 = _targets(w, tags["T3"], ["enterprise"] * 6, [m, h])
    t4 = _targets(w, tags["T4"], ["project"] * 4, [e])
    _targets(w, tags["T5"], ["enterprise"] * 3, [m])
    _inspectors(m, w.a_admin, [w.line_a1, w.line_a2])
    _inspectors(h, w.b_admin, None)
    _inspectors(e, e_admin, None)
    plans = {d: planning.plan_create(actor=admins[d], year=2026) for d in (m, e)}
    win = dict(window_start=D(2026, 6, 1), window_end=D(2026, 9, 30))
    T1 = planning.task_save(
        actor=w.a_admin,
        plan=plans[m],
        name="T1",
        items=[items["M1"]],
        ratios=ALL,
        scope_tags=[tags["T1"]],
        **win,
    )
    T2 = planning.task_save(
        actor=w.a_admin,
        plan=plans[m],
        name="T2",
        mode="internal_joint",
        business_lines=[w.line_a1, w.line_a2],
        items=[items["M1"], items["M2"]],
        quota_mode="total",
        total=5,
        scope_tags=[tags["T2"]],
        **win,
    )
    T3 = planning.task_save(
        actor=w.a_admin,
        plan=plans[m],
        name="T3",
        mode="joint",
        departments=[h],
        items=[items["M1"], items["H1"]],
        ratios=ALL,
        scope_tags=[tags["T3"]],
        **win,
    )
    T5 = planning.task_save(
        actor=w.a_admin,
        plan=plans[m],
        name="T5",
        items=[items["M2"]],
        ratios=ALL,
        scope_tags=[tags["T5"]],
        **win,
    )
    T4 = planning.task_save(
        actor=e_admin,
        plan=plans[e],
        name="T4",
        items=[items["E1"]],
        quota_mode="total",
        total=4,
        scope_tags=[tags["T4"]],
        **win,
    )
    for d, plan in plans.items():
        planning.plan_submit(actor=admins[d], plan=plan)
        planning.plan_approve(actor=w.office, plan=plan)
    d1, d2, d3 = _run(w, w.a_admin, T1), _run(w, w.a_admin, T2), _run(w, w.a_admin, T3)
    d4 = _run(w, e_admin, T4)
    _run(w, w.a_admin, T5, void="范围设置错误")  # drawn, voided, redrawn; nothing finished
    _inspect(d1, m, t1[:8], t1[:2])
    _inspect(d2, m, t2, [t2[3]])  # a 个体工商户
    _inspect(d3, m, t3, [t3[0]])
    _inspect(d3, h, t3[:5], [t3[0], t3[1]])  # one the same target as M's
    _inspect(d4, e, t4, [t4[0]])
    w.m, w.h, w.e = m, h, e
    return w


ROWS = ("total", "internal", "joint", "market", "credit")


@pytest.mark.django_db
def test_every_cell_of_the_june_report(scenario):
    w = scenario
    per_dept, summed, distinct = monthly("130110", 2026, 6)
    got = {d: {k: per_dept[d].rows[k].as_tuple() for k in ROWS} for d in per_dept}
    assert got[w.m] == {
        "total": (4, 24, 19, 4),
        "internal": (3, 18, 13, 3),
        "joint": (1, 6, 6, 1),
        "market": (4, 24, 19, 4),
        "credit": (3, 19, 14, 3),
    }
    assert got[w.h] == {
        "total": (1, 6, 5, 2),
        "internal": (0, 0, 0, 0),
        "joint": (1, 6, 5, 2),
        "market": (1, 6, 5, 2),
        "credit": (1, 6, 5, 2),
    }
    assert got[w.e] == {
        "total": (1, 4, 4, 1),
        "internal": (1, 4, 4, 1),
        "joint": (0, 0, 0, 0),
        "market": (0, 0, 0, 0),
        "credit": (0, 0, 0, 0),
    }
    assert summed.rows["total"].as_tuple() == (6, 34, 28, 7)
    assert distinct.rows["total"].as_tuple() == (5, 28, 22, 6)


@pytest.mark.django_db
def test_cumulative_to_the_months_end(scenario):
    per_dept, summed, _ = monthly("130110", 2026, 5)  # drawn in June: nothing yet in May
    assert summed.rows["total"].as_tuple() == (0, 0, 0, 0) and not per_dept


@pytest.mark.django_db
def test_department_fills_submits_and_exports_the_form(scenario, client_for):
    import io

    import openpyxl
    from django.urls import reverse

    from shuangsuiji.core.models import AuditEntry
    from shuangsuiji.reports.models import MonthlySubmission

    w = scenario
    url = reverse("reports:monthly") + "?year=2026&month=6"
    c = client_for(w.a_admin)
    page = c.get(url).content.decode()
    assert "市场监督管理局" in page and "河北双随机执法监管平台" in page
    bad = {f"internal_{i}": v for i, v in enumerate(["1", "2", "5", "0"])}
    c.post(url, {**bad, "action": "save"})
    assert not MonthlySubmission.objects.exists()  # finished > households: refused, nothing saved
    other = {f"internal_{i}": v for i, v in enumerate(["2", "10", "8", "1"])}
    c.post(url, {**other, "contact": "张三", "phone": "0311-8000000", "action": "submit"})
    sub = MonthlySubmission.objects.get(department=w.m, year=2026, month=6)
    assert (
        sub.other_platform["internal"] == [2, 10, 8, 1] and sub.submitted_at and sub.submitted_by == w.a_admin
    )
    assert sub.snapshot["total"] == [4, 24, 19, 4]
    assert AuditEntry.objects.filter(action="report.submit").count() == 1
    wb = openpyxl.load_workbook(io.BytesIO(c.get(url + "&format=xlsx").content))
    ws = wb.active
    values = [[ws.cell(row=r, column=col).value for col in range(4, 8)] for r in range(6, 11)]
    assert values == [[4, 24, 19, 4], [3, 18, 13, 3], [1, 6, 6, 1], [4, 24, 19, 4], [3, 19, 14, 3]]
    assert [ws.cell(row=11, column=col).value for col in range(4, 8)] == [2, 10, 8, 1]
    assert "市场监督管理局" in ws["A3"].value
    # The office sees the jurisdiction (both counts) and who has submitted
    office_page = client_for(w.office).get(url).content.decode()
    assert (
        "每个任务和对象只计一次" in office_page
        and sub.submitted_at.astimezone().strftime("%Y-%m-%d") in office_page
    )
    # Another department's admin cannot fill department M's form
    assert client_for(w.b_admin).get(url).status_code == 200  # sees its own
    assert "卫生健康局" in client_for(w.b_admin).get(url).content.decode()
