"""Engine set-up: SQLite pragmas for the local file, connection health for the shared server, and\nreads sent together in one round trip."""
from __future__ import annotations

import select
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import Session


def make_engine(url: URL, **kwargs: Any) -> Engine:
    if url.get_backend_name() == "sqlite":
        engine = create_engine(url, connect_args={"timeout": 15}, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    # No pool_pre_ping: on a server 20 ms away it costs a round trip before every unit of work.
    # A connection the server has closed is seen without a round trip (its socket has something
    # to read while idle); one that fails in use is invalidated then, and reads are retried once.
    # Last in, first out: an action takes the connection used most recently, whose per-connection
    # answers (the server login, the audit function, the isolation level) are already known, rather
    # than going round every pooled connection paying a round trip for each of them.
    engine = create_engine(url, pool_size=5, max_overflow=5, pool_use_lifo=True, **kwargs)
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


def read_together(session: Session, statements: Sequence[Any]) -> list[list[Any]]:
    """Several reads that do not depend on one another, in one round trip where the driver allows.

    On PostgreSQL through psycopg they are sent together in pipeline mode and their rows read after
    one wait, instead of one wait each: on a server 20 ms away, ten reads cost 40 ms instead of 400.
    Elsewhere (SQLite, a file on this machine) they simply run one after another. Each statement
    must select plain columns (not ORM entities); the rows are returned in statement order, each row
    a named tuple with the columns' labels, as SQLAlchemy's rows are. Changes pending in the session
    are not flushed first: the caller reads what is stored, as a read with no_autoflush does.
    """
    connection = session.connection()
    dialect = connection.dialect
    if dialect.name != "postgresql" or dialect.driver != "psycopg" or len(statements) < 2:
        return [list(connection.execute(statement).all()) for statement in statements]
    from psycopg.rows import namedtuple_row
    driver = connection.connection.driver_connection
    assert driver is not None  # a connection checked out of the pool has its driver's connection
    ready = [_compiled(dialect, statement) for statement in statements]
    for sql, _params in ready:  # the same hooks a statement run through SQLAlchemy would call
        _count_pipelined(connection, sql)
    cursors = []
    with driver.pipeline():
        for sql, params in ready:
            cursor = driver.cursor(row_factory=namedtuple_row)
            cursor.execute(sql, params)
            cursors.append(cursor)
    try:
        return [list(cursor.fetchall()) for cursor in cursors]
    finally:
        for cursor in cursors:
            cursor.close()


# Compiled statements by their cache key, as SQLAlchemy keeps its own: compiling a statement costs more
# than sending it, and the same reads recur with other values (a page's reads, for another case).
_COMPILED: dict[Any, Any] = {}
_COMPILED_MOST = 500


def _compiled(dialect: Any, statement: Any) -> tuple[str, Any]:
    key = statement._generate_cache_key()
    if key is None:  # not cacheable: compiled each time
        compiled = statement.compile(dialect=dialect, compile_kwargs={"render_postcompile": True})
        return str(compiled), compiled.params
    compiled = _COMPILED.get((dialect.name, key.key))
    if compiled is None:
        if len(_COMPILED) >= _COMPILED_MOST:
            _COMPILED.clear()
        compiled = _COMPILED[(dialect.name, key.key)] = statement.compile(dialect=dialect, cache_key=key)
    # This statement's own values in the cached form, then its IN lists written out.
    expanded = compiled.construct_expanded_state(compiled.construct_params(extracted_parameters=key.bindparams))
    return expanded.statement, expanded.parameters


def _count_pipelined(connection: Any, statement: str) -> None:
    """Tell listeners counting statements (tests, benchmarks) that this one ran, though not through a
    SQLAlchemy cursor, so that the count of statements per action stays honest on PostgreSQL too."""
    for listener in list(connection.engine.dispatch.before_cursor_execute):
        listener(connection, None, statement, {}, None, False)
