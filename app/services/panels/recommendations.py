"""Recommendation tracking: each agency must have regard to what the panel recommended; its response."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from app.db.models import Agency, Case, Recommendation
from app.domain.application import Problem
from app.domain.roles import Permission
from app.services.common import audit
from app.services.common.concurrency import apply_changes, load_for_change
from app.services.common.context import ServiceContext, retry_read
from app.services.common.errors import NotFound, ValidationFailed
from app.services.common.ops import Changes, Part

RESPONSES = ("accepted", "declined", "completed")


def _require(problems: list[Problem]) -> None:
    if problems:
        raise ValidationFailed(problems)


def _date_checks(ctx: ServiceContext, on: date, name: str) -> list[Problem]:
    return [Problem(name, "the date cannot be in the future")] if on > ctx.today() else []


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
            response: str = "", on: date) -> Changes:
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
        return Changes.of_case(rec.case_id, Part.LIST, Part.RECOMMENDATIONS, Part.TIMELINE)


def chase(ctx: ServiceContext, recommendation_id: int, *, chased_on: date) -> Changes:
    ctx.require(Permission.CHANGE_CASES)
    _require(_date_checks(ctx, chased_on, "chased_on"))
    with ctx.unit_of_work() as session:
        rec = session.get(Recommendation, recommendation_id)
        if rec is None:
            raise NotFound("That recommendation no longer exists.")
        rec.chased_on = chased_on
        audit.record(session, ctx, "recommendation chased", "recommendation", rec.id, case_id=rec.case_id)
        return Changes.of_case(rec.case_id, Part.RECOMMENDATIONS, Part.TIMELINE)


@retry_read
def recommendations(ctx: ServiceContext, *, open_only: bool = True, case_id: int | None = None) -> list[RecommendationView]:
    """By agency and due date; open means not completed and not declined."""
    ctx.require(Permission.VIEW)
    today = ctx.today()
    with ctx.reading() as session:
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


