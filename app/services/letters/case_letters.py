"""Letters for a case: which fit, draft (the filled text to edit), produce, approve, record as sent, reprint, list."""
from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db.models import AuditEntry, Case, Letter
from app.domain.application import Problem
from app.domain.dates import long_form
from app.domain.roles import Permission, Role
from app.domain.workflow import Status, check_transition
from app.letters import (TEMPLATE_NAMES, EnvelopeWindow, LetterPart, MissingPlaceholder, TemplateError,
                         fill_request, letter_parts, load_template, produce_pdf)
from app.letters.templates import TEMPLATE_LABELS
from app.services.common import audit
from app.services.cases import steps as wf
from app.services.cases.letter_steps import STEP_LETTERS, case_values_when_sent, chased_when_sent
from app.services.agencies.matching import AgencyMatcher
from app.services.cases.facts import refresh_summary
from app.services.common.concurrency import apply_changes, load_for_change
from app.services.common.context import ServiceContext, retry_read
from app.services.common.errors import NotFound, PermissionDenied, ValidationFailed
from app.services.common.ops import NOTHING, Changes, Part
from app.services.letters.facts import CaseRecords, load_records, why_not
from app.services.letters.prepare import LetterRefused, Prepared, in_words, label_of, prepare, user_name
from app.services.cases.updates import add_update

__all__ = ["Disclosed", "LetterDraft", "LetterInfo", "LetterRefused", "Made", "ReadFirst", "TemplateFit", "TextEdit",
           "approve_letter", "available_templates", "draft_letter", "letter_for_reference", "letter_pdf",
           "list_letters", "make_letter", "produce_letter", "record_disclosure", "record_disclosures", "record_sent"]

_PANEL_TEMPLATES = ("panel-invitation", "panel-member-invitation")
_LETTER_PARTS = (Part.LETTERS, Part.TIMELINE)


class ReadFirst(LetterRefused):
    """The chair has not opened this letter yet: approval is of what was read."""

    def __init__(self, letter_id: int) -> None:
        self.letter_id = letter_id
        super().__init__("Read the letter before approving it: open it (Preview) first, then approve.")


@dataclass(frozen=True)
class TemplateFit:
    name: str
    label: str
    to: str  # applicant, victim, applicant or victim, agency, panel member
    available: bool
    reason: str | None  # why not, when not available
    needs_approval: bool


@dataclass(frozen=True)
class LetterInfo:
    id: int
    case_id: int | None
    template: str
    recipient: str
    produced_at: datetime
    produced_by: str
    approved_at: datetime | None
    approved_by: str | None
    sent_on: date | None
    sent_method: str | None
    sent_by: str | None
    queued: bool
    needs_approval: bool
    revised_outcome_date: date | None
    approver_name: str | None = None
    edited: bool = False
    changes: Changes = NOTHING

    @property
    def label(self) -> str:
        return TEMPLATE_LABELS.get(self.template, self.template)


@dataclass(frozen=True)
class TextEdit:
    """The officer's words for one part of a letter, and the text they replaced (as shown to them)."""

    key: str
    before: str
    after: str


@dataclass(frozen=True)
class Disclosed:
    """A letter that leaves the database (printed or saved): the exact bytes, logged as they left."""

    letter_id: int
    pdf: bytes
    changes: Changes = NOTHING


@dataclass(frozen=True)
class LetterDraft:
    """A letter's filled text, shown to the officer before the PDF is made."""

    case_id: int
    template: str
    label: str
    recipient: str
    large_print: bool
    parts: tuple[LetterPart, ...]


def _info(letter: Letter, changes: Changes = NOTHING) -> LetterInfo:
    return LetterInfo(letter.id, letter.case_id, letter.template, letter.recipient, letter.produced_at,
                      letter.produced_by, letter.approved_at, letter.approved_by, letter.sent_on,
                      letter.sent_method, letter.sent_by, letter.queued, _needs_approval(letter.template),
                      letter.revised_outcome_date, letter.approver_name, bool(letter.edits), changes)


def _needs_approval(template: str) -> bool:
    try:
        return load_template(template).needs_approval
    except TemplateError:
        return False


def _case(session: Session, case_id: int) -> Case:
    case = session.get(Case, case_id)
    if case is None:
        raise NotFound("That case no longer exists.")
    return case


@retry_read
def available_templates(ctx: ServiceContext, case_id: int) -> list[TemplateFit]:
    """Every template, saying whether it fits the case's state now and, if not, why not."""
    ctx.require(Permission.VIEW)
    with ctx.reading() as session:
        records = load_records(session, ctx, _case(session, case_id))
        out = []
        for name in TEMPLATE_NAMES:
            template = load_template(name)
            reason = why_not(records, name)
            out.append(TemplateFit(name, TEMPLATE_LABELS[name], template.to, reason is None, reason,
                                   template.needs_approval))
        return out


def _prepared(session: Session, ctx: ServiceContext, case: Case, template: str,
              **options: Any) -> tuple[CaseRecords, Prepared]:
    records = load_records(session, ctx, case)
    try:
        return records, prepare(session, ctx, records, template, **options)
    except MissingPlaceholder as exc:
        raise LetterRefused(in_words(exc, case.reference)) from None


@retry_read
def draft_letter(ctx: ServiceContext, case_id: int, template: str, *, recipient: str | None = None,
                 agency_id: int | None = None, extra_text: dict[str, str] | None = None,
                 large_print: bool | None = None) -> LetterDraft:
    """The letter's filled text, part by part, for the officer to read and change before it is produced.

    Nothing is stored: the same arguments, with the officer's edits, go to `produce_letter`.
    """
    ctx.require(Permission.CHANGE_CASES)
    with ctx.reading() as session:
        case = _case(session, case_id)
        _records, ready = _prepared(session, ctx, case, template, recipient=recipient, agency_id=agency_id,
                                    extra_text=extra_text, large_print=large_print)
        try:
            parts = letter_parts(fill_request(ready.request))
        except MissingPlaceholder as exc:
            raise LetterRefused(in_words(exc, case.reference)) from None
        return LetterDraft(case.id, template, TEMPLATE_LABELS[template], ready.recipient.label,
                           ready.request.large_print, parts)


def produce_letter(ctx: ServiceContext, case_id: int, template: str, *, recipient: str | None = None,
                   agency_id: int | None = None, extra_text: dict[str, str] | None = None,
                   large_print: bool | None = None, window: EnvelopeWindow | None = None,
                   edits: Sequence[TextEdit] = ()) -> LetterInfo:
    """Render the letter and keep the exact PDF with the case (one unit of work, audited).

    `extra_text` supplies what only the officer knows (a delay letter's `delay_reason` and `new_date`, or
    a contact officer not in the user list); it may not replace the case's own values. `edits` are the
    officer's changes to the filled text (see `draft_letter`): kept with the letter and noted in the audit;
    the template file is never changed.
    """
    ctx.require(Permission.CHANGE_CASES)
    with ctx.unit_of_work() as session:
        case = _case(session, case_id)
        made = make_letter(session, ctx, case, load_records(session, ctx, case), template, recipient=recipient,
                           agency_id=agency_id, extra_text=extra_text, large_print=large_print, window=window,
                           edits=edits, queued=_queued(session, case.id, template))
        session.flush()
        audit.write(session, ctx, [made.entry()])
        return _info(made.letter, Changes.of_case(case.id, *_LETTER_PARTS))


@dataclass(frozen=True)
class Made:
    """A letter rendered and added to the session, not yet flushed or audited (a batch does both once)."""
    letter: Letter
    recipient: str
    edited: tuple[TextEdit, ...]

    def entry(self) -> audit.NewEntry:
        note = f"{self.letter.template} produced"
        if self.edited:
            note += f", edited by the officer ({len(self.edited)} part{'s' if len(self.edited) > 1 else ''}: " \
                    f"{', '.join(e.key for e in self.edited)})"
        return audit.NewEntry("letter", "letter", self.letter.id, self.letter.case_id, "recipient", note,
                              (("recipient", None, self.recipient),))


def make_letter(session: Session, ctx: ServiceContext, case: Case, records: CaseRecords, template: str, *,
                recipient: str | None = None, agency_id: int | None = None, extra_text: dict[str, str] | None = None,
                large_print: bool | None = None, window: EnvelopeWindow | None = None,
                edits: Sequence[TextEdit] = (), queued: Letter | None = None) -> Made:
    """Prepare, check and render one letter and add it to the session (filling in `queued`, the letter
    put on the case's list to produce, rather than adding another). Raises LetterRefused, before
    anything is added, when it cannot be produced."""
    try:
        ready = prepare(session, ctx, records, template, recipient=recipient, agency_id=agency_id,
                        extra_text=extra_text, large_print=large_print, window=window)
    except MissingPlaceholder as exc:
        raise LetterRefused(in_words(exc, case.reference)) from None
    changed = _check_edits(ready, edits, case.reference)
    request = replace(ready.request, edits={e.key: e.after for e in changed}) if changed else ready.request
    try:
        pdf = produce_pdf(request)
    except MissingPlaceholder as exc:
        raise LetterRefused(in_words(exc, case.reference)) from None
    except TemplateError as exc:
        raise LetterRefused(str(exc)) from None
    letter = queued or Letter(case_id=case.id, template=template)
    letter.meeting_id = _meeting_of(records, template)
    letter.recipient, letter.pdf, letter.queued = ready.recipient.label[:300], pdf, False
    letter.produced_at, letter.produced_by = ctx.now(), ctx.actor
    letter.revised_outcome_date = ready.revised_outcome
    letter.agency_id = ready.agency.id if ready.agency else None
    letter.request_id, letter.new_due_on = ready.request_id, ready.new_due_on
    letter.edits = json.dumps([{"part": e.key, "before": e.before, "after": e.after} for e in changed],
                              ensure_ascii=False) if changed else None
    session.add(letter)
    return Made(letter, ready.recipient.label, tuple(changed))


def _check_edits(ready: Prepared, edits: Sequence[TextEdit], reference: str) -> list[TextEdit]:
    """The edits that change something; refused if the text they were made to has changed since."""
    if not edits:
        return []
    try:
        parts = {p.key: p.text for p in letter_parts(fill_request(ready.request))}
    except MissingPlaceholder as exc:
        raise LetterRefused(in_words(exc, reference)) from None
    stale = [e.key for e in edits if parts.get(e.key) != e.before]
    if stale:
        raise LetterRefused("The letter's text has changed since you opened it to edit (the case was updated "
                            "meanwhile). Open it again to see the new text; copy your changes across first if "
                            "you need them.")
    return [e for e in edits if e.after.strip() != e.before.strip()]


def _meeting_of(records: CaseRecords, template: str) -> int | None:
    if template not in _PANEL_TEMPLATES and template != "findings":
        return None
    meeting = records.planned_review() if template in _PANEL_TEMPLATES else records.held_review()
    return meeting[1].id if meeting else None


def _queued(session: Session, case_id: int, template: str) -> Letter | None:
    """A letter put on the case's list to produce (intake's queue) is filled in, not duplicated."""
    return session.scalars(select(Letter).where(Letter.case_id == case_id, Letter.template == template,
                                                Letter.queued.is_(True)).order_by(Letter.id)).first()


def approve_letter(ctx: ServiceContext, letter_id: int) -> LetterInfo:
    """The panel chair approves the findings letter after reading it; the letter records the chair's name.

    Only a user with the panel chair role may, and only once they have opened this letter (the app
    shows it, the command line writes it to a file): the approval is of what they read.
    """
    ctx.require(Permission.APPROVE_FINDINGS)  # before anything is read: nobody else learns what exists
    with ctx.unit_of_work() as session:
        letter = _letter(session, letter_id)
        if not _needs_approval(letter.template):
            raise LetterRefused(f"The {label_of(letter.template)} letter needs no approval; it can be sent.")
        ctx.require(Permission.APPROVE_FINDINGS)
        if ctx.role != Role.PANEL_CHAIR:
            raise PermissionDenied(
                f"The findings letter is approved by the panel chair. {ctx.actor} is signed in as "
                f"{ctx.role.label.lower() if ctx.role else 'nobody'}: ask the chair to read and approve it.")
        if letter.queued or letter.pdf is None:
            raise LetterRefused("This letter has not been produced yet, so there is nothing to approve.")
        if letter.sent_on:
            raise LetterRefused("This letter has already been sent; it cannot be approved now.")
        if letter.approved_at:
            raise LetterRefused(f"This letter was already approved by {letter.approver_name or letter.approved_by}.")
        seen = session.scalar(select(AuditEntry.id).where(
            AuditEntry.entity == "letter", AuditEntry.entity_id == letter.id, AuditEntry.action == "view letter",
            AuditEntry.actor == ctx.actor).limit(1))
        if seen is None:
            raise ReadFirst(letter.id)
        name = user_name(session, ctx.actor)
        if name is None:
            raise LetterRefused("The approval records the chair's name, and your user entry has only your login. "
                                "Add your name under Settings (Your details), then approve.")
        letter.approved_by, letter.approved_at, letter.approver_name = ctx.actor, ctx.now(), name
        audit.record(session, ctx, "approve letter", "letter", letter.id, case_id=letter.case_id,
                     changes={"approver_name": (None, name)}, reason=f"{letter.template} approved by the panel chair")
        session.flush()
        return _info(letter, Changes.of_case(letter.case_id, *_LETTER_PARTS) if letter.case_id else NOTHING)


def _letter(session: Session, letter_id: int) -> Letter:
    letter = session.get(Letter, letter_id)
    if letter is None:
        raise NotFound("That letter no longer exists.")
    return letter


def record_sent(ctx: ServiceContext, letter_id: int, sent_on: date, method: str, *,
                expected_version: int | None = None) -> LetterInfo:
    """Record that the letter went out, and the step it completes, in one unit of work.

    Its clock stops on `sent_on`, never on the date produced. `expected_version` is the case's
    version the user saw (the case page passes it): if someone changed the case since, nothing is
    recorded. The batch of the Letters section acts on letters, not cases, and passes none; the
    letter's own state (already sent, not approved) is checked either way. A reminder's new return
    date goes on the request it chases.
    """
    ctx.require(Permission.CHANGE_CASES)
    with ctx.unit_of_work() as session:
        letter = _letter(session, letter_id)
        problems = []
        if letter.queued or letter.pdf is None:
            problems.append(Problem("letter", "this letter has not been produced yet"))
        if letter.sent_on:
            problems.append(Problem("letter", f"this letter was already sent on {long_form(letter.sent_on)}"))
        if _needs_approval(letter.template) and not letter.approved_at:
            problems.append(Problem("approval", "this letter must be approved by the panel chair before it is sent"))
        problems += _sent_problems(ctx, sent_on, method, letter.produced_at.date())
        if problems:
            raise ValidationFailed(problems)
        changes = Changes.of_case(letter.case_id) if letter.case_id is not None else Changes.of(Part.LETTERS)
        if letter.case_id is not None:
            case = (load_for_change(session, Case, letter.case_id, expected_version, "This case")
                    if expected_version is not None else _case(session, letter.case_id))
            values = case_values_when_sent(session, case, letter, sent_on, ctx.actor)
            if "status" in values and values["status"] != case.status:
                check_transition(Status(case.status), Status(values["status"]))
            changed = apply_changes(case, values, ctx.actor)
            if letter.template in STEP_LETTERS or changed:
                audit.record(session, ctx, STEP_LETTERS.get(letter.template, "letter sent"), "case", case.id,
                             case_id=case.id, changes=changed, reason=f"{letter.template} sent by {method}")
            chased = chased_when_sent(session, letter, sent_on)
            if chased is not None:
                request, before = chased
                audit.record(session, ctx, "request chased", "agency request", request.id, case_id=case.id,
                             changes={"revised_due_on": (before, request.revised_due_on)},
                             reason=f"reminder sent; new return date {request.revised_due_on}")
            refresh_summary(session, case, ctx.settings(), ctx.calendar())
            if _to_applicant(letter.template):  # a letter to the applicant is an update (keep informed)
                add_update(session, ctx, case, sent_on, "letter",
                           f"{TEMPLATE_LABELS.get(letter.template, letter.template)} letter sent", letter.id)
        letter.sent_on, letter.sent_method, letter.sent_by = sent_on, method, ctx.actor
        audit.record(session, ctx, "letter sent", "letter", letter.id, case_id=letter.case_id,
                     reason=f"{letter.template} sent by {method} on {sent_on.isoformat()}")
        session.flush()
        return _info(letter, changes)


def _to_applicant(template: str) -> bool:
    try:
        return load_template(template).to == "applicant"
    except TemplateError:
        return False


def _sent_problems(ctx: ServiceContext, sent_on: date, method: str, produced_on: date) -> list[Problem]:
    problems = []
    if method not in wf.SEND_METHODS:
        problems.append(Problem("method", f"choose how it was sent: {', '.join(wf.SEND_METHODS)}"))
    if sent_on > ctx.today():
        problems.append(Problem("sent_on", "the date sent cannot be in the future"))
    if sent_on < produced_on:
        problems.append(Problem("sent_on", "a letter cannot be sent before it was produced "
                                f"({long_form(produced_on)})"))
    return problems


def letter_pdf(ctx: ServiceContext, letter_id: int) -> bytes:
    """The PDF exactly as produced (for preview and reprint); the view is audited."""
    ctx.require(Permission.EXPORT)  # a copy of personal data leaves the database
    with ctx.unit_of_work() as session:
        letter = _letter(session, letter_id)
        if letter.pdf is None:
            raise LetterRefused("This letter is waiting to be produced; there is nothing to show yet.")
        audit.record(session, ctx, "view letter", "letter", letter.id, case_id=letter.case_id,
                     reason=letter.template)
        return bytes(letter.pdf)


@retry_read
def list_letters(ctx: ServiceContext, case_id: int) -> list[LetterInfo]:
    ctx.require(Permission.VIEW)
    with ctx.reading() as session:
        _case(session, case_id)
        rows = session.scalars(select(Letter).where(Letter.case_id == case_id)
                               .order_by(Letter.produced_at, Letter.id))
        return [_info(letter) for letter in rows]


def letter_for_reference(ctx: ServiceContext, reference: str, template: str, *,
                         recipient: str | None = None, agency_name: str | None = None,
                         sent_on: date | None = None, method: str | None = None,
                         extra_text: dict[str, str] | None = None, large_print: bool | None = None,
                         approve: bool = False) -> tuple[LetterInfo, bytes]:
    """The command line's `letter`: the same letter the app produces, found by case reference.

    With `approve` (a panel chair), the findings letter already produced and read is approved instead
    of a new one being produced; it is returned so that it can be written out again. Found, produced,
    approved or sent, and read back in one transaction: all of it or none.
    """
    ctx.require(Permission.CHANGE_CASES)
    if (sent_on is None) != (method is None):
        raise LetterRefused("Give both --sent-on and --method to record the letter as sent.")
    if sent_on is not None:
        # Checked before producing, so that a refused date leaves no unsent letter behind.
        problems = _sent_problems(ctx, sent_on, method or "", ctx.today())
        if problems:
            raise ValidationFailed(problems)
    # Found, produced (or approved), sent and read back in one transaction: all of it or none.
    with ctx.unit_of_work() as session:
        case_id = session.scalar(select(Case.id).where(Case.reference == reference.strip().upper()))
        if case_id is None:
            raise NotFound(f"There is no case {reference}.")
        agency_id = None
        if agency_name:
            agency = AgencyMatcher(session).match(agency_name)
            if agency is None:
                raise NotFound(f"There is no agency called '{agency_name}' in the directory.")
            agency_id = agency.id
        waiting = session.scalar(select(Letter.id).where(
            Letter.case_id == case_id, Letter.template == template, Letter.queued.is_(False),
            Letter.sent_on.is_(None)).order_by(Letter.produced_at.desc(), Letter.id.desc()).limit(1))
        if approve:
            if waiting is None:
                raise LetterRefused(f"There is no {label_of(template)} letter waiting for approval on {reference}: "
                                    "produce it first (without --approve), read it, then approve it.")
            info = approve_letter(ctx, waiting)
        else:
            info = produce_letter(ctx, case_id, template, recipient=recipient, agency_id=agency_id,
                                  extra_text=extra_text, large_print=large_print)
        if sent_on is not None and method is not None:
            info = record_sent(ctx, info.id, sent_on, method)
        return info, letter_pdf(ctx, info.id)


def record_disclosures(ctx: ServiceContext, letter_ids: Sequence[int], how: str) -> int:
    """Many letters printed or saved together (a batch): one unit of work, their entries written at once.
    Returns how many were logged; ids of letters that no longer exist are passed over."""
    ctx.require(Permission.EXPORT)
    if not letter_ids:
        return 0
    action = "print" if how.startswith("print") else "export"
    with ctx.unit_of_work() as session:
        rows = {r.id: r for r in session.execute(select(Letter.id, Letter.case_id, Letter.template)
                                                 .where(Letter.id.in_(list(letter_ids))))}
        entries = [audit.NewEntry(action, "letter", i, rows[i].case_id, reason=f"{rows[i].template}: {how}")
                   for i in letter_ids if i in rows]
        audit.write(session, ctx, entries)
        return len(entries)


def record_disclosure(ctx: ServiceContext, letter_id: int, how: str) -> Disclosed:
    """A letter printed or saved to a file leaves the database: who, when and how is logged.

    The stored bytes come back from the same unit of work, so what is printed or saved is exactly
    what the log says left (and nothing leaves without its entry).
    """
    ctx.require(Permission.EXPORT)
    with ctx.unit_of_work() as session:
        letter = _letter(session, letter_id)
        if letter.pdf is None:
            raise LetterRefused("This letter is waiting to be produced; there is nothing to print or save yet.")
        audit.record(session, ctx, "print" if how.startswith("print") else "export", "letter", letter.id,
                     case_id=letter.case_id, reason=f"{letter.template}: {how}")
        changes = Changes.of_case(letter.case_id, Part.TIMELINE) if letter.case_id is not None else NOTHING
        return Disclosed(letter.id, bytes(letter.pdf), changes)
