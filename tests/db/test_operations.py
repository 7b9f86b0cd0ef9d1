"""Every user action is one operation: one transaction, the version the user saw, one path to each step."""
from __future__ import annotations

import ast
from datetime import date
from pathlib import Path

import pytest

from app.services.cases import steps as wf
from app.services.cases.case_page import load_case
from app.services.common.errors import Conflict, ValidationFailed
from app.services.common.ops import Changes, Part, changes_of
from app.services.intake.applications import create_application
from app.services.letters import case_letters as L
from tests.db.helpers import Transactions, application, council_set_up, named_officer, send_letter

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def _officer_with_a_name(ctx):
    named_officer(ctx)
    council_set_up(ctx)


def test_recording_a_letter_as_sent_is_one_transaction_with_its_step(ctx):
    created = create_application(ctx, application("2026-11-23"))
    info = L.produce_letter(ctx, created.id, "acknowledgement")
    with Transactions(ctx.engine) as counted:
        sent = L.record_sent(ctx, info.id, date(2026, 11, 25), "post", expected_version=created.version)
    assert counted.committed == 1
    assert sent.changes.touches_case(created.id) and sent.changes.touches(Part.LIST, Part.LETTERS)
    case = load_case(ctx, created.id)
    assert case.status == "acknowledged" and case.acknowledged_on == date(2026, 11, 25)


def test_recording_a_letter_as_sent_checks_the_version_the_user_saw(ctx):
    """It used to re-read the case's version just before its own check, so the check always passed."""
    created = create_application(ctx, application("2026-11-23"))
    info = L.produce_letter(ctx, created.id, "acknowledgement")
    wf.update_case_details(ctx, created.id, created.version, {"impact": "Changed by a colleague"})
    with pytest.raises(Conflict):
        L.record_sent(ctx, info.id, date(2026, 11, 25), "post", expected_version=created.version)
    assert load_case(ctx, created.id).status == "received"
    assert L.list_letters(ctx, created.id)[0].sent_on is None  # nothing half-done


def test_the_findings_cannot_be_recorded_as_sent_without_the_approved_letter(ctx):
    """The case page's step button once recorded the outcome as sent with no letter and any method."""
    from tests.db.test_letters import reviewed_case
    case_id = reviewed_case(ctx)
    info = L.produce_letter(ctx, case_id, "findings")
    with pytest.raises(ValidationFailed, match="approved"):
        L.record_sent(ctx, info.id, date(2026, 11, 25), "post")
    assert load_case(ctx, case_id).status == "reviewed"
    for module in ("steps", "secondary_review"):
        source = (ROOT / "app/services/cases" / f"{module}.py").read_text(encoding="utf-8")
        assert "OUTCOME_SENT" not in source  # no second path to the outcome


# Modules that name those fields without being a way to take the step: the one path itself; the
# historical register and demo data, which write past cases in bulk; exports that only read them.
NOT_STEPS = {"letter_steps.py", "register_import.py", "register_rows.py", "subject_access.py"}


def test_each_letter_step_has_one_path_only():
    """The states and dates that sending a letter sets are set in one module and nowhere else."""
    letter_fields = {"acknowledged_on", "decision_letter_sent_on", "outcome_sent_on", "revised_outcome_due"}
    offenders = []
    for path in (ROOT / "app/services").rglob("*.py"):
        if path.name in NOT_STEPS or "demo" in path.parts:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Dict):
                keys = {k.value for k in node.keys if isinstance(k, ast.Constant)}
                if keys & letter_fields:
                    offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
            if isinstance(node, ast.Attribute) and node.attr in letter_fields and isinstance(node.ctx, ast.Store):
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert offenders == []


def test_producing_sending_and_reading_a_letter_from_the_command_line_is_one_transaction(ctx):
    created = create_application(ctx, application("2026-11-23"))
    with Transactions(ctx.engine) as counted:
        info, pdf = L.letter_for_reference(ctx, created.reference, "acknowledgement", sent_on=date(2026, 11, 25),
                                           method="post")
    assert counted.committed == 1 and pdf.startswith(b"%PDF") and info.sent_on == date(2026, 11, 25)


def test_a_step_is_one_transaction_and_says_what_changed(ctx):
    created = create_application(ctx, application("2026-11-02"))
    step = send_letter(ctx, created.id, "acknowledgement", date(2026, 11, 3), version=created.version)
    with Transactions(ctx.engine) as counted:
        result = wf.start_threshold_check(ctx, created.id, step.version)
    assert counted.committed == 1
    assert changes_of(result) == Changes.of_case(created.id)
