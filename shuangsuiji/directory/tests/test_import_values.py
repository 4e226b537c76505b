"""Issue 17, the values of a clerk's real file: ID numbers and USCCs as they are typed (full-width,
spaces, counties older than python-stdnum's table), what Excel does to them, dates in every form
Excel and people write, and rows named as Excel numbers them."""

import datetime as dt
import io
import re

import openpyxl
import pytest

from conftest import make_ric, make_uscc
from shuangsuiji.core.models import JobStatus
from shuangsuiji.directory.importing import RowError, parse_date
from shuangsuiji.directory.models import Inspector, Target

from .test_import import HEADER, INSPECTOR_HEADER, errors, run

EXCEL_WORDS = (
    "Excel 已将此列存为数字，后几位已丢失：请把该列设为“文本”格式后重新输入这些号码（或在号码前加英文单引号）"
)
HEBEI_1970 = "130105197003150214"  # valid; 130105 entered stdnum's table for births from 1983 on
PERSON = "身份证号,姓名,行政区划代码"


def full_width(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


def warnings(job):
    return [(w["row"], w["field"], w["reason"]) for w in job.result["warnings"]]


def xlsx(rows) -> bytes:
    wb = openpyxl.Workbook()
    for r in rows:
        wb.active.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


# ---- ID numbers -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_hebei_id_born_before_its_code_entered_stdnum_is_accepted_with_a_warning(world):
    from stdnum.cn import ric

    assert not ric.is_valid(HEBEI_1970)  # what python-stdnum alone would refuse
    job = run(world.a_admin, f"{PERSON}\n{HEBEI_1970},张三,130110", template="person")
    assert job.status == JobStatus.SUCCEEDED, job.result
    assert Target.objects.get(kind="person").key_display == "1301**********0214"
    [(row, field, reason)] = warnings(job)
    assert (row, field) == (2, "身份证号") and "130105" in reason and "1970" in reason and "已接受" in reason


@pytest.mark.django_db
def test_the_same_id_goes_into_the_inspector_directory(world):
    job = run(world.a_admin, f"{INSPECTOR_HEADER}\n王五,{HEBEI_1970},,,,,,,", kind="inspector_import")
    assert job.status == JobStatus.SUCCEEDED, job.result
    assert Inspector.objects.get(name="王五").id_masked.endswith("0214")
    assert [(r, f) for r, f, _ in warnings(job)] == [(2, "身份证号")]


@pytest.mark.django_db
def test_full_width_and_spaced_id_numbers_are_normalised_and_the_clerk_told(world):
    r2 = make_ric("13010219850612123")
    spaced = f"{r2[:6]} {r2[6:14]} {r2[14:]}"
    job = run(
        world.a_admin,
        f"{PERSON}\n{full_width(HEBEI_1970)},张三,130110\n{spaced},李四,130110",
        template="person",
    )
    assert job.status == JobStatus.SUCCEEDED, job.result
    got = warnings(job)
    assert any(r == 2 and "全角已转换" in reason for r, _, reason in got)
    assert any(r == 3 and "空格已去除" in reason for r, _, reason in got)
    assert {t.key_display[-4:] for t in Target.objects.filter(kind="person")} == {"0214", r2[-4:]}


@pytest.mark.django_db
def test_an_id_with_an_impossible_birth_date_or_a_wrong_check_digit_is_refused(world):
    body = make_ric("13010219850612123")
    wrong = body[:-1] + ("0" if body[-1] != "0" else "1")
    job = run(
        world.a_admin,
        f"{PERSON}\n{make_ric('13010219851332123')},甲,130110\n{wrong},乙,130110",
        template="person",
    )
    assert job.status == JobStatus.FAILED
    got = {(r, f): reason for r, f, reason in errors(job)}
    assert "出生日期 19851332 不是有效日期" in got[(2, "身份证号")]
    assert got[(3, "身份证号")] == "身份证号校验位不符：请对照身份证核对全部 18 位（常见为中间某位抄错）"


# ---- USCC -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_full_width_uscc_is_accepted_saying_so(world):
    code = make_uscc("91130110MA0A00001")
    job = run(world.a_admin, f"{HEADER}\n{full_width(code)},全角企业,企业,130110,,,,,,,,")
    assert job.status == JobStatus.SUCCEEDED, job.result
    assert Target.objects.filter(uscc=code).exists()
    [(row, field, reason)] = warnings(job)
    assert (row, field) == (2, "统一社会信用代码") and "全角已转换" in reason


@pytest.mark.django_db
def test_a_wrong_uscc_check_character_never_names_a_replacement(world):
    code = make_uscc("91130110MA0A00001")
    wrong = code[:-1] + ("0" if code[-1] != "0" else "1")
    job = run(world.a_admin, f"{HEADER}\n{wrong},抄错企业,企业,130110,,,,,,,,")
    assert errors(job) == [
        (
            2,
            "统一社会信用代码",
            "统一社会信用代码校验位不符：请对照营业执照核对全部 18 位（常见为中间某位抄错）",
        )
    ]


@pytest.mark.django_db
def test_retired_and_unknown_uscc_region_digits_warn(world):
    from shuangsuiji.core.models import Region

    Region.objects.create(code="130300", name="秦皇岛市", level="city", parent_id="130000")
    Region.objects.create(
        code="130323", name="某已撤销县", level="county", parent_id="130300", retired_on=dt.date(2015, 1, 1)
    )
    retired, unknown = make_uscc("92130323MA0A00001"), make_uscc("92130399MA0A00002")
    job = run(
        world.a_admin,
        f"{HEADER}\n{retired},甲,个体工商户,130110,,,,,,,,\n{unknown},乙,个体工商户,130110,,,,,,,,",
    )
    assert job.status == JobStatus.SUCCEEDED, job.result
    got = {(r, f): reason for r, f, reason in warnings(job)}
    assert "130323" in got[(2, "统一社会信用代码")] and "已撤销" in got[(2, "统一社会信用代码")]
    assert "130399" in got[(3, "统一社会信用代码")] and "不在区划表中" in got[(3, "统一社会信用代码")]


# ---- Excel's own damage -----------------------------------------------------------------------


@pytest.mark.django_db
def test_numeric_id_cells_in_an_xlsx_are_refused_naming_row_and_column(world):
    good = make_ric("13010219850612123")
    content = xlsx(
        [
            PERSON.split(","),
            [good, "张三", "130110"],
            [110105197003150000, "李四", 130110],  # what Excel keeps of 110105197003150017
            [1.10105e17, "王五", "130110"],
        ]
    )
    job = run(world.a_admin, content, filename="人员.xlsx", template="person")
    assert job.status == JobStatus.FAILED
    assert errors(job) == [(3, "身份证号", EXCEL_WORDS), (4, "身份证号", EXCEL_WORDS)]
    assert not Target.objects.filter(kind="person").exists()


@pytest.mark.django_db
def test_a_numeric_uscc_cell_and_a_csv_in_scientific_notation_are_refused_too(world):
    code = make_uscc("91130110MA0A00001")
    header = HEADER.split(",")
    content = xlsx([header, [code, "甲", "企业", "130110"], [911301105000000000, "乙", "企业", "130110"]])
    job = run(world.a_admin, content, filename="名录.xlsx")
    assert errors(job) == [(3, "统一社会信用代码", EXCEL_WORDS)]
    job = run(world.a_admin, f"{PERSON}\n1.10105E+17,李四,130110", template="person")
    assert errors(job) == [(2, "身份证号", EXCEL_WORDS)]
    job = run(world.a_admin, f"{INSPECTOR_HEADER}\n王五,1.30105E+17,,,,,,,", kind="inspector_import")
    assert errors(job) == [(2, "身份证号", EXCEL_WORDS)]


@pytest.mark.django_db
def test_a_valid_uscc_of_digits_around_one_e_is_not_taken_for_scientific_notation(world):
    # E is one of the code's letters: 921301101234E56789 is a code, 1.30110E+17 is Excel's damage
    code = next(
        c
        for i in range(100)
        if (c := make_uscc(f"921301101234{i:02d}E56")).isdigit() is False and c[-1].isdigit()
    )
    assert re.fullmatch(r"\d+E\d+", code)
    job = run(world.a_admin, f"{HEADER}\n{code},甲,企业,130110,,,,,,,,")
    assert job.status == JobStatus.SUCCEEDED, errors(job)
    assert Target.objects.filter(uscc=code).exists()


# ---- dates ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, day",
    [
        ("2024-01-01", dt.date(2024, 1, 1)),
        ("2024-1-1", dt.date(2024, 1, 1)),
        ("2024/1/1", dt.date(2024, 1, 1)),
        ("2024/12/31", dt.date(2024, 12, 31)),
        ("2024年1月1日", dt.date(2024, 1, 1)),
        ("2024 年 3 月 5 日", dt.date(2024, 3, 5)),
        ("20240101", dt.date(2024, 1, 1)),
        ("45292", dt.date(2024, 1, 1)),  # an Excel serial number
        ("36526", dt.date(2000, 1, 1)),
        ("２０２４－０１－０１", dt.date(2024, 1, 1)),
        ("2024-01-01 00:00:00", dt.date(2024, 1, 1)),
    ],
)
def test_every_date_form_a_file_holds(text, day):
    assert parse_date(text) == day


@pytest.mark.parametrize(
    "text", ["2024", "24-1-1", "2024-13-01", "2024/2/30", "一月一日", "1/1/2024", "0", "9999999"]
)
def test_other_dates_are_refused_naming_the_forms(text):
    from shuangsuiji.directory.importing import CellError

    with pytest.raises(CellError) as e:
        parse_date(text)
    assert "2024-01-01、2024/1/1、2024年1月1日、20240101" in str(e.value) and text in str(e.value)


@pytest.mark.django_db
def test_dates_in_a_real_file_each_go_in(world):
    import datetime as dt_

    codes = [make_uscc(f"91130110MA0A0010{i}") for i in range(6)]
    content = xlsx(
        [
            HEADER.split(","),
            [codes[0], "日期单元格", "企业", "130110", None, None, dt_.datetime(2019, 7, 1)],
            [codes[1], "日期无时间", "企业", "130110", None, None, dt_.date(2019, 7, 2)],
            [codes[2], "序列号", "企业", "130110", None, None, 45292],
            [codes[3], "斜杠", "企业", "130110", None, None, "2024/1/2"],
            [codes[4], "中文", "企业", "130110", None, None, "2024年1月3日"],
            [codes[5], "八位", "企业", "130110", None, None, "20240104"],
        ]
    )
    job = run(world.a_admin, content, filename="名录.xlsx")
    assert job.status == JobStatus.SUCCEEDED, job.result
    got = [str(Target.objects.get(uscc=c).founded_on) for c in codes]
    assert got == ["2019-07-01", "2019-07-02", "2024-01-01", "2024-01-02", "2024-01-03", "2024-01-04"]


@pytest.mark.django_db
def test_an_invalid_date_is_refused_at_its_row_and_column(world):
    code = make_uscc("91130110MA0A00001")
    job = run(world.a_admin, f"{HEADER}\n{code},甲,企业,130110,,,2024/2/30,,,,,")
    [(row, field, reason)] = errors(job)
    assert (row, field) == (2, "成立日期") and "2024/2/30" in reason and "2024年1月1日" in reason


# ---- row numbers ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_rows_are_named_as_excel_numbers_them(world):
    good = make_uscc("91130110MA0A00001")
    bad = good[:-1] + ("0" if good[-1] != "0" else "1")
    # header at row 1, a good row 2, an empty row 3, a cell with a line break (one row to Excel)
    csv = f'{HEADER}\n{good},甲,企业,130110,,,,,,,,\n,,,,,,,,,,,\n{make_uscc("91130110MA0A00002")},"乙\n分号",企业,130110,,,,,,,,\n{bad},丙,企业,130110,,,,,,,,'
    assert [r for r, _, _ in errors(run(world.a_admin, csv))] == [5]
    content = xlsx(
        [
            HEADER.split(","),
            [good, "甲", "企业", "130110"],
            [],
            [make_uscc("91130110MA0A00002"), "乙", "企业", "130110"],
            [bad, "丙", "企业", "130110"],
        ]
    )
    assert [r for r, _, _ in errors(run(world.a_admin, content, filename="名录.xlsx"))] == [5]


@pytest.mark.django_db
def test_file_level_errors_carry_no_row_number(world, client_for):
    job = run(world.a_admin, b"PK\x03\x04 not really", filename="x.xlsx")
    assert job.status == JobStatus.FAILED
    assert [e["row"] for e in job.result["errors"]] == [None]
    job = run(world.a_admin, f"{HEADER}\n", filename="t.csv")
    assert job.status == JobStatus.FAILED and all(e["row"] != 0 for e in job.result["errors"])
    assert str(RowError(None, "文件", "文件为空")) == "文件：文件为空"
    assert str(RowError(3, "成立日期", "无法识别")) == "第 3 行【成立日期】无法识别"
