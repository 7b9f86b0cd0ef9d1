"""The workflow steps a case page offers, each a small form, and only those its state allows."""
from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from app.domain.application import CONSENT_METHODS
from app.domain.workflow import Status
from app.services.cases import agency_requests as work
from app.services.cases import secondary_review
from app.services.cases import steps as wf
from app.services.agencies.directory import AgencyInfo, list_agencies
from app.services.agencies.matching import AgencyDirectory
from app.services.agencies.links import link_incident_to_agency
from app.services.cases.case_page import IncidentView
from app.services.common.context import ServiceContext
from app.letters.templates import TEMPLATE_LABELS
from app.services.letters.due import letters_for_step
from ui.views.case_page import law_steps
from ui.mnemonics import mnemonic, with_mnemonic
from ui.views.case_page.step_dialog import StepField

if TYPE_CHECKING:
    from ui.views.case_page.page import CasePage

S = Status
# Alt+letters always taken on the case page: the menus (File, View, Help) and the buttons of its tabs.
_PAGE_KEYS = set("fvh") | set("s") | set("i") | set("aysxlm") | set("nrsaip") | set("p") | set("nas") | set("rpsian")
SENT_METHODS = [("post", "Post"), ("email", "Email"), ("hand", "By hand")]
YES_NO = [("yes", "Yes"), ("no", "No")]


def available(page: CasePage) -> list[tuple[str, Callable[[CasePage], None]]]:
    d = page.detail
    if d is None:
        return []
    nxt = set(d.next_steps)
    out: list[tuple[str, Callable[[CasePage], None]]] = []
    if d.acknowledged_on is None and d.status in (S.RECEIVED, S.AWAITING_CONSENT):
        out.append(("Ac&knowledgement sent…", _letter_step("acknowledgement")))
    if d.status == S.AWAITING_CONSENT:
        out.append(("Record &consent…", record_consent))
    if S.THRESHOLD_CHECK in nxt:
        out.append(("Ask a&gencies to confirm…", confirmation_requests))
    if S.THRESHOLD_MET in nxt:
        out.append(("&Decide the threshold…", law_steps.decide_threshold))
    if d.status in (S.THRESHOLD_MET, S.INFORMATION_GATHERING):
        out.append(("Ask for inf&ormation…", information_requests))
    if d.status in (S.THRESHOLD_NOT_MET, S.NOT_ACCEPTED) and d.decision_letter_sent_on is None:
        template = "threshold-not-met" if d.status == S.THRESHOLD_NOT_MET else "not-accepted"
        out.append(("Decision le&tter sent…", _letter_step(template)))
    if d.status == S.REVIEWED:
        out.append(("O&utcome letter sent…", _letter_step("findings")))
    if d.threshold_met and any(c.key == "outcome" for c in d.clocks):
        out.append(("D&elay letter sent…", _letter_step("delay")))
    if d.update_due_on is not None:
        out.append(("Update given…", law_steps.update_given))
    if S.SECONDARY_REVIEW_REQUESTED in nxt:
        out.append(("Secondary review re&quested…", law_steps.secondary_requested))
    if d.status == S.SECONDARY_REVIEW_REQUESTED and page.ctx.settings().review_by_opcc:
        out.append(("Referral pack…", law_steps.referral_pack))
        out.append(("Referred to the OPCC…", law_steps.opcc_referred))
    if d.status == S.SECONDARY_REVIEW_REQUESTED:
        out.append(("Secondary review &done…", secondary_completed))
    if d.status == S.SECONDARY_REVIEW_COMPLETED and any(c.key == "secondary_review" for c in d.clocks):
        out.append(("Secondary review o&utcome sent…", _letter_step("secondary-review-outcome")))
    if S.NOT_ACCEPTED in nxt:
        out.append(("Not accep&ted…", not_accepted))
    if S.WITHDRAWN in nxt:
        out.append(("&Withdrawn…", withdrawn))
    if S.CLOSED in nxt:
        out.append(("&Close the case…", law_steps.close))
    # Every step button and the letter the step calls for get an Alt+letter no other button uses.
    taken = {letter for text, _ in out if (letter := mnemonic(text))} | _PAGE_KEYS
    out = [(with_mnemonic(text, taken), action) for text, action in out]
    for template in letters_for_step(d):
        out.append((with_mnemonic(f"Letter: {TEMPLATE_LABELS[template].lower()}…", taken), _write_letter(template)))
    return out


def _letter_step(template: str) -> Callable[[CasePage], None]:
    """Steps done by sending a letter go through the letter itself: one path, its guards kept.

    There is no other way from this page to record such a step (the outcome above all): the letter's
    own `record_sent` refuses a findings letter the chair has not approved, and any method but post,
    email or by hand.
    """
    def run(page: CasePage) -> None:
        page.timeline.send_step_letter(template)
    return run


def _write_letter(template: str) -> Callable[[CasePage], None]:
    def write(page: CasePage) -> None:
        page.timeline.write(template)
    return write



def record_consent(page: CasePage) -> None:
    d = page.detail
    assert d is not None
    ctx, case_id, version = page.ctx, page.case_id, page.version
    fields: list[StepField] = []
    if d.victim is not None and not d.victim_consent:
        fields += [StepField("method", "How the victim gave consent", "choice",
                             [("", "— not given yet —")] + [(m, m.capitalize()) for m in CONSENT_METHODS],
                             required=False),
                   StepField("given_on", "Date consent given", "date", default=page.today(), required=False)]
    if not d.consent_to_share:
        fields.append(StepField("share", "Applicant agrees to share", "choice", YES_NO))

    def run(v: dict[str, Any]) -> object:
        return wf.record_consent(ctx, case_id, version,
                                 victim_consent_method=v.get("method") or None,
                                 victim_consent_given_on=v.get("given_on"),
                                 consent_to_share=(v["share"] == "yes") if "share" in v else None)
    page.run_step("Record consent", "When all consent is in, the threshold decision clock starts from today.",
                  fields, run)


def confirmation_requests(page: CasePage) -> None:
    ctx, case_id, version = page.ctx, page.case_id, page.version
    page.run_step("Ask agencies to confirm the incidents", "Each relevant body an incident was reported to is asked "
                  "to confirm it, and a letter to each is produced now (on the Letters tab, ready to print or "
                  "email). Their answers are recorded on the Incidents tab.",
                  [StepField("sent_on", "Date sent", "date", default=page.today())],
                  lambda v: work.send_confirmation_requests(ctx, case_id, version, sent_on=v["sent_on"]))


def information_requests(page: CasePage) -> None:
    """The agencies to ask are read first (off the UI thread), then the form opens."""
    page.read(list_agencies, page.ctx, then=lambda agencies: _information_requests(page, agencies),
              what="read the agencies")


def _information_requests(page: CasePage, directory: list[AgencyInfo]) -> None:
    d = page.detail
    assert d is not None
    ctx, case_id, version = page.ctx, page.case_id, page.version
    involved = {i.agency_id for i in d.incidents if i.agency_id}
    agencies = [a for a in directory if a.active]
    relevant = [a for a in agencies if a.relevant_body and a.id in involved]
    others = [a for a in agencies if a not in relevant]
    fields = [StepField("sent_on", "Date sent", "date", default=page.today())]
    fields += [StepField(f"agency_{a.id}", f"Ask {a.name}", "choice", YES_NO,
                         default="yes" if a in relevant else "no") for a in relevant + others]
    offered = [a.id for a in relevant + others]

    def run(v: dict[str, Any]) -> object:
        chosen = [agency_id for agency_id in offered if v.get(f"agency_{agency_id}") == "yes"]
        return work.send_information_requests(ctx, case_id, version, sent_on=v["sent_on"], agency_ids=chosen)
    page.run_step("Ask the agencies for their records", "The relevant bodies the incidents were reported to are "
                  "asked for complete details of their involvement; another partner only if you choose it (that is "
                  "recorded). A letter to each is produced now; the return date is 10 working days later.",
                  fields, run)


def not_accepted(page: CasePage) -> None:
    ctx, case_id, version = page.ctx, page.case_id, page.version
    page.run_step("Not accepted", "The applicant is told why and where to go instead.", [
        StepField("reason", "Reason", "choice", [(k, v.capitalize()) for k, v in wf.NOT_ACCEPTED_REASONS.items()]),
        StepField("details", "Details", "long", required=False)],
        lambda v: wf.not_accept(ctx, case_id, version, reason_code=v["reason"], details=v["details"]))


def withdrawn(page: CasePage) -> None:
    ctx, case_id, version = page.ctx, page.case_id, page.version
    page.run_step("Withdrawn by the applicant", "", [
        StepField("on", "Date withdrawn", "date", default=page.today()),
        StepField("reason", "Reason given", "long", required=False)],
        lambda v: wf.withdraw(ctx, case_id, version, withdrawn_on=v["on"], reason=v["reason"]))


def record_confirmation(page: CasePage, incident: IncidentView) -> None:
    ctx = page.ctx
    page.run_step(f"Agency's answer about incident {incident.number}",
                  f"{incident.happened}, reported to {incident.agency_name or incident.reported_to}. If the agency "
                  "gives a different report date, the indicator uses the agency's date.", [
                      StepField("found", "The agency", "choice", [("yes", "Confirms it was reported"),
                                                                  ("no", "Has no record of it")]),
                      StepField("reported_on", "Date reported, as the agency records it", "date",
                                default=incident.reported_on, required=False),
                      StepField("notes", "Notes", "long", required=False)],
                  lambda v: work.record_confirmation(ctx, incident.id, found=v["found"] == "yes",
                                                     reported_on=v["reported_on"], notes=v["notes"]))


def mark_duplicate(page: CasePage, incident: IncidentView) -> None:
    d = page.detail
    assert d is not None
    ctx = page.ctx
    others = [("", "— not a duplicate —")] + [(str(i.id), f"Incident {i.number}: {i.happened}, {i.agency_name or i.reported_to}")
                                               for i in d.incidents if i.id != incident.id]
    page.run_step(f"Is incident {incident.number} the same as another?", "The same incident reported to several "
                  "agencies counts once.", [StepField("other", "Same incident as", "choice", others,
                                                      default=str(incident.duplicate_of or ""), required=False)],
                  lambda v: work.update_incident(ctx, incident.id, incident.version,
                                                 duplicate_of=int(v["other"]) if v["other"] else None))


def confirm_date(page: CasePage, incident: IncidentView) -> None:
    ctx = page.ctx
    page.run_step(f"Exact date of incident {incident.number}", f"Given as {incident.happened}. An approximate date "
                  "does not count until it is confirmed.", [StepField("on", "Date it happened", "date")],
                  lambda v: work.update_incident(ctx, incident.id, incident.version, occurred_on=v["on"]))


def link_agency(page: CasePage, incident: IncidentView) -> None:
    page.read(list_agencies, page.ctx, then=lambda agencies: _link_agency(page, incident, agencies),
              what="read the agencies")


def _link_agency(page: CasePage, incident: IncidentView, agencies: list[AgencyInfo]) -> None:
    ctx = page.ctx
    choices = [(str(a.id), a.name) for a in agencies]
    page.run_step(f"Which agency is '{incident.reported_to}'?", "The incident then counts if the agency is a "
                  "relevant body. Keeping the name as an alias matches it in future applications.", [
                      StepField("agency", "Agency", "choice", choices, suggest=AgencyDirectory(agencies).suggest),
                      StepField("alias", "Keep the name as an alias", "choice", [("yes", "Yes"), ("no", "No")])],
                  lambda v: link_incident_to_agency(ctx, incident.id, int(v["agency"]),
                                                    add_alias=v["alias"] == "yes"))


def record_reply(page: CasePage, request_id: int) -> None:
    ctx = page.ctx
    page.run_step("Reply received", "", [StepField("on", "Date received", "date", default=page.today())],
                  lambda v: work.record_request_answered(ctx, request_id, answered_on=v["on"]))


def chase(page: CasePage, request_id: int) -> None:
    ctx = page.ctx
    default_due = ctx.calendar().add_working_days(page.today(), 5)
    page.run_step("Chase the agency", "The new return date is shown beside the original; timeliness is measured "
                  "against the original.", [StepField("on", "Date chased", "date", default=page.today()),
                                            StepField("due", "New return date", "date", default=default_due)],
                  lambda v: work.chase_request(ctx, request_id, chased_on=v["on"], new_due=v["due"]))


def add_action(page: CasePage) -> None:
    page.read(list_agencies, page.ctx, then=lambda agencies: _add_action(page, agencies), what="read the agencies")


def _add_action(page: CasePage, agencies: list[AgencyInfo]) -> None:
    ctx, case_id = page.ctx, page.case_id
    choices = [(str(a.id), a.name) for a in agencies]
    page.run_step("Add what an agency did", "", [
        StepField("agency", "Agency", "choice", choices, suggest=AgencyDirectory(agencies).suggest),
        StepField("on", "Date of the action", "date"),
        StepField("what", "What was done", "long"),
        StepField("source", "Source document", required=False)],
        lambda v: work.add_agency_action(ctx, case_id, agency_id=int(v["agency"]), action_on=v["on"],
                                         description=v["what"], source_document=v["source"]))


def _review_and_agencies(ctx: ServiceContext, case_id: int) -> tuple[secondary_review.SecondaryReviewView | None,
                                                                     list[AgencyInfo]]:
    """On the worker: what the secondary review outcome form needs."""
    return secondary_review.latest_secondary_review(ctx, case_id), list_agencies(ctx)


def secondary_completed(page: CasePage) -> None:
    page.read(_review_and_agencies, page.ctx, page.case_id, then=lambda found: _secondary_completed(page, *found),
              what="read the secondary review")


def _secondary_completed(page: CasePage, review: secondary_review.SecondaryReviewView | None,
                         directory: list[AgencyInfo]) -> None:
    if review is None:
        page.dialogs.info("No secondary review", "There is no secondary review of this case to complete.")
        return
    ctx = page.ctx
    agencies = [("", "— no new recommendation —")] + [(str(a.id), a.name) for a in directory]
    opcc = review.route == "opcc"

    def run(v: dict[str, Any]) -> object:
        new = ((int(v["rec_agency"]), v["rec_action"], v["rec_due"], v["rec_rationale"]),) if v["rec_agency"] else ()
        return secondary_review.complete_secondary_review(ctx, review.id, review.version, reviewer=v["reviewer"],
                                                          outcome=v["outcome"], reasons=v["reasons"],
                                                          completed_on=v["on"], new_recommendations=new)
    page.run_step("Secondary review outcome", "This is the last step in the process. A new recommendation needs "
                  "the agency, what it will do, by when and why." + (
                      " Record the outcome the Police and Crime Commissioner's office gave." if opcc else ""), [
        StepField("reviewer", "Who carried it out" if opcc else "Senior officer who carried it out",
                  default=review.reviewer or (ctx.settings().opcc.name if opcc else "")),
        StepField("outcome", "Decision", "choice", list(secondary_review.OUTCOMES.items())),
        StepField("reasons", "Why", "long"),
        StepField("on", "Date completed", "date", default=page.today()),
        StepField("rec_agency", "New recommendation to", "choice", agencies, required=False,
                  suggest=AgencyDirectory(directory).suggest),
        StepField("rec_action", "What it will do", "long", required=False),
        StepField("rec_due", "By when", "date", required=False),
        StepField("rec_rationale", "Why it is recommended", "long", required=False)], run)


def disclosure_consent(page: CasePage) -> None:
    ctx, case_id, version = page.ctx, page.case_id, page.version
    page.run_step("Consent to disclose the findings", "The applicant applied on the victim's behalf. The findings "
                  "letter can be sent to the applicant only if the victim agrees.", [
                      StepField("given", "The victim agrees", "choice", [("yes", "Yes"), ("no", "No")]),
                      StepField("on", "Date", "date", default=page.today())],
                  lambda v: wf.record_disclosure_consent(ctx, case_id, version, given=v["given"] == "yes", on=v["on"]))


# The steps the law of 2026 changed live in law_steps; these names stay for the callers that use them.
decide_threshold = law_steps.decide_threshold
close = law_steps.close
secondary_requested = law_steps.secondary_requested
