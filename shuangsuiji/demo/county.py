"""The demo county: 石家庄市鹿泉区 as the seeds describe it — its departments and business lines,
accounts for every role, ~100 inspectors, 60 items with checklists, 20,000 targets with valid
USCCs and a realistic credit-risk mix. Faker zh_CN with a fixed seed: the same county every time."""

import datetime as dt
import random

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from faker import Faker
from stdnum.cn import ric, uscc

from shuangsuiji.core import audit
from shuangsuiji.core.identifiers import keyed_digest, mask_ric
from shuangsuiji.core.models import (
    SECOND_FACTOR_ROLES,
    BusinessLine,
    Department,
    Region,
    Role,
    SecondFactor,
    User,
)
from shuangsuiji.demo.factor import DEMO_TOTP_SECRET
from shuangsuiji.directory.models import (
    Industry,
    Inspector,
    Item,
    ItemClaim,
    ItemStatus,
    Method,
    RegistrationStatus,
    Tag,
    TagLibrary,
    Target,
    TargetKind,
    TargetSupervision,
)

COUNTY = "130110"
SLUGS = ["scjg", "gaj", "sthj", "yjgl", "wsjk", "whly", "jyj", "zjj", "xfjy"]  # account name prefixes
CITY = "130100"
PASSWORD = "Demo@2026"
SEED = 20260101

# (name, business lines, industry prefixes it supervises, item names)
DEPARTMENTS = [
    (
        "鹿泉区市场监督管理局",
        ["信用监管股", "食品经营监管股", "特种设备安全监察股", "广告监管股", "价格监督检查股"],
        None,  # every market subject
        [
            "企业公示信息的检查",
            "食品经营许可事项的检查",
            "食品生产企业监督检查",
            "餐饮服务食品安全检查",
            "特种设备使用单位监督检查",
            "广告发布行为的检查",
            "明码标价和价格行为的检查",
            "计量器具使用的检查",
            "工业产品生产许可证获证企业检查",
            "药品零售企业监督检查",
            "医疗器械经营企业检查",
            "化妆品经营者检查",
            "网络交易平台经营者检查",
            "农民专业合作社年报公示信息检查",
            "个体工商户登记事项检查",
        ],
    ),
    (
        "公安局鹿泉分局",
        ["治安管理大队", "网络安全保卫大队", "刑事侦查大队"],
        ["61", "65", "90", "72"],
        [
            "旅馆业治安管理检查",
            "公章刻制业治安管理检查",
            "互联网上网服务营业场所安全检查",
            "网络安全等级保护检查",
            "典当业治安管理检查",
            "废旧金属收购业治安管理检查",
            "易制毒化学品购销检查",
        ],
    ),
    (
        "生态环境局鹿泉区分局",
        ["环境监察大队"],
        ["13", "14", "15", "26", "30", "31", "33", "44", "47", "48"],
        [
            "排污许可证执行情况检查",
            "建设项目环境影响评价执行情况检查",
            "危险废物规范化管理检查",
            "重点排污单位自动监测检查",
            "扬尘污染防治检查",
            "机动车排放检验机构检查",
        ],
    ),
    (
        "鹿泉区应急管理局",
        ["安全生产执法大队"],
        ["26", "30", "31", "33", "34", "51"],
        [
            "危险化学品经营企业安全检查",
            "工贸企业安全生产检查",
            "非煤矿山安全生产检查",
            "烟花爆竹经营单位检查",
            "粉尘涉爆企业安全检查",
        ],
    ),
    (
        "鹿泉区卫生健康局",
        ["卫生监督所"],
        ["61", "62", "80", "84"],
        [
            "公共场所卫生监督检查",
            "生活饮用水卫生监督检查",
            "医疗机构依法执业检查",
            "消毒产品生产企业检查",
            "职业卫生监督检查",
        ],
    ),
    (
        "鹿泉区文化广电和旅游局",
        ["文化市场综合执法队"],
        ["86", "87", "88", "89", "90", "72"],
        ["娱乐场所经营活动检查", "旅行社经营行为检查", "出版物经营单位检查", "演出经营活动检查"],
    ),
    (
        "鹿泉区教育局",
        ["民办教育管理股"],
        ["83"],
        ["校外培训机构办学行为检查", "民办学校办学行为检查", "幼儿园办园行为检查"],
    ),
    (
        "鹿泉区住房和城乡建设局",
        ["建筑市场监管股"],
        ["47", "48", "49", "50", "70"],
        ["建筑施工企业资质检查", "房地产开发企业检查", "物业服务企业检查"],
    ),
    (
        "鹿泉区消防救援大队",
        ["防火监督科"],
        ["61", "62", "90", "52"],
        ["消防安全重点单位检查", "人员密集场所消防检查"],
    ),
]

INSPECTOR_TAGS = [
    "食品安全",
    "特种设备",
    "广告监管",
    "价格监管",
    "计量",
    "药品医疗器械",
    "治安管理",
    "网络安全",
    "环境监测",
    "安全生产",
    "卫生监督",
    "文化市场",
    "教育管理",
    "建筑工程",
    "消防监督",
]
TARGET_TAGS = [
    "餐饮服务",
    "食品生产",
    "特种设备使用单位",
    "校外培训",
    "重点排污单位",
    "危险化学品",
    "旅馆业",
    "网吧",
    "建筑施工",
    "人员密集场所",
    "网络交易",
]

# Industry divisions and their share of the county's market subjects.
INDUSTRY_MIX = [
    ("51", 12),
    ("52", 18),
    ("62", 14),
    ("61", 3),
    ("13", 3),
    ("14", 2),
    ("26", 2),
    ("30", 3),
    ("33", 2),
    ("34", 2),
    ("47", 3),
    ("48", 2),
    ("72", 9),
    ("80", 8),
    ("83", 2),
    ("84", 1),
    ("90", 2),
    ("65", 3),
    ("70", 2),
    ("01", 4),
    ("03", 2),
    ("54", 2),
]
KIND_MIX = [
    (TargetKind.ENTERPRISE, 55),
    (TargetKind.INDIVIDUAL, 40),
    (TargetKind.COOPERATIVE, 3),
    (TargetKind.OTHER_MARKET, 2),
]
RISK_MIX = [("A", 30), ("B", 55), ("C", 12), ("D", 3)]
_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def _pick(rng: random.Random, mix):
    return rng.choices([m[0] for m in mix], weights=[m[1] for m in mix])[0]


def make_uscc(rng: random.Random, kind: str, region: str) -> str:
    type_code = {TargetKind.ENTERPRISE: "1", TargetKind.INDIVIDUAL: "2", TargetKind.COOPERATIVE: "3"}.get(
        kind, "9"
    )
    body = "9" + type_code + region + "".join(rng.choice(_ALPHABET[:10] + _ALPHABET[10:]) for _ in range(9))
    return body + uscc.calc_check_digit(body)


def make_ric(rng: random.Random) -> str:
    place = rng.choice(["130102", "130104", "130105", "130123", "130183"])
    birth = dt.date(1983, 1, 1) + dt.timedelta(days=rng.randrange(0, 365 * 17))
    body = f"{place}{birth:%Y%m%d}{rng.randrange(0, 1000):03d}"
    return body + ric.calc_check_digit(body + "0")


def is_loaded() -> bool:
    return Department.objects.filter(region_id=COUNTY, is_office=True).exists()


@transaction.atomic
def build(*, targets: int = 20_000, today: dt.date | None = None) -> dict:
    today = today or dt.date(2026, 3, 1)
    rng = random.Random(SEED)
    fake = Faker("zh_CN")
    fake.seed_instance(SEED)
    county = Region.objects.get(code=COUNTY)
    city = Region.objects.get(code=CITY)
    townships = list(
        Region.objects.filter(parent=county, retired_on__isnull=True).values_list("code", flat=True)
    ) or [COUNTY]

    # Departments and accounts
    office = Department.objects.create(
        name="鹿泉区双随机、一公开监管工作领导小组办公室",
        short_name="区双随机办",
        region=county,
        is_office=True,
    )
    city_market = Department.objects.create(
        name="石家庄市市场监督管理局", short_name="市市场监管局", region=city
    )
    Department.objects.create(
        name="石家庄市双随机、一公开监管工作领导小组办公室", region=city, is_office=True
    )
    accounts = []

    def account(username, role, dept, display, line=None):
        u = User(username=username, role=role, department=dept, display_name=display, business_line=line)
        u.set_password(PASSWORD)
        u.save()
        if role in SECOND_FACTOR_ROLES:
            # Pre-enrolled with the one demo secret that demo_accounts prints (never in production).
            SecondFactor.objects.create(user=u, secret=DEMO_TOTP_SECRET, confirmed_at=timezone.now())
        accounts.append((username, Role(role).label, dept.name))
        return u

    account("sysadmin", Role.SYSADMIN, office, "系统管理员")
    account("secadmin", Role.SECADMIN, office, "安全管理员")
    account("auditor", Role.AUDITOR, office, "审计管理员")
    account("office", Role.OFFICE, office, fake.name())
    account("city_office", Role.OFFICE, Department.objects.get(region=city, is_office=True), fake.name())

    inspector_tags = {
        n: Tag.objects.create(library=TagLibrary.INSPECTOR, name=n, region=county) for n in INSPECTOR_TAGS
    }
    target_tags = {
        n: Tag.objects.create(library=TagLibrary.TARGET, name=n, region=county) for n in TARGET_TAGS
    }

    depts = []
    for i, (name, lines, industries, items) in enumerate(DEPARTMENTS):
        d = Department.objects.create(name=name, region=county, upper=city_market if i == 0 else None)
        line_objs = [BusinessLine.objects.create(department=d, name=n) for n in lines]
        slug = SLUGS[i]
        depts.append((d, line_objs, industries, items))
        account(f"{slug}_admin", Role.DEPT_ADMIN, d, fake.name())
        account(f"{slug}_reviewer", Role.REVIEWER, d, fake.name())
    office.liaison = User.objects.get(username="office")
    office.save(update_fields=["liaison"])

    # Inspectors: ~100, a few with expired certificates, retired, or experts
    n_by_dept = [30, 14, 10, 10, 10, 7, 6, 7, 6]
    specialty_for = [
        ["食品安全", "特种设备", "广告监管", "价格监管", "计量", "药品医疗器械"],
        ["治安管理", "网络安全"],
        ["环境监测"],
        ["安全生产"],
        ["卫生监督"],
        ["文化市场"],
        ["教育管理"],
        ["建筑工程"],
        ["消防监督"],
    ]
    n_inspectors = 0
    for idx, ((d, lines, _, _), n, specs) in enumerate(zip(depts, n_by_dept, specialty_for, strict=True)):
        for k in range(n):
            r = make_ric(rng)
            expiry = today + dt.timedelta(days=rng.randrange(-60, 365 * 4))
            insp = Inspector.objects.create(
                name=fake.name(),
                id_digest=keyed_digest(settings.ID_DIGEST_KEY, r),
                id_masked=mask_ric(r),
                department=d,
                business_line=lines[k % len(lines)],
                certificate_no=f"冀{13011000 + n_inspectors:08d}",
                certificate_expiry=expiry,
                on_duty=rng.random() > 0.04,
                is_expert=k == n - 1,
                phone=fake.phone_number(),
            )
            insp.specialties.set(
                [inspector_tags[s] for s in rng.sample(specs, k=min(len(specs), rng.randint(1, 2)))]
            )
            if k == 0:
                u = account(f"{SLUGS[idx]}_inspector", Role.INSPECTOR, d, insp.name, lines[0])
                insp.user = u
                insp.save(update_fields=["user"])
            n_inspectors += 1

    # Items (60) with checklists; most published and claimed by their department
    n_items = 0
    for d, _, _, names in depts:
        for name in names:
            n_items += 1
            method = [Method.ONSITE] if rng.random() < 0.7 else [Method.DOCUMENT, Method.ONLINE]
            item = Item.objects.create(
                region=county,
                code=f"LQ-{d.pk:02d}-{n_items:03d}",
                name=name,
                competent=d.name,
                kind="key" if "安全" in name or "危险" in name else "general",
                levels=["county"],
                target_kinds=[TargetKind.ENTERPRISE, TargetKind.INDIVIDUAL],
                methods=method,
                offsite_only=Method.ONSITE not in method,
                legal_basis="《中华人民共和国行政许可法》等相关法律法规",
                sub_items="\n".join(f"{name[:-2]}（{s}）" for s in ("资质", "制度", "现场")),
                status=ItemStatus.PUBLISHED if n_items % 12 else ItemStatus.DRAFT,
                published_at=dt.datetime(2026, 1, 10, tzinfo=dt.UTC) if n_items % 12 else None,
            )
            for seq, point in enumerate(
                [
                    "查验相关许可证照是否齐全有效",
                    "检查管理制度建立及落实情况",
                    "现场核查经营行为是否合规",
                    "核查台账记录是否完整",
                ][: rng.randint(2, 4)],
                1,
            ):
                item.checklist.create(seq=seq, text=point)
            if item.status == ItemStatus.PUBLISHED:
                ItemClaim.objects.create(
                    item=item,
                    department=d,
                    claimed_by=User.objects.get(username__endswith="_admin", department=d),
                )
    # pad to 60 with shared market items
    while n_items < 60:
        n_items += 1
        Item.objects.create(
            region=county,
            code=f"LQ-00-{n_items:03d}",
            name=f"双随机联合检查事项{n_items}",
            methods=[Method.ONSITE],
            status=ItemStatus.PUBLISHED,
        )

    # Targets
    industry_codes = set(Industry.objects.values_list("code", flat=True))
    batch, seen = [], set()
    for _ in range(targets):
        kind = _pick(rng, KIND_MIX)
        division = (
            _pick(rng, INDUSTRY_MIX) if kind != TargetKind.COOPERATIVE else rng.choice(["01", "03", "05"])
        )
        founded = dt.date(1995, 1, 1) + dt.timedelta(
            days=rng.randrange(0, (today - dt.date(1995, 1, 1)).days)
        )
        code_region = "130185" if founded.year < 2014 and rng.random() < 0.6 else COUNTY  # 鹿泉市 before 2014
        code = make_uscc(rng, kind, code_region)
        while code in seen:
            code = make_uscc(rng, kind, code_region)
        seen.add(code)
        status = RegistrationStatus.ACTIVE
        changed = None
        if rng.random() < 0.06:
            status = rng.choice(
                [
                    RegistrationStatus.CANCELLED,
                    RegistrationStatus.CANCELLED,
                    RegistrationStatus.REVOKED,
                    RegistrationStatus.MOVED_OUT,
                ]
            )
            changed = founded + dt.timedelta(days=rng.randrange(1, max(2, (today - founded).days)))
        if kind == TargetKind.INDIVIDUAL:
            name = f"鹿泉区{fake.last_name()}{fake.first_name()}{_shop(division, rng)}"
        elif kind == TargetKind.COOPERATIVE:
            name = f"石家庄市鹿泉区{fake.city_name()[:2]}{rng.choice(['种植', '养殖', '农机', '果品'])}专业合作社"
        else:
            name = fake.company()
        batch.append(
            Target(
                kind=kind,
                uscc=code,
                key_display=code,
                name=name[:200],
                region_id=rng.choice(townships),
                address=f"石家庄市鹿泉区{fake.street_name()}{rng.randint(1, 300)}号",
                industry_id=division if division in industry_codes else None,
                industry_code=division,
                founded_on=founded,
                status=status,
                status_changed_on=changed,
                risk_class=_pick(rng, RISK_MIX),
                risk_class_set_on=dt.date(2026, 1, 31),
            )
        )
    # a few 非市场主体: construction projects, kept by the department that records them (住建局)
    housing = next(d for d, *_ in depts if d.name.endswith("住房和城乡建设局"))
    for k in range(40):
        batch.append(
            Target(
                kind=TargetKind.PROJECT,
                nonmarket_key=f"LQXM-2026-{k + 1:03d}",
                key_display=f"LQXM-2026-{k + 1:03d}",
                name=f"鹿泉区{fake.street_name()}{rng.choice(['住宅小区', '道路改造', '厂房建设'])}项目",
                region_id=rng.choice(townships),
                keeper_department=housing,
            )
        )
    Target.objects.bulk_create(batch, batch_size=2000)

    # Supervision and tags, set-based by industry
    all_targets = list(Target.objects.values_list("id", "kind", "industry_code"))
    sup = []
    for d, _, industries, _ in depts:
        for tid, kind, ind in all_targets:
            if kind == TargetKind.PROJECT:
                if d.name.endswith(("住房和城乡建设局", "生态环境局鹿泉区分局")):
                    sup.append(TargetSupervision(target_id=tid, department_id=d.pk))
            elif industries is None or (ind or "")[:2] in industries:
                sup.append(TargetSupervision(target_id=tid, department_id=d.pk))
    TargetSupervision.objects.bulk_create(sup, batch_size=5000)
    tag_rules = {
        "62": "餐饮服务",
        "13": "食品生产",
        "14": "食品生产",
        "83": "校外培训",
        "61": "旅馆业",
        "26": "危险化学品",
        "47": "建筑施工",
        "48": "建筑施工",
        "90": "人员密集场所",
        "65": "网络交易",
    }
    through = Target.tags.through
    through.objects.bulk_create(
        [
            through(target_id=tid, tag_id=target_tags[tag_rules[(ind or "")[:2]]].pk)
            for tid, _, ind in all_targets
            if (ind or "")[:2] in tag_rules
        ],
        batch_size=5000,
    )
    counts = {
        "departments": len(depts),
        "inspectors": n_inspectors,
        "items": n_items,
        "targets": len(batch),
        "accounts": len(accounts),
    }
    audit.record(
        actor=None,
        action="demo.load",
        summary=f"载入演示数据：鹿泉区，{len(batch)} 个检查对象",
        detail=counts,
    )
    return counts


def _shop(division: str, rng: random.Random) -> str:
    return {
        "62": "饭店",
        "52": "便利店",
        "51": "商贸部",
        "80": "理发店",
        "61": "宾馆",
        "72": "信息咨询部",
        "90": "棋牌室",
    }.get(division, rng.choice(["商店", "经营部", "服务部"]))


def account_rows():
    return [
        (u.username, u.get_role_display(), u.department.name if u.department else "")
        for u in User.objects.filter(department__region_id__in=[COUNTY, CITY])
        .select_related("department")
        .order_by("department_id", "role")
    ]
