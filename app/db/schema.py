"""Schema versions: migrate a local file on start (after a backup), never a shared server."""
from __future__ import annotations

import shutil
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from typing import TYPE_CHECKING

from sqlalchemy import Engine, inspect, text

if TYPE_CHECKING:
    from alembic.config import Config

_MIGRATIONS = Path(__file__).resolve().parent / "migrations"
# The newest migration. Kept here so that an ordinary start checks the schema without importing
# Alembic (a tenth of a second); a test checks it against the migration scripts.
SCHEMA_HEAD = "0005"


class SchemaMismatch(RuntimeError):
    """A shared database whose schema differs from this version of the app."""


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


def upgrade(engine: Engine) -> None:
    from alembic import command
    config = alembic_config()
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "head")


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
    found = state.current or "empty (no tables yet)"
    raise SchemaMismatch(
        f"The shared database's schema is {found}; this version of the app needs {state.head}. "
        "An administrator must run `community-trigger --database URL migrate` first.")
