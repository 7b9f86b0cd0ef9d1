"""The agency directory: the default list, matching "reported to" names, edits and linking names."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, func, insert, select, text, update
from sqlalchemy.orm import Session, lazyload

from app.db.models import Agency, AgencyAlias, AgencyContact, AuditEntry, Case, Incident
from app.db.models.base import utcnow
from app.domain.application import Problem
from app.domain.calendar import WorkingCalendar
from app.domain.clocks import next_due
from app.domain.settings import Settings
from app.services import audit
from app.services.case_facts import CaseStates
from app.services.changes import apply_changes, load_for_change
from app.services.context import ServiceContext
from app.services.errors import NotFound, ValidationFailed

# application-format.md: the default directory created with every new database.
DEFAULT_AGENCIES: tuple[tuple[str, str, bool, tuple[str, ...]], ...] = (
    ("Kent Police", "police", True, ("Police", "Kent Constabulary")),
    ("Tunbridge Wells Borough Council", "council", True, ("TWBC", "Borough Council", "The council")),
    ("Town and Country Housing", "registered provider of social housing", True, ("TCH",)),
    ("Clarion Housing", "registered provider of social housing", True, ("Clarion",)),
    ("NHS Kent and Medway", "health (integrated care board)", True, ("NHS", "Kent and Medway ICB")),
    ("Kent County Council", "other partner (county council)", False, ("KCC",)),
    ("Kent Fire and Rescue Service", "other partner", False, ("KFRS",)),
)
AGENCY_KINDS: tuple[str, ...] = tuple(dict.fromkeys(kind for _, kind, _, _ in DEFAULT_AGENCIES))
_BATCH = 2000
_DIRECTORY_LOCK = 0x43540001  # PostgreSQL advisory lock key: one directory edit at a time
_LIMITS = {"name": 200, "kind": 80, "email": 200, "phone": 40, "role": 120}


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

    @property
    def alias_names(self) -> tuple[str, ...]:
        return tuple(a.alias for a in self.aliases)

    def as_input(self) -> AgencyInput:
        return AgencyInput(self.name, self.kind, self.relevant_body, self.email, self.phone, self.address,
                           self.alias_names, self.contacts, self.active)


@dataclass(frozen=True)
class LinkResult:
    incidents_linked: int
    cases_linked: int
    cases_changed: int  # cases whose count of qualifying incidents moved


def seed_default_agencies(session: Session) -> None:
    for name, kind, relevant, aliases in DEFAULT_AGENCIES:
        agency = Agency(name=name, kind=kind, relevant_body=relevant, updated_by="set-up")
        agency.aliases = [AgencyAlias(alias=a) for a in aliases]
        session.add(agency)
    session.flush()


class AgencyMatcher:
    """Matches a name as written to an active agency by name or alias, ignoring case and spacing."""

    def __init__(self, session: Session) -> None:
        self._by_key: dict[str, Agency] = {}
        for agency in session.scalars(select(Agency).where(Agency.active.is_(True))):
            self._by_key[_key(agency.name)] = agency
            for alias in agency.aliases:
                self._by_key.setdefault(_key(alias.alias), agency)

    def match(self, written: str | None) -> Agency | None:
        return self._by_key.get(_key(written or ""))


def _key(text_: str) -> str:
    return " ".join(text_.casefold().split())


def _tidy(text_: str | None) -> str:
    return " ".join((text_ or "").split())


class AgencyDirectory:
    """The active directory as plain data, for matching while the officer types (no database call)."""

    def __init__(self, agencies: list[AgencyInfo]) -> None:
        self.agencies = [a for a in agencies if a.active]  # inactive ones are not offered
        self._by_key: dict[str, AgencyInfo] = {}
        for agency in self.agencies:
            self._by_key[_key(agency.name)] = agency
        for agency in self.agencies:
            for alias in agency.aliases:
                self._by_key.setdefault(_key(alias), agency)

    def match(self, written: str | None) -> AgencyInfo | None:
        return self._by_key.get(_key(written or ""))

    def names(self) -> list[str]:
        return [a.name for a in self.agencies]


def list_agencies(ctx: ServiceContext) -> list[AgencyInfo]:
    with ctx.unit_of_work() as session:
        rows = session.scalars(select(Agency).order_by(func.lower(Agency.name))).all()
        return [AgencyInfo(a.id, a.name, a.kind, a.relevant_body, tuple(x.alias for x in a.aliases),
                           a.version, a.active) for a in rows]


def agency_kinds(ctx: ServiceContext) -> list[str]:
    """The kinds of the default directory, then any other kind already typed."""
    with ctx.unit_of_work() as session:
        used = session.scalars(select(Agency.kind).distinct()).all()
    return list(dict.fromkeys([*AGENCY_KINDS, *sorted(k for k in used if k)]))


def get_agency(ctx: ServiceContext, agency_id: int) -> AgencyDetail:
    with ctx.unit_of_work() as session:
        agency = session.get(Agency, agency_id)
        if agency is None:
            raise NotFound("That agency no longer exists.")
        return _detail(agency)


def _detail(a: Agency) -> AgencyDetail:
    return AgencyDetail(
        a.id, a.name, a.kind, a.relevant_body, a.email or "", a.phone or "", a.address or "", a.active,
        tuple(AliasDetail(x.id, x.alias) for x in sorted(a.aliases, key=lambda x: x.id)),
        tuple(Contact(c.name, c.role or "", c.email or "", c.phone or "", c.panel_member, c.id)
              for c in sorted(a.contacts, key=lambda c: c.id)),
        a.version, a.updated_by, a.updated_at)


# --- checking and saving ---------------------------------------------------------------------------

def _lock_directory(session: Session, ctx: ServiceContext) -> None:
    # Names and aliases are unique ignoring case and spacing, which no index enforces: serialise
    # the (rare) directory edits on the shared server. SQLite serialises writers by itself.
    if ctx.dialect == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _DIRECTORY_LOCK})


def _taken(session: Session, agency_id: int | None) -> dict[str, str]:
    """Every other agency's name and aliases by match key, with words saying whose they are."""
    with session.no_autoflush:
        agencies = session.execute(select(Agency.id, Agency.name, Agency.active)).all()
        aliases = session.execute(select(AgencyAlias.agency_id, AgencyAlias.alias)).all()
    whose = {i: name + ("" if active else " (inactive)") for i, name, active in agencies}
    taken = {_key(name): f"the name of {whose[i]}" for i, name, _active in agencies if i != agency_id}
    for i, alias in aliases:
        if i != agency_id:
            taken.setdefault(_key(alias), f"another name for {whose[i]}")
    return taken


def _check(values: AgencyInput, taken: dict[str, str]) -> list[Problem]:
    p: list[Problem] = []

    def length(where: str, value: str, limit: int) -> None:
        if len(value) > limit:
            p.append(Problem(where, f"keep it to {limit} characters (it has {len(value)})"))

    if not values.name:
        p.append(Problem("name", "give the agency's name"))
    for where, value in [("name", values.name)] + [("aliases", a) for a in values.aliases]:
        if _key(value) in taken:
            p.append(Problem(where, f"“{value}” is already {taken[_key(value)]}"))
        length(where, value, _LIMITS["name"])
    for where in ("kind", "email", "phone"):
        length(where, getattr(values, where), _LIMITS[where])
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
    for alias in map(_tidy, values.aliases):
        if alias and _key(alias) != _key(values.name):  # its own name needs no alias
            aliases.setdefault(_key(alias), alias)
    contacts = tuple(replace(c, name=_tidy(c.name), role=_tidy(c.role), email=c.email.strip(),
                             phone=_tidy(c.phone)) for c in values.contacts)
    return replace(values, name=_tidy(values.name), kind=_tidy(values.kind), email=values.email.strip(),
                   phone=_tidy(values.phone), address=values.address.strip(),
                   aliases=tuple(aliases.values()), contacts=contacts)


def _keys(agency: Agency) -> set[str]:
    """The match keys an agency answers to: none while it is inactive (it is not offered)."""
    return {_key(agency.name)} | {_key(a.alias) for a in agency.aliases} if agency.active else set()


def _sync_aliases(agency: Agency, wanted: Iterable[str]) -> tuple[str, str] | None:
    before = sorted(a.alias for a in agency.aliases)
    by_key = {_key(a): a for a in wanted}
    kept = [a for a in agency.aliases if _key(a.alias) in by_key]
    for row in kept:
        row.alias = by_key.pop(_key(row.alias))  # a change of spelling keeps the row
    agency.aliases = kept + [AgencyAlias(alias=a) for a in by_key.values()]
    after = sorted(a.alias for a in agency.aliases)
    return ("; ".join(before), "; ".join(after)) if before != after else None


def _sync_contacts(agency: Agency, wanted: Iterable[Contact]) -> tuple[str, str] | None:
    def described(rows: Iterable[Any]) -> str:
        return "; ".join(f"{c.name}, {c.role or '-'}, {c.email or '-'}, {c.phone or '-'}"
                         f"{', panel member' if c.panel_member else ''}" for c in rows)

    before = described(sorted(agency.contacts, key=lambda c: c.id))
    existing = {c.id: c for c in agency.contacts}
    rows: list[AgencyContact] = []
    for c in wanted:
        row = existing.pop(c.id, None) or AgencyContact()
        row.name, row.role, row.email = c.name, c.role or None, c.email or None
        row.phone, row.panel_member = c.phone or None, c.panel_member
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
    values = _cleaned(values)
    settings, calendar = ctx.settings(), ctx.calendar()
    with ctx.unit_of_work() as session:
        _lock_directory(session, ctx)
        if agency_id is None:
            agency, before_keys = Agency(), set()
            session.add(agency)
        else:
            if expected_version is None:
                raise ValueError("an existing agency is saved with the version the user opened")
            name = session.scalar(select(Agency.name).where(Agency.id == agency_id))
            agency = load_for_change(session, Agency, agency_id, expected_version, name or "This agency")
            before_keys = _keys(agency)
        problems = _check(values, _taken(session, agency_id))
        if problems:
            raise ValidationFailed(problems)
        with session.no_autoflush:
            changed = apply_changes(agency, {
                "name": values.name, "kind": values.kind, "relevant_body": values.relevant_body,
                "email": values.email or None, "phone": values.phone or None,
                "address": values.address or None, "active": values.active}, ctx.actor)
            for field, difference in (("aliases", _sync_aliases(agency, values.aliases)),
                                      ("contacts", _sync_contacts(agency, values.contacts))):
                if difference:
                    changed[field] = difference
        if not changed:
            return _detail(agency)
        # Child rows alone would not touch the agency row: stamp it, so that its version moves too.
        agency.updated_by, agency.updated_at = ctx.actor, utcnow()
        session.flush()
        _count, linked = _link_unmatched(session, ctx, agency, _keys(agency) - before_keys)
        cases = set(linked)
        if agency_id is not None and "relevant_body" in changed:
            cases |= set(session.scalars(select(Incident.case_id).where(Incident.agency_id == agency.id)
                                         .distinct()))
        entry = audit.record(session, ctx, "create" if agency_id is None else "change", "agency", agency.id,
                             changes=changed, reason=f"{len(cases)} case(s) re-assessed" if cases else None)
        _reassess(session, ctx, settings, calendar, cases, linked,
                  f"agency {agency.name}: {', '.join(sorted(changed))} changed", entry.db_user)
        session.flush()
        session.refresh(agency)
        return _detail(agency)


def deactivate_agency(ctx: ServiceContext, agency_id: int, expected_version: int) -> AgencyDetail:
    """Agencies are never deleted once used: an inactive one stays on its cases (and still counts
    there) but is no longer offered for matching "reported to" names."""
    current = get_agency(ctx, agency_id)  # save_agency's version check refuses a stale one
    return save_agency(ctx, agency_id, expected_version, replace(current.as_input(), active=False))


def reactivate_agency(ctx: ServiceContext, agency_id: int, expected_version: int) -> AgencyDetail:
    """Back in use: names written its way while it was inactive are linked to it."""
    current = get_agency(ctx, agency_id)
    return save_agency(ctx, agency_id, expected_version, replace(current.as_input(), active=True))


# --- names that match no agency ----------------------------------------------------------------------

def unmatched_reported_to(ctx: ServiceContext) -> list[tuple[str, int]]:
    """Each "reported to" name (ignoring case and spacing) that no agency answers to, with how many
    incidents use it; most used first. Blank names are left out: there is nothing to link."""
    with ctx.unit_of_work() as session:
        rows = session.execute(select(Incident.reported_to, func.count()).where(Incident.agency_id.is_(None))
                               .group_by(Incident.reported_to)).all()
    totals: dict[str, list[Any]] = {}
    for written, count in sorted(rows, key=lambda r: -r[1]):
        if _key(written or ""):
            entry = totals.setdefault(_key(written), [_tidy(written), 0])  # the commonest spelling
            entry[1] += count
    return sorted(((name, n) for name, n in totals.values()), key=lambda r: (-r[1], r[0].casefold()))


def link_incident_to_agency(ctx: ServiceContext, incident_id: int, agency_id: int, *,
                            add_alias: bool = False) -> None:
    """Link one incident whose "reported to" was not matched. With add_alias the name as written
    becomes another name of the agency, so that every incident written that way (now and in future
    imports) is linked too. The affected cases' threshold indicators are recomputed."""
    _link(ctx, agency_id, incident_id=incident_id, add_alias=add_alias)


def link_name_to_agency(ctx: ServiceContext, written: str, agency_id: int) -> LinkResult:
    """Make a name as written another name of the agency and link every unmatched incident written
    that way; the cases' threshold indicators are recomputed in the same transaction."""
    return _link(ctx, agency_id, written=written, add_alias=True)


def _link(ctx: ServiceContext, agency_id: int, *, incident_id: int | None = None, written: str = "",
          add_alias: bool) -> LinkResult:
    settings, calendar = ctx.settings(), ctx.calendar()
    with ctx.unit_of_work() as session:
        _lock_directory(session, ctx)
        agency = session.get(Agency, agency_id, populate_existing=True)
        if agency is None:
            raise NotFound("That agency no longer exists.")
        if not agency.active:
            raise ValidationFailed([Problem("agency", f"{agency.name} is inactive: make it active first")])
        linked: set[int] = set()
        count = 0
        db_user: str | None = None
        if incident_id is not None:
            incident = session.get(Incident, incident_id, populate_existing=True, with_for_update=True)
            if incident is None:
                raise NotFound("That incident no longer exists.")
            if incident.agency_id not in (None, agency.id):
                raise ValidationFailed([Problem("agency", "this incident is already linked to another agency")])
            written = incident.reported_to
            changes = apply_changes(incident, {"agency_id": agency.id}, ctx.actor)
            if changes:
                linked, count = {incident.case_id}, 1
                session.flush()
                db_user = audit.record(session, ctx, "link agency", "incident", incident.id,
                                       case_id=incident.case_id, changes=changes,
                                       reason=f"“{_tidy(written)}” is {agency.name}").db_user
        written = _tidy(written)
        if add_alias:
            if not _key(written):
                raise ValidationFailed([Problem("alias", "there is no name as written to add")])
            change = _add_alias(session, ctx, agency, written)
            more, cases = _link_unmatched(session, ctx, agency, {_key(written)})
            count, linked = count + more, linked | cases
            db_user = audit.record(session, ctx, "link agency", "agency", agency.id,
                                   changes={"aliases": change} if change else None,
                                   reason=f"“{written}” linked: {count} incident(s) in {len(linked)} case(s)"
                                   ).db_user
        moved = _reassess(session, ctx, settings, calendar, linked, linked,
                          f"“{written}” linked to {agency.name}", db_user)
        return LinkResult(count, len(linked), moved)


def _add_alias(session: Session, ctx: ServiceContext, agency: Agency, written: str) -> tuple[str, str] | None:
    """The name as written becomes an alias, unless the agency answers to it already."""
    if _key(written) in _keys(agency):
        return None
    taken = _taken(session, agency.id)
    if _key(written) in taken:
        raise ValidationFailed([Problem("alias", f"“{written}” is already {taken[_key(written)]}")])
    before = "; ".join(sorted(a.alias for a in agency.aliases))
    agency.aliases.append(AgencyAlias(alias=written))
    agency.updated_by, agency.updated_at = ctx.actor, utcnow()  # its version moves: open forms must reload
    session.flush()
    return before, "; ".join(sorted(a.alias for a in agency.aliases))


def _link_unmatched(session: Session, ctx: ServiceContext, agency: Agency,
                    keys: set[str]) -> tuple[int, set[int]]:
    """Link every unmatched incident whose name as written has one of these keys: (incidents, cases)."""
    names = session.scalars(select(Incident.reported_to).where(Incident.agency_id.is_(None)).distinct())
    written = [w for w in names if _key(w or "") in keys - {""}]
    if not written:
        return 0, set()
    table = Incident.__table__
    where = (table.c.agency_id.is_(None), table.c.reported_to.in_(written))
    cases = set(session.scalars(select(table.c.case_id).where(*where).distinct()))
    done = session.execute(update(table).where(*where).values(
        agency_id=agency.id, version=table.c.version + 1, updated_by=ctx.actor, updated_at=utcnow()))
    return done.rowcount, cases


def _reassess(session: Session, ctx: ServiceContext, settings: Settings, calendar: WorkingCalendar,
              case_ids: set[int], linked: set[int], reason: str, db_user: str | None) -> int:
    """Recompute the case list's summary columns of many cases (a fixed number of queries per 2,000
    cases) and audit each case whose incidents were linked or whose count moved; returns how many moved.

    A plain UPDATE that leaves the case's version alone: nothing the officer typed on the case
    changed, so an officer with the case open must not be told that someone else edited it.
    """
    session.flush()
    ids, table, moved = sorted(case_ids), Case.__table__, 0
    entries: list[dict[str, Any]] = []
    for start in range(0, len(ids), _BATCH):
        chunk = ids[start:start + _BATCH]
        cases = session.scalars(select(Case).where(Case.id.in_(chunk)).execution_options(populate_existing=True)
                                .options(lazyload(Case.applicant), lazyload(Case.victim),
                                         lazyload(Case.problem_location))).all()
        states = CaseStates(session, settings, calendar, chunk)
        rows = []
        for case in cases:
            state = states.state(case)
            first = next_due(state.clocks)
            new = {"b_due": first.due if first else None, "b_clock": first.clock.value if first else None,
                   "b_count": state.threshold.qualifying_incidents}
            if (case.next_due_on, case.next_clock, case.qualifying_incidents) != tuple(new.values()):
                rows.append({"b_id": case.id, **new})
            count_moved = case.qualifying_incidents != new["b_count"]
            moved += count_moved
            fields = ["incidents.agency_id"] * (case.id in linked) + ["qualifying_incidents"] * count_moved
            if fields:
                entries.append({"at": utcnow(), "actor": ctx.actor, "db_user": db_user, "machine": ctx.machine,
                                "action": "agency directory", "entity": "case", "entity_id": case.id,
                                "case_id": case.id, "fields": ",".join(fields), "reason": reason})
        if rows:
            session.execute(update(table).where(table.c.id == bindparam("b_id")).values(
                next_due_on=bindparam("b_due"), next_clock=bindparam("b_clock"),
                qualifying_incidents=bindparam("b_count")), rows)
    if entries:  # one statement for them all (the ORM would insert them one by one)
        session.execute(insert(AuditEntry.__table__), entries)
    return moved
