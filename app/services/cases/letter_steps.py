"""What sending a letter does to its case: the one path by which a letter completes a workflow step.

The acknowledgement, the decision letters, the findings, the delay letter and the secondary
review outcome each stop or move a clock on the date they are sent. There is no other way to
record those steps: a step is done when its letter is recorded as sent (`record_sent`), so an
outcome can never be recorded as sent without the approved letter itself.
"""
from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db.models import AgencyRequest, Case, Letter, SecondaryReview
from app.domain.application import Problem
from app.domain.workflow import Status, check_transition
from app.services.common.errors import ValidationFailed

# The templates whose sending completes a step, and the words the audit log uses for it.
STEP_LETTERS = {
    "acknowledgement": "acknowledge",
    "threshold-not-met": "decision letter sent",
    "not-accepted": "decision letter sent",
    "findings": "outcome sent",
    "delay": "delay letter sent",
    "secondary-review-outcome": "secondary outcome sent",
}


def _refuse(field: str, message: str) -> None:
    raise ValidationFailed([Problem(field, message)])


def case_values_when_sent(session: Session, case: Case, letter: Letter, sent_on: date,
                          actor: str) -> dict[str, Any]:
    """The changes to the case that sending `letter` on `sent_on` makes (empty: none), checked."""
    template = letter.template
    if template == "acknowledgement":
        if case.acknowledged_on is not None:
            _refuse("acknowledged_on", f"this application was already acknowledged on {case.acknowledged_on:%d/%m/%Y}")
        if sent_on < case.received_on:
            _refuse("sent_on", "the acknowledgement cannot be sent before the application was received")
        values: dict[str, Any] = {"acknowledged_on": sent_on}
        if case.status == Status.RECEIVED:
            values["status"] = Status.ACKNOWLEDGED.value
        elif case.status != Status.AWAITING_CONSENT:
            check_transition(Status(case.status), Status.ACKNOWLEDGED)  # refuses from later states
        return values
    if template in ("threshold-not-met", "not-accepted"):
        if case.status not in (Status.THRESHOLD_NOT_MET, Status.NOT_ACCEPTED):
            _refuse("status", "only a not met or not accepted decision has this letter")
        if case.decision_letter_sent_on is not None:
            _refuse("status", f"the decision letter was already sent on {case.decision_letter_sent_on:%d/%m/%Y}")
        return {"decision_letter_sent_on": sent_on}
    if template == "findings":
        if case.status != Status.REVIEWED:
            check_transition(Status(case.status), Status.OUTCOME_SENT)  # says why not, in words
        return {"status": Status.OUTCOME_SENT.value, "outcome_sent_on": sent_on}
    if template == "delay":
        if case.threshold_met is not True or case.outcome_sent_on is not None:
            _refuse("status", "a delay letter is for a review whose findings are not sent yet")
        if letter.revised_outcome_date is None or letter.revised_outcome_date <= sent_on:
            _refuse("sent_on", "the new date in the delay letter must be after the date it is sent")
        return {"revised_outcome_due": letter.revised_outcome_date}
    if template == "secondary-review-outcome":
        review = session.scalars(select(SecondaryReview).where(SecondaryReview.case_id == case.id)
                                 .order_by(SecondaryReview.requested_on.desc(), SecondaryReview.id.desc())
                                 .limit(1)).first()
        if review is None or review.completed_on is None:
            _refuse("status", "the secondary review must be completed before its outcome letter is sent")
        assert review is not None
        if review.outcome_sent_on is None:
            review.outcome_sent_on = sent_on
            review.updated_by = actor
        return {}
    return {}


def chased_when_sent(session: Session, letter: Letter, sent_on: date) -> tuple[AgencyRequest, date | None] | None:
    """A reminder to an agency, once sent, is the chase: its request gets the new return date it gives.

    Returns the request and its return date before, for the audit, or None when nothing changes.
    """
    if letter.template != "agency-reminder" or letter.request_id is None:
        return None
    request = session.get(AgencyRequest, letter.request_id)
    if request is None or request.answered_on is not None:
        return None
    before = request.revised_due_on
    request.chased_on = sent_on
    if letter.new_due_on and letter.new_due_on > sent_on:
        request.revised_due_on = letter.new_due_on
    return request, before
