"""The demo plays the county's year as it happened: each step runs on its own day, so the draw
records, the deadlines, the monthly report and the KPIs read as a real year's would. Demo only:
inside `at(...)` Django's `timezone.now()` (and so `localdate()`, `auto_now` fields and the audit
log's times) reads a clock that starts at that moment and ticks a second per reading, so events
keep their order."""

import contextlib
import datetime as dt
import itertools
from unittest import mock

from django.utils import timezone

_real_now = timezone.now  # the machine's clock, whatever a block has set


def today() -> dt.date:
    """The real today, also inside `at(...)`."""
    return timezone.localtime(_real_now()).date()


def past(day: dt.date, hour: int = 9, minute: int = 0) -> bool:
    """Whether that moment has come (`at` refuses one that has not)."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute))) <= _real_now()


@contextlib.contextmanager
def at(day: dt.date, hour: int = 9, minute: int = 0):
    start = timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))
    if not past(day, hour, minute):
        raise ValueError(f"演示数据不能写在未来：{day}")
    ticks = itertools.count()
    with mock.patch.object(timezone, "now", lambda: start + dt.timedelta(seconds=next(ticks))):
        yield start
