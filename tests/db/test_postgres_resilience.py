"""The shared server under real conditions: an append-only audit log for the application's role, and a
server that goes away and comes back (through a proxy the test can cut)."""
from __future__ import annotations

from datetime import date

import psycopg
import pytest
from sqlalchemy import create_engine, func, select, text, update
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ProgrammingError

from app.db.models import AuditValue, Case, Note
from app.domain.roles import Role
from app.services.cases import steps as wf
from app.services.common.errors import DatabaseUnavailable
from app.services.intake.applications import create_application
from app.services.trust.retention import anonymise_case, delete_case
from tests.conftest import make_context
from tests.db.helpers import application
from tests.db.tcp_proxy import TcpProxy

pytestmark = pytest.mark.postgres


@pytest.fixture
def manager_login(pg_ctx, pg_url, pg_roles) -> URL:
    """A manager's own login role in the server's ct_manager group, as the administrator sets it up."""
    url = pg_roles.login(Role.MANAGER)
    make_context(pg_url, actor=url.username, role="manager").engine.dispose()  # the app user, made by the owner
    return url


def test_the_audit_log_is_append_only_for_every_application_role(pg_ctx, pg_roles):
    for role in Role:
        engine = create_engine(pg_roles.login(role))
        try:
            with engine.connect() as conn:
                assert conn.execute(text("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")).scalar() is False
                new_id = conn.execute(text("SELECT ct_audit_write('someone else', 'pc', 'view', 'case', NULL, NULL, "
                                           "NULL, NULL, '{}', '{}', '{}')")).scalar()
                conn.commit()
                for statement in ("INSERT INTO audit_log (at, actor, action, entity) "
                                  "VALUES (now(), 'officer', 'view', 'case')",
                                  "UPDATE audit_log SET actor = 'someone else' WHERE id = :i",
                                  "DELETE FROM audit_log WHERE id = :i",
                                  "DELETE FROM audit_values WHERE audit_id = :i",
                                  "TRUNCATE audit_log"):
                    with pytest.raises(ProgrammingError) as refused:
                        conn.execute(text(statement), {"i": new_id})
                    assert isinstance(refused.value.orig, psycopg.errors.InsufficientPrivilege), (role, statement)
                    conn.rollback()
                # The entry names the login, whatever actor it was given.
                login = conn.execute(text("SELECT session_user")).scalar()
                assert conn.execute(text("SELECT actor, db_user FROM audit_log WHERE id = :i"),
                                    {"i": new_id}).one() == (login, login)
        finally:
            engine.dispose()


def test_retention_works_with_a_managers_own_rights(manager_login):
    officer = make_context(manager_login.render_as_string(hide_password=False), actor=manager_login.username,
                           role="manager")
    try:
        first = create_application(officer, application())
        wf.update_case_details(officer, first.id, first.version, {"impact": "Cannot sleep."})
        second = create_application(officer, application())
        with officer.unit_of_work() as s:
            s.execute(update(Case).values(status="closed", closed_on=date(2019, 1, 1)))
            assert s.scalar(select(func.count()).select_from(AuditValue).where(AuditValue.case_id == first.id)) > 0
        anonymise_case(officer, first.id, "retention period ended")
        delete_case(officer, second.id, "opened in error")
        with officer.unit_of_work() as s:
            assert s.scalar(select(func.count()).select_from(AuditValue)
                            .where(AuditValue.case_id.in_([first.id, second.id]))) == 0
            assert s.scalars(select(Case.id)).all() == [first.id]
            logged = s.execute(text("SELECT action, db_user FROM audit_log WHERE action IN ('anonymise', 'delete') "
                                    "ORDER BY id")).all()
        assert logged == [("anonymise", manager_login.username), ("delete", manager_login.username)]
    finally:
        officer.engine.dispose()


def _count_cases(pg_url: str) -> list[str]:
    engine = create_engine(pg_url)
    try:
        with engine.connect() as conn:
            return list(conn.execute(text("SELECT reference FROM cases ORDER BY reference")).scalars())
    finally:
        engine.dispose()


def test_the_server_going_away_and_coming_back(pg_ctx, pg_url):
    server = make_url(pg_url)
    with TcpProxy(server.port or 5432, target_host=server.host or "127.0.0.1", max_seconds=60) as proxy:
        through = server.set(host="127.0.0.1", port=proxy.port)
        ctx = make_context(through.render_as_string(hide_password=False))
        try:
            saved = [create_application(ctx, application()).reference]

            proxy.cut()
            with pytest.raises(DatabaseUnavailable, match="cannot be reached just now, so nothing was saved"):
                create_application(ctx, application())
            assert _count_cases(pg_url) == saved  # nothing half-saved

            proxy.start()  # the same port: the server is back
            saved.append(create_application(ctx, application()).reference)  # pre-ping reconnects

            # The connection drops in the middle of a unit of work: the whole of it is rolled back.
            with pytest.raises(DatabaseUnavailable):
                with ctx.unit_of_work() as s:
                    case = s.scalar(select(Case).where(Case.reference == saved[0]))
                    s.add(Note(case_id=case.id, text="typed just before the network went", created_by="officer.one"))
                    case.impact = "half a change"
                    s.flush()
                    proxy.cut()
            proxy.start()
            saved.append(create_application(ctx, application()).reference)

            assert _count_cases(pg_url) == saved == ["CT-2026-0001", "CT-2026-0002", "CT-2026-0003"]
            with pg_ctx.unit_of_work() as s:
                assert s.scalar(select(func.count()).select_from(Note)) == 0
                assert s.scalar(select(Case.impact).where(Case.reference == saved[0])) is None
        finally:
            ctx.engine.dispose()
    assert not proxy.running and proxy.accepted >= 3
