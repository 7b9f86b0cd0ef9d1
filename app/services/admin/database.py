"""Opening the database for a session of work: location checks, schema, first-time defaults.

The desktop app (ui/) never imports app.db: what it needs to name a database, and the refusals it
must tell the user about, are re-exported here (`DatabaseChoice`, `choose_database`, `normalise_url`,
`UnsafeDatabaseLocation`, `SchemaMismatch`).
"""
from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, func, select

from app.db.engine import make_engine
from app.db.location import (DatabaseChoice, UnsafeDatabaseLocation, check_sqlite_location, choose_database,
                             is_network_path, normalise_url)
from app.db.models import Agency, SettingRow
from app.db.schema import SchemaMismatch, migrate_local_file, require_current, upgrade
from app.domain.settings import Settings
from app.services.agencies.directory import seed_default_agencies
from app.services.common.context import SETTINGS_KEY, ServiceContext

__all__ = ["DatabaseChoice", "OpenedDatabase", "SchemaMismatch", "UnsafeDatabaseLocation", "choose_database",
           "ensure_defaults", "migrate_server", "normalise_url", "open_database", "open_with_credentials"]

SEEDED_KEY = "seeded"


@dataclass(frozen=True)
class OpenedDatabase:
    context: ServiceContext
    choice: DatabaseChoice
    backup_made: Path | None


def open_database(choice: DatabaseChoice, *, network_check: Callable[[Path], bool] = is_network_path,
                  sign_in: bool = True, **context_args: Any) -> OpenedDatabase:
    """Local SQLite is created or migrated here (after a backup); a server must already be current.
    Then the user signs in (refused, with the reason, when their login is not set up)."""
    backup = None
    path = choice.sqlite_path
    if path is not None:
        check_sqlite_location(path, network_check)
        path.parent.mkdir(parents=True, exist_ok=True)
    engine = make_engine(choice.url)
    if choice.is_sqlite:
        if path:
            backup = migrate_local_file(engine, path)
        else:
            upgrade(engine)  # in memory: nothing to back up
    else:
        require_current(engine)
    ctx = ServiceContext(engine, **context_args)
    ensure_defaults(ctx)
    if sign_in:
        from app.services.trust.users import sign_in as sign_in_user
        try:
            sign_in_user(ctx)
        except Exception:
            engine.dispose()
            raise
    return OpenedDatabase(ctx, choice, backup)


def migrate_server(choice: DatabaseChoice) -> str:
    """The administrator's `migrate`: upgrade any database to this version's schema."""
    engine = make_engine(choice.url)
    try:
        if choice.sqlite_path:
            check_sqlite_location(choice.sqlite_path)
            choice.sqlite_path.parent.mkdir(parents=True, exist_ok=True)
            backup = migrate_local_file(engine, choice.sqlite_path)
            note = f" (backup kept at {backup})" if backup else ""
        else:
            upgrade(engine)
            note = ""
        ensure_defaults(ServiceContext(engine))
        return f"{choice.describe()} is at the current schema{note}."
    finally:
        engine.dispose()


def ensure_defaults(ctx: ServiceContext) -> None:
    """Create the default agency directory and settings once, on a new database."""
    with ctx.unit_of_work() as session:
        if session.get(SettingRow, SEEDED_KEY) is not None:
            return
        if not session.scalar(select(func.count()).select_from(Agency)):
            seed_default_agencies(session)
        if session.get(SettingRow, SETTINGS_KEY) is None:
            session.add(SettingRow(key=SETTINGS_KEY, value=json.dumps(Settings().to_json()), updated_by="set-up"))
        session.add(SettingRow(key=SEEDED_KEY, value="true", updated_by="set-up"))


def dispose(engine: Engine) -> None:
    engine.dispose()


def open_with_credentials(choice: DatabaseChoice, ask_password: Callable[[str], str | None],
                          **kwargs: Any) -> OpenedDatabase:
    """Open a shared server, asking for a password only when the server wants one.

    The password comes from the operating system's keyring, or is asked for (and kept in the keyring
    where there is one; never in a settings file). A password the server refuses is forgotten and
    asked for once more.
    """
    from sqlalchemy.exc import OperationalError

    from app.credentials import delete_password, url_with_password
    try:
        return open_database(choice, **kwargs)
    except OperationalError as exc:
        if choice.is_sqlite or "password" not in str(exc.orig).lower():
            raise
    for attempt in range(2):
        url = url_with_password(choice.url, ask_password)
        try:
            return open_database(DatabaseChoice(url, choice.source), **kwargs)
        except OperationalError as exc:
            if "password" not in str(exc.orig).lower() or attempt:
                raise
            delete_password(choice.url)  # refused: forget it and ask again
    raise AssertionError("unreachable")
