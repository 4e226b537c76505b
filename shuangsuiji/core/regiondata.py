"""Reading region code tables: python-stdnum's loc.dat (GB/T 2260 with retired codes) and the
official code-table files (民政部 行政区划代码, 统计用区划代码) as CSV or .xlsx."""

import csv
import datetime as dt
import io
import re
from pathlib import Path

import openpyxl

_SEGMENT = re.compile(r"^\[(\d{4})?-(\d{4})?\](.+)$")

CODE_HEADERS = ("行政区划代码", "区划代码", "统计用区划代码", "代码", "code")
NAME_HEADERS = ("单位名称", "名称", "区划名称", "name")
RETIRED_HEADERS = ("撤销日期", "retired_on")


def stdnum_locdat_path() -> Path:
    import stdnum

    return Path(stdnum.__file__).parent / "cn" / "loc.dat"


def _current_name(field: str) -> tuple[str, dt.date | None]:
    """loc.dat names read '[1983-1994]东矿区,[1995-]古冶区': the last segment is the code's
    latest name; an end year means the code was retired (loc.dat gives years only, so the
    date is taken as that year's last day)."""
    last = field.split(",")[-1]
    m = _SEGMENT.match(last)
    if not m:
        return last, None
    _, end, name = m.groups()
    return name, dt.date(int(end), 12, 31) if end else None


def read_locdat(path: Path, province: str | None = None):
    """Yield (code, name, retired_on) for one province ('13') or all."""
    prov = None
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        if not line.startswith(" "):
            code, rest = line.split(" ", 1)
            prov = code
            if province and prov != province:
                continue
            name, retired = _current_name(rest.split("=", 1)[1].strip('"'))
            yield prov + "0000", name, retired
            continue
        if province and prov != province:
            continue
        code, rest = line.strip().split(" ", 1)
        if code == "0000":
            continue
        name, retired = _current_name(rest.split("=", 1)[1].strip('"'))
        yield prov + code, name, retired


def _pick(header: list[str], names: tuple[str, ...]) -> int | None:
    for i, h in enumerate(header):
        if (h or "").strip() in names:
            return i
    return None


def read_table(name: str, content: bytes):
    """Yield (code, name, retired_on) from an official code table (CSV in UTF-8/GBK, or .xlsx)
    with a header row naming 行政区划代码/代码 and 单位名称/名称 (and optionally 撤销日期)."""
    if name.lower().endswith(".xlsx"):
        wb = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        rows = (
            [("" if v is None else str(v)).strip() for v in r] for r in wb.active.iter_rows(values_only=True)
        )
    else:
        for enc in ("utf-8-sig", "gb18030"):
            try:
                text = content.decode(enc)
                break
            except UnicodeDecodeError:
                continue
        else:
            raise ValueError("文件编码无法识别：请另存为 UTF-8 或 GBK 编码")
        rows = ([c.strip() for c in r] for r in csv.reader(io.StringIO(text)))
    header = next(rows, [])
    ci, ni, ri = _pick(header, CODE_HEADERS), _pick(header, NAME_HEADERS), _pick(header, RETIRED_HEADERS)
    if ci is None or ni is None:
        raise ValueError("表头须包含“行政区划代码”（或“代码”）和“单位名称”（或“名称”）两列")
    for r in rows:
        if not any(r):
            continue
        retired = None
        if ri is not None and ri < len(r) and r[ri]:
            retired = dt.date.fromisoformat(r[ri][:10])
        yield r[ci], (r[ni] if ni < len(r) else ""), retired
