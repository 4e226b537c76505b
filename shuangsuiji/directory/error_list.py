"""The full error list of a refused import, as a clerk fixes it (issue 17): the refused file's own
rows, as read, each with its row number (as Excel numbers it) and every reason it was refused,
in one .xlsx. The page lists the first importing.MAX_LISTED_ERRORS; this holds them all (up to
importing.MAX_KEPT_ERRORS).

The columns are 行号, 错误原因, then the file's own header and cells: the fixed rows can be
imported again from this very file (the two added columns are named back as not understood and
ignored)."""

import itertools
from collections.abc import Iterator
from pathlib import Path

from .importing import HEADER_SCAN_ROWS, Column, Outcome, locate_header
from .tabular import FileProblem, read_table, write_xlsx

ROW_HEADER, REASON_HEADER = "行号", "错误原因"


def reasons_by_row(errors) -> dict[int, list[str]]:
    """{row: ["【column】reason", …]} of the errors that name a row."""
    by_row: dict[int, list[str]] = {}
    for row, column, reason in errors:
        if row is not None:
            by_row.setdefault(row, []).append(f"【{column}】{reason}" if column else reason)
    return by_row


def error_workbook(
    path: Path,
    filename: str,
    encoding: str,
    columns: list[Column],
    errors,
    *,
    update: bool = False,
    key: str | None = None,
) -> tuple[bytes, int] | None:
    """(the .xlsx, its number of rows) of the file's refused data rows with their reasons; None
    when no data row was refused (a file-level problem: the page says it all)."""
    by_row = reasons_by_row(errors)
    if not by_row:
        return None
    written = 0

    def refused(rows, header_row_no) -> Iterator[list]:
        nonlocal written
        for row_no, cells in rows:
            if row_no > header_row_no and row_no in by_row:
                written += 1
                yield [row_no, "；".join(by_row[row_no]), *(str(c) for c in cells)]

    try:
        rows = read_table(path, filename, encoding)
        head = list(itertools.islice(rows, HEADER_SCAN_ROWS))
        index, after = locate_header(iter(head), columns, update, Outcome(), key=key)
        if index is None:
            return None
        after = list(after)  # the rows of `head` below the header
        header_row_no, header = head[len(head) - len(after) - 1]
        # streamed: the refused rows are never all held in memory
        data = write_xlsx(
            [ROW_HEADER, REASON_HEADER, *header],
            refused(itertools.chain(after, rows), header_row_no),
            "错误清单",
        )
    except FileProblem:
        return None
    return (data, written) if written else None
