"""The service context: the database, the signed-in user, the settings and one unit of work per action."""
from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import Engine, select
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from app.db.models import SettingRow
from app.domain.calendar import WorkingCalendar
from app.domain.settings import Settings
from app.identity import machine_name, os_login
from app.domain.roles import Permission, Role, allows
from app.services.common.errors import DatabaseUnavailable, PermissionDenied

SETTINGS_KEY = "council_settings"


@dataclass
class ServiceContext:
    engine: Engine
    actor: str = field(default_factory=os_login)
    machine: str = field(default_factory=machine_name)
    today: Callable[[], date] = date.today
    now: Callable[[], datetime] = datetime.now
    role: Role | None = None  # set by signing in (app.services.trust.users.sign_in)
    _sessions: sessionmaker[Session] = field(init=False, repr=False)
    _settings: Settings | None = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    def may(self, permission: Permission) -> bool:
        return allows(self.role, permission)

    def require(self, permission: Permission) -> None:
        """Every change service starts here: the interface greys buttons out, the service refuses."""
        if not allows(self.role, permission):
            who = f"{self.actor} ({self.role.label.lower()})" if self.role else f"{self.actor} (not signed in)"
            raise PermissionDenied(f"{who} may not {permission.value}. Ask a manager or an administrator.")

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def unit_of_work(self) -> Iterator[Session]:
        """One session and transaction: committed if the block succeeds, rolled back if not."""
        session = self._sessions()
        try:
            yield session
            session.commit()
        except (OperationalError, DBAPIError) as exc:
            session.rollback()
            if _is_unreachable(exc):
                raise DatabaseUnavailable(
                    "The database cannot be reached just now, so nothing was saved. What you typed "
                    f"is kept; try again in a moment. ({type(exc.orig).__name__})") from exc
            raise
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    # Settings are read once per context and refreshed after a change.
    def settings(self) -> Settings:
        if self._settings is None:
            with self.unit_of_work() as session:
                self._settings = load_settings(session)
        return self._settings

    def forget_settings(self) -> None:
        self._settings = None

    def calendar(self) -> WorkingCalendar:
        return WorkingCalendar(self.settings().closure_days)


def load_settings(session: Session) -> Settings:
    row = session.get(SettingRow, SETTINGS_KEY)
    return Settings.from_json(json.loads(row.value)) if row else Settings()


def setting_exists(session: Session, key: str) -> bool:
    return session.scalar(select(SettingRow.key).where(SettingRow.key == key)) is not None


_UNREACHABLE = ("could not connect", "connection", "server closed", "terminating", "database is locked",
                "timeout", "network")


def _is_unreachable(exc: DBAPIError) -> bool:
    """A lost or busy server, as opposed to a mistake in the statement."""
    text = str(exc.orig).lower()
    return exc.connection_invalidated or any(word in text for word in _UNREACHABLE)
