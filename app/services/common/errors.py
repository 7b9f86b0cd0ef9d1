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
