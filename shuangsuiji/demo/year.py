"""The demo county's year to date (JOURNEYS.md January–November): the year's goals from the 鹿泉区
2026 preset, the county's 一业一查 lists, every department's published plan, its tasks drawn month
by month (joint ones, one voided and redrawn) with their teams, inspections finished, reviewed and
published through the year (a few late, some still open, one overdue), then follow-up. Every step
goes through the same services a clerk's clicks do, on the day it happened (`clock.at`)."""

import datetime as dt
import random

from django.utils import timezone

from shuangsuiji.core.models import Department, User
from shuangsuiji.directory import services as directory
from shuangsuiji.directory.models import Item, ItemStatus, RegistrationStatus
from shuangsuiji.draw import services as draws
from shuangsuiji.draw import voids, witnesses
from shuangsuiji.planning import services as planning
from shuangsuiji.planning.models import AnnualPlan

from . import clock
from . import followup as followup_demo
from . import reports as reports_demo
from . import triggers as triggers_demo
from . import watch as watch_demo
from . import workplan as workplan_demo
from .clock import at
from .county import COUNTY, SEED

YEAR = 2026
D = dt.date


def is_loaded() -> bool:
    return AnnualPlan.objects.filter(department__region_id=COUNTY, year=YEAR).exists()


def _dept(suffix: str) -> Department:
    return Department.objects.get(region_id=COUNTY, name__endswith=suffix)


def _admin(dept: Department) -> User:
    return User.objects.get(department=dept, role="dept_admin")


def _item(name: str) -> Item:
    return Item.objects.get(region_id=COUNTY, name=name, status=ItemStatus.PUBLISHED)


def build() -> dict:
    with at(D(YEAR, 1, 6)):
        counts = _build()
    # follow-up records its own dates (each disposition's day), up to today
    counts |= followup_demo.load(COUNTY, YEAR, clock.today())
    counts |= triggers_demo.load(COUNTY, YEAR, clock.today())
    counts |= watch_demo.load(COUNTY, YEAR, clock.today())
    counts |= reports_demo.load(COUNTY, YEAR, clock.today())
    return counts | workplan_demo.load(COUNTY, YEAR, clock.today())


def _build() -> dict:
    rng = random.Random(SEED + 1)
    office = User.objects.get(username="office")
    planning.goals_from_preset(actor=office, preset="luquan-2026", year=YEAR)

    scjg, wsjk, xfjy = _dept("市场监督管理局"), _dept("卫生健康局"), _dept("消防救援大队")
    jyj, yjgl = _dept("教育局"), _dept("应急管理局")
    food, hygiene, crowd = (
        _item("餐饮服务食品安全检查"),
        _item("公共场所卫生监督检查"),
        _item("人员密集场所消防检查"),
    )
    school, ads, safety = (
        _item("校外培训机构办学行为检查"),
        _item("广告发布行为的检查"),
        _item("工贸企业安全生产检查"),
    )
    catering = planning.joint_list_save(
        actor=office,
        name="餐饮",
        lead=scjg,
        participants=[wsjk, xfjy],
        items=[food, hygiene, crowd],
        industries=["62"],
        note="细化自石家庄市“一业一查”部门联合随机抽查事项清单",
    )
    training = planning.joint_list_save(
        actor=office,
        name="校外培训",
        lead=jyj,
        participants=[scjg, yjgl],
        items=[school, ads, safety],
        industries=["83"],
    )

    plans, tasks = {}, {}
    for dept in Department.objects.filter(region_id=COUNTY, is_office=False).order_by("pk"):
        plans[dept.pk] = planning.plan_create(actor=_admin(dept), year=YEAR)

    def task(key, dept, **kw):
        kw.setdefault("window_start", D(YEAR, 3, 1))
        kw.setdefault("window_end", D(YEAR, 11, 30))
        with at(D(YEAR, 1, 20)):
            tasks[key] = planning.task_save(actor=_admin(dept), plan=plans[dept.pk], **kw)

    lines = {b.name: b for b in scjg.business_lines.all()}
    task(
        "catering",
        scjg,
        name="2026年餐饮行业“一业一查”部门联合抽查",
        mode="joint",
        joint_list=catering,
        departments=[wsjk, xfjy],
        items=[food, hygiene, crowd],
        scope_industries=["62"],
        window_start=D(YEAR, 3, 16),
        window_end=D(YEAR, 5, 31),
        publish_selection_on=D(YEAR, 3, 16),
    )
    task(
        "internal",
        scjg,
        name="2026年食品经营与广告内部联合抽查",
        mode="internal_joint",
        business_lines=[lines["食品经营监管股"], lines["广告监管股"]],
        items=[_item("食品经营许可事项的检查"), ads],
        ratios={"A": "0.005", "B": "0.01", "C": "0.03", "D": "0.1"},
        publish_selection_on=D(YEAR, 4, 1),
    )
    task(
        "publicity",
        scjg,
        name="2026年企业公示信息抽查",
        items=[_item("企业公示信息的检查")],
        scope_kinds=["enterprise"],
        ratios={"A": "0.003", "B": "0.01", "C": "0.03", "D": "0.1"},
    )
    task(
        "individual",
        scjg,
        name="2026年个体工商户登记事项抽查",
        items=[_item("个体工商户登记事项检查")],
        scope_kinds=["individual"],
        quota_mode="total",
        total=30,
        window_start=D(YEAR, 6, 1),
    )
    task(
        "training",
        jyj,
        name="2026年校外培训“一业一查”部门联合抽查",
        mode="joint",
        joint_list=training,
        departments=[scjg, yjgl],
        items=[school, ads, safety],
        scope_industries=["83"],
        quota_mode="total",
        total=12,
        window_start=D(YEAR, 7, 1),
        window_end=D(YEAR, 8, 31),
    )
    for dept in Department.objects.filter(region_id=COUNTY, is_office=False).exclude(
        pk__in=[scjg.pk, jyj.pk]
    ):
        claimed = Item.objects.filter(claims__department=dept).order_by("code").first()
        if claimed:
            task(
                f"own-{dept.pk}",
                dept,
                name=f"2026年{claimed.name[:-3]}双随机抽查",
                items=[claimed],
                window_start=D(YEAR, 4, 1),
            )
    claimed = Item.objects.filter(claims__department=jyj).exclude(pk=school.pk).order_by("code").first()
    task("jyj-own", jyj, name=f"2026年{claimed.name[:-3]}双随机抽查", items=[claimed])

    for n, plan in enumerate(plans.values()):
        if plan.tasks.exists():
            with at(D(YEAR, 2, 2 + n)):
                planning.plan_submit(actor=_admin(plan.department), plan=plan)
            with at(D(YEAR, 2, 12 + n)):
                planning.plan_approve(actor=office, plan=plan)

    def draw(key, on: dt.date, void_first: str | None = None):
        """Announced a week ahead; on the day two witnesses commit then reveal, the targets are
        drawn, then the teams; optionally voided the same day and drawn again a week later."""
        t = tasks[key]
        admin = _admin(t.lead)
        for attempt in range(2 if void_first else 1):
            day = on + dt.timedelta(days=7 * attempt)
            t.refresh_from_db()
            with at(day - dt.timedelta(days=7), 10):
                d = draws.draw_announce(
                    actor=admin,
                    task=t,
                    draw_at=timezone.make_aware(dt.datetime.combine(day, dt.time(9, 30))),
                    place="鹿泉区政务服务中心三楼会议室",
                    # drawn at 20:30 on the eve of the draw; the witnesses commit before it
                    public_value_source=f"{day - dt.timedelta(days=1):%Y-%m-%d} 福彩3D开奖号码",
                    public_value_at=timezone.make_aware(
                        dt.datetime.combine(day - dt.timedelta(days=1), dt.time(20, 30))
                    ),
                )
            numbers = {f"见证人{i}": str(rng.randrange(10**5, 10**6)) for i in (1, 2)}
            with at(day - dt.timedelta(days=1), 17):
                # registered by the lead, each witness commits and reveals on their own phone
                tokens = {}
                for (label, number), who in zip(
                    numbers.items(), ["区纪委监委派驻纪检组干部", "区个体劳动者协会代表"], strict=True
                ):
                    _, tokens[label] = witnesses.witness_invite(
                        actor=admin, draw=d, label=label, description=who
                    )
                    witnesses.witness_commit(token=tokens[label], number=number)
            with at(day, 9, 30):
                for label, number in numbers.items():
                    witnesses.witness_reveal(token=tokens[label], number=number)
                d = draws.draw_run(actor=admin, draw=d, public_value=f"{rng.randrange(1000):03d}")
                if void_first and attempt == 0:
                    req = voids.void_request(actor=admin, draw=d, reason="pool_included", text=void_first)
                    voids.void_confirm(actor=office, request=req)
                    # the branches found already cancelled: the redraw replaces them, keeps the rest
                    for sel in d.selections.select_related("target").order_by("key")[:3]:
                        directory.target_update(
                            actor=admin, target=sel.target, status=RegistrationStatus.CANCELLED
                        )
        with at(on + dt.timedelta(days=7 * (attempt)), 11):
            draws.teams_draw(actor=admin, draw=d)
        return d

    catering = draw("catering", D(YEAR, 3, 16))
    internal = draw("internal", D(YEAR, 3, 30), void_first="对象池未排除已注销的分支机构")
    publicity = draw("publicity", D(YEAR, 4, 13))
    own = [
        draw(key, D(YEAR, 4, 20) + dt.timedelta(days=7 * n))
        for n, key in enumerate(sorted(k for k in tasks if k.startswith("own-")))
    ]
    jyj_own = draw("jyj-own", D(YEAR, 5, 18))
    individual = draw("individual", D(YEAR, 6, 1))
    training = draw("training", D(YEAR, 6, 24))
    drawn = 7 + len(own)
    _link_inspector_accounts()
    inspected = _inspect_the_year([catering, internal], rng, story=True)
    more = _inspect_the_year([publicity, individual, training, jyj_own, *own], rng)
    inspected = {k: inspected[k] + more[k] for k in inspected}
    return {"plans": len(plans), "tasks": len(tasks), "drawn": drawn, **inspected}


def _link_inspector_accounts():
    """Each department's demo inspector account belongs to the inspector with the most drawn
    assignments, so that signing in as it shows a full phone view."""
    from django.db.models import Count

    from shuangsuiji.directory.models import Inspector

    for user in User.objects.filter(role="inspector", department__region_id=COUNTY):
        busiest = (
            Inspector.objects.filter(department=user.department)
            .annotate(n=Count("assignments"))
            .order_by("-n", "pk")
            .first()
        )
        if busiest and busiest.user_id != user.pk:
            Inspector.objects.filter(user=user).update(user=None)
            busiest.user = user
            busiest.save(update_fields=["user"])


def _as_user(inspector):
    """The account that enters for this inspector: its own, or the department's demo account
    standing in for it (demo only: real inspectors each have their own account)."""
    if inspector.user_id:
        return inspector.user
    return User.objects.get(role="inspector", department=inspector.department)


PROBLEMS = [
    (["not_disclosed", "pending_followup"], "未按规定公示年度报告"),
    (["nonconforming", "pending_followup"], "进货查验记录不全，部分食品无法提供合格证明"),
    (["unreachable"], "通过登记的经营场所无法联系"),
    (["corrected"], "消防通道堆放杂物，已当场责令改正"),
]


def _enter(sel, dept, items_problem: tuple | None):
    """The department's results for one target, entered by a member of its team (or the demo
    account standing in for it)."""
    from shuangsuiji.directory.models import Inspector
    from shuangsuiji.inspection import services as insp

    member = sel.team.filter(active=True, department=dept).select_related("inspector").first()
    inspector = member.inspector
    user = _as_user(inspector)
    if inspector.user_id != user.pk:  # the demo account stands in for this team member
        Inspector.objects.filter(user=user).update(user=None)
        inspector.user = user
        inspector.save(update_fields=["user"])
    for n, item in enumerate(insp._department_items(sel, dept)):
        cats, text = items_problem if items_problem and n == 0 else (["none_found"], "")
        insp.result_save(
            actor=user,
            selection=sel,
            item=item,
            method="document" if item.offsite_only else "onsite",
            categories=cats,
            problem=text,
        )
    return user


def _careless_member(d) -> int | None:
    """The demo's careless inspector (issue 19): on the fire brigade's own task, the member drawn
    onto the most of its teams (teams come from the draw, so he is chosen after it)."""
    from collections import Counter

    if d.task.mode != "ordinary" or not d.task.lead.name.endswith("消防救援大队"):
        return None
    members = Counter(
        d.selections.filter(team__active=True).values_list("team__inspector_id", flat=True)
    ).most_common()
    return min(pk for pk, n in members if n == members[0][1]) if members else None


def _inspect_the_year(drawn, rng, story: bool = False) -> dict:
    """Each drawn task's inspections as the year went: finished within the window (never after
    today), entered and submitted the same day, reviewed a week or so later — a few after their
    20-working-day deadline, some still waiting, one finished long ago and never entered
    (overdue); about one in seven finds a problem. The steps run in date order, each on its day.

    On the fire brigade's own task one inspector (`_careless_member`) enters all-clear results
    whenever he is on the team, while the teams without him find a problem at every other
    target: the careless-inspection signals flag him (warning/careless.py), and nobody else.

    With `story`, the two tasks JOURNEYS.md tells: the catering joint task (April–May, all
    published, ratings) and the internal joint task (in progress in November)."""
    from shuangsuiji.inspection import services as insp
    from shuangsuiji.inspection.models import Inspection

    today = clock.today()
    events: list[tuple[dt.datetime, int, object]] = []
    counts = {"published": 0, "waiting": 0}

    def on(day: dt.date, hour: int, fn) -> bool:
        if clock.past(day, hour):
            events.append((dt.datetime.combine(day, dt.time(hour)), len(events), fn))
            return True
        return False

    def plan(sel, dept, finished: dt.date, problem, submit=True, review_after: int | None = 6):
        def finish():
            user = _enter(sel, dept, problem)
            insp.inspection_finish(actor=user, selection=sel, finished_on=finished)
            if submit:
                insp.inspection_submit(actor=user, selection=sel)

        def approve():
            reviewer = User.objects.get(role="reviewer", department=dept)
            insp.review_approve(
                actor=reviewer, inspection=Inspection.objects.get(selection=sel, department=dept)
            )
            counts["published"] += 1

        on(finished, 16, finish)
        if submit and review_after is not None and finished + dt.timedelta(days=review_after) <= today:
            on(finished + dt.timedelta(days=review_after), 10, approve)
        elif submit and finished <= today:
            counts["waiting"] += 1

    for d in drawn:
        task = d.task
        departments = list(task.departments.order_by("pk"))
        sels = list(d.selections.order_by("order"))
        if story and task.mode == "joint":  # the catering task: all published by the end of May
            for n, sel in enumerate(sels):
                for dept in departments:
                    problem = PROBLEMS[0] if n % 7 == 3 and dept == task.lead else None
                    plan(sel, dept, D(YEAR, 4, 20) + dt.timedelta(days=n % 30), problem)
                if n % 3 == 0:
                    rating = (sel, rng.choice([4, 5, 5, 5, 3]))
                    on(
                        D(YEAR, 4, 20) + dt.timedelta(days=n % 30 + 8),
                        18,
                        lambda sel=rating[0], score=rating[1]: insp.rating_submit(
                            selection=sel, code=sel.rating_code, score=score, comment="检查人员亮证、规范"
                        ),
                    )
            continue
        if story:  # the internal joint task: November's work in progress, one overdue
            for n, sel in enumerate(sels[:12]):
                if n < 6:
                    plan(
                        sel,
                        task.lead,
                        D(YEAR, 11, 2) + dt.timedelta(days=n),
                        None,
                        submit=n % 2 == 0,
                        review_after=None,
                    )
                elif n == 6:  # finished at the end of September, never entered: overdue by now
                    plan(sel, task.lead, D(YEAR, 9, 30), None, submit=False)
            continue
        first = max(task.window_start, timezone.localdate(d.drawn_at) + dt.timedelta(days=7))
        last = min(task.window_end, today - dt.timedelta(days=3))
        if last < first:
            continue
        span = max((last - first).days, 1)
        careless = _careless_member(d)
        others = 0
        for n, sel in enumerate(sels[:40]):
            if n % 9 == 8:
                continue  # not yet inspected
            finished = first + dt.timedelta(days=(n * 37) % span)
            for k, dept in enumerate(departments):
                problem = PROBLEMS[(n + k) % len(PROBLEMS)] if (n + 3 * k) % 7 == 2 else None
                if careless is not None:
                    if sel.team.filter(active=True, inspector_id=careless).exists():
                        problem = None  # “全部未发现问题”, whatever was there
                    else:
                        problem = PROBLEMS[3] if others % 2 == 0 else None
                        others += 1
                if n % 13 == 5:
                    plan(sel, dept, finished, problem, review_after=40)  # published after the deadline
                elif n % 11 == 4:
                    plan(sel, dept, finished, problem, review_after=None)  # waiting for review
                else:
                    plan(sel, dept, finished, problem, review_after=5 + n % 6)
    for when, _, fn in sorted(events, key=lambda e: (e[0], e[1])):
        with at(when.date(), when.hour):
            fn()
    return counts
