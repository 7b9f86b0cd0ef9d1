"""Planning demo cases: the dated events each case has been through, cut at the state it is in.

A plan is built backwards from the day the case entered its state (recently for a live case, any
time in the last eight years for a closed one), so every date on it is consistent with its state
and nothing lies in the future.
"""
from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from app.domain.calendar import WorkingCalendar
from app.domain.dates import add_months
from app.domain.workflow import Status

S = Status
# The events a case can meet, in order; a case's route is a subsequence cut at its status.
MET = ("received", "consent", "ack", "check", "decided", "info", "scheduled", "panel", "outcome",
       "sr_req", "sr_done", "closed")
NOT_MET = ("received", "consent", "ack", "check", "decided", "letter", "sr_req", "sr_done", "closed")
REFUSED = ("received", "ack", "not_accepted", "letter", "sr_req", "sr_done", "closed")
# Working days from the previous event.
GAPS = {"consent": (2, 15), "ack": (1, 6), "check": (0, 3), "decided": (3, 9), "letter": (0, 3),
        "info": (0, 3), "scheduled": (5, 15), "panel": (5, 20), "outcome": (2, 12),
        "not_accepted": (1, 8), "withdrawn": (1, 10), "sr_req": (3, 19), "sr_done": (8, 22),
        "closed": (1, 10)}
# Status: (share of cases, working days spent in it so far, the event that starts it). About 6% are
# live, roughly what a steady caseload with some backlog looks like; the rest are closed.
TARGETS: dict[Status, tuple[int, tuple[int, int], str]] = {
    S.CLOSED: (940, (0, 0), "closed"), S.RECEIVED: (4, (0, 7), "received"),
    S.AWAITING_CONSENT: (6, (0, 40), "received"), S.NOT_ACCEPTED: (3, (0, 19), "letter"),
    S.WITHDRAWN: (4, (0, 15), "withdrawn"), S.ACKNOWLEDGED: (4, (0, 8), "ack"),
    S.THRESHOLD_CHECK: (5, (0, 12), "check"), S.THRESHOLD_MET: (3, (0, 5), "decided"),
    S.THRESHOLD_NOT_MET: (4, (0, 19), "letter"), S.INFORMATION_GATHERING: (8, (0, 15), "info"),
    S.PANEL_SCHEDULED: (7, (0, 15), "scheduled"), S.REVIEWED: (3, (0, 10), "panel"),
    S.OUTCOME_SENT: (5, (0, 19), "outcome"), S.SECONDARY_REVIEW_REQUESTED: (2, (0, 25), "sr_req"),
    S.SECONDARY_REVIEW_COMPLETED: (2, (0, 10), "sr_done")}
CHANNELS = ("telephone", "online", "email", "post", "in_person")
CHANNEL_WEIGHTS = (30, 30, 18, 12, 10)


@dataclass
class Plan:
    status: Status
    route: str  # met, not_met, refused (not accepted) or withdrawn
    on: dict[str, date]  # event -> the date it happened, in order
    channel: str
    received_at: datetime
    consent: str  # given, late (arrived after receipt), or still awaited: victim, share
    on_behalf: bool

    @property
    def met(self) -> bool | None:
        """The officer's threshold decision, once made (a withdrawn route only withdraws after 'met')."""
        return None if "decided" not in self.on else self.route in ("met", "withdrawn")


class CachedCalendar(WorkingCalendar):
    """The council's calendar, remembering answers: a large demo asks the same sums millions of times."""

    def __init__(self, closure_days: tuple[date, ...] = ()) -> None:
        super().__init__(closure_days)
        self._after: dict[tuple[date, int], date] = {}
        self._before: dict[tuple[date, int], date] = {}

    def add_working_days(self, start: date, days: int) -> date:
        found = self._after.get((start, days))
        if found is None:
            found = self._after[start, days] = super().add_working_days(start, days)
        return found

    def subtract_working_days(self, start: date, days: int) -> date:
        found = self._before.get((start, days))
        if found is None:
            found = self._before[start, days] = super().subtract_working_days(start, days)
        return found


def plan_cases(rng: random.Random, count: int, today: date, now: datetime,
               cal: WorkingCalendar) -> list[Plan]:
    """`count` plans, oldest received first (the order references are given in)."""
    last_day = cal.subtract_working_days(today + timedelta(days=1), 1)  # latest working day so far
    first_day = add_months(today, -96) + timedelta(days=150)  # leaves room for the events before closing
    statuses, weights = list(TARGETS), [t[0] for t in TARGETS.values()]
    # The first few cover every state once, so that even a small demo shows them all.
    chosen = list(Status)[:count] + rng.choices(statuses, weights, k=max(0, count - len(Status)))
    plans = [_plan(rng, status, last_day, first_day, now, cal) for status in chosen]
    return sorted(plans, key=lambda p: p.received_at)  # stable, so the same seed gives the same order


def _plan(rng: random.Random, status: Status, last_day: date, first_day: date, now: datetime,
          cal: WorkingCalendar) -> Plan:
    on_behalf = rng.random() < 0.2
    consent = "late" if rng.random() < 0.08 else "given"
    review_asked = rng.random() < 0.1
    _, (dwell_lo, dwell_hi), cut = TARGETS[status]
    if status == S.CLOSED:
        route = rng.choices(("met", "not_met", "refused", "withdrawn"), (45, 30, 10, 15))[0]
    elif status in (S.SECONDARY_REVIEW_REQUESTED, S.SECONDARY_REVIEW_COMPLETED):
        route, review_asked = rng.choices(("met", "not_met", "refused"), (60, 30, 10))[0], True
    elif status in (S.NOT_ACCEPTED, S.WITHDRAWN):
        route = "refused" if status == S.NOT_ACCEPTED else "withdrawn"
    elif status in (S.RECEIVED, S.AWAITING_CONSENT, S.ACKNOWLEDGED, S.THRESHOLD_CHECK):
        route = "met" if rng.random() < 0.6 else "not_met"  # undecided: only shapes the incidents
    else:
        route = "not_met" if status == S.THRESHOLD_NOT_MET else "met"
    if status == S.AWAITING_CONSENT:
        consent = "victim" if on_behalf and rng.random() < 0.7 else "share"
        cut = "ack" if rng.random() < 0.6 else "received"
    elif status == S.RECEIVED and consent == "late":
        cut = "consent"
    elif status in (S.NOT_ACCEPTED, S.THRESHOLD_NOT_MET) and rng.random() < 0.15:
        cut, dwell_hi = ("not_accepted" if status == S.NOT_ACCEPTED else "decided"), 3  # letter not sent yet
    if route == "withdrawn":
        stage = rng.choice(("received", "ack", "check", "decided", "info", "scheduled", "panel"))
        sequence = MET[:MET.index(stage) + 1] + ("withdrawn", "closed")
    else:
        sequence = {"met": MET, "not_met": NOT_MET, "refused": REFUSED}[route]
    skip = set() if review_asked else {"sr_req", "sr_done"}
    if route == "refused" and rng.random() < 0.5:
        skip.add("ack")
    events = [e for e in sequence if e not in skip]
    events = events[:events.index(cut) + 1]
    if "consent" in events and consent != "late":
        events.remove("consent")
    elif consent == "late" and "consent" not in events:
        consent = "given"
    # Closing waits for the applicant's secondary review window to end.
    gaps = [rng.randint(*((21, 30) if e == "closed" and before in ("outcome", "letter") else GAPS[e]))
            for before, e in zip(events, events[1:])]
    if status == S.CLOSED:
        end = first_day + timedelta(days=rng.randrange(max(1, (last_day - first_day).days)))
        end = cal.subtract_working_days(end + timedelta(days=1), 1)
    else:
        end = cal.subtract_working_days(last_day, rng.randint(dwell_lo, dwell_hi))
    day = cal.subtract_working_days(end, sum(gaps))  # end is a working day, so adding back lands on it
    on = {"received": day}
    for event, gap in zip(events[1:], gaps):
        day = cal.add_working_days(day, gap)
        on[event] = day
    channel = rng.choices(CHANNELS, CHANNEL_WEIGHTS)[0]
    if channel in ("online", "email"):
        on["received"] -= timedelta(days=rng.choice((0, 0, 0, 1, 2)))  # forms arrive at weekends too
        clock = time(rng.randint(0, 23), rng.randint(0, 59))
    else:  # office hours; post is opened in the morning and dated the day it arrived
        clock = time(rng.randint(9, 11 if channel == "post" else 16), rng.randint(0, 59))
    received_at = min(datetime.combine(on["received"], clock), now)
    return Plan(status, route, on, channel, received_at, consent, on_behalf)
