"""The monthly report as an .xlsx laid out like seed 003's form (merged cells, the same rows, the
form's four column headings under 截止目前数据), stating the period it covers. The jurisdiction's
export carries a second sheet: each task and target counted once (R-RPT-1: show both counts).
When the period has triggered inspections (issue 19), they go on a sheet of their own, never in
the form's cells; without any the workbook is the form alone."""

import datetime as dt
import io

import openpyxl
from openpyxl.styles import Alignment, Border, Font, Side

from .monthly import CREDIT_NOTE, DISTINCT_NOTE, ROWS

OTHER = [
    ("internal", "本部门开展部门内部抽查情况"),
    ("market", "本部门涉及企业的随机抽查情况"),
    ("credit", "本部门利用企业信用风险分级分类开展随机抽查情况"),
]
# seed 003's form: 截止目前数据 over 次数 | 抽查总户数 | 完成检查户数 | 发现问题户数
COLUMNS = ["次数", "抽查总户数", "完成检查户数", "发现问题户数"]
DISTINCT_SHEET = "每个任务和对象只计一次"
# issue 19: beside seed 003's form, never in its cells (as on the page, reports/_triggered.html)
TRIGGERED_SHEET = "触发式检查（另行统计）"
TRIGGERED_ROW = "触发式检查（投诉举报、转办交办、监测预警、上级部署）"
TRIGGERED_NOTE = (
    "月报表只统计“双随机”抽查。因投诉举报、转办交办、监测预警、上级部署等开展的触发式检查，对象不是随机抽取，"
    "单列于此，不计入月报表各项、抽查覆盖率和联合抽查、信用风险分类抽查占比；随机抽查一并办理的触发事项只计入随机抽查。"
)


def period_text(year: int, month: int, end: dt.date) -> str:
    return f"统计期间：{year}年1月1日至{end.year}年{end.month}月{end.day}日"


def _sheet(ws, *, unit: str, filled_on, period: str, form, other: dict | None, note: str = "") -> int:
    """One form on `ws`; returns the first row below it. `other` None: no 其他平台 block (the
    hand-filled block is a department's)."""
    thin = Side(style="thin")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    center = Alignment(horizontal="center", vertical="center", wrap_text=True)
    ws.merge_cells("A1:G1")
    ws["A1"] = "“双随机、一公开”监管工作月报表"
    ws["A1"].font = Font(size=14, bold=True)
    ws["A1"].alignment = center
    ws.merge_cells("A2:G2")
    ws["A2"] = f"（本年度累计数据；{period}）"
    ws["A2"].alignment = center
    ws["A3"] = f"单位名称（盖章）：{unit}"
    ws["E3"] = f"填表时间：{filled_on:%Y年%m月%d日}"
    ws.merge_cells("A4:C5")
    ws["A4"] = "统计项目"
    ws.merge_cells("D4:G4")
    ws["D4"] = "截止目前数据"
    for i, c in enumerate(COLUMNS):
        ws.cell(row=5, column=4 + i, value=c)
    r = 6
    ws.merge_cells(start_row=r, start_column=1, end_row=r + len(ROWS) - 1, end_column=1)
    ws.cell(row=r, column=1, value="河北双随机执法监管平台")
    ws.merge_cells(start_row=r, start_column=2, end_row=r + 2, end_column=2)
    for key, section, row_label in ROWS:
        if key in ("market", "credit") or key == "total":
            ws.cell(row=r, column=2, value=section)
        ws.cell(row=r, column=3, value=row_label)
        for i, v in enumerate(form.rows[key].as_tuple()):
            ws.cell(row=r, column=4 + i, value=v)
        if key == "credit":
            ws.cell(row=r, column=8, value=f"说明：{CREDIT_NOTE}")
        r += 1
    if other is not None:
        ws.merge_cells(start_row=r, start_column=1, end_row=r + len(OTHER) - 1, end_column=1)
        ws.cell(row=r, column=1, value="其他平台")
        for key, label in OTHER:
            ws.merge_cells(start_row=r, start_column=2, end_row=r, end_column=3)
            ws.cell(row=r, column=2, value=label)
            for i, v in enumerate(other.get(key, [0, 0, 0, 0])):
                ws.cell(row=r, column=4 + i, value=v)
            r += 1
    for row in ws.iter_rows(min_row=4, max_row=r - 1, min_col=1, max_col=7):
        for cell in row:
            cell.border = box
            cell.alignment = center
    if note:
        ws.cell(row=r, column=1, value=f"说明：{note}")
        r += 1
    for col, width in zip("ABCDEFGH", (14, 30, 10, 8, 12, 12, 12, 60), strict=True):
        ws.column_dimensions[col].width = width
    return r


def _triggered_sheet(ws, *, unit: str, filled_on, period: str, cell) -> None:
    """The triggered inspections' four figures on a sheet of their own."""
    ws["A1"] = TRIGGERED_SHEET
    ws["A1"].font = Font(size=14, bold=True)
    ws["A2"] = f"（本年度累计数据；{period}）"
    ws["A3"] = f"单位名称（盖章）：{unit}"
    ws["E3"] = f"填表时间：{filled_on:%Y年%m月%d日}"
    for i, heading in enumerate(["统计项目", *COLUMNS]):
        ws.cell(row=4, column=1 + i, value=heading)
    ws.cell(row=5, column=1, value=TRIGGERED_ROW)
    for i, v in enumerate(cell.as_tuple()):
        ws.cell(row=5, column=2 + i, value=v)
    ws.cell(row=6, column=1, value=f"说明：{TRIGGERED_NOTE}")
    for col, width in zip("ABCDE", (50, 8, 12, 12, 12), strict=True):
        ws.column_dimensions[col].width = width


def workbook(
    *,
    unit: str,
    filled_on,
    period: str,
    form,
    other: dict,
    distinct=None,
    triggered=None,
    contact="",
    phone="",
    mobile="",
) -> bytes:
    """`distinct`: the jurisdiction's each-task-and-target-once form, written as a second sheet;
    `triggered`: the triggered inspections' cell, written on a sheet of its own when it counts any."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "月报表"
    r = _sheet(ws, unit=unit, filled_on=filled_on, period=period, form=form, other=other)
    ws.cell(row=r + 1, column=1, value=f"联系人：{contact}")
    ws.cell(row=r + 1, column=3, value=f"联系电话：{phone}")
    ws.cell(row=r + 1, column=5, value=f"手机：{mobile}")
    if distinct is not None:
        _sheet(
            wb.create_sheet(DISTINCT_SHEET),
            unit=unit.replace("按部门合计", DISTINCT_SHEET),
            filled_on=filled_on,
            period=period,
            form=distinct,
            other=None,
            note=DISTINCT_NOTE,
        )
    if triggered is not None and triggered.tasks:
        _triggered_sheet(
            wb.create_sheet(TRIGGERED_SHEET), unit=unit, filled_on=filled_on, period=period, cell=triggered
        )
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
