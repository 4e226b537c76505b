"""Reading GB/T 4754-2017 (国民经济行业分类) tables: the shipped full table and the official one (CSV
in UTF-8/GBK, or .xlsx). Pure Python: no Django models.

The shipped table (data/gbt4754_2017.csv, "代码,名称") holds every category: 20 门类, 97 大类,
473 中类 and 1,381 小类. Codes and names were transcribed from the public 2017 table in the
GitHub repository zmshe/capital (src/utils/category.js; its 说明 remarks left out) and checked
against the standard's structure: each 小类 under its 中类, each 中类 under its 大类, each 大类
under its 门类 (SECTION_DIVISIONS); the 117 门类 and 大类 names are the ones shipped before. Where
the standard prints a 中类 and its only 小类 on one row ("019 0190 其他农业") the source has only the
小类; the 中类 is written with the same name, as the standard does. Two slips in the source are
corrected: 3741 飞机制造 (given there as a second 中类 374) and the half-width brackets of 194
羽毛（绒）加工及制品制造 and 7517 三维（3D）打印技术推广服务. The National Bureau of Statistics'
announcement of the 2017 edition says 1,380 小类; the table itself lists 1,381 distinct four-digit
codes (other counts quoted are 1,381 and, with the 2019 amendment, 1,382)."""

import csv
import io
import re
from pathlib import Path

import openpyxl

SHIPPED_TABLE = Path(__file__).parent / "data" / "gbt4754_2017.csv"

# Which divisions (大类) each section (门类) holds: the standard's numbering is contiguous 01–97.
SECTION_DIVISIONS = {
    "A": (1, 5),
    "B": (6, 12),
    "C": (13, 43),
    "D": (44, 46),
    "E": (47, 50),
    "F": (51, 52),
    "G": (53, 60),
    "H": (61, 62),
    "I": (63, 65),
    "J": (66, 69),
    "K": (70, 70),
    "L": (71, 72),
    "M": (73, 75),
    "N": (76, 79),
    "O": (80, 82),
    "P": (83, 83),
    "Q": (84, 85),
    "R": (86, 90),
    "S": (91, 96),
    "T": (97, 97),
}

CODE_HEADERS = ("代码", "行业代码", "code")
NAME_HEADERS = ("名称", "类别名称", "name")
# Separate code columns, with each level's code width (used to restore zeros a spreadsheet dropped).
LEVEL_HEADERS = {"门类": 1, "大类": 2, "中类": 3, "小类": 4}
LEVELS = ("section", "division", "group", "class")  # IndustryLevel values, by code shape

_CODE = re.compile(r"^(?:[A-T]|\d{2,4})$")
_LETTERED = re.compile(r"^([A-T])(\d{2,4})$")  # 'C1311': letter and digits in one cell
_HEADER_SCAN = 10  # the official table may have a title row (or a two-row header) above the data


class _Number(str):
    """A cell Excel stored as a number: its leading zeros may be gone."""


def section_of_division(division: str) -> str | None:
    n = int(division)
    for letter, (lo, hi) in SECTION_DIVISIONS.items():
        if lo <= n <= hi:
            return letter
    return None


def _decode(content: bytes) -> str:
    for enc in ("utf-8-sig", "gb18030"):
        try:
            return content.decode(enc)
        except UnicodeDecodeError:
            continue
    raise ValueError("文件编码无法识别：请另存为 UTF-8 或 GBK 编码的 CSV，或直接使用 .xlsx")


def _xlsx_cell(v):
    if v is None:
        return ""
    if isinstance(v, bool):
        return str(v)
    if isinstance(v, int | float):
        return _Number(str(int(v)) if float(v).is_integer() else str(v))
    return str(v).strip()


def _raw_rows(name: str, content: bytes) -> list[list[str]]:
    lower = name.lower()
    if lower.endswith(".xlsx"):
        try:
            wb = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        except Exception:
            raise ValueError("无法读取 Excel 文件：请确认是 .xlsx 格式（不支持旧版 .xls）且未加密") from None
        try:
            return [[_xlsx_cell(v) for v in r] for r in wb.worksheets[0].iter_rows(values_only=True)]
        finally:
            wb.close()
    if lower.endswith(".xls"):
        raise ValueError("不支持旧版 .xls 文件：请另存为 .xlsx 或 CSV")
    try:
        return [[c.strip() for c in r] for r in csv.reader(io.StringIO(_decode(content)))]
    except csv.Error as e:
        raise ValueError(f"CSV 格式错误：{e}") from None


def _header_key(cell: str) -> str:
    return re.sub(r"\s+", "", cell or "").lower()


def _find_header(rows: list[list[str]]):
    """(first data row index, name column, code column or None, {level column: width})."""
    for i, row in enumerate(rows[:_HEADER_SCAN]):
        keys = [_header_key(c) for c in row]
        name_col = next((j for j, k in enumerate(keys) if k in NAME_HEADERS), None)
        if name_col is None:
            continue
        # The official layout puts 门类/大类/中类/小类 on this row, or under a merged “代码” cell.
        for h in (i, i + 1):
            hkeys = [_header_key(c) for c in rows[h]] if h < len(rows) else []
            levels = {j: LEVEL_HEADERS[k] for j, k in enumerate(hkeys) if k in LEVEL_HEADERS}
            # Two or more: a lone 门类 column beside 代码 only labels the section.
            if len(levels) >= 2:
                return h + 1, name_col, None, levels
        code_col = next((j for j, k in enumerate(keys) if k in CODE_HEADERS), None)
        if code_col is not None:
            return i + 1, name_col, code_col, {}
    raise ValueError(
        "表头须包含代码列（“代码”“行业代码”或“code”，或分列的“门类/大类/中类/小类”）"
        "和名称列（“名称”“类别名称”或“name”）"
    )


def _normalize(cell: str, line: int, width: int | None = None) -> str:
    raw = re.sub(r"\s+", "", cell).upper()
    if isinstance(cell, _Number):
        if width is None and len(raw) != 4:  # 4 digits is the longest code: nothing was lost
            raise ValueError(
                f"第 {line} 行：代码“{cell}”在 Excel 中是数字格式，开头的 0 可能已丢失；请把代码列设为文本后重新导出"
            )
        if width is not None:
            raw = raw.zfill(width)  # the column says how wide the code is
    m = _LETTERED.match(raw)
    if m:
        letter, raw = m.groups()
        if section_of_division(raw[:2]) != letter:
            raise ValueError(f"第 {line} 行：代码“{cell}”的门类字母与大类 {raw[:2]} 不符")
    if width is not None and len(raw) != width:
        raise ValueError(f"第 {line} 行：代码“{cell}”位数不对（本列应为 {width} 位）")
    if not _CODE.match(raw):
        raise ValueError(f"第 {line} 行：行业代码“{cell}”格式错误（应为门类字母 A–T，或 2–4 位数字代码）")
    if raw.isdigit() and section_of_division(raw[:2]) is None:
        raise ValueError(f"第 {line} 行：行业代码“{cell}”的大类 {raw[:2]} 不在 01–97 之间")
    return raw


def read_industry_table(name: str, content: bytes) -> list[tuple[str, str]]:
    """(code, name) for every category in the file, in file order. `name` is the file name (its
    extension picks CSV or .xlsx). Codes come back as a letter A–T or 2–4 digits."""
    rows = _raw_rows(name, content)
    start, name_col, code_col, levels = _find_header(rows)
    out: list[tuple[str, str]] = []
    seen: dict[str, tuple[str, int]] = {}
    for idx in range(start, len(rows)):
        row, line = rows[idx], idx + 1
        row = row + [""] * (max(name_col, code_col or 0, *levels) + 1 - len(row))
        label = row[name_col].strip()
        if code_col is not None:
            cells = [(row[code_col], None)]
        else:
            cells = [(row[j], w) for j, w in sorted(levels.items())]
        # A group with a single class is printed “621 6210 正餐服务” on one row: both are categories.
        codes = [_normalize(c, line, w) for c, w in cells if c.strip()]
        if not codes:
            if label:
                raise ValueError(f"第 {line} 行：“{label}”没有行业代码")
            continue  # a blank row, or one carrying only 说明 text
        if not label:
            raise ValueError(f"第 {line} 行：代码 {codes[0]} 缺少名称")
        for code in codes:
            if code in seen:
                if seen[code][0] == label:
                    continue
                raise ValueError(f"第 {line} 行：代码 {code} 与第 {seen[code][1]} 行重复，名称不同")
            seen[code] = (label, line)
            out.append((code, label))
    return out


def check_industry_code(written: str, code: str, section: str | None) -> None:
    """ValueError (Chinese) unless the normalised `code` is a category of the table (`section`:
    its 门类, None when the table has no such code) and a 门类 letter written with the digits
    (`written`, as the user typed it: 'C1311') is that category's 门类."""
    if section is None:
        raise ValueError(
            f"行业代码“{written}”不在国民经济行业分类（GB/T 4754-2017）中：请按分类表核对，"
            "可填门类（如 C）、大类（C13 或 13）、中类（131）或小类（C1311 或 1311）"
        )
    letter = (written or "").strip().upper()[:1]
    if code.isdigit() and letter.isalpha() and letter != section:
        raise ValueError(
            f"行业代码“{written}”的门类字母 {letter} 与代码 {code} 不符：{code} 属于门类 {section}"
        )


def _level(code: str) -> str:
    return LEVELS[0] if len(code) == 1 else LEVELS[len(code) - 1]


def industry_rows(pairs) -> list[dict]:
    """Rows ready to store, parents before children (sections, divisions, groups, classes):
    dict(code, name, level, parent, section). Every child's parent must be in `pairs`."""
    names: dict[str, str] = {}
    first_seen: dict[str, int] = {}
    for n, (raw_code, raw_name) in enumerate(pairs, start=1):
        code, name = (raw_code or "").strip().upper(), (raw_name or "").strip()
        where = f"第 {n} 条（{raw_code} {raw_name}）"
        if not _CODE.match(code):
            raise ValueError(f"{where}：行业代码格式错误（应为门类字母 A–T，或 2–4 位数字代码）")
        if not code.isalpha() and section_of_division(code[:2]) is None:
            raise ValueError(f"{where}：大类代码 {code[:2]} 不在 01–97 之间")
        if not name:
            raise ValueError(f"{where}：缺少名称")
        if len(name) > 100:
            raise ValueError(f"{where}：名称超过 100 个字")
        if code in names and names[code] != name:
            raise ValueError(f"{where}：代码 {code} 重复出现，名称不同（“{names[code]}”）")
        names[code] = name
        first_seen.setdefault(code, n)

    out = []
    for code in sorted(names, key=lambda c: (len(c) if c.isdigit() else 0, c)):
        if code.isalpha():
            section, parent = code, None
        else:
            section = section_of_division(code[:2])
            if len(code) == 2:
                parent = section
            elif len(code) == 4 and code[:3] in names:
                parent = code[:3]
            else:
                parent = code[:2]
        if parent is not None and parent not in names:
            what = "门类" if parent.isalpha() else "大类"
            raise ValueError(
                f"第 {first_seen[code]} 条（{code} {names[code]}）：上级{what} {parent} 不在表中"
            )
        out.append(
            {"code": code, "name": names[code], "level": _level(code), "parent": parent, "section": section}
        )
    return out
