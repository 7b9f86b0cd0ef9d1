"""What a letter can know about a case: its records loaded once, which letters fit its state and why not."""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from types import SimpleNamespace

from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload

from app.db.engine import read_together

from app.db.models import (Agency, AgencyRequest, Case, CasePerpetrator, CaseReview, Finding,
                           IncidentConfirmation, PanelAttendee, PanelMeeting, Perpetrator, Recommendation,
                           SecondaryReview, User)
from app.domain.workflow import Status
from app.services.cases.facts import CaseState, CaseStates, in_session, latest_confirmed
from app.services.common.context import ServiceContext
from app.services.letters.parties import Parties, parties_of
from app.services.letters.parties import Perpetrator as PerpetratorParty

S = Status
_BEFORE_DECISION = {S.RECEIVED, S.ACKNOWLEDGED, S.THRESHOLD_CHECK}
_MET_STATES = {S.THRESHOLD_MET, S.INFORMATION_GATHERING, S.PANEL_SCHEDULED, S.REVIEWED}
_ENDED = {S.CLOSED, S.WITHDRAWN, S.NOT_ACCEPTED}
RP_KIND = "registered provider of social housing"
TENURE_RP = "registered_provider"


@dataclass
class CaseRecords:
    """A case and everything its letters draw on, read in one unit of work."""

    case: Case
    state: CaseState
    agencies: dict[int, Agency]
    requests: list[AgencyRequest]
    reviews: list[tuple[CaseReview, PanelMeeting]]  # oldest meeting first
    findings: dict[int, list[Finding]]
    recommendations: list[Recommendation]
    secondary: SecondaryReview | None
    attendees: dict[int, list[PanelAttendee]]
    confirmations: dict[int, list[IncidentConfirmation]] = field(default_factory=dict)
    agendas: dict[int, list[str]] = field(default_factory=dict)  # meeting id: case references
    perpetrators: list[PerpetratorParty] = field(default_factory=list)
    names: dict[str, str] = field(default_factory=dict)  # login (lower case): the user's name
    users: dict[str, User] | None = None  # login (lower case): the user, read once for the whole batch

    @property
    def parties(self) -> Parties:
        return parties_of(self.case, self.perpetrators)

    def name_of(self, login: str | None) -> str | None:
        """A user's name for a login (a letter or pack names people, never logins)."""
        if not login:
            return None
        return self.names.get(login.casefold()) or login

    @property
    def status(self) -> Status:
        return Status(self.case.status)

    def planned_review(self) -> tuple[CaseReview, PanelMeeting] | None:
        """The next panel meeting this case is on the agenda of (not yet held)."""
        waiting = [(r, m) for r, m in self.reviews if not held(m)]
        return waiting[-1] if waiting else None

    def held_review(self) -> tuple[CaseReview, PanelMeeting] | None:
        """The latest held meeting that recorded findings on this case."""
        done = [(r, m) for r, m in self.reviews if held(m) and self.findings.get(r.id)]
        return done[-1] if done else None

    def incidents(self) -> list:
        """The case's incidents in date order (an approximate date by its start; undated last)."""
        return sorted(self.case.incidents, key=_incident_order)

    def agency_incidents(self, agency_id: int) -> list:
        return [i for i in self.incidents() if i.agency_id == agency_id]

    def involved_agencies(self) -> set[int]:
        ids = {i.agency_id for i in self.case.incidents if i.agency_id}
        ids |= {r.agency_id for r in self.recommendations}
        ids |= {r.agency_id for r in self.requests}
        return ids

    @property
    def landlord(self) -> Agency | None:
        """The registered provider the victim rents from, when recorded."""
        if self.case.victim_tenure != TENURE_RP or self.case.victim_landlord_id is None:
            return None
        return self.agencies.get(self.case.victim_landlord_id)

    def providers_involved(self) -> list[Agency]:
        return sorted((self.agencies[a] for a in self.involved_agencies()
                       if a in self.agencies and self.agencies[a].kind.casefold() == RP_KIND),
                      key=lambda a: a.name)

    def involved_kinds(self) -> set[str]:
        return {self.agencies[a].kind.casefold() for a in self.involved_agencies() if a in self.agencies}

    def open_requests(self, agency_id: int | None = None) -> list[AgencyRequest]:
        return sorted((r for r in self.requests if r.answered_on is None
                       and (agency_id is None or r.agency_id == agency_id)), key=lambda r: r.sent_on)

    def panel_recommendations(self) -> list[Recommendation]:
        return [r for r in self.recommendations if r.secondary_review_id is None]


def _incident_order(incident: Any) -> tuple[date, date, int]:
    happened = incident.occurred_on or incident.occurred_from or incident.reported_on or date.max
    return happened, incident.reported_on or date.max, incident.position or 0


def held(meeting: PanelMeeting) -> bool:
    return meeting.held_on is not None or meeting.state in ("held", "minutes_approved")


def load_records(session: Session, ctx: ServiceContext, case: Case) -> CaseRecords:
    return load_records_many(session, ctx, [case])[case.id]


def load_records_many(session: Session, ctx: ServiceContext, cases: Sequence[Case]) -> dict[int, CaseRecords]:
    """The records of many cases with the same number of queries as one (a batch of letters pays for
    its reads once, not once a letter), read together: on a server, two or three round trips.

    The directory is read as objects (letters to agencies use their contacts); every other record
    the letters read is a row with the same attributes as its object, or the session's own object
    where this unit of work holds one (it may have changed it without flushing yet).
    """
    if not cases:
        return {}
    ids = [c.id for c in cases]
    incident_ids = [i.id for c in cases for i in c.incidents]
    agencies = {a.id: a for a in session.scalars(
        select(Agency).options(joinedload(Agency.contacts), joinedload(Agency.aliases))).unique()}
    review, meeting = _columns(CaseReview, "r_"), _columns(PanelMeeting, "m_")
    (request_rows, review_rows, recommendation_rows, secondary_rows, confirmation_rows, perpetrator_rows,
     user_rows) = read_together(session, [
        select(*AgencyRequest.__table__.c).where(AgencyRequest.case_id.in_(ids)).order_by(AgencyRequest.id),
        select(*review, *meeting).join(PanelMeeting, CaseReview.meeting_id == PanelMeeting.id)
        .where(CaseReview.case_id.in_(ids)).order_by(PanelMeeting.starts_at, CaseReview.id),
        select(*Recommendation.__table__.c).where(Recommendation.case_id.in_(ids)).order_by(Recommendation.id),
        select(*SecondaryReview.__table__.c).where(SecondaryReview.case_id.in_(ids))
        .order_by(SecondaryReview.requested_on, SecondaryReview.id),
        select(*IncidentConfirmation.__table__.c).where(IncidentConfirmation.incident_id.in_(incident_ids or [0]))
        .order_by(IncidentConfirmation.id),
        select(CasePerpetrator.case_id, Perpetrator.name, Perpetrator.description, Perpetrator.address)
        .join(Perpetrator, CasePerpetrator.perpetrator_id == Perpetrator.id)
        .where(CasePerpetrator.case_id.in_(ids)).order_by(Perpetrator.id),
        select(*User.__table__.c),
    ])
    requests_found = in_session(session, AgencyRequest, request_rows)
    secondary_found = in_session(session, SecondaryReview, secondary_rows)
    confirmations_found = in_session(session, IncidentConfirmation, confirmation_rows)
    states = CaseStates.preloaded(
        session, ctx.settings(), ctx.calendar(), ids,
        relevance={a.id: (a.name, a.relevant_body) for a in agencies.values()},
        requests=requests_found + [o for o in session.new if isinstance(o, AgencyRequest) and o.case_id in ids],
        secondary=secondary_found + [o for o in session.new if isinstance(o, SecondaryReview) and o.case_id in ids],
        confirmed=latest_confirmed(session, confirmation_rows))
    requests: dict[int, list[Any]] = defaultdict(list)
    for r in requests_found:
        requests[r.case_id].append(r)
    reviews: dict[int, list[tuple[Any, Any]]] = defaultdict(list)
    for row in review_rows:
        pair = (_split(session, CaseReview, row, "r_"), _split(session, PanelMeeting, row, "m_"))
        reviews[pair[0].case_id].append(pair)
    review_ids = [r.id for found in reviews.values() for r, _ in found]
    meeting_ids = sorted({m.id for found in reviews.values() for _, m in found})
    findings: dict[int, list[Any]] = defaultdict(list)
    attendees: dict[int, list[Any]] = defaultdict(list)
    agendas: dict[int, list[str]] = defaultdict(list)
    if review_ids:  # what the case's panel meetings recorded: a second round trip, only for those that had one
        finding_rows, attendee_rows, agenda_rows = read_together(session, [
            select(*Finding.__table__.c).where(Finding.review_id.in_(review_ids)).order_by(Finding.id),
            select(*PanelAttendee.__table__.c).where(PanelAttendee.meeting_id.in_(meeting_ids))
            .order_by(PanelAttendee.id),
            select(CaseReview.meeting_id, Case.reference).join(Case, Case.id == CaseReview.case_id)
            .where(CaseReview.meeting_id.in_(meeting_ids)).order_by(Case.reference)])
        for f in in_session(session, Finding, finding_rows):
            findings[f.review_id].append(f)
        for a in in_session(session, PanelAttendee, attendee_rows):
            attendees[a.meeting_id].append(a)
        for meeting_id, reference in agenda_rows:
            agendas[meeting_id].append(reference)
    recommendations: dict[int, list[Any]] = defaultdict(list)
    for rec in in_session(session, Recommendation, recommendation_rows):
        recommendations[rec.case_id].append(rec)
    secondary: dict[int, Any] = {}
    for sr in secondary_found:
        secondary[sr.case_id] = sr  # the latest request is the one that counts
    confirmations: dict[int, list[Any]] = defaultdict(list)
    for conf in confirmations_found:
        confirmations[conf.incident_id].append(conf)
    perpetrators: dict[int, list[PerpetratorParty]] = defaultdict(list)
    for p in perpetrator_rows:
        perpetrators[p.case_id].append(PerpetratorParty(p.name, p.description, p.address))
    users = {u.login.casefold(): u for u in in_session(session, User, user_rows)}
    names = {login: u.display_name for login, u in users.items()
             if u.display_name and u.display_name.strip() and u.display_name.strip().casefold() != login}
    out = {}
    for case in cases:
        mine = {i.id for i in case.incidents}
        meetings = {m.id for _, m in reviews.get(case.id, [])}
        out[case.id] = CaseRecords(
            case, states.state(case), agencies, requests.get(case.id, []), reviews.get(case.id, []),
            {r.id: findings[r.id] for r, _ in reviews.get(case.id, []) if r.id in findings},
            recommendations.get(case.id, []), secondary.get(case.id), {m: attendees[m] for m in meetings if m in attendees},
            {i: confirmations[i] for i in mine if i in confirmations}, {m: agendas[m] for m in meetings if m in agendas},
            perpetrators.get(case.id, []), names, users)
    return out


def _columns(model: type, prefix: str) -> list[Any]:
    return [c.label(prefix + c.name) for c in model.__table__.c]  # type: ignore[attr-defined]


def _split(session: Session, model: type, row: Any, prefix: str) -> Any:
    """One model's part of a row of two, as an object with that model's attributes."""
    values = {k[len(prefix):]: v for k, v in row._asdict().items() if k.startswith(prefix)}
    return in_session(session, model, [SimpleNamespace(**values)])[0]


def why_not(records: CaseRecords, template: str) -> str | None:
    """None when the template fits the case's state; otherwise why not and what to do, in plain words."""
    case, st = records.case, records.status
    if template == "cannot-proceed":
        return None if st == S.AWAITING_CONSENT else \
            "this letter is only for an application that is waiting for consent"
    if template == "victim-consent-request":
        if case.victim_id is None:
            return "the applicant is the victim, so there is nobody else to ask for consent"
        if st in _ENDED or case.outcome_sent_on:
            return f"the case is {st.label.lower()}"
        if case.victim_consent and case.disclosure_consent is not None:
            return "the victim has already answered both questions (recorded under People and consent)"
        return None
    if template == "not-accepted":
        return None if case.not_accepted_reason and st == S.NOT_ACCEPTED else \
            "the application has not been recorded as not accepted"
    if template == "withdrawal":
        return None if case.withdrawn_on else "the application has not been withdrawn"
    if template == "acknowledgement":
        if case.acknowledged_on:
            return f"the application was already acknowledged (letter sent on {case.acknowledged_on:%d/%m/%Y})"
        return None if st in (S.RECEIVED, S.AWAITING_CONSENT) else \
            "only a newly received application is acknowledged"
    if template in ("threshold-met", "threshold-not-met"):
        if case.threshold_decided_on is None:
            return "the threshold has not been decided yet (use Decide the threshold first)"
        if case.threshold_met != (template == "threshold-met"):
            return f"the threshold was decided as {'met' if case.threshold_met else 'not met'}"
        if template == "threshold-met" and (case.outcome_sent_on or st in _ENDED):
            return "the findings have been sent, so the review is past this letter"
        return None
    if template in AGENCY_TEMPLATES and not case.consent_to_share:
        return ("the applicant has not agreed that their details may be shared with the agencies (record it "
                "under People and consent)")
    if template == "incident-confirmation-request":
        if st not in _BEFORE_DECISION:
            return "incidents are confirmed with agencies before the threshold is decided"
        return None if any(i.agency_id for i in case.incidents) else \
            "no incident in this application is matched to an agency in the directory"
    if template == "information-request":
        return None if case.threshold_met and st in _MET_STATES else \
            "agencies are asked for their records only once the threshold is met"
    if template == "agency-reminder":
        return None if records.open_requests() else "no request to an agency is waiting for a reply"
    if template in ("panel-member-invitation", "panel-invitation"):
        return None if records.planned_review() else \
            "no panel meeting has been arranged for this case yet (Panel meetings: add it to a meeting)"
    if template == "findings":
        if not records.reviews or not any(held(m) for _, m in records.reviews):
            return ("no panel has reviewed this case yet: the findings letter follows the panel "
                    "meeting")
        if records.held_review() is None:
            return "the panel met but its findings on this case have not been recorded yet"
        if case.outcome_sent_on:
            return f"the findings letter was already sent on {case.outcome_sent_on:%d/%m/%Y}"
        if case.victim_id is not None and not case.disclosure_consent:
            return ("the applicant applied for someone else, and the victim has not agreed that the findings may "
                    "be disclosed to the applicant (record it under People and consent)")
        return tenure_missing(records)
    if template == "delay":
        if not (case.threshold_met and case.threshold_decided_on):
            return "a delay letter is only for a review under way (threshold met)"
        return None if case.outcome_sent_on is None else "the findings letter has already been sent"
    if template == "recommendation-notice":
        return None if records.recommendations else "no recommendations have been recorded for this case"
    if template == "secondary-review-acknowledgement":
        if records.secondary is not None and records.secondary.route == "opcc":
            return ("this request went to the Police and Crime Commissioner's office: send the OPCC "
                    "acknowledgement instead")
        return None if records.secondary else "no secondary review has been requested"
    if template in ("update", "closure", "opcc-acknowledgement", "opcc-referral"):
        return law_why_not(records, template)
    if template == "secondary-review-outcome":
        if records.secondary is None:
            return "no secondary review has been requested"
        if not records.secondary.outcome:
            return "the secondary review has no outcome recorded yet"
        return tenure_missing(records)
    return f"there is no letter called '{template}'"


AGENCY_TEMPLATES = ("incident-confirmation-request", "information-request", "agency-reminder",
                    "recommendation-notice")


def tenure_missing(records: CaseRecords) -> str | None:
    """The Housing Ombudsman route depends on whether the victim rents from a provider involved in the
    case: when one is involved and nobody has asked, the letter waits for the answer (never a guess)."""
    providers = records.providers_involved()
    case = records.case
    if not providers:
        return None
    names = " or ".join(a.name for a in providers)
    if case.victim_tenure is None:
        return (f"{names} is involved in the case, but whether the victim rents their home from it has not "
                "been recorded: record the tenure under People and consent first")
    if case.victim_tenure == TENURE_RP and case.victim_landlord_id is None:
        return ("the victim rents from a registered provider, but which one is not recorded: choose it under "
                "People and consent (the tenure) first")
    return None


def why_not_for_agency(records: CaseRecords, template: str, agency: Agency) -> str | None:
    """Whether this agency letter fits this agency (the case already fits the template)."""
    if template == "incident-confirmation-request":
        if not agency.relevant_body:
            return (f"{agency.name} is not a relevant body, so incidents reported to it cannot count and it is "
                    "not asked to confirm them")
        if not records.agency_incidents(agency.id):
            return f"no incident in this application was reported to {agency.name}"
    if template == "agency-reminder" and not records.open_requests(agency.id):
        return f"no request to {agency.name} is waiting for a reply"
    if template == "recommendation-notice":
        recs = [r for r in records.recommendations if r.agency_id == agency.id]
        if not recs:
            return f"no recommendation was made to {agency.name}"
        if any(not (r.rationale or "").strip() for r in recs):
            return (f"a recommendation to {agency.name} has no rationale recorded: the notice must say why it "
                    "was made, so record the rationale first")
    return None


_UNDER_WAY = {S.ACKNOWLEDGED, S.THRESHOLD_CHECK, S.THRESHOLD_MET, S.INFORMATION_GATHERING, S.PANEL_SCHEDULED,
              S.REVIEWED, S.SECONDARY_REVIEW_REQUESTED}


def law_why_not(records: CaseRecords, template: str) -> str | None:
    st, sr = records.status, records.secondary
    if template == "update":
        return None if st in _UNDER_WAY else "an update is for a review that is under way (acknowledged, not yet closed)"
    if template == "closure":
        return None if st == S.CLOSED and records.case.closed_on else "the case has not been closed"
    if sr is None or sr.route != "opcc":
        return "no request for a review has gone to the Police and Crime Commissioner's office"
    if sr.outcome:
        return "the Police and Crime Commissioner's office has already given its outcome"
    return None


def contact_user(session: Session, logins: list[str | None], users: dict[str, User] | None = None) -> User | None:
    """The first of these logins with a real name in the user list (for the named contact officer).

    A user whose display name is only their login (as the first user of a new database is
    created) has no name to print: a letter must name a person. `users` (login in lower case:
    user) is the list already read, when the caller has it.
    """
    for login in logins:
        if login:
            user = (users.get(login.casefold()) if users is not None else
                    session.scalar(select(User).where(func.lower(User.login) == login.lower())))
            name = (user.display_name or "").strip() if user else ""
            if user is not None and name and name.casefold() != user.login.casefold():
                return user
    return None
