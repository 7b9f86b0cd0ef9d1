"""Working with agencies on a case: confirming incidents, requests for information, their returns."""
from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from app import csv_writer
from app.db.models import (Agency, AgencyAction, AgencyRequest, Case, Incident,
                           IncidentConfirmation, Note)
from app.domain.application import Problem
from app.domain.dates import parse_uk_or_iso
from app.domain.workflow import Status, check_transition
from app.services.common import audit
from app.services.agencies.matching import AgencyMatcher
from app.services.cases.facts import refresh_summary
from app.services.common.concurrency import apply_changes, load_for_change
from app.domain.roles import Permission
from app.services.common.context import ServiceContext
from app.services.common.errors import NotFound, ValidationFailed
from app.services.common.ops import NOTHING, Changes, Counted, Part, Saved

RETURN_COLUMNS = ("date", "agency", "what was done", "source document")


def _require(problems: list[Problem]) -> None:
    if problems:
        raise ValidationFailed(problems)


def _not_future(on: date, today: date, name: str) -> list[Problem]:
    return [Problem(name, "the date cannot be in the future")] if on > today else []


def _refresh(session: Session, ctx: ServiceContext, case: Case) -> None:
    refresh_summary(session, case, ctx.settings(), ctx.calendar())


def _case_of(session: Session, case_id: int, expected_version: int | None) -> Case:
    """The case a change belongs to, checked against the version the user saw when one is given."""
    if expected_version is not None:
        return load_for_change(session, Case, case_id, expected_version, "This case")
    case = session.get(Case, case_id)
    if case is None:
        raise NotFound("That case no longer exists.")
    return case


def _move(case: Case, target: Status, actor: str) -> dict:
    if case.status == target:
        return {}
    check_transition(Status(case.status), target)
    return apply_changes(case, {"status": target.value}, actor)


def _request(session: Session, ctx: ServiceContext, case: Case, agency_id: int, kind: str, sent_on: date) -> AgencyRequest:
    due = ctx.calendar().add_working_days(sent_on, ctx.settings().clocks.agency_information)
    request = AgencyRequest(case_id=case.id, agency_id=agency_id, kind=kind, sent_on=sent_on, due_on=due,
                            created_by=ctx.actor)
    session.add(request)
    return request


@dataclass(frozen=True)
class RequestsSent:
    version: int
    agencies: tuple[str, ...]  # the agencies asked, each with its letter
    letters: tuple[int, ...] = ()  # the letters produced, one per agency (waiting to be sent)
    not_asked: tuple[str, ...] = ()  # agencies named in the incidents but not asked, and why
    changes: Changes = NOTHING


def _letters(ctx: ServiceContext, case: Case, template: str, agency_ids: Iterable[int]) -> tuple[int, ...]:
    # Imported here: the letters service imports this package's workflow steps.
    from app.services.letters.case_letters import produce_letter
    return tuple(produce_letter(ctx, case.id, template, agency_id=agency_id).id for agency_id in agency_ids)


def send_confirmation_requests(ctx: ServiceContext, case_id: int, expected_version: int, *,
                               sent_on: date) -> RequestsSent:
    """Ask each relevant body the incidents were reported to to confirm them, with a letter to each;
    the threshold check starts. One operation: the requests, the letters and the audit, or none of them.

    An organisation that is not a relevant body is not asked: its incidents cannot count, and the letter
    would disclose the victim's details for nothing.
    """
    ctx.require(Permission.CHANGE_CASES)
    _require(_not_future(sent_on, ctx.today(), "sent_on"))
    with ctx.unit_of_work() as session:
        case = load_for_change(session, Case, case_id, expected_version, "This case")
        changed = _move(case, Status.THRESHOLD_CHECK, ctx.actor)
        by_agency: dict[int, list[Incident]] = {}
        for incident in case.incidents:
            if incident.agency_id is not None:
                by_agency.setdefault(incident.agency_id, []).append(incident)
        if not by_agency:
            raise ValidationFailed([Problem("incidents", "no incident is linked to an agency yet: link each "
                                            "'reported to' to the agency directory first")])
        agencies = {a.id: a for a in session.scalars(select(Agency).where(Agency.id.in_(list(by_agency))))}
        relevant = sorted((a for a in by_agency if agencies[a].relevant_body), key=lambda a: agencies[a].name)
        not_asked = tuple(sorted(f"{agencies[a].name} (not a relevant body)" for a in by_agency if a not in relevant))
        if not relevant:
            raise ValidationFailed([Problem("incidents", "none of the incidents was reported to a relevant body "
                                            "(the council, the police, a registered provider of social housing, "
                                            "the NHS), so there is nothing to confirm")])
        for agency_id in relevant:
            _request(session, ctx, case, agency_id, "confirmation", sent_on)
            for incident in by_agency[agency_id]:
                session.add(IncidentConfirmation(incident_id=incident.id, agency_id=agency_id, status="awaiting"))
        session.flush()
        letters = _letters(ctx, case, "incident-confirmation-request", relevant)
        _refresh(session, ctx, case)
        reason = f"sent {sent_on.isoformat()} to {len(relevant)} agencies, a letter to each"
        if not_asked:
            reason += f"; not asked: {', '.join(not_asked)}"
        audit.record(session, ctx, "confirmation requests", "case", case.id, case_id=case.id, changes=changed,
                     reason=reason)
        session.flush()
        return RequestsSent(case.version, tuple(agencies[a].name for a in relevant), letters, not_asked,
                            Changes.of_case(case.id))


def record_confirmation(ctx: ServiceContext, incident_id: int, *, found: bool, reported_on: date | None = None,
                        notes: str = "", expected_version: int | None = None) -> Changes:
    """An agency's answer about one incident. When it confirms a different report date, the
    incident takes the agency's date (the indicator follows the agency's record)."""
    ctx.require(Permission.CHANGE_CASES)
    with ctx.unit_of_work() as session:
        incident = session.get(Incident, incident_id)
        if incident is None:
            raise NotFound("That incident no longer exists.")
        if found and reported_on is None:
            raise ValidationFailed([Problem("reported_on", "give the date the agency says it was reported")])
        confirmation = session.scalar(select(IncidentConfirmation).where(
            IncidentConfirmation.incident_id == incident_id).order_by(IncidentConfirmation.id.desc()).limit(1))
        if confirmation is None:
            if incident.agency_id is None:
                raise ValidationFailed([Problem("agency", "link the incident to an agency first")])
            confirmation = IncidentConfirmation(incident_id=incident_id, agency_id=incident.agency_id)
            session.add(confirmation)
        confirmation.status = "confirmed" if found else "not_found"
        confirmation.confirmed_reported_on = reported_on if found else None
        confirmation.recorded_on = ctx.today()
        confirmation.recorded_by = ctx.actor
        confirmation.notes = notes or None
        changes = {}
        if found and reported_on != incident.reported_on:
            changes = apply_changes(incident, {"reported_on": reported_on}, ctx.actor)
        case = _case_of(session, incident.case_id, expected_version)
        _close_answered_requests(session, case, incident.agency_id, ctx.today())
        _refresh(session, ctx, case)
        audit.record(session, ctx, "confirmation", "incident", incident.id, case_id=case.id, changes=changes,
                     reason="confirmed by the agency" if found else "the agency found no record")
        return Changes.of_case(case.id)


def mark_unconfirmed(ctx: ServiceContext, incident_id: int, *, reason: str) -> Changes:
    """The officer finds an agency's confirmation does not stand (the wrong report, say): the incident
    no longer counts as confirmed. The reason is required and kept with the confirmation."""
    ctx.require(Permission.CHANGE_CASES)
    if not reason.strip():
        raise ValidationFailed([Problem("reason", "say why the confirmation does not stand")])
    with ctx.unit_of_work() as session:
        incident = session.get(Incident, incident_id)
        if incident is None:
            raise NotFound("That incident no longer exists.")
        confirmation = session.scalar(select(IncidentConfirmation).where(
            IncidentConfirmation.incident_id == incident_id).order_by(IncidentConfirmation.id.desc()).limit(1))
        if confirmation is None or confirmation.status != "confirmed":
            raise ValidationFailed([Problem("confirmation", "this incident has not been confirmed by an agency")])
        confirmation.status = "unconfirmed"
        confirmation.recorded_on, confirmation.recorded_by = ctx.today(), ctx.actor
        confirmation.notes = reason.strip()
        case = session.get(Case, incident.case_id)
        assert case is not None
        _refresh(session, ctx, case)
        audit.record(session, ctx, "unconfirmed", "incident", incident.id, case_id=case.id,
                     changes={"confirmation": ("confirmed", "unconfirmed"), "reason": (None, reason.strip())})
        return Changes.of_case(case.id)


def _close_answered_requests(session: Session, case: Case, agency_id: int | None, today: date) -> None:
    if agency_id is None:
        return
    waiting = session.scalar(select(IncidentConfirmation.id).join(Incident).where(
        Incident.case_id == case.id, IncidentConfirmation.agency_id == agency_id,
        IncidentConfirmation.status == "awaiting").limit(1))
    if waiting is None:
        for request in session.scalars(select(AgencyRequest).where(
                AgencyRequest.case_id == case.id, AgencyRequest.agency_id == agency_id,
                AgencyRequest.kind == "confirmation", AgencyRequest.answered_on.is_(None))):
            request.answered_on = today


def send_information_requests(ctx: ServiceContext, case_id: int, expected_version: int, *, sent_on: date,
                              agency_ids: Iterable[int] | None = None) -> RequestsSent:
    """After the threshold is met: ask agencies for complete details of their involvement, a letter to each.

    Without `agency_ids`, the relevant bodies the incidents were reported to are asked. Another partner
    (the fire service, the county council) is asked only when the officer includes it in `agency_ids`,
    and the audit records that the officer did. One operation: requests, letters and audit together.
    """
    ctx.require(Permission.CHANGE_CASES)
    _require(_not_future(sent_on, ctx.today(), "sent_on"))
    with ctx.unit_of_work() as session:
        case = load_for_change(session, Case, case_id, expected_version, "This case")
        if case.threshold_met is not True:
            raise ValidationFailed([Problem("status", "agencies are asked for their records only once the "
                                            "threshold has been decided as met")])
        changed = _move(case, Status.INFORMATION_GATHERING, ctx.actor) if case.status == Status.THRESHOLD_MET else {}
        involved = {i.agency_id for i in case.incidents if i.agency_id}
        rows = {a.id: a for a in session.scalars(select(Agency).where(Agency.id.in_(
            list(set(agency_ids) if agency_ids is not None else involved))))}
        ids = set(rows) if agency_ids is not None else {a for a, row in rows.items() if row.relevant_body}
        if not ids:
            raise ValidationFailed([Problem("agencies", "choose at least one agency to ask")])
        chosen = sorted(ids, key=lambda a: rows[a].name)
        for agency_id in chosen:
            _request(session, ctx, case, agency_id, "information", sent_on)
        session.flush()
        letters = _letters(ctx, case, "information-request", chosen)
        _refresh(session, ctx, case)
        partners = [rows[a].name for a in chosen if not rows[a].relevant_body]
        reason = f"sent {sent_on.isoformat()} to {', '.join(rows[a].name for a in chosen)}, a letter to each"
        if partners:
            reason += f"; other partners included by the officer: {', '.join(partners)}"
        audit.record(session, ctx, "information requests", "case", case.id, case_id=case.id, changes=changed,
                     reason=reason)
        session.flush()
        return RequestsSent(case.version, tuple(rows[a].name for a in chosen), letters,
                            changes=Changes.of_case(case.id))


def record_request_answered(ctx: ServiceContext, request_id: int, *, answered_on: date,
                            expected_version: int | None = None) -> Changes:
    ctx.require(Permission.CHANGE_CASES)
    _require(_not_future(answered_on, ctx.today(), "answered_on"))
    with ctx.unit_of_work() as session:
        request = session.get(AgencyRequest, request_id)
        if request is None:
            raise NotFound("That request no longer exists.")
        if answered_on < request.sent_on:
            raise ValidationFailed([Problem("answered_on", "the answer cannot come before the request was sent")])
        case = _case_of(session, request.case_id, expected_version)
        request.answered_on = answered_on
        _refresh(session, ctx, case)
        audit.record(session, ctx, "request answered", "agency request", request.id, case_id=case.id)
        return Changes.of_case(case.id)


def chase_request(ctx: ServiceContext, request_id: int, *, chased_on: date, new_due: date,
                  expected_version: int | None = None) -> Changes:
    """A reminder gives a new return date; the original is kept for timeliness."""
    ctx.require(Permission.CHANGE_CASES)
    problems = _not_future(chased_on, ctx.today(), "chased_on")
    if new_due <= chased_on:
        problems.append(Problem("new_due", "the new return date must be after the reminder"))
    _require(problems)
    with ctx.unit_of_work() as session:
        request = session.get(AgencyRequest, request_id)
        if request is None:
            raise NotFound("That request no longer exists.")
        case = _case_of(session, request.case_id, expected_version)
        request.chased_on = chased_on
        request.revised_due_on = new_due
        _refresh(session, ctx, case)
        audit.record(session, ctx, "request chased", "agency request", request.id, case_id=case.id,
                     reason=f"new return date {new_due.isoformat()}")
        return Changes.of_case(case.id)


def add_agency_action(ctx: ServiceContext, case_id: int, *, agency_id: int, action_on: date, description: str,
                      source_document: str = "", request_id: int | None = None) -> Saved:
    ctx.require(Permission.CHANGE_CASES)
    problems = _not_future(action_on, ctx.today(), "action_on")
    if not description.strip():
        problems.append(Problem("description", "say what the agency did"))
    _require(problems)
    with ctx.unit_of_work() as session:
        if session.get(Case, case_id) is None:
            raise NotFound("That case no longer exists.")
        action = AgencyAction(case_id=case_id, agency_id=agency_id, request_id=request_id, action_on=action_on,
                              description=description.strip(), source_document=source_document.strip() or None,
                              created_by=ctx.actor)
        session.add(action)
        session.flush()
        audit.record(session, ctx, "agency action", "agency action", action.id, case_id=case_id)
        return Saved(action.id, Changes.of_case(case_id, Part.AGENCY_WORK, Part.CHRONOLOGY, Part.TIMELINE))


def return_template_csv() -> str:
    """The headings of the simple return an agency fills in: one row per action, dates dd/mm/yyyy.

    No example row, so that a return sent back unchanged adds nothing that did not happen."""
    return csv_writer.to_text(RETURN_COLUMNS, [])


def import_agency_return(ctx: ServiceContext, case_id: int, path: Path) -> Counted:
    """Read an agency's CSV return: everything is checked first and nothing is added if a row is wrong."""
    ctx.require(Permission.CHANGE_CASES)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise ValidationFailed([Problem("file", f"{path.name} cannot be read: {exc}")]) from exc
    rows = list(csv.reader(io.StringIO(text)))
    if not rows or [h.strip().lower() for h in rows[0][:4]] != list(RETURN_COLUMNS):
        raise ValidationFailed([Problem("file", "the first row must be the headings: " + ", ".join(RETURN_COLUMNS))])
    with ctx.unit_of_work() as session:
        if session.get(Case, case_id) is None:
            raise NotFound("That case no longer exists.")
        matcher = AgencyMatcher(session)
        problems: list[Problem] = []
        actions: list[AgencyAction] = []
        for n, row in enumerate(rows[1:], start=2):
            if not any(cell.strip() for cell in row):
                continue
            row = (row + [""] * 4)[:4]
            when = None
            try:
                when = parse_uk_or_iso(row[0])
                if when > ctx.today():
                    problems.append(Problem(f"row {n}, date", "is in the future"))
            except ValueError as exc:
                problems.append(Problem(f"row {n}, date", str(exc)))
            agency = matcher.match(row[1])
            if agency is None:
                problems.append(Problem(f"row {n}, agency", f"'{row[1]}' is not in the agency directory"))
            if not row[2].strip():
                problems.append(Problem(f"row {n}, what was done", "is empty"))
            if when and agency and row[2].strip():
                actions.append(AgencyAction(case_id=case_id, agency_id=agency.id, action_on=when,
                                            description=row[2].strip(), source_document=row[3].strip() or path.name,
                                            created_by=ctx.actor))
        _require(problems)
        session.add_all(actions)
        audit.record(session, ctx, "import return", "case", case_id, case_id=case_id,
                     reason=f"{len(actions)} actions from {path.name}")
        return Counted(len(actions), Changes.of_case(case_id, Part.AGENCY_WORK, Part.CHRONOLOGY, Part.TIMELINE))


def add_note(ctx: ServiceContext, case_id: int, text: str) -> Changes:
    ctx.require(Permission.CHANGE_CASES)
    _require([] if text.strip() else [Problem("note", "the note is empty")])
    with ctx.unit_of_work() as session:
        if session.get(Case, case_id) is None:
            raise NotFound("That case no longer exists.")
        session.add(Note(case_id=case_id, text=text.strip(), created_by=ctx.actor))
        audit.record(session, ctx, "note", "case", case_id, case_id=case_id)
        return Changes.of_case(case_id, Part.NOTES, Part.TIMELINE)


def update_incident(ctx: ServiceContext, incident_id: int, expected_version: int, *,
                    same_problem: bool | None = None, duplicate_of: int | None | bool = False,
                    occurred_on: date | None = None, reason: str = "", hate_incident: bool | None = None) -> Changes:
    """The officer's judgements on one incident; the indicator is recomputed at once.

    `duplicate_of=False` leaves the link alone, None clears it, an id links it. Marking an incident
    as not part of the same problem takes it out of the count, so it needs the reason.
    """
    ctx.require(Permission.CHANGE_CASES)
    if same_problem is False and not reason.strip():
        raise ValidationFailed([Problem("reason", "say why this incident is not part of the same problem "
                                        "(it then does not count)")])
    with ctx.unit_of_work() as session:
        incident = load_for_change(session, Incident, incident_id, expected_version, "This incident")
        values: dict = {}
        if same_problem is not None:
            values["same_problem"] = same_problem
            if reason.strip():
                values["judgement_note"] = reason.strip()
        if hate_incident is not None:
            values["hate_incident"] = hate_incident
        if duplicate_of is not False:
            if duplicate_of is not None:
                other = session.get(Incident, duplicate_of)
                if other is None or other.case_id != incident.case_id or other.id == incident.id:
                    raise ValidationFailed([Problem("duplicate_of", "choose another incident of the same case")])
            values["duplicate_of_id"] = duplicate_of
        if occurred_on is not None:
            if incident.reported_on and occurred_on > incident.reported_on:
                raise ValidationFailed([Problem("occurred_on", "it cannot have happened after it was reported")])
            values.update(occurred_on=occurred_on, occurred_from=None, occurred_to=None)
        changes = apply_changes(incident, values, ctx.actor)
        case = session.get(Case, incident.case_id)
        assert case is not None
        _refresh(session, ctx, case)
        audit.record(session, ctx, "change", "incident", incident.id, case_id=case.id, changes=changes)
        return Changes.of_case(case.id)

