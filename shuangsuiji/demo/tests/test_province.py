"""The province demo (issue 20): 正定县 beside 鹿泉区 in 石家庄市, 清河县 in 邢台市, built small, and
what their city and province offices read: each county's form and the sum."""

import io
import re

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import Client, override_settings

from shuangsuiji.core.audit import verify
from shuangsuiji.core.models import Department, Region, User
from shuangsuiji.demo import county, province
from shuangsuiji.reports import levels
from shuangsuiji.reports.monthly import ROWS, monthly

CELLS = ("tasks", "households", "finished", "problems")


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker, tmp_path_factory):
    """鹿泉区's directory and accounts (its year is test_demo.py's), then the province demo, once
    for the module in a transaction rolled back at its end."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            with override_settings(
                MEDIA_ROOT=tmp_path_factory.mktemp("province-media"),
                PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
            ):
                call_command("load_regions", stdout=io.StringIO())
                call_command("load_industries", stdout=io.StringIO())
                county.build(targets=200)
                counts = province.build(targets=200)
        except BaseException:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            raise
    yield counts
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        outer.__exit__(None, None, None)


def _cells(form):
    return {key: tuple(getattr(form.rows[key], c) for c in CELLS) for key, _, _ in ROWS}


def _page(username: str, url: str) -> str:
    c = Client()
    c.force_login(User.objects.get(username=username))
    r = c.get(url)
    assert r.status_code == 200, (url, r.status_code)
    return r.content.decode()


@pytest.mark.django_db
def test_two_cities_three_counties_each_with_an_office_and_a_year(demo):
    offices = set(Department.objects.filter(is_office=True).values_list("region_id", flat=True))
    assert {"130110", "130123", "130534", "130100", "130500", "130000"} <= offices
    for code in ("130123", "130534"):
        _, summed, _ = monthly(code, 2026, 11)
        total = summed.rows["total"]
        assert total.tasks == 4 and total.households > 0 and total.finished > 0  # a joint task counts twice
        assert summed.rows["joint"].tasks == 2 and summed.rows["credit"].tasks == 1
    checked, broken, why = verify()
    assert checked > 0 and broken is None, why
    names = {u for u, _, _ in province.account_rows()}
    assert {"zd_office", "qh_scjg_admin", "city_office", "xt_city_office", "province_office"} <= names


@pytest.mark.django_db
def test_the_city_and_the_province_offices_see_their_counties_summed(demo):
    shijiazhuang = Region.objects.get(code="130100")
    parts = levels.monthly_parts(shijiazhuang, 2026, 11)
    assert [p.part.label for p in parts] == ["鹿泉区", "正定县", "市本级"]
    _, city, _ = monthly("1301", 2026, 11)
    assert _cells(city) == _cells(monthly("130123", 2026, 11)[1])  # 鹿泉区 has no year here
    hebei = levels.monthly_parts(Region.objects.get(code="130000"), 2026, 11)
    assert [p.part.label for p in hebei] == ["石家庄市", "邢台市"]
    _, whole, _ = monthly("13", 2026, 11)
    counties = [_cells(monthly(c, 2026, 11)[1]) for c in ("130123", "130534")]
    assert _cells(whole) == {
        k: tuple(map(sum, zip(*(c[k] for c in counties), strict=True))) for k in counties[0]
    }
    page = _page("province_office", "/reports/monthly/?year=2026&month=11")
    row = re.search(r'<tr data-region="total">(.*?)</tr>', page, re.S).group(1)
    assert re.findall(r'class="num">(\d+)<', row)[:4] == [str(n) for n in _cells(whole)["total"]]
    assert "正定县" in _page("city_office", "/reports/dashboard/?year=2026&month=11")
    assert "清河县" in _page("xt_city_office", "/reports/monthly/?year=2026&month=11&region=130534")
    c = Client()
    c.force_login(User.objects.get(username="xt_city_office"))
    assert c.get("/reports/monthly/?year=2026&month=11&region=130123").status_code == 404
