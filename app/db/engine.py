"""Engine set-up: SQLite pragmas for the local file, connection health for the shared server."""
from __future__ import annotations

import select
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL
from sqlalchemy.exc import DisconnectionError


def make_engine(url: URL, **kwargs: Any) -> Engine:
    if url.get_backend_name() == "sqlite":
        engine = create_engine(url, connect_args={"timeout": 15}, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    # No pool_pre_ping: on a server 20 ms away it costs a round trip before every unit of work.
    # A connection the server has closed is seen without a round trip (its socket has something
    # to read while idle); one that fails in use is invalidated then, and reads are retried once.
    engine = create_engine(url, pool_size=5, max_overflow=5, **kwargs)
    event.listen(engine, "checkout", _closed_by_server)
    return engine


def _closed_by_server(dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
    """An idle connection has nothing to read unless the server has ended it (or sent a notice)."""
    fileno = getattr(dbapi_connection, "fileno", None)
    if fileno is None:
        return
    try:
        readable, _, _ = select.select([fileno()], [], [], 0)
    except (OSError, ValueError) as exc:  # a closed descriptor
        raise DisconnectionError("connection closed") from exc
    if readable:
        raise DisconnectionError("the server closed this connection")  # the pool takes a fresh one


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    if cursor.execute("PRAGMA journal_mode").fetchone()[0] != "memory":
        cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    # Deleted rows are zeroed, not left in free pages: upstream SQLite's default is off (Debian's is on).
    cursor.execute("PRAGMA secure_delete=ON")
    cursor.execute("PRAGMA busy_timeout=15000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()
