"""待办 (issue 18): what each role has to do, as counts on the home page that link to the lists.

Core names no app (ARCHITECTURE.md): each app registers its items in its `AppConfig.ready()`, as
with the job kinds of core/registry.py, and the home page asks this module for the signed-in
user's items.

One rule keeps a count honest: an item names the list's own query parameters (`params`) and a
`count` that reads them through the same selector the list's view applies to its request, so the
number on the home page is the total the list shows when its link is followed. A count that is a
queryset is counted as the lists count theirs (core/paging.py: it stops at COUNT_CAP)."""

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from urllib.parse import urlencode

from django.core.exceptions import ImproperlyConfigured
from django.db.models import QuerySet
from django.urls import reverse

from .paging import COUNT_CAP


def _no_params(user, today: dt.date) -> dict:
    return {}


@dataclass(frozen=True)
class TodoItem:
    key: str  # stable name, e.g. "planning.plans_to_approve"
    label: str  # 中文, e.g. "待审核的年度抽查计划"
    roles: frozenset[str]  # the roles whose home shows it
    url_name: str  # the list it links to
    count: Callable  # (user, params: Mapping, today) -> int | QuerySet: the list's own filter applied
    params: Callable = _no_params  # (user, today) -> the list's query parameters
    order: int = 100  # place on the home page (smaller first)
    unit: str = "项"
    urgent: bool = True  # a count above zero is work waiting (shown as a warning); else a figure
    late: bool = False  # the count is of things past a deadline (shown as an alarm)
    note: Callable | None = None  # (user, params, today) -> a short line under the count, or ""


@dataclass
class Todo:
    """One item as one user sees it today."""

    item: TodoItem
    count: int
    capped: bool
    url: str
    note: str = ""

    @property
    def label(self) -> str:
        return self.item.label


_items: dict[str, TodoItem] = {}


def register(
    key: str,
    *,
    label: str,
    roles,
    url_name: str,
    count: Callable,
    params: Callable = _no_params,
    order: int = 100,
    unit: str = "项",
    urgent: bool = True,
    late: bool = False,
    note: Callable | None = None,
) -> None:
    """Called from an app's AppConfig.ready() (which may run again in tests: the same module
    registering its key again replaces it). A key registered by another module is a configuration
    error: two apps would show one item with two different numbers."""
    entry = TodoItem(
        key=key,
        label=label,
        roles=frozenset(roles),
        url_name=url_name,
        count=count,
        params=params,
        order=order,
        unit=unit,
        urgent=urgent,
        late=late,
        note=note,
    )
    known = _items.get(key)
    if known is not None and known.count.__module__ != entry.count.__module__:
        raise ImproperlyConfigured(f"待办事项“{key}”已由 {known.count.__module__} 注册")
    _items[key] = entry


def items() -> dict[str, TodoItem]:
    return dict(_items)


def url_of(item: TodoItem, params: Mapping) -> str:
    query = urlencode({k: v for k, v in params.items() if v not in (None, "")})
    return reverse(item.url_name) + (f"?{query}" if query else "")


def counted(value) -> tuple[int, bool]:
    """(count, capped): a queryset is counted up to COUNT_CAP, unordered, as CappedPaginator does."""
    if isinstance(value, QuerySet):
        n = value.order_by()[: COUNT_CAP + 1].count()
        return n, n > COUNT_CAP
    return int(value), False


def evaluate(item: TodoItem, user, today: dt.date) -> Todo:
    params = item.params(user, today)
    n, capped = counted(item.count(user, params, today))
    return Todo(
        item=item,
        count=min(n, COUNT_CAP) if capped else n,
        capped=capped,
        url=url_of(item, params),
        note=item.note(user, params, today) if item.note and n else "",
    )


def for_user(user, today: dt.date) -> list[Todo]:
    """The signed-in user's items, in their order; none for a role that registered nothing."""
    role = getattr(user, "role", None)
    mine = sorted((i for i in _items.values() if role in i.roles), key=lambda i: (i.order, i.key))
    return [evaluate(i, user, today) for i in mine]
