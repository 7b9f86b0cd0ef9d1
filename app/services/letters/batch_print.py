"""The Letters section's printed batch: the copies logged as printed, then the batch recorded as sent.

Each is one user action and so one unit of work: all the letters of the batch, or none of them.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from app.db.models import Case, Letter
from app.domain.application import Problem
from app.domain.roles import Permission
from app.services.common import audit
from app.services.common.context import ServiceContext
from app.services.common.errors import NotFound, ValidationFailed
from app.services.common.ops import NOTHING, Changes, Counted, Part
from app.services.letters.case_letters import record_sent
from app.services.letters.prepare import LetterRefused

# The fields of the batch's form: a problem with one of them is shown next to it, once for the batch.
_FORM_FIELDS = ("sent_on", "method")


@dataclass(frozen=True)
class PrintedBatch:
    """The PDFs to print, in the order asked for; each logged as printed before a page leaves."""
    pdfs: tuple[bytes, ...]
    changes: Changes


def record_printed(ctx: ServiceContext, letter_ids: Sequence[int], how: str) -> PrintedBatch:
    """Log each letter as printed (who, when, how) and hand back its PDF exactly as produced.

    Called once the user has chosen a printer and before anything is sent to it, so that no copy
    leaves without its entry in the log; one statement reads every letter of the batch.
    """
    ctx.require(Permission.EXPORT)  # a copy of personal data leaves the database
    ids = list(dict.fromkeys(letter_ids))
    with ctx.unit_of_work() as session:
        found = {letter.id: letter for letter in session.scalars(select(Letter).where(Letter.id.in_(ids)))}
        missing = [i for i in ids if i not in found]
        if missing:
            raise NotFound(f"{len(missing)} letter(s) of the batch no longer exist: nothing was printed.")
        waiting = [i for i in ids if found[i].pdf is None]
        if waiting:
            raise LetterRefused(f"{len(waiting)} letter(s) of the batch are waiting to be produced: nothing "
                                "was printed.")
        for letter_id in ids:
            letter = found[letter_id]
            audit.record(session, ctx, "print", "letter", letter.id, case_id=letter.case_id,
                         reason=f"{letter.template}: {how}")
        pdfs = tuple(bytes(found[i].pdf or b"") for i in ids)
        cases = {case_id for case_id in (found[i].case_id for i in ids) if case_id is not None}
    return PrintedBatch(pdfs, Changes.of_cases(cases, Part.TIMELINE) if cases else NOTHING)


def record_batch_sent(ctx: ServiceContext, letter_ids: Sequence[int], sent_on: date, method: str) -> Counted:
    """The printed batch has gone: every letter recorded as sent on one date, each clock stopped on it.

    All of the batch or none of it: a letter that cannot be recorded (already sent by someone else,
    say) stops the batch and the problem names its case; a problem with the date or the method is
    said once, next to its field.
    """
    ctx.require(Permission.CHANGE_CASES)
    if not letter_ids:
        raise ValidationFailed([Problem("letter", "there is no printed batch to record as sent")])
    changes = NOTHING
    with ctx.unit_of_work() as session:
        references = dict(session.execute(select(Letter.id, Case.reference).join(Case, Case.id == Letter.case_id)
                                          .where(Letter.id.in_(list(letter_ids)))).all())
        for letter_id in letter_ids:
            try:
                changes = changes | record_sent(ctx, letter_id, sent_on, method).changes
            except ValidationFailed as exc:
                where = references.get(letter_id, "a letter of the batch")
                raise ValidationFailed([p if p.field in _FORM_FIELDS else Problem(p.field, f"{where}: {p.message}")
                                        for p in exc.problems]) from exc
    return Counted(len(letter_ids), changes)
