"""The deadline clocks of domain.md: which are running for a case, and when each is due."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum

from app.domain.calendar import WorkingCalendar
from app.domain.workflow import Status


class Clock(StrEnum):
    ACKNOWLEDGEMENT = "acknowledgement"
    THRESHOLD_DECISION = "threshold_decision"
    AGENCY_INFORMATION = "agency_information"
    PANEL = "panel"
    OUTCOME = "outcome"
    DELAY_LETTER = "delay_letter"
    SECONDARY_REVIEW_REQUEST = "secondary_review_request"
    SECONDARY_REVIEW = "secondary_review"

    @property
    def label(self) -> str:
        return CLOCK_LABELS[self]


CLOCK_LABELS: dict[Clock, str] = {
    Clock.ACKNOWLEDGEMENT: "Acknowledge the application",
    Clock.THRESHOLD_DECISION: "Decide the threshold",
    Clock.AGENCY_INFORMATION: "Agency information due",
    Clock.PANEL: "Hold the review panel",
    Clock.OUTCOME: "Send the findings letter",
    Clock.DELAY_LETTER: "Send a delay letter if the findings will be late",
    Clock.SECONDARY_REVIEW_REQUEST: "Window to ask for a secondary review",
    Clock.SECONDARY_REVIEW: "Complete the secondary review",
}


# Where each clock may run from (the first is domain.md's default), and the units a clock may count.
ANCHORS: dict[str, tuple[str, ...]] = {
    "acknowledgement": ("received",),
    "threshold_decision": ("received", "acknowledgement"),
    "agency_information": ("request",),
    "panel": ("decision", "received"),
    "outcome": ("decision", "received"),
    "secondary_review_request": ("letter",),
    "secondary_review": ("request",),
    "keep_informed": ("last_update",),
}
ANCHOR_WORDS = {"received": "the date received (or the date consent was recorded, if it was awaited)",
                "acknowledgement": "the date the acknowledgement was sent",
                "request": "the date the request was sent or received", "decision": "the threshold decision",
                "letter": "the date the decision or findings letter was sent",
                "last_update": "the last update to the applicant (or the acknowledgement)"}
UNITS = ("working", "calendar")


@dataclass(frozen=True)
class ClockSettings:
    """Days allowed for each clock, what it runs from and whether it counts working or calendar
    days; all are council settings (domain.md defaults: working days, the anchors of its table)."""

    acknowledgement: int = 5
    threshold_decision: int = 10
    agency_information: int = 10
    panel: int = 20
    outcome: int = 25
    secondary_review_request: int = 20
    secondary_review: int = 20
    delay_prompt: int = 3  # prompt for a delay letter this many working days before
    due_soon: int = 3  # "due soon" within this many working days
    keep_informed: int = 10  # update the applicant at least this often while the review is under way
    anchors: dict[str, str] = field(default_factory=dict)  # clock: anchor, only where not the default
    units: dict[str, str] = field(default_factory=dict)  # clock: "calendar", only where not working days

    def anchor(self, clock: str) -> str:
        return self.anchors.get(clock) or ANCHORS.get(clock, ("received",))[0]

    def unit(self, clock: str) -> str:
        return self.units.get(clock) or "working"

    def days(self, clock: str) -> int:
        return int(getattr(self, clock))

    def due(self, calendar: WorkingCalendar, clock: str, start: date) -> date:
        """When `clock` falls due if it started on `start`, in the clock's own unit."""
        n = self.days(clock)
        if self.unit(clock) == "calendar":
            return start + timedelta(days=n)
        return calendar.add_working_days(start, n)

    def rule_words(self, clock: str) -> str:
        unit = "calendar" if self.unit(clock) == "calendar" else "working"
        return f"{self.days(clock)} {unit} days from {ANCHOR_WORDS.get(self.anchor(clock), self.anchor(clock))}"


@dataclass(frozen=True)
class AgencyRequestFacts:
    sent_on: date
    answered_on: date | None = None
    revised_due: date | None = None  # a reminder may give a new return date


@dataclass(frozen=True)
class CaseClockFacts:
    """Dates that start and stop the clocks. A letter's date is the date it was *sent*."""

    status: Status
    received_on: date
    consent_recorded_on: date | None = None  # only when the case waited for consent
    acknowledged_on: date | None = None
    threshold_decided_on: date | None = None
    threshold_met: bool | None = None
    agency_requests: Sequence[AgencyRequestFacts] = field(default=())
    panel_completed_on: date | None = None
    outcome_sent_on: date | None = None
    revised_outcome_due: date | None = None  # from the latest delay letter sent
    decision_letter_sent_on: date | None = None  # not met / not accepted letter sent
    secondary_review_requested_on: date | None = None
    secondary_review_outcome_sent_on: date | None = None


@dataclass(frozen=True)
class ClockDue:
    clock: Clock
    due: date
    original_due: date  # timeliness is measured against this; `due` may be revised

    @property
    def revised(self) -> bool:
        return self.due != self.original_due


_ENDED = {Status.WITHDRAWN, Status.CLOSED}
# The threshold decision is owed only while the application is waiting for it (not while
# consent is awaited, and never on a case that was not accepted).
_BEFORE_DECISION = {Status.RECEIVED, Status.ACKNOWLEDGED, Status.THRESHOLD_CHECK}


def running_clocks(facts: CaseClockFacts, calendar: WorkingCalendar,
                   settings: ClockSettings | None = None) -> dict[Clock, ClockDue]:
    """Every clock running for the case, by key, with its due date."""
    s = settings or ClockSettings()
    out: dict[Clock, ClockDue] = {}

    def add(start: date, clock: Clock) -> date:
        return s.due(calendar, clock.value, start)

    def put(clock: Clock, original: date, due: date | None = None) -> None:
        out[clock] = ClockDue(clock, due or original, original)

    st = facts.status
    if st in _ENDED:
        return out
    if st == Status.NOT_ACCEPTED:
        if facts.decision_letter_sent_on and not facts.secondary_review_requested_on:
            put(Clock.SECONDARY_REVIEW_REQUEST, add(facts.decision_letter_sent_on, Clock.SECONDARY_REVIEW_REQUEST))
        return out

    if facts.acknowledged_on is None and st in {Status.RECEIVED, Status.AWAITING_CONSENT}:
        put(Clock.ACKNOWLEDGEMENT, add(facts.received_on, Clock.ACKNOWLEDGEMENT))

    # The threshold decision clock waits while consent is awaited, then runs from the consent date
    # (or, where the council counts it so, from the acknowledgement once it is sent).
    received = max(facts.received_on, facts.consent_recorded_on or facts.received_on)
    if st in _BEFORE_DECISION and facts.threshold_decided_on is None:
        if s.anchor("threshold_decision") == "acknowledgement":
            if facts.acknowledged_on is not None:
                anchor = max(facts.acknowledged_on, facts.consent_recorded_on or facts.acknowledged_on)
                put(Clock.THRESHOLD_DECISION, add(anchor, Clock.THRESHOLD_DECISION))
        else:
            put(Clock.THRESHOLD_DECISION, add(received, Clock.THRESHOLD_DECISION))

    open_requests = [r for r in facts.agency_requests if r.answered_on is None]
    if open_requests:
        first = min(open_requests, key=lambda r: r.revised_due or add(r.sent_on, Clock.AGENCY_INFORMATION))
        original = add(first.sent_on, Clock.AGENCY_INFORMATION)
        put(Clock.AGENCY_INFORMATION, original, first.revised_due)

    met = facts.threshold_met is True and facts.threshold_decided_on is not None

    def review_start(clock: Clock) -> date:
        return received if s.anchor(clock.value) == "received" else facts.threshold_decided_on  # type: ignore[return-value]

    if met and facts.panel_completed_on is None:
        put(Clock.PANEL, add(review_start(Clock.PANEL), Clock.PANEL))
    if met and facts.outcome_sent_on is None:
        original = add(review_start(Clock.OUTCOME), Clock.OUTCOME)
        put(Clock.OUTCOME, original, facts.revised_outcome_due)
        # A delay letter falls due when the findings letter would be late.
        put(Clock.DELAY_LETTER, out[Clock.OUTCOME].due)

    window_from = facts.outcome_sent_on if met else facts.decision_letter_sent_on
    if (window_from and facts.secondary_review_requested_on is None
            and st in {Status.OUTCOME_SENT, Status.THRESHOLD_NOT_MET}):
        put(Clock.SECONDARY_REVIEW_REQUEST, add(window_from, Clock.SECONDARY_REVIEW_REQUEST))
    if facts.secondary_review_requested_on and facts.secondary_review_outcome_sent_on is None:
        put(Clock.SECONDARY_REVIEW, add(facts.secondary_review_requested_on, Clock.SECONDARY_REVIEW))
    return out


# While the review is under way the applicant is kept informed by the single point of contact.
_KEEP_INFORMED = {Status.ACKNOWLEDGED, Status.THRESHOLD_CHECK, Status.THRESHOLD_MET,
                  Status.INFORMATION_GATHERING, Status.PANEL_SCHEDULED, Status.REVIEWED,
                  Status.SECONDARY_REVIEW_REQUESTED}


def update_due(status: Status, acknowledged_on: date | None, last_update_on: date | None,
               calendar: WorkingCalendar, settings: ClockSettings | None = None) -> date | None:
    """When the next update to the applicant is due (the keep-informed clock), or None when the
    review is not under way. It is not one of domain.md's clocks: it never appears in `due`."""
    s = settings or ClockSettings()
    if status not in _KEEP_INFORMED:
        return None
    start = max(d for d in (acknowledged_on, last_update_on) if d) if (acknowledged_on or last_update_on) else None
    return s.due(calendar, "keep_informed", start) if start else None


class Indicator(StrEnum):
    OVERDUE = "overdue"
    DUE_SOON = "due soon"
    ON_TRACK = "on track"
    STOPPED = "stopped"


# The applicant's own window is not a CSU deadline: it never makes a case look late.
_NOT_A_CSU_DEADLINE = {Clock.SECONDARY_REVIEW_REQUEST}


def next_due(clocks: dict[Clock, ClockDue]) -> ClockDue | None:
    owed = [c for c in clocks.values() if c.clock not in _NOT_A_CSU_DEADLINE]
    return min(owed, key=lambda c: (c.due, list(Clock).index(c.clock))) if owed else None


def indicator(clocks: dict[Clock, ClockDue], today: date, calendar: WorkingCalendar,
              settings: ClockSettings | None = None) -> Indicator:
    s = settings or ClockSettings()
    first = next_due(clocks)
    if first is None:
        return Indicator.STOPPED
    if first.due < today:
        return Indicator.OVERDUE
    if calendar.working_days_between(today, first.due) <= s.due_soon:
        return Indicator.DUE_SOON
    return Indicator.ON_TRACK
