"""From stored rows to the plain facts the domain rules take (threshold and clocks), in bulk."""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.util import identity_key

from app.db.engine import read_together

from app.db.models import Agency, AgencyRequest, Case, Incident, IncidentConfirmation, SecondaryReview
from app.domain.clocks import (AgencyRequestFacts, CaseClockFacts, Clock, ClockDue, next_due,
                               running_clocks, update_due)
from app.domain.evaluation import ThresholdInputs, evaluate
from app.domain.settings import Settings
from app.domain.threshold import Household, IncidentFacts, ThresholdResult
from app.domain.calendar import WorkingCalendar
from app.domain.workflow import Status
from app.services.cases.households import households_for


def incident_facts(incident: Incident, relevance: dict[int, tuple[str, bool]],
                   confirmed: bool = False) -> IncidentFacts:
    agency = relevance.get(incident.agency_id) if incident.agency_id else None
    return IncidentFacts(
        key=incident.id, occurred_on=incident.occurred_on, reported_on=incident.reported_on,
        reported_to=agency[0] if agency else incident.reported_to,
        relevant_body=agency[1] if agency else None, same_problem=incident.same_problem,
        duplicate_of=incident.duplicate_of_id, occurred_from=incident.occurred_from,
        occurred_to=incident.occurred_to, hate_incident=incident.hate_incident, confirmed=confirmed)


def agency_relevance(session: Session) -> dict[int, tuple[str, bool]]:
    return {a.id: (a.name, a.relevant_body)
            for a in session.execute(select(Agency.id, Agency.name, Agency.relevant_body))}


def threshold_inputs(case: Case, relevance: dict[int, tuple[str, bool]], confirmed: set[int] | frozenset[int] = frozenset(),
                     households: tuple[Household, ...] | None = None) -> ThresholdInputs:
    return ThresholdInputs(case.received_on, tuple(incident_facts(i, relevance, i.id in confirmed)
                                                   for i in case.incidents), households)


def threshold_for(case: Case, relevance: dict[int, tuple[str, bool]], settings: Settings,
                  confirmed: set[int] | frozenset[int] = frozenset(),
                  households: tuple[Household, ...] | None = None) -> ThresholdResult:
    """The saved case's indicator: the same evaluation as the form's live panel."""
    return evaluate(threshold_inputs(case, relevance, confirmed, households), settings.rule_history)


def confirmed_incidents(session: Session, case_ids: Sequence[int] | None) -> set[int]:
    """Incidents an agency has confirmed, counting changes not yet flushed in this unit of work."""
    query = (select(IncidentConfirmation.id, IncidentConfirmation.incident_id, IncidentConfirmation.status)
             .join(Incident, Incident.id == IncidentConfirmation.incident_id))
    if case_ids is not None:
        query = query.where(Incident.case_id.in_(case_ids))
    with session.no_autoflush:
        stored = session.execute(query.order_by(IncidentConfirmation.id)).all()
    return latest_confirmed(session, stored)


def latest_confirmed(session: Session, stored: Sequence[Any]) -> set[int]:
    rows = in_session(session, IncidentConfirmation, stored)
    rows += [o for o in session.new if isinstance(o, IncidentConfirmation) and o not in rows]
    latest: dict[int, str] = {}
    for row in sorted(rows, key=lambda r: (r.id or 1 << 60)):
        latest[row.incident_id] = row.status  # the latest answer about an incident is the one that counts
    return {i for i, status in latest.items() if status == "confirmed"}


_RELEVANCE = select(Agency.id, Agency.name, Agency.relevant_body)


def in_session(session: Session, model: type, rows: Sequence[Any]) -> list[Any]:
    """Each stored row, or the session's own object for it where this unit of work holds one (it may
    have changed it without flushing yet)."""
    out = []
    for row in rows:
        held = session.identity_map.get(identity_key(model, row.id))
        out.append(held if held is not None else row)
    return out


def clock_facts(case: Case, requests: Sequence[AgencyRequest] = (),
                secondary: SecondaryReview | None = None) -> CaseClockFacts:
    return CaseClockFacts(
        status=Status(case.status), received_on=case.received_on,
        consent_recorded_on=case.consent_completed_on, acknowledged_on=case.acknowledged_on,
        threshold_decided_on=case.threshold_decided_on, threshold_met=case.threshold_met,
        agency_requests=tuple(AgencyRequestFacts(r.sent_on, r.answered_on, r.revised_due_on)
                              for r in requests),
        panel_completed_on=case.panel_completed_on, outcome_sent_on=case.outcome_sent_on,
        revised_outcome_due=case.revised_outcome_due,
        decision_letter_sent_on=case.decision_letter_sent_on,
        secondary_review_requested_on=secondary.requested_on if secondary else None,
        secondary_review_outcome_sent_on=secondary.outcome_sent_on if secondary else None)


@dataclass(frozen=True)
class CaseState:
    threshold: ThresholdResult
    clocks: dict[Clock, ClockDue]
    update_due: date | None = None  # the keep-informed clock (not one of domain.md's clocks)


class CaseStates:
    """Threshold and clocks for many cases with a fixed number of queries (no query per case)."""

    def __init__(self, session: Session, settings: Settings, calendar: WorkingCalendar,
                 case_ids: Sequence[int] | None = None) -> None:
        self._session = session
        self._settings = settings
        self._calendar = calendar
        requests = select(AgencyRequest.id, AgencyRequest.case_id, AgencyRequest.sent_on, AgencyRequest.answered_on,
                          AgencyRequest.revised_due_on)
        secondary = (select(SecondaryReview.id, SecondaryReview.case_id, SecondaryReview.requested_on,
                            SecondaryReview.outcome_sent_on).order_by(SecondaryReview.requested_on))
        confirmations = (select(IncidentConfirmation.id, IncidentConfirmation.incident_id, IncidentConfirmation.status)
                         .join(Incident, Incident.id == IncidentConfirmation.incident_id)
                         .order_by(IncidentConfirmation.id))
        if case_ids is not None:
            requests = requests.where(AgencyRequest.case_id.in_(case_ids))
            secondary = secondary.where(SecondaryReview.case_id.in_(case_ids))
            confirmations = confirmations.where(Incident.case_id.in_(case_ids))
        # Read together (one round trip on a server) and without flushing, so that one step writes the
        # case once. Rows this unit of work has changed or added and not yet flushed are taken from the
        # session itself, so that the clocks and the threshold see them.
        relevance, stored_requests, stored_secondary, stored_confirmations = read_together(
            session, [_RELEVANCE, requests, secondary, confirmations])
        self._relevance = {a.id: (a.name, a.relevant_body) for a in relevance}
        in_scope = (lambda o: case_ids is None or o.case_id in case_ids)
        pending = [o for o in session.new if isinstance(o, (AgencyRequest, SecondaryReview)) and in_scope(o)]
        self._requests: dict[int, list[Any]] = defaultdict(list)
        for r in in_session(session, AgencyRequest, stored_requests) + [o for o in pending
                                                                          if isinstance(o, AgencyRequest)]:
            self._requests[r.case_id].append(r)
        # The latest secondary review is the one that runs a clock.
        ordered = in_session(session, SecondaryReview, stored_secondary) + [
            o for o in pending if isinstance(o, SecondaryReview)]
        self._secondary: dict[int, Any] = {s.case_id: s for s in ordered}
        self._confirmed = latest_confirmed(session, stored_confirmations)
        self._households: dict[int, tuple[Household, ...]] = {}
        self._case_ids = case_ids

    @classmethod
    def preloaded(cls, session: Session, settings: Settings, calendar: WorkingCalendar, case_ids: Sequence[int], *,
                  relevance: dict[int, tuple[str, bool]], requests: Sequence[Any], secondary: Sequence[Any],
                  confirmed: set[int]) -> CaseStates:
        """The same, from rows the caller has already read (with its other reads, in one round trip):
        `requests` and `secondary` need the columns the clocks use, `secondary` oldest request first."""
        self = cls.__new__(cls)
        self._session, self._settings, self._calendar = session, settings, calendar
        self._relevance = relevance
        self._requests = defaultdict(list)
        for r in requests:
            self._requests[r.case_id].append(r)
        self._secondary = {s.case_id: s for s in secondary}
        self._confirmed = confirmed
        self._households = {}
        self._case_ids = case_ids
        return self

    def _households_of(self, case: Case) -> tuple[Household, ...] | None:
        """Only where the community route is in force for the case (it costs queries)."""
        if not self._settings.rules_on(case.received_on).community_route:
            return None
        if case.id not in self._households:
            self._households.update(households_for(self._session, [case]))
        return self._households.get(case.id)

    def prefetch_households(self, cases: Sequence[Case]) -> None:
        wanted = [c for c in cases if self._settings.rules_on(c.received_on).community_route]
        if wanted:
            self._households.update(households_for(self._session, wanted))

    def state(self, case: Case) -> CaseState:
        with self._session.no_autoflush:
            return self._state(case)

    def _state(self, case: Case) -> CaseState:
        status = Status(case.status)
        return CaseState(
            threshold_for(case, self._relevance, self._settings, self._confirmed, self._households_of(case)),
            running_clocks(clock_facts(case, self._requests.get(case.id, ()), self._secondary.get(case.id)),
                           self._calendar, self._settings.clocks),
            update_due(status, case.acknowledged_on, case.last_update_on, self._calendar, self._settings.clocks))


def refresh_summary(session: Session, case: Case, settings: Settings, calendar: WorkingCalendar) -> CaseState:
    """Recompute the columns the case list sorts on; call after any change to the case."""
    state = CaseStates(session, settings, calendar, [case.id]).state(case)
    first = next_due(state.clocks)
    case.next_due_on = first.due if first else None
    case.next_clock = first.clock.value if first else None
    case.qualifying_incidents = state.threshold.qualifying_incidents
    case.update_due_on = state.update_due
    return state
