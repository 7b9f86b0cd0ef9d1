"""An old database file opens in a new version: it is backed up, then upgraded, and nothing is lost."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import text

from app.db.engine import make_engine
from app.db.location import normalise_url
from app.db.schema import SCHEMA_HEAD, alembic_config, schema_state
from app.services.cases import steps as wf
from app.services.common.errors import ValidationFailed
from app.services.letters.case_letters import available_templates
from app.services.cases.case_page import load_case
from app.services.intake.applications import create_application
from tests.conftest import make_context
from tests.db.helpers import application


def _database_at(path: Path, revision: str) -> None:
    engine = make_engine(normalise_url(f"sqlite:///{path}"))
    config = alembic_config()
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, revision)
        conn.execute(text("INSERT INTO people (id, address, search_key, version, updated_at, updated_by) "
                          "VALUES (1, '', 'old|', 1, '2025-01-01', 'old')"))
        conn.execute(text("INSERT INTO cases (id, reference, channel, received_at, received_on, status, "
                          "applicant_id, consent_to_share, asb_types, qualifying_incidents, version, updated_at, "
                          "updated_by, created_at, created_by) VALUES (1, 'CT-2025-0001', 'post', "
                          "'2025-03-01 09:00', '2025-03-01', 'closed', 1, 1, '', 0, 1, '2025-01-01', 'old', "
                          "'2025-01-01', 'old')"))
    engine.dispose()


def test_a_file_made_by_the_first_version_is_backed_up_and_upgraded(tmp_path):
    path = tmp_path / "cases.db"
    _database_at(path, "0001")
    ctx = make_context(f"sqlite:///{path}")
    assert schema_state(ctx.engine).current == SCHEMA_HEAD
    backups = list(tmp_path.glob(f"cases.before-{SCHEMA_HEAD}.db.bak"))
    assert len(backups) == 1
    assert load_case(ctx, 1).reference == "CT-2025-0001" and load_case(ctx, 1).disclosure_consent is None
    assert load_case(ctx, 1).victim_tenure is None  # not asked: never guessed


def test_a_file_of_the_second_version_gains_tenure_addressees_and_letter_edits(tmp_path):
    path = tmp_path / "cases.db"
    _database_at(path, "0002")
    engine = make_engine(normalise_url(f"sqlite:///{path}"))
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO agencies (id, name, kind, relevant_body, active, version, updated_at, "
                          "updated_by) VALUES (50, 'Old Housing', 'registered provider of social housing', 1, 1, 1, "
                          "'2025-01-01', 'old')"))
        conn.execute(text("INSERT INTO agency_contacts (agency_id, name, panel_member) VALUES (50, 'Kim Old', 0)"))
    engine.dispose()
    ctx = make_context(f"sqlite:///{path}")
    assert schema_state(ctx.engine).current == SCHEMA_HEAD
    from app.services.agencies.directory import get_agency
    detail = get_agency(ctx, 50)
    assert detail.postcode == "" and [c.receives_letters for c in detail.contacts] == [False]
    assert detail.letters_contact.name == "Kim Old"  # the first contact, until one is marked for letters
    ctx.engine.dispose()


def test_findings_to_a_third_party_applicant_need_the_victims_consent_to_disclosure(ctx):
    created = create_application(ctx, application("2026-11-02", on_behalf=True))
    detail = load_case(ctx, created.id)
    with pytest.raises(ValidationFailed):
        wf.record_disclosure_consent(ctx, created.id, detail.version, given=True, on=date(2026, 12, 1))
    step = wf.record_disclosure_consent(ctx, created.id, detail.version, given=True, on=date(2026, 11, 25))
    assert load_case(ctx, created.id).disclosure_consent is True and step.version > detail.version
    fits = {f.name: f for f in available_templates(ctx, created.id)}
    assert "disclosed" not in (fits["findings"].reason or "")  # refused for another reason (no panel yet)


def test_a_file_of_the_fourth_version_keeps_its_reviews_and_gains_the_law_of_2026(tmp_path):
    path = tmp_path / "cases.db"
    _database_at(path, "0004")
    engine = make_engine(normalise_url(f"sqlite:///{path}"))
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO panel_meetings (id, starts_at, state, version, updated_at, updated_by) "
                          "VALUES (1, '2025-04-01 10:00', 'held', 1, '2025-04-01', 'old')"))
        conn.execute(text("INSERT INTO incidents (id, case_id, position, reported_to, same_problem, hate_incident, "
                          "version, updated_at, updated_by) VALUES (1, 1, 0, 'Kent Police', 1, 0, 1, '2025-01-01', "
                          "'old')"))
        for review, attended, statement in ((1, 1, None), (2, 0, "We cannot sleep"), (3, 0, None)):
            conn.execute(text("INSERT INTO case_reviews (id, meeting_id, case_id, victim_invited, victim_attended, "
                              "impact_statement, completes_review, version, updated_at, updated_by) VALUES "
                              f"({review}, 1, 1, 1, {attended}, :s, 1, 1, '2025-04-01', 'old')"), {"s": statement})
    engine.dispose()
    ctx = make_context(f"sqlite:///{path}")
    assert schema_state(ctx.engine).current == SCHEMA_HEAD
    with ctx.engine.connect() as conn:
        parts = conn.execute(text("SELECT id, victim_part FROM case_reviews ORDER BY id")).all()
        incidents = conn.execute(text("SELECT count(*) FROM incidents")).scalar()
    # Nothing hanging off a case is lost (a copied-and-dropped cases table would cascade to them).
    assert parts == [(1, "attended"), (2, "impact_statement"), (3, None)] and incidents == 1
    detail = load_case(ctx, 1)
    assert detail.reference == "CT-2025-0001" and "3 qualifying incidents" in detail.rules_in_force
    ctx.engine.dispose()
