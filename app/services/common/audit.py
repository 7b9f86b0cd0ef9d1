"""Writing the audit log: ids, field names and actions; personal values kept apart for retention."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from app.db.models import AuditEntry, AuditValue
from app.services.common.context import ServiceContext


def record(session: Session, ctx: ServiceContext, action: str, entity: str, entity_id: int | None,
           *, case_id: int | None = None, changes: Mapping[str, tuple[Any, Any]] | None = None,
           reason: str | None = None) -> AuditEntry:
    entry = AuditEntry(actor=ctx.actor, db_user=_db_user(session, ctx), machine=ctx.machine,
                       action=action, entity=entity, entity_id=entity_id, case_id=case_id,
                       fields=",".join(sorted(changes)) if changes else None, reason=reason)
    session.add(entry)
    session.flush()
    for name, (before, after) in (changes or {}).items():
        session.add(AuditValue(audit_id=entry.id, case_id=case_id, field=name,
                               before=_text(before), after=_text(after)))
    return entry


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
