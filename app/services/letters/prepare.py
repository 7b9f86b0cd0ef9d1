"""Getting one case letter ready to render: who it goes to, the values, and every refusal in the user's words.

Used by drafting (the officer sees the filled text and may change it) and by producing (the PDF is
made), so that both see exactly the same letter.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.db.models import Agency, AgencyContact, User
from app.domain.dates import parse_uk_or_iso
from app.domain.settings import CouncilDetails
from app.letters import Contact, EnvelopeWindow, LetterRequest, MissingPlaceholder, TemplateError, load_template
from app.letters.templates import TEMPLATE_LABELS, LetterTemplate
from app.services.common.context import ServiceContext
from app.services.common.errors import NotFound, ServiceError
from app.services.letters.facts import CaseRecords, contact_user, why_not, why_not_for_agency
from app.services.letters.parties import RECIPIENT_APPLICANT, RECIPIENT_VICTIM
from app.services.letters.values import (Recipient, agency_recipient, attendee_recipient, common_values,
                                        person_recipient, template_values)

SETTINGS_HINT = "Settings (Council and Community Safety Unit), or with `community-trigger settings set {keys}`"
_CONTACT_KEYS = ("contact_name", "contact_phone", "contact_email")
_EXAMPLE = re.compile(r"(^|[@./])example\.(gov\.uk|org\.uk|co\.uk|org|com|net)\b", re.IGNORECASE)

# What a value means, and what to do when a case does not have it yet: a refusal names it this way.
VALUE_WORDS: dict[str, tuple[str, str]] = {
    "delay_reason": ("the reason for the delay", "type it in the letter's form"),
    "new_date": ("the new date by which we will write", "type it in the letter's form"),
    "panel_by": ("the date the panel should meet by", "check the case's deadlines"),
    "outcome_due": ("the date the findings are due", "check the case's deadlines"),
    "threshold_due": ("the date the threshold decision is due", "check the case's deadlines"),
    "information_considered": ("what the panel looked at",
                               "record it in the panel's review of the case (Panel meetings, Record the review)"),
    "findings": ("the panel's findings", "record them in the panel's review of the case"),
    "action_instead": ("what will be done instead to deal with the problem",
                       "record it with the threshold decision"),
    "meeting_place": ("where the meeting is", "give the meeting a place or an online link (Panel meetings)"),
    "attending": ("who will be at the meeting", "add the panel members to the meeting (Panel meetings)"),
    "agenda": ("the cases on the agenda", "add the cases to the meeting"),
    "grounds": ("why the applicant asked for a secondary review", "record the grounds with the request"),
    "decision_reasons": ("the reasons for the secondary review's decision", "record them with the outcome"),
    "withdrawn_on": ("the date the application was withdrawn", "record the withdrawal"),
    "recommendations.rationale": ("why each recommendation was made (its rationale)",
                                  "record the rationale of each recommendation"),
    "recommendations.due": ("the date each recommendation is due by", "record it with the recommendation"),
    "missing": ("what is still missing", "check the consents under People and consent"),
}


@dataclass(frozen=True)
class Prepared:
    """A case letter ready to render: the request, who it goes to, and what is kept with it."""

    request: LetterRequest
    template: LetterTemplate
    recipient: Recipient
    agency: Agency | None
    revised_outcome: date | None
    request_id: int | None  # the agency request a reminder is about
    new_due_on: date | None  # the reminder's new return date


class LetterRefused(ServiceError):
    """This letter cannot be produced (or sent) for this case now; the message says why and what to do."""


def label_of(template: str) -> str:
    return TEMPLATE_LABELS.get(template, template).lower()


def placeholder_details(council: CouncilDetails) -> list[tuple[str, str]]:
    """The council's details (field, value) that are still the examples a new database starts with."""
    return [(what, value) for what, value in (("email", council.email), ("website", council.website))
            if value and _EXAMPLE.search(value)]


def refuse_placeholders(council: CouncilDetails) -> None:
    examples = placeholder_details(council)
    if examples:
        keys = " ".join(f"council.{what}=..." for what, _ in examples)
        raise LetterRefused(
            "Letters cannot go out yet: the council's details are still the examples the app starts with ("
            f"{', '.join(f'{what} {value}' for what, value in examples)}). Set the council's real name, address, "
            f"phone, email and website in {SETTINGS_HINT.format(keys=keys)}, then make the letter again.")


def in_words(exc: MissingPlaceholder, reference: str) -> str:
    """A template's missing value, said as what it is and what to do."""
    label = label_of(exc.template)
    words = VALUE_WORDS.get(exc.name) or VALUE_WORDS.get(exc.name.split(".")[0])
    if words is None:
        return (f"The {label} letter cannot be made for {reference} yet: it needs '{exc.name}', which "
                "this case does not have. Check the case record, or give it in the letter's form.")
    what, action = words
    return f"The {label} letter cannot be made for {reference} yet: it needs {what}. Please {action}."


def prepare(session: Session, ctx: ServiceContext, records: CaseRecords, template_name: str, *,
            recipient: str | None = None, agency_id: int | None = None,
            extra_text: dict[str, str] | None = None, large_print: bool | None = None,
            window: EnvelopeWindow | None = None) -> Prepared:
    case = records.case
    try:
        spec = load_template(template_name)
    except TemplateError as exc:
        raise LetterRefused(str(exc)) from None
    reason = why_not(records, template_name)
    if reason:
        raise LetterRefused(f"The {label_of(template_name)} letter cannot be produced for {case.reference}: "
                            f"{reason}.")
    settings, cal, today = ctx.settings(), ctx.calendar(), ctx.today()
    refuse_placeholders(settings.council)
    agency = _agency(session, records, spec, agency_id)
    to = opcc_recipient(settings) if spec.to == "opcc" else _recipient(session, records, spec, recipient, agency)
    values = common_values(records, settings, today, to)
    values.update(template_values(template_name, records, settings, cal, today, agency=agency))
    values.update(_contact_values(session, ctx, case.officer, settings.council, records.users))
    revised = _merge_extra(values, extra_text or {}, template_name, today)
    if template_name == "update":  # the officer's own words about this case, when given
        values["has_update_text"] = bool(str(values.get("update_text") or "").strip())
    _require_contact(values, template_name, case.officer or ctx.actor)
    if large_print is None:
        needs = (to.person.accessibility_needs or "") if to.person else ""
        large_print = "large print" in needs.casefold().replace("-", " ")
    reference = str(values.get("meeting_reference") or case.reference) \
        if template_name == "panel-member-invitation" else case.reference
    request = LetterRequest(template_name, values, settings.council, reference, today, to.lines,
                            Contact(str(values["contact_name"]), str(values["contact_phone"]),
                                    str(values["contact_email"])),
                            large_print=large_print, signatory_role=str(values["contact_job_title"]),
                            window=window or EnvelopeWindow())
    return Prepared(request, spec, to, agency, revised, values.get("request_id"),
                    values.get("new_return_by") if template_name == "agency-reminder" else None)


def _agency(session: Session, records: CaseRecords, spec: LetterTemplate, agency_id: int | None) -> Agency | None:
    if spec.to != "agency":
        return None
    if agency_id is None:
        names = sorted(records.agencies[a].name for a in records.involved_agencies() if a in records.agencies)
        hint = f" (involved in this case: {', '.join(names)})" if names else ""
        raise LetterRefused(f"Choose the agency this letter is for{hint}.")
    agency = records.agencies.get(agency_id) or session.get(Agency, agency_id)
    if agency is None:
        raise NotFound("That agency is not in the directory.")
    reason = why_not_for_agency(records, spec.name, agency)
    if reason:
        raise LetterRefused(f"The {label_of(spec.name)} letter cannot go to {agency.name}: {reason}.")
    return agency


def addressee(agency: Agency) -> AgencyContact | None:
    """The named person agency letters go to: the contact marked for letters, else the first one."""
    contacts = sorted(agency.contacts, key=lambda c: c.id)
    return next((c for c in contacts if c.receives_letters), None) or (contacts[0] if contacts else None)


def agency_letter_recipient(agency: Agency, named: str | None, template: str) -> Recipient:
    """The named contact at the agency's postal address, or a refusal saying what to add to the directory."""
    contact = None if named else addressee(agency)
    missing = []
    if not (agency.address or "").strip():
        missing.append("its postal address")
    if not (agency.postcode or "").strip():
        missing.append("its postcode")
    if not named and contact is None:
        missing.append("a named contact to write to")
    if missing:
        what = missing[0] if len(missing) == 1 else ", ".join(missing[:-1]) + " and " + missing[-1]
        raise LetterRefused(
            f"The {label_of(template)} letter to {agency.name} needs {what}, which the agency directory does not "
            f"have. Add {'it' if len(missing) == 1 else 'them'} under Agencies ({agency.name}), or with "
            f"`community-trigger agencies set \"{agency.name}\" --address \"LINE|LINE\" --postcode P --contact NAME "
            "--contact-role ROLE`, then make the letter again.")
    return agency_recipient(agency, contact, named)


def _recipient(session: Session, records: CaseRecords, spec: LetterTemplate, name: str | None,
               agency: Agency | None) -> Recipient:
    case, parties = records.case, records.parties
    wanted = (name or "").strip()
    if spec.to == "agency" and agency is not None:
        return agency_letter_recipient(agency, wanted or None, spec.name)
    if spec.to == "panel member":
        planned = records.planned_review()
        attendees = records.attendees.get(planned[1].id, []) if planned else []
        for a in attendees:
            if a.name.casefold() == wanted.casefold():
                return attendee_recipient(a, records.agencies.get(a.agency_id) if a.agency_id else None)
        contact = session.scalar(select(AgencyContact).where(AgencyContact.panel_member.is_(True))
                                 .where(func.lower(AgencyContact.name) == wanted.casefold())) if wanted else None
        if contact is not None:
            agency_row = records.agencies.get(contact.agency_id)
            if agency_row is not None:
                return agency_letter_recipient(agency_row, contact.name, spec.name)
        listed = ", ".join(a.name for a in attendees) or "nobody recorded yet"
        raise LetterRefused(f"Name the panel member this invitation is for (on the panel: {listed}).")
    victim = parties.victim if parties.third_party else None
    if spec.to == "victim":
        if victim is None:
            raise LetterRefused(f"The {label_of(spec.name)} letter is for a victim someone else applied for.")
        if wanted and not _is(victim, wanted):
            raise LetterRefused(f"The {label_of(spec.name)} letter goes to the victim, {victim.display_name}.")
        return person_recipient(victim, RECIPIENT_VICTIM)
    if wanted and victim is not None and _is(victim, wanted):
        if spec.to == "applicant or victim":
            return person_recipient(victim, RECIPIENT_VICTIM)
        raise LetterRefused(
            f"The {label_of(spec.name)} letter goes to the applicant, {case.applicant.display_name}, not to the "
            f"victim. To write to {victim.display_name}, use the letter asking the victim for consent, or the "
            "invitation to the panel.")
    if wanted and not _is(case.applicant, wanted):
        names = " or ".join(p.display_name for p in (case.applicant, victim) if p is not None
                            and (p is case.applicant or spec.to == "applicant or victim"))
        raise LetterRefused(f"This letter goes to {names}.")
    return person_recipient(case.applicant, RECIPIENT_APPLICANT)


def _is(person: Any, name: str) -> bool:
    wanted = name.casefold()
    return wanted in {person.display_name.casefold(),
                      " ".join(filter(None, (person.first_name, person.last_name))).casefold()}


def _contact_values(session: Session, ctx: ServiceContext, officer: str | None,
                    council: CouncilDetails, users: dict[str, User] | None = None) -> dict[str, Any]:
    """The named contact officer: the case officer from the user list, else the signed-in user."""
    user = contact_user(session, [officer, ctx.actor], users)
    if user is None:
        return {}  # the officer may give contact_name etc. in extra_text; else the letter says what is missing
    return {"contact_name": user.display_name, "contact_phone": (user.phone or council.phone).replace(" ", "\u00a0"),
            "contact_email": user.email or council.email, "contact_job_title": (user.job_title or "").strip() or None}


def _require_contact(values: dict[str, Any], template: str, who: str) -> None:
    """Every letter names its contact officer, and signs with their name and job title (letters.md)."""
    if any(not str(values.get(key) or "").strip() for key in _CONTACT_KEYS):
        raise LetterRefused(
            f"The {label_of(template)} letter needs a named contact officer with a phone number and an email "
            f"address, and {who} has none in the user list. Add them under Settings (Your details), or give "
            "the contact officer's name, phone and email in the letter's form.")
    if not str(values.get("contact_job_title") or "").strip():
        raise LetterRefused(
            f"The {label_of(template)} letter is signed with the contact officer's name and job title, and no job "
            f"title is recorded for {values['contact_name']}. Add it under Settings (Your details), or give "
            "contact_job_title in the letter's form.")


def _merge_extra(values: dict[str, Any], extra: dict[str, str], template: str, today: date) -> date | None:
    """Add the officer's own words; refuse any that would replace a value from the case record."""
    clashes = [k for k in extra if values.get(k) not in (None, "")]
    if clashes:
        raise LetterRefused(f"{', '.join(sorted(clashes))} comes from the case record and cannot be "
                            "replaced in the letter.")
    values.update({k: v.strip() for k, v in extra.items() if v is not None and str(v).strip()})
    if template != "delay":
        return None
    if "new_date" not in values:
        raise LetterRefused("The delay letter needs the new date by which we will write with the findings: "
                            "type it in the letter's form (new_date).")
    try:
        new_date = parse_uk_or_iso(str(values["new_date"]))
    except ValueError as exc:
        raise LetterRefused(f"The new date in the delay letter: {exc}.") from None
    if new_date <= today:
        raise LetterRefused("The new date in the delay letter must be after today.")
    values["new_date"] = new_date
    return new_date


def user_name(session: Session, login: str) -> str | None:
    """A user's own name, when the user list has one that is more than the login."""
    user = session.scalar(select(User).where(func.lower(User.login) == login.casefold()))
    name = (user.display_name or "").strip() if user else ""
    return name if name and name.casefold() != login.casefold() else None


def opcc_recipient(settings: Any) -> Recipient:
    """The Police and Crime Commissioner's office, from the settings; refused without its address."""
    opcc = settings.opcc
    if not opcc.address_lines:
        raise LetterRefused("The Police and Crime Commissioner's office has no address yet: an administrator sets "
                            "it in Settings, or with `community-trigger settings set opcc.address=\"LINE|LINE\" "
                            "opcc.postcode=...`.")
    lines = (opcc.name, *opcc.address_lines, *((opcc.postcode,) if opcc.postcode else ()))
    return Recipient(opcc.name, lines, "Sir or Madam")
