"""Linking "reported to" names to agencies, and recounting the cases whose incidents were linked."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.orm import Session, lazyload

from app.db.models import Agency, AgencyAlias, Case, Incident
from app.db.models.base import utcnow
from app.domain.application import Problem
from app.domain.calendar import WorkingCalendar
from app.domain.clocks import next_due
from app.domain.roles import Permission
from app.domain.settings import Settings
from app.services.common.sql import rows_changed, table_of
from app.services.common import audit
from app.services.agencies.names import keys_of, lock_directory, match_key, taken_names, tidy
from app.services.cases.facts import CaseStates
from app.services.common.concurrency import apply_changes
from app.services.common.context import ServiceContext, retry_read
from app.services.common.ops import NOTHING, Changes, Part
from app.services.common.errors import NotFound, ValidationFailed

_BATCH = 2000


@dataclass(frozen=True)
class LinkResult:
    incidents_linked: int
    cases_linked: int
    cases_changed: int  # cases whose count of qualifying incidents moved
    changes: Changes = NOTHING


# --- names that match no agency ----------------------------------------------------------------------

@retry_read
def unmatched_reported_to(ctx: ServiceContext) -> list[tuple[str, int]]:
    """Each "reported to" name (ignoring case and spacing) that no agency answers to, with how many
    incidents use it; most used first. Blank names are left out: there is nothing to link."""
    ctx.require(Permission.VIEW)
    with ctx.reading() as session:
        rows = session.execute(select(Incident.reported_to, func.count()).where(Incident.agency_id.is_(None))
                               .group_by(Incident.reported_to)).all()
    totals: dict[str, list[Any]] = {}
    for written, count in sorted(rows, key=lambda r: -r[1]):
        if match_key(written or ""):
            entry = totals.setdefault(match_key(written), [tidy(written), 0])  # the commonest spelling
            entry[1] += count
    return sorted(((name, n) for name, n in totals.values()), key=lambda r: (-r[1], r[0].casefold()))


def link_incident_to_agency(ctx: ServiceContext, incident_id: int, agency_id: int, *,
                            add_alias: bool = False) -> LinkResult:
    """Link one incident whose "reported to" was not matched. With add_alias the name as written
    becomes another name of the agency, so that every incident written that way (now and in future
    imports) is linked too. The affected cases' threshold indicators are recomputed."""
    ctx.require(Permission.CHANGE_CASES)  # it can change a case's qualifying count
    if add_alias:
        ctx.require(Permission.EDIT_AGENCIES)
    return _link(ctx, agency_id, incident_id=incident_id, add_alias=add_alias)


def link_name_to_agency(ctx: ServiceContext, written: str, agency_id: int) -> LinkResult:
    """Make a name as written another name of the agency and link every unmatched incident written
    that way; the cases' threshold indicators are recomputed in the same transaction."""
    ctx.require(Permission.EDIT_AGENCIES)
    ctx.require(Permission.CHANGE_CASES)
    return _link(ctx, agency_id, written=written, add_alias=True)


def _link(ctx: ServiceContext, agency_id: int, *, incident_id: int | None = None, written: str = "",
          add_alias: bool) -> LinkResult:
    settings, calendar = ctx.settings(), ctx.calendar()
    with ctx.unit_of_work() as session:
        lock_directory(session, ctx)
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
                                       reason=f"“{tidy(written)}” is {agency.name}").db_user
        written = tidy(written)
        if add_alias:
            if not match_key(written):
                raise ValidationFailed([Problem("alias", "there is no name as written to add")])
            change = _add_alias(session, ctx, agency, written)
            more, cases = link_unmatched(session, ctx, agency, {match_key(written)})
            count, linked = count + more, linked | cases
            db_user = audit.record(session, ctx, "link agency", "agency", agency.id,
                                   changes={"aliases": change} if change else None,
                                   reason=f"“{written}” linked: {count} incident(s) in {len(linked)} case(s)"
                                   ).db_user
        moved = reassess(session, ctx, settings, calendar, linked, linked,
                         f"“{written}” linked to {agency.name}", db_user)
        return LinkResult(count, len(linked), moved, Changes.of_cases(linked) | Changes.of(Part.AGENCIES))


def _add_alias(session: Session, ctx: ServiceContext, agency: Agency, written: str) -> tuple[str, str] | None:
    """The name as written becomes an alias, unless the agency answers to it already."""
    if match_key(written) in keys_of(agency):
        return None
    taken = taken_names(session, agency.id)
    if match_key(written) in taken:
        raise ValidationFailed([Problem("alias", f"“{written}” is already {taken[match_key(written)]}")])
    before = "; ".join(sorted(a.alias for a in agency.aliases))
    agency.aliases.append(AgencyAlias(alias=written))
    agency.updated_by, agency.updated_at = ctx.actor, utcnow()  # its version moves: open forms must reload
    session.flush()
    return before, "; ".join(sorted(a.alias for a in agency.aliases))


# --- linking and recounting, shared with saving an agency ------------------------------------------

def link_unmatched(session: Session, ctx: ServiceContext, agency: Agency,
                   keys: set[str]) -> tuple[int, set[int]]:
    """Link every unmatched incident whose name as written has one of these keys: (incidents, cases)."""
    names = session.scalars(select(Incident.reported_to).where(Incident.agency_id.is_(None)).distinct())
    written = [w for w in names if match_key(w or "") in keys - {""}]
    if not written:
        return 0, set()
    table = table_of(Incident)
    where = (table.c.agency_id.is_(None), table.c.reported_to.in_(written))
    cases = set(session.scalars(select(table.c.case_id).where(*where).distinct()))
    done = session.execute(update(table).where(*where).values(
        agency_id=agency.id, version=table.c.version + 1, updated_by=ctx.actor, updated_at=utcnow()))
    return rows_changed(done), cases


def reassess(session: Session, ctx: ServiceContext, settings: Settings, calendar: WorkingCalendar,
             case_ids: set[int], linked: set[int], reason: str, db_user: str | None) -> int:
    """Recompute the case list's summary columns of many cases (a fixed number of queries per 2,000
    cases) and audit each case whose incidents were linked or whose count moved; returns how many moved.

    A plain UPDATE that leaves the case's version alone: nothing the officer typed on the case
    changed, so an officer with the case open must not be told that someone else edited it.
    """
    session.flush()
    ids, table, moved = sorted(case_ids), table_of(Case), 0
    entries: list[audit.NewEntry] = []
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
                entries.append(audit.NewEntry("agency directory", "case", case.id, case.id, ",".join(fields),
                                              reason))
        if rows:
            session.execute(update(table).where(table.c.id == bindparam("b_id")).values(
                next_due_on=bindparam("b_due"), next_clock=bindparam("b_clock"),
                qualifying_incidents=bindparam("b_count")), rows)
    audit.write(session, ctx, entries)  # chained, in one batch
    return moved
