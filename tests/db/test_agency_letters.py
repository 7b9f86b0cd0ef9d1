"""Asking agencies is one operation: the requests, one letter per agency and the audit, or nothing."""
from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from sqlalchemy import func, select

from app.db.models import AgencyRequest, AuditEntry, Letter
from app.domain.application import IncidentData
from app.services.agencies.directory import get_agency, save_agency
from app.services.cases import agency_requests as work
from app.services.cases.case_page import load_case
from app.services.common.errors import ValidationFailed
from app.services.letters.case_letters import LetterRefused, letter_pdf
from tests.db.letter_cases import acknowledged, agency_id, decided, incidents_before, text_of

FIRE = IncidentData(occurred_on=date(2026, 11, 1), reported_on=date(2026, 11, 2),
                    reported_to="Kent Fire and Rescue Service", description="Fire in the bin store")


def _counts(ctx) -> tuple[int, int]:
    with ctx.reading() as s:
        return (s.scalar(select(func.count()).select_from(AgencyRequest)),
                s.scalar(select(func.count()).select_from(Letter)))


def test_confirmation_requests_make_one_letter_per_relevant_body_in_the_same_action(ctx):
    case, step = acknowledged(ctx, items=(*incidents_before(date(2026, 11, 23)), FIRE))
    transactions = ctx.transactions
    sent = work.send_confirmation_requests(ctx, case.id, step.version, sent_on=date(2026, 11, 24))
    assert ctx.transactions == transactions + 1  # one unit of work for requests, letters and audit
    assert sent.agencies == ("Clarion Housing", "Kent Police")
    assert sent.not_asked == ("Kent Fire and Rescue Service (not a relevant body)",)
    letters = [lt for lt in load_case(ctx, case.id).letters if lt.template == "incident-confirmation-request"]
    assert sorted(lt.recipient for lt in letters) == ["Inspector Pat Lee, Kent Police", "Ruth Evans, Clarion Housing"]
    police = next(lt for lt in letters if "Kent Police" in lt.recipient)
    text = text_of(letter_pdf(ctx, police.id))
    assert "KP/2026/1101" in text and "CH-55102" not in text  # only the incidents reported to that agency
    assert "Fire in the bin store" not in text
    with ctx.reading() as s:
        reason = s.scalar(select(AuditEntry.reason).where(AuditEntry.action == "confirmation requests"))
    assert "not asked: Kent Fire and Rescue Service (not a relevant body)" in reason


def test_a_letter_that_cannot_be_made_leaves_no_request_behind(ctx):
    case, step = acknowledged(ctx)
    police = get_agency(ctx, agency_id(ctx, "Kent Police"))
    save_agency(ctx, police.id, police.version, replace(police.as_input(), address="", postcode=""))
    before = _counts(ctx)
    with pytest.raises(LetterRefused, match="Kent Police needs its postal address and its postcode"):
        work.send_confirmation_requests(ctx, case.id, step.version, sent_on=date(2026, 11, 24))
    assert _counts(ctx) == before and load_case(ctx, case.id).status == "acknowledged"


def test_information_requests_go_to_other_partners_only_when_the_officer_includes_them(ctx):
    case_id = decided(ctx, met=True)
    detail = load_case(ctx, case_id)
    sent = work.send_information_requests(ctx, case_id, detail.version, sent_on=date(2026, 11, 24))
    assert sent.agencies == ("Clarion Housing", "Kent Police") and len(sent.letters) == 2
    fire = agency_id(ctx, "Kent Fire and Rescue Service")
    other = decided(ctx, met=True, received="2026-11-10")
    detail = load_case(ctx, other)
    sent = work.send_information_requests(ctx, other, detail.version, sent_on=date(2026, 11, 24),
                                          agency_ids=[agency_id(ctx, "Kent Police"), fire])
    assert sent.agencies == ("Kent Fire and Rescue Service", "Kent Police")
    with ctx.reading() as s:
        reason = s.scalars(select(AuditEntry.reason).where(AuditEntry.action == "information requests")
                           .order_by(AuditEntry.id.desc())).first()
    assert "other partners included by the officer: Kent Fire and Rescue Service" in reason


def test_nothing_to_confirm_when_no_incident_went_to_a_relevant_body(ctx):
    case, step = acknowledged(ctx, items=(FIRE,))
    with pytest.raises(ValidationFailed, match="none of the incidents was reported to a relevant body"):
        work.send_confirmation_requests(ctx, case.id, step.version, sent_on=date(2026, 11, 24))
