"""The demo county's follow-up (JOURNEYS.md May–December): the problems found by the year's
published inspections get dispositions in every state — corrections verified and closed, penalties
decided and published, credit measures, a listing on the 经营异常名录, a matter sent to the judiciary
still open, one correction overdue, one awaiting verification, one transferred to another
department and waiting in its inbox, the most recent ones not yet disposed — and the office's 5%
return-visit sample, weighted (50%) toward the inspector the careless-inspection signals flag, with
its findings (one careless, on his work). Everything goes through the followup
services, each step on its own day (`clock.at`)."""

import datetime as dt

from shuangsuiji.core.errors import DomainError
from shuangsuiji.core.models import Department, Region, User
from shuangsuiji.followup import services
from shuangsuiji.followup.models import FollowUp

from .clock import at

# One pattern per problem, in the order found; most are settled, a few stay open.
PATTERN = [
    "rectify_closed",
    "case_published",
    "rectify_closed",
    "transfer",
    "rectify_overdue",
    "credit_closed",
    "rectify_closed",
    "abnormal_closed",
    "rectify_to_verify",
    "judicial_open",
    "rectify_closed",
    "left_pending",
]
RECENT_DAYS = 10  # problems found this recently are still waiting for a disposition


def _user(dept, role) -> User:
    return User.objects.filter(department=dept, role=role).order_by("pk").first()


def load(region, year: int, today: dt.date) -> dict:
    region = region if isinstance(region, Region) else Region.objects.get(code=region)
    entries = list(
        FollowUp.objects.filter(year=year, department__region=region, state="pending")
        .select_related("department", "target")
        .order_by("found_on", "pk")
    )
    members = list(Department.objects.filter(region=region, is_office=False).order_by("pk"))
    transfers = 0
    disposed = 0

    def day(fu, n):  # n days after the finding, never after today
        return min(fu.found_on + dt.timedelta(days=n), today)

    def act(on: dt.date, fn, **kw):
        with at(on, 10 if on < today else 0):  # never a moment later than now
            return fn(on=on, **kw)

    for i, fu in enumerate(entries):
        if fu.found_on > today - dt.timedelta(days=RECENT_DAYS):
            continue
        plan = PATTERN[i % len(PATTERN)]
        if plan == "abnormal_closed" and not fu.target.is_market:
            plan = "rectify_closed"
        if plan == "transfer" and transfers >= 2:
            plan = "rectify_closed"
        admin, inspector = _user(fu.department, "dept_admin"), _user(fu.department, "inspector")
        if plan == "left_pending":
            continue
        if plan == "rectify_closed":
            act(
                day(fu, 3),
                services.followup_dispose,
                actor=admin,
                followup=fu,
                kind="rectify",
                measure="限15日内改正并报送整改情况",
                due_on=day(fu, 25),
            )
            act(
                day(fu, 14),
                services.outcome_record,
                actor=admin,
                followup=fu,
                outcome="企业已按要求改正并报送整改材料",
            )
            act(
                day(fu, 16),
                services.rectification_verify,
                actor=inspector,
                followup=fu,
                passed=True,
                note="现场复查已改正",
            )
        elif plan == "case_published":
            act(
                day(fu, 5),
                services.followup_dispose,
                actor=admin,
                followup=fu,
                kind="case",
                case_number=f"鹿立〔{year}〕{fu.pk:03d}号",
            )
            act(
                day(fu, 45),
                services.outcome_record,
                actor=admin,
                followup=fu,
                outcome="作出行政处罚决定，当事人已履行",
                penalty_decision_no=f"鹿罚〔{year}〕{fu.pk:03d}号",
                penalty_content="违反《企业信息公示暂行条例》，给予警告，并处罚款人民币五千元",
                penalty_decided_on=day(fu, 40),
            )
        elif plan == "transfer":
            to = next((d for d in members if d.name.endswith("卫生健康局") and d != fu.department), None)
            to = to or next(d for d in members if d != fu.department)
            act(
                day(fu, 4),
                services.followup_dispose,
                actor=admin,
                followup=fu,
                kind="transfer",
                transfer_to=to,
                measure="涉及本部门职责以外的事项，依法移送处理",
                due_on=today + dt.timedelta(days=30),
            )
            transfers += 1
        elif plan == "rectify_overdue":
            act(
                day(fu, 2),
                services.followup_dispose,
                actor=admin,
                followup=fu,
                kind="rectify",
                measure="限期改正",
                due_on=day(fu, 17),
            )
        elif plan == "credit_closed":
            act(
                day(fu, 6),
                services.followup_dispose,
                actor=admin,
                followup=fu,
                kind="credit",
                measure="列为重点监管对象，提高抽查频次",
                due_on=day(fu, 30),
            )
            act(
                day(fu, 20),
                services.outcome_record,
                actor=admin,
                followup=fu,
                outcome="已列入重点监管名单并推送信用平台",
            )
        elif plan == "abnormal_closed":
            act(day(fu, 3), services.followup_dispose, actor=admin, followup=fu, kind="abnormal_list")
            act(day(fu, 8), services.outcome_record, actor=admin, followup=fu, outcome="已列入经营异常名录")
        elif plan == "rectify_to_verify":
            act(
                day(fu, 2),
                services.followup_dispose,
                actor=admin,
                followup=fu,
                kind="rectify",
                measure="限30日内补正",
                due_on=today + dt.timedelta(days=20),
            )
            act(today, services.outcome_record, actor=admin, followup=fu, outcome="企业称已补正，待核查")
        elif plan == "judicial_open":
            act(
                day(fu, 7),
                services.followup_dispose,
                actor=admin,
                followup=fu,
                kind="judicial",
                receiving_organ="石家庄市公安局鹿泉分局",
                measure="涉嫌犯罪，依法移送",
                due_on=today + dt.timedelta(days=60),
            )
        disposed += 1

    office = User.objects.filter(department__region=region, role="office").order_by("pk").first()
    visits = 0
    drawn_on = today - dt.timedelta(days=14)
    try:
        with at(drawn_on - dt.timedelta(days=1), 15):
            d = services.visit_draw_announce(
                actor=office,
                year=year,
                share="0.05",
                weighted_share="0.5",
                public_value_source=f"{drawn_on:%Y-%m-%d} 福彩3D开奖号码",
            )
        with at(drawn_on, 9):
            d = services.visit_draw_run(actor=office, draw=d, public_value="372")
    except DomainError:  # nothing published yet this year: no sample to draw
        d = None
    if d is not None:
        # the weighted strata's visits first: the office checks the flagged work before the rest
        visits_drawn = sorted(d.visits.order_by("order"), key=lambda v: v.label.startswith("D"))
        for n, v in enumerate(visits_drawn[:4]):
            careless = n == 0
            act(
                drawn_on + dt.timedelta(days=3 + n),
                services.visit_record,
                actor=office,
                visit=v,
                conclusion="poor" if careless else "good",
                note="企业反映检查人员仅电话询问，检查记录中的现场情况与实际不符"
                if careless
                else "企业确认检查人员亮证、扫码入企，按检查清单逐项检查",
                findings=["perfunctory", "careless_entry"] if careless else [],
            )
            visits += 1
    return {"followups": len(entries), "disposed": disposed, "return_visits": visits}
