"""Working days: dates pinned; 2026 is known to chinese-calendar, 2027 is not (yet)."""

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shuangsuiji.core.calendar import WorkCalendar, YearOverride, library_knows
from shuangsuiji.core.selectors import work_calendar
from shuangsuiji.core.services import calendar_year_save

D = dt.date


def test_may_day_2026_and_its_tiaoxiu_saturday():
    cal = WorkCalendar()
    assert not cal.is_workday(D(2026, 5, 1))
    assert not cal.is_workday(D(2026, 5, 5))
    assert cal.is_workday(D(2026, 5, 9))  # 调休: a Saturday that is a working day
    assert not cal.is_provisional(2026)
    # Finished on Thu 2026-04-30: the holiday 5/1–5/5 is skipped, Sat 5/9 counts.
    # Working days after 4/30: 5/6, 5/7, 5/8, 5/9, 5/11 …
    assert cal.add_workdays(D(2026, 4, 30), 4) == (D(2026, 5, 9), False)
    assert cal.add_workdays(D(2026, 4, 30), 5) == (D(2026, 5, 11), False)


def test_twenty_working_days_across_may_day():
    # After Mon 4/20: 4/21–24 (4), 4/27–30 (8), 5/6–8 (11), Sat 5/9 调休 (12), 5/11–15 (17), 5/18–20 (20)
    due, provisional = WorkCalendar().add_workdays(D(2026, 4, 20), 20)
    assert (due, provisional) == (D(2026, 5, 20), False)


def test_unknown_year_is_weekends_only_and_provisional():
    assert not library_knows(2027)
    cal = WorkCalendar()
    assert cal.is_provisional(2027)
    assert cal.is_workday(D(2027, 1, 1))  # New Year is not known yet: only weekends count
    assert cal.add_workdays(D(2026, 12, 30), 3) == (D(2027, 1, 4), True)


def test_entered_schedule_makes_a_year_exact():
    cal = WorkCalendar(
        {
            2027: YearOverride(
                holidays=frozenset({D(2027, 1, 1)}), workdays=frozenset({D(2027, 1, 2)}), complete=True
            )
        }
    )
    assert not cal.is_provisional(2027)
    assert not cal.is_workday(D(2027, 1, 1))
    assert cal.is_workday(D(2027, 1, 2))  # a Saturday made a working day
    assert cal.add_workdays(D(2026, 12, 31), 1) == (D(2027, 1, 2), False)


def test_partial_entry_stays_provisional():
    cal = WorkCalendar({2027: YearOverride(holidays=frozenset({D(2027, 1, 1)}))})
    assert cal.is_provisional(2027)
    assert not cal.is_workday(D(2027, 1, 1))


@given(st.dates(min_value=D(2024, 1, 1), max_value=D(2027, 12, 1)), st.integers(min_value=0, max_value=40))
def test_add_then_count_round_trips(start, n):
    cal = WorkCalendar()
    due, _ = cal.add_workdays(start, n)
    assert cal.workdays_between(start, due) == n
    assert n == 0 or cal.is_workday(due)


@pytest.mark.django_db
def test_office_entry_recomputes_dates(world):
    before = work_calendar().add_workdays(D(2026, 12, 31), 1)
    assert before == (D(2027, 1, 1), True)
    calendar_year_save(
        actor=world.office, year=2027, holidays=[D(2027, 1, 1)], workdays=[], complete=True, note="国办发明电"
    )
    assert work_calendar().add_workdays(D(2026, 12, 31), 1) == (D(2027, 1, 4), False)


@pytest.mark.django_db
def test_office_entry_refuses_contradictions(world):
    from shuangsuiji.core.errors import DomainError

    with pytest.raises(DomainError, match="既是放假日又是调休上班日"):
        calendar_year_save(
            actor=world.office, year=2027, holidays=[D(2027, 2, 6)], workdays=[D(2027, 2, 6)], complete=False
        )
    with pytest.raises(DomainError, match="不在 2027 年内"):
        calendar_year_save(
            actor=world.office, year=2027, holidays=[D(2028, 1, 1)], workdays=[], complete=False
        )
