"""The secondary review (the review of the review): requested by the applicant, carried out by the route
the council has chosen: a senior officer not involved before, or the Police and Crime Commissioner's office."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from app.db.models import Case, Recommendation, SecondaryReview
from app.domain.application import Problem
from app.domain.roles import Permission
from app.domain.workflow import Status, check_transition
from app.services.cases.facts import refresh_summary
from app.services.common import audit
from app.services.common.concurrency import apply_changes, load_for_change
from app.services.common.context import ServiceContext, retry_read
from app.services.common.errors import ValidationFailed
from app.services.common.ops import Changes, Part, Saved

OUTCOMES = {"upheld": "Upheld", "partly_upheld": "Partly upheld", "not_upheld": "Not upheld",
            "referred_back": "Referred back to the panel"}


def _require(problems: list[Problem]) -> None:
    if problems:
        raise ValidationFailed(problems)


def _date_checks(ctx: ServiceContext, on: date, name: str) -> list[Problem]:
    return [Problem(name, "the date cannot be in the future")] if on > ctx.today() else []


GROUNDS = {"policy": "the council's policy", "process": "how the application was dealt with (the process)",
           "facts": "facts that were not considered", "other": "other grounds"}
# Which decision a request queries, by the case's state when it is asked for (status values).
QUERIED = {"outcome_sent": "outcome", "threshold_not_met": "threshold_not_met", "not_accepted": "not_accepted"}


def request_secondary_review(ctx: ServiceContext, case_id: int, expected_version: int, *, requested_on: date,
                             requested_by: str, grounds: str, reviewer: str = "",
                             grounds_codes: tuple[str, ...] = ()) -> Saved:
    """The applicant asks for the review of the review, by the route the council's setting names: a
    senior officer not involved before (named in the acknowledgement), or the Police and Crime
    Commissioner's office (on set grounds: the policy, the process, facts not considered, other). A
    'threshold not met' or 'not accepted' decision can be queried the same way as the panel's outcome."""
    ctx.require(Permission.CHANGE_CASES)
    route = ctx.settings().review_route
    problems = _date_checks(ctx, requested_on, "requested_on")
    unknown = [g for g in grounds_codes if g not in GROUNDS]
    if unknown:
        problems.append(Problem("grounds_codes", f"{', '.join(unknown)}: choose from {', '.join(GROUNDS)}"))
    if route == "opcc" and not grounds_codes:
        problems.append(Problem("grounds_codes", "the Police and Crime Commissioner's office reviews on set grounds: "
                                "choose at least one (the policy, the process, facts not considered, other)"))
    if not grounds.strip():
        problems.append(Problem("grounds", "record why the applicant is unhappy"))
    _require(problems)
    with ctx.unit_of_work() as session:
        case = load_for_change(session, Case, case_id, expected_version, "This case")
        check_transition(Status(case.status), Status.SECONDARY_REVIEW_REQUESTED)
        if route != "opcc":
            _check_not_involved(case, reviewer)
        due = ctx.settings().clocks.due(ctx.calendar(), "secondary_review", requested_on)
        review = SecondaryReview(case_id=case.id, requested_on=requested_on, requested_by=requested_by.strip() or None,
                                 grounds=grounds.strip(), due_on=due, updated_by=ctx.actor,
                                 reviewer=reviewer.strip() or None, route=route,
                                 grounds_codes=",".join(g for g in GROUNDS if g in grounds_codes) or None,
                                 decision_queried=QUERIED.get(case.status))
        session.add(review)
        changes = apply_changes(case, {"status": Status.SECONDARY_REVIEW_REQUESTED.value}, ctx.actor)
        refresh_summary(session, case, ctx.settings(), ctx.calendar())
        session.flush()
        audit.record(session, ctx, "secondary review requested", "case", case.id, case_id=case.id, changes=changes)
        return Saved(review.id, Changes.of_case(case.id), review.version)


def _check_not_involved(case: Case, reviewer: str) -> None:
    involved = {case.threshold_decided_by, case.officer, case.created_by} - {None, ""}
    if reviewer.strip() and reviewer.strip() in involved:
        raise ValidationFailed([Problem("reviewer", f"{reviewer} was involved in the case; the secondary "
                                        "review must be carried out by someone who was not")])


def complete_secondary_review(ctx: ServiceContext, review_id: int, expected_version: int, *, reviewer: str,
                              outcome: str, reasons: str, completed_on: date,
                              new_recommendations: tuple[tuple[int, str, date, str], ...] = ()) -> Changes:
    """Carried out by a senior officer not involved before; the last step of the process.

    Each new recommendation is (agency id, action, due date, rationale): like the panel's, it carries
    why it was made, which the notice to the agency states.
    """
    ctx.require(Permission.CHANGE_CASES)
    problems = _date_checks(ctx, completed_on, "completed_on")
    if outcome not in OUTCOMES:
        problems.append(Problem("outcome", f"choose one of {', '.join(OUTCOMES.values())}"))
    if not reviewer.strip():
        problems.append(Problem("reviewer", "name the senior officer who carried out the review"))
    if not reasons.strip():
        problems.append(Problem("reasons", "explain the decision"))
    for n, rec in enumerate(new_recommendations):
        if not str(rec[1] or "").strip():
            problems.append(Problem(f"new_recommendations[{n}].action", "say what the agency will do"))
        if len(rec) < 3 or rec[2] is None:
            problems.append(Problem(f"new_recommendations[{n}].due_on", "give the date it is due by"))
        if len(rec) < 4 or not str(rec[3] or "").strip():
            problems.append(Problem(f"new_recommendations[{n}].rationale", "say why the recommendation is made"))
    _require(problems)
    with ctx.unit_of_work() as session:
        review = load_for_change(session, SecondaryReview, review_id, expected_version, "This secondary review")
        case = session.get(Case, review.case_id)
        assert case is not None
        if review.route != "opcc":
            _check_not_involved(case, reviewer)
        apply_changes(review, {"reviewer": reviewer.strip(), "outcome": outcome, "outcome_reasons": reasons.strip(),
                               "completed_on": completed_on}, ctx.actor)
        for agency_id, action, due, rationale in new_recommendations:
            session.add(Recommendation(case_id=case.id, secondary_review_id=review.id, agency_id=agency_id,
                                       action=action.strip(), due_on=due, rationale=rationale.strip(),
                                       updated_by=ctx.actor))
        changes = apply_changes(case, {"status": Status.SECONDARY_REVIEW_COMPLETED.value}, ctx.actor)
        refresh_summary(session, case, ctx.settings(), ctx.calendar())
        audit.record(session, ctx, "secondary review completed", "case", case.id, case_id=case.id, changes=changes,
                     reason=OUTCOMES[outcome])
        return Changes.of_case(case.id) | Changes.of(Part.RECOMMENDATIONS)


def record_opcc_referral(ctx: ServiceContext, review_id: int, expected_version: int, *, referred_on: date) -> Changes:
    """The request and its referral pack went to the Police and Crime Commissioner's office."""
    ctx.require(Permission.CHANGE_CASES)
    _require(_date_checks(ctx, referred_on, "referred_on"))
    with ctx.unit_of_work() as session:
        review = load_for_change(session, SecondaryReview, review_id, expected_version, "This review request")
        if review.route != "opcc":
            raise ValidationFailed([Problem("route", "this review is carried out by a senior officer of the council, "
                                            "not referred to the Police and Crime Commissioner's office")])
        if referred_on < review.requested_on:
            raise ValidationFailed([Problem("referred_on", "the referral cannot come before the request")])
        changes = apply_changes(review, {"referred_on": referred_on}, ctx.actor)
        audit.record(session, ctx, "referred to the OPCC", "case", review.case_id, case_id=review.case_id,
                     changes=changes)
        return Changes.of_case(review.case_id)


@dataclass(frozen=True)
class SecondaryReviewView:
    id: int
    version: int
    case_id: int
    requested_on: date
    requested_by: str | None
    grounds: str
    due_on: date | None
    reviewer: str | None
    outcome: str | None
    completed_on: date | None
    outcome_sent_on: date | None
    route: str = "senior_officer"
    grounds_codes: str | None = None
    decision_queried: str | None = None
    referred_on: date | None = None


@retry_read
def latest_secondary_review(ctx: ServiceContext, case_id: int) -> SecondaryReviewView | None:
    ctx.require(Permission.VIEW)
    with ctx.reading() as session:
        r = session.scalar(select(SecondaryReview).where(SecondaryReview.case_id == case_id)
                           .order_by(SecondaryReview.requested_on.desc(), SecondaryReview.id.desc()).limit(1))
        return None if r is None else SecondaryReviewView(
            r.id, r.version, r.case_id, r.requested_on, r.requested_by, r.grounds or "", r.due_on, r.reviewer, r.outcome,
            r.completed_on, r.outcome_sent_on, r.route, r.grounds_codes, r.decision_queried, r.referred_on)
