"""What a service can refuse, in words a user can act on."""
from __future__ import annotations

from datetime import datetime, timezone
from zoneinfo import ZoneInfo

from app.domain.application import Problem
from app.domain.workflow import TransitionRefused

__all__ = ["ServiceError", "ValidationFailed", "Conflict", "NotFound", "TransitionRefused",
           "DatabaseUnavailable", "PermissionDenied"]


class ServiceError(Exception):
    """Base for refusals; the message is meant for the user."""


class ValidationFailed(ServiceError):
    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("; ".join(str(p) for p in problems))


class Conflict(ServiceError):
    """Somebody else saved the record since this user opened it."""

    def __init__(self, what: str, changed_by: str, changed_at: datetime) -> None:
        self.changed_by = changed_by
        self.changed_at = changed_at
        local = changed_at.replace(tzinfo=timezone.utc).astimezone(ZoneInfo("Europe/London"))
        super().__init__(f"{what} was changed by {changed_by or 'another user'} at "
                         f"{local:%H:%M on %d/%m/%Y} after you opened it. Your changes have not "
                         "been saved; reload to see theirs, then apply yours again.")


class NotFound(ServiceError):
    pass


class PermissionDenied(ServiceError):
    pass


class DatabaseUnavailable(ServiceError):
    """The server could not be reached. `retry_safe`: nothing can have been written (a read)."""

    def __init__(self, message: str, *, retry_safe: bool = False) -> None:
        self.retry_safe = retry_safe
        super().__init__(message)


def in_words(error: BaseException) -> str:
    """Any failure as a sentence a user can act on (never a traceback, never silence).

    A refusal from a service already speaks the user's language; everything else is described by
    what it means for them, without the technical detail (which goes to the log, not the screen).
    """
    import errno

    if isinstance(error, ServiceError):
        return str(error)
    if isinstance(error, OSError):
        if error.errno == errno.ENOSPC:
            return "The disk is full, so nothing was saved. Free some space and try again."
        if error.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
            name = f" {error.filename}" if error.filename else ""
            return f"The file{name} cannot be written here (no permission, or a read-only disk). Choose another place."
        if error.errno == errno.ENOENT:
            name = f" {error.filename}" if error.filename else ""
            return f"The file or folder{name} does not exist."
        return f"A file could not be read or written: {error.strerror or type(error).__name__}."
    try:
        from sqlalchemy import exc as sa
        from sqlalchemy.orm.exc import StaleDataError
    except ImportError:  # pragma: no cover - SQLAlchemy is always installed with the app
        sa = None  # type: ignore[assignment]
    if sa is not None:
        text = str(getattr(error, "orig", error)).lower()
        if isinstance(error, StaleDataError):
            return ("Someone else saved this record at the same moment, so your change was not saved. "
                    "Reload to see theirs, then apply yours again.")
        if isinstance(error, sa.IntegrityError):
            return ("The database refused the change because it clashes with a record that already exists "
                    "(for example the same reference twice). Nothing was saved; reload and try again.")
        if isinstance(error, sa.DataError):
            return ("A value is too long, or not of the right kind, for the database. Nothing was saved; "
                    "shorten or correct what you typed and try again.")
        if isinstance(error, sa.OperationalError):
            if "disk" in text and "full" in text or "no space" in text:
                return "The disk is full, so nothing was saved. Free some space and try again."
            if "readonly" in text or "read-only" in text or "read only" in text:
                return "The database file is read-only here, so nothing can be saved. Ask IT to check its permissions."
            if "locked" in text or "busy" in text:
                return "The database is busy with another change. Nothing was saved; try again in a moment."
            return ("The database cannot be reached just now. Nothing was saved and what you typed is kept; "
                    "try again in a moment.")
        if isinstance(error, sa.SQLAlchemyError):
            return "The database could not do that. Nothing was saved; try again, and tell IT if it keeps happening."
    return (f"Something went wrong ({type(error).__name__}). Nothing was saved and what you typed is kept; "
            "tell IT if it keeps happening.")
