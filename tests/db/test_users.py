"""Signing in, roles and permissions enforced in the services."""
from __future__ import annotations

import pytest

from app.db.location import DatabaseChoice, normalise_url
from app.domain.roles import Permission, Role
from app.services.trust import users
from app.services.cases import steps as wf
from app.services.cases.case_page import load_case
from app.services.admin.database import open_database
from app.services.common.errors import PermissionDenied, ValidationFailed
from app.services.intake.applications import create_application
from tests.conftest import make_context
from tests.db.helpers import application


def _open(url: str, actor: str):
    return open_database(DatabaseChoice(normalise_url(url), "test"), network_check=lambda p: False,
                         actor=actor).context


def test_first_user_of_a_new_database_is_its_administrator_and_strangers_are_refused(sqlite_url):
    first = _open(sqlite_url, "a.admin")
    assert first.role == Role.ADMINISTRATOR
    with pytest.raises(PermissionDenied, match="not set up"):
        _open(sqlite_url, "someone.else")
    users.save_user(first, "someone.else", display_name="Someone Else", role="officer")
    assert _open(sqlite_url, "Someone.Else").role == Role.OFFICER  # logins match ignoring case


def test_read_only_user_is_refused_by_the_services_themselves(sqlite_url):
    admin = make_context(sqlite_url)
    created = create_application(admin, application("2026-11-02"))
    reader = make_context(sqlite_url, actor="r.only", role="read_only")
    assert load_case(reader, created.id).reference == created.reference  # may look
    with pytest.raises(PermissionDenied, match="may not change cases"):
        wf.update_case_details(reader, created.id, created.version, {"impact": "x"})
    with pytest.raises(PermissionDenied):
        create_application(reader, application("2026-11-02"))
    with pytest.raises(PermissionDenied):
        users.save_user(reader, "x", display_name="x", role="administrator")
    assert not reader.may(Permission.EXPORT) and admin.may(Permission.MANAGE_USERS)


def test_officer_cannot_approve_minutes_but_a_chair_can(sqlite_url):
    officer = make_context(sqlite_url, actor="o.fficer", role="officer")
    chair = make_context(sqlite_url, actor="c.hair", role="panel_chair")
    assert not officer.may(Permission.APPROVE_FINDINGS) and chair.may(Permission.APPROVE_FINDINGS)


def test_password_sign_in_uses_a_memory_hard_hash(sqlite_url):
    admin = make_context(sqlite_url)
    with pytest.raises(ValidationFailed):
        users.save_user(admin, "k.user", display_name="K User", role="officer", password="short")
    users.save_user(admin, "k.user", display_name="K User", role="officer", password="correct horse battery")
    stored = admin.engine.connect().exec_driver_sql("SELECT hash FROM user_passwords JOIN users ON users.id = user_id WHERE login='k.user'").scalar()
    assert stored.startswith("scrypt$") and "correct horse" not in stored
    ctx = make_context(sqlite_url, actor="k.user", role="officer")
    with pytest.raises(PermissionDenied, match="not right"):
        users.sign_in_with_password(ctx, "k.user", "wrong password!")
    info = users.sign_in_with_password(ctx, "K.User", "correct horse battery")
    assert (info.login, ctx.role) == ("k.user", Role.OFFICER)


def test_switched_off_user_cannot_sign_in(sqlite_url):
    admin = make_context(sqlite_url)
    users.save_user(admin, "gone.away", display_name="Gone", role="officer", active=False)
    with pytest.raises(PermissionDenied, match="switched off"):
        _open(sqlite_url, "gone.away")
    with pytest.raises(ValidationFailed):
        users.save_user(admin, "officer.one", display_name="Me", role="officer")  # own admin role


def test_sign_in_is_audited_with_the_machine(sqlite_url):
    ctx = make_context(sqlite_url)
    with ctx.engine.connect() as conn:
        row = conn.exec_driver_sql("SELECT actor, machine FROM audit_log WHERE action='sign in'").first()
    assert tuple(row) == ("officer.one", "test-pc")
