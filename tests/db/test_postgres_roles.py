"""The server enforces the roles: deploy/postgresql-roles.sql on the real server, every role against every
table and function, as an officer connected with psql would try it (the app is not in the way)."""
from __future__ import annotations

from collections.abc import Iterator

import psycopg
import pytest
from psycopg import sql
from sqlalchemy import text
from sqlalchemy.engine import URL

from app.db.models import Base
from app.domain.roles import Permission, Role, allows
from app.services.common.errors import PermissionDenied
from app.services.trust import users
from tests.conftest import make_context
from tests.db.pg_roles import connect

pytestmark = pytest.mark.postgres
P = Permission

CASE_RECORDS = {"cases", "incidents", "incident_confirmations", "case_links", "notes", "people",
                "alleged_perpetrators", "problem_locations", "case_perpetrators", "agency_requests",
                "agency_actions", "letters", "documents", "reference_counters", "panel_meetings",
                "panel_attendees", "case_reviews", "findings", "recommendations", "secondary_reviews"}
RETENTION_DELETES = {"cases", "people", "alleged_perpetrators", "problem_locations"}
DIRECTORY = {"agencies", "agency_aliases", "agency_contacts"}
OPS = ("select", "insert", "update", "delete", "truncate")


def needed(table: str, op: str) -> Permission | None:
    """The permission of app/domain/roles.py each operation on each table needs (None: nobody may)."""
    if op == "truncate":
        return None
    if table in CASE_RECORDS:
        if op == "select":
            return P.VIEW
        return P.RETENTION if op == "delete" and table in RETENTION_DELETES else P.CHANGE_CASES
    if table in DIRECTORY:
        return P.VIEW if op == "select" else P.EDIT_AGENCIES
    rules: dict[str, dict[str, Permission | None]] = {
        "users": {"select": P.VIEW, "insert": P.MANAGE_USERS, "update": P.MANAGE_USERS, "delete": None},
        "user_passwords": {"select": None, "insert": P.MANAGE_USERS, "update": P.MANAGE_USERS,
                           "delete": P.MANAGE_USERS},
        "settings": {"select": P.VIEW, "insert": P.EDIT_SETTINGS, "update": P.EDIT_SETTINGS,
                     "delete": P.EDIT_SETTINGS},
        "drafts": {op: P.CHANGE_CASES for op in OPS},
        "audit_log": {"select": P.VIEW, "insert": None, "update": None, "delete": None},
        "audit_values": {"select": P.VIEW_AUDIT, "insert": None, "update": None, "delete": None},
        "alembic_version": {"select": P.VIEW, "insert": None, "update": None, "delete": None},
        "sign_in_attempts": {op: None for op in OPS},
        "ct_sign_in_secret": {op: None for op in OPS},
    }
    return rules[table][op]


def _statement(table: str, op: str, column: str) -> sql.Composed:
    t = sql.Identifier(table)
    return {
        "select": sql.SQL("SELECT * FROM {} LIMIT 0").format(t),
        "insert": sql.SQL("INSERT INTO {} DEFAULT VALUES").format(t),
        # Privileges are checked before any row is looked at: WHERE false touches nothing.
        "update": sql.SQL("UPDATE {} SET {} = NULL WHERE false").format(t, sql.Identifier(column)),
        "delete": sql.SQL("DELETE FROM {} WHERE false").format(t),
        "truncate": sql.SQL("TRUNCATE {}").format(t),
    }[op]


def _tried(conn: psycopg.Connection, statement: sql.Composable) -> bool:
    """True if the server allowed it (any other error, such as a NOT NULL column, still means allowed)."""
    try:
        with conn.transaction():
            conn.execute(statement)
            raise _RolledBack
    except _RolledBack:
        return True
    except psycopg.errors.InsufficientPrivilege as exc:
        if "row-level security" in str(exc):
            return True  # the table right is there; the row policy is tested on its own below
        return False
    except psycopg.Error:
        return True


class _RolledBack(Exception):
    pass


@pytest.fixture
def logins(pg_ctx, pg_roles) -> Iterator[dict[Role, URL]]:
    yield {role: pg_roles.login(role) for role in Role}


def _tables(conn: psycopg.Connection) -> dict[str, str]:
    """Every table in the schema, with a column that is not its key (to UPDATE)."""
    found: dict[str, str] = {}
    for table, column in conn.execute(
            "SELECT c.table_name, c.column_name FROM information_schema.columns c "
            "WHERE c.table_schema = 'public' ORDER BY c.table_name, c.ordinal_position DESC"):
        found[table] = column
    return found


def test_every_role_against_every_table(pg_ctx, pg_url, logins):
    with connect(pg_url) as owner:
        tables = _tables(owner)
    assert set(Base.metadata.tables) <= set(tables)  # the matrix covers every table the app has
    wrong: list[str] = []
    for role, url in logins.items():
        with connect(url) as conn:
            for table, column in sorted(tables.items()):
                for op in OPS:
                    want = needed(table, op)
                    expected = want is not None and allows(role, want)
                    got = _tried(conn, _statement(table, op, column))
                    if got != expected:
                        wrong.append(f"{role.value} {op} {table}: server {'allows' if got else 'refuses'}, "
                                     f"the role {'may' if expected else 'may not'}")
    assert wrong == []


# Every function in the schema, and the permission needed to run it (None: any signed-in role).
FUNCTIONS: dict[str, Permission | None] = {
    "ct_audit_write": None, "ct_password_salt": None, "ct_password_check": None,
    "purge_case_audit_values": P.RETENTION,
    "ct_groups_of_session": None, "ct_audit_part": None, "ct_guard_approvals": None,  # helpers: no rights of their own
}


def test_every_role_against_every_function(pg_ctx, pg_url, logins):
    with connect(pg_url) as owner:
        functions = owner.execute("SELECT p.oid, p.proname FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace "
                                  "WHERE n.nspname = 'public'").fetchall()
        assert {name for _oid, name in functions} == set(FUNCTIONS)  # a new function must be placed in the matrix
        wrong = []
        for role, url in logins.items():
            for oid, name in functions:
                may = owner.execute("SELECT has_function_privilege(%s, %s, 'EXECUTE')", (url.username, oid)).fetchone()[0]
                want = FUNCTIONS[name]
                if may != (want is None or allows(role, want)):
                    wrong.append(f"{role.value} {name}: {'may' if may else 'may not'} run it")
        definers = {name for (name,) in owner.execute("SELECT proname FROM pg_proc p JOIN pg_namespace n "
                                                      "ON n.oid = p.pronamespace WHERE n.nspname = 'public' "
                                                      "AND p.prosecdef")}
    assert wrong == []
    assert definers == {"ct_audit_write", "ct_password_salt", "ct_password_check", "purge_case_audit_values"}


def test_column_rights_a_user_changes_only_contact_details_and_nobody_reads_hashes(pg_ctx, logins):
    for role, url in logins.items():
        with connect(url) as conn:
            assert _tried(conn, sql.SQL("UPDATE users SET display_name = display_name WHERE false"))
            assert _tried(conn, sql.SQL("UPDATE users SET role = 'administrator' WHERE false")) == \
                allows(role, P.MANAGE_USERS)
            assert _tried(conn, sql.SQL("SELECT user_id FROM user_passwords LIMIT 0"))
            assert not _tried(conn, sql.SQL("SELECT hash FROM user_passwords LIMIT 0"))


def _owner(pg_url: str):
    return connect(pg_url)


def test_officers_cannot_make_themselves_administrators_or_forge_the_log(pg_ctx, pg_url, pg_roles):
    officer_url = pg_roles.login(Role.OFFICER)
    make_context(pg_url, actor=officer_url.username, role="officer").engine.dispose()
    with connect(officer_url) as conn:
        me = officer_url.username
        # Their own row: the contact details change, the role does not.
        assert conn.execute("UPDATE users SET phone = '01892 000001' WHERE login = %s", (me,)).rowcount == 1
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("UPDATE users SET role = 'administrator' WHERE login = %s", (me,))
        # Someone else's row is not theirs to change, even the phone.
        assert conn.execute("UPDATE users SET phone = '0' WHERE login = 'officer.one'").rowcount == 0
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("INSERT INTO users (login, display_name, role, active) VALUES ('evil', 'E', "
                         "'administrator', true)")
        # The log: an entry written through the function names the login and the server's time.
        entry = conn.execute("SELECT ct_audit_write('manager.somebody', 'pc', 'anonymise', 'case', 1, 1, NULL, "
                             "'forged', '{}', '{}', '{}')").fetchone()[0]
        actor, db_user = conn.execute("SELECT actor, db_user FROM audit_log WHERE id = %s", (entry,)).fetchone()
        assert actor == db_user == me
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("SELECT purge_case_audit_values(1)")


def test_a_manager_cannot_purge_a_live_cases_values_with_a_made_up_log_entry(pg_ctx, pg_url, pg_roles):
    from app.services.cases import steps as wf
    from app.services.intake.applications import create_application
    from tests.db.helpers import application
    created = create_application(pg_ctx, application())
    wf.update_case_details(pg_ctx, created.id, created.version, {"impact": "Cannot sleep."})
    manager = pg_roles.login(Role.MANAGER)
    with connect(manager) as conn:
        conn.execute("SELECT ct_audit_write(NULL, 'pc', 'anonymise', 'case', %s, %s, NULL, 'fake', '{}', '{}', '{}')",
                     (created.id, created.id))
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="not anonymised"):
            conn.execute("SELECT purge_case_audit_values(%s)", (created.id,))
    with _owner(pg_url) as owner:
        assert owner.execute("SELECT count(*) FROM audit_values WHERE case_id = %s", (created.id,)).fetchone()[0] > 0


def test_only_a_chair_approves_findings_or_minutes_on_the_server(pg_ctx, pg_url, pg_roles):
    with _owner(pg_url) as owner:
        letter = owner.execute("INSERT INTO letters (template, recipient, produced_at, produced_by, queued) "
                               "VALUES ('findings', 'X', now(), 'o', false) RETURNING id").fetchone()[0]
        meeting = owner.execute("INSERT INTO panel_meetings (starts_at, state, version, updated_at, updated_by) "
                                "VALUES (now(), 'held', 1, now(), 'o') RETURNING id").fetchone()[0]
    for role in (Role.OFFICER, Role.PANEL_CHAIR):
        with connect(pg_roles.login(role)) as conn:
            for statement in (f"UPDATE letters SET approved_by = 'me', approved_at = now() WHERE id = {letter}",
                              f"UPDATE panel_meetings SET state = 'minutes_approved' WHERE id = {meeting}"):
                allowed = _tried(conn, sql.SQL(statement))  # type: ignore[arg-type]
                assert allowed == (role == Role.PANEL_CHAIR), (role, statement)


def test_an_officer_sees_only_their_own_drafts(pg_ctx, pg_url, pg_roles):
    with _owner(pg_url) as owner:
        owner.execute("INSERT INTO drafts (owner, kind, payload, updated_at) VALUES ('someone.else', 'x', '{}', now())")
    url = pg_roles.login(Role.OFFICER)
    with connect(url) as conn:
        assert conn.execute("SELECT count(*) FROM drafts").fetchone()[0] == 0
        assert conn.execute("DELETE FROM drafts").rowcount == 0
        conn.execute("INSERT INTO drafts (owner, kind, payload, updated_at) VALUES (%s, 'x', '{}', now())",
                     (url.username,))
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("INSERT INTO drafts (owner, kind, payload, updated_at) VALUES ('someone.else', 'x', '{}', "
                         "now())")


def test_the_file_can_be_run_again(pg_ctx, pg_roles):
    pg_roles.apply()
    pg_roles.apply()


# --- signing in as the server's login ---------------------------------------------------------------

def test_the_app_user_is_the_servers_login_and_the_roles_must_agree(pg_ctx, pg_url, pg_roles):
    agree = pg_roles.login(Role.OFFICER, f"ct_jo_{pg_roles.suffix}")
    differ = pg_roles.login(Role.OFFICER, f"ct_al_{pg_roles.suffix}")
    both = pg_roles.login(Role.OFFICER, f"ct_mo_{pg_roles.suffix}", groups=(Role.OFFICER, Role.MANAGER))
    for url, role in ((agree, "officer"), (differ, "manager"), (both, "officer")):
        make_context(pg_url, actor=url.username, role=role).engine.dispose()  # the administrator adds them

    ctx = _open_as(agree, "desktop.login")
    try:
        assert ctx.actor == agree.username and ctx.role == Role.OFFICER  # not the desktop's login
    finally:
        ctx.engine.dispose()
    for url, words in ((differ, "app is manager, but your login on the database server"),
                       (both, "must agree")):
        with pytest.raises(PermissionDenied, match=words):
            _open_as(url, "desktop.login")


def _open_as(url: URL, desktop_login: str):
    from app.db.location import DatabaseChoice
    from app.services.admin.database import open_database
    return open_database(DatabaseChoice(url, "test"), network_check=lambda _p: False, actor=desktop_login).context


def test_password_sign_in_on_the_server_checks_through_the_function_and_locks_out(pg_ctx):
    users.save_user(pg_ctx, "k.user", display_name="K User", role="officer", password="correct horse battery")
    with pg_ctx.engine.connect() as conn:
        # No role but the owner reads the hash; the app asked the server, not the table.
        salt = conn.exec_driver_sql("SELECT ct_password_salt('k.user')").scalar()
        unknown = [conn.exec_driver_sql("SELECT ct_password_salt('nobody.here')").scalar() for _ in range(2)]
    assert salt and unknown[0] == unknown[1] and len(unknown[0]) == len(salt)
    assert users.sign_in_with_password(pg_ctx, "K.User", "correct horse battery").login == "k.user"
    for _ in range(3):
        with pytest.raises(PermissionDenied, match="not right"):
            users.sign_in_with_password(pg_ctx, "k.user", "wrong password!")
    # The back-off: after three failures the username waits, even for the right password.
    with pytest.raises(PermissionDenied, match="Too many wrong passwords"):
        users.sign_in_with_password(pg_ctx, "k.user", "correct horse battery")
    with pg_ctx.engine.begin() as conn:  # the back-offs have passed, as if the officer had waited
        conn.execute(text("UPDATE sign_in_attempts SET failures = 4, locked_until = NULL WHERE login = 'k.user'"))
    with pytest.raises(PermissionDenied, match="Too many wrong passwords"):
        users.sign_in_with_password(pg_ctx, "k.user", "wrong password!")  # the fifth: locked out
    with pg_ctx.engine.connect() as conn:
        actions = conn.execute(text("SELECT action FROM audit_log WHERE action LIKE 'sign in%' "
                                    "ORDER BY id DESC LIMIT 2")).scalars().all()
        until = conn.execute(text("SELECT locked_until - last_failed_at FROM sign_in_attempts")).scalar()
    assert actions == ["sign in locked", "sign in refused"] and until.total_seconds() == 15 * 60


# --- the app itself, connected as each role's own login ----------------------------------------------

def _app_as(pg_url: str, pg_roles, role: Role):
    """The app opened with an officer's own login role, the user added by the administrator first."""
    url = pg_roles.login(role)
    make_context(pg_url, actor=url.username, role=role.value).engine.dispose()
    with connect(pg_url) as owner:  # letters name the officer: give them a name, phone and email
        owner.execute("UPDATE users SET display_name = %s, phone = '01892 526121', email = 'o@example.gov.uk' "
                      "WHERE login = %s", (f"Jo {role.value.title()}", url.username))
    return _open_as(url, "desktop.login")


def test_the_app_does_its_work_with_each_roles_own_rights(pg_ctx, pg_url, pg_roles):
    from datetime import date, datetime
    from app.services.agencies import directory as ag
    from app.services.cases import steps as wf
    from app.services.cases.case_list import CaseQuery, find_case_ids
    from app.services.cases.case_page import load_case
    from app.services.intake import support
    from app.services.intake.applications import save_application
    from app.services.admin.settings import save_my_details
    from app.services.panels import meetings as panels
    from app.services.trust.audit_integrity import verify_chain
    from tests.db.helpers import application, send_letter
    from tests.db.test_panels import _review

    officer = _app_as(pg_url, pg_roles, Role.OFFICER)
    chair = _app_as(pg_url, pg_roles, Role.PANEL_CHAIR)
    reader = _app_as(pg_url, pg_roles, Role.READ_ONLY)
    admin = _app_as(pg_url, pg_roles, Role.ADMINISTRATOR)
    try:
        draft = support.save_draft(officer, "application-telephone", {"applicant.last_name": "Patel"}).id
        created = save_application(officer, application("2026-10-20"), draft_ids=[draft], submission_id="abc-1")
        assert support.list_drafts(officer) == []
        step = send_letter(officer, created.id, "acknowledgement", date(2026, 10, 21), "post", version=created.version)
        step = wf.decide_threshold(officer, created.id, step.version, met=True, decided_on=date(2026, 10, 28))
        added = ag.save_agency(officer, None, None, ag.AgencyInput("Hill Street Residents", kind="other partner"))
        ag.link_name_to_agency(officer, "The residents", added.id)
        meeting = panels.save_meeting(officer, None, None, starts_at=datetime(2026, 11, 20, 10), place="Town Hall").id
        panels.add_case(officer, meeting, created.id)
        panels.add_attendee(officer, meeting, name="Sam Chair", role="chair")
        police = next(a.id for a in ag.list_agencies(officer) if a.name == "Kent Police")
        item = panels.meeting_detail(officer, meeting).agenda[0]
        panels.record_review(officer, item.review_id, item.version, _review(officer, police))
        panels.mark_held(officer, meeting, panels.meeting_detail(officer, meeting).version, held_on=date(2026, 11, 20))
        with pytest.raises(PermissionDenied):  # the app refuses first; the server would too
            panels.approve_minutes(officer, meeting, panels.meeting_detail(officer, meeting).version)
        panels.approve_minutes(chair, meeting, panels.meeting_detail(chair, meeting).version)

        assert find_case_ids(reader, CaseQuery(text="Patel")) == [created.id]  # audited through the function
        assert load_case(reader, created.id).reference == created.reference
        save_my_details(reader, display_name="Rea Der", phone="01892 000002", email="r@example.gov.uk")
        users.add_user(admin, "new.officer", display_name="New Officer", role="officer")
        assert verify_chain(admin).intact
    finally:
        for ctx in (officer, chair, reader, admin):
            ctx.engine.dispose()
