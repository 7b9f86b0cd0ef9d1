"""What a service can refuse, in words a user can act on; and any failure turned into such words.

Two places use this module beyond the services themselves: the unit of work (every database error
becomes one of the refusals below, with a plain message) and whatever shows a failure to a person
(the UI's task runner and exception hook, the command line), through `describe`.
"""
from __future__ import annotations

import errno
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

from app.domain.application import Problem
from app.domain.workflow import TransitionRefused

__all__ = ["ServiceError", "ValidationFailed", "Conflict", "NotFound", "TransitionRefused",
           "DatabaseUnavailable", "OutcomeUnknown", "PermissionDenied", "InvalidValue", "DuplicateRecord",
           "SimultaneousEdit", "StorageFull", "ReadOnlyStorage", "DatabaseRefused", "database_error",
           "describe"]


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


class OutcomeUnknown(DatabaseUnavailable):
    """The connection went while the server was committing: the change may or may not be saved.

    Saying "nothing was saved" here would be false about one time in a few hundred; a caller that
    can, checks (an application by its submission id) before telling the user either way.
    """


class InvalidValue(ServiceError):
    """The database refused a value (too long, out of range, a character it cannot store)."""


class DuplicateRecord(ServiceError):
    """A unique value already taken, or a record pointing at one that has gone."""


class SimultaneousEdit(ServiceError):
    """Two saves of one record at the same moment (a stale row, a deadlock, a serialisation failure)."""


class StorageFull(ServiceError):
    pass


class ReadOnlyStorage(ServiceError):
    pass


class DatabaseRefused(ServiceError):
    """Any other refusal by the database; the message names its kind, never the values involved."""


_UNREACHABLE = ("could not connect", "connection", "server closed", "terminating", "database is locked",
                "timeout", "network", "ssl syscall", "eof detected")


def _sqlstate(exc: BaseException) -> str:
    orig = getattr(exc, "orig", None)
    return str(getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None) or "")


def _orig_text(exc: BaseException) -> str:
    return str(getattr(exc, "orig", None) or exc).lower()


def is_unreachable(exc: BaseException) -> bool:
    """A lost or busy server, as opposed to a mistake in the statement."""
    if getattr(exc, "connection_invalidated", False):
        return True
    state = _sqlstate(exc)
    if state.startswith("08") or state in ("57P01", "57P02", "57P03"):
        return True
    text = _orig_text(exc)
    return not state and any(word in text for word in _UNREACHABLE)


def database_error(exc: BaseException, *, committing: bool = False, reading: bool = False,
                   server: bool = True) -> ServiceError | None:
    """The refusal a database failure means for the user, or None when it is not a database failure.

    Messages never quote the database's own text beyond its kind: PostgreSQL's details and SQLite's
    parameters can hold the very values the user typed (a name, a phone number).
    """
    from sqlalchemy.exc import DBAPIError, DataError, IntegrityError
    from sqlalchemy.orm.exc import StaleDataError

    if isinstance(exc, ServiceError):
        return exc
    if isinstance(exc, StaleDataError):
        return SimultaneousEdit("Another user saved this record at the same moment, so your change was not saved. "
                                "Reload to see theirs, then apply yours again.")
    if isinstance(exc, OSError):
        return _os_error(exc)
    if not isinstance(exc, DBAPIError):
        return None
    state, text = _sqlstate(exc), _orig_text(exc)
    kind = type(getattr(exc, "orig", None) or exc).__name__
    if "disk is full" in text or "no space left" in text or state in ("53100", "53000"):
        return StorageFull("The disk holding the database is full, so nothing was saved. What you typed is "
                           "kept: free some space (or ask IT to), then save again.")
    if "readonly database" in text or "read-only" in text or state == "25006":
        return ReadOnlyStorage("The database can only be read just now (the file or the server is read-only), "
                               "so nothing was saved. What you typed is kept. Ask IT to check the database's permissions.")
    if state == "42501" or "permission denied" in text:
        return PermissionDenied("The database server refused this for your login: your role on the server "
                                "does not allow it. Ask an administrator to check your server role. "
                                + ("" if reading else "Nothing was saved."))
    if is_unreachable(exc):
        if reading:
            return DatabaseUnavailable(f"The database cannot be reached just now. Try again in a moment ({kind}).",
                                       retry_safe=True)
        if committing and server:
            return OutcomeUnknown(
                "The connection to the database was lost while it was saving, so it is not certain whether "
                f"this was saved. What you typed is kept; check before entering it again ({kind}).")
        return DatabaseUnavailable("The database cannot be reached just now, so nothing was saved. What you typed "
                                   f"is kept; try again in a moment. ({kind})", retry_safe=False)
    if state in ("40001", "40P01"):
        return SimultaneousEdit("Another user was saving the same records at the same moment, so nothing was "
                                "saved. Try again.")
    if isinstance(exc, DataError) or state.startswith("22") or "nul (0x00)" in text:
        return InvalidValue("The database did not accept one of the values (it is too long, out of range, or "
                            f"holds a character that cannot be stored), so nothing was saved ({_data_kind(state)}). "
                            "Shorten or correct it and save again.")
    if isinstance(exc, IntegrityError):
        return DuplicateRecord("This could not be saved: it clashes with a record already saved (something that "
                               "must be unique), or refers to one that has since been removed. Nothing was saved; "
                               "reload and try again.")
    return DatabaseRefused(f"The database refused this ({kind}{', code ' + state if state else ''}). "
                           + ("" if reading else "Nothing was saved. "))


def _data_kind(state: str) -> str:
    return {"22001": "a value is too long for its field", "22003": "a number is out of range",
            "22007": "a date is not valid", "22008": "a date or time is out of range",
            "22021": "a character cannot be stored", "22P05": "a character cannot be stored"
            }.get(state, "a value is not valid")


def _os_error(exc: OSError) -> ServiceError:
    where = f" ({exc.filename})" if exc.filename else ""
    if exc.errno == errno.ENOSPC:
        return StorageFull(f"The disk is full{where}, so it could not be written. Free some space, then try again.")
    if exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        return ReadOnlyStorage(f"That place cannot be written to{where}: it is read-only or you do not have "
                               "permission. Choose another place, or ask IT.")
    if exc.errno == errno.ENOENT:
        return NotFound(f"There is no such file or folder{where}.")
    return ServiceError(f"The file could not be used{where}: {exc.strerror or type(exc).__name__}.")


def describe(exc: BaseException) -> str:
    """Any exception as one or two sentences a user can act on (never a traceback, never typed values)."""
    if isinstance(exc, (ServiceError, TransitionRefused)):
        return str(exc)
    translated = database_error(exc)
    if translated is not None:
        return str(translated)
    from app.diagnostics import log_path
    if isinstance(exc, MemoryError):
        return "There was not enough memory to finish this. Close other programs and try again."
    if isinstance(exc, RecursionError):
        return "The data is nested too deeply to be read."
    if isinstance(exc, UnicodeError):
        return "The text holds characters that cannot be read or stored (an unpaired surrogate, say)."
    if isinstance(exc, KeyboardInterrupt):
        return "Stopped."
    return (f"Something went wrong that the app did not expect ({type(exc).__name__}). Nothing more was changed "
            f"after it. The technical details, without any personal data, are in {log_path()}.")


# The name the interface uses: any failure, in words.
in_words = describe
