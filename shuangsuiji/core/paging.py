"""Paging a list that may match hundreds of thousands of rows: the count stops at a cap, so a
broad search costs a bounded count, and the page says “10,000 以上”."""

from functools import cached_property

from django.core.paginator import Paginator

COUNT_CAP = 10_000


class CappedPaginator(Paginator):
    @cached_property
    def count(self) -> int:
        return self.object_list[: COUNT_CAP + 1].count()

    @property
    def capped(self) -> bool:
        return self.count > COUNT_CAP
