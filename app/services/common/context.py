"""The service context: the database, the signed-in user, the settings and one unit of work per action."""
from __future__ import annotations

import functools
import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import NoReturn, ParamSpec, TypeVar

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from app.db.models import SettingRow, ThresholdRuleVersion
from app.domain.calendar import WorkingCalendar
from app.domain.settings import Settings
from app.domain.threshold_rules import RuleVersion, rules_from_json
from app.identity import machine_name, os_login
from app.domain.roles import Permission, Role, allows
from app.services.common.errors import DatabaseUnavailable, PermissionDenied, database_error

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
    _read_sessions: sessionmaker[Session] = field(init=False, repr=False)
    _settings: Settings | None = field(default=None, init=False, repr=False)
    _calendar: WorkingCalendar | None = field(default=None, init=False, repr=False)
    _local: threading.local = field(default_factory=threading.local, init=False, repr=False)
    transactions: int = field(default=0, init=False)  # units of work begun: tests count them per action

    def __post_init__(self) -> None:
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        # Reads need no transaction of their own: on a server that saves the BEGIN and COMMIT round
        # trips, and READ COMMITTED gives each statement the same fresh view either way.
        self._read_sessions = sessionmaker(self.engine.execution_options(isolation_level="AUTOCOMMIT"),
                                           expire_on_commit=False)

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

    @property
    def current_session(self) -> Session | None:
        """The session of the unit of work running on this thread, if any."""
        return getattr(self._local, "session", None)

    def is_reading(self, session: Session) -> bool:
        """Whether `session` is this thread's read, whose connection commits each statement by itself."""
        return bool(getattr(self._local, "reading", False)) and self.current_session is session

    @contextmanager
    def unit_of_work(self) -> Iterator[Session]:
        """One session and transaction: committed if the block succeeds, rolled back if not.

        A unit of work opened inside another on the same thread joins it, so a user action that
        is made of several service functions is still one transaction: all of it, or none.
        """
        outer = self.current_session
        if outer is not None:
            if getattr(self._local, "reading", False):
                raise RuntimeError("a change was attempted inside a read: open the unit of work first")
            yield outer
            return
        session = self._sessions()
        self._local.session = session
        self._local.reading = False
        self.transactions += 1
        try:
            try:
                yield session
            except BaseException as exc:
                _rollback(session)
                self._raise_translated(exc)
            try:
                session.commit()
            except BaseException as exc:
                _rollback(session)
                self._raise_translated(exc, committing=True)
        finally:
            self._local.session = None
            session.close()

    def _raise_translated(self, exc: BaseException, *, committing: bool = False, reading: bool = False) -> NoReturn:
        """Raise a database failure as the refusal it means for the user; anything else unchanged.

        This is the one place where DataError, IntegrityError, OperationalError, StaleDataError, a full
        disk or a read-only file become plain words. Only a server can leave a commit's outcome
        unknown: SQLite's commit either happened or raised.
        """
        found = database_error(exc, committing=committing, reading=reading, server=self.dialect != "sqlite")
        if found is None or found is exc:
            raise exc
        raise found from exc

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """A session for reading only (it joins a unit of work already running on this thread)."""
        outer = self.current_session
        if outer is not None:
            yield outer
            return
        session = self._read_sessions()
        self._local.session = session
        self._local.reading = True
        try:
            yield session
        except BaseException as exc:
            self._raise_translated(exc, reading=True)
        finally:
            self._local.session = None
            self._local.reading = False
            session.close()

    # Settings are read once per context (inside the unit of work that first needs them, so that
    # they cost no transaction of their own) and read again after a change or on a refresh.
    # Workers share the context: each of these reads the cache once into a local, so that another
    # thread's reload in between can never hand back None.
    def settings(self) -> Settings:
        settings = self._settings
        if settings is None:
            with self.reading() as session:
                settings = load_settings(session)
            self._settings = settings
        return settings

    def forget_settings(self) -> None:
        self._settings = None
        self._calendar = None

    def reload_settings(self) -> Settings:
        """Read the settings again now: called on the worker after a change (or to see another user's), so
        that the next form or page built on the UI thread finds them loaded instead of reading them there."""
        with self.reading() as session:
            fresh = load_settings(session)
        self._settings, self._calendar = fresh, None
        self.calendar()
        return fresh

    def calendar(self) -> WorkingCalendar:
        settings = self.settings()
        calendar = self._calendar
        if calendar is None or calendar.closure_days != frozenset(settings.closure_days):
            calendar = self._calendar = WorkingCalendar(settings.closure_days)
        return calendar


P = ParamSpec("P")
T = TypeVar("T")


def retry_read(fn: Callable[P, T]) -> Callable[P, T]:
    """A read that met a dropped connection is tried once more on a fresh one.

    There is no pre-ping per unit of work (a round trip each time on a remote server): a stale
    pooled connection is found when it fails, the pool is emptied, and a read can safely run again.
    """
    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> T:
        try:
            return fn(*args, **kwargs)
        except DatabaseUnavailable as exc:
            if not exc.retry_safe:
                raise
            return fn(*args, **kwargs)
    return wrapper


def load_settings(session: Session) -> Settings:
    """The council's settings with every dated version of the threshold rules (two reads)."""
    row = session.get(SettingRow, SETTINGS_KEY)
    settings = Settings.from_json(json.loads(row.value)) if row else Settings()
    versions = tuple(RuleVersion(v.effective_from, rules_from_json(json.loads(v.rules)), v.created_by)
                     for v in session.scalars(select(ThresholdRuleVersion)
                                              .order_by(ThresholdRuleVersion.effective_from)))
    return replace(settings, threshold_history=versions) if versions else settings


def setting_exists(session: Session, key: str) -> bool:
    return session.scalar(select(SettingRow.key).where(SettingRow.key == key)) is not None


def _rollback(session: Session) -> None:
    # After a lost connection the rollback itself can fail; the original failure is what matters.
    try:
        session.rollback()
    except Exception:  # noqa: BLE001
        pass
