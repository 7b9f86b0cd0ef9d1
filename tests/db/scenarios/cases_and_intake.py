"""Scenarios: secondary reviews, workflow steps and intake."""
from __future__ import annotations

from datetime import date
from typing import Any


from app.domain.application import PersonData
from app.services.cases import secondary_review as follow_up
from app.services.cases import steps as wf
from app.services.intake import support
from app.services.intake.agency_started import AgencyStartedReview
from app.services.intake.applications import create_application
from tests.conftest import FIXTURES
from tests.db.helpers import ASSESSMENT, application, send_letter
from tests.db.law_letter_cases import opcc_request, opcc_route
from tests.db.letter_cases import decided, reviewed_case
from tests.db.scenarios import scenario
from tests.db.scenarios.builders import _case, _version, _acknowledged, _agency, _scan


# --- secondary reviews -----------------------------------------------------------------------------------

def _secondary(ctx) -> Any:
    case_id = reviewed_case(ctx)
    sent = send_letter(ctx, case_id, "findings", date(2026, 11, 23))
    follow_up.request_secondary_review(ctx, case_id, sent.version, requested_on=date(2026, 11, 24),
                                       requested_by="Ms Asha Patel", grounds="Not listened to")
    return follow_up.latest_secondary_review(ctx, case_id)


@scenario("cases.secondary_review.complete_secondary_review")
def _(ctx, tmp):
    review = _secondary(ctx)
    return lambda: follow_up.complete_secondary_review(ctx, review.id, review.version, reviewer="Morgan Price",
                                                       outcome="not_upheld", reasons="The panel's review was sound",
                                                       completed_on=date(2026, 11, 25))


@scenario("cases.secondary_review.record_opcc_referral")
def _(ctx, tmp):
    opcc_route(ctx)
    case_id = reviewed_case(ctx)
    opcc_request(ctx, case_id)
    review = follow_up.latest_secondary_review(ctx, case_id)
    return lambda: follow_up.record_opcc_referral(ctx, review.id, review.version, referred_on=date(2026, 11, 25))


@scenario("cases.secondary_review.request_secondary_review")
def _(ctx, tmp):
    case_id = reviewed_case(ctx)
    sent = send_letter(ctx, case_id, "findings", date(2026, 11, 23))
    return lambda: follow_up.request_secondary_review(ctx, case_id, sent.version, requested_on=date(2026, 11, 24),
                                                      requested_by="Ms Asha Patel", grounds="Not listened to")


# --- steps -------------------------------------------------------------------------------------------------

@scenario("cases.steps.close_case")
def _(ctx, tmp):
    case_id = decided(ctx, met=False)
    sent = send_letter(ctx, case_id, "threshold-not-met", date(2026, 11, 21))
    return lambda: wf.close_case(ctx, case_id, sent.version, closed_on=date(2026, 11, 24))


@scenario("cases.steps.decide_threshold")
def _(ctx, tmp):
    case_id, version = _acknowledged(ctx)
    step = wf.start_threshold_check(ctx, case_id, version)
    return lambda: wf.decide_threshold(ctx, case_id, step.version, met=True, assessment=ASSESSMENT,
                                       decided_on=date(2026, 11, 20))


@scenario("cases.steps.not_accept")
def _(ctx, tmp):
    case_id = _case(ctx)
    return lambda: wf.not_accept(ctx, case_id, _version(ctx, case_id), reason_code="outside_area",
                                 details="the address is in Sevenoaks")


@scenario("cases.steps.record_consent")
def _(ctx, tmp):
    case_id = _case(ctx, on_behalf=True, victim_consent=False)
    return lambda: wf.record_consent(ctx, case_id, _version(ctx, case_id), victim_consent_method="signed",
                                     victim_consent_given_on=date(2026, 11, 20))


@scenario("cases.steps.record_disclosure_consent")
def _(ctx, tmp):
    case_id = _case(ctx, on_behalf=True)
    return lambda: wf.record_disclosure_consent(ctx, case_id, _version(ctx, case_id), given=True,
                                                on=date(2026, 11, 20))


@scenario("cases.steps.start_threshold_check")
def _(ctx, tmp):
    case_id, version = _acknowledged(ctx)
    return lambda: wf.start_threshold_check(ctx, case_id, version)


@scenario("cases.steps.update_case_details")
def _(ctx, tmp):
    case_id = _case(ctx)
    return lambda: wf.update_case_details(ctx, case_id, _version(ctx, case_id), {"impact": "Cannot sleep"})


@scenario("cases.steps.withdraw")
def _(ctx, tmp):
    case_id = _case(ctx)
    return lambda: wf.withdraw(ctx, case_id, _version(ctx, case_id), withdrawn_on=date(2026, 11, 20))


@scenario("cases.tenure.record_tenure")
def _(ctx, tmp):
    from app.services.cases.tenure import record_tenure
    case_id = _case(ctx)
    return lambda: record_tenure(ctx, case_id, _version(ctx, case_id), tenure="owner")


@scenario("cases.updates.record_update")
def _(ctx, tmp):
    from app.services.cases.updates import record_update
    case_id = decided(ctx, met=True)
    return lambda: record_update(ctx, case_id, _version(ctx, case_id), given_on=date(2026, 11, 24), method="phone",
                                 summary="Told the applicant the police records are in")


# --- intake --------------------------------------------------------------------------------------------------

@scenario("demo.generate.generate_demo_cases")
def _(ctx, tmp):
    from app.services.demo.generate import generate_demo_cases
    return lambda: generate_demo_cases(ctx, 5, seed=3)  # one batch: one transaction (a batch each, beyond)


@scenario("intake.agency_started.start_review")
def _(ctx, tmp):
    from app.services.intake.agency_started import start_review
    police = _agency(ctx, "Kent Police")
    victim = PersonData(title="Mr", first_name="Tom", last_name="Marchbank", address_lines=("4 Hill Rise",),
                        postcode="TN2 3AB")
    return lambda: start_review(ctx, AgencyStartedReview(police, "Six calls in three months", date(2026, 11, 20),
                                                         victim))


@scenario("intake.applications.create_application")
def _(ctx, tmp):
    return lambda: create_application(ctx, application())


@scenario("intake.applications.import_applications")
def _(ctx, tmp):
    import json
    from app.services.intake.applications import import_applications
    first = json.loads((FIXTURES / "public-applications.json").read_text(encoding="utf-8"))[:1]
    path = tmp / "one.json"
    path.write_text(json.dumps(first), encoding="utf-8")
    return lambda: import_applications(ctx, [path])  # one batch: one transaction (one a batch, beyond)


@scenario("intake.applications.save_application")
def _(ctx, tmp):
    """The telephone form's save: the case, its scan, its link, its acknowledgement queued, its draft gone."""
    from app.services.intake.applications import Scan, save_application
    earlier = _case(ctx)
    draft = support.save_draft(ctx, "application-telephone", {"applicant.last_name": "Patel"}).id
    scan = Scan(_scan(tmp), "Signed form")
    return lambda: save_application(ctx, application(), scans=[scan], linked_cases=[earlier], acknowledge=True,
                                    draft_ids=[draft])


@scenario("intake.support.attach_document")
def _(ctx, tmp):
    case_id = _case(ctx)
    path = _scan(tmp)
    return lambda: support.attach_document(ctx, case_id, path, "Signed form")


@scenario("intake.support.discard_draft")
def _(ctx, tmp):
    draft = support.save_draft(ctx, "application-telephone", {"applicant.last_name": "Patel"}).id
    return lambda: support.discard_draft(ctx, draft)


@scenario("intake.support.document_content")
def _(ctx, tmp):
    case_id = _case(ctx)
    document = support.attach_document(ctx, case_id, _scan(tmp), "Signed form").id
    return lambda: support.document_content(ctx, document)


@scenario("intake.support.link_cases")
def _(ctx, tmp):
    first, second = _case(ctx), _case(ctx)
    return lambda: support.link_cases(ctx, first, second, "repeat application")


@scenario("intake.support.queue_letter")
def _(ctx, tmp):
    case_id = _case(ctx)
    return lambda: support.queue_letter(ctx, case_id, "acknowledgement")


@scenario("intake.support.save_draft")
def _(ctx, tmp):
    return lambda: support.save_draft(ctx, "application-telephone", {"applicant.last_name": "Patel"})
