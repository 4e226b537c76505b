"""Identifiers the platform checks (RULEBOOK part G). Pure Python: no Django import.

统一社会信用代码 (GB 32100-2015) and 居民身份证号 (GB 11643) are checked by python-stdnum; this
module turns its exceptions into Chinese messages, masks what must never be shown in full, and
checks the code formats of GB/T 2260 regions and GB/T 4754-2017 industries.
"""

import datetime as dt
import hashlib
import hmac
import re

from stdnum.cn import ric, uscc
from stdnum.exceptions import InvalidChecksum, InvalidComponent, InvalidFormat, InvalidLength


class IdentifierError(ValueError):
    """A code that cannot be accepted; the message is Chinese and says why."""


def _fold(value: str, what: str) -> tuple[str, list[str]]:
    """The code with full-width characters (０-９, Ａ-Ｚ, full-width space) made half-width and
    every space inside it removed, and what was changed, told so the clerk can see it."""
    raw = (value or "").strip()
    notes = []
    if any("\uff01" <= c <= "\uff5e" or c == "\u3000" for c in raw):
        raw = "".join(
            chr(ord(c) - 0xFEE0) if "\uff01" <= c <= "\uff5e" else " " if c == "\u3000" else c for c in raw
        ).strip()
        notes.append(f"{what}中的全角字符已转换为半角（全角已转换）")
    if any(c.isspace() for c in raw):
        raw = "".join(raw.split())
        notes.append(f"{what}中的空格已去除")
    return raw, notes


def check_uscc(value: str) -> tuple[str, list[str]]:
    """The 18-character USCC, upper-cased, and the notes on what was normalised (full-width
    characters, spaces), or IdentifierError saying what is wrong."""
    raw, notes = _fold(value, "统一社会信用代码")
    if not raw:
        raise IdentifierError("统一社会信用代码为空")
    try:
        return uscc.validate(raw), notes
    except InvalidLength:
        n = len(uscc.compact(raw))
        raise IdentifierError(f"统一社会信用代码应为 18 位，实为 {n} 位") from None
    except InvalidFormat:
        raise IdentifierError(
            "统一社会信用代码含有不允许的字符（第 1–8 位为数字，其余为数字或除 I、O、Z、S、V 外的大写字母）"
        ) from None
    except InvalidChecksum:
        # never name the "right" last character: the mistake is nearly always elsewhere, and
        # changing the last one makes a wrong code pass
        raise IdentifierError(
            "统一社会信用代码校验位不符：请对照营业执照核对全部 18 位（常见为中间某位抄错）"
        ) from None


def normalize_uscc(value: str) -> str:
    """The 18-character USCC, upper-cased, or IdentifierError saying what is wrong."""
    return check_uscc(value)[0]


def uscc_region_code(code: str) -> str:
    """Positions 3–8 of a USCC: the 行政区划代码 of the registering authority."""
    return code[2:8]


def check_ric(value: str, today: dt.date | None = None) -> tuple[str, list[str]]:
    """The 18-character 居民身份证号 and the notes on it (what was normalised; an address code
    python-stdnum does not know for the birth year), or IdentifierError.

    Length, characters, birth date and checksum decide. The address code does not: stdnum's
    table dates each county code from when it entered the table, so a code older than that (every
    Hebei county code before 1983, say) would refuse real people."""
    raw, notes = _fold(value, "身份证号")
    if not raw:
        raise IdentifierError("身份证号为空")
    code = ric.compact(raw)
    if len(code) != 18:
        raise IdentifierError(f"身份证号应为 18 位，实为 {len(code)} 位")
    if not (code[:17].isascii() and code[:17].isdigit()) or not (code[17].isdigit() or code[17] == "X"):
        raise IdentifierError("身份证号前 17 位应为数字，第 18 位为数字或 X")
    try:
        born = ric.get_birth_date(code)
    except InvalidComponent:
        raise IdentifierError(f"身份证号中的出生日期 {code[6:14]} 不是有效日期") from None
    if born > (today or dt.date.today()) or born.year < 1880:
        raise IdentifierError(f"身份证号中的出生日期 {born.isoformat()} 不合理")
    if code[17] != ric.calc_check_digit(code):
        raise IdentifierError("身份证号校验位不符：请对照身份证核对全部 18 位（常见为中间某位抄错）")
    try:
        ric.get_birth_place(code)
    except (InvalidComponent, KeyError, ValueError):
        notes.append(f"身份证号前 6 位地址码 {code[:6]} 未见于 {born.year} 年的区划表（已接受，请核对）")
    return code, notes


def normalize_ric(value: str) -> str:
    """The 18-character 居民身份证号, or IdentifierError."""
    return check_ric(value)[0]


def mask_ric(code: str) -> str:
    """Shown form of a 身份证号: the first 4 and last 4 characters, the rest starred."""
    return code[:4] + "*" * (len(code) - 8) + code[-4:]


def mask_name(name: str) -> str:
    """A natural person's name as the public portal shows it: the surname only."""
    return name[:1] + "*" * max(len(name) - 1, 1) if name else name


def keyed_digest(secret: str, value: str) -> str:
    """A stable keyed digest: lets the directory find a person again by 身份证号 without
    storing the number in a form anyone can read back."""
    return hmac.new(secret.encode(), value.encode(), hashlib.sha256).hexdigest()


_REGION = re.compile(r"^\d{6}(\d{3})?$")


def check_region_code(code: str) -> str:
    """A 6-digit GB/T 2260 code or a 9-digit 乡镇街道 code (county code + 3 digits)."""
    code = (code or "").strip()
    if not _REGION.match(code):
        raise IdentifierError(f"行政区划代码“{code}”格式错误（应为 6 位或 9 位数字）")
    return code


def region_level(code: str) -> str:
    """province / city / county / township, from the shape of the code."""
    if len(code) == 9:
        return "township"
    if code[2:] == "0000":
        return "province"
    if code[4:] == "00":
        return "city"
    return "county"


def region_parent_code(code: str) -> str | None:
    level = region_level(code)
    if level == "township":
        return code[:6]
    if level == "county":
        return code[:4] + "00"
    if level == "city":
        return code[:2] + "0000"
    return None


_INDUSTRY = re.compile(r"^([A-T])(\d{2,4})?$")


def normalize_industry_code(value: str) -> str:
    """GB/T 4754-2017: a section letter A–T alone, or with a 2/3/4-digit division/group/class
    (written 'C1311' or '1311'; the section letter is optional on input)."""
    raw = (value or "").strip().upper()
    if re.fullmatch(r"\d{2,4}", raw):
        return raw
    m = _INDUSTRY.match(raw)
    if not m:
        raise IdentifierError(f"行业代码“{value}”格式错误（应为门类字母 A–T，或 2–4 位数字代码）")
    return m.group(2) or m.group(1)
