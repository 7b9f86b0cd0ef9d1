"""Shared fixtures: a fresh SQLite database per test, and a throwaway PostgreSQL database per session."""
from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from app.db.location import DatabaseChoice, normalise_url
from app.services.common.context import ServiceContext
from app.services.admin.database import open_database

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
EXAMPLES = Path(__file__).resolve().parents[2] / "shared" / "examples"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
PG_ADMIN_URL = os.environ.get("COMMUNITY_TRIGGER_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
FIXED_TODAY = date(2026, 11, 25)


def _never_network(_path: Path) -> bool:
    return False


def make_context(url: str, *, today: date = FIXED_TODAY, actor: str = "officer.one",
                 role: str = "administrator") -> ServiceContext:
    """A signed-in context; the user is created with `role` if the database does not know them."""
    from app.db.models import User
    from app.services.trust.users import sign_in
    opened = open_database(DatabaseChoice(normalise_url(url), "test"), network_check=_never_network,
                           sign_in=False, actor=actor, machine="test-pc", today=lambda: today,
                           now=lambda: datetime.combine(today, datetime.min.time()).replace(hour=12))
    ctx = opened.context
    with ctx.unit_of_work() as session:
        user = session.query(User).filter_by(login=actor).one_or_none()
        if user is None:
            session.add(User(login=actor, display_name=actor, role=role))
        else:
            user.role = role
    sign_in(ctx)
    return ctx


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'cases.db'}"


@pytest.fixture(scope="session")
def migrated_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One database file migrated to the head once per session: each test's own copy of it starts
    exactly as a new file would after its first start, without running every migration again."""
    path = tmp_path_factory.mktemp("template") / "cases.db"
    opened = open_database(DatabaseChoice(normalise_url(f"sqlite:///{path}"), "test"),
                           network_check=_never_network, sign_in=False, actor="template", machine="test-pc")
    opened.context.engine.dispose()  # the WAL is checkpointed into the file on the last close
    return path


@pytest.fixture
def ctx(sqlite_url: str, migrated_sqlite: Path) -> Iterator[ServiceContext]:
    target = Path(sqlite_url.removeprefix("sqlite:///"))
    if not target.exists():
        shutil.copyfile(migrated_sqlite, target)
    context = make_context(sqlite_url)
    yield context
    context.engine.dispose()


def _pg_available() -> str | None:
    try:
        engine = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        engine.dispose()
        return None
    except Exception as exc:  # noqa: BLE001 - any failure means "no server"
        return f"{type(exc).__name__}: {exc}"


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    """A new database on the real server for this test session, dropped afterwards.

    Under CI (CI=true) a missing server is a failure, never a skip.
    """
    problem = _pg_available()
    if problem:
        message = f"PostgreSQL is not reachable at {PG_ADMIN_URL}: {problem}"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    with scratch_database("ct_test") as url:
        yield url


@contextmanager
def scratch_database(prefix: str) -> Iterator[str]:
    """A new, empty database on the test server, and its URL; dropped afterwards whatever happened."""
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def pg_roles(pg_url: str):
    """deploy/postgresql-roles.sql on this session's database, with group and login names of its own."""
    from tests.db.pg_roles import ServerRoles
    roles = ServerRoles(make_url(pg_url))
    try:
        yield roles
    finally:
        roles.drop()


@pytest.fixture
def pg_ctx(pg_url: str, pg_roles) -> Iterator[ServiceContext]:
    from app.services.admin.database import migrate_server
    migrate_server(DatabaseChoice(normalise_url(pg_url), "test"))
    if not pg_roles.applied:  # as an administrator does after every migrate: the app then runs as deployed
        pg_roles.apply()
    context = make_context(pg_url)
    yield context
    # Leave the next test an empty case table on the shared per-session database.
    with context.engine.begin() as conn:
        conn.execute(text("TRUNCATE cases, people, alleged_perpetrators, problem_locations, "
                          "reference_counters, audit_log, audit_values, letters, documents, drafts, "
                          "sign_in_attempts RESTART IDENTITY CASCADE"))
    context.engine.dispose()
