"""The .xlsx import templates that teach (issue 17): the template's own columns on the first
sheet, with the code columns formatted as text, the allowed values as drop-down lists and each
column's note on its header; a filled-in example on the sheet “示例”; and a “填写说明” sheet
listing every column with its other names, whether it is required, its format and allowed values.

The example row sits on a sheet of its own, not under the header: the importer reads only the
first sheet (tabular.read_table), so an example the clerk forgets to delete is never imported —
nor refused as a duplicate of a real row or a target already in the directory.

Built with a normal (not write-only) workbook: comments, validations and column formats need it,
and a template is one header row."""

import io

import openpyxl
from openpyxl.comments import Comment
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from . import importing
from .importing import DATE_FORMS, Column
from .models import MARKET_KINDS, ItemKind, RegistrationStatus, RiskClass

DATA_SHEET = "导入数据"
EXAMPLE_SHEET = "示例"
NOTES_SHEET = "填写说明"
TEXT = "@"  # Excel's “文本” number format
FORMATTED_ROWS = 1000  # data rows pre-formatted as text below the header (the column is too)

# Columns whose cells are codes: Excel must keep them as typed (an 18-digit number loses its last
# digits; a code loses its leading zeros).
TEXT_COLUMNS = frozenset(
    {"统一社会信用代码", "身份证号", "行政区划代码", "行业代码", "编码", "事项编码", "执法证号", "联系电话"}
)
_YES_NO = ["是", "否"]


def allowed_values(header: str) -> list[str]:
    """The values the template offers for a coded column, from the tables the importer maps
    (each maps back to its code: importing.*_BY_LABEL); [] for a free column."""
    return {
        "主体类型": [k.label for k in MARKET_KINDS],
        "登记状态": [label for _, label in RegistrationStatus.choices],
        "信用风险分类": [label for _, label in RiskClass.choices],
        "事项类别": [label for _, label in ItemKind.choices],
        "在岗": _YES_NO,
        "专家": _YES_NO,
        "非现场检查": _YES_NO,
    }.get(header, [])


# One plausible row for every column any template has (the example sheet).
EXAMPLE = {
    "统一社会信用代码": "91130110MA0A1B2C3G",
    "名称": "鹿泉区示例餐饮有限公司",
    "主体类型": "企业",
    "行政区划代码": "130110",
    "住所": "获鹿镇示例街 1 号",
    "地址": "获鹿镇示例街 1 号",
    "行业代码": "H6210",
    "成立日期": "2015-03-02",
    "登记状态": "存续",
    "状态变更日期": "",
    "信用风险分类": "B类（一般风险）",
    "分类日期": "2026-01-31",
    "标签": "餐饮服务",
    "身份证号": "130110198503150216",
    "姓名": "张三",
    "编码": "CP-0001",
    "业务条线": "食品安全",
    "执法证号": "13011001234",
    "执法证有效期至": "2028-12-31",
    "专长标签": "食品安全;特种设备",
    "在岗": "是",
    "专家": "否",
    "联系电话": "0311-12345678",
    "事项编码": "SCJG-001",
    "事项名称": "食品经营许可情况的检查",
    "事项类别": "一般检查事项",
    "实施主体": "县市场监督管理局",
    "检查子项": "许可证是否有效;经营项目是否一致",
    "检查依据": "《中华人民共和国食品安全法》第三十五条",
    "实施层级": "县级",
    "检查对象类型": "企业;个体工商户",
    "检查方式": "实地检查;书面检查",
    "非现场检查": "否",
    "人员专长要求": "食品安全",
    "检查要点": "是否取得食品经营许可证",
}
_DATE_COLUMNS = {"成立日期", "状态变更日期", "分类日期", "执法证有效期至"}


def column_format(column: Column) -> str:
    """What the 填写说明 sheet says of a column's format."""
    parts = []
    if column.header in TEXT_COLUMNS:
        parts.append("文本格式（本模板已设为文本，请勿改为数字或常规）")
    if column.header in _DATE_COLUMNS:
        parts.append(f"日期，可填 {DATE_FORMS}")
    if column.note:
        parts.append(column.note)
    return "；".join(parts)


def template_xlsx(columns: list[Column], title: str) -> bytes:
    wb = openpyxl.Workbook()
    data = wb.active
    data.title = DATA_SHEET
    _header_sheet(data, columns)
    bold = Font(bold=True)
    for i, column in enumerate(columns, 1):
        letter = get_column_letter(i)
        head = data.cell(row=1, column=i)
        note = column_format(column)
        values = allowed_values(column.header)
        if values:
            note = f"{note}；可选：{'、'.join(values)}" if note else f"可选：{'、'.join(values)}"
        if column.required:
            note = f"必填。{note}" if note else "必填"
        if note:
            head.comment = Comment(note, "导入模板", width=260, height=120)
        if column.header in TEXT_COLUMNS:
            data.column_dimensions[letter].number_format = TEXT
            for r in range(2, FORMATTED_ROWS + 2):
                data.cell(row=r, column=i).number_format = TEXT
        if values:
            # a warning, not a stop: the other ways counties write a value (“A类”, “在营”, see
            # 填写说明) are understood by the importer too
            dv = DataValidation(
                type="list",
                formula1='"' + ",".join(values) + '"',
                allow_blank=True,
                showErrorMessage=True,
                errorStyle="warning",
                errorTitle="不在可选值中",
                error=f"可选：{'、'.join(values)}（其他写法见“{NOTES_SHEET}”工作表）",
                promptTitle=column.header,
                prompt="请从下拉列表中选择",
                showInputMessage=True,
            )
            dv.add(f"{letter}2:{letter}{FORMATTED_ROWS + 1}")
            data.add_data_validation(dv)

    example = wb.create_sheet(EXAMPLE_SHEET)
    _header_sheet(example, columns)
    for i, column in enumerate(columns, 1):
        cell = example.cell(row=2, column=i, value=EXAMPLE.get(column.header, ""))
        if column.header in TEXT_COLUMNS:
            cell.number_format = TEXT
    example.cell(
        row=4,
        column=1,
        value=f"这是填写示例，不会被导入：系统只读取第一个工作表“{DATA_SHEET}”。请在“{DATA_SHEET}”中填写。",
    ).font = bold

    notes = wb.create_sheet(NOTES_SHEET)
    notes.append([f"{title}：填写说明"])
    notes["A1"].font = bold
    notes.append(
        [
            f"请在第一个工作表“{DATA_SHEET}”中从第 2 行起逐行填写；“{EXAMPLE_SHEET}”和本说明不会被导入。"
            "带 * 的列必填。列名也可使用“也可写作”中的名称。"
        ]
    )
    notes.append([])
    notes.append(["列名", "必填", "格式与说明", "可选值", "也可写作"])
    for cell in notes[4]:
        cell.font = bold
    for column in columns:
        notes.append(
            [
                column.header,
                "是" if column.required else "否",
                column_format(column),
                _allowed_text(column.header),
                "、".join(column.aliases),
            ]
        )
    for letter, width in zip("ABCDE", (18, 6, 50, 50, 40), strict=True):
        notes.column_dimensions[letter].width = width
    wb.active = 0
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _allowed_text(header: str) -> str:
    """The allowed values with the other ways of writing them the importer understands."""
    values = allowed_values(header)
    synonyms = {
        "主体类型": importing.KIND_SYNONYMS,
        "登记状态": importing.STATUS_SYNONYMS,
        "信用风险分类": importing.RISK_SYNONYMS,
    }.get(header)
    text = "、".join(values)
    if synonyms:
        text += f"（也可写作：{'、'.join(synonyms)}）"
    return text


def _header_sheet(ws, columns: list[Column]) -> None:
    ws.append(importing.template_header(columns))
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for i, column in enumerate(columns, 1):
        ws.column_dimensions[get_column_letter(i)].width = max(12, 2 * len(column.header) + 4)
    ws.freeze_panes = "A2"
