"""Working days: Monday to Friday, less England and Wales bank holidays and council closure days."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.domain.calendar import WorkingCalendar

CAL = WorkingCalendar()


class TestBankHolidays:
    @pytest.mark.parametrize("day", [
        date(2026, 1, 1),    # New Year's Day
        date(2026, 4, 3),    # Good Friday
        date(2026, 4, 6),    # Easter Monday (missing from holidays.GB() without subdiv)
        date(2026, 5, 4),    # Early May bank holiday
        date(2026, 5, 25),   # Spring bank holiday
        date(2026, 8, 31),   # Late summer bank holiday (missing without subdiv)
        date(2026, 12, 25),  # Christmas Day (Friday)
        date(2026, 12, 28),  # Boxing Day falls on Saturday: substitute Monday
        date(2021, 12, 27),  # Christmas Day 2021 was a Saturday: substitute Monday
        date(2021, 12, 28),  # Boxing Day 2021 was a Sunday: substitute Tuesday
        date(2022, 12, 26),  # Boxing Day 2022 (Monday)
        date(2022, 12, 27),  # Christmas Day 2022 was a Sunday: substitute Tuesday
        date(2022, 1, 3),    # New Year's Day 2022 was a Saturday: substitute Monday
        date(2027, 12, 27),  # Christmas 2027 is a Saturday
        date(2027, 12, 28),
        date(2027, 3, 26),   # Good Friday 2027
        date(2027, 3, 29),   # Easter Monday 2027
        date(2027, 8, 30),   # Late summer 2027
        date(2022, 9, 19),   # State funeral of Queen Elizabeth II
        date(2023, 5, 8),    # Coronation of Charles III
        date(2020, 5, 8),    # VE Day: early May holiday moved to a Friday
    ])
    def test_england_and_wales_bank_holidays_are_not_working_days(self, day: date) -> None:
        assert CAL.is_bank_holiday(day)
        assert not CAL.is_working_day(day)

    @pytest.mark.parametrize("day", [
        date(2026, 3, 17),   # St Patrick's Day: Northern Ireland only
        date(2026, 1, 2),    # 2 January: Scotland only
        date(2026, 8, 3),    # First Monday of August: Scotland only
        date(2026, 11, 30),  # St Andrew's Day: Scotland only
        date(2026, 7, 13),   # Battle of the Boyne (observed): Northern Ireland only
        date(2026, 4, 7),    # the Tuesday after Easter Monday
        date(2026, 12, 29),  # ordinary Tuesday after Christmas 2026
        date(2026, 12, 24),  # Christmas Eve is a working day
        date(2026, 12, 31),  # so is New Year's Eve
    ])
    def test_other_nations_holidays_and_ordinary_days_are_working_days(self, day: date) -> None:
        assert day.weekday() < 5
        assert not CAL.is_bank_holiday(day)
        assert CAL.is_working_day(day)

    def test_weekend_is_not_working(self) -> None:
        assert not CAL.is_working_day(date(2026, 6, 6))  # Saturday
        assert not CAL.is_working_day(date(2026, 6, 7))  # Sunday
        assert CAL.is_working_day(date(2026, 6, 8))      # Monday

    def test_weekend_christmas_day_itself_is_a_holiday_but_not_a_working_day(self) -> None:
        assert not CAL.is_working_day(date(2021, 12, 25))
        assert not CAL.is_working_day(date(2021, 12, 26))

    def test_2026_has_eight_weekday_bank_holidays(self) -> None:
        day, found = date(2026, 1, 1), []
        while day.year == 2026:
            if day.weekday() < 5 and CAL.is_bank_holiday(day):
                found.append(day)
            day += timedelta(days=1)
        assert found == [date(2026, 1, 1), date(2026, 4, 3), date(2026, 4, 6), date(2026, 5, 4),
                         date(2026, 5, 25), date(2026, 8, 31), date(2026, 12, 25), date(2026, 12, 28)]


class TestAddWorkingDays:
    @pytest.mark.parametrize(("start", "days", "expected"), [
        (date(2026, 6, 1), 5, date(2026, 6, 8)),     # Monday + 5 = next Monday
        (date(2026, 6, 1), 10, date(2026, 6, 15)),
        (date(2026, 6, 1), 1, date(2026, 6, 2)),
        (date(2026, 6, 5), 1, date(2026, 6, 8)),     # Friday + 1 = Monday
        (date(2026, 6, 6), 1, date(2026, 6, 8)),     # from Saturday: Saturday never counts
        (date(2026, 6, 7), 1, date(2026, 6, 8)),     # from Sunday
        (date(2026, 6, 6), 5, date(2026, 6, 12)),
        (date(2026, 4, 7), 5, date(2026, 4, 14)),
        (date(2026, 4, 7), 10, date(2026, 4, 21)),
        # Easter 2026: Good Friday 3 April and Easter Monday 6 April are skipped.
        (date(2026, 3, 28), 5, date(2026, 4, 7)),
        (date(2026, 4, 2), 1, date(2026, 4, 7)),
        (date(2026, 4, 3), 1, date(2026, 4, 7)),     # from a bank holiday: it never counts
        (date(2026, 4, 6), 1, date(2026, 4, 7)),
        (date(2026, 3, 30), 10, date(2026, 4, 15)),
        # Late summer bank holiday 31 August 2026.
        (date(2026, 8, 28), 1, date(2026, 9, 1)),
        (date(2026, 8, 24), 5, date(2026, 9, 1)),
        # Christmas 2021: 25/26 at the weekend, substitutes 27/28 December.
        (date(2021, 12, 24), 1, date(2021, 12, 29)),
        (date(2021, 12, 23), 2, date(2021, 12, 29)),
        (date(2021, 12, 24), 3, date(2021, 12, 31)),
        # Christmas 2022: Boxing Day Monday 26, Christmas substitute Tuesday 27.
        (date(2022, 12, 23), 1, date(2022, 12, 28)),
        (date(2022, 12, 23), 5, date(2023, 1, 4)),   # 2 January 2023 substitute New Year
        # Christmas 2026: 25 Friday, 28 Monday substitute for Boxing Day.
        (date(2026, 12, 24), 1, date(2026, 12, 29)),
        (date(2026, 12, 24), 5, date(2027, 1, 5)),   # 1 January 2027 is a holiday
        # A month of working days across the spring bank holiday 25 May 2026.
        (date(2026, 5, 1), 20, date(2026, 6, 2)),
    ])
    def test_nth_working_day_strictly_after(self, start: date, days: int, expected: date) -> None:
        assert CAL.add_working_days(start, days) == expected

    def test_zero_days_is_the_start(self) -> None:
        assert CAL.add_working_days(date(2026, 6, 6), 0) == date(2026, 6, 6)

    def test_negative_days_refused(self) -> None:
        with pytest.raises(ValueError, match="negative"):
            CAL.add_working_days(date(2026, 6, 1), -1)

    def test_start_day_never_counts_even_when_working(self) -> None:
        # Monday 1 June is a working day, but the 1st working day after it is Tuesday.
        assert CAL.add_working_days(date(2026, 6, 1), 1) == date(2026, 6, 2)

    def test_result_is_always_a_working_day(self) -> None:
        day = date(2026, 1, 1)
        while day.year == 2026:
            for n in (1, 5, 10, 20, 25):
                assert CAL.is_working_day(CAL.add_working_days(day, n))
            day += timedelta(days=1)


class TestClosureDays:
    def test_closure_day_is_not_a_working_day(self) -> None:
        closed = WorkingCalendar([date(2026, 12, 24), date(2026, 12, 29)])
        assert not closed.is_working_day(date(2026, 12, 24))
        assert not closed.is_working_day(date(2026, 12, 29))
        assert not closed.is_bank_holiday(date(2026, 12, 24))  # a closure, not a bank holiday
        assert closed.is_working_day(date(2026, 12, 30))
        # The default calendar has no closures.
        assert CAL.is_working_day(date(2026, 12, 24))

    def test_closure_days_push_deadlines_back(self) -> None:
        # Council closed 29 to 31 December 2026 (between Christmas and New Year).
        closed = WorkingCalendar([date(2026, 12, 29), date(2026, 12, 30), date(2026, 12, 31)])
        assert CAL.add_working_days(date(2026, 12, 23), 2) == date(2026, 12, 29)
        assert closed.add_working_days(date(2026, 12, 23), 2) == date(2027, 1, 4)
        assert closed.add_working_days(date(2026, 12, 23), 5) == date(2027, 1, 7)

    def test_closure_days_accept_any_iterable(self) -> None:
        closed = WorkingCalendar(d for d in [date(2026, 6, 2)])
        assert closed.add_working_days(date(2026, 6, 1), 1) == date(2026, 6, 3)

    def test_closure_on_a_weekend_changes_nothing(self) -> None:
        closed = WorkingCalendar([date(2026, 6, 6)])
        assert closed.add_working_days(date(2026, 6, 1), 10) == date(2026, 6, 15)


class TestWorkingDaysBetween:
    @pytest.mark.parametrize(("start", "end", "expected"), [
        (date(2026, 6, 1), date(2026, 6, 1), 0),
        (date(2026, 6, 1), date(2026, 6, 2), 1),
        (date(2026, 6, 1), date(2026, 6, 8), 5),
        (date(2026, 6, 5), date(2026, 6, 8), 1),      # Friday to Monday
        (date(2026, 6, 5), date(2026, 6, 7), 0),      # Friday to Sunday
        (date(2026, 6, 6), date(2026, 6, 7), 0),      # weekend only
        (date(2026, 4, 2), date(2026, 4, 7), 1),      # across Easter
        (date(2026, 3, 28), date(2026, 4, 7), 5),
        (date(2021, 12, 24), date(2021, 12, 31), 3),  # across Christmas 2021 substitutes
        (date(2026, 6, 8), date(2026, 6, 1), -5),     # backwards
        (date(2026, 4, 7), date(2026, 4, 2), -1),
        (date(2026, 6, 2), date(2026, 6, 1), -1),
    ])
    def test_counts_after_start_up_to_and_including_end(self, start: date, end: date,
                                                        expected: int) -> None:
        assert CAL.working_days_between(start, end) == expected

    def test_whole_year_2026(self) -> None:
        # 261 weekdays in 2026, less 8 weekday bank holidays.
        assert CAL.working_days_between(date(2025, 12, 31), date(2026, 12, 31)) == 253

    def test_closures_count_too(self) -> None:
        closed = WorkingCalendar([date(2026, 6, 3)])
        assert closed.working_days_between(date(2026, 6, 1), date(2026, 6, 8)) == 4


class TestSubtractWorkingDays:
    @pytest.mark.parametrize(("start", "days", "expected"), [
        (date(2026, 6, 8), 5, date(2026, 6, 1)),
        (date(2026, 6, 8), 1, date(2026, 6, 5)),      # Monday - 1 = Friday
        (date(2026, 6, 7), 1, date(2026, 6, 5)),      # from Sunday
        (date(2026, 4, 7), 1, date(2026, 4, 2)),      # back across Easter 2026
        (date(2026, 4, 7), 5, date(2026, 3, 27)),
        (date(2026, 9, 1), 1, date(2026, 8, 28)),     # back across late summer holiday
        (date(2021, 12, 29), 1, date(2021, 12, 24)),  # back across Christmas 2021
        (date(2022, 12, 28), 1, date(2022, 12, 23)),  # back across Christmas 2022
        (date(2026, 6, 8), 0, date(2026, 6, 8)),
    ])
    def test_nth_working_day_strictly_before(self, start: date, days: int, expected: date) -> None:
        assert CAL.subtract_working_days(start, days) == expected

    def test_delay_prompt_three_working_days_before_an_outcome_due_date(self) -> None:
        # Outcome due Tuesday 7 April 2026: 3 working days before is Tuesday 31 March.
        assert CAL.subtract_working_days(date(2026, 4, 7), 3) == date(2026, 3, 31)


days_2020_2030 = st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31))


@settings(max_examples=300, deadline=None)
@given(start=days_2020_2030, n=st.integers(min_value=0, max_value=60))
def test_add_and_between_agree(start: date, n: int) -> None:
    due = CAL.add_working_days(start, n)
    assert CAL.working_days_between(start, due) == n
    assert CAL.working_days_between(due, start) == -n
    if n:
        # Nothing earlier than `due` is already n working days on.
        assert CAL.working_days_between(start, due - timedelta(days=1)) == n - 1


@settings(max_examples=300, deadline=None)
@given(start=days_2020_2030, n=st.integers(min_value=1, max_value=60))
def test_subtract_undoes_add_from_a_working_day(start: date, n: int) -> None:
    due = CAL.add_working_days(start, n)
    back = CAL.subtract_working_days(due, n)
    assert CAL.is_working_day(back)
    assert back <= start
    # Going back lands on the last working day on or before start.
    assert CAL.working_days_between(back, start) == 0
    if CAL.is_working_day(start):
        assert back == start
