"""The parts of the case page the law of 2026 adds: the rules, the assessment, the routes, the updates."""
from __future__ import annotations

import json
from datetime import date
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from app.db.models import Agency, Case, CaseUpdate
from app.domain.assessment import Assessment
from app.domain.settings import Settings
from app.domain.threshold import ThresholdResult
from app.domain.threshold_rules import RulesInForce


def law_updates(case_id: int) -> Select[date, str, str, str]:
    """The updates given to the applicant, newest first (the page reads it with its other reads)."""
    return (select(CaseUpdate.given_on, CaseUpdate.method, CaseUpdate.summary, CaseUpdate.created_by)
            .where(CaseUpdate.case_id == case_id).order_by(CaseUpdate.given_on.desc(), CaseUpdate.id.desc()))


def law_parts(session: Session, case: Case, threshold: ThresholdResult, settings: Settings,
              agencies: Mapping[int, Agency | Any], *, updates: Sequence[Any] | None = None) -> dict[str, Any]:
    """`updates`: the rows of law_updates when already read; read here otherwise."""
    decision_rules = None
    if case.threshold_rules:
        decision_rules = RulesInForce.from_json(json.loads(case.threshold_rules)).describe()
    assessment = Assessment.from_json(json.loads(case.threshold_assessment)) if case.threshold_assessment else None
    found = updates if updates is not None else session.execute(law_updates(case.id)).all()
    updates = tuple((u.given_on, u.method, u.summary, u.created_by) for u in found)
    started = agencies.get(case.started_by_agency_id) if case.started_by_agency_id else None
    return {
        "rules_in_force": settings.rule_history.in_force(case.received_on).describe(),
        "decision_rules": decision_rules,
        "assessment": tuple(assessment.officer_lines()) if assessment else (),
        "confirmed_qualifying": threshold.confirmed_qualifying, "confirmed_met": threshold.confirmed_met,
        "routes": threshold.routes,
        "households": tuple((h.reference, h.counted, h.reason) for h in threshold.households),
        "updates": updates, "update_due_on": case.update_due_on, "closed_on": case.closed_on,
        "closure_reason": case.closure_reason, "started_by": started.name if started else None,
        "started_reason": case.started_reason,
    }
