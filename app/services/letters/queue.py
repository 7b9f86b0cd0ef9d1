"""Letters waiting to go out across all cases, and the day's acknowledgements produced in one go."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import or_, select

from app.db.models import Case, Letter, Person
from app.domain.roles import Permission
from app.domain.workflow import Status
from app.services.common.context import ServiceContext, retry_read
from app.services.common.errors import ServiceError
from app.services.letters.case_letters import LetterInfo, produce_letter


@dataclass(frozen=True)
class WaitingLetter:
    letter_id: int | None  # None: an acknowledgement that is due but not produced yet
    case_id: int
    reference: str
    applicant: str
    template: str
    state: str  # "due", "queued", "produced", "approved"
    due_on: date | None
    produced_at: datetime | None


@retry_read
def letters_to_send(ctx: ServiceContext) -> list[WaitingLetter]:
    """Produced or queued letters not yet sent, and every acknowledgement due (earliest first)."""
    ctx.require(Permission.VIEW)
    with ctx.reading() as session:
        out: list[WaitingLetter] = []
        have_ack: set[int] = set()
        for letter, reference, person in session.execute(
                select(Letter, Case.reference, Person).join(Case, Case.id == Letter.case_id)
                .join(Person, Person.id == Case.applicant_id).where(Letter.sent_on.is_(None))
                .order_by(Letter.produced_at)):
            state = "queued" if letter.queued else ("approved" if letter.approved_at else "produced")
            out.append(WaitingLetter(letter.id, letter.case_id or 0, reference, person.display_name,
                                     letter.template, state, None, None if letter.queued else letter.produced_at))
            if letter.template == "acknowledgement":
                have_ack.add(letter.case_id or 0)
        # An acknowledgement is due while its clock runs: shown even before anyone produced it.
        for case_id, reference, person, due in session.execute(
                select(Case.id, Case.reference, Person, Case.next_due_on).join(Person, Person.id == Case.applicant_id)
                .where(Case.acknowledged_on.is_(None), Case.status.in_([Status.RECEIVED, Status.AWAITING_CONSENT]),
                       or_(Case.next_clock == "acknowledgement", Case.next_clock.is_(None)))
                .order_by(Case.next_due_on)):
            if case_id not in have_ack:
                out.append(WaitingLetter(None, case_id, reference, person.display_name, "acknowledgement", "due",
                                         due, None))
        return sorted(out, key=lambda w: (w.due_on or date.max, w.reference))


@dataclass
class BatchResult:
    produced: list[LetterInfo]
    refused: list[tuple[str, str]]  # (case reference, why)


def produce_due_acknowledgements(ctx: ServiceContext, *, due_by: date | None = None) -> BatchResult:
    """Every acknowledgement due (by `due_by`, default all) produced in one go, for printing together.

    Each letter is its own unit of work: one that cannot be produced is reported and the rest go on.
    """
    ctx.require(Permission.CHANGE_CASES)
    result = BatchResult([], [])
    for waiting in letters_to_send(ctx):
        if waiting.template != "acknowledgement" or waiting.state not in ("due", "queued"):
            continue
        if due_by is not None and waiting.due_on is not None and waiting.due_on > due_by:
            continue
        try:
            result.produced.append(produce_letter(ctx, waiting.case_id, "acknowledgement"))
        except ServiceError as exc:
            result.refused.append((waiting.reference, str(exc)))
    return result
