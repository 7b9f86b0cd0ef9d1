"""What other users saved on a shared server since this window last looked, read from the audit log.

Every change any user makes writes an audit entry in the same transaction, numbered in order.
The window remembers the last number it has seen; on F5 and when it regains focus it asks for
the entries after it and refreshes only the cases and parts they name. One indexed statement, however many
cases there are.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from app.db.models import AuditEntry
from app.domain.roles import Permission
from app.services.common.context import ServiceContext, retry_read
from app.services.common.ops import NOTHING, CASE_PARTS, Changes, Part

# Entries that record a reading, not a change: nobody's screen is stale because of them.
READINGS = frozenset({"view", "export", "search", "print", "login", "verify", "disclosure", "sign_in"})
# Beyond this many entries it is cheaper to refresh everything than to name each case.
MANY = 500

_PARTS_OF_ENTITY: dict[str, tuple[Part, ...]] = {
    "agency": (Part.AGENCIES,),
    "settings": (Part.SETTINGS,),
    "user": (Part.USERS,),
    "meeting": (Part.MEETINGS,),
    "report": (Part.REPORTS,),
    "draft": (Part.DRAFTS,),
}


@dataclass(frozen=True)
class OthersChanges:
    """The newest audit entry seen, and what the entries after the previous one changed."""
    last_seen: int
    changes: Changes = NOTHING


@retry_read
def changes_since(ctx: ServiceContext, last_seen: int | None) -> OthersChanges:
    """The changes saved after entry `last_seen` (None: only where the log stands now).

    A window's own operations are included too: it has already refreshed for them, and a second,
    small refresh of the same rows is cheaper than telling its entries from others'.
    """
    ctx.require(Permission.VIEW)  # what changed, and on which cases, is itself something to be allowed to see
    with ctx.reading() as session:
        if last_seen is None:
            return OthersChanges(session.scalar(select(func.max(AuditEntry.id))) or 0)
        rows = session.execute(
            select(AuditEntry.id, AuditEntry.action, AuditEntry.entity, AuditEntry.case_id)
            .where(AuditEntry.id > last_seen, AuditEntry.action.not_in(READINGS))
            .order_by(AuditEntry.id).limit(MANY + 1)).all()
        if not rows:
            newest = session.scalar(select(func.max(AuditEntry.id))) or last_seen
            return OthersChanges(max(newest, last_seen))
    if len(rows) > MANY:
        newest = rows[-1].id
        return OthersChanges(newest, Changes(parts=CASE_PARTS | {Part.MEETINGS, Part.AGENCIES}, all_cases=True))
    cases: set[int] = set()
    parts: set[Part] = set()
    all_cases = False
    for row in rows:
        if row.case_id is not None:
            cases.add(row.case_id)
            parts |= CASE_PARTS
        found = _PARTS_OF_ENTITY.get(row.entity)
        if found:
            parts.update(found)
            # Settings and the directory change how every case is shown (clocks, counts).
            all_cases = all_cases or row.entity in ("settings", "agency")
        elif row.case_id is None:
            all_cases = True  # an entry naming no case and no known part: refresh what is shown
            parts |= CASE_PARTS
    return OthersChanges(rows[-1].id, Changes(cases=frozenset(cases), parts=frozenset(parts),
                                              all_cases=all_cases))
