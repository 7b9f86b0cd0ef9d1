"""Schema versions: migrate a local file on start (after a backup), never a shared server."""
from __future__ import annotations

import json
import re
import shutil
import sqlite3
from datetime import datetime, timezone
from dataclasses import dataclass
from pathlib import Path

from typing import TYPE_CHECKING

from sqlalchemy import Connection, Engine, inspect, text

from app import __version__

if TYPE_CHECKING:
    from alembic.config import Config

_MIGRATIONS = Path(__file__).resolve().parent / "migrations"
# The newest migration. Kept here so that an ordinary start checks the schema without importing
# Alembic (a tenth of a second); a test checks it against the migration scripts.
SCHEMA_HEAD = "0006"


# The settings row in which `upgrade` records which version of the app last upgraded the schema, so
# that an older app can say which version it needs instead of failing inside Alembic.
WRITTEN_BY_KEY = "schema_written_by"


class SchemaMismatch(RuntimeError):
    """A shared database whose schema differs from this version of the app."""


class NewerSchema(SchemaMismatch):
    """A database made by a newer version of the app than this one: it must not be opened or migrated."""


def alembic_config(engine: Engine | None = None) -> Config:
    from alembic.config import Config
    config = Config()
    config.set_main_option("script_location", str(_MIGRATIONS))
    return config


def head_revision() -> str:
    """The newest revision among the migration scripts (reads them: for tests and `migrate`)."""
    from alembic.script import ScriptDirectory
    return ScriptDirectory.from_config(alembic_config()).get_current_head() or ""


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        if not inspect(conn).has_table("alembic_version"):
            return None
        return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def known_revisions() -> set[str]:
    """Every revision this version's migration scripts know (read from the files, without Alembic)."""
    found = set()
    for script in (_MIGRATIONS / "versions").glob("*.py"):
        match = re.search(r'^revision\s*=\s*["\']([^"\']+)["\']', script.read_text(encoding="utf-8"), re.M)
        if match:
            found.add(match.group(1))
    return found


def written_by(engine: Engine) -> str | None:
    """The version of the app that last upgraded this database's schema, if it recorded one."""
    try:
        with engine.connect() as conn:
            if not inspect(conn).has_table("settings"):
                return None
            value = conn.execute(text("SELECT value FROM settings WHERE key = :k"), {"k": WRITTEN_BY_KEY}).scalar()
    except Exception:  # noqa: BLE001 - a newer schema may have changed the table: the version is optional
        return None
    try:
        found = json.loads(value) if value else None
    except ValueError:
        return None
    return found if isinstance(found, str) else None


def check_not_newer(engine: Engine, state: SchemaState | None = None) -> None:
    state = state or schema_state(engine)
    if state.current is None or state.current == state.head or state.current in known_revisions():
        return
    version = written_by(engine)
    if version == __version__:  # upgraded by a newer app that did not record itself: say only "newer"
        version = None
    made = f"version {version} of the app" if version else "a newer version of the app"
    install = f"install {version} or later" if version else "install the newest version"
    raise NewerSchema(f"This database was made by {made} (schema {state.current}); this is version "
                      f"{__version__}, which knows schemas up to {state.head}. To use it, {install}. "
                      "Nothing has been changed.")


def upgrade(engine: Engine) -> None:
    from alembic import command
    check_not_newer(engine)
    config = alembic_config()
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "head")
        _record_written_by(conn)


def _record_written_by(conn: Connection) -> None:
    value = json.dumps(__version__)
    done = conn.execute(text("UPDATE settings SET value = :v WHERE key = :k"), {"v": value, "k": WRITTEN_BY_KEY})
    if not done.rowcount:
        conn.execute(text("INSERT INTO settings (key, value, updated_at, updated_by) VALUES (:k, :v, :at, 'migrate')"),
                     {"k": WRITTEN_BY_KEY, "v": value, "at": datetime.now(timezone.utc).replace(tzinfo=None)})


@dataclass(frozen=True)
class SchemaState:
    current: str | None
    head: str

    @property
    def up_to_date(self) -> bool:
        return self.current == self.head


def schema_state(engine: Engine) -> SchemaState:
    return SchemaState(current_revision(engine), SCHEMA_HEAD)


def backup_sqlite(source: Path, target: Path) -> None:
    """A consistent copy even while the app has the file open (SQLite's online backup API)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(target.name + ".partial")
    tmp.unlink(missing_ok=True)
    _copy_sqlite(f"file:{source}?mode=ro", tmp, source_is_uri=True)
    shutil.move(tmp, target)


def _copy_sqlite(source: str | Path, target: Path, *, source_is_uri: bool = False) -> None:
    """Page-by-page copy through SQLite's backup API, closing both connections whatever happens."""
    src = sqlite3.connect(source, uri=source_is_uri)
    try:
        dst = sqlite3.connect(target)
        try:
            src.backup(dst)
        finally:
            dst.close()
    finally:
        src.close()


def migrate_local_file(engine: Engine, path: Path) -> Path | None:
    """Upgrade a local SQLite file, keeping a backup; on failure put the old file back."""
    state = schema_state(engine)
    if state.up_to_date:
        return None
    check_not_newer(engine, state)
    if state.current is None and not _has_tables(path):
        upgrade(engine)  # a brand-new file: nothing to back up
        return None
    backup = path.with_name(f"{path.stem}.before-{state.head}{path.suffix}.bak")
    backup_sqlite(path, backup)
    try:
        upgrade(engine)
    except Exception:
        engine.dispose()
        restore_sqlite(backup, path)
        raise
    return backup


def restore_sqlite(backup: Path, path: Path) -> None:
    for suffix in ("-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    _copy_sqlite(backup, path)


def _has_tables(path: Path) -> bool:
    if not path.exists() or path.stat().st_size == 0:
        return False
    conn = sqlite3.connect(path)
    try:
        return conn.execute("SELECT count(*) FROM sqlite_master WHERE type='table'").fetchone()[0] > 0
    finally:
        conn.close()


def require_current(engine: Engine) -> None:
    state = schema_state(engine)
    if state.up_to_date:
        return
    check_not_newer(engine, state)
    found = state.current or "empty (no tables yet)"
    raise SchemaMismatch(
        f"The shared database's schema is {found}; this version of the app needs {state.head}. "
        "An administrator must run `community-trigger --database URL migrate` first.")
