"""The demo county's triggered inspections (issue 19): the 市场监管局 receives one trigger of each
kind — a complaint (投诉举报) that becomes a triggered task, inspected and published with a problem in
September; a referral (转办交办) that a random visit already planned for November takes in (one
visit covers both); a monitoring alert (监测预警) that becomes a second triggered task, its team drawn
for December; an upper level's deployment (上级部署) whose request waits for the department head. Each
step through the triggers, draw and inspection services, on its own day (`clock.at`)."""

import datetime as dt

from shuangsuiji.core.models import Department, User
from shuangsuiji.directory.models import Item, ItemStatus, Target
from shuangsuiji.draw import services as draws
from shuangsuiji.draw.models import DrawStatus, Selection
from shuangsuiji.followup.models import FollowUp
from shuangsuiji.inspection import services as insp
from shuangsuiji.inspection.models import Inspection
from shuangsuiji.planning.models import TaskKind, TaskState
from shuangsuiji.triggers import services

from . import clock
from .clock import at

D = dt.date


def _user(dept, role) -> User:
    return User.objects.filter(department=dept, role=role).order_by("pk").first()


def _undrawn(dept, year: int, n: int) -> list[Target]:
    """Enterprises the department supervises that no draw of the year reached, not A class (无事不扰)."""
    drawn = Selection.objects.filter(draw__task__plan__year=year).values("target_id")
    return list(
        Target.objects.filter(
            supervisions__department=dept, kind="enterprise", risk_class__in=["B", "C", "D"]
        )
        .exclude(pk__in=drawn)
        .order_by("pk")[:n]
    )


def load(region: str, year: int, today: dt.date) -> dict:
    scjg = Department.objects.get(region_id=region, name__endswith="市场监督管理局")
    wsjk = Department.objects.get(region_id=region, name__endswith="卫生健康局")
    admin, reviewer = _user(scjg, "dept_admin"), _user(scjg, "reviewer")
    food = Item.objects.get(region_id=region, name="餐饮服务食品安全检查", status=ItemStatus.PUBLISHED)
    ads = Item.objects.get(region_id=region, name="广告发布行为的检查", status=ItemStatus.PUBLISHED)
    complaint_target, alert_target = _undrawn(scjg, year, 2)
    counts = {"triggers": 0, "triggered_tasks": 0, "merged": 0}

    # 投诉举报 → a triggered task, approved, teams drawn, inspected and published (September)
    with at(D(year, 9, 8), 10):
        complaint = services.trigger_record(
            actor=admin,
            category="complaint",
            source="12345政务服务便民热线",
            received_on=D(year, 9, 8),
            targets=[complaint_target],
            items=[food],
            description="市民反映该店后厨卫生条件差、从业人员未佩戴口罩，要求查处。",
            complainant="王先生（要求保密）",
        )
        req = services.task_request(
            actor=admin,
            trigger=complaint,
            window_start=D(year, 9, 14),
            window_end=D(year, 10, 31),
            reason="投诉线索具体，需实地核查",
        )
    with at(D(year, 9, 9), 9):
        services.task_request_decide(
            actor=reviewer, request=req, approve=True, note="同意，十个工作日内完成核查"
        )
    task = req.task
    draw = task.draws.get()
    with at(D(year, 9, 9), 15):
        draws.teams_draw(actor=admin, draw=draw)
    from .year import _enter

    sel = draw.selections.get()
    with at(D(year, 9, 16), 16):
        user = _enter(sel, scjg, (["corrected"], "后厨地面积水、餐具消毒记录缺失，已当场责令改正"))
        insp.inspection_finish(actor=user, selection=sel, finished_on=D(year, 9, 16))
        insp.inspection_submit(actor=user, selection=sel)
    with at(D(year, 9, 18), 10):
        insp.review_approve(actor=reviewer, inspection=Inspection.objects.get(selection=sel, department=scjg))
    counts["triggers"] += 1
    counts["triggered_tasks"] += 1

    # 转办交办 → taken into a random visit of November's internal joint task (one visit covers both)
    # the visit: one of the department's random visits still open, preferably of a task that checks
    # advertising; a small demo county may have none left by November, and then has no merge
    open_visits = (
        Selection.objects.filter(
            draw__status=DrawStatus.DRAWN,
            draw__task__kind=TaskKind.RANDOM,
            draw__task__lead=scjg,
            draw__task__plan__year=year,
        )
        .exclude(draw__task__state__in=[TaskState.CLOSED, TaskState.VOIDED])
        .exclude(inspections__finished_on__isnull=False)
        .order_by("draw__task__code", "order")
    )
    visit = open_visits.filter(draw__task__items=ads).first() or open_visits.first()
    if visit is not None:
        item = (
            ads
            if visit.draw.task.items.filter(pk=ads.pk).exists()
            else visit.draw.task.items.order_by("pk").first()
        )
        referred = FollowUp.objects.filter(transfer_to=scjg, year=year).exclude(department=scjg).first()
        received = D(year, 11, 10)
        with at(received, 10):
            referral = services.trigger_record(
                actor=admin,
                category="referral",
                source=f"{referred.department.name}抄告" if referred else "区卫生健康局转办",
                source_department=referred.department if referred else wsjk,
                followup=referred,
                received_on=received,
                targets=[visit.target],
                items=[item],
                description="群众反映该单位门店张贴的宣传材料含有夸大功效的用语，转请核查广告发布行为。",
            )
            services.trigger_merge(
                actor=admin,
                trigger=referral,
                selection=visit,
                note="该单位已被本月内部联合抽查抽中，一并核查",
            )
        counts["triggers"] += 1
        counts["merged"] += 1

    # 监测预警 → a second triggered task, its team drawn for December
    with at(D(year, 11, 24), 10):
        alert = services.trigger_record(
            actor=admin,
            category="monitoring",
            source="风险监测：近两年两次检查均发现问题、整改逾期",
            received_on=D(year, 11, 24),
            targets=[alert_target],
            items=[food],
            description="该单位近两年两次检查均发现问题，其中一次整改逾期，列为重点关注对象。",
        )
        req = services.task_request(
            actor=admin,
            trigger=alert,
            window_start=D(year, 12, 1),
            window_end=D(year, 12, 31),
            reason="风险信号持续，安排专项检查",
        )
    with at(D(year, 11, 25), 9):
        services.task_request_decide(actor=reviewer, request=req, approve=True, note="同意，12 月内完成")
    with at(D(year, 11, 25), 15):
        draws.teams_draw(actor=admin, draw=req.task.draws.get())
    counts["triggers"] += 1
    counts["triggered_tasks"] += 1

    # 上级部署 → asked for, waiting for the department head
    asked = min(D(year, 12, 1), clock.today())
    with at(asked, 10):
        deployment = services.trigger_record(
            actor=admin,
            category="deployment",
            source="石家庄市市场监督管理局：冬季餐饮燃气安全专项检查部署",
            received_on=asked,
            targets=_undrawn(scjg, year, 1),
            items=[food],
            description="按市局部署，对辖区重点餐饮单位开展冬季燃气安全专项检查。",
        )
        services.task_request(
            actor=admin,
            trigger=deployment,
            window_start=D(year, 12, 10),
            window_end=D(year, 12, 31),
            reason="落实市局专项部署",
        )
    counts["triggers"] += 1
    return counts
