"""Case page steps for the law as it stands in 2026: the decision with its assessment, the officer's
judgements with reasons, updates to the applicant, closing with the reason, the review-of-the-review
route (a senior officer or the Police and Crime Commissioner's office) and reviews started by an agency."""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.domain.assessment import FACTORS, Assessment, rating_choices
from app.services.cases import agency_requests as work
from app.services.cases import secondary_review
from app.services.cases import steps as wf
from app.services.cases.case_page import IncidentView
from app.services.cases.updates import UPDATE_METHODS, record_update
from app.services.common.errors import Conflict, ServiceError, in_words
from app.services.letters.referral import ReferralProduced, build_referral_pack
from ui.views.case_page.step_dialog import StepField

if TYPE_CHECKING:
    from ui.views.case_page.page import CasePage


def assessment_fields() -> list[StepField]:
    fields: list[StepField] = []
    for factor in FACTORS:
        # Checked by the service, which names every gap at once beside its field.
        fields.append(StepField(f"{factor.key}_rating", factor.label, "choice",
                                [("", "— rate it —"), *rating_choices(factor.key)], required=False))
        fields.append(StepField(f"{factor.key}_note", f"Why ({factor.label.lower()})", required=False,
                                hint="what you weighed: it goes, in plain words, into the decision letter"))
    return fields


def assessment_of(values: dict[str, Any]) -> Assessment:
    return Assessment.of({f.key: (values.get(f"{f.key}_rating") or "", values.get(f"{f.key}_note") or "")
                          for f in FACTORS})


def decide_threshold(page: CasePage) -> None:
    d = page.detail
    assert d is not None
    intro = (f"The indicator says {d.qualifying_incidents} of {d.incidents_needed} incidents qualify (threshold "
             f"{'met' if d.threshold_met_indicator else 'not met'}); the agencies have confirmed "
             f"{d.confirmed_qualifying}. Rules: {d.rules_in_force}. Rate each part of the assessment and say why. "
             "A decision that differs from the indicator needs a reason; 'not met' must say what will be done "
             "instead.")
    if d.confirmed_met:
        intro += (" The agencies have confirmed enough qualifying incidents, so 'not met' is not open: mark an "
                  "incident unconfirmed or not the same problem (with the reason) if it should not count.")
    choices = [("yes", "Met")] if d.confirmed_met else [("yes", "Met"), ("no", "Not met")]
    ctx, case_id, version = page.ctx, page.case_id, page.version
    page.run_step("Decide the threshold", intro, [
        StepField("met", "Threshold", "choice", choices, default="yes" if d.threshold_met_indicator else "no"),
        StepField("decided_on", "Date decided", "date", default=page.today()),
        *assessment_fields(),
        StepField("reason", "Reason", "long", required=False),
        StepField("action_instead", "Action to be taken instead (not met)", "long", required=False)],
        lambda v: wf.decide_threshold(ctx, case_id, version, met=v["met"] == "yes",
                                      decided_on=v["decided_on"], reason=v["reason"] or "",
                                      action_instead=v["action_instead"] or "", assessment=assessment_of(v)))


def same_problem(page: CasePage, incident: IncidentView) -> None:
    ctx = page.ctx
    if not incident.same_problem:  # putting it back in the count needs no reason
        page.attempt(lambda: work.update_incident(ctx, incident.id, incident.version, same_problem=True),
                     "change the incident")
        return
    page.run_step(f"Incident {incident.number} is not part of the same problem",
                  "It will no longer count towards the threshold. The reason is kept with the incident.",
                  [StepField("reason", "Why it is not part of the same problem", "long")],
                  lambda v: work.update_incident(ctx, incident.id, incident.version, same_problem=False,
                                                 reason=v["reason"]))


def unconfirm(page: CasePage, incident: IncidentView) -> None:
    ctx = page.ctx
    page.run_step(f"The confirmation of incident {incident.number} does not stand",
                  "The incident will no longer count as confirmed by the agency.",
                  [StepField("reason", "Why the confirmation does not stand", "long")],
                  lambda v: work.mark_unconfirmed(ctx, incident.id, reason=v["reason"]))


def update_given(page: CasePage) -> None:
    d = page.detail
    assert d is not None
    due = f" The next update is due by {d.update_due_on:%d/%m/%Y}." if d.update_due_on else ""
    ctx, case_id, version = page.ctx, page.case_id, page.version
    page.run_step("Update given to the applicant", "Where the review has got to, what happens next and by when."
                  + due, [StepField("on", "Date", "date", default=page.today()),
                          StepField("method", "How", "choice", [(m, m.capitalize()) for m in UPDATE_METHODS]),
                          StepField("summary", "What was said", "long")],
                  lambda v: record_update(ctx, case_id, version, given_on=v["on"], method=v["method"],
                                          summary=v["summary"]))


def close(page: CasePage) -> None:
    ctx, case_id, version = page.ctx, page.case_id, page.version
    page.run_step("Close the case", "The reason is recorded from the case's state (the closure letter tells the "
                  "applicant when and why); add a note if there is more to say.", [
                      StepField("on", "Date closed", "date", default=page.today()),
                      StepField("note", "Note", "long", required=False)],
                  lambda v: wf.close_case(ctx, case_id, version, closed_on=v["on"], note=v["note"]))


def secondary_requested(page: CasePage) -> None:
    d = page.detail
    assert d is not None
    ctx, case_id, version = page.ctx, page.case_id, page.version
    opcc = ctx.settings().review_by_opcc
    who = ("the Police and Crime Commissioner's office, on set grounds" if opcc
           else "a senior officer not involved before")
    fields = [StepField("on", "Date the request was received", "date", default=page.today()),
              StepField("by", "Who asked", default=d.applicant.name)]
    fields += [StepField(f"ground_{key}", f"Grounds: {words}", "tick") for key, words in secondary_review.GROUNDS.items()]
    fields.append(StepField("grounds", "Why the applicant is unhappy", "long"))
    if not opcc:
        fields.append(StepField("reviewer", "Senior officer who will carry it out", required=False,
                                hint="named in the acknowledgement; someone not involved before"))
    page.run_step("Review of the decision requested", f"The request goes to {who}.", fields,
                  lambda v: secondary_review.request_secondary_review(
                      ctx, case_id, version, requested_on=v["on"], requested_by=v["by"],
                      grounds=v["grounds"], reviewer=v.get("reviewer") or "",
                      grounds_codes=tuple(k for k in secondary_review.GROUNDS if v.get(f"ground_{k}"))))


def opcc_referred(page: CasePage) -> None:
    page.read(secondary_review.latest_secondary_review, page.ctx, page.case_id,
              then=lambda review: _opcc_referred(page, review), what="read the secondary review")


def _opcc_referred(page: CasePage, review: secondary_review.SecondaryReviewView | None) -> None:
    if review is None:
        page.dialogs.info("No secondary review", "There is no request for a secondary review to refer.")
        return
    ctx = page.ctx
    page.run_step("Referred to the Police and Crime Commissioner's office",
                  "Record the date the request and its referral pack were sent.",
                  [StepField("on", "Date referred", "date", default=page.today())],
                  lambda v: secondary_review.record_opcc_referral(ctx, review.id, review.version, referred_on=v["on"]))


def referral_pack(page: CasePage) -> None:
    """Produce the OPCC referral pack (kept with the case), then save exactly those bytes."""
    d = page.detail
    assert d is not None
    reference = d.reference

    def refused(exc: BaseException) -> bool:
        if isinstance(exc, ServiceError) and not isinstance(exc, Conflict):
            page.dialogs.error("No referral pack", in_words(exc))
            return True
        return False

    def produced(result: ReferralProduced) -> None:
        path = page.dialogs.save_file("Save the OPCC referral pack", f"{reference}-referral-pack.pdf",
                                      "PDF files (*.pdf)")
        if path is not None:  # the pack is kept with the case either way
            page.run_op(_write_file, path, result.pdf, what="save the referral pack")
    page.run_op(build_referral_pack, page.ctx, page.case_id, what="produce the referral pack", on_done=produced,
                on_error=refused)


def _write_file(path: Path, data: bytes) -> None:
    path.write_bytes(data)
