"""Issue 5's scenario (T1–T5), built through the services: shared by the report tests and the
browser walk. All through June 2026, departments M 市场监管局 (world.dept_a), H 卫生健康局
(world.dept_b), E 生态环境局 (created here).

T1: M alone, quotas per risk class, 10 企业; M finished 8, problems at 2.
T2: M internal joint (two business lines), a total count, 5 drawn (3 企业, 2 个体工商户); M finished 5,
    problem at 1 个体工商户.
T3: 部门联合, M leads, H joins, quotas per risk class, 6 企业; M finished 6, problem at 1; H finished 5,
    problems at 2 (one the same target as M's).
T4: E alone, a total count, 4 construction projects (非市场主体); E finished 4, problem at 1.
T5: M alone, quotas per risk class; first draw voided with a reason, redraw of 3 企业; none finished."""

import datetime as dt
import itertools

from django.utils import timezone

from conftest import make_ric, make_uscc
from shuangsuiji.core import services as core
from shuangsuiji.core.models import Role
from shuangsuiji.demo import clock
from shuangsuiji.directory import services as directory
from shuangsuiji.directory.models import Item, ItemStatus, Tag, TagLibrary, Target, TargetSupervision
from shuangsuiji.draw import services as draws
from shuangsuiji.draw import voids, witnesses
from shuangsuiji.inspection import services as insp
from shuangsuiji.planning import services as planning

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
        # a password unlike every "ins<n>": the counter runs on across the scenarios of one process,
        # and Django refuses a password too similar to its user name (ins202 ~ Ins#2026pw)
        user = core.user_create(
            actor=None, username=f"ins{i}", password="Tq#Lv82-Wk", role=Role.INSPECTOR, department=dept
        )
        insp_ = directory.inspector_create(
            actor=admin,
            department=dept,
            name=f"检查员{i}",
            id_number=make_ric(
                f"1301021990{k % 9 + 1:02d}{10 + i % 18:02d}{i % 1000:03d}"
            ),  # 18 digits past ins999
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
        # announced and witnessed before the public value of 9:25 on the draw's morning
        with clock.at(JUNE_DRAW.date(), 9, 0):
            d = draws.draw_announce(
                actor=admin,
                task=task,
                draw_at=JUNE_DRAW,
                public_value_source="福彩3D开奖号码",
                public_value_at=JUNE_DRAW - dt.timedelta(minutes=5),
            )
            tokens = {}
            for k, num in ((1, "1234"), (2, "5678")):
                _, tokens[k] = witnesses.witness_invite(
                    actor=admin, draw=d, label=f"见证人{k}", description="见证"
                )
                witnesses.witness_commit(token=tokens[k], number=num)
        for k, num in ((1, "1234"), (2, "5678")):
            witnesses.witness_reveal(token=tokens[k], number=num)
        d = draws.draw_run(actor=admin, draw=d, now=JUNE_DRAW, public_value="123")
        if void and attempt == 0:
            voids.void_confirm(
                actor=w.office, request=voids.void_request(actor=admin, draw=d, reason="other", text=void)
            )
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


def build_scenario(world):
    """Build T1–T5 on `world`; returns it with .m, .h, .e, .e_admin, .tasks, .draws, .targets."""
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
    w.m, w.h, w.e, w.e_admin = m, h, e, e_admin
    w.tasks = {"T1": T1, "T2": T2, "T3": T3, "T4": T4, "T5": T5}
    w.draws = {"T1": d1, "T2": d2, "T3": d3, "T4": d4}
    w.targets = {"T1": t1, "T2": t2, "T3": t3, "T4": t4}
    w.plans = plans
    return w
