"""The whole GB/T 4754-2017 table ships (门类 to 小类, with names); codes are stored at the level
they are written; the target list finds targets by an industry's name."""

import csv
import io
from collections import Counter

import pytest
from django.core.management import call_command

from shuangsuiji.core.errors import DomainError
from shuangsuiji.directory.forms import TargetFilterForm, TargetForm
from shuangsuiji.directory.importing import CellError, Lookups
from shuangsuiji.directory.industrydata import (
    SECTION_DIVISIONS,
    SHIPPED_TABLE,
    industry_rows,
    read_industry_table,
)
from shuangsuiji.directory.models import Industry, Tag, Target, TargetKind
from shuangsuiji.directory.selectors import TargetFilter, industry_for_code

# The table's own count of 小类 is 1,381 distinct codes; the 2017 announcement says 1,380 (see
# industrydata's docstring).
COUNTS = {"section": 20, "division": 97, "group": 473, "class": 1381}
LEVEL_OF_LENGTH = {1: "section", 2: "division", 3: "group", 4: "class"}


def shipped():
    return {
        r["code"]: r
        for r in industry_rows(read_industry_table(SHIPPED_TABLE.name, SHIPPED_TABLE.read_bytes()))
    }


# ---- the shipped file ----------------------------------------------------------------------


def test_shipped_counts_per_level():
    assert Counter(r["level"] for r in shipped().values()) == COUNTS


def test_shipped_file_is_plain_code_name_rows_each_code_once():
    rows = list(csv.reader(io.StringIO(SHIPPED_TABLE.read_text(encoding="utf-8"))))
    assert rows[0] == ["代码", "名称"]
    codes = [r[0] for r in rows[1:]]
    assert all(len(r) == 2 and r[1] and r[1] == r[1].strip() for r in rows[1:])
    assert len(codes) == len(set(codes)) == sum(COUNTS.values())
    assert Counter(LEVEL_OF_LENGTH[len(c)] for c in codes) == COUNTS


def test_every_parent_exists_one_level_up():
    by_code = shipped()
    levels = list(LEVEL_OF_LENGTH.values())
    for code, r in by_code.items():
        assert r["level"] == LEVEL_OF_LENGTH[len(code)], code
        if r["level"] == "section":
            assert r["parent"] is None
            continue
        parent = by_code[r["parent"]]
        assert levels.index(parent["level"]) == levels.index(r["level"]) - 1, code
        if r["level"] == "division":
            lo, hi = SECTION_DIVISIONS[r["parent"]]
            assert lo <= int(code) <= hi, code
        else:
            assert r["parent"] == code[:-1], code  # 小类 under its 中类, 中类 under its 大类
        assert r["section"] == (code if code.isalpha() else by_code[code[:2]]["parent"])


def test_no_level_is_cut_short():
    """Every 门类 has 大类, every 大类 中类, every 中类 小类: the table reaches 小类 everywhere."""
    by_code = shipped()
    parents = Counter(r["parent"] for r in by_code.values() if r["parent"])
    assert [c for c, r in by_code.items() if r["level"] != "class" and not parents[c]] == []
    assert {s: sum(1 for r in by_code.values() if r["parent"] == s) for s in "AKPT"} == {
        "A": 5,
        "K": 1,
        "P": 1,
        "T": 1,
    }


@pytest.mark.parametrize(
    ("code", "name"),
    [
        ("C", "制造业"),
        ("13", "农副食品加工业"),
        ("131", "谷物磨制"),
        ("1311", "稻谷加工"),
        ("1319", "其他谷物磨制"),
        ("019", "其他农业"),  # a 中类 with one 小类: printed on one row, both carry the name
        ("0190", "其他农业"),
        ("511", "农、林、牧、渔产品批发"),
        ("5111", "谷物、豆及薯类批发"),
        ("5292", "互联网零售"),
        ("374", "航空、航天器及设备制造"),
        ("3741", "飞机制造"),
        ("621", "正餐服务"),
        ("6210", "正餐服务"),
        ("6241", "餐饮配送服务"),
        ("7517", "三维（3D）打印技术推广服务"),
        ("8421", "社区卫生服务中心（站）"),
        ("9700", "国际组织"),
    ],
)
def test_known_names(code, name):
    assert shipped()[code]["name"] == name


# ---- load_industries -----------------------------------------------------------------------


@pytest.mark.django_db
def test_load_industries_loads_the_whole_table():
    call_command("load_industries", verbosity=0)
    assert Counter(Industry.objects.values_list("level", flat=True)) == COUNTS
    rice = Industry.objects.select_related("parent__parent__parent").get(code="1311")
    chain = [rice.code, rice.parent.code, rice.parent.parent.code, rice.parent.parent.parent.code]
    assert chain == ["1311", "131", "13", "C"]
    assert (rice.name, rice.level, rice.section) == ("稻谷加工", "class", "C")
    assert Industry.objects.get(code="019").children.get().code == "0190"


# ---- codes stored at the level given ------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("written", "code", "level"),
    [
        ("C1311", "1311", "class"),
        ("1311", "1311", "class"),
        (" c1311 ", "1311", "class"),
        ("131", "131", "group"),
        ("C13", "13", "division"),
        ("13", "13", "division"),
        ("C", "C", "section"),
        ("H6210", "6210", "class"),
    ],
)
def test_a_code_is_stored_at_the_level_written(industries, written, code, level):
    found = industry_for_code(written)
    assert (found.code, found.level) == (code, level)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("written", "message"),
    [
        ("1318", "行业代码“1318”不在国民经济行业分类（GB/T 4754-2017）中"),
        ("C1318", "不在国民经济行业分类"),
        ("98", "不在国民经济行业分类"),
        ("A1311", "门类字母 A 与代码 1311 不符：1311 属于门类 C"),
        ("U", "格式错误"),
        ("13111", "格式错误"),
    ],
)
def test_an_unknown_code_is_refused_in_chinese(industries, written, message):
    with pytest.raises(DomainError, match=message) as e:
        industry_for_code(written)
    assert e.value.field == "industry"


@pytest.mark.django_db
def test_importer_stores_the_code_as_written_and_refuses_an_unknown_one(world):
    lookups = Lookups(world.dept_a)
    assert lookups.industry("1311", "C1311") == "1311"
    assert lookups.industry("131") == "131"
    assert lookups.industry("13", "C13") == "13"
    with pytest.raises(CellError, match="“1318”不在国民经济行业分类"):
        lookups.industry("1318")
    with pytest.raises(CellError, match="门类字母 B 与代码 1311 不符"):
        lookups.industry("1311", "B1311")


@pytest.mark.django_db
def test_target_form_takes_a_code_at_any_level(world):
    base = {"kind": TargetKind.ENTERPRISE, "name": "鹿泉区某米业有限公司", "key": "x", "region": "130110"}
    for written, code in (("C1311", "1311"), ("131", "131"), ("13", "13"), ("C", "C")):
        form = TargetForm(data={**base, "industry": written}, tags=Tag.objects.none())
        form.is_valid()
        assert "industry" not in form.errors, form.errors
        assert form.cleaned_data["industry"].code == code
    form = TargetForm(data={**base, "industry": "1318"}, tags=Tag.objects.none())
    form.is_valid()
    assert "不在国民经济行业分类" in form.errors["industry"][0]
    form = TargetForm(data={**base, "industry": ""}, tags=Tag.objects.none())
    form.is_valid()
    assert "industry" not in form.errors and form.cleaned_data["industry"] is None


# ---- the list filter finds targets by industry name -------------------------------------


@pytest.fixture
def filed(world):
    def make(name, industry):
        return Target.objects.create(
            kind=TargetKind.SITE,
            nonmarket_key=name,
            name=name,
            region=world.county,
            industry_id=industry,
            industry_code=industry or "",
        )

    return {
        "rice": make("鹿泉区稻香米业有限公司", "1311"),
        "mill": make("鹿泉区磨坊有限公司", "131"),
        "dinner": make("鹿泉区好味道饭店", "6210"),
        "delivery": make("鹿泉区快送餐饮配送有限公司", "6241"),
        "catering": make("鹿泉区餐饮有限公司", "62"),
        "shop": make("鹿泉区便利店", "5212"),
        "none": make("鹿泉区无行业有限公司", None),
    }


def names(filed, text):
    found = set(TargetFilter(industry=text).apply(Target.objects.all()).values_list("pk", flat=True))
    return {k for k, t in filed.items() if t.pk in found}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("谷物磨制", {"rice", "mill"}),  # the 中类 131 and the 小类 under it
        ("稻谷加工", {"rice"}),
        ("餐饮", {"dinner", "delivery", "catering"}),  # 62 餐饮业 and all below it
        ("正餐", {"dinner"}),
        ("住宿和餐饮业", {"dinner", "delivery", "catering"}),  # the 门类 H
        ("零售", {"shop"}),
        ("没有这个行业", set()),
        ("C1311", {"rice"}),
        ("1311", {"rice"}),
        ("131", {"rice", "mill"}),
        ("C13", {"rice", "mill"}),
        ("h", {"dinner", "delivery", "catering"}),
        ("62", {"dinner", "delivery", "catering"}),
        ("A13", set()),
    ],
)
def test_filter_by_industry_code_or_name(filed, text, expected):
    assert names(filed, text) == expected


@pytest.mark.django_db
def test_filter_form_passes_a_name_through(filed):
    form = TargetFilterForm(data={"industry": "餐饮"})
    assert names(filed, form.filter().industry) == {"dinner", "delivery", "catering"}
