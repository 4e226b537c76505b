"""Issue 17: a county's own file goes in by the meaning of its columns — aliases, a header below
title rows, values such as “A类” or “存续（在营、开业、在册）”, .xls — and what is not understood
is named back; an update file that would change nothing is refused."""

import datetime as dt
import struct
from pathlib import Path

import pytest

from conftest import make_ric, make_uscc
from shuangsuiji.core.models import AuditEntry, JobStatus
from shuangsuiji.directory import import_docs, importing
from shuangsuiji.directory.models import Inspector, Target, TargetChange, TargetSupervision
from shuangsuiji.directory.tests.test_import import HEADER, run

U1 = make_uscc("91130110MA0A00001")
U2 = make_uscc("92130110MA0A00002")
REPO = Path(__file__).resolve().parents[3]


def warnings(job):
    return [w["reason"] for w in job.result["warnings"]]


def reasons(job):
    return [e["reason"] for e in job.result["errors"]]


def _seed(world):
    job = run(world.a_admin, f"{HEADER}\n{U1},一号有限公司,企业,130110,,,,,,B,2025-12-31,")
    assert job.status == JobStatus.SUCCEEDED, job.result
    return Target.objects.get(uscc=U1)


@pytest.mark.django_db
def test_a_county_risk_file_updates_the_risk_class(world):
    _seed(world)
    job = run(
        world.a_admin,
        f"统一社会信用代码,企业名称,风险分类结果\n{U1},一号有限公司,A类",
        mode="update",
    )
    assert job.status == JobStatus.SUCCEEDED, job.result
    assert job.result["written"] == 1
    assert Target.objects.get(uscc=U1).risk_class == "A"


@pytest.mark.django_db
def test_create_by_aliases_with_notes_spaces_and_full_width(world):
    header = (
        "社会信用代码（必填）, 企业 名称 ,*类型,行政区划(必填),经营场所,风险等级,成立时间,经营状态,分类日期"
    )
    rows = [
        f"{U1},甲有限公司,公司,130110,获鹿镇1号,低风险,2015-03-02,存续（在营、开业、在册）,2026-01-31",
        f"{U2},乙便利店,个体户,130110,,Ｄ类,2020-05-06,吊销，未注销,",
    ]
    job = run(world.a_admin, "\n".join([header, *rows]))
    assert job.status == JobStatus.SUCCEEDED, job.result
    assert job.result["written"] == 2 and not [w for w in warnings(job) if "未识别" in w]
    t1, t2 = Target.objects.get(uscc=U1), Target.objects.get(uscc=U2)
    assert (t1.name, t1.kind, t1.region_id, t1.address, t1.risk_class, str(t1.founded_on), t1.status) == (
        "甲有限公司",
        "enterprise",
        "130110",
        "获鹿镇1号",
        "A",
        "2015-03-02",
        "active",
    )
    assert (t2.kind, t2.risk_class, str(t2.founded_on), t2.status) == (
        "individual",
        "D",
        "2020-05-06",
        "revoked",
    )


@pytest.mark.django_db
def test_a_header_below_two_title_rows_is_found_and_rows_keep_their_numbers(world):
    text = "\n".join(
        [
            "鹿泉区市场主体名录（2026 年 1 月）,,,",
            "制表单位：鹿泉区市场监督管理局,,,",
            "统一社会信用代码,名称,主体类型,行政区划代码",
            f"{U1},甲有限公司,企业,130110",
            f"{U2},乙便利店,个体工商户,130110",
        ]
    )
    job = run(world.a_admin, text)
    assert job.status == JobStatus.SUCCEEDED, job.result
    assert job.result["written"] == 2
    assert any("表头在第 3 行" in w for w in warnings(job))
    assert Target.objects.get(uscc=U2).name == "乙便利店"
    # a bad row is named by the row number Excel shows, title rows counted
    bad = text.replace(f"{U2},乙便利店,个体工商户,130110", f"{make_uscc('91130110MA0A00009')},丙,飞船,130110")
    Target.objects.all().delete()
    job = run(world.a_admin, bad)
    assert job.status == JobStatus.FAILED
    assert [(e["row"], e["field"]) for e in job.result["errors"]] == [(5, "主体类型")]


@pytest.mark.django_db
def test_columns_not_understood_are_named_back(world):
    job = run(
        world.a_admin, f"统一社会信用代码,名称,主体类型,行政区划代码,联系人,备注\n{U1},甲,企业,130110,张三,无"
    )
    assert job.status == JobStatus.SUCCEEDED, job.result
    assert "以下列未识别，已忽略：联系人、备注" in warnings(job)


@pytest.mark.django_db
def test_an_update_file_with_only_the_key_and_unknown_columns_is_refused_and_writes_nothing(world):
    t = _seed(world)
    supervisions = TargetSupervision.objects.count()
    changes, audits = TargetChange.objects.count(), AuditEntry.objects.count()
    job = run(world.b_admin, f"社会信用代码,风险评级结论,备注\n{U1},A,无", mode="update")
    assert job.status == JobStatus.FAILED
    [reason] = reasons(job)
    assert "除【统一社会信用代码】外没有可识别的列" in reason and "风险评级结论、备注" in reason
    t2 = Target.objects.get(pk=t.pk)
    assert (t2.risk_class, t2.updated_at) == (t.risk_class, t.updated_at)
    assert TargetSupervision.objects.count() == supervisions
    assert (TargetChange.objects.count(), AuditEntry.objects.count()) == (changes, audits)


@pytest.mark.django_db
def test_two_columns_of_one_meaning_are_refused(world):
    job = run(world.a_admin, f"统一社会信用代码,名称,企业名称,主体类型,行政区划代码\n{U1},甲,甲,企业,130110")
    assert job.status == JobStatus.FAILED
    assert reasons(job) == ["“名称”和“企业名称”都是【名称】列，请只保留其中一列"]
    assert not Target.objects.exists()


@pytest.mark.django_db
def test_inspector_import_finds_its_header_and_aliases_too(world):
    ric = make_ric("13010219850101123")
    job = run(
        world.a_admin, f"执法人员名册,,\n执法人员姓名,身份证号码,在岗\n王五,{ric},是", kind="inspector_import"
    )
    assert job.status == JobStatus.SUCCEEDED, job.result
    assert Inspector.objects.filter(name="王五").exists()


@pytest.mark.parametrize(
    ("table", "text", "code"),
    [
        ("risk", "A类", "A"),
        ("risk", "A", "A"),
        ("risk", "a", "A"),
        ("risk", "低风险", "A"),
        ("risk", "A类（低风险）", "A"),
        ("risk", "一般风险", "B"),
        ("risk", "b类", "B"),
        ("risk", "较高风险", "C"),
        ("risk", "Ｃ", "C"),
        ("risk", "高风险", "D"),
        ("risk", " D 类 ", "D"),
        ("status", "存续（在营、开业、在册）", "active"),
        ("status", "存续(在营、开业、在册)", "active"),
        ("status", "在营", "active"),
        ("status", "开业", "active"),
        ("status", "在册", "active"),
        ("status", "存续", "active"),
        ("status", "注销", "cancelled"),
        ("status", "已注销", "cancelled"),
        ("status", "吊销", "revoked"),
        ("status", "吊销，未注销", "revoked"),
        ("status", "撤销", "withdrawn"),
        ("status", "迁出", "moved_out"),
        ("kind", "个体户", "individual"),
        ("kind", "个体工商户", "individual"),
        ("kind", "公司", "enterprise"),
        ("kind", "企业", "enterprise"),
        ("kind", "有限责任公司", "enterprise"),
        ("kind", "合作社", "cooperative"),
        ("kind", "其他经营主体", "other_market"),
        ("risk", "E", None),
        ("risk", "中风险", None),
        ("status", "歇业", None),
        ("kind", "飞船", None),
    ],
)
def test_value_table(table, text, code):
    tables = {
        "risk": importing.RISK_BY_LABEL,
        "status": importing.STATUS_BY_LABEL,
        "kind": importing.KIND_BY_LABEL,
    }
    assert importing.coded(tables[table], text) == code


@pytest.mark.parametrize(
    ("written", "header"),
    [
        ("名称（必填）", "名称"),
        ("名称(必填)", "名称"),
        ("*名称", "名称"),
        ("名称*", "名称"),
        (" 企业 名称 ", "企业名称"),
        ("企业（机构）名称", "企业(机构)名称"),
        ("统一社会信用代码（18位）（必填）", "统一社会信用代码"),
    ],
)
def test_header_key(written, header):
    assert importing.header_key(written) == header


def test_every_alias_names_one_column_of_each_template():
    for _, columns in importing.TEMPLATES.values():
        known: dict[str, str] = {}
        for c in columns:
            for name in (c.header, *c.aliases):
                owner = known.setdefault(importing.header_key(name), c.header)
                assert owner == c.header or name in {o.header for o in columns}, (name, owner, c.header)


def test_the_documentation_is_generated_from_the_tables():
    committed = (REPO / "docs" / "import-columns.md").read_text(encoding="utf-8")
    assert committed == import_docs.markdown(), (
        "docs/import-columns.md 与代码中的列名、取值表不一致：请运行 "
        ".venv/bin/python -m shuangsuiji.directory.import_docs > docs/import-columns.md"
    )


# ---- .xls ----------------------------------------------------------------------------------
# xlwt is not in the package index, so the test writes its .xls itself: a one-sheet BIFF8
# workbook stream (the records Excel writes: BOF, CODEPAGE, DATEMODE, FONT, XF, BOUNDSHEET, EOF;
# then the sheet's BOF, DIMENSIONS, LABEL and NUMBER cells, EOF), which xlrd reads as Excel's
# own files (it reads the stream with or without the OLE2 container around it).


def _rec(kind: int, data: bytes) -> bytes:
    return struct.pack("<HH", kind, len(data)) + data


def _ustr(text: str, lenlen: int) -> bytes:
    return struct.pack("<H" if lenlen == 2 else "<B", len(text)) + b"\x01" + text.encode("utf-16-le")


def _bof(kind: int) -> bytes:
    return _rec(0x0809, struct.pack("<HHHHII", 0x0600, kind, 0x0DBB, 0x07CC, 0, 0x06))


def _xf(fmt: int, style: bool) -> bytes:
    return _rec(0x00E0, struct.pack("<HHH", 0, fmt, 0xFFF5 if style else 0x0001) + b"\x00" * 14)


GENERAL_XF, DATE_XF = 16, 17  # format 0 (General) and 14 (a date)


def xls_bytes(rows: list[list]) -> bytes:
    font = _rec(0x0031, struct.pack("<HHHHHBBBB", 200, 0, 0x7FFF, 400, 0, 0, 0, 0, 0) + _ustr("Arial", 1))
    xfs = b"".join(_xf(0, True) for _ in range(16)) + _xf(0, False) + _xf(14, False)
    head = _bof(0x0005) + _rec(0x0042, struct.pack("<H", 1200)) + _rec(0x0022, struct.pack("<H", 0))
    head += font * 5 + xfs
    name = "Sheet1"
    sheet_at = len(head) + (4 + 6 + 2 + 2 * len(name)) + 4  # after BOUNDSHEET and EOF
    book = head + _rec(0x0085, struct.pack("<IBB", sheet_at, 0, 0) + _ustr(name, 1)) + _rec(0x000A, b"")
    body = _bof(0x0010) + _rec(0x0200, struct.pack("<IIHHH", 0, len(rows), 0, max(map(len, rows)), 0))
    for r, values in enumerate(rows):
        for c, v in enumerate(values):
            if isinstance(v, dt.date):
                body += _rec(0x0203, struct.pack("<HHHd", r, c, DATE_XF, (v - dt.date(1899, 12, 30)).days))
            elif isinstance(v, int | float):
                body += _rec(0x0203, struct.pack("<HHHd", r, c, GENERAL_XF, v))
            elif v:
                body += _rec(0x0204, struct.pack("<HHH", r, c, GENERAL_XF) + _ustr(v, 2))
    return book + body + _rec(0x000A, b"")


@pytest.mark.django_db
def test_an_xls_file_imports_with_its_date_and_number_cells(world):
    content = xls_bytes(
        [
            ["鹿泉区市场主体名录"],
            ["统一社会信用代码", "企业名称", "类型", "行政区划", "成立日期", "风险分类结果"],
            [U1, "甲有限公司", "企业", 130110, dt.date(2015, 3, 2), "A类"],
        ]
    )
    job = run(world.a_admin, content, filename="名录.xls")
    assert job.status == JobStatus.SUCCEEDED, job.result
    t = Target.objects.get(uscc=U1)
    assert (t.name, t.region_id, str(t.founded_on), t.risk_class) == (
        "甲有限公司",
        "130110",
        "2015-03-02",
        "A",
    )


@pytest.mark.django_db
def test_a_broken_xls_is_refused_with_a_chinese_message(world):
    job = run(world.a_admin, b"\xd0\xcf\x11\xe0 not really", filename="x.xls")
    assert job.status == JobStatus.FAILED and "无法读取 .xls 文件" in job.message
