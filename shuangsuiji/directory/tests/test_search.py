"""Name search as the list and the API run it: two-character queries (bigram index on
PostgreSQL), longer ones, exact USCC, and a capped count for broad searches."""

import pytest
from django.urls import reverse

from conftest import make_uscc
from shuangsuiji.core import paging
from shuangsuiji.directory.models import Target, TargetSupervision
from shuangsuiji.directory.selectors import TargetFilter, targets_for

NAMES = [
    "鑫达建材有限公司",
    "鹿泉区鑫达饭店",
    "达鑫商贸有限公司",
    "餐饮管理公司",
    "鹿泉区好味道餐饮店",
    "宏达建材",
]


@pytest.fixture
def named(world):
    for i, name in enumerate(NAMES):
        t = Target.objects.create(
            kind="enterprise", uscc=make_uscc(f"91130110MA0D{i:05d}"), name=name, region=world.county
        )
        TargetSupervision.objects.create(target=t, department=world.dept_a)
    return world


@pytest.mark.parametrize(
    "q, expect",
    [
        ("鑫达", {"鑫达建材有限公司", "鹿泉区鑫达饭店"}),  # 2 characters: not 达鑫
        ("餐饮", {"餐饮管理公司", "鹿泉区好味道餐饮店"}),
        ("达建材", {"鑫达建材有限公司", "宏达建材"}),
        ("鑫达建材", {"鑫达建材有限公司"}),
        ("达", {"鑫达建材有限公司", "鹿泉区鑫达饭店", "达鑫商贸有限公司", "宏达建材"}),
    ],
)
@pytest.mark.django_db
def test_name_substrings(named, q, expect):
    found = set(TargetFilter(q=q).apply(targets_for(named.a_admin)).values_list("name", flat=True))
    assert found == expect


@pytest.mark.django_db
def test_exact_uscc(named):
    code = make_uscc("91130110MA0D00003")
    assert list(
        TargetFilter(q=code.lower()).apply(targets_for(named.office)).values_list("name", flat=True)
    ) == ["餐饮管理公司"]


@pytest.mark.django_db
def test_broad_lists_cap_their_count(client_for, named, monkeypatch):
    """A list counts to COUNT_CAP, a name search to SEARCH_COUNT_CAP."""
    from shuangsuiji.directory import views

    monkeypatch.setattr(paging, "COUNT_CAP", 3)
    monkeypatch.setattr(views, "SEARCH_COUNT_CAP", 3)
    page = client_for(named.a_admin).get(reverse("directory:target_list") + "?q=公司").content.decode()
    assert "共 3 个检查对象" in page
    page = client_for(named.a_admin).get(reverse("directory:target_list")).content.decode()
    assert "超过 3 个" in page
    monkeypatch.setattr(views, "SEARCH_COUNT_CAP", 2)
    page = client_for(named.a_admin).get(reverse("directory:target_list") + "?q=公司").content.decode()
    assert "超过 2 个" in page
    monkeypatch.setattr(views, "SEARCH_COUNT_CAP", 2)
    code = make_uscc("91130110MA0D00003")  # an exact code is not a name search: the list's cap
    assert TargetFilter(q=code).searches_names is False and TargetFilter(q="公司").searches_names
