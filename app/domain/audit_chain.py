"""The audit log's hash chain: each entry's hash covers its own fields and the hash of the entry before.

Changing, inserting or removing an entry anywhere but at the very end breaks every link after it,
so `community-trigger audit verify` names the first broken entry. The same text is hashed by
PostgreSQL's `ct_audit_write` (deploy/postgresql-roles.sql): each value is written as its length,
a colon and the value (NULL as "-"), joined by "|", so no choice of values can imitate another.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

GENESIS = "0" * 64  # the "previous hash" of the first entry


@dataclass(frozen=True)
class ChainFields:
    id: int
    at: datetime
    actor: str | None
    db_user: str | None
    machine: str | None
    action: str | None
    entity: str | None
    entity_id: int | None
    case_id: int | None
    fields: str | None
    reason: str | None


def _part(value: object) -> str:
    if value is None:
        return "-"
    text = value.strftime("%Y-%m-%dT%H:%M:%S.%f") if isinstance(value, datetime) else str(value)
    return f"{len(text)}:{text}"


def chain_text(prev_hash: str, e: ChainFields) -> str:
    return "|".join([prev_hash] + [_part(v) for v in (e.id, e.at, e.actor, e.db_user, e.machine, e.action,
                                                      e.entity, e.entity_id, e.case_id, e.fields, e.reason)])


def entry_hash(prev_hash: str, e: ChainFields) -> str:
    return hashlib.sha256(chain_text(prev_hash, e).encode("utf-8")).hexdigest()
