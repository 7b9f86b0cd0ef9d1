"""Helpers for writing many rows at once with Core executemany: row templates and id sequences."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Table, text
from sqlalchemy.orm import Session


def row_template(table: Table, actor: str, stamp: datetime) -> dict[str, Any]:
    """Every column with its default, so all rows of a table have the same keys (executemany)."""
    row: dict[str, Any] = {}
    for column in table.c:
        default = column.default
        # A scalar default is its value; the only callable defaults in the schema are the time stamps.
        row[column.key] = (None if default is None
                           else getattr(default, "arg", None) if default.is_scalar else stamp)
    row.update({k: actor for k in ("updated_by", "created_by") if k in row})
    return row


def sync_sequences(session: Session, tables: tuple[Table, ...]) -> None:
    """After inserting explicit ids on PostgreSQL, move each table's id sequence past them."""
    if session.get_bind().dialect.name != "postgresql":
        return
    for table in tables:
        if "id" in table.c:
            session.execute(text(f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                                 f"(SELECT max(id) FROM {table.name}))"))
