"""Moving a case through the process: consent, acknowledgement, threshold, not accepted, withdrawn, closed."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from app.db.models import Case
from app.domain.workflow import Status, check_transition
from app.services.common import audit
from app.services.cases.facts import CaseState, refresh_summary
from app.services.common.concurrency import apply_changes, load_for_change
from app.domain.roles import Permission
from app.services.common.context import ServiceContext
from app.services.common.errors import ValidationFailed
from app.services.common.ops import Changes
from app.domain.application import CONSENT_METHODS, Problem

NOT_ACCEPTED_REASONS = {
    "not_asb": "the behaviour described is not anti-social behaviour",
    "outside_area": "the problem is outside the council's area",
    "anonymous": "anonymous applications cannot be accepted",
    "service_complaint": "it is a complaint about a service, which goes through that service's complaints procedure",
}
SEND_METHODS = ("post", "email", "hand")


@dataclass(frozen=True)
class StepResult:
    case_id: int
    reference: str
    status: str
    version: int
    changed: tuple[str, ...]
    changes: Changes


def _step(ctx: ServiceContext, case_id: int, expected_version: int, action: str,
          change: Any, *, reason: str | None = None) -> StepResult:
    """One workflow step: load with a version check, change, audit, recompute the clocks."""
    ctx.require(Permission.CHANGE_CASES)
    with ctx.unit_of_work() as session:
        case = load_for_change(session, Case, case_id, expected_version, "This case")
        values: dict[str, Any] = change(session, case)
        target = values.get("status")
        if target is not None and target != case.status:
            check_transition(Status(case.status), Status(target))
        changed = apply_changes(case, values, ctx.actor)
        _finish(session, ctx, case)
        audit.record(session, ctx, action, "case", case.id, case_id=case.id, changes=changed, reason=reason)
        session.flush()
        return StepResult(case.id, case.reference, case.status, case.version, tuple(changed),
                          Changes.of_case(case.id))


def _finish(session: Session, ctx: ServiceContext, case: Case) -> CaseState:
    return refresh_summary(session, case, ctx.settings(), ctx.calendar())


def _require(problems: list[Problem]) -> None:
    if problems:
        raise ValidationFailed(problems)


def record_consent(ctx: ServiceContext, case_id: int, expected_version: int, *,
                   victim_consent_method: str | None = None, victim_consent_given_on: date | None = None,
                   consent_to_share: bool | None = None) -> StepResult:
    """Record the consent that was missing; the threshold clock then runs from today."""
    today = ctx.today()

    def change(_s: Session, case: Case) -> dict[str, Any]:
        values: dict[str, Any] = {}
        if victim_consent_method is not None:
            _require([] if victim_consent_method in CONSENT_METHODS else
                     [Problem("victim_consent_method", f"choose one of {', '.join(CONSENT_METHODS)}")])
            values.update(victim_consent=True, victim_consent_method=victim_consent_method,
                          victim_consent_given_on=victim_consent_given_on or today)
        if consent_to_share is not None:
            values["consent_to_share"] = consent_to_share
        victim_ok = case.victim_id is None or values.get("victim_consent", case.victim_consent)
        share_ok = values.get("consent_to_share", case.consent_to_share)
        if case.status == Status.AWAITING_CONSENT and victim_ok and share_ok:
            values["status"] = Status.ACKNOWLEDGED if case.acknowledged_on else Status.RECEIVED
            values["consent_completed_on"] = today
        elif case.status != Status.AWAITING_CONSENT and not (victim_ok and share_ok):
            values["status"] = Status.AWAITING_CONSENT
        values["consent_recorded_by"] = ctx.actor
        values["consent_recorded_at"] = ctx.now()
        return values

    return _step(ctx, case_id, expected_version, "consent", change)


def start_threshold_check(ctx: ServiceContext, case_id: int, expected_version: int) -> StepResult:
    return _step(ctx, case_id, expected_version, "threshold check",
                 lambda _s, _c: {"status": Status.THRESHOLD_CHECK})


def decide_threshold(ctx: ServiceContext, case_id: int, expected_version: int, *, met: bool,
                     decided_on: date, reason: str = "", action_instead: str = "") -> StepResult:
    """The officer's decision. A reason is required when it departs from the indicator;
    'not met' must say what will be done instead to deal with the problem."""

    def change(session: Session, case: Case) -> dict[str, Any]:
        indicator = _finish(session, ctx, case).threshold
        problems: list[Problem] = []
        if decided_on > ctx.today():
            problems.append(Problem("decided_on", "the decision date cannot be in the future"))
        if decided_on < case.received_on:
            problems.append(Problem("decided_on", "the decision cannot come before the application"))
        if met != indicator.met and not reason.strip():
            problems.append(Problem("reason", f"the indicator says {indicator.summary()}; record why the "
                                    "decision differs (persistence, harm, vulnerability...)"))
        if not met and not action_instead.strip():
            problems.append(Problem("action_instead", "say what action will be taken instead to deal "
                                    "with the problem (the applicant must be told)"))
        _require(problems)
        return {"status": Status.THRESHOLD_MET if met else Status.THRESHOLD_NOT_MET,
                "threshold_met": met, "threshold_decided_on": decided_on,
                "threshold_decided_by": ctx.actor, "threshold_reason": reason.strip() or None,
                "threshold_not_met_action": action_instead.strip() or None}

    return _step(ctx, case_id, expected_version, "threshold decision", change)


def not_accept(ctx: ServiceContext, case_id: int, expected_version: int, *, reason_code: str,
               details: str = "") -> StepResult:
    ctx.require(Permission.CHANGE_CASES)
    _require([] if reason_code in NOT_ACCEPTED_REASONS else
             [Problem("reason", f"choose a reason: {', '.join(NOT_ACCEPTED_REASONS)}")])
    text = NOT_ACCEPTED_REASONS[reason_code] + (f": {details.strip()}" if details.strip() else "")
    return _step(ctx, case_id, expected_version, "not accepted",
                 lambda _s, _c: {"status": Status.NOT_ACCEPTED, "not_accepted_reason": text},
                 reason=reason_code)  # the officer's words go with the change values, which retention purges


def withdraw(ctx: ServiceContext, case_id: int, expected_version: int, *, withdrawn_on: date,
             reason: str = "") -> StepResult:
    _require([Problem("withdrawn_on", "the date cannot be in the future")] if withdrawn_on > ctx.today() else [])
    return _step(ctx, case_id, expected_version, "withdrawn",
                 lambda _s, _c: {"status": Status.WITHDRAWN, "withdrawn_on": withdrawn_on,
                                 "withdrawn_reason": reason.strip() or "at the applicant's request"})


def close_case(ctx: ServiceContext, case_id: int, expected_version: int, *, closed_on: date) -> StepResult:
    def change(_s: Session, case: Case) -> dict[str, Any]:
        problems = []
        if case.status in (Status.THRESHOLD_NOT_MET, Status.NOT_ACCEPTED) and case.decision_letter_sent_on is None:
            problems.append(Problem("status", "send the decision letter before closing the case"))
        if closed_on > ctx.today():
            problems.append(Problem("closed_on", "the date cannot be in the future"))
        _require(problems)
        return {"status": Status.CLOSED, "closed_on": closed_on}

    return _step(ctx, case_id, expected_version, "closed", change)


def update_case_details(ctx: ServiceContext, case_id: int, expected_version: int,
                        values: dict[str, Any]) -> StepResult:
    """Edit the free-text parts of a case; refuses if someone else saved it meanwhile."""
    ctx.require(Permission.CHANGE_CASES)
    editable = {"impact", "vulnerability", "desired_outcome", "asb_types", "officer"}
    unknown = set(values) - editable
    _require([Problem(name, "cannot be edited here") for name in sorted(unknown)])
    return _step(ctx, case_id, expected_version, "change", lambda _s, _c: dict(values))


def record_disclosure_consent(ctx: ServiceContext, case_id: int, expected_version: int, *, given: bool,
                              on: date) -> StepResult:
    """Whether the victim agrees that the findings may be sent to the applicant acting for them."""
    _require([Problem("on", "the date cannot be in the future")] if on > ctx.today() else [])

    def change(_s: Session, case: Case) -> dict[str, Any]:
        if case.victim_id is None:
            raise ValidationFailed([Problem("victim", "the applicant is the victim; no consent is needed")])
        return {"disclosure_consent": given, "disclosure_consent_on": on}

    return _step(ctx, case_id, expected_version, "disclosure consent", change)
