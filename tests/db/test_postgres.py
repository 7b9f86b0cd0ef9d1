"""The shared-database mode against the real PostgreSQL server (never a mock)."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import text

from app.db.location import DatabaseChoice, normalise_url
from app.db.schema import SchemaMismatch
from app.services.cases.summaries import list_cases
from app.services.admin.database import open_database
from app.services.common.errors import Conflict
from app.services.intake.applications import create_application
from app.services.cases import steps as wf
from tests.conftest import make_context
from tests.db.helpers import ASSESSMENT, application, at_once, send_letter


def test_two_officers_creating_cases_at_once_get_distinct_references(pg_ctx, pg_url):
    contexts = [make_context(pg_url, actor=f"officer.{n}") for n in range(4)]
    made: list[str] = []

    def work(ctx) -> None:
        for _ in range(5):
            made.append(create_application(ctx, application("2026-11-02")).reference)

    errors = at_once(work, contexts)
    for c in contexts:
        c.engine.dispose()
    assert errors == []
    assert sorted(made) == [f"CT-2026-{n:04d}" for n in range(1, 21)]


def test_second_save_is_refused_and_names_who_changed_it(pg_ctx, pg_url):
    created = create_application(pg_ctx, application("2026-11-02"))
    other = make_context(pg_url, actor="officer.two")
    wf.update_case_details(other, created.id, created.version, {"impact": "Cannot sleep."})
    with pytest.raises(Conflict) as refused:
        wf.update_case_details(pg_ctx, created.id, created.version, {"impact": "Afraid to go out."})
    assert refused.value.changed_by == "officer.two"
    other.engine.dispose()
    [case] = list_cases(pg_ctx)
    assert case.status == "received"


def test_audit_records_the_servers_session_user(pg_ctx):
    created = create_application(pg_ctx, application("2026-11-02"))
    with pg_ctx.engine.connect() as conn:
        who = conn.execute(text("SELECT db_user FROM audit_log WHERE case_id = :c"), {"c": created.id}).scalar()
        assert who == conn.execute(text("SELECT session_user")).scalar()


def test_workflow_on_postgres(pg_ctx):
    created = create_application(pg_ctx, application("2026-11-02"))
    step = send_letter(pg_ctx, created.id, "acknowledgement", date(2026, 11, 3), "post", version=created.version)
    step = wf.decide_threshold(pg_ctx, created.id, step.version, met=True, assessment=ASSESSMENT, decided_on=date(2026, 11, 10))
    [case] = list_cases(pg_ctx)
    assert case.status == "threshold_met" and case.threshold_decision == {"met": True, "decided_on": "2026-11-10"}


def test_ordinary_start_refuses_an_unmigrated_server(pg_url):
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url
    import uuid
    name = f"ct_empty_{uuid.uuid4().hex[:8]}"
    admin = create_engine(pg_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        url = make_url(pg_url).set(database=name).render_as_string(hide_password=False)
        with pytest.raises(SchemaMismatch, match="community-trigger --database URL migrate"):
            open_database(DatabaseChoice(normalise_url(url), "test"))
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
