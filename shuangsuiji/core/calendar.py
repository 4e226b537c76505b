"""Working days (工作日) with China's holidays and 调休 make-up days. Pure Python: no Django import.

chinese-calendar knows the State Council's schedule up to the last year it was released for.
An office enters later years' holidays and 调休 days by hand; a year that neither knows is
computed on weekends alone and flagged provisional (暂定), never an error (R-INSP-2).
"""

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

import chinese_calendar


@dataclass(frozen=True)
class YearOverride:
    """What an office entered for one year: days off and 调休 working days, and whether the
    entry is the year's complete official schedule."""

    holidays: frozenset[dt.date] = field(default_factory=frozenset)
    workdays: frozenset[dt.date] = field(default_factory=frozenset)
    complete: bool = False


# The years whose State Council schedule chinese-calendar carries (it raises for any other).
_LIBRARY_YEARS = frozenset(d.year for d in chinese_calendar.holidays)


def library_knows(year: int) -> bool:
    return year in _LIBRARY_YEARS


class WorkCalendar:
    def __init__(self, overrides: Mapping[int, YearOverride] | None = None):
        self._overrides = dict(overrides or {})
        self._known: dict[int, bool] = {}

    def _library(self, year: int) -> bool:
        if year not in self._known:
            self._known[year] = library_knows(year)
        return self._known[year]

    def is_provisional(self, year: int) -> bool:
        """True when the year's schedule is neither in the library nor entered complete."""
        o = self._overrides.get(year)
        return not self._library(year) and not (o and o.complete)

    def is_workday(self, day: dt.date) -> bool:
        o = self._overrides.get(day.year)
        if o:
            if day in o.holidays:
                return False
            if day in o.workdays:
                return True
        if self._library(day.year):
            return chinese_calendar.is_workday(day)
        return day.weekday() < 5

    def add_workdays(self, start: dt.date, n: int) -> tuple[dt.date, bool]:
        """The n-th working day after `start` (start itself not counted), and whether any year
        crossed is provisional."""
        if n < 0:
            raise ValueError("n must be ≥ 0")
        day, left = start, n
        provisional = self.is_provisional(start.year)
        while left:
            day += dt.timedelta(days=1)
            provisional = provisional or self.is_provisional(day.year)
            if self.is_workday(day):
                left -= 1
        return day, provisional

    def workdays_between(self, start: dt.date, end: dt.date) -> int:
        """Working days in (start, end]: how many have passed since `start` by `end`."""
        count, day = 0, start
        while day < end:
            day += dt.timedelta(days=1)
            if self.is_workday(day):
                count += 1
        return count
