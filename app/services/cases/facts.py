"""From stored rows to the plain facts the domain rules take (threshold and clocks), in bulk."""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db.models import Agency, AgencyRequest, Case, Incident, SecondaryReview
from app.domain.clocks import (AgencyRequestFacts, CaseClockFacts, Clock, ClockDue, next_due,
                               running_clocks)
from app.domain.settings import Settings
from app.domain.threshold import IncidentFacts, ThresholdResult, assess
from app.domain.calendar import WorkingCalendar
from app.domain.workflow import Status


def incident_facts(incident: Incident, relevance: dict[int, tuple[str, bool]]) -> IncidentFacts:
    agency = relevance.get(incident.agency_id) if incident.agency_id else None
    return IncidentFacts(
        key=incident.id, occurred_on=incident.occurred_on, reported_on=incident.reported_on,
        reported_to=agency[0] if agency else incident.reported_to,
        relevant_body=agency[1] if agency else None, same_problem=incident.same_problem,
        duplicate_of=incident.duplicate_of_id, occurred_from=incident.occurred_from,
        occurred_to=incident.occurred_to, hate_incident=incident.hate_incident)


def agency_relevance(session: Session) -> dict[int, tuple[str, bool]]:
    return {a.id: (a.name, a.relevant_body)
            for a in session.execute(select(Agency.id, Agency.name, Agency.relevant_body))}


def threshold_for(case: Case, relevance: dict[int, tuple[str, bool]], settings: Settings) -> ThresholdResult:
    return assess([incident_facts(i, relevance) for i in case.incidents], case.received_on,
                  settings.threshold)


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


class CaseStates:
    """Threshold and clocks for many cases with a fixed number of queries (no query per case)."""

    def __init__(self, session: Session, settings: Settings, calendar: WorkingCalendar,
                 case_ids: Sequence[int] | None = None) -> None:
        self._session = session
        self._settings = settings
        self._calendar = calendar
        with session.no_autoflush:
            self._relevance = agency_relevance(session)
        requests = select(AgencyRequest)
        secondary = select(SecondaryReview).order_by(SecondaryReview.requested_on)
        if case_ids is not None:
            requests = requests.where(AgencyRequest.case_id.in_(case_ids))
            secondary = secondary.where(SecondaryReview.case_id.in_(case_ids))
        self._requests: dict[int, list[AgencyRequest]] = defaultdict(list)
        # Read without flushing, so that one step writes the case once; rows added in this unit of
        # work and not yet flushed are taken from the session itself.
        with session.no_autoflush:
            stored_requests = list(session.scalars(requests))
            stored_secondary = list(session.scalars(secondary))
        pending = [o for o in session.new if isinstance(o, (AgencyRequest, SecondaryReview))
                   and (case_ids is None or o.case_id in case_ids)]
        for r in stored_requests + [o for o in pending if isinstance(o, AgencyRequest)]:
            self._requests[r.case_id].append(r)
        # The latest secondary review is the one that runs a clock.
        ordered = stored_secondary + [o for o in pending if isinstance(o, SecondaryReview)]
        self._secondary = {s.case_id: s for s in ordered}

    def state(self, case: Case) -> CaseState:
        with self._session.no_autoflush:
            return self._state(case)

    def _state(self, case: Case) -> CaseState:
        return CaseState(
            threshold_for(case, self._relevance, self._settings),
            running_clocks(clock_facts(case, self._requests.get(case.id, ()), self._secondary.get(case.id)),
                           self._calendar, self._settings.clocks))


def refresh_summary(session: Session, case: Case, settings: Settings, calendar: WorkingCalendar) -> CaseState:
    """Recompute the columns the case list sorts on; call after any change to the case."""
    state = CaseStates(session, settings, calendar, [case.id]).state(case)
    first = next_due(state.clocks)
    case.next_due_on = first.due if first else None
    case.next_clock = first.clock.value if first else None
    case.qualifying_incidents = state.threshold.qualifying_incidents
    return state
