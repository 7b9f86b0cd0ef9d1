"""Keeping the applicant informed (guidance 2025: a single point of contact who keeps the victim
updated): each update recorded with how and what was said; the keep-informed clock runs from the last."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db.models import Case, CaseUpdate
from app.domain.application import Problem
from app.domain.roles import Permission
from app.services.cases.facts import refresh_summary
from app.services.common import audit
from app.services.common.concurrency import apply_changes, load_for_change
from app.services.common.context import ServiceContext, retry_read
from app.services.common.errors import ValidationFailed
from app.services.common.ops import Changes

UPDATE_METHODS = ("phone", "email", "letter", "in person", "text message")


@dataclass(frozen=True)
class UpdateView:
    given_on: date
    method: str
    summary: str
    by: str


@dataclass(frozen=True)
class UpdateRecorded:
    version: int
    next_due: date | None
    changes: Changes


def record_update(ctx: ServiceContext, case_id: int, expected_version: int, *, given_on: date, method: str,
                  summary: str) -> UpdateRecorded:
    """An update given to the applicant: where the review has got to and what happens next."""
    ctx.require(Permission.CHANGE_CASES)
    problems = []
    if method not in UPDATE_METHODS:
        problems.append(Problem("method", f"choose how the update was given: {', '.join(UPDATE_METHODS)}"))
    if not summary.strip():
        problems.append(Problem("summary", "record what the applicant was told"))
    if given_on > ctx.today():
        problems.append(Problem("given_on", "the date cannot be in the future"))
    if problems:
        raise ValidationFailed(problems)
    with ctx.unit_of_work() as session:
        case = load_for_change(session, Case, case_id, expected_version, "This case")
        if given_on < case.received_on:
            raise ValidationFailed([Problem("given_on", "an update cannot come before the application")])
        add_update(session, ctx, case, given_on, method, summary.strip())
        session.flush()
        return UpdateRecorded(case.version, case.update_due_on, Changes.of_case(case.id))


def add_update(session: Session, ctx: ServiceContext, case: Case, given_on: date, method: str, summary: str,
               letter_id: int | None = None) -> None:
    """Within a unit of work: the update, the case's last update date, and the clock from it."""
    session.add(CaseUpdate(case_id=case.id, given_on=given_on, method=method, summary=summary, letter_id=letter_id,
                           created_by=ctx.actor))
    latest = max(d for d in (case.last_update_on, given_on) if d)
    changes = apply_changes(case, {"last_update_on": latest}, ctx.actor)
    refresh_summary(session, case, ctx.settings(), ctx.calendar())
    audit.record(session, ctx, "update given", "case", case.id, case_id=case.id,
                 changes={**changes, "summary": (None, summary)}, reason=f"by {method}")


@retry_read
def list_updates(ctx: ServiceContext, case_id: int) -> list[UpdateView]:
    ctx.require(Permission.VIEW)
    with ctx.reading() as session:
        return [UpdateView(u.given_on, u.method, u.summary, u.created_by) for u in session.scalars(
            select(CaseUpdate).where(CaseUpdate.case_id == case_id)
            .order_by(CaseUpdate.given_on.desc(), CaseUpdate.id.desc()))]

