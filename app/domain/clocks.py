"""The deadline clocks of domain.md: which are running for a case, and when each is due."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
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


@dataclass(frozen=True)
class ClockSettings:
    """Working days allowed for each clock; all are council settings (domain.md defaults)."""

    acknowledgement: int = 5
    threshold_decision: int = 10
    agency_information: int = 10
    panel: int = 20
    outcome: int = 25
    secondary_review_request: int = 20
    secondary_review: int = 20
    delay_prompt: int = 3  # prompt for a delay letter this many working days before
    due_soon: int = 3  # "due soon" within this many working days


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
    add = calendar.add_working_days
    out: dict[Clock, ClockDue] = {}

    def put(clock: Clock, original: date, due: date | None = None) -> None:
        out[clock] = ClockDue(clock, due or original, original)

    st = facts.status
    if st in _ENDED:
        return out
    if st == Status.NOT_ACCEPTED:
        if facts.decision_letter_sent_on and not facts.secondary_review_requested_on:
            put(Clock.SECONDARY_REVIEW_REQUEST, add(facts.decision_letter_sent_on, s.secondary_review_request))
        return out

    if facts.acknowledged_on is None and st in {Status.RECEIVED, Status.AWAITING_CONSENT}:
        put(Clock.ACKNOWLEDGEMENT, add(facts.received_on, s.acknowledgement))

    # The threshold decision clock waits while consent is awaited, then runs from the consent date.
    if st in _BEFORE_DECISION and facts.threshold_decided_on is None:
        anchor = max(facts.received_on, facts.consent_recorded_on or facts.received_on)
        put(Clock.THRESHOLD_DECISION, add(anchor, s.threshold_decision))

    open_requests = [r for r in facts.agency_requests if r.answered_on is None]
    if open_requests:
        first = min(open_requests, key=lambda r: r.revised_due or add(r.sent_on, s.agency_information))
        original = add(first.sent_on, s.agency_information)
        put(Clock.AGENCY_INFORMATION, original, first.revised_due)

    met = facts.threshold_met is True and facts.threshold_decided_on is not None
    if met and facts.panel_completed_on is None:
        put(Clock.PANEL, add(facts.threshold_decided_on, s.panel))  # type: ignore[arg-type]
    if met and facts.outcome_sent_on is None:
        original = add(facts.threshold_decided_on, s.outcome)  # type: ignore[arg-type]
        put(Clock.OUTCOME, original, facts.revised_outcome_due)
        # A delay letter falls due when the findings letter would be late.
        put(Clock.DELAY_LETTER, out[Clock.OUTCOME].due)

    window_from = facts.outcome_sent_on if met else facts.decision_letter_sent_on
    if (window_from and facts.secondary_review_requested_on is None
            and st in {Status.OUTCOME_SENT, Status.THRESHOLD_NOT_MET}):
        put(Clock.SECONDARY_REVIEW_REQUEST, add(window_from, s.secondary_review_request))
    if facts.secondary_review_requested_on and facts.secondary_review_outcome_sent_on is None:
        put(Clock.SECONDARY_REVIEW, add(facts.secondary_review_requested_on, s.secondary_review))
    return out


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
