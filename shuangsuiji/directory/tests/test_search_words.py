"""Searches and filters that say why (issue 18): the target search also matches industry names and
tag names, 行业 and 区划 take names as well as codes, and a value that names nothing is said so on
the page, naming the field, instead of a silent empty list."""

import pytest

from conftest import make_uscc
from shuangsuiji.directory.models import Industry, Tag, Target, TargetSupervision
from shuangsuiji.directory.selectors import TargetFilter, industry_codes_named, targets_for


@pytest.fixture
def town(world):
    def target(n, name, industry=None, region=None):
        t = Target.objects.create(
            kind="enterprise",
            uscc=make_uscc(f"91130110MA0E{n:05d}"),
            name=name,
            region=region or world.county,
            industry=Industry.objects.get(code=industry) if industry else None,
        )
        TargetSupervision.objects.create(target=t, department=world.dept_a)
        return t

    world.hotel = target(1, "鹿泉区聚福楼饭店", industry="6210")  # 正餐服务, under 62 餐饮业
    world.shop = target(2, "鹿泉区便民超市", industry="5212")  # 超级市场零售
    world.plant = target(3, "获鹿镇砂石厂", region=world.county.children.get(code="130110100"))
    world.cold = Tag.objects.create(
        library="target", name="冷链食品", department=world.dept_a, region=world.county
    )
    world.other_tag = Tag.objects.create(
        library="target", name="冷链仓储", department=world.dept_b, region=world.county
    )
    world.shop.tags.add(world.cold)
    return world


def _names(resp) -> set[str]:
    assert resp.status_code == 200
    return {t.name for t in resp.context["page"]}


def test_industry_names_resolve_to_their_codes_and_all_below(world):
    codes = industry_codes_named("餐饮")
    assert "62" in codes and "621" in codes and "6210" in codes
    assert all(c.startswith("62") for c in codes)
    assert industry_codes_named("没有这个行业") == []


@pytest.mark.django_db
def test_a_search_word_finds_the_industry_by_name(town):
    # “餐饮” is not in 聚福楼饭店's name: its industry, 正餐服务 under 餐饮业, is what matches
    found = TargetFilter(q="餐饮").apply(targets_for(town.a_admin))
    assert list(found.values_list("name", flat=True)) == ["鹿泉区聚福楼饭店"]


@pytest.mark.django_db
def test_the_list_search_finds_a_tags_targets_among_the_users_own_tags(client_for, town):
    client = client_for(town.a_admin)
    assert _names(client.get("/directory/targets/", {"q": "冷链食品"})) == {"鹿泉区便民超市"}
    # another department's tag of the same words gives A's search nothing of its own
    town.plant.tags.add(town.other_tag)
    assert _names(client.get("/directory/targets/", {"q": "冷链仓储"})) == set()


@pytest.mark.django_db
def test_industry_filter_takes_names_and_codes(client_for, town):
    client = client_for(town.a_admin)
    assert _names(client.get("/directory/targets/", {"industry": "餐饮"})) == {"鹿泉区聚福楼饭店"}
    assert _names(client.get("/directory/targets/", {"industry": "62"})) == {"鹿泉区聚福楼饭店"}
    assert _names(client.get("/directory/targets/", {"industry": "H"})) == {"鹿泉区聚福楼饭店"}


@pytest.mark.django_db
def test_region_filter_takes_a_name(client_for, town):
    client = client_for(town.a_admin)
    # 鹿泉 names 鹿泉区 (current) and 鹿泉市 (retired in 2014): the current one is meant
    assert _names(client.get("/directory/targets/", {"region": "鹿泉"})) == {
        "鹿泉区聚福楼饭店",
        "鹿泉区便民超市",
        "获鹿镇砂石厂",
    }
    assert _names(client.get("/directory/targets/", {"region": "获鹿"})) == {"获鹿镇砂石厂"}
    assert _names(client.get("/directory/targets/", {"region": "130110100"})) == {"获鹿镇砂石厂"}


@pytest.mark.parametrize(
    "query, message",
    [
        ({"region": "馆陶"}, "区划：本辖区没有名称含“馆陶”的行政区划"),  # another county's
        ({"region": "999999"}, "区划：没有代码为“999999”的行政区划"),
        ({"industry": "火星采矿"}, "行业：没有代码或名称为“火星采矿”的行业"),
        ({"industry": "99"}, "行业：没有代码或名称为“99”的行业"),
        ({"tag": "999999"}, "标签："),
    ],
)
@pytest.mark.django_db
def test_a_value_that_names_nothing_is_said_so(client_for, town, query, message):
    resp = client_for(town.a_admin).get("/directory/targets/", query)
    page = resp.content.decode()
    assert "以下筛选条件无法识别" in page and message in page
    assert list(resp.context["page"]) == []


@pytest.mark.django_db
def test_the_region_name_is_looked_up_within_the_users_jurisdiction(client_for, town):
    """The office of 鹿泉区 finds 长安区 of 石家庄 nowhere: it is not under 鹿泉区."""
    page = client_for(town.office).get("/directory/targets/", {"region": "长安"}).content.decode()
    assert "本辖区没有名称含“长安”的行政区划" in page
