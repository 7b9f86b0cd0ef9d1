"""A database made by a newer version of the app: refused with the version to install, never Alembic's traceback."""
from __future__ import annotations

import json

import pytest
from sqlalchemy import create_engine, text

from app.db.location import DatabaseChoice, normalise_url
from app.db.schema import NewerSchema, WRITTEN_BY_KEY
from app.services.admin.database import migrate_server, open_database
from tests.cli.cli_helpers import run
from tests.conftest import make_context


def _from_the_future(url: str, version: str | None = "9.4.0") -> None:
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '0042'"))
        if version:
            conn.execute(text("UPDATE settings SET value = :v WHERE key = :k"), {"v": json.dumps(version),
                                                                               "k": WRITTEN_BY_KEY})
    engine.dispose()


def test_the_version_that_made_it_is_recorded(ctx):
    with ctx.engine.connect() as conn:
        assert json.loads(conn.execute(text("SELECT value FROM settings WHERE key = :k"),
                                       {"k": WRITTEN_BY_KEY}).scalar()) == "0.1.0"


def test_sqlite_refuses_to_open_or_migrate_a_newer_file(sqlite_url, tmp_path):
    make_context(sqlite_url).engine.dispose()
    _from_the_future(sqlite_url)
    choice = DatabaseChoice(normalise_url(sqlite_url), "test")
    for attempt in (lambda: open_database(choice, network_check=lambda _p: False), lambda: migrate_server(choice)):
        with pytest.raises(NewerSchema, match=r"made by version 9\.4\.0 of the app .*install 9\.4\.0 or later"):
            attempt()
    assert not list(tmp_path.glob("*.bak"))  # nothing was backed up or changed


def test_the_command_line_says_which_version_to_install(tmp_path):
    db = tmp_path / "cases.db"
    assert run(db, "cases").returncode == 0
    _from_the_future(f"sqlite:///{db}", version=None)
    for args in (("cases",), ("migrate",)):
        result = run(db, *args)
        assert result.returncode == 1 and "made by a newer version of the app" in result.stderr
        assert "Traceback" not in result.stderr and "alembic" not in result.stderr.lower()


@pytest.mark.postgres
def test_the_server_refuses_too(pg_ctx, pg_url):
    _from_the_future(pg_url)
    choice = DatabaseChoice(normalise_url(pg_url), "test")
    try:
        for attempt in (lambda: open_database(choice), lambda: migrate_server(choice)):
            with pytest.raises(NewerSchema, match="install 9.4.0 or later"):
                attempt()
    finally:
        engine = create_engine(pg_url)
        with engine.begin() as conn:
            from app.db.schema import SCHEMA_HEAD
            conn.execute(text("UPDATE alembic_version SET version_num = :h"), {"h": SCHEMA_HEAD})
        engine.dispose()
