"""Password sign-in: the same work for unknown and known users, a back-off then a lockout (audited),
a malformed stored hash refused cleanly (SQLite here; the server's functions in test_postgres_roles)."""
from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select, text

import app.db.models.base as base
from app.db.models import AuditEntry, SignInAttempt
from app.services.common.errors import PermissionDenied
from app.services.trust import users
from tests.conftest import make_context

RIGHT = "correct horse battery"


@pytest.fixture
def admin(sqlite_url):
    ctx = make_context(sqlite_url)
    users.save_user(ctx, "k.user", display_name="K User", role="officer", password=RIGHT)
    yield ctx
    ctx.engine.dispose()


@pytest.fixture
def clock(monkeypatch):
    """UTC now, moved by the test (the lockout counts real time, as the server does)."""
    now = [datetime(2026, 11, 25, 12, 0)]
    monkeypatch.setattr(base, "utcnow", lambda: now[0])
    return now


def test_unknown_and_known_users_cost_the_same_work(admin, monkeypatch):
    calls: list[int] = []
    real = hashlib.scrypt

    def counted(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(hashlib, "scrypt", counted)
    users._dummy()  # made once per process, before counting
    for login in ("k.user", "nobody.at.all", "k.user"):
        calls.clear()
        with pytest.raises(PermissionDenied, match="username or password is not right"):
            users.sign_in_with_password(admin, login, "wrong password!")
        assert len(calls) == 1, login  # one scrypt each: no shortcut for a name that does not exist


def test_a_back_off_then_a_lockout_for_known_and_unknown_names_alike(admin, clock):
    for login in ("k.user", "nobody.at.all"):
        for _ in range(3):
            with pytest.raises(PermissionDenied, match="not right"):
                users.sign_in_with_password(admin, login, "wrong password!")
        with pytest.raises(PermissionDenied, match="Too many wrong passwords"):  # 30 seconds' wait
            users.sign_in_with_password(admin, login, RIGHT)
        clock[0] += timedelta(seconds=31)
        with pytest.raises(PermissionDenied, match="not right"):
            users.sign_in_with_password(admin, login, "wrong password!")  # the fourth: 2 minutes
        clock[0] += timedelta(minutes=3)
        with pytest.raises(PermissionDenied, match="Too many wrong passwords"):
            users.sign_in_with_password(admin, login, "wrong password!")  # the fifth: locked 15 minutes
        with pytest.raises(PermissionDenied, match="Too many wrong passwords"):
            users.sign_in_with_password(admin, login, RIGHT)
    clock[0] += timedelta(minutes=16)
    assert users.sign_in_with_password(admin, "k.user", RIGHT).login == "k.user"  # and the count starts again
    with admin.reading() as s:
        assert s.get(SignInAttempt, "k.user") is None
        actions = s.scalars(select(AuditEntry.action).where(AuditEntry.action.like("sign in%"))).all()
    assert actions.count("sign in locked") == 2  # once for each name, when it locked


def test_a_malformed_stored_hash_is_a_wrong_password_not_a_traceback(admin):
    for broken in ("scrypt$not-base64$@@@", "plain text", "scrypt$$", "scrypt$a$b$c", ""):
        with admin.engine.begin() as conn:
            conn.execute(text("UPDATE user_passwords SET hash = :h"), {"h": broken})
        with pytest.raises(PermissionDenied, match="not right"):
            users.sign_in_with_password(admin, "k.user", RIGHT)
        with admin.engine.begin() as conn:
            conn.execute(text("DELETE FROM sign_in_attempts"))
    assert users.verify_password(RIGHT, None) is False


def test_hashes_are_kept_apart_from_the_users(admin):
    with admin.engine.connect() as conn:
        columns = [r[1] for r in conn.execute(text("PRAGMA table_info(users)"))]
    assert "password_hash" not in columns
    assert {u.login: u.has_password for u in users.list_users(admin)} == {"k.user": True, "officer.one": False}
