"""After the panel: the outcome and delay letters' dates, recommendation tracking, the secondary review."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from app.db.models import Agency, Case, Recommendation, SecondaryReview
from app.domain.application import Problem
from app.domain.workflow import Status, check_transition
from app.services.common import audit
from app.services.cases.facts import refresh_summary
from app.services.common.concurrency import apply_changes, load_for_change
from app.domain.roles import Permission
from app.services.common.context import ServiceContext
from app.services.common.errors import NotFound, ValidationFailed

RESPONSES = ("accepted", "declined", "completed")
OUTCOMES = {"upheld": "Upheld", "partly_upheld": "Partly upheld", "not_upheld": "Not upheld",
            "referred_back": "Referred back to the panel"}


def _require(problems: list[Problem]) -> None:
    if problems:
        raise ValidationFailed(problems)


def _date_checks(ctx: ServiceContext, on: date, name: str) -> list[Problem]:
    return [Problem(name, "the date cannot be in the future")] if on > ctx.today() else []


def record_outcome_sent(ctx: ServiceContext, case_id: int, expected_version: int, *, sent_on: date,
                        method: str) -> int:
    """The findings and recommendations letter was sent: the outcome clock stops on this date."""
    ctx.require(Permission.CHANGE_CASES)
    _require(_date_checks(ctx, sent_on, "sent_on"))
    with ctx.unit_of_work() as session:
        case = load_for_change(session, Case, case_id, expected_version, "This case")
        check_transition(Status(case.status), Status.OUTCOME_SENT)
        changes = apply_changes(case, {"status": Status.OUTCOME_SENT.value, "outcome_sent_on": sent_on}, ctx.actor)
        refresh_summary(session, case, ctx.settings(), ctx.calendar())
        audit.record(session, ctx, "outcome sent", "case", case.id, case_id=case.id, changes=changes,
                     reason=f"sent by {method}")
        session.flush()
        return case.version


def record_delay_letter(ctx: ServiceContext, case_id: int, expected_version: int, *, sent_on: date,
                        revised_due: date) -> int:
    """A delay letter gives a new date; it becomes the outcome due date (the original is kept)."""
    ctx.require(Permission.CHANGE_CASES)
    problems = _date_checks(ctx, sent_on, "sent_on")
    if revised_due <= sent_on:
        problems.append(Problem("revised_due", "the new date must be after the letter is sent"))
    _require(problems)
    with ctx.unit_of_work() as session:
        case = load_for_change(session, Case, case_id, expected_version, "This case")
        if case.threshold_met is not True or case.outcome_sent_on is not None:
            raise ValidationFailed([Problem("status", "a delay letter is for a review whose findings are not sent yet")])
        changes = apply_changes(case, {"revised_outcome_due": revised_due}, ctx.actor)
        refresh_summary(session, case, ctx.settings(), ctx.calendar())
        audit.record(session, ctx, "delay letter sent", "case", case.id, case_id=case.id, changes=changes)
        session.flush()
        return case.version


@dataclass(frozen=True)
class RecommendationView:
    id: int
    version: int
    case_id: int
    reference: str
    agency: str
    action: str
    due_on: date | None
    status: str
    response: str | None
    responded_on: date | None
    chased_on: date | None
    from_secondary_review: bool
    overdue: bool


def respond(ctx: ServiceContext, recommendation_id: int, expected_version: int, *, status: str,
            response: str = "", on: date) -> None:
    """The agency's response: it must have regard to the recommendation; a decline needs its reason."""
    ctx.require(Permission.CHANGE_CASES)
    problems = _date_checks(ctx, on, "on")
    if status not in RESPONSES:
        problems.append(Problem("status", f"choose one of {', '.join(RESPONSES)}"))
    if status == "declined" and not response.strip():
        problems.append(Problem("response", "record the agency's reason for not carrying it out"))
    _require(problems)
    with ctx.unit_of_work() as session:
        rec = load_for_change(session, Recommendation, recommendation_id, expected_version, "This recommendation")
        values = {"status": status, "response": response.strip() or rec.response, "responded_on": on}
        if status == "completed":
            values["completed_on"] = on
        changes = apply_changes(rec, values, ctx.actor)
        audit.record(session, ctx, "recommendation response", "recommendation", rec.id, case_id=rec.case_id,
                     changes=changes)


def chase(ctx: ServiceContext, recommendation_id: int, *, chased_on: date) -> None:
    ctx.require(Permission.CHANGE_CASES)
    _require(_date_checks(ctx, chased_on, "chased_on"))
    with ctx.unit_of_work() as session:
        rec = session.get(Recommendation, recommendation_id)
        if rec is None:
            raise NotFound("That recommendation no longer exists.")
        rec.chased_on = chased_on
        audit.record(session, ctx, "recommendation chased", "recommendation", rec.id, case_id=rec.case_id)


def recommendations(ctx: ServiceContext, *, open_only: bool = True, case_id: int | None = None) -> list[RecommendationView]:
    """By agency and due date; open means not completed and not declined."""
    ctx.require(Permission.VIEW)
    today = ctx.today()
    with ctx.unit_of_work() as session:
        query = (select(Recommendation, Case.reference, Agency.name).join(Case, Case.id == Recommendation.case_id)
                 .join(Agency, Agency.id == Recommendation.agency_id)
                 .order_by(Agency.name, Recommendation.due_on, Recommendation.id))
        if open_only:
            query = query.where(Recommendation.status.in_(("open", "accepted")))
        if case_id is not None:
            query = query.where(Recommendation.case_id == case_id)
        return [RecommendationView(r.id, r.version, r.case_id, ref, agency, r.action, r.due_on, r.status, r.response,
                                   r.responded_on, r.chased_on, r.secondary_review_id is not None,
                                   bool(r.due_on and r.due_on < today and r.status in ("open", "accepted")))
                for r, ref, agency in session.execute(query)]


# The secondary review ------------------------------------------------------------------------

GROUNDS = {"policy": "the council's policy", "process": "how the application was dealt with (the process)",
           "facts": "facts that were not considered", "other": "other grounds"}
QUERIED = {Status.OUTCOME_SENT.value: "outcome", Status.THRESHOLD_NOT_MET.value: "threshold_not_met",
           Status.NOT_ACCEPTED.value: "not_accepted"}


def request_secondary_review(ctx: ServiceContext, case_id: int, expected_version: int, *, requested_on: date,
                             requested_by: str, grounds: str, grounds_codes: tuple[str, ...] = ()) -> int:
    """The applicant asks for the review of the review, by the route the council's setting names: a
    senior officer not involved before, or the Police and Crime Commissioner's office (on set grounds:
    the policy, the process, facts not considered, other). A 'threshold not met' or 'not accepted'
    decision can be queried the same way as the panel's outcome."""
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
        due = ctx.settings().clocks.due(ctx.calendar(), "secondary_review", requested_on)
        review = SecondaryReview(case_id=case.id, requested_on=requested_on, requested_by=requested_by.strip() or None,
                                 grounds=grounds.strip(), due_on=due, updated_by=ctx.actor, route=route,
                                 grounds_codes=",".join(g for g in GROUNDS if g in grounds_codes) or None,
                                 decision_queried=QUERIED.get(case.status))
        session.add(review)
        changes = apply_changes(case, {"status": Status.SECONDARY_REVIEW_REQUESTED.value}, ctx.actor)
        refresh_summary(session, case, ctx.settings(), ctx.calendar())
        session.flush()
        audit.record(session, ctx, "secondary review requested", "case", case.id, case_id=case.id, changes=changes)
        return review.id


def complete_secondary_review(ctx: ServiceContext, review_id: int, expected_version: int, *, reviewer: str,
                              outcome: str, reasons: str, completed_on: date,
                              new_recommendations: tuple[tuple[int, str, date], ...] = ()) -> None:
    """Carried out by a senior officer not involved before; the last step of the process."""
    ctx.require(Permission.CHANGE_CASES)
    problems = _date_checks(ctx, completed_on, "completed_on")
    if outcome not in OUTCOMES:
        problems.append(Problem("outcome", f"choose one of {', '.join(OUTCOMES.values())}"))
    if not reviewer.strip():
        problems.append(Problem("reviewer", "name the senior officer who carried out the review"))
    if not reasons.strip():
        problems.append(Problem("reasons", "explain the decision"))
    _require(problems)
    with ctx.unit_of_work() as session:
        review = load_for_change(session, SecondaryReview, review_id, expected_version, "This secondary review")
        case = session.get(Case, review.case_id)
        assert case is not None
        involved = {case.threshold_decided_by, case.officer, case.created_by} - {None, ""}
        if review.route != "opcc" and reviewer.strip() in involved:
            raise ValidationFailed([Problem("reviewer", f"{reviewer} was involved in the case; the secondary "
                                            "review must be carried out by someone who was not")])
        apply_changes(review, {"reviewer": reviewer.strip(), "outcome": outcome, "outcome_reasons": reasons.strip(),
                               "completed_on": completed_on}, ctx.actor)
        for agency_id, action, due in new_recommendations:
            session.add(Recommendation(case_id=case.id, secondary_review_id=review.id, agency_id=agency_id,
                                       action=action, due_on=due, updated_by=ctx.actor))
        changes = apply_changes(case, {"status": Status.SECONDARY_REVIEW_COMPLETED.value}, ctx.actor)
        refresh_summary(session, case, ctx.settings(), ctx.calendar())
        audit.record(session, ctx, "secondary review completed", "case", case.id, case_id=case.id, changes=changes,
                     reason=OUTCOMES[outcome])


def record_opcc_referral(ctx: ServiceContext, review_id: int, expected_version: int, *, referred_on: date) -> None:
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


def record_secondary_outcome_sent(ctx: ServiceContext, case_id: int, *, sent_on: date, method: str) -> None:
    ctx.require(Permission.CHANGE_CASES)
    _require(_date_checks(ctx, sent_on, "sent_on"))
    with ctx.unit_of_work() as session:
        review = session.scalar(select(SecondaryReview).where(SecondaryReview.case_id == case_id)
                                .order_by(SecondaryReview.requested_on.desc(), SecondaryReview.id.desc()).limit(1))
        if review is None or review.completed_on is None:
            raise ValidationFailed([Problem("status", "the secondary review must be completed before its outcome "
                                            "letter is sent")])
        review.outcome_sent_on = sent_on
        case = session.get(Case, case_id)
        assert case is not None
        refresh_summary(session, case, ctx.settings(), ctx.calendar())
        audit.record(session, ctx, "secondary outcome sent", "case", case_id, case_id=case_id, reason=f"sent by {method}")


def latest_secondary_review(ctx: ServiceContext, case_id: int) -> SecondaryReview | None:
    ctx.require(Permission.VIEW)
    with ctx.unit_of_work() as session:
        return session.scalar(select(SecondaryReview).where(SecondaryReview.case_id == case_id)
                              .order_by(SecondaryReview.requested_on.desc(), SecondaryReview.id.desc()).limit(1))
