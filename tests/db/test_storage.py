"""Where the database lives and how a local SQLite file is created, migrated, backed up and restored."""
from __future__ import annotations

import json
import sqlite3
import sys
from pathlib import Path

import pytest
from sqlalchemy import text

from app.db.engine import make_engine
from app.db.location import (DatabaseChoice, UnsafeDatabaseLocation, check_sqlite_location,
                             choose_database, is_network_path, normalise_url)
from app.db.schema import (backup_sqlite, head_revision, migrate_local_file, restore_sqlite,
                           schema_state)
from app.services.agencies.directory import list_agencies
from app.services.cases.summaries import list_cases
from app.services.admin.database import open_database
from app.services.intake.applications import import_applications
from tests.conftest import FIXTURES, make_context

PUBLIC = FIXTURES / "public-applications.json"
DIRECTORY = {  # application-format.md, "The default agency directory"
    "Kent Police": True,
    "Tunbridge Wells Borough Council": True,
    "Town and Country Housing": True,
    "Clarion Housing": True,
    "NHS Kent and Medway": True,
    "Kent County Council": False,
    "Kent Fire and Rescue Service": False,
}


def _local(_path: Path) -> bool:
    return False


def _choice(path: Path) -> DatabaseChoice:
    return DatabaseChoice(normalise_url(f"sqlite:///{path}"), "test")


def _tables(path: Path) -> set[str]:
    conn = sqlite3.connect(path)
    try:
        return {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    finally:
        conn.close()


# --------------------------------------------------------------------------- network drives

@pytest.mark.parametrize("path", [r"\\server\share\cases\x.db", "//server/share/x.db",
                                  r"\\?\UNC\server\share\x.db"])
def test_unc_paths_are_network_paths(path):
    assert is_network_path(Path(path)) is True


def test_a_local_temporary_file_is_not_a_network_path(tmp_path):
    assert is_network_path(tmp_path / "x.db") is False
    check_sqlite_location(tmp_path / "x.db")  # the real check lets a local file through


def test_check_sqlite_location_refuses_a_network_drive(tmp_path):
    seen: list[Path] = []

    def network(path: Path) -> bool:
        seen.append(path)
        return True

    with pytest.raises(UnsafeDatabaseLocation) as raised:
        check_sqlite_location(tmp_path / "x.db", network_check=network)
    assert seen == [tmp_path / "x.db"]
    message = str(raised.value)
    assert "network drive" in message
    assert "PostgreSQL" in message
    assert str(tmp_path / "x.db") in message


def test_open_database_refuses_a_network_drive_and_creates_nothing(tmp_path):
    path = tmp_path / "sub" / "x.db"
    with pytest.raises(UnsafeDatabaseLocation, match="network drive"):
        open_database(_choice(path), network_check=lambda p: True)
    assert not path.exists()


# --------------------------------------------------------------------------- which database

@pytest.fixture
def no_settings(monkeypatch, tmp_path):
    """No environment variable, no site file, and the user data folder under tmp_path."""
    monkeypatch.delenv("COMMUNITY_TRIGGER_DATABASE", raising=False)
    monkeypatch.setenv("COMMUNITY_TRIGGER_SITE_CONFIG", str(tmp_path / "no-such-site.json"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    return monkeypatch


def _site(tmp_path: Path, monkeypatch, content: object) -> Path:
    site = tmp_path / "site.json"
    site.write_text(content if isinstance(content, str) else json.dumps(content), encoding="utf-8")
    monkeypatch.setenv("COMMUNITY_TRIGGER_SITE_CONFIG", str(site))
    return site


def test_command_line_beats_environment_and_site(no_settings, tmp_path):
    no_settings.setenv("COMMUNITY_TRIGGER_DATABASE", f"sqlite:///{tmp_path / 'env.db'}")
    _site(tmp_path, no_settings, {"database_url": f"sqlite:///{tmp_path / 'site.db'}"})
    choice = choose_database(f"sqlite:///{tmp_path / 'cli.db'}")
    assert choice.source == "command line"
    assert choice.sqlite_path == tmp_path / "cli.db"


def test_environment_beats_site(no_settings, tmp_path):
    no_settings.setenv("COMMUNITY_TRIGGER_DATABASE", f"sqlite:///{tmp_path / 'env.db'}")
    _site(tmp_path, no_settings, {"database_url": f"sqlite:///{tmp_path / 'site.db'}"})
    choice = choose_database(None)
    assert choice.source == "environment"
    assert choice.sqlite_path == tmp_path / "env.db"


def test_site_settings_beat_the_default(no_settings, tmp_path):
    _site(tmp_path, no_settings, {"database_url": "postgresql://ct@dbserver/community_trigger"})
    choice = choose_database(None)
    assert choice.source == "site settings"
    assert not choice.is_sqlite
    assert choice.url.drivername == "postgresql+psycopg"
    assert choice.url.host == "dbserver" and choice.url.database == "community_trigger"
    assert choice.sqlite_path is None


def test_empty_values_fall_through(no_settings, tmp_path):
    no_settings.setenv("COMMUNITY_TRIGGER_DATABASE", "")
    _site(tmp_path, no_settings, {"database_url": f"sqlite:///{tmp_path / 'site.db'}"})
    assert choose_database("").source == "site settings"


def test_default_is_a_file_in_the_user_data_folder(no_settings, tmp_path):
    from app.paths import default_database_path, user_data_dir
    choice = choose_database(None)
    assert choice.source == "default"
    assert choice.is_sqlite
    assert choice.sqlite_path == default_database_path()
    assert choice.sqlite_path.parent == user_data_dir()
    if sys.platform.startswith("linux"):
        assert choice.sqlite_path.is_relative_to(tmp_path / "xdg-data")


@pytest.mark.parametrize("content", ["{not json", "[1, 2]", '{"database_url": ""}', '{"other": 1}'])
def test_an_unusable_site_file_means_the_default(no_settings, tmp_path, content):
    _site(tmp_path, no_settings, content)
    assert choose_database(None).source == "default"


def test_a_plain_path_means_sqlite(no_settings, tmp_path):
    choice = choose_database(str(tmp_path / "plain.db"))
    assert choice.is_sqlite
    assert choice.sqlite_path == tmp_path / "plain.db"


# --------------------------------------------------------------------------- a new file

def test_new_sqlite_file_is_set_up(tmp_path):
    path = tmp_path / "new" / "cases.db"
    opened = open_database(_choice(path), network_check=_local)
    ctx = opened.context
    try:
        assert opened.backup_made is None
        state = schema_state(ctx.engine)
        assert state.up_to_date
        assert state.current == head_revision() and state.head
        with ctx.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        agencies = list_agencies(ctx)
        assert {a.name: a.relevant_body for a in agencies} == DIRECTORY
        assert len(agencies) == 7
    finally:
        ctx.engine.dispose()
    # WAL is a property of the file, not only of the app's connections.
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    finally:
        conn.close()


def test_opening_again_does_not_duplicate_agencies(tmp_path):
    path = tmp_path / "cases.db"
    for _ in range(3):
        opened = open_database(_choice(path), network_check=_local)
        try:
            assert opened.backup_made is None
            assert len(list_agencies(opened.context)) == 7
        finally:
            opened.context.engine.dispose()
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("SELECT count(*) FROM agencies").fetchone()[0] == 7
    finally:
        conn.close()


def test_foreign_keys_are_enforced(ctx):
    with pytest.raises(Exception, match="(?i)foreign key"):
        with ctx.engine.begin() as conn:
            conn.execute(text("INSERT INTO agency_aliases (agency_id, alias) VALUES (99999, 'Nobody')"))


# --------------------------------------------------------------------------- migrate, back up, restore

def test_a_file_at_head_is_not_backed_up_again(tmp_path):
    path = tmp_path / "cases.db"
    open_database(_choice(path), network_check=_local).context.engine.dispose()
    engine = make_engine(normalise_url(f"sqlite:///{path}"))
    try:
        assert migrate_local_file(engine, path) is None
    finally:
        engine.dispose()
    assert list(tmp_path.glob("*.bak")) == []


def test_a_file_with_old_tables_is_backed_up_before_migrating(tmp_path):
    path = tmp_path / "cases.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE legacy_notes (id INTEGER PRIMARY KEY, body TEXT)")
    conn.execute("INSERT INTO legacy_notes (body) VALUES ('kept')")
    conn.commit()
    conn.close()
    engine = make_engine(normalise_url(f"sqlite:///{path}"))
    try:
        backup = migrate_local_file(engine, path)
        assert schema_state(engine).up_to_date
    finally:
        engine.dispose()
    assert backup is not None and backup.exists()
    assert backup.parent == tmp_path
    assert head_revision() in backup.name
    assert _tables(backup) == {"legacy_notes"}
    assert {"cases", "agencies", "legacy_notes"} <= _tables(path)


def test_a_failed_migration_puts_the_old_file_back(tmp_path):
    path = tmp_path / "cases.db"
    conn = sqlite3.connect(path)
    # A table the migration also creates, so the upgrade fails part-way.
    conn.execute("CREATE TABLE cases (id INTEGER PRIMARY KEY, note TEXT)")
    conn.execute("INSERT INTO cases (note) VALUES ('from before')")
    conn.commit()
    conn.close()
    engine = make_engine(normalise_url(f"sqlite:///{path}"))
    with pytest.raises(Exception):
        migrate_local_file(engine, path)
    engine.dispose()
    assert _tables(path) == {"cases"}
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("SELECT note FROM cases").fetchall() == [("from before",)]
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        conn.close()


def test_backup_and_restore_round_trip(tmp_path):
    url = f"sqlite:///{tmp_path / 'cases.db'}"
    path = tmp_path / "cases.db"
    ctx = make_context(url)
    try:
        assert len(import_applications(ctx, [PUBLIC]).created) == 3
        before = [c.to_json() for c in list_cases(ctx)]
        copy = tmp_path / "backups" / "copy.db"
        backup_sqlite(path, copy)  # while the app's engine is still open
        extra = json.loads(PUBLIC.read_text(encoding="utf-8"))[0]
        extra["source_reference"] = "AFTER-BACKUP"
        later = tmp_path / "later.json"
        later.write_text(json.dumps(extra), encoding="utf-8")
        assert len(import_applications(ctx, [later]).created) == 1
        assert len(list_cases(ctx)) == 4
    finally:
        ctx.engine.dispose()

    conn = sqlite3.connect(copy)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("SELECT count(*) FROM cases").fetchone()[0] == 3
    finally:
        conn.close()
    assert not copy.with_name(copy.name + ".partial").exists()

    restore_sqlite(copy, path)
    ctx = make_context(url)
    try:
        assert [c.to_json() for c in list_cases(ctx)] == before
        assert len(list_agencies(ctx)) == 7
    finally:
        ctx.engine.dispose()


def test_the_schema_head_constant_matches_the_migration_scripts():
    from app.db.schema import SCHEMA_HEAD, head_revision
    assert head_revision() == SCHEMA_HEAD
