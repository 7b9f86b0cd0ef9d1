"""Letters for a case: which fit, produce (render and store), approve, record as sent, reprint, list."""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db.models import Agency, AgencyContact, Case, Letter, SecondaryReview
from app.domain.application import Problem
from app.domain.dates import long_form, parse_uk_or_iso
from app.domain.roles import Permission
from app.domain.workflow import Status, check_transition
from app.letters import (TEMPLATE_NAMES, Contact, EnvelopeWindow, LetterRequest, MissingPlaceholder,
                         TemplateError, load_template, produce_pdf)
from app.letters.templates import TEMPLATE_LABELS
from app.services.common import audit
from app.services.cases import steps as wf
from app.services.cases.letter_steps import STEP_LETTERS, case_values_when_sent
from app.services.agencies.directory import AgencyMatcher
from app.services.cases.facts import refresh_summary
from app.services.common.concurrency import apply_changes, load_for_change
from app.services.common.context import ServiceContext
from app.services.common.errors import NotFound, ServiceError, ValidationFailed
from app.services.common.ops import NOTHING, Changes, Part
from app.services.letters.facts import CaseRecords, contact_user, load_records, why_not
from app.services.letters.values import (Recipient, agency_recipient, attendee_recipient, common_values,
                                        person_recipient, template_values)


_PANEL_TEMPLATES = ("panel-invitation", "panel-member-invitation")


class LetterRefused(ServiceError):
    """This letter cannot be produced (or sent) for this case now; the message says why."""


@dataclass(frozen=True)
class TemplateFit:
    name: str
    label: str
    to: str  # applicant, agency, panel member
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
    changes: Changes = NOTHING  # what producing, approving or sending it changed

    @property
    def label(self) -> str:
        return TEMPLATE_LABELS.get(self.template, self.template)


def _info(letter: Letter) -> LetterInfo:
    return LetterInfo(letter.id, letter.case_id, letter.template, letter.recipient, letter.produced_at,
                      letter.produced_by, letter.approved_at, letter.approved_by, letter.sent_on,
                      letter.sent_method, letter.sent_by, letter.queued, _needs_approval(letter.template),
                      letter.revised_outcome_date)


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


def available_templates(ctx: ServiceContext, case_id: int) -> list[TemplateFit]:
    """Every template, saying whether it fits the case's state now and, if not, why not."""
    ctx.require(Permission.VIEW)
    with ctx.unit_of_work() as session:
        records = load_records(session, ctx, _case(session, case_id))
        out = []
        for name in TEMPLATE_NAMES:
            template = load_template(name)
            reason = why_not(records, name)
            out.append(TemplateFit(name, TEMPLATE_LABELS[name], template.to, reason is None, reason,
                                   template.needs_approval))
        return out


def produce_letter(ctx: ServiceContext, case_id: int, template: str, *, recipient: str | None = None,
                   agency_id: int | None = None, extra_text: dict[str, str] | None = None,
                   large_print: bool | None = None, applicant_is_tenant: bool | None = None,
                   window: EnvelopeWindow | None = None) -> LetterInfo:
    """Render the letter and keep the exact PDF with the case (one unit of work, audited).

    `extra_text` supplies what only the officer knows (a delay letter's `delay_reason` and
    `new_date`, or a contact officer not in the user list); it may not replace the case's own values.
    """
    ctx.require(Permission.CHANGE_CASES)
    try:
        spec = load_template(template)
    except TemplateError as exc:
        raise LetterRefused(str(exc)) from None
    with ctx.unit_of_work() as session:
        case = _case(session, case_id)
        records = load_records(session, ctx, case)
        reason = why_not(records, template)
        if reason:
            raise LetterRefused(f"The {TEMPLATE_LABELS[template].lower()} letter cannot be produced for "
                                f"{case.reference}: {reason}.")
        settings, cal, today = ctx.settings(), ctx.calendar(), ctx.today()
        agency = _agency(session, records, spec.to, agency_id)
        to = _recipient(session, records, spec.to, recipient, agency)
        values = common_values(records, settings, today, to)
        values.update(template_values(template, records, settings, cal, today, agency=agency,
                                      applicant_is_tenant=applicant_is_tenant))
        values.update(_contact_values(session, ctx, case, settings))
        revised = _merge_extra(values, extra_text or {}, template, today)
        for key in _CONTACT_KEYS:  # every letter names its contact officer (letters.md)
            if not str(values.get(key) or "").strip():
                raise LetterRefused(str(MissingPlaceholder(
                    key, template, f"has no value: add {case.officer or ctx.actor} to the user list with "
                    "a name, phone and email, or give the contact officer's details")))
        if large_print is None:
            needs = (to.person.accessibility_needs or "") if to.person else ""
            large_print = "large print" in needs.casefold().replace("-", " ")
        request = LetterRequest(template, values, settings.council, case.reference, today, to.lines,
                                Contact(str(values.get("contact_name")), str(values.get("contact_phone")),
                                        str(values.get("contact_email"))),
                                large_print=large_print, window=window or EnvelopeWindow())
        try:
            pdf = produce_pdf(request)
        except TemplateError as exc:
            raise LetterRefused(str(exc)) from None
        letter = _queued(session, case.id, template) or Letter(case_id=case.id, template=template)
        meeting = (records.planned_review() if template in _PANEL_TEMPLATES else
                   records.held_review() if template == "findings" else None)
        letter.meeting_id = meeting[1].id if meeting else None
        letter.recipient, letter.pdf, letter.queued = to.label[:300], pdf, False
        letter.produced_at, letter.produced_by = ctx.now(), ctx.actor
        letter.revised_outcome_date = revised
        session.add(letter)
        session.flush()
        audit.record(session, ctx, "letter", "letter", letter.id, case_id=case.id,
                     changes={"recipient": (None, to.label)}, reason=f"{template} produced")
        return replace(_info(letter), changes=Changes.of_case(case.id, Part.LETTERS, Part.TIMELINE))


def _queued(session: Session, case_id: int, template: str) -> Letter | None:
    """A letter put on the case's list to produce (intake's queue) is filled in, not duplicated."""
    return session.scalars(select(Letter).where(Letter.case_id == case_id, Letter.template == template,
                                                Letter.queued.is_(True)).order_by(Letter.id)).first()


def _agency(session: Session, records: CaseRecords, to: str, agency_id: int | None) -> Agency | None:
    if to != "agency":
        return None
    if agency_id is None:
        names = sorted(records.agencies[a].name for a in records.involved_agencies() if a in records.agencies)
        hint = f" (involved in this case: {', '.join(names)})" if names else ""
        raise LetterRefused(f"Choose the agency this letter is for{hint}.")
    agency = records.agencies.get(agency_id) or session.get(Agency, agency_id)
    if agency is None:
        raise NotFound("That agency is not in the directory.")
    return agency


def _recipient(session: Session, records: CaseRecords, to: str, name: str | None,
               agency: Agency | None) -> Recipient:
    case = records.case
    if to == "agency" and agency is not None:
        return agency_recipient(agency, name.strip() if name and name.strip() else None)
    if to == "panel member":
        planned = records.planned_review()
        attendees = records.attendees.get(planned[1].id, []) if planned else []
        wanted = (name or "").strip().casefold()
        for a in attendees:
            if a.name.casefold() == wanted:
                return attendee_recipient(a, records.agencies.get(a.agency_id) if a.agency_id else None)
        contact = session.scalar(select(AgencyContact).where(AgencyContact.panel_member.is_(True))
                                 .where(AgencyContact.name.ilike(name.strip() if name else "")))
        if contact is not None:
            agency_row = records.agencies.get(contact.agency_id)
            return agency_recipient(agency_row, contact.name) if agency_row else Recipient(
                contact.name, (contact.name,), contact.name)
        listed = ", ".join(a.name for a in attendees) or "nobody recorded yet"
        raise LetterRefused(f"Name the panel member this invitation is for (on the panel: {listed}).")
    people = [p for p in (case.applicant, case.victim) if p is not None]
    if name and name.strip():
        for person in people:
            if name.strip().casefold() in {person.display_name.casefold(),
                                           " ".join(filter(None, (person.first_name, person.last_name))).casefold()}:
                return person_recipient(person)
        raise LetterRefused(f"This letter goes to the applicant or the victim: "
                            f"{' or '.join(p.display_name for p in people)}.")
    return person_recipient(case.applicant)


def _contact_values(session: Session, ctx: ServiceContext, case: Case, settings: Any) -> dict[str, Any]:
    """The named contact officer: the case officer from the user list, else the signed-in user."""
    user = contact_user(session, [case.officer, ctx.actor])
    if user is None:
        return {}  # the officer may give contact_name etc. in extra_text; else the letter names what is missing
    return {"contact_name": user.display_name, "contact_phone": user.phone or settings.council.phone,
            "contact_email": user.email or settings.council.email}


_CONTACT_KEYS = ("contact_name", "contact_phone", "contact_email")


def _merge_extra(values: dict[str, Any], extra: dict[str, str], template: str, today: date) -> date | None:
    """Add the officer's own words; refuse any that would replace a value from the case record."""
    clashes = [k for k in extra if values.get(k) not in (None, "")]
    if clashes:
        raise LetterRefused(f"{', '.join(sorted(clashes))} comes from the case record and cannot be "
                            "replaced in the letter.")
    values.update({k: v for k, v in extra.items() if v is not None and str(v).strip()})
    if template != "delay":
        return None
    if "new_date" not in values:
        raise LetterRefused("The delay letter needs 'new_date': the date by which we will write with "
                            "the findings.")
    try:
        new_date = parse_uk_or_iso(str(values["new_date"]))
    except ValueError as exc:
        raise LetterRefused(f"new_date: {exc}") from None
    if new_date <= today:
        raise LetterRefused("new_date: the new date must be after today.")
    values["new_date"] = new_date
    return new_date


def approve_letter(ctx: ServiceContext, letter_id: int) -> LetterInfo:
    """Record who approved the letter and when (the findings letter: the panel chair)."""
    with ctx.unit_of_work() as session:
        letter = _letter(session, letter_id)
        ctx.require(Permission.APPROVE_FINDINGS if _needs_approval(letter.template) else Permission.CHANGE_CASES)
        if letter.sent_on:
            raise LetterRefused("This letter has already been sent; it cannot be approved now.")
        if letter.approved_at:
            raise LetterRefused(f"This letter was already approved by {letter.approved_by}.")
        letter.approved_by, letter.approved_at = ctx.actor, ctx.now()
        audit.record(session, ctx, "approve letter", "letter", letter.id, case_id=letter.case_id,
                     reason=letter.template)
        session.flush()
        changes = (Changes.of_case(letter.case_id, Part.LETTERS, Part.TIMELINE) if letter.case_id is not None
                   else Changes.of(Part.LETTERS))
        return replace(_info(letter), changes=changes)


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
    letter's own state (already sent, not approved) is checked either way.
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
            problems.append(Problem("approval", "this letter must be approved (by the panel chair) before it is sent"))
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
            refresh_summary(session, case, ctx.settings(), ctx.calendar())
        letter.sent_on, letter.sent_method, letter.sent_by = sent_on, method, ctx.actor
        audit.record(session, ctx, "letter sent", "letter", letter.id, case_id=letter.case_id,
                     reason=f"{letter.template} sent by {method} on {sent_on.isoformat()}")
        session.flush()
        return replace(_info(letter), changes=changes)


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


def list_letters(ctx: ServiceContext, case_id: int) -> list[LetterInfo]:
    ctx.require(Permission.VIEW)
    with ctx.unit_of_work() as session:
        _case(session, case_id)
        rows = session.scalars(select(Letter).where(Letter.case_id == case_id)
                               .order_by(Letter.produced_at, Letter.id))
        return [_info(letter) for letter in rows]


def letter_for_reference(ctx: ServiceContext, reference: str, template: str, *,
                         recipient: str | None = None, agency_name: str | None = None,
                         sent_on: date | None = None, method: str | None = None) -> tuple[LetterInfo, bytes]:
    """The command line's `letter`: the same letter the app produces, found by case reference."""
    if (sent_on is None) != (method is None):
        raise LetterRefused("Give both --sent-on and --method to record the letter as sent.")
    if sent_on is not None:
        # Checked before producing, so that a refused date leaves no unsent letter behind.
        problems = _sent_problems(ctx, sent_on, method or "", ctx.today())
        if problems:
            raise ValidationFailed(problems)
    # Found, produced, sent and read back in one transaction: all of it or none.
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
        info = produce_letter(ctx, case_id, template, recipient=recipient, agency_id=agency_id)
        if sent_on is not None and method is not None:
            info = record_sent(ctx, info.id, sent_on, method)
        return info, letter_pdf(ctx, info.id)


def record_disclosure(ctx: ServiceContext, letter_id: int, how: str) -> None:
    """A letter printed or saved to a file leaves the database: who, when and how is logged."""
    ctx.require(Permission.EXPORT)
    with ctx.unit_of_work() as session:
        letter = _letter(session, letter_id)
        audit.record(session, ctx, "print" if how.startswith("print") else "export", "letter", letter.id,
                     case_id=letter.case_id, reason=f"{letter.template}: {how}")
