"""Writing the audit log: ids, field names and actions; personal values kept apart for retention.

Every entry is chained to the one before it by a hash (app/domain/audit_chain.py), so that an
entry changed, inserted or removed afterwards is found by `community-trigger audit verify`.

On the shared server the entries are written by the SECURITY DEFINER function `ct_audit_write`
(deploy/postgresql-roles.sql): no application role may INSERT into the log itself, the function
records the server's session_user and the time, and it computes the chain under a lock, so the
chain cannot be forged from psql. Where the function is not installed (a database that only its
owner uses, or tests), the same chain is computed here under the same lock. On SQLite the INSERT
takes the database's single write lock first, so no other writer can add an entry in between.
"""
from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import insert, select, text
from sqlalchemy.orm import Session

from app.db.models import AuditEntry, AuditValue
from app.db.models.base import utcnow
from app.domain.audit_chain import GENESIS, ChainFields, entry_hash
from app.services.common.context import ServiceContext

# pg_advisory_xact_lock key held while an entry is chained ("CT_AUDIT" as a number); the function
# in deploy/postgresql-roles.sql takes the same one.
CHAIN_LOCK = 4851041946604833108
WRITER_FUNCTION = "ct_audit_write"
_WRITER_SIGNATURE = f"{WRITER_FUNCTION}(text,text,text,text,integer,integer,text,text,text[],text[],text[])"


@dataclass(frozen=True)
class Recorded:
    """What a caller may need of an entry it wrote (never the ORM row: results cross threads)."""
    id: int
    db_user: str | None


@dataclass(frozen=True)
class NewEntry:
    action: str
    entity: str
    entity_id: int | None = None
    case_id: int | None = None
    fields: str | None = None
    reason: str | None = None
    values: tuple[tuple[str, str | None, str | None], ...] = ()  # (field, before, after)


def record(session: Session, ctx: ServiceContext, action: str, entity: str, entity_id: int | None,
           *, case_id: int | None = None, changes: Mapping[str, tuple[Any, Any]] | None = None,
           reason: str | None = None) -> Recorded:
    values = tuple((name, _text(before), _text(after)) for name, (before, after) in (changes or {}).items())
    entry = NewEntry(action, entity, entity_id, case_id, ",".join(sorted(changes)) if changes else None, reason,
                     values)
    return write(session, ctx, [entry])[0]


def write(session: Session, ctx: ServiceContext, entries: Sequence[NewEntry]) -> list[Recorded]:
    """Append entries in order, each chained to the one before; returns their ids."""
    if not entries:
        return []
    db_user = _db_user(session, ctx)
    if ctx.dialect == "postgresql" and _has_writer_function(session):
        # One statement each, the chain's lock held inside the function: atomic even in a read.
        if len(entries) == 1:
            return [Recorded(_write_on_server(session, ctx, entries[0]), db_user)]
        return [Recorded(i, db_user) for i in _write_many_on_server(session, ctx, entries)]
    if ctx.is_reading(session):
        # A read's connection commits each statement by itself (AUTOCOMMIT), so the lock taken below
        # would be gone before the entries are added, and two reads that audit at the same moment could
        # take the same place in the chain. Here the entries get a transaction of their own, on the same
        # connection (a second connection could wait on the read's own SQLite lock).
        session.execute(text("BEGIN IMMEDIATE" if ctx.dialect == "sqlite" else "BEGIN"))
        try:
            written = _chain_here(session, ctx, entries, db_user)
        except BaseException:
            session.execute(text("ROLLBACK"))
            raise
        session.execute(text("COMMIT"))
        return written
    return _chain_here(session, ctx, entries, db_user)


def _chain_here(session: Session, ctx: ServiceContext, entries: Sequence[NewEntry], db_user: str | None,
                ) -> list[Recorded]:
    """The chain computed by the application, under the chain's lock, inside the caller's transaction."""
    if ctx.dialect == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": CHAIN_LOCK})
    else:
        # SQLite has one writer at a time: a write that changes nothing takes that lock now, so the
        # last entry read below is still the last when these are added.
        session.execute(text("UPDATE audit_log SET id = id WHERE 1 = 0"))
    last = session.execute(select(AuditEntry.id, AuditEntry.hash).order_by(AuditEntry.id.desc()).limit(1)).first()
    prev = (last.hash if last else None) or GENESIS
    ids = _new_ids(session, ctx, last.id if last else 0, len(entries))
    stamp = utcnow()
    rows: list[dict[str, Any]] = []
    values: list[dict[str, Any]] = []
    for new_id, e in zip(ids, entries):
        fields = ChainFields(new_id, stamp, ctx.actor, db_user, ctx.machine, e.action, e.entity, e.entity_id,
                             e.case_id, e.fields, e.reason)
        digest = entry_hash(prev, fields)
        rows.append({**{k: getattr(fields, k) for k in _CHAINED}, "prev_hash": prev, "hash": digest})
        prev = digest
        values += [{"audit_id": new_id, "case_id": e.case_id, "field": name, "before": before, "after": after}
                   for name, before, after in e.values]
    # Core executemany: a whole batch in one statement each, whatever the number of entries.
    session.execute(insert(AuditEntry), rows)
    if values:
        session.execute(insert(AuditValue), values)
    return [Recorded(i, db_user) for i in ids]


_CHAINED = ("id", "at", "actor", "db_user", "machine", "action", "entity", "entity_id", "case_id", "fields", "reason")


def _new_ids(session: Session, ctx: ServiceContext, last_id: int, count: int) -> list[int]:
    if ctx.dialect == "postgresql":
        return sorted(session.scalars(text("SELECT nextval(pg_get_serial_sequence('audit_log', 'id')) "
                                           "FROM generate_series(1, :n)"), {"n": count}))
    return list(range(last_id + 1, last_id + 1 + count))


def chain_fields(row: Any) -> ChainFields:
    return ChainFields(row.id, row.at, row.actor, row.db_user, row.machine, row.action, row.entity, row.entity_id,
                       row.case_id, row.fields, row.reason)


def _write_on_server(session: Session, ctx: ServiceContext, e: NewEntry) -> int:
    return session.execute(text(
        f"SELECT {WRITER_FUNCTION}(CAST(:actor AS text), CAST(:machine AS text), CAST(:action AS text), "
        "CAST(:entity AS text), CAST(:entity_id AS integer), CAST(:case_id AS integer), CAST(:fields AS text), "
        "CAST(:reason AS text), CAST(:names AS text[]), CAST(:befores AS text[]), CAST(:afters AS text[]))"),
        {"actor": ctx.actor, "machine": ctx.machine, "action": e.action, "entity": e.entity,
         "entity_id": e.entity_id, "case_id": e.case_id, "fields": e.fields, "reason": e.reason,
         "names": [v[0] for v in e.values], "befores": [v[1] for v in e.values],
         "afters": [v[2] for v in e.values]}).scalar_one()


def _write_many_on_server(session: Session, ctx: ServiceContext, entries: Sequence[NewEntry]) -> list[int]:
    """Many entries through the server's function in one statement (one round trip, not one each),
    called in the entries' order, so that they are chained in that order."""
    def values(e: NewEntry, k: int) -> list[str | None]:
        return [v[k] for v in e.values]
    payload = json.dumps([{"action": e.action, "entity": e.entity, "entity_id": e.entity_id, "case_id": e.case_id,
                           "fields": e.fields, "reason": e.reason, "names": values(e, 0), "befores": values(e, 1),
                           "afters": values(e, 2)} for e in entries])
    array = ("ARRAY(SELECT x FROM jsonb_array_elements_text(e->'{0}') WITH ORDINALITY AS a(x, k) ORDER BY k)")
    return list(session.scalars(text(
        f"SELECT {WRITER_FUNCTION}(CAST(:actor AS text), CAST(:machine AS text), e->>'action', e->>'entity', "
        "CAST(e->>'entity_id' AS integer), CAST(e->>'case_id' AS integer), e->>'fields', e->>'reason', "
        f"{array.format('names')}, {array.format('befores')}, {array.format('afters')}) "
        "FROM jsonb_array_elements(CAST(:entries AS jsonb)) WITH ORDINALITY AS t(e, n) ORDER BY n"),
        {"actor": ctx.actor, "machine": ctx.machine, "entries": payload}))


def atomic_statement(session: Session, ctx: ServiceContext) -> bool:
    """Whether an entry is written by one statement (the server's function), and so atomically even
    on a connection outside a transaction, as a read's is: a read that audits needs no BEGIN and COMMIT."""
    return ctx.dialect == "postgresql" and _has_writer_function(session)


def _has_writer_function(session: Session) -> bool:
    info = session.connection().info
    if "audit_writer" not in info:
        info["audit_writer"] = bool(session.execute(
            text(f"SELECT to_regprocedure('{_WRITER_SIGNATURE}') IS NOT NULL")).scalar())
    return info["audit_writer"]


def _db_user(session: Session, ctx: ServiceContext) -> str | None:
    # On the shared server each officer may have their own login role: record the server's view.
    # It cannot change for a connection, so it is asked once per connection, not once per entry.
    if ctx.dialect != "postgresql":
        return None
    info = session.connection().info
    if "session_user" not in info:
        info["session_user"] = session.execute(text("SELECT session_user")).scalar_one()
    return info["session_user"]


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)
