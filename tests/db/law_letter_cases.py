"""Cases that fit the letters of the law in 2026 (update, closure, the OPCC route), for the letter tests:
an ordinary case and a third-party case (a councillor applying for the victim)."""
from __future__ import annotations

from datetime import date

from app.services.admin.named_settings import set_settings
from app.services.cases import secondary_review as follow_up
from app.services.cases import steps as wf
from app.services.cases.case_page import load_case
from tests.db.helpers import send_letter

LAW_TEMPLATES = ("update", "closure", "opcc-acknowledgement", "opcc-referral")
OPCC = ["review.route=opcc", "opcc.name=Office of the Kent Police and Crime Commissioner",
        "opcc.address=Sessions House|County Road|Maidstone", "opcc.postcode=ME14 1XQ",
        "opcc.email=contactus@kent-pcc.gov.uk"]


def opcc_route(ctx) -> None:
    set_settings(ctx, OPCC)


def opcc_request(ctx, case_id: int) -> int:
    """The applicant asks for a review of the panel's outcome; it goes to the OPCC."""
    sent = send_letter(ctx, case_id, "findings", date(2026, 11, 25))
    detail = load_case(ctx, case_id, record_view=False)
    return follow_up.request_secondary_review(
        ctx, case_id, sent.version, requested_on=date(2026, 11, 25), requested_by=detail.applicant.name,
        grounds="The panel did not look at the council's noise records.", grounds_codes=("facts", "process")).id


def build_law_letter(ctx, template: str, third: bool = False) -> tuple[int, dict, list[str]]:
    from tests.db.letter_cases import decided, reviewed_case
    kw = {"third_party": third}
    if template == "update":
        case_id = decided(ctx, met=True, **kw)
        return case_id, {"extra_text": {"update_text": "Kent Police have sent their records."}}, [
            "Where the review has got to", "is met", "Kent Police have sent their records.",
            "review panel will meet", "10 working days"]
    if template == "closure":
        case_id = reviewed_case(ctx, **kw)
        sent = send_letter(ctx, case_id, "findings", date(2026, 11, 25))
        wf.close_case(ctx, case_id, sent.version, closed_on=date(2026, 11, 25))
        return case_id, {}, ["We closed the case on 25 November 2026", "no review of them has been asked for",
                             "If the problem continues", "apply for a Community Trigger again"]
    opcc_route(ctx)
    case_id = reviewed_case(ctx, **kw)
    opcc_request(ctx, case_id)
    if template == "opcc-acknowledgement":
        return case_id, {}, ["Office of the Kent Police and Crime Commissioner", "25 November 2026",
                             "Facts that were not considered", "How the application was dealt with",
                             "the review panel's findings", "noise records"]
    who = "Cllr Joan Hartley (councillor) asked for the review" if third else "Ms Asha Patel asked for the review"
    return case_id, {}, ["Sessions House", "ME14 1XQ", "OFFICIAL-SENSITIVE", "referral pack",
                         "Facts that were not considered", who]
