"""A case review started by an agency or the CSU itself, without an application (ASB Action Plan 2023:
agencies may start a review once the threshold is reached). The victim's consent comes first."""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime

from app.db.models import Agency, Case
from app.domain.application import (CONSENT_METHODS, ApplicationData, Channel, IncidentData, PersonData, Problem,
                                    check_application)
from app.domain.roles import Permission
from app.services.agencies.matching import AgencyMatcher
from app.services.cases.facts import refresh_summary
from app.services.common import audit
from app.services.common.context import ServiceContext
from app.services.common.errors import ValidationFailed
from app.services.intake.applications import CreatedCase, _add_case

AGENCY_CHANNEL = "agency"  # not an application channel: the JSON import never takes it
AGENCY_CHANNEL_LABEL = "Started by an agency (no application)"


@dataclass(frozen=True)
class AgencyStartedReview:
    agency_id: int
    reason: str  # why the agency started it (the threshold reached, what it has seen)
    started_on: date
    victim: PersonData
    problem_location: str | None = None
    asb_types: tuple[str, ...] = ()
    incidents: tuple[IncidentData, ...] = ()
    victim_consent: bool = False  # the victim agrees to the review and to sharing with the agencies
    consent_method: str | None = None


def start_review(ctx: ServiceContext, review: AgencyStartedReview) -> CreatedCase:
    """Open a case without an application. It waits for the victim's consent before it proceeds; the
    victim is then the person the letters go to. The statutory figures report it beside the four."""
    ctx.require(Permission.CHANGE_CASES)
    problems: list[Problem] = []
    if not review.reason.strip():
        problems.append(Problem("reason", "say why the agency started the review (for example, the threshold "
                                "is reached and the problem goes on)"))
    if review.started_on > ctx.today():
        problems.append(Problem("started_on", "the date cannot be in the future"))
    if review.victim_consent and review.consent_method not in CONSENT_METHODS:
        problems.append(Problem("consent_method", f"say how the victim gave consent: {', '.join(CONSENT_METHODS)}"))
    data = ApplicationData(channel=Channel.IN_PERSON, received_at=datetime.combine(review.started_on, datetime.min.time()),
                           applicant=review.victim, incidents=review.incidents, consent_to_share=review.victim_consent,
                           asb_types=review.asb_types, problem_location=review.problem_location)
    # The application's own checks, except that a review started by an agency may list no incidents.
    problems += [p for p in check_application(data, ctx.now(), strict=False) if p.field != "incidents"]
    if problems:
        raise ValidationFailed(problems)
    with ctx.unit_of_work() as session:
        agency = session.get(Agency, review.agency_id)
        if agency is None:
            raise ValidationFailed([Problem("agency_id", "choose the agency from the directory")])
        created = _add_case(session, ctx, data, AgencyMatcher(session), ctx.actor)
        case = session.get(Case, created.id)
        assert case is not None
        case.channel = AGENCY_CHANNEL
        case.started_by_agency_id, case.started_reason = agency.id, review.reason.strip()
        case.consent_recorded_by, case.consent_recorded_at = ctx.actor, ctx.now()
        refresh_summary(session, case, ctx.settings(), ctx.calendar())
        audit.record(session, ctx, "started by an agency", "case", case.id, case_id=case.id,
                     changes={"started_reason": (None, review.reason.strip())}, reason=agency.name)
        session.flush()
        waiting = () if review.victim_consent else ("the victim's consent to the review",)
        return replace(created, status=case.status, version=case.version, waiting_for=waiting)

