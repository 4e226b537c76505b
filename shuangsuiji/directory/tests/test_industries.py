"""GB/T 4754-2017 industry table: the shipped data, the reader and the load_industries command."""

import io

import openpyxl
import pytest
from django.core.management import CommandError, call_command

from shuangsuiji.core.models import AuditEntry
from shuangsuiji.directory.industrydata import (
    SHIPPED_TABLE,
    industry_rows,
    read_industry_table,
    section_of_division,
)
from shuangsuiji.directory.models import Industry, IndustryLevel


def shipped_rows():
    return industry_rows(read_industry_table(SHIPPED_TABLE.name, SHIPPED_TABLE.read_bytes()))


# ---- the shipped table ---------------------------------------------------------------------


def test_shipped_table_has_20_sections_and_97_contiguous_divisions():
    # the whole table ships (its counts and tree: test_industry_table.py)
    rows = shipped_rows()
    sections = [r["code"] for r in rows if r["level"] == "section"]
    divisions = [r["code"] for r in rows if r["level"] == "division"]
    assert sections == list("ABCDEFGHIJKLMNOPQRST")
    assert divisions == [f"{n:02d}" for n in range(1, 98)]
    assert len(rows) == 20 + 97 + 473 + 1381
    assert SHIPPED_TABLE.read_text(encoding="utf-8").splitlines()[0] == "代码,名称"


@pytest.mark.parametrize(
    ("code", "name", "section"),
    [
        ("01", "农业", "A"),
        ("12", "其他采矿业", "B"),
        ("13", "农副食品加工业", "C"),
        ("43", "金属制品、机械和设备修理业", "C"),
        ("47", "房屋建筑业", "E"),
        ("62", "餐饮业", "H"),
        ("70", "房地产业", "K"),
        ("83", "教育", "P"),
        ("84", "卫生", "Q"),
        ("88", "文化艺术业", "R"),
        ("96", "基层群众自治组织及其他组织", "S"),
        ("97", "国际组织", "T"),
    ],
)
def test_shipped_divisions_sit_under_the_right_section(code, name, section):
    row = {r["code"]: r for r in shipped_rows()}[code]
    assert row == {"code": code, "name": name, "level": "division", "parent": section, "section": section}


def test_every_shipped_division_parent_matches_the_standard_ranges():
    ranges = {"A": (1, 5), "C": (13, 43), "G": (53, 60), "S": (91, 96)}
    by_code = {r["code"]: r for r in shipped_rows()}
    for letter, (lo, hi) in ranges.items():
        for n in range(lo, hi + 1):
            assert by_code[f"{n:02d}"]["parent"] == letter
    assert by_code["H"]["name"] == "住宿和餐饮业"
    assert by_code["T"]["parent"] is None
    assert section_of_division("98") is None


# ---- the pure functions --------------------------------------------------------------------


def test_industry_rows_derives_levels_and_parents():
    pairs = [
        ("6231", "茶馆服务"),  # children before parents: order in the input does not matter
        ("623", "饮料及冷饮服务"),
        ("6210", "正餐服务"),
        ("62", "餐饮业"),
        ("H", "住宿和餐饮业"),
        ("C", "制造业"),
        ("13", "农副食品加工业"),
        ("131", "谷物磨制"),
        ("1311", "稻谷加工"),
    ]
    rows = industry_rows(pairs)
    by_code = {r["code"]: r for r in rows}
    assert by_code["H"] == {
        "code": "H",
        "name": "住宿和餐饮业",
        "level": "section",
        "parent": None,
        "section": "H",
    }
    assert by_code["62"]["parent"] == "H"
    assert (by_code["623"]["level"], by_code["623"]["parent"], by_code["623"]["section"]) == (
        "group",
        "62",
        "H",
    )
    assert (by_code["6231"]["level"], by_code["6231"]["parent"]) == ("class", "623")
    # 621 is not in the set, so its class hangs on the division
    assert by_code["6210"]["parent"] == "62"
    assert by_code["1311"]["parent"] == "131"
    assert by_code["1311"]["section"] == "C"
    # parents come before children
    order = [r["code"] for r in rows]
    assert order == ["C", "H", "13", "62", "131", "623", "1311", "6210", "6231"]


@pytest.mark.parametrize(
    ("pairs", "message"),
    [
        ([("C", "制造业"), ("13", "农副食品加工业"), ("13X", "坏代码")], "第 3 条（13X 坏代码）"),
        ([("U", "不存在的门类")], "第 1 条（U 不存在的门类）"),
        ([("C", "制造业"), ("12345", "五位")], "第 2 条"),
        ([("S", "公共管理"), ("98", "越界")], "01–97"),
        ([("C", "制造业"), ("1311", "稻谷加工")], "第 2 条（1311 稻谷加工）：上级大类 13 不在表中"),
        ([("62", "餐饮业")], "上级门类 H 不在表中"),
    ],
)
def test_industry_rows_rejects_bad_rows(pairs, message):
    with pytest.raises(ValueError, match=message):
        industry_rows(pairs)


def test_read_names_the_line_of_a_bad_code():
    content = "代码,名称\nC,制造业\n13,农副食品加工业\n1A3,坏代码\n".encode()
    with pytest.raises(ValueError, match="第 4 行.*1A3"):
        read_industry_table("t.csv", content)


def test_read_gbk_official_layout_with_separate_code_columns():
    # The official table: a title, a merged 代码 header over 门类/大类/中类/小类, and a group with a
    # single class printed on one row.
    text = (
        "国民经济行业分类（GB/T 4754-2017）\n"
        "代码,,,,类别名称,说明\n"
        "门类,大类,中类,小类,,\n"
        "H,,,,住宿和餐饮业,本门类包括61～62大类\n"
        ",62,,,餐饮业,\n"
        ",,621,6210,正餐服务,\n"
        ",,,,,（说明续行）\n"
        ",,623,,饮料及冷饮服务,\n"
        ",,,6231,茶馆服务,\n"
    )
    pairs = read_industry_table("official.csv", text.encode("gbk"))
    assert pairs == [
        ("H", "住宿和餐饮业"),
        ("62", "餐饮业"),
        ("621", "正餐服务"),
        ("6210", "正餐服务"),
        ("623", "饮料及冷饮服务"),
        ("6231", "茶馆服务"),
    ]


def test_read_xlsx_restores_zeros_from_the_column_width():
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["门类", "大类", "中类", "小类", "类别名称"])
    ws.append(["A", None, None, None, "农、林、牧、渔业"])
    ws.append([None, 1, None, None, "农业"])  # Excel stored 01 as the number 1
    ws.append([None, None, 11, None, "谷物种植"])
    ws.append([None, None, None, 111, "稻谷种植"])
    buf = io.BytesIO()
    wb.save(buf)
    pairs = read_industry_table("official.xlsx", buf.getvalue())
    assert pairs == [("A", "农、林、牧、渔业"), ("01", "农业"), ("011", "谷物种植"), ("0111", "稻谷种植")]
    assert industry_rows(pairs)[-1]["parent"] == "011"


def test_read_xlsx_single_column_refuses_numbers_that_may_have_lost_a_zero():
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["行业代码", "名称"])
    ws.append([11, "谷物种植"])  # 011 or division 11? cannot tell
    buf = io.BytesIO()
    wb.save(buf)
    with pytest.raises(ValueError, match="第 2 行.*数字格式"):
        read_industry_table("t.xlsx", buf.getvalue())


def test_read_requires_code_and_name_headers():
    with pytest.raises(ValueError, match="表头须包含"):
        read_industry_table("t.csv", "编号,标题\nA,农业\n".encode())


# ---- load_industries -----------------------------------------------------------------------


@pytest.mark.django_db
def test_load_shipped_table_is_idempotent():
    out = io.StringIO()
    call_command("load_industries", stdout=out)
    assert Industry.objects.count() == 1971
    assert Industry.objects.filter(level=IndustryLevel.SECTION).count() == 20
    assert Industry.objects.filter(level=IndustryLevel.DIVISION).count() == 97
    assert "门类 20、大类 97、中类 473、小类 1381" in out.getvalue() and "新增 1971" in out.getvalue()
    food = Industry.objects.get(code="13")
    assert (food.name, food.parent_id, food.section) == ("农副食品加工业", "C", "C")
    assert Industry.objects.get(code="62").parent.name == "住宿和餐饮业"
    assert Industry.objects.get(code="83").parent_id == "P"
    assert Industry.objects.get(code="97").parent_id == "T"
    assert Industry.objects.get(code="A").parent is None

    out = io.StringIO()
    call_command("load_industries", stdout=out)
    assert Industry.objects.count() == 1971
    assert "新增 0、更新 0、未变 1971" in out.getvalue()

    entries = list(AuditEntry.objects.filter(action="industry.load").order_by("seq"))
    assert len(entries) == 2
    assert entries[0].actor_id is None
    assert entries[0].summary.startswith("载入行业分类表 gbt4754_2017.csv")
    assert entries[0].detail["section"] == 20 and entries[0].detail["division"] == 97
    assert entries[0].detail["group"] == 473 and entries[0].detail["class"] == 1381
    assert entries[0].detail["created"] == 1971 and entries[1].detail["unchanged"] == 1971


@pytest.mark.django_db
def test_reload_restores_a_changed_row():
    call_command("load_industries", stdout=io.StringIO())
    Industry.objects.filter(code="62").update(name="饭馆")
    out = io.StringIO()
    call_command("load_industries", stdout=out)
    assert Industry.objects.get(code="62").name == "餐饮业"
    assert "新增 0、更新 1、未变 1970" in out.getvalue()


@pytest.mark.django_db
def test_load_official_table_adds_groups_and_classes(tmp_path):
    path = tmp_path / "gbt4754_official.csv"
    path.write_text(
        "门类,大类,中类,小类,类别名称\n"
        "H,,,,住宿和餐饮业\n"
        ",62,,,餐饮业\n"
        ",,621,6210,正餐服务\n"
        ",,623,,饮料及冷饮服务\n"
        ",,,6231,茶馆服务\n"
        ",,,6232,咖啡馆服务\n",
        encoding="utf-8",
    )
    out = io.StringIO()
    call_command("load_industries", str(path), stdout=out)

    assert Industry.objects.count() == 7
    group = Industry.objects.get(code="623")
    assert (group.level, group.parent_id, group.section) == (IndustryLevel.GROUP, "62", "H")
    tea = Industry.objects.get(code="6231")
    assert (tea.name, tea.level, tea.parent_id, tea.section) == ("茶馆服务", IndustryLevel.CLASS, "623", "H")
    assert Industry.objects.get(code="6210").parent_id == "621"
    assert set(Industry.objects.get(code="62").children.values_list("code", flat=True)) == {"621", "623"}
    assert "中类 2" in out.getvalue() and "小类 3" in out.getvalue() and "新增 7" in out.getvalue()
    # the shipped table then adds the rest; the rows the file had are the same there
    out = io.StringIO()
    call_command("load_industries", stdout=out)
    assert "新增 1964、更新 0、未变 7" in out.getvalue()


@pytest.mark.django_db
def test_load_bad_file_changes_nothing(tmp_path):
    call_command("load_industries", stdout=io.StringIO())
    audits = AuditEntry.objects.count()
    path = tmp_path / "bad.csv"
    path.write_text("代码,名称\nH,住宿和餐饮业\n62,餐饮业\n623,改过的名称\n62X1,坏代码\n", encoding="utf-8")
    with pytest.raises(CommandError, match="第 5 行"):
        call_command("load_industries", str(path), stdout=io.StringIO())
    assert Industry.objects.count() == 1971
    assert Industry.objects.get(code="623").name == "饮料及冷饮服务"
    assert AuditEntry.objects.count() == audits


@pytest.mark.django_db
def test_load_missing_file_is_a_command_error(tmp_path):
    with pytest.raises(CommandError, match="找不到文件"):
        call_command("load_industries", str(tmp_path / "nope.csv"))
    assert Industry.objects.count() == 0
