"""Reports above the county (issue 20): 石家庄市's office reads 鹿泉区 (issue 5's scenario T1–T5)
and 长安区 (one task built here), each and summed; the province reads its cities. The sums are
checked cell by cell against each county's own form, and every choice outside the reader's
jurisdiction is not found."""

import datetime as dt
import re
from decimal import Decimal
from types import SimpleNamespace

import pytest

from conftest import build_world, make_uscc, module_standing
from shuangsuiji.core import services as core
from shuangsuiji.core.models import Region, Role
from shuangsuiji.directory import services as directory
from shuangsuiji.directory.models import Item, ItemStatus, Tag, TagLibrary, Target, TargetSupervision
from shuangsuiji.planning import services as planning
from shuangsuiji.reports import kpi, levels
from shuangsuiji.reports.monthly import ROWS, monthly

from .scenario import ALL, _inspect, _inspectors, _run, build_scenario

D = dt.date
CELLS = ("tasks", "households", "finished", "problems")


def _user(username, role, dept):
    return core.user_create(
        actor=None,
        username=username,
        password="Lv#2026pwQ",
        role=role,
        department=dept,
        display_name=username,
    )


def _build(world):
    w = build_scenario(world)
    changan = Region.objects.get(code="130102")
    office = _user(
        "ca_office",
        Role.OFFICE,
        core.department_create(actor=None, name="双随机办公室", region=changan, is_office=True),
    )
    market = core.department_create(actor=None, name="长安区市场监督管理局", region=changan)
    admin = _user("ca_admin", Role.DEPT_ADMIN, market)
    item = Item.objects.create(
        region=changan, code="CA1", name="事项CA1", methods=["onsite"], status=ItemStatus.PUBLISHED
    )
    directory.item_claim(actor=admin, item=item)
    tag = Tag.objects.create(library=TagLibrary.TARGET, name="长安", region=changan)
    targets = []
    for n in range(6):
        t = Target.objects.create(
            kind="enterprise",
            uscc=make_uscc(f"91130102MA0D{n:05d}"),
            name=f"长安主体{n}",
            region=changan,
            risk_class="ABCD"[n % 4],
        )
        t.tags.add(tag)
        TargetSupervision.objects.create(target=t, department=market)
        targets.append(t)
    _inspectors(market, admin, None)
    plan = planning.plan_create(actor=admin, year=2026)
    task = planning.task_save(
        actor=admin,
        plan=plan,
        name="长安区企业抽查",
        items=[item],
        ratios=ALL,
        scope_tags=[tag],
        window_start=D(2026, 6, 1),
        window_end=D(2026, 9, 30),
    )
    planning.plan_submit(actor=admin, plan=plan)
    planning.plan_approve(actor=office, plan=plan)
    draw = _run(SimpleNamespace(office=office), admin, task)
    _inspect(draw, market, targets[:4], targets[:2])

    city = core.department_create(
        actor=None, name="双随机办公室", region=Region.objects.get(code="130100"), is_office=True
    )
    handan = core.department_create(
        actor=None, name="双随机办公室", region=Region.objects.get(code="130400"), is_office=True
    )
    province = core.department_create(
        actor=None, name="双随机办公室", region=Region.objects.get(code="130000"), is_office=True
    )
    w.ca_office, w.ca_admin = office, admin
    w.city_office = _user("sjz_office", Role.OFFICE, city)
    w.handan_office = _user("hd_office", Role.OFFICE, handan)
    w.province_office = _user("hb_office", Role.OFFICE, province)
    return w


@pytest.fixture(scope="module")
def standing(django_db_setup, django_db_blocker, tmp_path_factory):
    """Built once for the module in a transaction rolled back at its end (conftest)."""
    media = tmp_path_factory.mktemp("levels-media")
    yield from module_standing(django_db_blocker, media, lambda: _build(build_world()))


@pytest.fixture
def levels_world(standing, db):
    return standing


def _cells(form):
    return {key: tuple(getattr(form.rows[key], c) for c in CELLS) for key, _, _ in ROWS}


def _sum(forms):
    return {key: tuple(sum(f[key][i] for f in forms) for i in range(4)) for key, _, _ in ROWS}


def test_the_city_sum_is_its_counties_forms_added_cell_by_cell(levels_world):
    luquan = monthly("130110", 2026, 6)
    changan = monthly("130102", 2026, 6)
    city = monthly("1301", 2026, 6)
    for i in (1, 2):  # 各部门合计, 每个任务和对象只计一次
        parts = [_cells(luquan[i]), _cells(changan[i])]
        assert all(p["total"][1] > 0 and p["total"][2] > 0 for p in parts)  # both counties count
        assert _cells(city[i]) == _sum(parts)
    # the comparison the city office reads: one row per county, as each county office sees it
    rows = levels.monthly_parts(Region.objects.get(code="130100"), 2026, 6)
    assert [p.part.label for p in rows] == ["长安区", "鹿泉区"]
    assert [_cells(p.summed) for p in rows] == [_cells(changan[1]), _cells(luquan[1])]


def test_the_city_office_pages_show_the_total_the_counties_and_each_county(levels_world, client_for):
    c = client_for(levels_world.city_office)
    page = c.get("/reports/monthly/?year=2026&month=6").content.decode()
    assert "全市合计" in page and 'data-compare="monthly"' in page
    total = monthly("1301", 2026, 6)[1].rows["total"]
    row = re.search(r'<tr data-region="total">(.*?)</tr>', page, re.S).group(1)
    assert re.findall(r'class="num">(\d+)<', row)[:4] == [str(getattr(total, k)) for k in CELLS]
    one = c.get("/reports/monthly/?year=2026&month=6&region=130102")
    assert one.status_code == 200 and 'data-compare="monthly"' not in one.content.decode()
    luquan = monthly("130110", 2026, 6)[1].rows["total"]
    assert (
        f'<td class="num">{luquan.households}</td>'
        in c.get("/reports/monthly/?year=2026&month=6&region=130110").content.decode()
    )
    board = c.get("/reports/dashboard/?year=2026&month=6")
    assert board.status_code == 200 and 'data-compare="dashboard"' in board.content.decode()
    for url in (
        "/reports/dashboard/?year=2026&month=6&region=130110",
        "/reports/dashboard/coverage/?year=2026&month=6&region=130102",
        f"/reports/dashboard/?year=2026&month=6&region=130110&department={levels_world.m.pk}",
        "/reports/monthly/?year=2026&month=6&region=130110&format=xlsx",
    ):
        assert c.get(url).status_code == 200, url


def test_the_city_dashboard_recomputes_ratios_from_the_counties_sums(levels_world):
    today = D(2026, 7, 15)
    city = Region.objects.get(code="130100")
    total = kpi.dashboard(city, 2026, 6, today, [], jurisdiction=True).columns[0].figures
    parts = levels.dashboard_parts(city, 2026, 6, today)
    assert len(parts) == 2
    for key, _, _ in kpi.KPIS:
        figures = [p.column.figures[key] for p in parts]
        assert total[key].numerator == sum(f.numerator for f in figures), key
        assert total[key].denominator == sum(f.denominator for f in figures), key
        if total[key].denominator:
            assert total[key].value == Decimal(total[key].numerator) / Decimal(total[key].denominator)
    # a ratio of sums, not the mean of the counties' ratios: here they differ
    found = total["discovery_rate"]
    rates = [p.column.figures["discovery_rate"].value for p in parts]
    assert None not in rates and found.value != sum(rates) / 2


def test_the_province_office_reads_its_cities(levels_world, client_for):
    province = Region.objects.get(code="130000")
    rows = levels.monthly_parts(province, 2026, 6)
    assert [p.part.label for p in rows] == ["石家庄市", "邯郸市"]
    assert _cells(monthly("13", 2026, 6)[1]) == _sum([_cells(p.summed) for p in rows])
    c = client_for(levels_world.province_office)
    assert c.get("/reports/monthly/?year=2026&month=6&region=130100").status_code == 200
    assert "全省合计" in c.get("/reports/dashboard/?year=2026&month=6").content.decode()
    # a province chooses a city, never a county directly
    assert c.get("/reports/monthly/?year=2026&month=6&region=130110").status_code == 404


@pytest.mark.parametrize(
    "actor,query",
    [
        ("office", "region=130102"),  # a county office never chooses another county
        ("ca_office", "region=130110"),
        ("a_admin", "region=130110"),  # nor a department, even its own county
        ("handan_office", "region=130110"),  # a city office, a county of another city
        ("city_office", "region=130433"),
        ("city_office", "region=130400"),  # nor a city beside it
        ("handan_office", "department=DEPT_M"),  # nor another city's department
    ],
)
def test_choosing_a_jurisdiction_outside_ones_own_is_not_found(levels_world, client_for, actor, query):
    c = client_for(getattr(levels_world, actor))
    query = query.replace("DEPT_M", str(levels_world.m.pk))
    for path in ("/reports/monthly/", "/reports/dashboard/", "/reports/dashboard/coverage/"):
        assert c.get(f"{path}?year=2026&month=6&{query}").status_code == 404, path


def test_a_city_office_reads_each_countys_assessment_and_estimates(levels_world, client_for):
    w = levels_world
    c = client_for(w.city_office)
    page = c.get("/reports/assessment/?year=2026&as_of=2026-07-15&region=130110").content.decode()
    rows = set(re.findall(r'<tr data-department="(\d+)">', page))
    assert str(w.m.pk) in rows and str(w.ca_admin.department_id) not in rows  # 鹿泉区's units only
    assert "鹿泉区" in page and 'name="region"' in page and "region=130110" in page  # the drills keep it
    drill = c.get(f"/reports/assessment/{w.m.pk}/late_result/?year=2026&as_of=2026-07-15&region=130110")
    assert drill.status_code == 200
    other = c.get("/reports/assessment/?year=2026&as_of=2026-07-15&region=130102").content.decode()
    assert set(re.findall(r'<tr data-department="(\d+)">', other)) == {str(w.ca_admin.department_id)}
    # 抽查结果推断: each county's drawn tasks, never the other's
    luquan = c.get("/reports/estimates/?year=2026&month=12&region=130110").content.decode()
    changan = c.get("/reports/estimates/?year=2026&month=12&region=130102").content.decode()
    assert "长安区企业抽查" in changan and "长安区企业抽查" not in luquan
    assert re.search(r'<tr data-draw="', luquan) and "鹿泉区" in luquan


@pytest.mark.parametrize(
    "actor,query",
    [
        ("office", "region=130102"),
        ("a_admin", "region=130110"),
        ("handan_office", "region=130110"),
        ("city_office", "region=130433"),
    ],
)
def test_the_assessment_and_estimates_refuse_a_jurisdiction_outside_ones_own(
    levels_world, client_for, actor, query
):
    c = client_for(getattr(levels_world, actor))
    for path in ("/reports/assessment/", "/reports/estimates/"):
        assert c.get(f"{path}?year=2026&month=6&{query}").status_code == 404, path
    assert c.get(f"/reports/assessment/{levels_world.m.pk}/late_result/?year=2026&{query}").status_code == 404
