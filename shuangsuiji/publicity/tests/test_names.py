"""A department's name on the public portal says its region once (issue 18): 鹿泉区 + 卫生健康局
becomes 鹿泉区卫生健康局, but 鹿泉区市场监督管理局 is not printed as 鹿泉区鹿泉区市场监督管理局."""

import re

import pytest
from django.urls import reverse

from shuangsuiji.core.models import Department, Region, region_short
from shuangsuiji.draw.tests.conftest import ready  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("region", "name", "full"),
    [
        ("鹿泉区", "卫生健康局", "鹿泉区卫生健康局"),
        ("鹿泉区", "鹿泉区市场监督管理局", "鹿泉区市场监督管理局"),
        ("鹿泉区", "生态环境局鹿泉区分局", "生态环境局鹿泉区分局"),
        ("鹿泉区", "公安局鹿泉分局", "公安局鹿泉分局"),  # 鹿泉 names the district without 区
        ("石家庄市", "石家庄市市场监督管理局", "石家庄市市场监督管理局"),
        ("石家庄市", "市场监督管理局", "石家庄市市场监督管理局"),
        ("城区", "教育局", "城区教育局"),  # a two-character name keeps its ending
    ],
)
def test_full_name_names_the_region_once(region, name, full):
    assert Department(name=name, region=Region(code="130110", name=region)).full_name == full


def test_region_short():
    assert [region_short(n) for n in ("鹿泉区", "石家庄市", "河北省", "城区", "围场满族蒙古族自治县")] == [
        "鹿泉",
        "石家庄",
        "河北",
        "城区",
        "围场满族蒙古族",
    ]


def test_public_lists_print_the_district_once(ready, client):  # noqa: F811  (the imported fixture)
    w = ready
    county = w.county.name

    def plans() -> list[str]:
        index = client.get(reverse("publicity:index")).content.decode()
        assert county * 2 not in index
        return re.findall(r'<a href="/public/plans/\d+/">([^<]+)</a>', index)

    assert w.dept_a.name == "市场监督管理局" and plans() == [f"{county}市场监督管理局"]
    Department.objects.filter(pk=w.dept_a.pk).update(name=f"{county}市场监督管理局")
    assert plans() == [f"{county}市场监督管理局"]
    page = client.get(reverse("publicity:plan", args=[w.plan_a.pk])).content.decode()
    assert f"<h1>{county}市场监督管理局 2026 年度抽查计划</h1>" in page and county * 2 not in page
