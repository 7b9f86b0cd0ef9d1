"""Workflow steps through the services, on SQLite, with the clocks they start and stop."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from app.db.models import AuditEntry, AuditValue
from app.services.cases.summaries import list_cases
from app.services.common.errors import Conflict, TransitionRefused, ValidationFailed
from app.services.intake.applications import create_application
from app.services.cases import steps as wf
from tests.db.helpers import send_letter, application


def _due(ctx, case_id):
    return {c.id: c for c in list_cases(ctx)}[case_id].due


def test_case_goes_from_received_to_threshold_met(ctx):
    created = create_application(ctx, application("2026-11-02"))
    assert created.reference == "CT-2026-0001" and created.status == "received"
    assert {k.value: v.due for k, v in _due(ctx, created.id).items()} == {
        "acknowledgement": date(2026, 11, 9), "threshold_decision": date(2026, 11, 16)}
    step = send_letter(ctx, created.id, "acknowledgement", date(2026, 11, 3), "post", version=created.version)
    assert step.status == "acknowledged" and "acknowledgement" not in {k.value for k in _due(ctx, created.id)}
    step = wf.start_threshold_check(ctx, created.id, step.version)
    step = wf.decide_threshold(ctx, created.id, step.version, met=True, decided_on=date(2026, 11, 10))
    assert step.status == "threshold_met"
    due = {k.value: v.due for k, v in _due(ctx, created.id).items()}
    assert due["panel"] == date(2026, 12, 8)  # 20 working days after 10/11/2026
    assert due["outcome"] == date(2026, 12, 15)
    assert due["delay_letter"] == due["outcome"]
    assert "threshold_decision" not in due


def test_awaiting_consent_waits_then_runs_from_consent(ctx):
    created = create_application(ctx, application("2026-11-02", on_behalf=True, victim_consent=False))
    assert created.status == "awaiting_consent"
    assert created.waiting_for == ("the victim's consent to apply on their behalf",)
    assert "threshold_decision" not in {k.value for k in _due(ctx, created.id)}
    with pytest.raises(TransitionRefused):
        wf.decide_threshold(ctx, created.id, created.version, met=True, decided_on=date(2026, 11, 20))
    step = wf.record_consent(ctx, created.id, created.version, victim_consent_method="signed")
    assert step.status == "received"
    # consent recorded on the fixed "today" (Wednesday 25/11/2026): 10 working days later
    assert _due(ctx, created.id)[next(k for k in _due(ctx, created.id) if k.value == "threshold_decision")].due \
        == date(2026, 12, 9)


def test_decision_against_indicator_needs_a_reason(ctx):
    created = create_application(ctx, application("2026-11-02"))
    step = send_letter(ctx, created.id, "acknowledgement", date(2026, 11, 3), "email", version=created.version)
    with pytest.raises(ValidationFailed) as refused:
        wf.decide_threshold(ctx, created.id, step.version, met=False, decided_on=date(2026, 11, 10))
    fields = {p.field for p in refused.value.problems}
    assert fields == {"reason", "action_instead"}


def test_closing_without_outcome_letter_is_refused(ctx):
    created = create_application(ctx, application("2026-11-02"))
    step = send_letter(ctx, created.id, "acknowledgement", date(2026, 11, 3), "post", version=created.version)
    step = wf.decide_threshold(ctx, created.id, step.version, met=True, decided_on=date(2026, 11, 10))
    with pytest.raises(TransitionRefused, match="outcome letter"):
        wf.close_case(ctx, created.id, step.version, closed_on=date(2026, 11, 20))


def test_second_save_with_stale_version_is_refused_naming_who(ctx, sqlite_url):
    from tests.conftest import make_context
    created = create_application(ctx, application("2026-11-02"))
    other = make_context(sqlite_url, actor="officer.two")
    wf.update_case_details(other, created.id, created.version, {"impact": "Cannot sleep at all."})
    with pytest.raises(Conflict) as refused:
        wf.update_case_details(ctx, created.id, created.version, {"impact": "Afraid to go out."})
    assert refused.value.changed_by == "officer.two"
    assert "officer.two" in str(refused.value)
    other.engine.dispose()


def test_changes_are_audited_with_fields_and_values_apart(ctx):
    created = create_application(ctx, application("2026-11-02"))
    wf.update_case_details(ctx, created.id, created.version, {"impact": "Cannot sleep."})
    with ctx.unit_of_work() as s:
        entry = s.scalars(select(AuditEntry).where(AuditEntry.action == "change")).one()
        assert (entry.actor, entry.fields, entry.case_id) == ("officer.one", "impact", created.id)
        value = s.scalars(select(AuditValue).where(AuditValue.audit_id == entry.id)).one()
        assert value.after == "Cannot sleep."


def test_invalid_application_saves_nothing(ctx):
    bad = application("2026-12-30")  # in the future for the fixed today
    with pytest.raises(ValidationFailed) as refused:
        create_application(ctx, bad)
    assert refused.value.problems[0].field == "received_at"
    assert list_cases(ctx) == []
