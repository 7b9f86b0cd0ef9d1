"""Case states and the transitions allowed between them, with a plain reason for each refusal."""
from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Status(StrEnum):
    RECEIVED = "received"
    AWAITING_CONSENT = "awaiting_consent"
    NOT_ACCEPTED = "not_accepted"
    WITHDRAWN = "withdrawn"
    ACKNOWLEDGED = "acknowledged"
    THRESHOLD_CHECK = "threshold_check"
    THRESHOLD_MET = "threshold_met"
    THRESHOLD_NOT_MET = "threshold_not_met"
    INFORMATION_GATHERING = "information_gathering"
    PANEL_SCHEDULED = "panel_scheduled"
    REVIEWED = "reviewed"
    OUTCOME_SENT = "outcome_sent"
    SECONDARY_REVIEW_REQUESTED = "secondary_review_requested"
    SECONDARY_REVIEW_COMPLETED = "secondary_review_completed"
    CLOSED = "closed"

    @property
    def label(self) -> str:
        return STATUS_LABELS[self]


STATUS_LABELS: dict[Status, str] = {
    Status.RECEIVED: "Received",
    Status.AWAITING_CONSENT: "Awaiting consent",
    Status.NOT_ACCEPTED: "Not accepted",
    Status.WITHDRAWN: "Withdrawn",
    Status.ACKNOWLEDGED: "Acknowledged",
    Status.THRESHOLD_CHECK: "Threshold check",
    Status.THRESHOLD_MET: "Threshold met",
    Status.THRESHOLD_NOT_MET: "Threshold not met",
    Status.INFORMATION_GATHERING: "Information gathering",
    Status.PANEL_SCHEDULED: "Panel scheduled",
    Status.REVIEWED: "Reviewed",
    Status.OUTCOME_SENT: "Outcome sent",
    Status.SECONDARY_REVIEW_REQUESTED: "Secondary review requested",
    Status.SECONDARY_REVIEW_COMPLETED: "Secondary review completed",
    Status.CLOSED: "Closed",
}

S = Status
# Withdrawal is possible from every live state; the applicant may stop at any time.
_LIVE = {S.RECEIVED, S.AWAITING_CONSENT, S.ACKNOWLEDGED, S.THRESHOLD_CHECK, S.THRESHOLD_MET,
         S.INFORMATION_GATHERING, S.PANEL_SCHEDULED, S.REVIEWED}

TRANSITIONS: dict[Status, frozenset[Status]] = {
    S.RECEIVED: frozenset({S.ACKNOWLEDGED, S.AWAITING_CONSENT, S.NOT_ACCEPTED, S.WITHDRAWN}),
    S.AWAITING_CONSENT: frozenset({S.RECEIVED, S.ACKNOWLEDGED, S.NOT_ACCEPTED, S.WITHDRAWN}),
    S.ACKNOWLEDGED: frozenset({S.THRESHOLD_CHECK, S.THRESHOLD_MET, S.THRESHOLD_NOT_MET,
                               S.NOT_ACCEPTED, S.WITHDRAWN, S.AWAITING_CONSENT}),
    S.THRESHOLD_CHECK: frozenset({S.THRESHOLD_MET, S.THRESHOLD_NOT_MET, S.WITHDRAWN}),
    S.THRESHOLD_MET: frozenset({S.INFORMATION_GATHERING, S.PANEL_SCHEDULED, S.WITHDRAWN}),
    S.THRESHOLD_NOT_MET: frozenset({S.SECONDARY_REVIEW_REQUESTED, S.CLOSED}),
    S.INFORMATION_GATHERING: frozenset({S.PANEL_SCHEDULED, S.WITHDRAWN}),
    S.PANEL_SCHEDULED: frozenset({S.REVIEWED, S.INFORMATION_GATHERING, S.WITHDRAWN}),
    S.REVIEWED: frozenset({S.OUTCOME_SENT, S.PANEL_SCHEDULED, S.WITHDRAWN}),
    S.OUTCOME_SENT: frozenset({S.SECONDARY_REVIEW_REQUESTED, S.CLOSED}),
    S.NOT_ACCEPTED: frozenset({S.SECONDARY_REVIEW_REQUESTED, S.CLOSED}),
    S.SECONDARY_REVIEW_REQUESTED: frozenset({S.SECONDARY_REVIEW_COMPLETED}),
    # "Referred back" sends the case to the panel again; otherwise it is the last step.
    S.SECONDARY_REVIEW_COMPLETED: frozenset({S.CLOSED, S.PANEL_SCHEDULED}),
    S.WITHDRAWN: frozenset({S.CLOSED}),
    S.CLOSED: frozenset(),
}

# Why a target cannot be reached, when the usual route is missing a step.
_WHY_NOT: dict[Status, str] = {
    S.PANEL_SCHEDULED: "a panel can only be arranged once the threshold has been decided as met",
    S.REVIEWED: "a case is reviewed only at a panel meeting it is scheduled for",
    S.OUTCOME_SENT: "the outcome letter follows the panel's review",
    S.CLOSED: "a case can be closed only after its outcome letter (or the not met, not accepted or "
              "withdrawal letter) has been sent",
    S.THRESHOLD_MET: "the threshold is decided after the application has been acknowledged",
    S.THRESHOLD_NOT_MET: "the threshold is decided after the application has been acknowledged",
    S.INFORMATION_GATHERING: "agencies are asked for their records only once the threshold is met",
    S.SECONDARY_REVIEW_REQUESTED: "a secondary review can be asked for once the applicant has had "
                                  "a decision (outcome, threshold not met or not accepted)",
    S.SECONDARY_REVIEW_COMPLETED: "a secondary review must be requested before it is completed",
    S.THRESHOLD_CHECK: "the incidents are checked with agencies after the application is acknowledged",
    S.ACKNOWLEDGED: "only a newly received application is acknowledged",
}


class TransitionRefused(ValueError):
    """A step that makes no sense from the case's current state."""


@dataclass(frozen=True)
class Transition:
    source: Status
    target: Status


def allowed_targets(current: Status) -> frozenset[Status]:
    return TRANSITIONS[current]


def can_move(current: Status, target: Status) -> bool:
    return target in TRANSITIONS[current]


def check_transition(current: Status, target: Status) -> Transition:
    """Return the transition, or raise TransitionRefused saying why in plain words."""
    if target in TRANSITIONS[current]:
        return Transition(current, target)
    if current == S.CLOSED:
        raise TransitionRefused("This case is closed; nothing more can be done on it.")
    if target == S.WITHDRAWN and current not in _LIVE:
        raise TransitionRefused(f"A case that is {current.label.lower()} cannot be withdrawn.")
    why = _WHY_NOT.get(target, "that step does not follow from here")
    raise TransitionRefused(f"Cannot move from '{current.label}' to '{target.label}': {why}.")


# Why a case closes, by the state it closes from (kept with the case for the closure letter).
CLOSURE_REASONS = {
    S.OUTCOME_SENT: "the findings letter was sent and no review of the review was asked for",
    S.SECONDARY_REVIEW_COMPLETED: "the review of the review is complete, and it is the last step",
    S.WITHDRAWN: "the application was withdrawn at the applicant's request",
    S.THRESHOLD_NOT_MET: "the threshold was not met and no review of that decision was asked for",
    S.NOT_ACCEPTED: "the application was not accepted and no review of that decision was asked for",
}


OPEN_STATUSES = frozenset(s for s in Status if s not in {S.CLOSED, S.WITHDRAWN})
