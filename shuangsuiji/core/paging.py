"""Paging a list that may match hundreds of thousands of rows: the count stops at a cap, so a
broad search costs a bounded count, and the page says “超过 10,000 个”.

A list counts to COUNT_CAP; a name search (a substring that may be in a tenth of all names) to
SEARCH_COUNT_CAP: past a thousand matches the clerk narrows the words or adds a filter rather
than pages on, and counting further would visit every matching row (10⁴ random heap reads for
“餐饮” among 10⁶ targets, over 100 ms)."""

from functools import cached_property

from django.core.paginator import Paginator
from ninja import Field, Schema
from ninja.pagination import PageNumberPagination

COUNT_CAP = 10_000
SEARCH_COUNT_CAP = 1_000


class CappedPaginator(Paginator):
    def __init__(self, *args, cap: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.cap = COUNT_CAP if cap is None else cap

    @cached_property
    def count(self) -> int:
        if isinstance(self.object_list, list | tuple):
            return len(self.object_list)
        # unordered: a sliced ORDER BY would make the database sort the matches just to count them
        return self.object_list.order_by()[: self.cap + 1].count()

    @property
    def capped(self) -> bool:
        return self.count > self.cap


PER_PAGE = 50  # rows of a list page; no page shows more than 100 rows of a list (issue 18)


def list_page(request, rows, per_page: int = PER_PAGE, *, cap: int | None = None):
    """The requested page of a list page's rows, counted (to `cap`) for the page's total
    (templates/_totals.html) and pager (templates/_pager.html)."""
    return CappedPaginator(rows, per_page, cap=cap).get_page(request.GET.get("page"))


# The API's last page number: past it the offset ((page - 1) × page size) would not fit in the
# 64 bits of SQL's OFFSET (a 500); no list comes near 10⁹ pages.
MAX_API_PAGE = 10**9


class ApiPages(PageNumberPagination):
    """ninja's page-number paging with bounded numbers: a page past MAX_API_PAGE is a 422."""

    class Input(Schema):
        page: int = Field(1, ge=1, le=MAX_API_PAGE)
        page_size: int | None = Field(None, ge=1, le=MAX_API_PAGE)
