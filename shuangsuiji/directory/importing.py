"""Importing the directories. An import succeeds whole or changes nothing, and lists every bad
row with its row number, field and a Chinese reason.

Targets come in the millions, so they go in two passes: pass 1 reads, validates and normalizes
each row into a spool file (Python work once, memory flat); pass 2, in one transaction, copies
the spool into a staging table (COPY on PostgreSQL) and writes the directory with set-based SQL.
"""

import csv
import datetime as dt
import itertools
import os
import re
import tempfile
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from operator import mul
from pathlib import Path

from django.conf import settings
from django.db import connection

from shuangsuiji.core.identifiers import (
    IdentifierError,
    check_ric,
    check_uscc,
    keyed_digest,
    mask_ric,
    normalize_industry_code,
    uscc_region_code,
)
from shuangsuiji.core.models import Department, Region

from .industrydata import check_industry_code
from .models import (
    MARKET_KINDS,
    Industry,
    RegistrationStatus,
    RiskClass,
    TagLibrary,
    Target,
    TargetKind,
)
from .selectors import usable_tags
from .signals import targets_kind_changed
from .tabular import FileProblem, NumberCell, read_table, unescape

# Each import's modes as its page's form offers them: every message that points the clerk to a
# mode names it by one of these (a test holds the messages to the form).
MODE_LABELS: dict[str, dict[str, str]] = {
    "target_import": {"create": "新增", "update": "按代码更新", "supervise": "添加监管关系"},
    "inspector_import": {"create": "新增", "update": "按身份证号更新"},
    "item_import": {"create": "新增", "update": "按事项编码更新"},
}
MODE_NOTES = {
    ("target_import", "update"): "（如每月信用风险分类文件；名录维护部门以外的部门提交为变更建议）",
    ("target_import", "supervise"): "（本部门监管名录中已有的主体，文件只需代码列）",
}

MAX_LISTED_ERRORS = 500
# the downloadable error list holds every refused row up to this many errors (a file more wrong
# than this is better fixed at its source than row by row)
MAX_KEPT_ERRORS = 200_000
DIRECTORY_CHECK_BATCH = 2000  # keys checked against the directory per query in pass 1


@dataclass
class RowError:
    row: int | None  # the row as Excel numbers it; None for the file as a whole
    field: str
    reason: str

    def __str__(self):
        if self.row is None:
            return f"{self.field or '文件'}：{self.reason}"
        return f"第 {self.row} 行【{self.field}】{self.reason}"


@dataclass
class Outcome:
    rows: int = 0
    errors: list[RowError] = field(default_factory=list)
    error_count: int = 0
    warnings: list[RowError] = field(default_factory=list)
    warning_count: int = 0
    ignored_columns: list[str] = field(default_factory=list)  # header names not understood

    # every error up to MAX_KEPT_ERRORS, for the downloadable error list (directory/error_list.py)
    kept_errors: list[tuple[int | None, str, str]] = field(default_factory=list)

    def error(self, row: int | None, column: str, reason: str):
        self.error_count += 1
        if len(self.errors) < MAX_LISTED_ERRORS:
            self.errors.append(RowError(row, column, reason))
        if len(self.kept_errors) < MAX_KEPT_ERRORS:
            self.kept_errors.append((row, column, reason))

    def warn(self, row: int, column: str, reason: str):
        self.warning_count += 1
        if len(self.warnings) < MAX_LISTED_ERRORS:
            self.warnings.append(RowError(row, column, reason))


class CellError(ValueError):
    """A cell that cannot be read; the message is Chinese and names the value."""


DATE_FORMS = "2024-01-01、2024/1/1、2024年1月1日、20240101 或 Excel 日期单元格"
_DATE = re.compile(
    r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"
)
# Excel's serial day numbers: day 0 is 1899-12-30 (its phantom 1900-02-29 included); taken only
# for dates from 1920-01-01 (7306) to 2100-12-31, so that a bare year (2024) is never read as one
_EXCEL_EPOCH = dt.date(1899, 12, 30)
_SERIALS = range(7306, 73416)
_HALF_WIDTH = {c: c - 0xFEE0 for c in range(0xFF10, 0xFF1A)} | {0x3000: 0x20, 0xFF0F: 0x2F, 0xFF0D: 0x2D}


def parse_date(text: str) -> dt.date:
    """A date as a clerk's file holds it: an Excel date cell (read as YYYY-MM-DD), an Excel serial
    number (45292), YYYY-MM-DD, YYYY/M/D, YYYY.M.D, YYYY年M月D日 or YYYYMMDD."""
    t = text.strip().translate(_HALF_WIDTH)
    try:
        if t.isdigit() and len(t) == 8:
            return dt.date(int(t[:4]), int(t[4:6]), int(t[6:]))
        if t.isdigit() and int(t) in _SERIALS:
            return _EXCEL_EPOCH + dt.timedelta(days=int(t))
        if m := _DATE.fullmatch(t):
            return dt.date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError:
        raise CellError(f"日期“{text}”不存在（可填 {DATE_FORMS}）") from None
    raise CellError(f"日期“{text}”无法识别（可填 {DATE_FORMS}）")


ID_COLUMNS = ("统一社会信用代码", "身份证号")
EXCEL_NUMBER = (
    "Excel 已将此列存为数字，后几位已丢失：请把该列设为“文本”格式后重新输入这些号码（或在号码前加英文单引号）"
)
# Excel writes a large number as 1.10105E+17: always with the sign. E is one of the USCC's letters,
# so 921301101234E56789 without a sign is a code, not Excel's damage.
_SCIENTIFIC = re.compile(r"\s*\d+(\.\d+)?[eE]\+\d+\s*")


def id_positions(index: dict[str, int]) -> list[tuple[int, str]]:
    """(position, header) of the file's ID-number and USCC columns."""
    return [(i, h) for h, i in index.items() if h in ID_COLUMNS]


def refuse_excel_numbers(positions, cells: list[str], row_no: int, out: "Outcome") -> bool:
    """Refuse each ID-number or USCC cell that Excel stored as a number (an .xlsx number cell, or
    a CSV that Excel saved as 1.10105E+17): its last digits are gone, and what is left may even
    pass the checksum. True if the row had one."""
    bad = False
    for i, header in positions:
        if i < len(cells) and (isinstance(cells[i], NumberCell) or _SCIENTIFIC.fullmatch(cells[i])):
            out.error(row_no, header, EXCEL_NUMBER)
            bad = True
    return bad


def parse_bool(text: str) -> bool:
    t = unicodedata.normalize("NFKC", text).strip()  # full-width Ｙ as Y
    if t in ("是", "Y", "y", "1", "true", "TRUE", "√"):
        return True
    if t in ("否", "N", "n", "0", "false", "FALSE", ""):
        return False
    raise CellError(f"“{text}”应填“是”或“否”")


# ---- values by meaning (issue 17): what counties' files and the national systems write for a
# coded value, beyond the code itself and its label. docs/import-columns.md is generated from
# these tables (directory/import_docs.py; a test keeps the two equal).
KIND_SYNONYMS = {
    "公司": TargetKind.ENTERPRISE,
    "企业法人": TargetKind.ENTERPRISE,
    "有限责任公司": TargetKind.ENTERPRISE,
    "股份有限公司": TargetKind.ENTERPRISE,
    "非公司企业法人": TargetKind.ENTERPRISE,
    "个人独资企业": TargetKind.ENTERPRISE,
    "合伙企业": TargetKind.ENTERPRISE,
    "外商投资企业": TargetKind.ENTERPRISE,
    "分公司": TargetKind.ENTERPRISE,
    "个体户": TargetKind.INDIVIDUAL,
    "个体": TargetKind.INDIVIDUAL,
    "个体工商户": TargetKind.INDIVIDUAL,
    "合作社": TargetKind.COOPERATIVE,
    "农民合作社": TargetKind.COOPERATIVE,
    "专业合作社": TargetKind.COOPERATIVE,
    "农民专业合作社分支机构": TargetKind.COOPERATIVE,
    "其他": TargetKind.OTHER_MARKET,
}
STATUS_SYNONYMS = {
    "存续（在营、开业、在册）": RegistrationStatus.ACTIVE,
    "在营": RegistrationStatus.ACTIVE,
    "开业": RegistrationStatus.ACTIVE,
    "在册": RegistrationStatus.ACTIVE,
    "正常": RegistrationStatus.ACTIVE,
    "已注销": RegistrationStatus.CANCELLED,
    "注销企业": RegistrationStatus.CANCELLED,
    "已吊销": RegistrationStatus.REVOKED,
    "吊销未注销": RegistrationStatus.REVOKED,
    "吊销，未注销": RegistrationStatus.REVOKED,
    "已撤销": RegistrationStatus.WITHDRAWN,
    "撤销登记": RegistrationStatus.WITHDRAWN,
    "已迁出": RegistrationStatus.MOVED_OUT,
}
RISK_SYNONYMS = {f"{c}{suffix}": c for c in "ABCD" for suffix in ("类", "级", "类企业")} | {
    "低风险": RiskClass.A,
    "一般风险": RiskClass.B,
    "较高风险": RiskClass.C,
    "高风险": RiskClass.D,
}


def value_key(text: str) -> str:
    """How a coded value is compared: full-width as half-width (NFKC), without spaces, upper case."""
    return "".join(unicodedata.normalize("NFKC", text).split()).upper()


_TRAILING_NOTE = re.compile(r"\([^()]*\)$")


def _by_label(choices, synonyms: dict[str, str]) -> dict[str, str]:
    out = {}
    for value, label in choices.choices:
        for text in (value, label, label.split("（")[0]):
            out[value_key(text)] = str(value)
    for text, value in synonyms.items():
        out[value_key(text)] = str(value)
    return out


KIND_BY_LABEL = _by_label(TargetKind, KIND_SYNONYMS)
STATUS_BY_LABEL = _by_label(RegistrationStatus, STATUS_SYNONYMS)
RISK_BY_LABEL = _by_label(RiskClass, RISK_SYNONYMS)


def coded(table: dict[str, str], text: str) -> str | None:
    """The code of `text` in one of the *_BY_LABEL tables; a trailing note in brackets
    (“存续（在营、开业、在册）” as written elsewhere) is tried without it. None: not known."""
    if text in table:  # the common case, a value as the template writes it: no normalizing
        return table[text]
    key = value_key(text)
    return table.get(key) or table.get(_TRAILING_NOTE.sub("", key))


@dataclass(frozen=True)
class Column:
    header: str
    required: bool = False
    note: str = ""

    @property
    def aliases(self) -> tuple[str, ...]:
        return COLUMN_ALIASES.get(self.header, ())


# ---- columns by meaning (issue 17): the other names a template column goes by in counties' own
# files and the national systems (国家企业信用信息公示系统, 登记注册系统, 信用风险分类系统). Keyed by
# the template's header, so every directory's columns share them. A file's header is matched
# ignoring spaces, full-width/half-width differences, a * and a trailing note such as “（必填）”.
COLUMN_ALIASES: dict[str, tuple[str, ...]] = {
    "统一社会信用代码": ("社会信用代码", "信用代码", "统一代码", "统一社会信用代码/注册号"),
    "名称": (
        "企业名称",
        "主体名称",
        "单位名称",
        "市场主体名称",
        "经营主体名称",
        "企业（机构）名称",
        "对象名称",
        "产品名称",
        "项目名称",
        "场所名称",
    ),
    "主体类型": ("类型", "市场主体类型", "经营主体类型", "企业类型", "主体类别"),
    "行政区划代码": ("行政区划", "所属区划", "区划代码", "所属区划代码", "行政区划编码", "区划编码"),
    "住所": ("地址", "住所（经营场所）", "经营场所", "注册地址", "经营地址", "住所地"),
    "地址": ("住所", "住址", "户籍地址", "经营地址", "场所地址"),
    "行业代码": ("国民经济行业代码", "行业分类代码", "所属行业代码", "行业门类代码"),
    "成立日期": ("成立时间", "注册日期", "登记日期", "开业日期", "设立日期"),
    "登记状态": ("经营状态", "企业状态", "主体状态"),
    "状态变更日期": ("注销日期", "吊销日期", "状态日期"),
    "信用风险分类": ("风险等级", "风险分类", "风险分类结果", "信用风险分类结果", "信用风险等级"),
    "分类日期": ("风险分类日期", "分类时间", "评价日期"),
    "标签": ("对象标签", "主体标签"),
    "身份证号": ("身份证号码", "公民身份号码", "居民身份证号码", "证件号码"),
    "姓名": ("人员姓名", "执法人员姓名"),
    # 执法检查人员 (the 执法人员名录库 as departments keep it, and the 执法证 system's exports)
    "业务条线": ("条线", "业务领域", "所属条线"),
    "执法证号": ("执法证件号", "执法证件号码", "执法证编号", "执法证件编号"),
    "执法证有效期至": ("执法证有效期", "有效期至", "证件有效期", "执法证件有效期"),
    "专长标签": ("业务专长", "专长", "执法资质"),
    "在岗": ("是否在岗", "在岗状态"),
    "专家": ("是否专家",),
    "联系电话": ("手机号", "手机号码", "电话", "联系方式"),
    # 抽查事项清单 (the 随机抽查事项清单 as the upper level publishes it)
    "事项编码": ("检查事项编码", "抽查事项编码", "事项代码"),
    "事项名称": ("检查事项名称", "抽查事项名称", "抽查事项"),
    "事项类别": ("事项类型", "抽查类别", "检查类别"),
    "实施主体": ("检查主体", "抽查主体", "实施部门"),
    "检查依据": ("抽查依据", "法律依据", "依据"),
    "实施层级": ("层级", "检查层级"),
    "检查对象类型": ("抽查对象", "检查对象", "抽查对象类型"),
    "检查方式": ("抽查方式",),
    "人员专长要求": ("执法人员要求", "检查人员要求"),
    "检查要点": ("检查内容", "抽查内容"),
    "编码": ("代码", "对象编码", "产品编码", "项目编码", "场所编码"),
}


def header_key(text: str) -> str:
    """How a header cell is compared with the template's names: full-width as half-width
    (NFKC), without spaces, without the template's * and without a trailing note in brackets."""
    t = "".join(unicodedata.normalize("NFKC", text or "").split()).strip("*")
    while True:
        shorter = _TRAILING_NOTE.sub("", t).strip("*")
        if shorter == t or not shorter:
            return t
        t = shorter


# The templates: one for market subjects (keyed by USCC), one per kind of 非市场主体.
MARKET_COLUMNS = [
    Column("统一社会信用代码", True, "18 位，校验位须正确"),
    Column("名称", True),
    Column("主体类型", True, "企业 / 个体工商户 / 农民专业合作社 / 其他经营主体"),
    Column("行政区划代码", True, "6 位县级或 9 位乡镇街道代码"),
    Column("住所"),
    Column("行业代码", False, "GB/T 4754-2017，如 H6210 或 6210"),
    Column("成立日期", False, "YYYY-MM-DD"),
    Column("登记状态", False, "存续 / 注销 / 吊销 / 撤销 / 迁出，默认存续"),
    Column("状态变更日期", False, "YYYY-MM-DD"),
    Column("信用风险分类", False, "A / B / C / D"),
    Column("分类日期", False, "YYYY-MM-DD"),
    Column("标签", False, "多个标签用分号分隔，须已在标签库中"),
]
PERSON_COLUMNS = [
    Column("身份证号", True, "18 位，校验位须正确；系统只保存脱敏后的号码"),
    Column("姓名", True),
    Column("行政区划代码", True),
    Column("地址"),
    Column("标签"),
]
CODED_COLUMNS = [
    Column("编码", True, "本部门给定的唯一编码"),
    Column("名称", True),
    Column("行政区划代码", True),
    Column("地址"),
    Column("行业代码"),
    Column("标签"),
]
TEMPLATES: dict[str, tuple[str, list[Column]]] = {
    "market": ("市场主体", MARKET_COLUMNS),
    TargetKind.PERSON: ("自然人", PERSON_COLUMNS),
    TargetKind.PRODUCT: ("产品", CODED_COLUMNS),
    TargetKind.PROJECT: ("项目", CODED_COLUMNS),
    TargetKind.SITE: ("场所", CODED_COLUMNS),
}

STAGE_COLUMNS = [
    "row_no",
    "kind",
    "uscc",
    "nonmarket_key",
    "key_display",
    "name",
    "region_id",
    "address",
    "industry_id",
    "industry_code",
    "founded_on",
    "status",
    "status_changed_on",
    "risk_class",
    "risk_class_set_on",
]


class Lookups:
    """What row validation needs from the database, loaded once (regions and industries are
    thousands of rows, not millions)."""

    def __init__(self, department: Department):
        self.department = department
        prefix = department.region.scope_prefix
        self.regions = dict(Region.objects.values_list("code", "retired_on"))
        self.in_scope = {c for c in self.regions if c.startswith(prefix)}
        self.industries = dict(Industry.objects.values_list("code", "section"))
        self.tags = dict(usable_tags(department, TagLibrary.TARGET).values_list("name", "pk"))

    def industry(self, code: str, written: str = "") -> str:
        """`code` itself, at the level given ('1311' a 小类, '13' a 大类, 'C' a 门类), when the
        table holds it and a 门类 letter written with it ('C1311') is its own; else CellError."""
        try:
            check_industry_code(written or code, code, self.industries.get(code))
        except ValueError as e:
            raise CellError(str(e)) from None
        return code


def _known_headers(columns: list[Column]) -> dict[str, str]:
    """header_key of every name a column goes by -> the template's header."""
    known: dict[str, str] = {}
    for c in columns:  # a column's own header first: it wins over another column's alias
        known[header_key(c.header)] = c.header
    for c in columns:
        for alias in c.aliases:
            known.setdefault(header_key(alias), c.header)
    return known


def _header_index(
    header: list[str],
    columns: list[Column],
    update: bool,
    out: Outcome,
    key: str | None = None,
    row: int = 1,
    *,
    update_label: str = "按代码更新",
    keys_only: bool = False,
    hint: str = "",
) -> dict[str, int] | None:
    """{template header: position} of the columns the header row names (by any of their names).
    A column not understood is named back in a warning; an update file that names nothing to
    update besides its key is refused (it would change nothing while reporting rows updated).
    `keys_only` (添加监管关系): only the key column is read, every other column is named back as
    not imported. `update_label`: the update mode as the import page's form names it."""
    known = _known_headers(columns)
    key = key or columns[0].header
    index: dict[str, int] = {}
    unknown: list[str] = []
    for i, h in enumerate(header):
        if not h or not h.strip():
            continue
        canonical = known.get(header_key(h))
        if canonical is None:
            unknown.append(h.strip())
        elif canonical in index:
            first = header[index[canonical]].strip()
            out.error(row, "表头", f"“{first}”和“{h.strip()}”都是【{canonical}】列，请只保留其中一列")
            return None
        else:
            index[canonical] = i
    missing = [c.header for c in columns if c.required and c.header not in index]
    if update or keys_only:  # in update mode only the key column must be there
        missing = [m for m in missing if m == key]
    if missing:
        out.error(
            row, "表头", f"缺少必填列：{'、'.join(missing)}（请使用下载的模板，或见导入说明中各列可用的列名）"
        )
        return None
    not_read: list[str] = []
    if keys_only:
        not_read = [header[i].strip() for h, i in index.items() if h != key]
        index = {key: index[key]}
        if not_read:
            out.warn(row, "表头", f"添加监管关系只读取【{key}】列，以下列不导入：{'、'.join(not_read)}")
    out.ignored_columns = not_read + unknown
    if unknown:
        out.warn(row, "表头", f"以下列未识别，已忽略：{'、'.join(unknown)}")
    if update and not set(index) - {key}:
        ignored = f"（{'、'.join(unknown)} 未识别）" if unknown else ""
        usable = "、".join(c.header for c in columns if c.header != key)
        out.error(
            row,
            "表头",
            f"{update_label}的文件除【{key}】外没有可识别的列{ignored}，导入不会更新任何内容，已拒绝。"
            f"请把要更新的列改用模板列名（{usable}）或导入说明中列出的其他名称后重新导入{hint}",
        )
        return None
    return index


# a target file holding only keys: what the clerk may have meant
SUPERVISE_HINT = "；只为本部门添加对这些主体的监管，请选择“添加监管关系”方式"

HEADER_SCAN_ROWS = 10  # a header may sit below this many title rows at most


def _header_score(cells: list[str], columns: list[Column], known: dict[str, str]) -> tuple[int, int]:
    found = {known.get(header_key(c)) for c in cells if c and c.strip()} - {None}
    return (sum(1 for c in columns if c.required and c.header in found), len(found))


def locate_header(
    rows, columns: list[Column], update: bool, out: Outcome, key: str | None = None, **how
) -> tuple[dict[str, int] | None, Iterator[tuple[int, list[str]]]]:
    """The header row among the first HEADER_SCAN_ROWS rows (the one naming most required, then
    most known columns; title rows above it are ignored) and its index; then the rows after it."""
    head = list(itertools.islice(rows, HEADER_SCAN_ROWS))
    if not head:
        out.error(1, "文件", "文件为空")
        return None, iter(())
    known = _known_headers(columns)
    scores = [_header_score(cells, columns, known) for _, cells in head]
    best = max(range(len(head)), key=lambda i: (scores[i], -i))
    if scores[best][1] == 0:
        best = 0  # nothing looks like a header: judge the first row, whose errors say why
    row_no, header = head[best]
    index = _header_index(header, columns, update, out, key=key, row=row_no, **how)
    if index is not None and best > 0:
        out.warn(row_no, "表头", f"表头在第 {row_no} 行，其上 {best} 行（标题等）已忽略")
    return index, itertools.chain(head[best + 1 :], rows)


# GB 32100-2015 check digit, as python-stdnum computes it (stdnum.cn.uscc).
_USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_VALUE = {c: i for i, c in enumerate(_USCC_ALPHABET)}
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def _uscc(text: str) -> tuple[str, list[str]]:
    """check_uscc (the code, and what was normalised), with a fast path for a code already in
    its canonical form (18 characters, upper case, no separators: nearly every row of a real file). A code the fast path accepts is
    one normalize_uscc accepts unchanged; everything else takes the long way and gets its exact
    message. Pass 1 spends most of its time here otherwise."""
    if len(text) == 18 and text[:8].isascii() and text[:8].isdigit():
        values = [_USCC_VALUE.get(c) for c in text[:17]]
        if None not in values and text[17] == _USCC_ALPHABET[-sum(map(mul, values, _USCC_WEIGHTS)) % 31]:
            return text, []
    return check_uscc(text)


def cell_reader(index: dict[str, int], cells: list[str]) -> Callable[[str], str]:
    """cell(header) -> the stripped text of that column in this row ('' when absent)."""

    def cell(header: str) -> str:
        i = index.get(header)
        return unescape(cells[i].strip()) if i is not None and i < len(cells) else ""

    return cell


def validate_targets(
    path: Path,
    filename: str,
    *,
    template: str,
    mode: str,
    lookups: Lookups,
    encoding: str = "auto",
    progress: Callable[[int], None] | None = None,
) -> tuple[Outcome, Path, Path]:
    """Pass 1. Returns the outcome and two spool files (stage rows, (row, tag) pairs)."""
    if template not in TEMPLATES:
        raise FileProblem(f"未知模板“{template}”")
    columns = TEMPLATES[template][1]
    update = mode == "update"
    out = Outcome()
    rows = read_table(path, filename, encoding)
    first = next(rows, None)  # a file that cannot be read fails here, before any spool exists
    spool, tag_spool = spool_path("ssj-stage-"), spool_path("ssj-tags-")
    try:
        return _fill(rows, first, spool, tag_spool, columns, template, update, lookups, out, progress)
    except BaseException:  # a decoding error deep in the file: leave nothing behind
        spool.unlink(missing_ok=True)
        tag_spool.unlink(missing_ok=True)
        raise


def spool_path(prefix: str) -> Path:
    fd, name = tempfile.mkstemp(prefix=prefix, suffix=".csv")
    os.close(fd)
    return Path(name)


def _clean(text: str) -> str:
    text = text.strip()
    return unescape(text) if text[:1] == "'" else text


def _cleaned(cells: list[str]) -> list[str]:
    """_clean of each cell: stripped in C, and unescaped one by one only in a row where some cell
    starts with an apostrophe (rare: pass 1 cleans 10⁷ cells of a 10⁶-row file)."""
    stripped = list(map(str.strip, cells))
    return list(map(_clean, stripped)) if "\0'" in "\0" + "\0".join(stripped) else stripped


def _fill(rows, first, spool, tag_spool, columns, template, update, lookups, out, progress):
    if first is None:
        out.error(None, "文件", "文件为空")
        return out, spool, tag_spool
    index, rows = locate_header(itertools.chain([first], rows), columns, update, out, hint=SUPERVISE_HINT)
    if index is None:
        return out, spool, tag_spool
    # header name by column position: a row becomes {header: stripped text}, and a header the
    # row lacks reads as '' (what cell_reader gives), without a Python call per cell
    names: list[str | None] = [None] * (max(index.values(), default=-1) + 1)
    for h, i in index.items():
        names[i] = h
    seen: dict[str, int] = {}
    pending: list[tuple[int, str, str]] = []  # (row, key column, key) to check against the directory
    id_at = id_positions(index)
    digest_key = settings.ID_DIGEST_KEY
    today = dt.date.today()  # once per import: every row is judged against the same day
    with (
        spool.open("w", newline="", encoding="utf-8") as sf,
        tag_spool.open("w", newline="", encoding="utf-8") as tf,
    ):
        sw, tw = csv.writer(sf), csv.writer(tf)
        for row_no, cells in rows:
            if not "".join(cells).strip():  # a blank row
                continue
            out.rows += 1
            if progress and out.rows % 5000 == 0:
                progress(out.rows)
            if id_at and refuse_excel_numbers(id_at, cells, row_no, out):
                continue
            cell = defaultdict(str, zip(names, _cleaned(cells), strict=False)).__getitem__
            before = out.error_count
            values = _target_row(cell, row_no, template, update, lookups, out, digest_key, today)
            if values is None or out.error_count > before:
                continue
            key = values["uscc"] or f"{values['kind']}:{values['nonmarket_key']}"
            if key in seen:
                out.error(row_no, columns[0].header, f"与第 {seen[key]} 行重复")
                continue
            seen[key] = row_no
            pending.append((row_no, columns[0].header, key))
            sw.writerow([values.get(c) for c in STAGE_COLUMNS])
            for tag_id in values["tags"]:
                tw.writerow([row_no, tag_id])
            if len(pending) >= DIRECTORY_CHECK_BATCH:
                _check_directory(pending, update, out, lookups.department)
                pending = []
        _check_directory(pending, update, out, lookups.department)
    if progress:
        progress(out.rows)
    return out, spool, tag_spool


def _check_directory(pending, update: bool, out: Outcome, department: Department) -> None:
    """Create mode: a key already in the directory is a duplicate; update mode: it must be there.
    A 非市场主体 (a person's 身份证号 among them) is looked up among the importing department's own
    records only: its key is unique per keeping department, and the answer must not tell whether
    another department holds that person (issue 14, finding 7)."""
    if not pending:
        return
    from .models import Target

    usccs = [k for _, _, k in pending if ":" not in k]
    others = [k for _, _, k in pending if ":" in k]
    found = set()
    if usccs and connection.vendor == "postgresql":
        # one array parameter rather than thousands of placeholders (psycopg parses each query
        # text client-side: with IN (%s, …) that parsing cost more than the query)
        with connection.cursor() as c:
            c.execute(f"SELECT uscc FROM {Target._meta.db_table} WHERE uscc = ANY(%s)", [usccs])
            found = {r[0] for r in c.fetchall()}
    elif usccs:
        found = set(Target.objects.filter(uscc__in=usccs).values_list("uscc", flat=True))
    if others:
        by_kind: dict[str, list[str]] = {}
        for k in others:
            kind, nk = k.split(":", 1)
            by_kind.setdefault(kind, []).append(nk)
        for kind, keys in by_kind.items():
            found |= {
                f"{kind}:{nk}"
                for nk in Target.objects.filter(
                    kind=kind, nonmarket_key__in=keys, keeper_department=department
                ).values_list("nonmarket_key", flat=True)
            }
    for row_no, column, key in pending:
        if update and key not in found:
            out.error(row_no, column, "目录中没有此主体，无法更新（新增请选择“新增”方式）")
        elif not update and key in found:
            out.error(row_no, column, "目录中已有此主体（更新请选择“按代码更新”方式）")


def _target_row(
    cell, row_no, template, update, lookups: Lookups, out: Outcome, digest_key, today: dt.date
) -> dict | None:
    v: dict = {"row_no": row_no, "uscc": None, "nonmarket_key": None, "tags": []}

    def err(column, reason):
        out.error(row_no, column, reason)

    if template == "market":
        try:
            v["uscc"], notes = _uscc(cell("统一社会信用代码"))
            v["key_display"] = v["uscc"]
        except IdentifierError as e:
            err("统一社会信用代码", str(e))
            return None
        for note in notes:
            out.warn(row_no, "统一社会信用代码", note)
        code_region = uscc_region_code(v["uscc"])
        if code_region not in lookups.regions:
            out.warn(
                row_no, "统一社会信用代码", f"第 3–8 位区划码 {code_region} 不在区划表中（已接受，请核对）"
            )
        elif lookups.regions[code_region] is not None:
            out.warn(
                row_no,
                "统一社会信用代码",
                f"第 3–8 位区划码 {code_region} 是已撤销的区划（已接受：发证时的区划可能已调整，请核对）",
            )
        kind_text = cell("主体类型")
        if kind_text:
            kind = coded(KIND_BY_LABEL, kind_text)
            if kind not in MARKET_KINDS:
                err(
                    "主体类型",
                    f"“{kind_text}”不是市场主体类型（企业、个体工商户、农民专业合作社、其他经营主体）",
                )
            v["kind"] = kind
        elif not update:
            err("主体类型", "必填")
        else:
            v["kind"] = None
    elif template == TargetKind.PERSON:
        try:
            ric, notes = check_ric(cell("身份证号"), today)
        except IdentifierError as e:
            err("身份证号", str(e))
            return None
        for note in notes:
            out.warn(row_no, "身份证号", note)
        v["kind"] = TargetKind.PERSON
        v["nonmarket_key"] = keyed_digest(digest_key, ric)
        v["key_display"] = mask_ric(ric)
    else:
        code = cell("编码")
        if not code:
            err("编码", "必填")
            return None
        if len(code) > 60:
            err("编码", "不能超过 60 个字符")
            return None
        if any(
            ord(c) < 32 or ord(c) == 127 for c in code
        ):  # a tab or line break would split the pool file's line
            err("编码", "不能包含换行符、制表符等控制字符")
            return None
        v["kind"] = template
        v["nonmarket_key"] = code
        v["key_display"] = code

    name_header = "姓名" if template == TargetKind.PERSON else "名称"
    name = cell(name_header)
    if not name and not update:
        err(name_header, "必填")
    elif len(name) > 200:
        err(name_header, "不能超过 200 个字")
    v["name"] = name or None

    region = cell("行政区划代码")
    if region:
        if region not in lookups.regions:
            err("行政区划代码", f"“{region}”不在区划表中")
        elif lookups.regions[region] is not None:
            err("行政区划代码", f"“{region}”已撤销，请填写现行区划代码")
        elif region not in lookups.in_scope:
            err("行政区划代码", f"“{region}”不在本辖区内")
        v["region_id"] = region
    elif not update:
        err("行政区划代码", "必填")
    v["address"] = (cell("住所") or cell("地址"))[:300] or None

    industry = cell("行业代码")
    v["industry_id"] = v["industry_code"] = None
    if industry:
        try:
            code = normalize_industry_code(industry)
            v["industry_id"] = lookups.industry(code, industry)
            v["industry_code"] = code
        except (IdentifierError, CellError) as e:
            err("行业代码", str(e))

    for header, key, parser in (
        ("成立日期", "founded_on", parse_date),
        ("状态变更日期", "status_changed_on", parse_date),
        ("分类日期", "risk_class_set_on", parse_date),
    ):
        text = cell(header)
        v[key] = None
        if text:
            try:
                v[key] = parser(text)
            except CellError as e:
                err(header, str(e))
    if v["founded_on"] and v["founded_on"] > today:
        err("成立日期", "晚于今天")

    status = cell("登记状态")
    v["status"] = None
    if status:
        v["status"] = coded(STATUS_BY_LABEL, status)
        if not v["status"]:
            err("登记状态", f"“{status}”应为 存续 / 注销 / 吊销 / 撤销 / 迁出")
    risk = cell("信用风险分类")
    v["risk_class"] = None
    if risk:
        v["risk_class"] = coded(RISK_BY_LABEL, risk)
        if not v["risk_class"]:
            err("信用风险分类", f"“{risk}”应为 A、B、C 或 D")
        elif not v["risk_class_set_on"]:
            v["risk_class_set_on"] = today

    tags = cell("标签")
    if tags:
        for t in tags.replace("；", ";").replace("，", ";").replace(",", ";").split(";"):
            t = t.strip()
            if not t:
                continue
            if t not in lookups.tags:
                err("标签", f"标签“{t}”不在本部门可用的标签库中")
            else:
                v["tags"].append(lookups.tags[t])
    return v


# ---- pass 2: staging and set-based writes -------------------------------------------------

_STAGE_SQL_TYPES = {
    "row_no": "integer",
    "founded_on": "date",
    "status_changed_on": "date",
    "risk_class_set_on": "date",
}


def _stage_ddl() -> str:
    cols = ", ".join(f"{c} {_STAGE_SQL_TYPES.get(c, 'text')}" for c in STAGE_COLUMNS)
    return cols


def _load_spool(cursor, table: str, columns: list[str], spool: Path) -> None:
    """Copy a spool file into a staging table: COPY on PostgreSQL, batched inserts on SQLite."""
    if connection.vendor == "postgresql":
        with (
            spool.open("rb") as f,
            cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN WITH (FORMAT csv)") as cp,
        ):
            while block := f.read(1 << 20):
                cp.write(block)
        return
    sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('%s' for _ in columns)})"
    with spool.open(newline="", encoding="utf-8") as f:
        batch = []
        for r in csv.reader(f):
            batch.append([x if x != "" else None for x in r])
            if len(batch) >= 5000:
                cursor.executemany(sql, batch)
                batch = []
        if batch:
            cursor.executemany(sql, batch)


# The shared fields an update file may carry: (stage column, field name, the new value as the
# UPDATE computes it). 变更记录 and 变更建议 compare the same expressions the UPDATE writes.
_UPDATED = [
    ("name", "name", "COALESCE(s.name, t.name)"),
    ("kind", "kind", "COALESCE(s.kind, t.kind)"),
    ("region_id", "region", "COALESCE(s.region_id, t.region_id)"),
    ("address", "address", "COALESCE(s.address, t.address)"),
    ("industry_id", "industry", "COALESCE(s.industry_id, t.industry_id)"),
    ("founded_on", "founded_on", "COALESCE(s.founded_on, t.founded_on)"),
    ("status", "status", "COALESCE(s.status, t.status)"),
    (
        "status_changed_on",
        "status_changed_on",
        "CASE WHEN s.status IS NOT NULL AND s.status <> t.status THEN COALESCE(s.status_changed_on, %(today)s)"
        " ELSE COALESCE(s.status_changed_on, t.status_changed_on) END",
    ),
    ("risk_class", "risk_class", "COALESCE(s.risk_class, t.risk_class)"),
    ("risk_class_set_on", "risk_class_set_on", "COALESCE(s.risk_class_set_on, t.risk_class_set_on)"),
]
# A non-keeper's file suggests these (the dates of a status or class follow their change).
_SUGGESTED = ("name", "kind", "region_id", "address", "industry_id", "founded_on", "status", "risk_class")


def _text(expr: str) -> str:
    return f"COALESCE(CAST({expr} AS text), '')"


def _case(pairs) -> str:
    """The value of `f.field`'s column: CASE f.field WHEN 'name' THEN … END."""
    return "CASE f.field " + " ".join(f"WHEN '{name}' THEN {sql}" for name, sql in pairs) + " END"


def _names(names) -> str:
    """A one-column table of field names, as both databases spell it."""
    return " UNION ALL ".join(f"SELECT '{n}' AS field" for n in names)


def write_targets(
    *, spool: Path, tag_spool: Path, mode: str, department: Department, actor=None, source: str = ""
) -> dict:
    """Pass 2: must run inside the import's transaction. A row's shared fields are written only
    where the importing department keeps the target (directory/ownership.py); elsewhere each
    differing value becomes a 变更建议. Every field written is kept in 变更记录."""
    from .ownership import kept_market_sql, kept_sql

    now = dt.datetime.now(dt.UTC)
    actor_id = getattr(actor, "pk", None)
    temp = "TEMPORARY" if connection.vendor == "sqlite" else "TEMP"
    drop = "" if connection.vendor == "sqlite" else " ON COMMIT DROP"
    # PostgreSQL, new targets: each staged row takes its directory id from the directory's own
    # sequence as COPY reads it (so in file order). The supervision and tag rows are then written
    # straight from the staging tables: no join back to a directory of millions whose statistics
    # do not yet know the rows this transaction added (a planner misled by them once chose a
    # nested loop over a million rows each side), and no NOT EXISTS (the targets are new).
    preassign = connection.vendor == "postgresql" and mode == "create"
    suggested = changed = 0
    suggestion_rows: list[tuple[int, str]] = []  # (row, field) of the first 变更建议, to list
    with connection.cursor() as c:
        c.execute("DROP TABLE IF EXISTS ssj_stage")
        c.execute("DROP TABLE IF EXISTS ssj_stage_tag")
        id_column = ""
        if preassign:
            c.execute("SELECT pg_get_serial_sequence('directory_target', 'id')")
            seq = c.fetchone()[0].replace("'", "''")
            id_column = f"id bigint DEFAULT nextval('{seq}'::regclass), "
        c.execute(f"CREATE {temp} TABLE ssj_stage ({id_column}{_stage_ddl()}){drop}")
        c.execute(f"CREATE {temp} TABLE ssj_stage_tag (row_no integer, tag_id bigint){drop}")
        _load_spool(c, "ssj_stage", STAGE_COLUMNS, spool)
        _load_spool(c, "ssj_stage_tag", ["row_no", "tag_id"], tag_spool)
        c.execute("SELECT count(*), count(uscc), count(nonmarket_key) FROM ssj_stage")
        staged, with_uscc, with_key = c.fetchone()
        c.execute("SELECT count(*) FROM ssj_stage_tag")
        tag_links = c.fetchone()[0]
        # a file holds one template, so one of the two keys: join on that one only (the other
        # join would find nothing, after reading the whole directory to find it). A 非市场主体
        # is the importing department's own record (its key is unique per keeper).
        key_joins = [
            (join, params)
            for join, params, n in (
                ("t.uscc = s.uscc", [], with_uscc),
                (
                    "t.kind = s.kind AND t.nonmarket_key = s.nonmarket_key AND t.keeper_department_id = %s",
                    [department.pk],
                    with_key,
                ),
            )
            if n
        ]
        # PostgreSQL keeps a copy of the supervising departments on the row (directory migration
        # 0005): written here with the row, the supervision table's trigger then finds nothing to
        # rewrite — one write of each row instead of two
        postgres = connection.vendor == "postgresql"
        sup_params = [department.pk] if postgres else []
        if mode == "create":
            sup_col, sup_val = (", supervised_by", ", ARRAY[%s]::bigint[]") if postgres else ("", "")
            # ids follow the file's row order: preassigned, or given in that order here
            id_, order = ("id, ", "") if preassign else ("", " ORDER BY row_no")
            # a new market subject's credit-risk class is its keeper's to set: another
            # department's class waits as a 变更建议 (written below, once the rows have ids)
            kept_s, kept_s_params = kept_market_sql(department, "s")
            c.execute(
                f"""
                INSERT INTO directory_target ({id_}kind, uscc, nonmarket_key, key_display, name, region_id,
                    address, industry_id, industry_code, founded_on, status, status_changed_on, risk_class,
                    risk_class_set_on, keeper_department_id, created_at, updated_at{sup_col})
                SELECT {id_}kind, uscc, nonmarket_key, COALESCE(key_display, ''), name, region_id,
                    COALESCE(address, ''), industry_id, COALESCE(industry_code, ''), founded_on,
                    COALESCE(status, 'active'), status_changed_on,
                    CASE WHEN uscc IS NULL OR {kept_s} THEN COALESCE(risk_class, '') ELSE '' END,
                    CASE WHEN uscc IS NULL OR {kept_s} THEN risk_class_set_on END,
                    CASE WHEN uscc IS NULL THEN %s END, %s, %s{sup_val}
                FROM ssj_stage AS s{order}
                """,
                [*kept_s_params, *kept_s_params, department.pk, now, now, *sup_params],
            )
            written = c.rowcount
            c.execute(
                f"""
                SELECT row_no FROM ssj_stage AS s WHERE s.uscc IS NOT NULL AND s.risk_class IS NOT NULL
                  AND NOT {kept_s} ORDER BY row_no LIMIT {MAX_LISTED_ERRORS}
                """,
                kept_s_params,
            )
            suggestion_rows += [(row_no, "risk_class") for (row_no,) in c.fetchall()]
            c.execute(
                f"""
                INSERT INTO directory_changesuggestion (target_id, field, current_value, suggested_value,
                    department_id, proposed_by_id, source, created_at, status, reason)
                SELECT t.id, 'risk_class', '', s.risk_class, %s, %s, %s, %s, 'pending', ''
                FROM ssj_stage s JOIN directory_target t ON t.uscc = s.uscc
                WHERE s.uscc IS NOT NULL AND s.risk_class IS NOT NULL AND NOT {kept_s}
                """,
                [department.pk, actor_id, source, now, *kept_s_params],
            )
            suggested += max(c.rowcount, 0)
        else:
            written = 0
            kind_changed: list[int] = []
            kept, kept_params = kept_sql(department, "t")
            today = {"today": "%s"}
            for key_join, join_params in key_joins:
                # 变更建议: each value of a row the department does not keep that differs from
                # the directory; one pass over the join, a row per (target, field)
                suggest = [(col, f) for col, f, _ in _UPDATED if col in _SUGGESTED]
                differing = f"""
                    SELECT x.row_no, x.target_id, x.field, x.cur, x.sug
                    FROM (SELECT s.row_no, t.id AS target_id, f.field,
                                 {_case((f, _text("t." + col)) for col, f in suggest)} AS cur,
                                 {_case((f, f"CAST(s.{col} AS text)") for col, f in suggest)} AS sug
                          FROM ssj_stage AS s JOIN directory_target AS t ON {key_join}
                          CROSS JOIN ({_names(f for _, f in suggest)}) AS f
                          WHERE NOT {kept}) AS x
                    WHERE x.sug IS NOT NULL AND x.sug <> x.cur
                      AND NOT EXISTS (SELECT 1 FROM directory_changesuggestion y
                                      WHERE y.target_id = x.target_id AND y.field = x.field
                                        AND y.department_id = %s AND y.status = 'pending'
                                        AND y.suggested_value = x.sug)
                """
                differing_params = [*join_params, *kept_params, department.pk]
                # the first rows, to name in the outcome (第 N 行), before the INSERT below
                c.execute(f"{differing} ORDER BY x.row_no LIMIT {MAX_LISTED_ERRORS}", differing_params)
                suggestion_rows += [(row_no, field) for row_no, _, field, _, _ in c.fetchall()]
                c.execute(
                    f"""
                    INSERT INTO directory_changesuggestion (target_id, field, current_value, suggested_value,
                        department_id, proposed_by_id, source, created_at, status, reason)
                    SELECT d.target_id, d.field, d.cur, d.sug, %s, %s, %s, %s, 'pending', ''
                    FROM ({differing}) AS d
                    """,
                    [department.pk, actor_id, source, now, *differing_params],
                )
                suggested += max(c.rowcount, 0)
                # 变更记录, before the UPDATE overwrites the values it compares with
                c.execute(
                    f"""
                    INSERT INTO directory_targetchange (target_id, field, before, after, actor_id, at, source)
                    SELECT x.target_id, x.field, x.old_value, x.new_value, %s, %s, %s
                    FROM (SELECT t.id AS target_id, f.field,
                                 {_case((f, _text("t." + col)) for col, f, _ in _UPDATED)} AS old_value,
                                 {_case((f, _text(expr % today)) for _, f, expr in _UPDATED)} AS new_value
                          FROM ssj_stage AS s JOIN directory_target AS t ON {key_join}
                          CROSS JOIN ({_names(f for _, f, _ in _UPDATED)}) AS f
                          WHERE {kept}) AS x
                    WHERE x.old_value <> x.new_value
                    """,
                    [actor_id, now, source, now.date(), *join_params, *kept_params],
                )
                changed += max(c.rowcount, 0)
                c.execute(
                    f"""
                    SELECT t.id FROM ssj_stage AS s JOIN directory_target AS t ON {key_join}
                    WHERE s.kind IS NOT NULL AND s.kind <> t.kind AND {kept}
                      AND EXISTS (SELECT 1 FROM draw_selection x WHERE x.target_id = t.id)
                    """,
                    [*join_params, *kept_params],
                )
                kind_changed += [pk for (pk,) in c.fetchall()]
                sets = ",\n".join(f"{column} = {expr % today}" for column, _, expr in _UPDATED)
                c.execute(
                    f"""
                    UPDATE directory_target AS t SET
                        {sets},
                        industry_code = COALESCE(s.industry_code, t.industry_code),
                        updated_at = %s
                    FROM ssj_stage AS s WHERE {key_join} AND {kept}
                    """,
                    [now.date(), now, *join_params, *kept_params],
                )
                written += c.rowcount
            if kind_changed:  # the reports' coverage counts 企业 among drawn targets
                targets_kind_changed.send(sender=Target, target_ids=kind_changed)
        # The importing department supervises what it created; tags are added, never removed,
        # and only to targets it supervises (as on a target's page: services.target_tags_set).
        if preassign:
            c.execute(
                "INSERT INTO directory_targetsupervision (target_id, department_id) SELECT id, %s FROM ssj_stage",
                [department.pk],
            )
            if tag_links:
                # temporary tables are never auto-analyzed: without statistics the planner takes
                # this join for a hundred million rows (external sorts, JIT compilation)
                c.execute("ANALYZE ssj_stage")
                c.execute("ANALYZE ssj_stage_tag")
                c.execute(
                    """
                    INSERT INTO directory_target_tags (target_id, tag_id)
                    SELECT DISTINCT s.id, st.tag_id FROM ssj_stage_tag st JOIN ssj_stage s ON s.row_no = st.row_no
                    """
                )
        else:
            for key_join, join_params in key_joins:
                # an update changes no one's supervision: adding the department's own is the mode
                # 添加监管关系 (directory/supervise.py), refused here so that a file of keys and a
                # risk class cannot also enrol the department among a target's supervisors
                if mode == "create":
                    c.execute(
                        f"""
                        INSERT INTO directory_targetsupervision (target_id, department_id)
                        SELECT t.id, %s FROM ssj_stage s JOIN directory_target t ON {key_join}
                        WHERE NOT EXISTS (SELECT 1 FROM directory_targetsupervision x
                                          WHERE x.department_id = %s AND x.target_id = t.id)
                        """,
                        [department.pk, *join_params, department.pk],
                    )
                if tag_links:
                    c.execute(
                        f"""
                        INSERT INTO directory_target_tags (target_id, tag_id)
                        SELECT DISTINCT t.id, st.tag_id FROM ssj_stage_tag st
                        JOIN ssj_stage s ON s.row_no = st.row_no JOIN directory_target t ON {key_join}
                        WHERE NOT EXISTS (SELECT 1 FROM directory_target_tags x
                                          WHERE x.target_id = t.id AND x.tag_id = st.tag_id)
                          AND EXISTS (SELECT 1 FROM directory_targetsupervision x
                                      WHERE x.department_id = %s AND x.target_id = t.id)
                        """,
                        [*join_params, department.pk],
                    )
        if connection.vendor == "sqlite":
            c.execute("DROP TABLE ssj_stage")
            c.execute("DROP TABLE ssj_stage_tag")
    return {
        "staged": staged,
        "written": written,
        "suggested": suggested,
        "changed": changed,
        "suggestion_rows": sorted(suggestion_rows)[:MAX_LISTED_ERRORS],
    }


def template_header(columns: list[Column]) -> list[str]:
    """A downloadable template's header; required columns are marked *."""
    return [c.header + ("*" if c.required else "") for c in columns]
