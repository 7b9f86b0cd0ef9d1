"""An application as typed in or imported: plain values, and the checks every route applies."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum


class Channel(StrEnum):
    TELEPHONE = "telephone"
    POST = "post"
    ONLINE = "online"
    EMAIL = "email"
    IN_PERSON = "in_person"

    @property
    def label(self) -> str:
        return {"telephone": "Telephone", "post": "Post", "online": "Online form",
                "email": "Email", "in_person": "In person"}[self.value]


PREFERRED_CONTACT = ("email", "phone", "letter")
RELATIONSHIPS = ("family", "friend", "carer", "councillor", "mp", "professional", "other")
CONSENT_METHODS = ("verbal", "signed", "email")
# Whether the victim rents from a registered provider of social housing: it decides whether a letter
# names the Housing Ombudsman. Not asked: None.
TENURES = ("registered_provider", "private_rented", "owner", "other")


@dataclass(frozen=True)
class PersonData:
    title: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    organisation: str | None = None
    address_lines: tuple[str, ...] = ()
    postcode: str | None = None
    phone: str | None = None
    email: str | None = None
    preferred_contact: str | None = None
    date_of_birth: date | None = None
    accessibility_needs: str | None = None

    @property
    def display_name(self) -> str:
        name = " ".join(p for p in (self.title, self.first_name, self.last_name) if p)
        if self.organisation:
            return f"{name} ({self.organisation})" if name else self.organisation
        return name


@dataclass(frozen=True)
class OnBehalfData:
    victim: PersonData
    relationship: str
    victim_consent: bool
    consent_method: str | None = None
    consent_given_on: date | None = None


@dataclass(frozen=True)
class IncidentData:
    occurred_on: date | None
    reported_on: date | None
    reported_to: str = ""
    occurred_from: date | None = None
    occurred_to: date | None = None
    reported_by: str | None = None
    contact_name: str | None = None
    agency_reference: str | None = None
    how_reported: str | None = None
    location: str | None = None
    description: str | None = None
    same_problem: bool = True
    hate_incident: bool = False


@dataclass(frozen=True)
class PerpetratorData:
    name: str | None = None
    description: str | None = None
    address: str | None = None


@dataclass(frozen=True)
class ApplicationData:
    channel: Channel
    received_at: datetime
    applicant: PersonData
    incidents: tuple[IncidentData, ...]
    source_reference: str | None = None
    on_behalf_of: OnBehalfData | None = None
    consent_to_share: bool = False
    asb_types: tuple[str, ...] = ()
    problem_location: str | None = None
    alleged_perpetrators: tuple[PerpetratorData, ...] = ()
    impact: str | None = None
    vulnerability: str | None = None
    desired_outcome: str | None = None
    hate_related: bool = False
    victim_tenure: str | None = None  # one of TENURES, or None when not asked
    victim_landlord: str | None = None  # the registered provider, as named (matched to the directory)

    @property
    def received_on(self) -> date:
        return self.received_at.date()

    @property
    def waiting_for(self) -> tuple[str, ...]:
        """What stops the application going to a threshold decision, in plain words."""
        missing: list[str] = []
        if self.on_behalf_of is not None and not self.on_behalf_of.victim_consent:
            missing.append("the victim's consent to apply on their behalf")
        if not self.consent_to_share:
            missing.append("consent to share details with the other agencies")
        return tuple(missing)


@dataclass(frozen=True)
class Problem:
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.field}: {self.message}"


@dataclass
class Problems:
    items: list[Problem] = field(default_factory=list)

    def add(self, where: str, message: str) -> None:
        self.items.append(Problem(where, message))

    def __bool__(self) -> bool:
        return bool(self.items)


def check_application(app: ApplicationData, now: datetime, *, strict: bool = True) -> list[Problem]:
    """The rules an application must pass.

    An imported file is refused only for what application-format.md lists as invalid (dates missing,
    impossible or in the future, reported before it happened, no surname or organisation, no
    incidents; the channel and malformed files are the reader's). `strict` adds the checks a form
    makes while the officer can still ask the caller (an email address for email contact, how
    consent was given...): an imported application with those gaps is kept, not refused.
    """
    p = Problems()
    if app.received_at > now:
        p.add("received_at", f"the date received ({app.received_at:%d/%m/%Y}) is in the future")
    _check_person(p, "applicant", app.applicant, now.date(), strict=strict)
    if app.on_behalf_of is not None and strict:
        ob = app.on_behalf_of
        _check_person(p, "on_behalf_of.victim", ob.victim, now.date(), strict=strict)
        if ob.relationship not in RELATIONSHIPS:
            p.add("on_behalf_of.relationship", f"'{ob.relationship}' is not one of {', '.join(RELATIONSHIPS)}")
        if ob.victim_consent and ob.consent_method not in CONSENT_METHODS:
            p.add("on_behalf_of.consent_method",
                  f"say how the victim gave consent: one of {', '.join(CONSENT_METHODS)}")
        if ob.consent_given_on and ob.consent_given_on > now.date():
            p.add("on_behalf_of.consent_given_on", "the date consent was given is in the future")
    elif app.on_behalf_of is not None and app.on_behalf_of.consent_given_on \
            and app.on_behalf_of.consent_given_on > now.date():
        p.add("on_behalf_of.consent_given_on", "the date consent was given is in the future")
    if app.victim_tenure is not None and app.victim_tenure not in TENURES:
        p.add("victim_tenure", f"'{app.victim_tenure}' is not one of {', '.join(TENURES)}")
    if strict and app.victim_tenure == "registered_provider" and not (app.victim_landlord or "").strip():
        p.add("victim_landlord", "say which registered provider the victim rents from")
    if not app.incidents:
        p.add("incidents", "at least one incident is needed")
    for n, incident in enumerate(app.incidents):
        _check_incident(p, f"incidents[{n}]", incident, app.received_on, strict=strict)
    return p.items


def _check_person(p: Problems, where: str, person: PersonData, today: date, *, strict: bool = True) -> None:
    if not (person.last_name or "").strip() and not (person.organisation or "").strip():
        p.add(f"{where}.last_name", "a surname (or an organisation name) is needed; "
                                    "anonymous applications are not accepted")
    if person.date_of_birth and person.date_of_birth > today:
        p.add(f"{where}.date_of_birth", "the date of birth is in the future")
    if not strict:
        return
    if person.preferred_contact and person.preferred_contact not in PREFERRED_CONTACT:
        p.add(f"{where}.preferred_contact",
              f"'{person.preferred_contact}' is not one of {', '.join(PREFERRED_CONTACT)}")
    if person.preferred_contact == "email" and not person.email:
        p.add(f"{where}.email", "an email address is needed when email is the preferred contact")
    if person.email and "@" not in person.email:
        p.add(f"{where}.email", f"'{person.email}' is not an email address")


def _check_incident(p: Problems, where: str, incident: IncidentData, received_on: date, *,
                    strict: bool = True) -> None:
    approximate = incident.occurred_from is not None or incident.occurred_to is not None
    if incident.occurred_on is None and not approximate:
        p.add(f"{where}.occurred_on", "the date it happened is missing (give a date, or a month or range)")
    if approximate and incident.occurred_on is None:
        if incident.occurred_from is None or incident.occurred_to is None:
            p.add(f"{where}.occurred_approx", "an approximate date needs both 'from' and 'to'")
        elif incident.occurred_from > incident.occurred_to:
            p.add(f"{where}.occurred_approx", "'from' is after 'to'")
    if incident.reported_on is None:
        p.add(f"{where}.reported_on", "the date it was reported is missing")
    earliest = incident.occurred_on or incident.occurred_from
    if incident.reported_on and earliest and incident.reported_on < earliest:
        p.add(f"{where}.reported_on",
              f"reported ({incident.reported_on:%d/%m/%Y}) before it happened ({earliest:%d/%m/%Y})")
    if not strict:
        return  # an import keeps the rest: such an incident simply does not count
    if incident.occurred_on and incident.occurred_on > received_on:
        p.add(f"{where}.occurred_on", "it happened after the application was received")
    if not (incident.reported_to or "").strip():
        p.add(f"{where}.reported_to", "say which organisation it was reported to")
