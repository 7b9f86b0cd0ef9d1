"""Timeliness for the reports: the share of each clock met, against its original due date, in bulk."""
from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.db.models import AgencyRequest, Case, SecondaryReview
from app.domain.calendar import WorkingCalendar
from app.domain.clocks import ClockSettings

# (key, what was done, the rule) in the order the process meets them.
CLOCKS: tuple[tuple[str, str, str], ...] = (
    ("acknowledgement", "Acknowledgement sent", "{n} working days from receipt"),
    ("threshold_decision", "Threshold decided", "{n} working days from receipt (or consent)"),
    ("agency_information", "Agency information returned", "{n} working days from each request"),
    ("panel", "Review panel held", "{n} working days from the decision (met)"),
    ("outcome", "Findings letter sent", "{n} working days from the decision (met)"),
    ("secondary_review", "Secondary review outcome sent", "{n} working days from the request"),
)


@dataclass(frozen=True)
class ClockTimeliness:
    """The steps done in the period for one clock, measured against the original due date."""

    clock: str
    label: str
    rule: str
    allowed: int  # working days
    measured: int  # steps done in the period
    on_time: int  # done on or before the original due date
    median_working_days: float | None  # from the clock's start to the step
    revised: int  # late against the original date but with a revised date (delay letter, reminder)
    met_revised: int  # of those, done by the revised date

    @property
    def share(self) -> float | None:
        return self.on_time / self.measured if self.measured else None

    def to_json(self) -> dict[str, Any]:
        return {"label": self.label, "allowed_working_days": self.allowed, "measured": self.measured,
                "on_time": self.on_time, "late": self.measured - self.on_time,
                "on_time_share": None if self.share is None else round(self.share, 4),
                "median_working_days": self.median_working_days,
                "late_with_revised_date": self.revised, "met_revised_date": self.met_revised}


class WorkingDayTable:
    """Working days between two dates by subtraction: a running count for every day of a range.

    Built once per report (a few thousand calendar days) so that measuring thousands of steps
    costs two list look-ups each, not a day-by-day walk.
    """

    def __init__(self, calendar: WorkingCalendar, first: date, last: date) -> None:
        self.calendar, self.first = calendar, first
        self.count: list[int] = []  # working days in [first, first + i]
        self.days: list[date] = []  # every working day from first, in order
        self._extend(last)

    def _extend(self, last: date) -> None:
        day = self.first + timedelta(days=len(self.count))
        total = self.count[-1] if self.count else 0
        while day <= last:
            if self.calendar.is_working_day(day):
                total += 1
                self.days.append(day)
            self.count.append(total)
            day += timedelta(days=1)

    def _upto(self, day: date) -> int:
        if day < self.first:
            raise ValueError("date before the table")
        offset = (day - self.first).days
        if offset >= len(self.count):
            self._extend(day + timedelta(days=90))
        return self.count[offset]

    def between(self, start: date, end: date) -> int:
        """Working days after `start` up to and including `end` (as WorkingCalendar counts them)."""
        return self._upto(end) - self._upto(start)

    def add(self, start: date, days: int) -> date:
        """The Nth working day strictly after `start`."""
        if days == 0:
            return start
        index = self._upto(start) + days - 1
        while index >= len(self.days):
            self._extend(self.first + timedelta(days=len(self.count) + 366))
        return self.days[index]


Period = tuple[date, date]


@dataclass(frozen=True)
class _Steps:
    """Steps with the same dates, counted together: grouping in SQL keeps the rows few."""

    clock: str
    started: date
    done: date
    revised_due: date | None
    count: int


def measure_timeliness(session: Session, periods: Sequence[Period], settings: ClockSettings,
                       calendar: WorkingCalendar) -> list[tuple[ClockTimeliness, ...]]:
    """Every clock stopped in each period (steps done between its first and last day, both counted).

    One grouped query per clock covers all the periods, so a table without an index on the date a
    step was done is read once, not once per period.
    """
    lo, hi = min(p[0] for p in periods), max(p[1] for p in periods)
    steps = list(_steps(session, lo, hi))
    first = min((s.started for s in steps), default=lo) - timedelta(days=1)
    table = WorkingDayTable(calendar, first, max([hi, *(s.done for s in steps)]) + timedelta(days=60))
    return [_measure([s for s in steps if start <= s.done <= end], settings, table) for start, end in periods]


def _measure(steps: list[_Steps], settings: ClockSettings, table: WorkingDayTable) -> tuple[ClockTimeliness, ...]:
    by_clock: dict[str, list[_Steps]] = {key: [] for key, _, _ in CLOCKS}
    for step in steps:
        by_clock[step.clock].append(step)
    results = []
    for key, label, rule in CLOCKS:
        allowed = int(getattr(settings, key))
        measured = on_time = revised = met_revised = 0
        spans: dict[int, int] = {}
        for s in by_clock[key]:
            measured += s.count
            span = table.between(s.started, s.done)
            spans[span] = spans.get(span, 0) + s.count
            if s.done <= table.add(s.started, allowed):
                on_time += s.count
            elif s.revised_due is not None:
                revised += s.count
                met_revised += s.count if s.done <= s.revised_due else 0
        results.append(ClockTimeliness(key, label, rule.format(n=allowed), allowed, measured, on_time,
                                       _median(spans), revised, met_revised))
    return tuple(results)


def _median(counts: dict[int, int]) -> float | None:
    """The median of values given with how often each occurs."""
    total = sum(counts.values())
    if not total:
        return None
    values = sorted(counts)
    def nth(n: int) -> int:  # the nth smallest, from 0
        for value in values:
            n -= counts[value]
            if n < 0:
                return value
        return values[-1]
    return (nth((total - 1) // 2) + nth(total // 2)) / 2


def _grouped(session: Session, columns: Sequence[Any], *where: Any) -> Iterable[tuple[Any, ...]]:
    return session.execute(select(*columns, func.count()).where(*where).group_by(*columns))


def _steps(session: Session, start: date, end: date) -> Iterator[_Steps]:
    # The date the step was done comes first in each GROUP BY: grouped in another index's order,
    # SQLite would walk that index and fetch the rows at random (several times slower).
    def within(column: Any) -> Any:
        return column.between(start, end)

    # Not "decided on is not null" either: that sends SQLite down the decision-date index.
    met = Case.threshold_met.is_(True)
    for done, received, n in _grouped(session, (Case.acknowledged_on, Case.received_on),
                                      within(Case.acknowledged_on)):
        yield _Steps("acknowledgement", received, done, None, n)
    for done, received, consent, n in _grouped(
            session, (Case.threshold_decided_on, Case.received_on, Case.consent_completed_on),
            within(Case.threshold_decided_on)):
        yield _Steps("threshold_decision", max(received, consent or received), done, None, n)
    for done, decided, n in _grouped(session, (Case.panel_completed_on, Case.threshold_decided_on),
                                     met, within(Case.panel_completed_on)):
        if decided is not None:
            yield _Steps("panel", decided, done, None, n)
    for done, decided, revised, n in _grouped(
            session, (Case.outcome_sent_on, Case.threshold_decided_on, Case.revised_outcome_due),
            met, within(Case.outcome_sent_on)):
        if decided is not None:
            yield _Steps("outcome", decided, done, revised, n)
    for done, sent, revised, n in _grouped(
            session, (AgencyRequest.answered_on, AgencyRequest.sent_on, AgencyRequest.revised_due_on),
            within(AgencyRequest.answered_on)):
        yield _Steps("agency_information", sent, done, revised, n)
    for done, requested, n in _grouped(session, (SecondaryReview.outcome_sent_on, SecondaryReview.requested_on),
                                       within(SecondaryReview.outcome_sent_on)):
        yield _Steps("secondary_review", requested, done, None, n)
