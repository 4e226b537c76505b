"""Numbers and ids from a query string or a form field, read one way by every page and the API.

A value the database cannot hold (past 64 bits, not a number) must be refused before a query is
built: SQLite raises OverflowError on it and PostgreSQL a DataError, both a 500. Pages raise
BadInput (a 400 page naming the field); the API declares the same bounds on its parameters
(`ApiId`, `ApiPages`), so ninja answers 422 before the operation runs. A NUL character, which
PostgreSQL refuses in any text, is caught for the whole request by NulByteMiddleware (nul_field)."""

import datetime as dt
import json
import re
from typing import Annotated

from pydantic import Field

from .errors import BadInput

MAX_ID = 2**63 - 1  # the largest value of a 64-bit signed column (BigAutoField) or OFFSET

_NUMBER = re.compile(r"-?[0-9]{1,40}")

ApiId = Annotated[int, Field(ge=1, le=MAX_ID)]  # an id in an API path or query
# A day in an API query: the platform's years (planning takes 2000–2100). Year 1 would underflow
# when 0:00 Beijing time is turned into UTC for the query (a 500).
ApiDate = Annotated[dt.date, Field(ge=dt.date(2000, 1, 1), le=dt.date(2100, 12, 31))]


def _shown(raw: str) -> str:
    return raw if len(raw) <= 24 else raw[:24] + "…"


def int_param(data, name: str, *, label: str, lo: int = 1, hi: int = MAX_ID) -> int:
    """The integer `data[name]` (request.GET or request.POST), lo ≤ n ≤ hi; a missing, malformed
    or out-of-range value is BadInput."""
    raw = str(data.get(name, "")).strip()
    n = _parse(raw, lo, hi)
    if n is None:
        raise BadInput(f"{label}（{name}）须为 {lo} 至 {hi} 之间的整数，收到的是“{_shown(raw)}”", field=name)
    return n


def id_param(data, name: str, *, label: str) -> int:
    """The id of a row chosen in a form (a hidden field, a button's value)."""
    return int_param(data, name, label=label)


def id_list_param(data, name: str, *, label: str) -> list[int]:
    """The ids of the rows ticked in a form (checkboxes of one name); each must be an id."""
    ids = []
    for raw in data.getlist(name):
        n = _parse(str(raw).strip(), 1, MAX_ID)
        if n is None:
            raise BadInput(f"{label}（{name}）须为编号（正整数），收到的是“{_shown(str(raw))}”", field=name)
        ids.append(n)
    return ids


def _parse(raw: str, lo: int, hi: int) -> int | None:
    # A plain ASCII number only: int() would also take "+1", "1_000" and other scripts' digits.
    if not _NUMBER.fullmatch(raw):
        return None
    n = int(raw)
    return n if lo <= n <= hi else None


def nul_field(request) -> str | None:
    """The name of the first query, form, cookie or JSON field holding a NUL character (PostgreSQL
    refuses it in any text, a 500 wherever it reached a query), or None."""
    if "\x00" in request.path_info:
        return "path"
    for name, data in (("query", request.GET), ("cookie", request.COOKIES)):
        if found := _nul_in_pairs(data, name):
            return found
    if request.method == "POST" and request.content_type in (
        "application/x-www-form-urlencoded",
        "multipart/form-data",
    ):
        return _nul_in_pairs(request.POST, "form")
    if request.content_type == "application/json" and request.method not in ("GET", "HEAD"):
        try:
            return "body" if _nul_in_json(json.loads(request.body)) else None
        except (ValueError, RecursionError):
            return None  # not JSON (or nested past reason): the API answers that itself
    return None


def _nul_in_pairs(data, where: str) -> str | None:
    lists = data.lists() if hasattr(data, "lists") else ((k, [v]) for k, v in data.items())
    for key, values in lists:
        if "\x00" in key or any("\x00" in str(v) for v in values):
            return key.replace("\x00", "") or where
    return None


def _nul_in_json(value) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_nul_in_json(k) or _nul_in_json(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_nul_in_json(v) for v in value)
    return False
