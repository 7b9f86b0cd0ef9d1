"""Everything the case page shows, read in a fixed number of queries (never one per incident)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, NamedTuple

from sqlalchemy import ColumnElement, or_, select, union

from app.db.engine import read_together
from app.db.models import (Agency, AgencyAction, AgencyRequest, AuditEntry, Case, CaseLink,
                           CasePerpetrator, Document, Incident, IncidentConfirmation, Letter, Note,
                           Perpetrator, Person, SecondaryReview)
from app.domain.application import PersonData
from app.domain.clocks import Clock, Indicator, indicator
from app.domain.dates import describe_occurred
from app.domain.workflow import Status, allowed_targets
from app.services.cases.facts import CaseStates
from app.services.cases.law_parts import law_parts, law_updates
from app.services.common import audit
from app.domain.roles import Permission
from app.services.common.context import ServiceContext
from app.services.common.errors import NotFound
from app.services.common.names import USERS, UserNames


@dataclass(frozen=True)
class PersonView:
    name: str
    address_lines: tuple[str, ...]
    postcode: str | None
    phone: str | None
    email: str | None
    preferred_contact: str | None
    accessibility_needs: str | None


@dataclass(frozen=True)
class IncidentView:
    id: int
    version: int
    number: int
    happened: str
    exact: bool
    reported_on: date | None
    reported_to: str  # as the applicant wrote it
    agency_id: int | None
    agency_name: str | None
    agency_reference: str | None
    description: str | None
    location: str | None
    same_problem: bool
    duplicate_of: int | None
    qualifies: bool
    reason: str
    confirmation: str  # "confirmed", "not found", "unconfirmed", "awaiting", "not asked"
    confirmed_on: date | None
    hate_incident: bool = False
    judgement_note: str | None = None  # why the officer changed how it counts


@dataclass(frozen=True)
class ClockView:
    key: str
    label: str
    due: date
    original_due: date
    working_days_left: int


@dataclass(frozen=True)
class RequestView:
    id: int
    agency: str
    kind: str
    sent_on: date
    due_on: date
    revised_due_on: date | None
    chased_on: date | None
    answered_on: date | None

    @property
    def state(self) -> str:
        return "received" if self.answered_on else ("chased" if self.chased_on else "sent")


@dataclass(frozen=True)
class ChronologyEntry:
    on: date
    source: str  # "incident" or an agency name
    text: str


@dataclass(frozen=True)
class RelatedCase:
    id: int
    reference: str
    applicant: str
    status: str
    why: str


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    actor: str
    action: str
    fields: str | None
    reason: str | None


@dataclass(frozen=True)
class LetterView:
    id: int
    template: str
    recipient: str
    produced_at: datetime
    produced_by: str
    approved_by: str | None
    sent_on: date | None
    sent_method: str | None
    queued: bool
    approver_name: str | None = None  # the panel chair's name, for the findings letter
    agency_id: int | None = None


@dataclass(frozen=True)
class CaseDetail:
    id: int
    reference: str
    version: int
    status: Status
    channel: str
    received_at: datetime
    source_reference: str | None
    officer: str | None
    updated_by: str
    updated_at: datetime
    applicant: PersonView
    victim: PersonView | None
    relationship: str | None
    victim_consent: bool | None
    victim_consent_method: str | None
    victim_consent_given_on: date | None
    consent_to_share: bool
    disclosure_consent: bool | None
    consent_recorded_by: str | None
    consent_recorded_at: datetime | None
    asb_types: str
    problem_location: str | None
    impact: str | None
    vulnerability: str | None
    desired_outcome: str | None
    incidents: tuple[IncidentView, ...]
    qualifying_incidents: int
    incidents_needed: int
    threshold_met_indicator: bool
    threshold_met: bool | None
    threshold_decided_on: date | None
    threshold_decided_by: str | None
    threshold_reason: str | None
    threshold_not_met_action: str | None
    not_accepted_reason: str | None
    withdrawn_on: date | None
    acknowledged_on: date | None
    decision_letter_sent_on: date | None
    clocks: tuple[ClockView, ...]
    indicator: Indicator
    requests: tuple[RequestView, ...]
    actions: tuple[ChronologyEntry, ...]
    chronology: tuple[ChronologyEntry, ...]
    perpetrators: tuple[tuple[str, str | None, tuple[str, ...]], ...]  # name/description, address, other refs
    related: tuple[RelatedCase, ...]
    notes: tuple[tuple[datetime, str, str], ...]
    documents: tuple[tuple[int, str, str, int, datetime, str], ...]
    letters: tuple[LetterView, ...]
    timeline: tuple[TimelineEntry, ...]
    next_steps: tuple[Status, ...]
    victim_tenure: str | None = None  # see app.services.cases.tenure
    victim_landlord_id: int | None = None
    victim_landlord: str | None = None
    # The law in 2026: the rules, the assessment, the routes, keeping the applicant informed.
    rules_in_force: str = ""  # the rules the case is judged by (those in force on its date received)
    decision_rules: str | None = None  # the rules a recorded decision was made under
    assessment: tuple[tuple[str, str], ...] = ()  # (factor, "Rating: note")
    confirmed_qualifying: int = 0
    confirmed_met: bool = False  # the agencies have confirmed enough: 'not met' is refused
    routes: tuple[str, ...] = ()
    households: tuple[tuple[str, bool, str], ...] = ()  # community route: (reference, counted, why)
    updates: tuple[tuple[date, str, str, str], ...] = ()  # given on, how, what was said, by
    update_due_on: date | None = None
    closed_on: date | None = None
    closure_reason: str | None = None
    started_by: str | None = None  # the agency that started the review without an application
    started_reason: str | None = None
    # `officer` is the login kept on the case; these are what the page shows and offers.
    officer_name: str = ""
    officer_choices: tuple[tuple[str, str], ...] = ()  # (login, name) of active users


def _person(p: Person) -> PersonView:
    return PersonView(p.display_name, tuple(p.address_lines), p.postcode, p.phone, p.email,
                      p.preferred_contact, p.accessibility_needs)


def load_case(ctx: ServiceContext, case_id: int, *, record_view: bool = True) -> CaseDetail:
    """The whole page in three round trips on a server: the case with its people, its incidents, and
    every other part read together (app.db.engine.read_together); the view itself is audited
    (personal data was shown). The number of statements does not grow with the case's records."""
    ctx.require(Permission.VIEW)
    settings, calendar, today = ctx.settings(), ctx.calendar(), ctx.today()
    joined = ctx.current_session is not None  # inside another operation's unit of work (the panel pack)
    with ctx.reading() as session:
        case = session.get(Case, case_id)  # with its applicant, victim and problem location, then incidents
        if case is None:
            raise NotFound("That case no longer exists.")
        rows = _PageRows(*read_together(session, _page_reads(case)))
        agencies = {a.id: a for a in rows.agencies}
        latest: dict[int, Any] = {}
        for c in rows.confirmations:  # oldest first: the latest answer about an incident is the one that counts
            latest[c.incident_id] = c
        states = CaseStates.preloaded(
            session, settings, calendar, [case.id], relevance={a.id: (a.name, a.relevant_body) for a in rows.agencies},
            requests=rows.requests, secondary=rows.secondary,
            confirmed={i for i, c in latest.items() if c.status == "confirmed"})
        state = states.state(case)
        name = UserNames(None, rows.users)  # people are shown by the names they gave, not their logins
        verdicts = {v.key: v for v in state.threshold.verdicts}
        confirmations = {i: (_CONFIRMATION.get(c.status, "awaiting"),
                             c.confirmed_reported_on if c.status == "confirmed" else c.recorded_on)
                         for i, c in latest.items()}
        incidents = tuple(IncidentView(
            id=i.id, version=i.version, number=n, happened=describe_occurred(i.occurred_on, i.occurred_from, i.occurred_to) or "not given",
            exact=i.occurred_on is not None, reported_on=i.reported_on, reported_to=i.reported_to,
            agency_id=i.agency_id, agency_name=agencies[i.agency_id].name if i.agency_id in agencies else None,
            agency_reference=i.agency_reference, description=i.description, location=i.location,
            same_problem=i.same_problem, duplicate_of=i.duplicate_of_id, qualifies=verdicts[i.id].qualifies,
            reason=verdicts[i.id].reason, confirmation=confirmations.get(i.id, ("not asked", None))[0],
            confirmed_on=confirmations.get(i.id, ("", None))[1], hate_incident=i.hate_incident,
            judgement_note=i.judgement_note)
            for n, i in enumerate(case.incidents, start=1))
        requests = tuple(RequestView(r.id, agencies[r.agency_id].name, r.kind, r.sent_on, r.due_on, r.revised_due_on,
                                     r.chased_on, r.answered_on) for r in rows.requests)
        actions = tuple(ChronologyEntry(a.action_on, agencies[a.agency_id].name,
                                        a.description + (f" (source: {a.source_document})" if a.source_document else ""))
                        for a in rows.actions)
        chronology = sorted(
            [ChronologyEntry(i.reported_on or date.min, "incident",
                             f"Incident {v.number} ({v.happened}) reported to {v.agency_name or v.reported_to}: "
                             f"{v.description or 'no description'}")
             for i, v in zip(case.incidents, incidents)] + list(actions), key=lambda e: e.on)
        clocks = tuple(ClockView(c.clock.value, Clock(c.clock).label, c.due, c.original_due,
                                 calendar.working_days_between(today, c.due))
                       for c in sorted(state.clocks.values(), key=lambda c: c.due))
        detail = CaseDetail(
            id=case.id, reference=case.reference, version=case.version, status=Status(case.status),
            channel=case.channel, received_at=case.received_at, source_reference=case.source_reference,
            officer=case.officer, updated_by=name(case.updated_by), updated_at=case.updated_at,
            applicant=_person(case.applicant), victim=_person(case.victim) if case.victim else None,
            relationship=case.relationship_to_victim, victim_consent=case.victim_consent,
            victim_consent_method=case.victim_consent_method, victim_consent_given_on=case.victim_consent_given_on,
            consent_to_share=case.consent_to_share, disclosure_consent=case.disclosure_consent,
            consent_recorded_by=name(case.consent_recorded_by) or None,
            consent_recorded_at=case.consent_recorded_at, asb_types=case.asb_types,
            problem_location=case.problem_location.description if case.problem_location else None,
            impact=case.impact, vulnerability=case.vulnerability, desired_outcome=case.desired_outcome,
            incidents=incidents, qualifying_incidents=state.threshold.qualifying_incidents,
            incidents_needed=state.threshold.incidents_needed, threshold_met_indicator=state.threshold.met,
            threshold_met=case.threshold_met, threshold_decided_on=case.threshold_decided_on,
            threshold_decided_by=name(case.threshold_decided_by) or None, threshold_reason=case.threshold_reason,
            threshold_not_met_action=case.threshold_not_met_action, not_accepted_reason=case.not_accepted_reason,
            withdrawn_on=case.withdrawn_on, acknowledged_on=case.acknowledged_on,
            decision_letter_sent_on=case.decision_letter_sent_on, clocks=clocks,
            indicator=indicator(state.clocks, today, calendar, settings.clocks), requests=requests,
            actions=actions, chronology=tuple(chronology), perpetrators=_perpetrators(rows),
            related=_related(rows, case.id), notes=tuple((n.created_at, name(n.created_by), n.text) for n in rows.notes),
            documents=tuple((d.id, d.title, d.media_type, d.size, d.added_at, name(d.added_by)) for d in rows.documents),
            letters=tuple(LetterView(lt.id, lt.template, lt.recipient, lt.produced_at, name(lt.produced_by),
                                     lt.approved_by, lt.sent_on, lt.sent_method, lt.queued, lt.approver_name,
                                     lt.agency_id) for lt in rows.letters),
            timeline=tuple(TimelineEntry(a.at, name(a.actor), a.action, a.fields, a.reason) for a in rows.timeline),
            next_steps=tuple(s for s in Status if s in allowed_targets(Status(case.status))),
            victim_tenure=case.victim_tenure, victim_landlord_id=case.victim_landlord_id,
            victim_landlord=agencies[case.victim_landlord_id].name if case.victim_landlord_id in agencies else None,
            officer_name=name(case.officer), officer_choices=tuple(name.active_users()),
            **law_parts(session, case, state.threshold, settings, agencies, updates=rows.updates))
        # With the server's audit function one statement writes the entry, atomically even outside a
        # transaction: no BEGIN and COMMIT to wait for. Otherwise the entry gets a unit of work of its own.
        if record_view and (joined or audit.atomic_statement(session, ctx)):
            audit.record(session, ctx, "view", "case", case.id, case_id=case.id)
            record_view = False
    if record_view:
        with ctx.unit_of_work() as session:
            audit.record(session, ctx, "view", "case", case_id, case_id=case_id)
    return detail


_CONFIRMATION = {"confirmed": "confirmed", "not_found": "not found", "unconfirmed": "unconfirmed"}


class _PageRows(NamedTuple):
    agencies: list[Any]
    requests: list[Any]
    secondary: list[Any]
    confirmations: list[Any]
    users: list[Any]
    actions: list[Any]
    perpetrators: list[Any]
    other_cases: list[Any]  # (perpetrator id, reference) of the other cases naming the same perpetrators
    links: list[Any]
    related: list[Any]
    notes: list[Any]
    documents: list[Any]
    letters: list[Any]
    timeline: list[Any]
    updates: list[Any]


def _page_reads(case: Case) -> list[Any]:
    """Every read of the page that needs only the case's own row, in the order of _PageRows."""
    cid = case.id
    perpetrators = select(CasePerpetrator.perpetrator_id).where(CasePerpetrator.case_id == cid)
    # One IN over one set of ids (an OR of two INs would make the server read every case).
    parts = [select(CaseLink.linked_case_id.label("id")).where(CaseLink.case_id == cid),
             select(CaseLink.case_id.label("id")).where(CaseLink.linked_case_id == cid)]
    if case.problem_location_id:
        nearby = (select(Case.id).where(Case.problem_location_id == case.problem_location_id, Case.id != cid)
                  .limit(50).subquery())
        parts.append(select(nearby.c.id))
    related: ColumnElement[bool] = Case.id.in_(union(*parts))
    return [
        select(Agency.id, Agency.name, Agency.relevant_body),
        select(AgencyRequest.id, AgencyRequest.case_id, AgencyRequest.agency_id, AgencyRequest.kind,
               AgencyRequest.sent_on, AgencyRequest.due_on, AgencyRequest.revised_due_on, AgencyRequest.chased_on,
               AgencyRequest.answered_on).where(AgencyRequest.case_id == cid)
        .order_by(AgencyRequest.sent_on, AgencyRequest.id),
        select(SecondaryReview.case_id, SecondaryReview.requested_on, SecondaryReview.outcome_sent_on)
        .where(SecondaryReview.case_id == cid).order_by(SecondaryReview.requested_on),
        select(IncidentConfirmation.incident_id, IncidentConfirmation.status,
               IncidentConfirmation.confirmed_reported_on, IncidentConfirmation.recorded_on)
        .join(Incident, Incident.id == IncidentConfirmation.incident_id).where(Incident.case_id == cid)
        .order_by(IncidentConfirmation.id),
        USERS,
        select(AgencyAction.action_on, AgencyAction.agency_id, AgencyAction.description, AgencyAction.source_document)
        .where(AgencyAction.case_id == cid).order_by(AgencyAction.action_on, AgencyAction.id),
        select(Perpetrator.id, Perpetrator.name, Perpetrator.description, Perpetrator.address)
        .join(CasePerpetrator, CasePerpetrator.perpetrator_id == Perpetrator.id).where(CasePerpetrator.case_id == cid)
        .order_by(Perpetrator.id),
        select(CasePerpetrator.perpetrator_id, Case.reference).join(Case, Case.id == CasePerpetrator.case_id)
        .where(CasePerpetrator.perpetrator_id.in_(perpetrators), CasePerpetrator.case_id != cid),
        select(CaseLink.case_id, CaseLink.linked_case_id, CaseLink.reason)
        .where(or_(CaseLink.case_id == cid, CaseLink.linked_case_id == cid)),
        select(Case.id, Case.reference, Case.status, Person.title, Person.first_name, Person.last_name,
               Person.organisation).join(Person, Person.id == Case.applicant_id).where(related),
        select(Note.created_at, Note.created_by, Note.text).where(Note.case_id == cid).order_by(Note.created_at.desc()),
        select(Document.id, Document.title, Document.media_type, Document.size, Document.added_at, Document.added_by)
        .where(Document.case_id == cid).order_by(Document.added_at),
        select(Letter.id, Letter.template, Letter.recipient, Letter.produced_at, Letter.produced_by, Letter.approved_by,
               Letter.sent_on, Letter.sent_method, Letter.queued, Letter.approver_name, Letter.agency_id)
        .where(Letter.case_id == cid).order_by(Letter.produced_at),
        select(AuditEntry.at, AuditEntry.actor, AuditEntry.action, AuditEntry.fields, AuditEntry.reason)
        .where(AuditEntry.case_id == cid, AuditEntry.action != "view")
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(500),
        law_updates(cid),
    ]


def _perpetrators(rows: _PageRows) -> tuple[tuple[str, str | None, tuple[str, ...]], ...]:
    others: dict[int, list[str]] = {}
    for perp_id, reference in rows.other_cases:
        others.setdefault(perp_id, []).append(reference)
    return tuple(((p.name or p.description or "unknown"), p.address, tuple(sorted(others.get(p.id, []))))
                 for p in rows.perpetrators)


def _related(rows: _PageRows, case_id: int) -> tuple[RelatedCase, ...]:
    """Linked cases, and cases about the same problem location (several applicants, one problem)."""
    linked: dict[int, str] = {}
    for a, b, reason in rows.links:
        linked[b if a == case_id else a] = f"linked: {reason}" if reason else "linked"
    return tuple(RelatedCase(r.id, r.reference, _display_name(r), r.status, linked.get(r.id, "same problem location"))
                 for r in sorted(rows.related, key=lambda r: r.reference))


def _display_name(row: Any) -> str:
    return PersonData(title=row.title, first_name=row.first_name, last_name=row.last_name,
                      organisation=row.organisation).display_name
