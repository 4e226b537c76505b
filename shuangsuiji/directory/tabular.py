"""Reading and writing the directories' spreadsheets: .xlsx and CSV (UTF-8 or GBK), streamed
row by row so that a file of a million rows keeps memory flat; the old .xls format is read too
(xlrd loads it whole, but .xls holds at most 65,536 rows)."""

import codecs
import csv
import io
from collections.abc import Iterable, Iterator
from pathlib import Path

import openpyxl
from openpyxl.cell import WriteOnlyCell


class FileProblem(ValueError):
    """The file as a whole cannot be read (encoding, format, header); the message is Chinese."""


ENCODINGS = {"utf-8": "utf-8-sig", "gbk": "gb18030"}


def detect_encoding(path: Path) -> str:
    """UTF-8 if the whole file decodes as UTF-8, else GBK (GB18030) if that decodes it."""
    for name, codec in ENCODINGS.items():
        dec = codecs.getincrementaldecoder(codec)()
        try:
            with path.open("rb") as f:
                while block := f.read(1 << 20):
                    dec.decode(block)
                dec.decode(b"", final=True)
            return name
        except UnicodeDecodeError:
            continue
    raise FileProblem("文件编码无法识别：请在 Excel 中另存为“CSV UTF-8”或 GBK 编码的 CSV，或直接上传 .xlsx")


def _csv_rows(path: Path, encoding: str) -> Iterator[tuple[int, list[str]]]:
    codec = ENCODINGS[encoding]
    with path.open("r", encoding=codec, newline="") as f:
        reader = csv.reader(f)
        try:
            # numbered by record, as a spreadsheet numbers its rows: a cell holding a line break
            # spans two lines of the file but is one row to the person who fixes it
            yield from enumerate(reader, 1)
        except UnicodeDecodeError:
            raise FileProblem(
                f"第 {reader.line_num + 1} 行附近无法按 {encoding.upper()} 解码：文件编码与所选编码不符，请改选编码或另存后重传"
            ) from None
        except csv.Error as e:
            raise FileProblem(f"第 {reader.line_num} 行 CSV 格式错误：{e}") from None


def _xlsx_rows(path: Path) -> Iterator[tuple[int, list[str]]]:
    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception:
        raise FileProblem(
            "无法读取 Excel 文件：请确认是 .xlsx 格式且未加密（旧版 .xls 文件请以 .xls 扩展名上传）"
        ) from None
    try:
        for n, values in enumerate(wb.worksheets[0].iter_rows(values_only=True), start=1):
            yield n, ["" if v is None else _cell_text(v) for v in values]
    finally:
        wb.close()


class NumberCell(str):
    """The text of a cell Excel stored as a number. An ID number or USCC stored so has lost its
    last digits (Excel keeps 15 significant digits): the importer refuses it by this mark."""

    __slots__ = ()


def _xls_rows(path: Path) -> Iterator[tuple[int, list[str]]]:
    import xlrd

    try:
        book = xlrd.open_workbook(path, on_demand=True)
        sheet = book.sheet_by_index(0)
    except Exception:
        raise FileProblem(
            "无法读取 .xls 文件：请确认文件未损坏、未加密，或在 Excel 中另存为 .xlsx 后上传"
        ) from None
    try:
        for n in range(sheet.nrows):
            yield n + 1, [_xls_cell_text(c, book.datemode) for c in sheet.row(n)]
    finally:
        book.release_resources()


def _xls_cell_text(cell, datemode: int) -> str:
    import xlrd

    if cell.ctype == xlrd.XL_CELL_DATE:  # a date cell reads as an .xlsx date cell does
        try:
            return _cell_text(xlrd.xldate_as_datetime(cell.value, datemode))
        except (ValueError, OverflowError, xlrd.xldate.XLDateError):
            return _cell_text(cell.value)
    if cell.ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
        return ""
    if cell.ctype == xlrd.XL_CELL_BOOLEAN:
        return "TRUE" if cell.value else "FALSE"
    if cell.ctype == xlrd.XL_CELL_ERROR:
        return ""
    return _cell_text(cell.value)


def _cell_text(v) -> str:
    if hasattr(v, "date") and hasattr(v, "hour"):  # a datetime cell: keep the date
        return v.date().isoformat()
    if hasattr(v, "isoformat"):
        return v.isoformat()
    if isinstance(v, bool):
        return str(v)
    if isinstance(v, float) and v.is_integer():
        return NumberCell(int(v))
    if isinstance(v, int | float):
        return NumberCell(v)
    return str(v)


def read_table(path: Path, filename: str, encoding: str = "auto") -> Iterator[tuple[int, list[str]]]:
    """(row number as the user sees it, cells) for every row, header included."""
    lower = filename.lower()
    if lower.endswith(".xlsx"):
        return _xlsx_rows(path)
    if lower.endswith(".xls"):
        return _xls_rows(path)
    if not lower.endswith((".csv", ".txt")):
        raise FileProblem("文件类型不支持：请上传 .xlsx、.xls 或 .csv 文件")
    if encoding == "auto":
        encoding = detect_encoding(path)
    if encoding not in ENCODINGS:
        raise FileProblem(f"未知编码“{encoding}”")
    return _csv_rows(path, encoding)


def count_rows(path: Path, filename: str) -> int | None:
    """The file's row count (header included), cheaply and before reading it: a CSV's line
    breaks (a cell holding one counts twice: a job's progress only needs about the number), an
    .xlsx sheet's stated dimension, an .xls sheet's row count. None when unknown."""
    lower = filename.lower()
    try:
        if lower.endswith(".xlsx"):
            wb = openpyxl.load_workbook(path, read_only=True)
            try:
                return wb.worksheets[0].max_row
            finally:
                wb.close()
        if lower.endswith(".xls"):
            import xlrd

            book = xlrd.open_workbook(path, on_demand=True)
            try:
                return book.sheet_by_index(0).nrows
            finally:
                book.release_resources()
        n, last = 0, b"\n"
        with path.open("rb") as f:
            while block := f.read(1 << 20):
                n += block.count(b"\n")
                last = block[-1:]
        return n + (last != b"\n")
    except Exception:  # an unreadable file: the import itself says why
        return None


# A cell starting with one of these is a formula to Excel: exported text is never run (CSV
# injection). .xlsx cells are typed as text; CSV cells get a leading apostrophe, which the
# importer drops again.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def write_xlsx(header: list[str], rows: Iterable[Iterable], title: str = "Sheet1") -> bytes:
    """A write-only workbook (streams rows; memory flat)."""
    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet(title=title[:31])
    ws.append(header)
    for r in rows:
        ws.append([_text_cell(ws, v) if isinstance(v, str) and v.startswith(FORMULA_START) else v for v in r])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _text_cell(ws, value: str) -> WriteOnlyCell:
    cell = WriteOnlyCell(ws, value=value)
    cell.data_type = "s"
    return cell


def csv_line(values: Iterable) -> str:
    buf = io.StringIO()
    csv.writer(buf).writerow([_csv_safe(v) for v in values])
    return buf.getvalue()


def _csv_safe(v):
    if v is None:
        return ""
    if isinstance(v, str) and v.startswith(FORMULA_START):
        return "'" + v
    return v


def unescape(text: str) -> str:
    """Undo csv_line's apostrophe on a cell read back in."""
    if len(text) > 1 and text[0] == "'" and text[1:].startswith(FORMULA_START):
        return text[1:]
    return text
