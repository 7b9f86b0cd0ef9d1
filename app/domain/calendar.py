"""Working days: Monday to Friday, less England and Wales bank holidays and council closure days."""
from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from functools import lru_cache

import holidays


@lru_cache(maxsize=None)
def _bank_holidays(year: int) -> frozenset[date]:
    # GB without a subdivision lacks Easter Monday and the late summer holiday (traps.md).
    return frozenset(holidays.GB(subdiv="ENG", years=year).keys())


class WorkingCalendar:
    """Answers 'is this a working day' and 'N working days after D' for one council."""

    def __init__(self, closure_days: Iterable[date] = ()) -> None:
        self._closures = frozenset(closure_days)

    @property
    def closure_days(self) -> frozenset[date]:
        return self._closures

    def is_bank_holiday(self, day: date) -> bool:
        return day in _bank_holidays(day.year)

    def is_working_day(self, day: date) -> bool:
        return day.weekday() < 5 and not self.is_bank_holiday(day) and day not in self._closures

    def add_working_days(self, start: date, days: int) -> date:
        """The Nth working day strictly after `start` (start itself never counts)."""
        if days < 0:
            raise ValueError("days must not be negative")
        day = start
        counted = 0
        while counted < days:
            day += timedelta(days=1)
            if self.is_working_day(day):
                counted += 1
        return day

    def working_days_between(self, start: date, end: date) -> int:
        """Working days after `start` up to and including `end`; negative when end is earlier."""
        if end == start:
            return 0
        sign = 1 if end > start else -1
        lo, hi = (start, end) if sign == 1 else (end, start)
        count = 0
        day = lo
        while day < hi:
            day += timedelta(days=1)
            if self.is_working_day(day):
                count += 1
        return sign * count

    def subtract_working_days(self, start: date, days: int) -> date:
        """The Nth working day strictly before `start`."""
        day = start
        counted = 0
        while counted < days:
            day -= timedelta(days=1)
            if self.is_working_day(day):
                counted += 1
        return day
