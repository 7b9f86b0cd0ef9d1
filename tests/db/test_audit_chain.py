"""The tamper-evident audit log: a hash chain on SQLite and PostgreSQL, checked by `audit verify`."""
from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from app.db.engine import make_engine
from app.db.location import normalise_url
from app.db.schema import alembic_config
from app.services.common import audit
from app.services.common.errors import PermissionDenied
from app.services.intake.applications import create_application
from app.services.trust.audit_integrity import verify_chain
from tests.cli.cli_helpers import run
from tests.conftest import make_context
from tests.db.helpers import application, at_once


def _some_entries(ctx, n: int = 3) -> None:
    for _ in range(n):
        create_application(ctx, application())


def _path(ctx) -> Path:
    return Path(ctx.engine.url.database)


def _tamper(ctx, statement: str) -> None:
    """Change the file behind the app's back, as someone with the file and a SQLite tool would."""
    ctx.engine.dispose()
    conn = sqlite3.connect(_path(ctx))
    conn.execute(statement)
    conn.commit()
    conn.close()


def test_an_untouched_log_is_intact(ctx):
    _some_entries(ctx)
    report = verify_chain(ctx)
    assert report.intact and report.checked >= 4 and "intact" in report.summary()


def test_a_changed_entry_is_named(ctx):
    _some_entries(ctx)
    _tamper(ctx, "UPDATE audit_log SET actor = 'someone.else' WHERE id = 3")
    report = verify_chain(ctx)
    assert report.first_broken == 3 and "changed after it was written" in report.summary()


def test_a_deleted_entry_breaks_the_link_of_the_one_after(ctx):
    _some_entries(ctx)
    _tamper(ctx, "DELETE FROM audit_log WHERE id = 2")
    report = verify_chain(ctx)
    assert report.first_broken == 3 and "entry 1" in report.problem and "removed" in report.problem


def test_an_entry_inserted_by_hand_is_named(ctx):
    _some_entries(ctx)
    _tamper(ctx, "INSERT INTO audit_log (id, at, actor, action, entity) VALUES (1000, '2026-11-25 12:00:00', "
                 "'x', 'view', 'case')")
    assert verify_chain(ctx).first_broken == 1000


def test_a_rechained_tail_still_breaks_at_the_first_change(ctx):
    """Recomputing one entry's own hash after changing it does not help: the next entry's link breaks."""
    from app.db.models import AuditEntry
    from app.domain.audit_chain import entry_hash
    _some_entries(ctx)
    with ctx.engine.begin() as conn:
        conn.execute(text("UPDATE audit_log SET reason = 'nothing to see' WHERE id = 2"))
    with ctx.reading() as s:
        row = s.get(AuditEntry, 2)
        forged = entry_hash(row.prev_hash, audit.chain_fields(row))
    with ctx.engine.begin() as conn:
        conn.execute(text("UPDATE audit_log SET hash = :h WHERE id = 2"), {"h": forged})
    report = verify_chain(ctx)
    assert report.first_broken == 3


def test_only_who_may_view_the_audit_log_verifies_it(sqlite_url):
    officer = make_context(sqlite_url, actor="o.fficer", role="officer")
    with pytest.raises(PermissionDenied):
        verify_chain(officer)


def test_two_writers_at_once_do_not_fork_the_chain(sqlite_url):
    contexts = [make_context(sqlite_url, actor=f"officer.{n}") for n in range(4)]

    def work(ctx) -> None:
        for _ in range(5):
            create_application(ctx, application())

    assert at_once(work, contexts) == []
    report = verify_chain(contexts[0])
    assert report.intact and report.checked >= 4 + 20
    for c in contexts:
        c.engine.dispose()


def test_reads_that_audit_at_the_same_moment_keep_one_chain(sqlite_url):
    """A read's connection commits each statement by itself: the entries it writes get a transaction of
    their own, so two reads cannot both take the next place in the chain."""
    contexts = [make_context(sqlite_url, actor=f"officer.{n}") for n in range(4)]
    with contexts[0].reading() as session:
        before = session.scalar(text("SELECT count(*) FROM audit_log"))

    def work(ctx) -> None:
        for _ in range(15):
            with ctx.reading() as session:
                audit.record(session, ctx, "view", "case", None, reason="looked")

    assert at_once(work, contexts) == []
    with contexts[0].reading() as session:
        assert session.scalar(text("SELECT count(*) FROM audit_log")) == before + 60
        assert session.scalar(text("SELECT count(DISTINCT prev_hash) FROM audit_log")) == before + 60
    assert verify_chain(contexts[0]).intact
    for c in contexts:
        c.engine.dispose()


def test_an_entry_refused_in_a_read_leaves_nothing_and_the_read_goes_on(sqlite_url):
    ctx = make_context(sqlite_url)
    with ctx.reading() as session:
        before = session.scalar(text("SELECT count(*) FROM audit_log"))
        good = audit.NewEntry("view", "case", reason="first")
        bad = audit.NewEntry("view", None, reason="no entity")  # type: ignore[arg-type]  # NOT NULL refused
        with pytest.raises(IntegrityError):
            audit.write(session, ctx, [good, bad])
        assert session.scalar(text("SELECT count(*) FROM audit_log")) == before
        audit.write(session, ctx, [good])
    with ctx.reading() as session:
        assert session.scalar(text("SELECT count(*) FROM audit_log")) == before + 1
    assert verify_chain(ctx).intact


def test_entries_written_before_the_chain_are_chained_by_the_migration(tmp_path):
    path = tmp_path / "old.db"
    engine = make_engine(normalise_url(f"sqlite:///{path}"))
    config = alembic_config()
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "0002")
        for n in range(1, 4):
            conn.execute(text("INSERT INTO audit_log (id, at, actor, action, entity) VALUES "
                              f"({n}, '2025-01-0{n} 09:00:00.000000', 'old', 'view', 'case')"))
    engine.dispose()
    ctx = make_context(f"sqlite:///{path}")  # upgraded on open
    report = verify_chain(ctx)
    assert report.intact and report.checked >= 4


def test_audit_verify_on_the_command_line(tmp_path):
    db = tmp_path / "cases.db"
    assert run(db, "demo", "--cases", "3").returncode == 0
    ok = run(db, "audit", "verify")
    assert ok.returncode == 0 and "intact" in ok.stdout
    conn = sqlite3.connect(db)
    conn.execute("UPDATE audit_log SET reason = 'edited' WHERE id = 2")
    conn.commit()
    conn.close()
    broken = run(db, "audit", "verify")
    assert broken.returncode == 1 and "broken at entry 2" in broken.stderr and "Traceback" not in broken.stderr


@pytest.mark.postgres
def test_on_the_server_the_chain_is_made_by_the_function_and_checked_the_same_way(pg_ctx, pg_url, pg_roles):
    contexts = [make_context(pg_url, actor=f"officer.{n}") for n in range(4)]

    def work(ctx) -> None:
        for _ in range(5):
            create_application(ctx, application())

    errors = at_once(work, contexts)
    for c in contexts:
        c.engine.dispose()
    assert errors == []
    assert verify_chain(pg_ctx).intact
    with pg_ctx.engine.begin() as conn:  # written by the function: the server's time, its session_user
        assert conn.execute(text("SELECT count(DISTINCT db_user) FROM audit_log")).scalar() == 1
        victim = conn.execute(text("SELECT id FROM audit_log ORDER BY id LIMIT 1 OFFSET 5")).scalar()
        conn.execute(text("UPDATE audit_log SET case_id = 999 WHERE id = :i"), {"i": victim})
    report = verify_chain(pg_ctx)
    assert report.first_broken == victim
