"""Letters waiting to go out across all cases, and the day's acknowledgements produced in one go."""
from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import or_, select

from app.db.models import Case, Letter, Person
from app.domain.roles import Permission
from app.domain.workflow import Status
from app.services.common import audit
from app.services.common.context import ServiceContext, retry_read
from app.services.common.errors import ServiceError
from app.services.common.ops import NOTHING, Changes, Part, Progress
from app.services.letters.case_letters import LetterInfo, LetterRefused, Made, _info, make_letter
from app.services.letters.facts import load_records_many


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
    # Cases the batch did not start because it was cancelled first (by reference): nothing was made for them.
    not_started: list[str] = field(default_factory=list)
    pdfs: dict[int, bytes] = field(default_factory=dict)  # letter id: the PDF produced, to print at once
    changes: Changes = NOTHING

    @property
    def cancelled(self) -> bool:
        return bool(self.not_started)

    def summary(self) -> str:
        words = [f"{len(self.produced)} acknowledgement{'s' if len(self.produced) != 1 else ''} produced"]
        if self.refused:
            words.append(f"{len(self.refused)} could not be produced")
        if self.not_started:
            words.append(f"{len(self.not_started)} not started (cancelled): {', '.join(self.not_started)}")
        return "; ".join(words) + "."


def produce_due_acknowledgements(ctx: ServiceContext, *, due_by: date | None = None,
                                 case_ids: Collection[int] | None = None,
                                 progress: Progress | None = None) -> BatchResult:
    """Every acknowledgement due (by `due_by`, default all; only `case_ids` when given) produced in
    one go, for printing together, with the PDFs in the result.

    One unit of work for the whole batch, with its reads made once for all the cases and the letters
    and their audit entries written together: on a server 20 ms away, 50 letters cost a few dozen
    round trips rather than two thousand. `progress` is told of each letter; when it is cancelled the
    batch stops between two letters and keeps those made so far (each complete: its letter and its
    audit entry), and `not_started` names the cases it did not begin. A letter that cannot be
    produced is refused with the reason and the rest go on. A failure of the database saves none.
    """
    ctx.require(Permission.CHANGE_CASES)
    progress = progress or Progress()
    wanted = set(case_ids) if case_ids is not None else None
    due = [w for w in letters_to_send(ctx)
           if w.template == "acknowledgement" and w.state in ("due", "queued")
           and (due_by is None or w.due_on is None or w.due_on <= due_by)
           and (wanted is None or w.case_id in wanted)]
    result = BatchResult([], [])
    progress.start(len(due), "acknowledgements")
    if not due:
        return result
    ids = [w.case_id for w in due]
    with ctx.unit_of_work() as session:
        cases = {c.id: c for c in session.scalars(select(Case).where(Case.id.in_(ids)))}
        records = load_records_many(session, ctx, list(cases.values()))
        queued: dict[int, Letter] = {}
        for letter in session.scalars(select(Letter).where(Letter.case_id.in_(ids), Letter.template == "acknowledgement",
                                                           Letter.queued.is_(True)).order_by(Letter.id)):
            queued.setdefault(letter.case_id or 0, letter)
        made: list[Made] = []
        for k, waiting in enumerate(due):
            if progress.cancelled:
                result.not_started = [w.reference for w in due[k:]]
                break
            case = cases.get(waiting.case_id)
            try:
                if case is None:
                    raise LetterRefused("the case no longer exists")
                made.append(make_letter(session, ctx, case, records[case.id], "acknowledgement",
                                        queued=queued.get(case.id)))
            except ServiceError as exc:
                result.refused.append((waiting.reference, str(exc)))
            progress.step(label=waiting.reference)
        session.flush()  # every letter in one statement
        audit.write(session, ctx, [m.entry() for m in made])
        done = frozenset(m.letter.case_id or 0 for m in made)
        result.changes = Changes.of_cases(done, Part.LETTERS, Part.TIMELINE) if done else NOTHING
        result.produced = [_info(m.letter, Changes.of_case(m.letter.case_id or 0, Part.LETTERS, Part.TIMELINE))
                           for m in made]
        result.pdfs = {m.letter.id: bytes(m.letter.pdf or b"") for m in made}
    return result
