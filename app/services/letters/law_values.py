"""Values for the letters of the law as it stands in 2026: the update (keep informed), the closure, the
OPCC route's acknowledgement and referral, the decision's assessment and who reviews a decision."""
from __future__ import annotations

import json
from datetime import date
from typing import Any

from app.domain.assessment import Assessment
from app.domain.clocks import Clock
from app.domain.dates import long_form
from app.domain.settings import Settings
from app.domain.workflow import Status
from app.services.cases.secondary_review import GROUNDS
from app.services.letters.facts import CaseRecords

S = Status
_STAGES = {
    S.ACKNOWLEDGED: "We are checking the incidents you told us about with the organisations they were reported "
                    "to, so that we can decide whether the threshold for a case review is met.",
    S.THRESHOLD_CHECK: "We have asked the organisations the incidents were reported to to confirm them, so that "
                       "we can decide whether the threshold for a case review is met.",
    S.THRESHOLD_MET: "The threshold for a case review is met. We are asking the organisations involved for "
                     "their records.",
    S.INFORMATION_GATHERING: "The threshold for a case review is met. We have asked the organisations involved "
                             "for their records of what they knew about the problem and what they did.",
    S.PANEL_SCHEDULED: "A review panel has been arranged to look at the case.",
    S.REVIEWED: "The review panel has met. We are writing up its findings and recommendations.",
    S.SECONDARY_REVIEW_REQUESTED: "The review you asked for of our decision is under way.",
}
_NEXT = (
    (Clock.THRESHOLD_DECISION, "We will decide whether the threshold for a case review is met, and write to "
                               "tell you why."),
    (Clock.PANEL, "The review panel will meet to look at how the organisations have responded to the problem."),
    (Clock.OUTCOME, "We will write to you with the panel's findings and recommendations."),
    (Clock.SECONDARY_REVIEW, "We will write to you with the outcome of the review you asked for."),
    (Clock.AGENCY_INFORMATION, "The organisations involved will send us their records."),
)
QUERIED_WORDS = {"outcome": "the review panel's findings and recommendations",
                 "threshold_not_met": "our decision that the threshold for a case review was not met",
                 "not_accepted": "our decision not to accept the application"}


def who_reviews(settings: Settings) -> dict[str, Any]:
    """Who looks again at a decision, by the route the council has chosen (named in every letter
    that says how to ask)."""
    if settings.review_by_opcc:
        words = (f"The {settings.opcc.name} will look at it again, not the council. They check whether the "
                 "council followed its policy and the right process, and whether any facts were not considered.")
    else:
        words = "A senior officer who has not been involved before will look at it again."
    return {"who_reviews": words, "review_by_opcc": settings.review_by_opcc, "opcc_name": settings.opcc.name}


def assessment_values(records: CaseRecords) -> dict[str, Any]:
    raw = records.case.threshold_assessment
    assessment = Assessment.from_json(json.loads(raw)) if raw else None
    items = assessment.letter_items() if assessment else []
    return {"has_assessment": bool(items), "assessment": items}


def law_template_values(template: str, records: CaseRecords, settings: Settings, letter_date: date,
                        review_by: date) -> dict[str, Any]:
    v = dict(who_reviews(settings))
    if template in ("threshold-met", "threshold-not-met"):
        v.update(assessment_values(records))
    elif template == "update":
        v.update(_update(records, settings, letter_date))
    elif template == "closure":
        v.update(closed_on=records.case.closed_on, closure_why=_closure_why(records),
                 has_recommendations_open=any(r.status in ("open", "accepted") for r in records.recommendations))
    elif template in ("opcc-acknowledgement", "opcc-referral"):
        v.update(_opcc(records, settings))
    return v


def _update(records: CaseRecords, settings: Settings, letter_date: date) -> dict[str, Any]:
    case, clocks = records.case, records.state.clocks
    stage = _STAGES.get(Status(case.status), "")
    planned = records.planned_review()
    if case.status == S.PANEL_SCHEDULED and planned:
        stage = f"A review panel will meet on {long_form(planned[1].starts_at.date())} to look at the case."
    step, by = "We will write to you when the next step is done.", None
    for clock, words in sorted(_NEXT, key=lambda cw: clocks[cw[0]].due if cw[0] in clocks else date.max):
        if clock in clocks:
            step, by = words, clocks[clock].due
            break
    unit = "calendar" if settings.clocks.unit("keep_informed") == "calendar" else "working"
    late = by is not None and by < letter_date  # never promise a date that has passed
    return {"stage": stage or None, "next_step": step, "next_by": by, "has_next_by": by is not None and not late,
            "running_late": late,
            "update_every": f"{settings.clocks.keep_informed} {unit} days", "has_update_text": False}


def _closure_why(records: CaseRecords) -> str | None:
    case = records.case
    reason = case.closure_reason or ""
    note = reason.split(": ", 1)[1] if ": " in reason else ""
    sr = records.secondary
    if reason.startswith("the findings letter") and case.outcome_sent_on:
        why = (f"We sent you the review panel's findings and recommendations on {long_form(case.outcome_sent_on)}, "
               "and no review of them has been asked for.")
    elif reason.startswith("the review of the review") and sr is not None and sr.completed_on:
        why = (f"The review of our decision that you asked for was completed on {long_form(sr.completed_on)}. "
               "It was the last step in the Community Trigger process.")
    elif reason.startswith("the application was withdrawn") and case.withdrawn_on:
        why = f"You asked us to stop your application, and we closed it on {long_form(case.withdrawn_on)}."
    elif reason.startswith("the threshold was not met"):
        why = ("We wrote to tell you that the threshold for a case review was not met, and no review of that "
               "decision has been asked for.")
    elif reason.startswith("the application was not accepted"):
        why = ("We wrote to tell you that we could not accept the application, and no review of that decision "
               "has been asked for.")
    else:
        why = ""
    if note:
        note = " ".join(note.split())
        why = (why + " " if why else "") + note[:1].upper() + note[1:] + ("" if note.endswith(".") else ".")
    return why or None


def _opcc(records: CaseRecords, settings: Settings) -> dict[str, Any]:
    case, sr = records.case, records.secondary
    if sr is None:
        return {}
    codes = [c for c in (sr.grounds_codes or "").split(",") if c]
    queried = sr.decision_queried or "outcome"
    decided = {"outcome": case.outcome_sent_on, "threshold_not_met": case.threshold_decided_on,
               "not_accepted": case.decision_letter_sent_on or case.received_on}.get(queried)
    return {"requested_on": sr.requested_on, "grounds_list": [GROUNDS[c].capitalize() for c in codes if c in GROUNDS],
            "grounds": sr.grounds, "decision_queried": QUERIED_WORDS.get(queried, QUERIED_WORDS["outcome"]),
            "decision_date": decided, "referred": sr.referred_on is not None, "referred_on": sr.referred_on,
            "review_due": sr.due_on, "requester": sr.requested_by or case.applicant.display_name,
            "relationship": case.relationship_to_victim or "someone acting for them",
            "opcc_name": settings.opcc.name}
