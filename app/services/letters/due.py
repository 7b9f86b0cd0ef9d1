"""The letter each step of the process needs, so that the step that needs a letter can offer it."""
from __future__ import annotations

from app.domain.workflow import Status
from app.services.cases.case_page import CaseDetail

S = Status


def letters_for_step(detail: CaseDetail) -> list[str]:
    """The templates the case's current step calls for and that have not been produced yet (plain data in,
    no database: the case page asks with what it already shows)."""
    produced = {lt.template for lt in detail.letters if not lt.queued}
    st = detail.status
    wanted: list[str] = []
    if st in (S.RECEIVED, S.AWAITING_CONSENT) and detail.acknowledged_on is None:
        wanted.append("acknowledgement")
    if st == S.AWAITING_CONSENT:
        wanted.append("cannot-proceed")
        if detail.victim is not None and not detail.victim_consent:
            wanted.append("victim-consent-request")
    wanted += {S.NOT_ACCEPTED: ["not-accepted"], S.WITHDRAWN: ["withdrawal"],
               S.THRESHOLD_MET: ["threshold-met"], S.THRESHOLD_NOT_MET: ["threshold-not-met"],
               S.REVIEWED: ["findings"], S.SECONDARY_REVIEW_REQUESTED: ["secondary-review-acknowledgement"],
               S.SECONDARY_REVIEW_COMPLETED: ["secondary-review-outcome"]}.get(st, [])
    return [t for t in wanted if t not in produced]
