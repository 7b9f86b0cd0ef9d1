"""Retention: which finished cases are due for review, and anonymising or deleting them (with a reason)."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import case as sql_case
from sqlalchemy import ColumnElement, Executable, delete, exists, func, or_, select, text, update
from sqlalchemy.orm import Session

from app.db.models import (AgencyAction, AgencyRequest, AuditEntry, AuditValue, Case, CaseLink,
                           CasePerpetrator, CaseReview, Document, Draft, Finding, Incident,
                           IncidentConfirmation, Letter, Note, PanelAttendee, Perpetrator, Person,
                           ProblemLocation, Recommendation, SecondaryReview)
from app.db.models.base import utcnow
from app.domain.application import Problem
from app.domain.roles import Permission
from app.domain.settings import Settings
from app.domain.workflow import Status
from app.services.common import audit
from app.services.common.context import ServiceContext, retry_read
from app.services.common.errors import NotFound, ServiceError, ValidationFailed
from app.services.common.ops import NOTHING, Changes, Done, Part, Progress, Run, each

ANONYMISED = "[anonymised]"
ANONYMISE_ACTION, DELETE_ACTION = "anonymise", "delete"
FINISHED = (Status.CLOSED.value, Status.WITHDRAWN.value)
# The PostgreSQL function deploy/postgresql-roles.sql creates: the application role may not
# DELETE from audit_values directly, only purge a case's values once the purge itself is logged.
PURGE_FUNCTION = "purge_case_audit_values"
SEARCH_FIELD = "search"  # the value field under which a search's text is kept (case list, subject access)
SEARCH_TERM_MIN = 3
PACK_TEMPLATE = "panel-pack"
PACK_REMOVED = "pack removed"


@dataclass(frozen=True)
class RetentionPeriod:
    record_type: str
    years: int
    counted_from: str


def retention_periods(settings: Settings) -> tuple[RetentionPeriod, ...]:
    """Everything kept with a case follows the case; the council's setting is the default for all."""
    years = settings.retention_years
    after = "the case was closed (or withdrawn)"
    return tuple(RetentionPeriod(kind, years, after) for kind in (
        "case", "incidents and agency records", "letters", "documents", "notes", "audit values"))


def retention_years(settings: Settings, record_type: str = "case") -> int:
    for period in retention_periods(settings):
        if period.record_type == record_type:
            return period.years
    raise KeyError(record_type)


def add_years(day: date, years: int) -> date:
    """The same day N years on; 29 February becomes 28 February in a year that has none."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def latest_end_due(today: date, years: int) -> date:
    """The last closure date whose retention period has run out by `today` (inverse of add_years)."""
    cutoff = add_years(today, -years)
    if today.month == 2 and today.day == 28:
        try:  # a case closed on 29 February reaches its anniversary on 28 February
            cutoff = date(cutoff.year, 2, 29)
        except ValueError:
            pass
    return cutoff


@dataclass(frozen=True)
class DueCase:
    id: int
    reference: str
    status: str
    received_on: date
    ended_on: date  # closed on, or withdrawn on
    review_due_on: date
    applicant: str
    version: int


@retry_read
def cases_due_for_review(ctx: ServiceContext, today: date | None = None) -> list[DueCase]:
    """Closed or withdrawn cases whose retention period has ended and that are not anonymised yet."""
    ctx.require(Permission.VIEW)
    today = today or ctx.today()
    years = retention_years(ctx.settings())
    ended = func.coalesce(Case.closed_on, Case.withdrawn_on)
    anonymised = exists().where(AuditEntry.case_id == Case.id, AuditEntry.action == ANONYMISE_ACTION)
    query = (select(Case.id, Case.reference, Case.status, Case.received_on, ended, Case.version, Person)
             .join(Person, Person.id == Case.applicant_id)
             .where(Case.status.in_(FINISHED), ended.is_not(None), ended <= latest_end_due(today, years),
                    ~anonymised)
             .order_by(ended, Case.id))
    with ctx.unit_of_work() as session:
        due = [DueCase(cid, ref, status, received, end, add_years(end, years), person.display_name, version)
               for cid, ref, status, received, end, version, person in session.execute(query)]
        audit.record(session, ctx, "view", "retention list", None, reason=f"{len(due)} cases due for review")
        return due


def case_id_for_reference(ctx: ServiceContext, reference: str) -> int:
    """The case with this reference (the command line names cases by reference)."""
    ctx.require(Permission.VIEW)
    with ctx.reading() as session:
        found = session.scalar(select(Case.id).where(Case.reference == " ".join(reference.split()).upper()))
    if found is None:
        raise NotFound(f"There is no case {reference.strip()}.")
    return found


def _require_reason(reason: str | None) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed([Problem("reason", "give the reason (for example: retention period ended, "
                                        "or the person asked for their data to be erased)")])
    return reason


def _case_row(session: Session, case_id: int) -> tuple[int, int | None, int | None, str]:
    row = session.execute(select(Case.applicant_id, Case.victim_id, Case.problem_location_id, Case.status)
                          .where(Case.id == case_id)).first()
    if row is None:
        raise NotFound("That case no longer exists.")
    return row[0], row[1], row[2], row[3]


def _used_elsewhere(session: Session, case_id: int, person_id: int) -> bool:
    return (session.scalar(select(func.count()).select_from(Case).where(
        Case.id != case_id, or_(Case.applicant_id == person_id, Case.victim_id == person_id))) or 0) > 0


def _perpetrators_only_here(session: Session, case_id: int) -> list[int]:
    elsewhere = select(CasePerpetrator.perpetrator_id).where(CasePerpetrator.case_id != case_id)
    return list(session.scalars(select(CasePerpetrator.perpetrator_id).where(
        CasePerpetrator.case_id == case_id, CasePerpetrator.perpetrator_id.not_in(elsewhere))))


def _location_only_here(session: Session, case_id: int, location_id: int | None) -> bool:
    return location_id is not None and not session.scalar(select(func.count()).select_from(Case).where(
        Case.problem_location_id == location_id, Case.id != case_id))


def _run(session: Session, statement: Executable) -> None:
    # Nothing is loaded in these sessions, so there is nothing in memory to keep in step.
    session.execute(statement, execution_options={"synchronize_session": False})


def _bump(model: Any, ctx: ServiceContext) -> dict[str, Any]:
    # A bulk UPDATE does not move the version itself; an open form must see that the row changed.
    return {"version": model.version + 1, "updated_by": ctx.actor, "updated_at": utcnow()}


def _blank_person(ctx: ServiceContext) -> dict[str, Any]:
    return dict(title=None, first_name=None, last_name=ANONYMISED, organisation=None, address="",
                postcode=None, phone=None, email=None, preferred_contact=None, date_of_birth=None,
                accessibility_needs=None, search_key="", updated_by=ctx.actor, updated_at=utcnow())


def _draft_filter(case_id: int) -> ColumnElement[bool]:
    """Drafts belong to a case when their JSON payload names it ("case_id": N at the top level)."""
    return or_(Draft.payload.like(f'%"case_id": {case_id},%'), Draft.payload.like(f'%"case_id": {case_id}}}%'))


def _purge_audit_values(session: Session, case_id: int, terms: Sequence[str]) -> None:
    """Values are purged only after the anonymisation or deletion itself has been logged.

    With them go the texts officers searched for (kept with no case) that name the erased people:
    a search for "Patel" would otherwise keep the surname after the case is gone.
    """
    terms = sorted({t.strip().casefold() for t in terms if t and len(t.strip()) >= SEARCH_TERM_MIN})
    if session.get_bind().dialect.name == "postgresql" and session.scalar(
            text(f"SELECT to_regprocedure('{PURGE_FUNCTION}(integer,text[])') IS NOT NULL")):
        session.execute(text(f"SELECT {PURGE_FUNCTION}(:case_id, CAST(:terms AS text[]))"),
                        {"case_id": case_id, "terms": terms})
        return
    entries = select(AuditEntry.id).where(AuditEntry.case_id == case_id)
    _run(session, delete(AuditValue).where(or_(AuditValue.case_id == case_id, AuditValue.audit_id.in_(entries))))
    searches = session.execute(select(AuditValue.id, AuditValue.after).where(
        AuditValue.case_id.is_(None), AuditValue.field == SEARCH_FIELD)).all()
    naming = [i for i, after in searches if after and _names_any(after, terms)]
    if naming:
        _run(session, delete(AuditValue).where(AuditValue.id.in_(naming)))


def _names_any(searched: str, terms: Sequence[str]) -> bool:
    """The same rule as purge_case_audit_values on the server."""
    found = searched.casefold()
    return any(term in found or (len(found) >= SEARCH_TERM_MIN and found in term) for term in terms)


def _erased_terms(session: Session, case_id: int) -> list[str]:
    """The names, postcodes, phones and emails of the people whose data this case holds."""
    people = session.scalars(select(Person).where(Person.id.in_(
        select(Case.applicant_id).where(Case.id == case_id).union(
            select(Case.victim_id).where(Case.id == case_id))))).all()
    perps = session.scalars(select(Perpetrator).join(CasePerpetrator, CasePerpetrator.perpetrator_id == Perpetrator.id)
                            .where(CasePerpetrator.case_id == case_id)).all()
    terms: list[str] = []
    for p in people:
        terms += [p.first_name or "", p.last_name or "", p.organisation or "", p.postcode or "",
                  (p.postcode or "").replace(" ", ""), p.phone or "", p.email or ""]
    for perp in perps:
        terms += [perp.name or "", *(perp.name or "").split()]
    return [t for t in terms if t and t != ANONYMISED]


def _withdraw_packs(session: Session, ctx: ServiceContext, case_id: int, what: str) -> list[int]:
    """A panel pack that holds the case is removed, with a note on its meeting's pack history.

    A pack is one PDF for a meeting (often password-protected, so it cannot be redrawn here): it
    is emptied and the note tells the officer to produce it again without the case.
    """
    packs = list(session.scalars(select(AuditEntry.entity_id).where(
        AuditEntry.entity == "letter", AuditEntry.action == "export", AuditEntry.case_id == case_id,
        AuditEntry.entity_id.is_not(None)).distinct()))
    packs = list(session.scalars(select(Letter.id).where(Letter.id.in_(packs or [-1]), Letter.template == PACK_TEMPLATE,
                                                         Letter.pdf.is_not(None))))
    if not packs:
        return []
    _run(session, update(Letter).where(Letter.id.in_(packs)).values(pdf=None))
    for letter_id in packs:
        audit.record(session, ctx, PACK_REMOVED, "letter", letter_id,
                     reason=f"a case in it was {what} on {ctx.today():%d/%m/%Y}: produce the pack again")
    # The meetings whose pack history now shows the pack removed.
    return [m for m in session.scalars(select(Letter.meeting_id).where(Letter.id.in_(packs)).distinct()) if m]


def _scrub_sqlite(ctx: ServiceContext) -> None:
    """After erasing: the old pages out of the WAL and the free pages out of the file.

    secure_delete (set on every connection) zeroes what is deleted; the checkpoint copies the
    erasing transaction into the file and empties the WAL; VACUUM rebuilds the file without free
    pages, and a last checkpoint empties the WAL that VACUUM filled. Inside an outer unit of work
    nothing is committed yet, so the caller scrubs after it.
    """
    if ctx.dialect != "sqlite" or ctx.current_session is not None:
        return
    with ctx.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        for statement in ("PRAGMA wal_checkpoint(TRUNCATE)", "VACUUM", "PRAGMA wal_checkpoint(TRUNCATE)"):
            conn.exec_driver_sql(statement)


def anonymise_case(ctx: ServiceContext, case_id: int, reason: str) -> Done:
    """Replace the personal data held with a case; keep what the statutory figures are counted from.

    Kept: dates, channel, status, threshold decision, the panel reviews, how many recommendations
    were made (and to which agency) and the findings' text, which the partnership summary groups.
    Gone: the people, other free text, documents, letter PDFs, drafts and the before/after values
    in the audit log.
    """
    ctx.require(Permission.RETENTION)
    reason = _require_reason(reason)
    changes = _anonymise(ctx, case_id, reason)
    _scrub_sqlite(ctx)
    return Done(changes, "anonymised")


def _anonymise(ctx: ServiceContext, case_id: int, reason: str) -> Changes:
    with ctx.unit_of_work() as session:
        applicant_id, victim_id, location_id, status = _case_row(session, case_id)
        if status not in FINISHED:
            raise ServiceError("Only a closed or withdrawn case can be anonymised; close the case first, "
                               "or delete it if it was opened by mistake.")
        terms = _erased_terms(session, case_id)
        case_values: dict = {"impact": None, "vulnerability": None, "desired_outcome": None,
                             "withdrawn_reason": None, "threshold_reason": None,
                             "threshold_not_met_action": None}
        for column, person_id in (("applicant_id", applicant_id), ("victim_id", victim_id)):
            if person_id is None:
                continue
            if _used_elsewhere(session, case_id, person_id):
                # The same record is in a live case: give this case its own empty person instead.
                blank = Person(**_blank_person(ctx))
                session.add(blank)
                session.flush()
                case_values[column] = blank.id
            else:
                _run(session, update(Person).where(Person.id == person_id)
                     .values(**_blank_person(ctx), version=Person.version + 1))
        if _location_only_here(session, case_id, location_id):
            _run(session, update(ProblemLocation).where(ProblemLocation.id == location_id)
                 .values(description=ANONYMISED, search_key=""))
        else:
            case_values["problem_location_id"] = None
        _run(session, update(Case).where(Case.id == case_id).values(
            **case_values, not_accepted_reason=_not_accepted_code(session, case_id), **_bump(Case, ctx)))
        packs = _withdraw_packs(session, ctx, case_id, "anonymised")
        _anonymise_records(session, ctx, case_id)
        audit.record(session, ctx, ANONYMISE_ACTION, "case", case_id, case_id=case_id, reason=reason)
        _purge_audit_values(session, case_id, terms)
    return Changes.of_case(case_id) | Changes.of(Part.RETENTION, *([Part.MEETINGS] if packs else []), meetings=packs)


def _not_accepted_code(session: Session, case_id: int) -> str | None:
    """Keep the standard reason ("not anti-social behaviour"), drop what the officer typed after it."""
    current = session.scalar(select(Case.not_accepted_reason).where(Case.id == case_id))
    return current.split(":", 1)[0] if current else None


def _anonymise_records(session: Session, ctx: ServiceContext, case_id: int) -> None:
    incidents = select(Incident.id).where(Incident.case_id == case_id)
    reviews = select(CaseReview.id).where(CaseReview.case_id == case_id)
    only_here = _perpetrators_only_here(session, case_id)
    if only_here:
        _run(session, update(Perpetrator).where(Perpetrator.id.in_(only_here)).values(
            name=ANONYMISED, description=None, address=None, **_bump(Perpetrator, ctx)))
    # A perpetrator still named in another case stays there, but no longer points at this one.
    _run(session, delete(CasePerpetrator).where(CasePerpetrator.case_id == case_id,
                                                CasePerpetrator.perpetrator_id.not_in(only_here or [-1])))
    _run(session, update(Incident).where(Incident.case_id == case_id).values(
        description=None, location=None, contact_name=None, reported_by=None, agency_reference=None,
        reported_to=_reported_to(), **_bump(Incident, ctx)))
    _run(session, update(IncidentConfirmation).where(IncidentConfirmation.incident_id.in_(incidents))
         .values(notes=None))
    _run(session, update(AgencyAction).where(AgencyAction.case_id == case_id)
         .values(description=ANONYMISED, source_document=None))
    _run(session, update(Note).where(Note.case_id == case_id).values(text=ANONYMISED))
    # Scans and letters hold the people's details in their bytes: they go (the figures need neither).
    _run(session, delete(Document).where(Document.case_id == case_id))
    _run(session, delete(Letter).where(Letter.case_id == case_id))
    _run(session, update(CaseReview).where(CaseReview.case_id == case_id).values(
        impact_statement=None, reasonable_adjustments=None, information_considered=None,
        decision=None, **_bump(CaseReview, ctx)))
    # Finding text stays: the partnership summary groups key findings by it (it should name themes, not people).
    _run(session, update(Finding).where(Finding.review_id.in_(reviews)).values(rationale=None))
    _run(session, update(Recommendation).where(Recommendation.case_id == case_id).values(
        action=ANONYMISED, rationale=None, response=None, **_bump(Recommendation, ctx)))
    _run(session, update(SecondaryReview).where(SecondaryReview.case_id == case_id).values(
        requested_by=None, grounds=None, outcome_reasons=None, **_bump(SecondaryReview, ctx)))
    _run(session, update(CaseLink).where(or_(CaseLink.case_id == case_id, CaseLink.linked_case_id == case_id))
         .values(reason=""))
    _run(session, delete(Draft).where(_draft_filter(case_id)))


def _reported_to() -> ColumnElement[str]:
    """An agency in the directory keeps its name; anything else typed there might name a person."""
    return sql_case((Incident.agency_id.is_not(None), Incident.reported_to), else_=ANONYMISED)


def delete_case(ctx: ServiceContext, case_id: int, reason: str) -> Done:
    """Remove the case and everything hanging off it; the audit log keeps only ids and actions."""
    ctx.require(Permission.RETENTION)
    reason = _require_reason(reason)
    changes = _delete(ctx, case_id, reason)
    _scrub_sqlite(ctx)
    return Done(changes, "deleted")


def _delete(ctx: ServiceContext, case_id: int, reason: str) -> Changes:
    with ctx.unit_of_work() as session:
        applicant_id, victim_id, location_id, _status = _case_row(session, case_id)
        terms = _erased_terms(session, case_id)
        packs = _withdraw_packs(session, ctx, case_id, "deleted")
        people = [p for p in (applicant_id, victim_id) if p is not None and not _used_elsewhere(session, case_id, p)]
        perpetrators = _perpetrators_only_here(session, case_id)
        drop_location = _location_only_here(session, case_id, location_id)
        _delete_records(session, case_id)
        _run(session, delete(Case).where(Case.id == case_id))
        if people:
            _run(session, delete(Person).where(Person.id.in_(people)))
        if perpetrators:
            _run(session, delete(Perpetrator).where(Perpetrator.id.in_(perpetrators)))
        if drop_location:
            _run(session, delete(ProblemLocation).where(ProblemLocation.id == location_id))
        audit.record(session, ctx, DELETE_ACTION, "case", case_id, case_id=case_id, reason=reason)
        _purge_audit_values(session, case_id, terms)
    return (Changes(removed=frozenset({case_id}), parts=frozenset({Part.LIST, Part.RETENTION}))
            | Changes.of(*([Part.MEETINGS] if packs else []), meetings=packs))


def _delete_records(session: Session, case_id: int) -> None:
    """Children first, in foreign-key order, so that it works with or without ON DELETE CASCADE."""
    incidents = select(Incident.id).where(Incident.case_id == case_id)
    reviews = select(CaseReview.id).where(CaseReview.case_id == case_id)
    statements: Sequence = (
        delete(Recommendation).where(Recommendation.case_id == case_id),
        delete(Finding).where(Finding.review_id.in_(reviews)),
        delete(CaseReview).where(CaseReview.case_id == case_id),
        delete(SecondaryReview).where(SecondaryReview.case_id == case_id),
        update(PanelAttendee).where(PanelAttendee.conflict_case_id == case_id).values(conflict_case_id=None),
        delete(IncidentConfirmation).where(IncidentConfirmation.incident_id.in_(incidents)),
        update(Incident).where(Incident.duplicate_of_id.in_(incidents), Incident.case_id != case_id)
        .values(duplicate_of_id=None),
        update(Incident).where(Incident.case_id == case_id).values(duplicate_of_id=None),
        delete(Incident).where(Incident.case_id == case_id),
        delete(AgencyAction).where(AgencyAction.case_id == case_id),
        delete(AgencyRequest).where(AgencyRequest.case_id == case_id),
        delete(CaseLink).where(or_(CaseLink.case_id == case_id, CaseLink.linked_case_id == case_id)),
        delete(Note).where(Note.case_id == case_id),
        delete(Document).where(Document.case_id == case_id),
        delete(Letter).where(Letter.case_id == case_id),
        delete(CasePerpetrator).where(CasePerpetrator.case_id == case_id),
        delete(Draft).where(_draft_filter(case_id)),
    )
    for statement in statements:
        _run(session, statement)


ACTIONS = (ANONYMISE_ACTION, DELETE_ACTION)


@dataclass(frozen=True)
class RetentionRun:
    """A retention run over several cases: each case anonymised (or deleted) whole, or not started."""
    action: str  # "anonymise" or "delete"
    done: tuple[str, ...]  # references
    not_started: tuple[str, ...]
    changes: Changes

    @property
    def cancelled(self) -> bool:
        return bool(self.not_started)

    def summary(self) -> str:
        words = "anonymised" if self.action == ANONYMISE_ACTION else "deleted"
        return Run(tuple(f"{r} {words}" for r in self.done), self.not_started, self.changes, "cases").summary()


def run_retention(ctx: ServiceContext, action: str, case_ids: Sequence[int], reason: str, *,
                  progress: Progress | None = None) -> RetentionRun:
    """Anonymise (or delete) each of several cases with one reason, one unit of work per case.

    A stop (`progress` cancelled) takes effect between cases: each case is erased whole or not
    touched, and the run names both. Every case is checked first (only a finished case can be
    anonymised), so a refusal changes nothing. The SQLite file is scrubbed once, after the last case.
    """
    ctx.require(Permission.RETENTION)
    reason = _require_reason(reason)
    if action not in ACTIONS:
        raise ValidationFailed([Problem("action", f"choose {' or '.join(ACTIONS)}")])
    ids = list(dict.fromkeys(case_ids))
    with ctx.reading() as session:
        found = {cid: (ref, status) for cid, ref, status in session.execute(
            select(Case.id, Case.reference, Case.status).where(Case.id.in_(ids or [-1])))}
    missing = [i for i in ids if i not in found]
    if missing:
        raise NotFound(f"{len(missing)} of the cases chosen no longer exist: list the cases due for review again.")
    unfinished = [ref for ref, status in found.values() if status not in FINISHED]
    if action == ANONYMISE_ACTION and unfinished:  # the same refusal as for one case, naming them
        raise ServiceError(f"Only a closed or withdrawn case can be anonymised, and {', '.join(sorted(unfinished))} "
                           f"{'is' if len(unfinished) == 1 else 'are'} not: close the case first, or delete it if it "
                           "was opened by mistake. Nothing was changed.")
    references = {cid: ref for cid, (ref, _status) in found.items()}
    erase = _anonymise if action == ANONYMISE_ACTION else _delete
    done: list[str] = []
    changes = NOTHING
    try:
        for case_id in each(ids, progress, "cases anonymised" if action == ANONYMISE_ACTION else "cases deleted"):
            changes |= erase(ctx, case_id, reason)
            done.append(references[case_id])
    finally:
        _scrub_sqlite(ctx)  # after the cases done, however the run ended
    return RetentionRun(action, tuple(done), tuple(references[i] for i in ids[len(done):]),
                        changes | Changes.of(Part.RETENTION))


__all__ = ["ANONYMISED", "DueCase", "RetentionPeriod", "RetentionRun", "add_years", "anonymise_case",
           "cases_due_for_review", "delete_case", "latest_end_due", "retention_periods", "retention_years",
           "run_retention"]
