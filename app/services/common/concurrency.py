"""Optimistic concurrency across short units of work, and field-by-field change recording."""
from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy.orm import Session

from app.db.models.base import Versioned, utcnow
from app.services.common.errors import Conflict, NotFound

M = TypeVar("M", bound=Versioned)


def load_for_change(session: Session, model: type[M], row_id: int, expected_version: int, what: str) -> M:
    """The row the user edited, refusing if anyone saved it since they opened it.

    `version_id_col` alone compares against the version loaded in *this* session, which with one
    session per action always matches; the user's own version is what must be checked.
    """
    row = session.get(model, row_id, populate_existing=True)
    if row is None:
        raise NotFound(f"{what} no longer exists (it may have been deleted).")
    if row.version != expected_version:
        raise Conflict(what, row.updated_by, row.updated_at)
    return row


def apply_changes(row: Versioned, values: dict[str, Any], actor: str) -> dict[str, tuple[Any, Any]]:
    """Set the fields that really changed; return {field: (before, after)} for the audit."""
    changed: dict[str, tuple[Any, Any]] = {}
    for name, value in values.items():
        before = getattr(row, name)
        if before != value:
            setattr(row, name, value)
            changed[name] = (before, value)
    if changed:
        row.updated_by = actor
        row.updated_at = utcnow()
    return changed
