"""The province demo (issue 20, “one instance, many jurisdictions”): beside 鹿泉区, two smaller
counties — 正定县 in the same city (石家庄市) and 清河县 in 邢台市 (seed 003's county) — each with
its office, a market regulator and a health department, their accounts, inspectors, a few items,
a small directory, the year's goals, a published plan, a joint and two single-department tasks
drawn in spring, and their inspections through the year (the county demo's `_inspect_the_year`).
Then an office account for each city and one for the province, which read their counties' and
cities' reports, each and summed (reports/levels.py).

Loaded by `./scripts/demo --province` (`manage.py demo_load --province`); the default demo is
unchanged. Faker zh_CN with a fixed seed: the same province every time."""

import datetime as dt
import random
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from faker import Faker

from shuangsuiji.core import audit
from shuangsuiji.core.identifiers import keyed_digest, mask_ric
from shuangsuiji.core.models import SECOND_FACTOR_ROLES, Department, Region, Role, SecondFactor, User
from shuangsuiji.directory.models import (
    Industry,
    Inspector,
    Item,
    ItemClaim,
    ItemStatus,
    Method,
    RegistrationStatus,
    Target,
    TargetKind,
    TargetSupervision,
)
from shuangsuiji.draw import services as draws
from shuangsuiji.draw import witnesses
from shuangsuiji.planning import services as planning

from .clock import at
from .county import INDUSTRY_MIX, KIND_MIX, PASSWORD, RISK_MIX, SEED, _pick, make_ric, make_uscc
from .factor import DEMO_TOTP_SECRET
from .year import YEAR, _inspect_the_year

D = dt.date
PROVINCE = "130000"


@dataclass(frozen=True)
class County:
    code: str
    slug: str  # account name prefix
    preset: str  # the 实施方案 whose goals it adopts (planning/presets.py)


COUNTIES = [County("130123", "zd", "luquan-2026"), County("130534", "qh", "qinghe-2025")]
# city code → the office account's name (石家庄市's is the county demo's `city_office`)
CITIES = {"130100": "city_office", "130500": "xt_city_office"}
PROVINCE_ACCOUNT = "province_office"

# (slug, name ending, industries supervised (None: every market subject), items)
DEPARTMENTS = [
    (
        "scjg",
        "市场监督管理局",
        None,
        ["企业公示信息的检查", "餐饮服务食品安全检查", "个体工商户登记事项检查"],
    ),
    ("wsjk", "卫生健康局", ["61", "62", "80"], ["公共场所卫生监督检查", "生活饮用水卫生监督检查"]),
]


def is_loaded() -> bool:
    return Department.objects.filter(region_id=COUNTIES[-1].code, is_office=True).exists()


def _account(username: str, role: str, dept: Department, display: str) -> User:
    u = User(username=username, role=role, department=dept, display_name=display)
    u.set_password(PASSWORD)
    u.save()
    if role in SECOND_FACTOR_ROLES:
        # the one demo secret that demo_accounts prints (never in production)
        SecondFactor.objects.create(user=u, secret=DEMO_TOTP_SECRET, confirmed_at=timezone.now())
    return u


def _office(region: Region) -> Department:
    """The region's 双随机办公室 (石家庄市's may exist already: the county demo makes it)."""
    found = Department.objects.filter(region=region, is_office=True).first()
    return found or Department.objects.create(
        name=f"{region.name}双随机、一公开监管工作领导小组办公室", region=region, is_office=True
    )


@transaction.atomic
def build(*, targets: int = 2000) -> dict:
    """Both counties, their year, and the city and province offices; `targets` per county."""
    rng = random.Random(SEED + 20)
    fake = Faker("zh_CN")
    fake.seed_instance(SEED + 20)
    counts = {"counties": 0, "targets": 0, "drawn": 0, "published": 0}
    for county in COUNTIES:
        with at(D(YEAR, 1, 5)):
            region = Region.objects.get(code=county.code)
            depts = _county(region, county, targets, rng, fake)
        drawn = _year(region, county, depts, rng)
        done = _inspect_the_year(drawn, rng)
        counts["counties"] += 1
        counts["targets"] += targets
        counts["drawn"] += len(drawn)
        counts["published"] += done["published"]
    for code, username in CITIES.items():
        if not User.objects.filter(username=username).exists():
            _account(username, Role.OFFICE, _office(Region.objects.get(code=code)), fake.name())
    _account(PROVINCE_ACCOUNT, Role.OFFICE, _office(Region.objects.get(code=PROVINCE)), fake.name())
    audit.record(
        actor=None,
        action="demo.load",
        summary=f"载入省级演示数据：正定县、清河县，各 {targets} 个检查对象",
        detail=counts,
    )
    return counts


def _county(region: Region, county: County, n_targets: int, rng, fake) -> list[Department]:
    """The county's office and departments with their accounts, inspectors, items and targets."""
    office = _office(region)
    office.liaison = _account(f"{county.slug}_office", Role.OFFICE, office, fake.name())
    office.save(update_fields=["liaison"])
    depts = []
    for slug, ending, industries, names in DEPARTMENTS:
        d = Department.objects.create(name=f"{region.name}{ending}", region=region)
        admin = _account(f"{county.slug}_{slug}_admin", Role.DEPT_ADMIN, d, fake.name())
        _account(f"{county.slug}_{slug}_reviewer", Role.REVIEWER, d, fake.name())
        inspector_user = _account(f"{county.slug}_{slug}_inspector", Role.INSPECTOR, d, "")
        for k in range(6):
            r = make_ric(rng)
            insp = Inspector.objects.create(
                name=fake.name(),
                id_digest=keyed_digest(settings.ID_DIGEST_KEY, r),
                id_masked=mask_ric(r),
                department=d,
                certificate_no=f"冀{county.code}{slug.upper()}{k + 1:03d}",
                certificate_expiry=D(YEAR + 2, 12, 31),
                phone=fake.phone_number(),
                user=inspector_user if k == 0 else None,
            )
            if k == 0:
                inspector_user.display_name = insp.name
                inspector_user.save(update_fields=["display_name"])
        for name in names:
            item = Item.objects.create(
                region=region,
                code=f"{county.slug.upper()}-{slug.upper()}-{names.index(name) + 1:02d}",
                name=name,
                competent=d.name,
                levels=["county"],
                target_kinds=[TargetKind.ENTERPRISE, TargetKind.INDIVIDUAL],
                methods=[Method.ONSITE],
                legal_basis="《中华人民共和国行政许可法》等相关法律法规",
                status=ItemStatus.PUBLISHED,
                published_at=timezone.now(),
            )
            item.checklist.create(seq=1, text="查验相关许可证照是否齐全有效")
            ItemClaim.objects.create(item=item, department=d, claimed_by=admin)
        depts.append((d, industries))
    _targets(region, n_targets, rng, fake, depts)
    return [d for d, _ in depts]


def _targets(region: Region, n: int, rng, fake, depts) -> None:
    industry_codes = set(Industry.objects.values_list("code", flat=True))
    batch, seen = [], set()
    for _ in range(n):
        kind = _pick(rng, KIND_MIX)
        division = _pick(rng, INDUSTRY_MIX)
        code = make_uscc(rng, kind, region.code)
        while code in seen:
            code = make_uscc(rng, kind, region.code)
        seen.add(code)
        founded = D(2000, 1, 1) + dt.timedelta(days=rng.randrange(0, 9000))
        batch.append(
            Target(
                kind=kind,
                uscc=code,
                key_display=code,
                name=(
                    f"{region.name}{fake.last_name()}{fake.first_name()}商店"
                    if kind == "individual"
                    else fake.company()
                )[:200],
                region=region,
                address=f"{region.parent.name}{region.name}{fake.street_name()}{rng.randint(1, 300)}号",
                industry_id=division if division in industry_codes else None,
                industry_code=division,
                founded_on=founded,
                status=RegistrationStatus.ACTIVE,
                risk_class=_pick(rng, RISK_MIX),
                risk_class_set_on=D(YEAR, 1, 31),
            )
        )
    Target.objects.bulk_create(batch, batch_size=2000)
    rows = list(Target.objects.filter(region=region).values_list("id", "industry_code"))
    TargetSupervision.objects.bulk_create(
        [
            TargetSupervision(target_id=tid, department=d)
            for d, industries in depts
            for tid, ind in rows
            if industries is None or (ind or "")[:2] in industries
        ],
        batch_size=5000,
    )


def _year(region: Region, county: County, depts: list[Department], rng) -> list:
    """Goals, the 一业一查 list, each department's published plan and tasks, drawn in spring."""
    office = User.objects.get(username=f"{county.slug}_office")
    market, health = depts
    admin = {d: User.objects.get(department=d, role=Role.DEPT_ADMIN) for d in depts}
    item = {i.name: i for i in Item.objects.filter(region=region)}
    with at(D(YEAR, 1, 6)):
        planning.goals_from_preset(actor=office, preset=county.preset, year=YEAR)
        catering = planning.joint_list_save(
            actor=office,
            name="餐饮",
            lead=market,
            participants=[health],
            items=[item["餐饮服务食品安全检查"], item["公共场所卫生监督检查"]],
            industries=["62"],
        )
    with at(D(YEAR, 1, 20)):
        plans = {d: planning.plan_create(actor=admin[d], year=YEAR) for d in depts}
        window = {"window_start": D(YEAR, 4, 1), "window_end": D(YEAR, 11, 30)}
        tasks = [
            planning.task_save(
                actor=admin[market],
                plan=plans[market],
                name=f"{YEAR}年企业公示信息抽查",
                items=[item["企业公示信息的检查"]],
                scope_kinds=["enterprise"],
                ratios={"A": "0.01", "B": "0.02", "C": "0.05", "D": "0.1"},
                **window,
            ),
            planning.task_save(
                actor=admin[market],
                plan=plans[market],
                name=f"{YEAR}年餐饮行业“一业一查”部门联合抽查",
                mode="joint",
                joint_list=catering,
                departments=[health],
                items=[item["餐饮服务食品安全检查"], item["公共场所卫生监督检查"]],
                scope_industries=["62"],
                quota_mode="total",
                total=5,
                **window,
            ),
            planning.task_save(
                actor=admin[health],
                plan=plans[health],
                name=f"{YEAR}年公共场所卫生抽查",
                items=[item["公共场所卫生监督检查"]],
                scope_industries=["61", "80"],
                quota_mode="total",
                total=6,
                **window,
            ),
        ]
    for n, d in enumerate(depts):
        with at(D(YEAR, 2, 3 + n)):
            planning.plan_submit(actor=admin[d], plan=plans[d])
        with at(D(YEAR, 2, 13 + n)):
            planning.plan_approve(actor=office, plan=plans[d])
    return [
        _draw(t, admin[t.lead], region, D(YEAR, 4, 14) + dt.timedelta(days=7 * n), rng)
        for n, t in enumerate(tasks)
    ]


def _draw(task, admin: User, region: Region, day: dt.date, rng):
    """Announced a week ahead, two witnesses commit the eve and reveal on the day, then the
    targets and the teams are drawn (as the county demo's draws)."""
    task.refresh_from_db()
    with at(day - dt.timedelta(days=7), 10):
        d = draws.draw_announce(
            actor=admin,
            task=task,
            draw_at=timezone.make_aware(dt.datetime.combine(day, dt.time(9, 30))),
            place=f"{region.name}政务服务中心会议室",
            public_value_source=f"{day - dt.timedelta(days=1):%Y-%m-%d} 福彩3D开奖号码",
            public_value_at=timezone.make_aware(
                dt.datetime.combine(day - dt.timedelta(days=1), dt.time(20, 30))
            ),
        )
    numbers = {f"见证人{i}": str(rng.randrange(10**5, 10**6)) for i in (1, 2)}
    tokens = {}
    with at(day - dt.timedelta(days=1), 17):
        for label, number in numbers.items():
            _, tokens[label] = witnesses.witness_invite(
                actor=admin, draw=d, label=label, description="见证人"
            )
            witnesses.witness_commit(token=tokens[label], number=number)
    with at(day, 9, 30):
        for label, number in numbers.items():
            witnesses.witness_reveal(token=tokens[label], number=number)
        d = draws.draw_run(actor=admin, draw=d, public_value=f"{rng.randrange(1000):03d}")
    with at(day, 11):
        draws.teams_draw(actor=admin, draw=d)
    return d


def account_rows():
    """The province demo's accounts: the counties', the cities' offices and the province's."""
    names = [PROVINCE_ACCOUNT, *CITIES.values()]
    users = User.objects.filter(department__region_id__in=[c.code for c in COUNTIES]) | User.objects.filter(
        username__in=names
    )
    return [
        (u.username, u.get_role_display(), u.department.full_name if u.department else "")
        for u in users.select_related("department__region").order_by(
            "department__region_id", "department_id", "role"
        )
    ]
