"""The demo county's year so far (JOURNEYS.md January–March): the year's goals from the 鹿泉区
2026 preset, the county's 一业一查 lists, every department's published plan, and a few tasks
already drawn — one joint, one voided and redrawn — with their teams. Everything goes through
the same services a clerk's clicks do."""

import datetime as dt
import random

from django.utils import timezone

from shuangsuiji.core.models import Department, User
from shuangsuiji.directory.models import Item, ItemStatus
from shuangsuiji.draw import services as draws
from shuangsuiji.planning import services as planning
from shuangsuiji.planning.models import AnnualPlan

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

    for plan in plans.values():
        if plan.tasks.exists():
            planning.plan_submit(actor=_admin(plan.department), plan=plan)
            planning.plan_approve(actor=office, plan=plan)

    def draw(key, void_first: str | None = None):
        """Announce, two witnesses commit then reveal, draw; optionally void and redraw; teams."""
        t = tasks[key]
        admin = _admin(t.lead)
        for attempt in range(2 if void_first else 1):
            t.refresh_from_db()
            d = draws.draw_announce(
                actor=admin, task=t, draw_at=timezone.now(), place="鹿泉区政务服务中心三楼会议室"
            )
            numbers = {f"见证人{i}": str(rng.randrange(10**5, 10**6)) for i in (1, 2)}
            for (label, number), who in zip(
                numbers.items(), ["区纪委监委派驻纪检组干部", "区个体劳动者协会代表"], strict=True
            ):
                draws.witness_commit(actor=admin, draw=d, label=label, description=who, number=number)
            for label, number in numbers.items():
                draws.witness_reveal(actor=admin, draw=d, label=label, number=number)
            d = draws.draw_run(actor=admin, draw=d)
            if void_first and attempt == 0:
                draws.draw_void(actor=admin, draw=d, reason=void_first)
        draws.teams_draw(actor=admin, draw=d)
        return d

    catering = draw("catering")
    internal = draw("internal", void_first="对象池未排除已注销的分支机构，经复核作废重抽")
    draw("publicity")
    _link_inspector_accounts()
    inspected = _inspect(catering, internal, rng)
    return {"plans": len(plans), "tasks": len(tasks), "drawn": 3, **inspected}


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


def _inspect(catering, internal, rng) -> dict:
    """April–May of JOURNEYS.md for the catering task (all published, a problem, ratings), and
    today's state for the internal joint task (check-ins, results waiting, one overdue)."""
    from shuangsuiji.directory.models import Inspector
    from shuangsuiji.inspection import services as insp
    from shuangsuiji.inspection.models import Inspection

    def enter(sel, dept, finished, problem=False, submit=True):
        member = sel.team.filter(active=True, department=dept).select_related("inspector").first()
        inspector = member.inspector
        user = _as_user(inspector)
        if inspector.user_id != user.pk:  # the demo account stands in for this team member
            Inspector.objects.filter(user=user).update(user=None)
            inspector.user = user
            inspector.save(update_fields=["user"])
        for n, item in enumerate(insp._department_items(sel, dept)):
            cats, text = (
                (["not_disclosed", "pending_followup"], "未按规定公示年度报告，已告知限期补报")
                if problem and n == 0
                else (["none_found"], "")
            )
            insp.result_save(
                actor=user,
                selection=sel,
                item=item,
                method="document" if item.offsite_only else "onsite",
                categories=cats,
                problem=text,
            )
        insp.inspection_finish(actor=user, selection=sel, finished_on=finished)
        if submit:
            insp.inspection_submit(actor=user, selection=sel)
        return Inspection.objects.get(selection=sel, department=dept)

    published = waiting = 0
    for n, sel in enumerate(catering.selections.order_by("order")):
        for dept in catering.task.departments.order_by("pk"):
            ins = enter(
                sel,
                dept,
                D(YEAR, 4, 20) + dt.timedelta(days=n % 30),
                problem=(n % 7 == 3 and dept == catering.task.lead),
            )
            reviewer = User.objects.get(role="reviewer", department=dept)
            insp.review_approve(actor=reviewer, inspection=ins)
            published += 1
        if n % 3 == 0:
            insp.rating_submit(
                selection=sel,
                code=sel.rating_code,
                score=rng.choice([4, 5, 5, 5, 3]),
                comment="检查人员亮证、规范",
            )
    lead = internal.task.lead
    for n, sel in enumerate(internal.selections.order_by("order")[:12]):
        if n < 6:
            enter(sel, lead, D(YEAR, 11, 2) + dt.timedelta(days=n), submit=n % 2 == 0)
            waiting += 1
        elif n == 6:  # finished early October, never entered: overdue by now
            enter(sel, lead, D(YEAR, 9, 30), submit=False)
    return {"published": published, "waiting": waiting}
