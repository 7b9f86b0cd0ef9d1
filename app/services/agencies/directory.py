"""The agency directory: the default list, matching "reported to" names, and creating and editing agencies.

Linking unmatched names to agencies and recounting the cases lives in app.services.agencies.links, and
matching a name as written in app.services.agencies.matching; their public names are re-exported here
for the callers that import them from this module.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.db.models import Agency, AgencyAlias, AgencyContact, Incident
from app.db.models.base import utcnow
from app.domain.application import Problem
from app.domain.roles import Permission, Role
from app.services.common import audit
from app.services.agencies.links import LinkResult, link_incident_to_agency, link_name_to_agency, link_unmatched
from app.services.agencies.links import reassess, unmatched_reported_to
from app.services.agencies.matching import AgencyDirectory, AgencyMatcher
from app.services.agencies.names import keys_of, lock_directory, match_key, taken_names, tidy
from app.services.common.concurrency import apply_changes, load_for_change
from app.services.common.context import ServiceContext, retry_read
from app.services.common.errors import NotFound, PermissionDenied, ValidationFailed
from app.services.common.ops import NOTHING, Changes, Part

__all__ = ["AGENCY_KINDS", "DEFAULT_AGENCIES", "AgencyDetail", "AgencyDirectory", "AgencyInfo", "AgencyInput",
           "AgencyMatcher", "AliasDetail", "Contact", "ContactInput", "LinkResult", "agency_kinds",
           "deactivate_agency", "get_agency", "link_incident_to_agency", "link_name_to_agency", "list_agencies",
           "list_agency_details", "reactivate_agency", "save_agency", "seed_default_agencies", "set_agency_details",
           "unmatched_reported_to"]

# application-format.md: the default directory created with every new database. It has no aliases:
# a short name such as "the council" is matched only once an officer adds it (from the case page or
# the directory), so that nothing is counted on a guess.
DEFAULT_AGENCIES: tuple[tuple[str, str, bool, tuple[str, ...]], ...] = (
    ("Kent Police", "police", True, ()),
    ("Tunbridge Wells Borough Council", "council", True, ()),
    ("Town and Country Housing", "registered provider of social housing", True, ()),
    ("Clarion Housing", "registered provider of social housing", True, ()),
    ("NHS Kent and Medway", "health (integrated care board)", True, ()),
    ("Kent County Council", "other partner (county council)", False, ()),
    ("Kent Fire and Rescue Service", "other partner", False, ()),
)
AGENCY_KINDS: tuple[str, ...] = tuple(dict.fromkeys(kind for _, kind, _, _ in DEFAULT_AGENCIES))
_LIMITS = {"name": 200, "kind": 80, "email": 200, "phone": 40, "role": 120, "postcode": 12}


@dataclass(frozen=True)
class AgencyInfo:
    id: int
    name: str
    kind: str
    relevant_body: bool
    aliases: tuple[str, ...]
    version: int
    active: bool = True


@dataclass(frozen=True)
class AliasDetail:
    id: int
    alias: str


@dataclass(frozen=True)
class Contact:
    """A named person at an agency; id None for one not saved yet."""

    name: str = ""
    role: str = ""
    email: str = ""
    phone: str = ""
    panel_member: bool = False
    id: int | None = None
    receives_letters: bool = False  # agency letters are addressed to this person


ContactInput = Contact


@dataclass(frozen=True)
class AgencyInput:
    name: str
    kind: str = ""
    relevant_body: bool = False
    email: str = ""
    phone: str = ""
    address: str = ""
    aliases: tuple[str, ...] = ()
    contacts: tuple[Contact, ...] = ()
    active: bool = True
    postcode: str = ""  # the postal address is `address` (one line each) and this postcode


@dataclass(frozen=True)
class AgencyDetail:
    id: int
    name: str
    kind: str
    relevant_body: bool
    email: str
    phone: str
    address: str
    active: bool
    aliases: tuple[AliasDetail, ...]
    contacts: tuple[Contact, ...]
    version: int
    updated_by: str
    updated_at: datetime
    postcode: str = ""
    changes: Changes = NOTHING  # what saving it changed (cases re-assessed, the directory)

    @property
    def alias_names(self) -> tuple[str, ...]:
        return tuple(a.alias for a in self.aliases)

    @property
    def letters_contact(self) -> Contact | None:
        """Who agency letters go to: the contact marked for letters, else the first."""
        return next((c for c in self.contacts if c.receives_letters), None) or \
            (self.contacts[0] if self.contacts else None)

    def as_input(self) -> AgencyInput:
        return AgencyInput(self.name, self.kind, self.relevant_body, self.email, self.phone, self.address,
                           self.alias_names, self.contacts, self.active, self.postcode)

    def to_json(self) -> dict[str, Any]:
        contact = self.letters_contact
        return {"name": self.name, "kind": self.kind, "relevant_body": self.relevant_body, "active": self.active,
                "address_lines": [line for line in self.address.splitlines() if line.strip()],
                "postcode": self.postcode or None, "email": self.email or None, "phone": self.phone or None,
                "letters_to": {"name": contact.name, "role": contact.role or None} if contact else None,
                "contacts": [{"name": c.name, "role": c.role or None, "email": c.email or None,
                              "phone": c.phone or None, "panel_member": c.panel_member,
                              "receives_letters": c.receives_letters} for c in self.contacts],
                "aliases": list(self.alias_names)}


def seed_default_agencies(session: Session) -> None:
    for name, kind, relevant, aliases in DEFAULT_AGENCIES:
        agency = Agency(name=name, kind=kind, relevant_body=relevant, updated_by="set-up")
        agency.aliases = [AgencyAlias(alias=a) for a in aliases]
        session.add(agency)
    session.flush()


@retry_read
def list_agencies(ctx: ServiceContext) -> list[AgencyInfo]:
    ctx.require(Permission.VIEW)
    with ctx.reading() as session:
        rows = session.scalars(select(Agency).order_by(func.lower(Agency.name))).all()
        return [AgencyInfo(a.id, a.name, a.kind, a.relevant_body, tuple(x.alias for x in a.aliases),
                           a.version, a.active) for a in rows]


@retry_read
def agency_kinds(ctx: ServiceContext) -> list[str]:
    """The kinds of the default directory, then any other kind already typed."""
    ctx.require(Permission.VIEW)
    with ctx.reading() as session:
        used = session.scalars(select(Agency.kind).distinct()).all()
    return list(dict.fromkeys([*AGENCY_KINDS, *sorted(k for k in used if k)]))


@retry_read
def get_agency(ctx: ServiceContext, agency_id: int) -> AgencyDetail:
    ctx.require(Permission.VIEW)
    with ctx.reading() as session:
        agency = session.get(Agency, agency_id)
        if agency is None:
            raise NotFound("That agency no longer exists.")
        return _detail(agency)


def _detail(a: Agency) -> AgencyDetail:
    return AgencyDetail(
        a.id, a.name, a.kind, a.relevant_body, a.email or "", a.phone or "", a.address or "", a.active,
        tuple(AliasDetail(x.id, x.alias) for x in sorted(a.aliases, key=lambda x: x.id)),
        tuple(Contact(c.name, c.role or "", c.email or "", c.phone or "", c.panel_member, c.id, c.receives_letters)
              for c in sorted(a.contacts, key=lambda c: c.id)),
        a.version, a.updated_by, a.updated_at, a.postcode or "")


# --- checking and saving ---------------------------------------------------------------------------

def _check(values: AgencyInput, taken: dict[str, str]) -> list[Problem]:
    p: list[Problem] = []

    def length(where: str, value: str, limit: int) -> None:
        if len(value) > limit:
            p.append(Problem(where, f"keep it to {limit} characters (it has {len(value)})"))

    if not values.name:
        p.append(Problem("name", "give the agency's name"))
    for where, value in [("name", values.name)] + [("aliases", a) for a in values.aliases]:
        if match_key(value) in taken:
            p.append(Problem(where, f"“{value}” is already {taken[match_key(value)]}"))
        length(where, value, _LIMITS["name"])
    for where in ("kind", "email", "phone", "postcode"):
        length(where, getattr(values, where), _LIMITS[where])
    if sum(c.receives_letters for c in values.contacts) > 1:
        p.append(Problem("contacts", "letters go to one named contact: tick 'Letters go to' for one person only"))
    if values.email and "@" not in values.email:
        p.append(Problem("email", "an email address needs an @, such as asb@example.gov.uk"))
    for n, c in enumerate(values.contacts):
        if not c.name:
            p.append(Problem(f"contacts[{n}].name", "a name is needed"))
        if c.email and "@" not in c.email:
            p.append(Problem(f"contacts[{n}].email", "an email address needs an @"))
        for where in ("name", "role", "email", "phone"):
            length(f"contacts[{n}].{where}", getattr(c, where), _LIMITS[where])
    return p


def _cleaned(values: AgencyInput) -> AgencyInput:
    aliases: dict[str, str] = {}
    for alias in map(tidy, values.aliases):
        if alias and match_key(alias) != match_key(values.name):  # its own name needs no alias
            aliases.setdefault(match_key(alias), alias)
    contacts = tuple(replace(c, name=tidy(c.name), role=tidy(c.role), email=c.email.strip(),
                             phone=tidy(c.phone)) for c in values.contacts)
    address = "\n".join(line.strip() for line in values.address.splitlines() if line.strip())
    return replace(values, name=tidy(values.name), kind=tidy(values.kind), email=values.email.strip(),
                   phone=tidy(values.phone), address=address, postcode=tidy(values.postcode).upper(),
                   aliases=tuple(aliases.values()), contacts=contacts)


def _sync_aliases(agency: Agency, wanted: Iterable[str]) -> tuple[str, str] | None:
    before = sorted(a.alias for a in agency.aliases)
    by_key = {match_key(a): a for a in wanted}
    kept = [a for a in agency.aliases if match_key(a.alias) in by_key]
    for row in kept:
        row.alias = by_key.pop(match_key(row.alias))  # a change of spelling keeps the row
    agency.aliases = kept + [AgencyAlias(alias=a) for a in by_key.values()]
    after = sorted(a.alias for a in agency.aliases)
    return ("; ".join(before), "; ".join(after)) if before != after else None


def _sync_contacts(agency: Agency, wanted: Iterable[Contact]) -> tuple[str, str] | None:
    def described(rows: Iterable[Any]) -> str:
        return "; ".join(f"{c.name}, {c.role or '-'}, {c.email or '-'}, {c.phone or '-'}"
                         f"{', panel member' if c.panel_member else ''}"
                         f"{', letters go to them' if c.receives_letters else ''}" for c in rows)

    before = described(sorted(agency.contacts, key=lambda c: c.id))
    existing = {c.id: c for c in agency.contacts}
    rows: list[AgencyContact] = []
    for c in wanted:
        row = (existing.pop(c.id, None) if c.id is not None else None) or AgencyContact()
        row.name, row.role, row.email = c.name, c.role or None, c.email or None
        row.phone, row.panel_member = c.phone or None, c.panel_member
        row.receives_letters = c.receives_letters
        rows.append(row)
    agency.contacts = rows
    after = described(rows)
    return (before, after) if before != after else None


def save_agency(ctx: ServiceContext, agency_id: int | None, expected_version: int | None,
                values: AgencyInput) -> AgencyDetail:
    """Create (agency_id None) or change an agency; refuses if anyone saved it since it was opened.

    A change of relevance re-assesses every case with an incident reported to it; a new name or
    alias links the incidents whose unmatched "reported to" it now matches; in the same transaction.
    """
    ctx.require(Permission.EDIT_AGENCIES)  # it re-assesses cases: a read-only user changes no outcome
    values = _cleaned(values)
    settings, calendar = ctx.settings(), ctx.calendar()
    with ctx.unit_of_work() as session:
        lock_directory(session, ctx)
        if agency_id is None:
            agency, before_keys = Agency(), set()
            session.add(agency)
        else:
            if expected_version is None:
                raise ValueError("an existing agency is saved with the version the user opened")
            name = session.scalar(select(Agency.name).where(Agency.id == agency_id))
            agency = load_for_change(session, Agency, agency_id, expected_version, name or "This agency")
            before_keys = keys_of(agency)
        problems = _check(values, taken_names(session, agency_id))
        if problems:
            raise ValidationFailed(problems)
        with session.no_autoflush:
            changed = apply_changes(agency, {
                "name": values.name, "kind": values.kind, "relevant_body": values.relevant_body,
                "email": values.email or None, "phone": values.phone or None,
                "address": values.address or None, "postcode": values.postcode or None,
                "active": values.active}, ctx.actor)
            for field, difference in (("aliases", _sync_aliases(agency, values.aliases)),
                                      ("contacts", _sync_contacts(agency, values.contacts))):
                if difference:
                    changed[field] = difference
        if not changed:
            return _detail(agency)  # nothing to save, nothing changed
        # Child rows alone would not touch the agency row: stamp it, so that its version moves too.
        agency.updated_by, agency.updated_at = ctx.actor, utcnow()
        session.flush()
        _count, linked = link_unmatched(session, ctx, agency, keys_of(agency) - before_keys)
        cases = set(linked)
        if agency_id is not None and "relevant_body" in changed:
            cases |= set(session.scalars(select(Incident.case_id).where(Incident.agency_id == agency.id)
                                         .distinct()))
        entry = audit.record(session, ctx, "create" if agency_id is None else "change", "agency", agency.id,
                             changes=changed, reason=f"{len(cases)} case(s) re-assessed" if cases else None)
        reassess(session, ctx, settings, calendar, cases, linked,
                 f"agency {agency.name}: {', '.join(sorted(changed))} changed", entry.db_user)
        session.flush()
        session.refresh(agency)
        return replace(_detail(agency), changes=Changes.of_cases(cases) | Changes.of(Part.AGENCIES))


def deactivate_agency(ctx: ServiceContext, agency_id: int, expected_version: int) -> AgencyDetail:
    """Agencies are never deleted once used: an inactive one stays on its cases (and still counts
    there) but is no longer offered for matching "reported to" names."""
    ctx.require(Permission.EDIT_AGENCIES)
    with ctx.unit_of_work():  # read and saved in one transaction; save_agency checks the version
        current = get_agency(ctx, agency_id)
        return save_agency(ctx, agency_id, expected_version, replace(current.as_input(), active=False))


def reactivate_agency(ctx: ServiceContext, agency_id: int, expected_version: int) -> AgencyDetail:
    """Back in use: names written its way while it was inactive are linked to it."""
    ctx.require(Permission.EDIT_AGENCIES)
    with ctx.unit_of_work():
        current = get_agency(ctx, agency_id)
        return save_agency(ctx, agency_id, expected_version, replace(current.as_input(), active=True))


@retry_read
def list_agency_details(ctx: ServiceContext) -> list[AgencyDetail]:
    """Every agency with its address and contacts (the command line's `agencies list`)."""
    ctx.require(Permission.VIEW)
    with ctx.reading() as session:
        return [_detail(a) for a in session.scalars(select(Agency).order_by(func.lower(Agency.name)))]


def set_agency_details(ctx: ServiceContext, name: str, **changes: Any) -> AgencyDetail:
    """The command line's `agencies set`, found and saved in one transaction (see _set_agency_details)."""
    with ctx.unit_of_work():
        return _set_agency_details(ctx, name, **changes)


def _set_agency_details(ctx: ServiceContext, name: str, *, address_lines: list[str] | None = None,
                       postcode: str | None = None, contact: str | None = None, contact_role: str | None = None,
                       email: str | None = None, phone: str | None = None,
                       aliases: list[str] | None = None) -> AgencyDetail:
    """The command line's `agencies set`: an administrator's or a manager's change to one agency, audited.

    With `contact`, the email and phone are that person's, and agency letters go to them (the contact is
    added, or updated when a contact of that name exists); without it they are the agency's own. Aliases
    given are added to those it has.
    """
    if ctx.role not in (Role.ADMINISTRATOR, Role.MANAGER):
        who = f"{ctx.actor} ({ctx.role.label.lower()})" if ctx.role else ctx.actor
        raise PermissionDenied(f"{who} may not change the agency directory from the command line: it is an "
                               "administrator's or a manager's change. Officers can edit it under Agencies.")
    with ctx.unit_of_work() as session:  # read and saved in one transaction; save_agency checks the version
        agency = AgencyMatcher(session).match(name) or session.scalar(
            select(Agency).where(func.lower(Agency.name) == tidy(name).casefold()))
        if agency is None:
            known = ", ".join(session.scalars(select(Agency.name).order_by(Agency.name)))
            raise NotFound(f"There is no agency called '{name}' in the directory (it has: {known}).")
        return save_agency(ctx, agency.id, agency.version, _set_values(_detail(agency).as_input(), address_lines,
                                                                       postcode, contact, contact_role, email,
                                                                       phone, aliases))


def _set_values(values: AgencyInput, address_lines: list[str] | None, postcode: str | None, contact: str | None,
                contact_role: str | None, email: str | None, phone: str | None,
                aliases: list[str] | None) -> AgencyInput:
    if address_lines is not None:
        values = replace(values, address="\n".join(line.strip() for line in address_lines if line.strip()))
    if postcode is not None:
        values = replace(values, postcode=postcode)
    if contact is not None and contact.strip():
        contacts = list(values.contacts)
        key = tidy(contact).casefold()
        found = next((n for n, c in enumerate(contacts) if c.name.casefold() == key), None)
        base = contacts[found] if found is not None else Contact(name=tidy(contact))
        person = replace(base, receives_letters=True,
                         role=contact_role if contact_role is not None else base.role,
                         email=email if email is not None else base.email,
                         phone=phone if phone is not None else base.phone)
        contacts = [replace(c, receives_letters=False) for c in contacts]
        if found is None:
            contacts.append(person)
        else:
            contacts[found] = person
        values = replace(values, contacts=tuple(contacts))
    else:
        if contact_role is not None:
            raise ValidationFailed([Problem("contact_role", "give --contact NAME with --contact-role")])
        if email is not None:
            values = replace(values, email=email)
        if phone is not None:
            values = replace(values, phone=phone)
    if aliases:
        values = replace(values, aliases=tuple(dict.fromkeys([*values.aliases, *aliases])))
    return values
