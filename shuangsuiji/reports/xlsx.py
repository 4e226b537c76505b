"""The monthly report as an .xlsx laid out like seed 003's form (merged cells, the same rows)."""

import io

import openpyxl
from openpyxl.styles import Alignment, Border, Font, Side

from .monthly import ROWS

OTHER = [
    ("internal", "本部门开展部门内部抽查情况"),
    ("market", "本部门涉及企业的随机抽查情况"),
    ("credit", "本部门利用企业信用风险分级分类开展随机抽查情况"),
]
COLUMNS = ["次数", "抽查总户数", "完成检查户数", "发现问题户数"]


def workbook(*, unit: str, filled_on, form, other: dict, contact="", phone="", mobile="") -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "月报表"
    thin = Side(style="thin")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    center = Alignment(horizontal="center", vertical="center", wrap_text=True)
    ws.merge_cells("A1:G1")
    ws["A1"] = "“双随机、一公开”监管工作月报表"
    ws["A1"].font = Font(size=14, bold=True)
    ws["A1"].alignment = center
    ws.merge_cells("A2:G2")
    ws["A2"] = "（本年度累计数据）"
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
        r += 1
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
    ws.cell(row=r + 1, column=1, value=f"联系人：{contact}")
    ws.cell(row=r + 1, column=3, value=f"联系电话：{phone}")
    ws.cell(row=r + 1, column=5, value=f"手机：{mobile}")
    for col, width in zip("ABCDEFG", (14, 30, 10, 8, 12, 12, 12), strict=True):
        ws.column_dimensions[col].width = width
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
