"""Small typed bridges to SQLAlchemy for the services: a mapped class's table, the rows a statement changed."""
from __future__ import annotations

from typing import Any, Unpack, cast

from sqlalchemy import CursorResult, Result, Table


def table_of(model: type[Any]) -> Table:
    """The Table behind a mapped class (SQLAlchemy types `__table__` as any FromClause)."""
    return cast(Table, model.__table__)


def rows_changed(result: Result[Unpack[tuple[Any, ...]]]) -> int:
    """How many rows an UPDATE or DELETE touched: `session.execute` returns a cursor result for them."""
    return cast(CursorResult[Unpack[tuple[Any, ...]]], result).rowcount
