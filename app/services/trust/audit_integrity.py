"""Checking the audit log's hash chain: intact, or the first entry that was changed, inserted or removed."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from app.db.models import AuditEntry
from app.domain.audit_chain import GENESIS, entry_hash
from app.domain.roles import Permission
from app.services.common import audit
from app.services.common.context import ServiceContext
from app.services.common.ops import Progress

BATCH = 5000


@dataclass(frozen=True)
class ChainReport:
    checked: int
    first_broken: int | None  # the id of the first entry that does not check out
    problem: str | None  # what is wrong with it, in words

    @property
    def intact(self) -> bool:
        return self.first_broken is None

    def summary(self) -> str:
        if self.intact:
            return f"The audit log is intact: {self.checked:,} entr{'y' if self.checked == 1 else 'ies'} checked."
        return f"The audit log is broken at entry {self.first_broken}: {self.problem}"


def verify_chain(ctx: ServiceContext, progress: Progress | None = None) -> ChainReport:
    """Walk the log in id order, recomputing each hash; the check itself is then logged.

    An entry whose own hash is wrong was changed after it was written; an entry whose "previous
    hash" is not the hash of the entry before it follows a removed entry (or was inserted).
    """
    ctx.require(Permission.VIEW_AUDIT)
    checked, prev, prev_id, broken, problem = 0, GENESIS, None, None, None
    with ctx.unit_of_work() as session:
        total = session.scalar(select(AuditEntry.id).order_by(AuditEntry.id.desc()).limit(1)) or 0
        if progress:
            progress.start(total, "checking the audit log")
        last = 0
        while broken is None:
            rows = session.scalars(select(AuditEntry).where(AuditEntry.id > last, AuditEntry.id <= total)
                                   .order_by(AuditEntry.id).limit(BATCH)).all()
            if not rows:
                break
            for row in rows:
                checked += 1
                if row.hash is None or row.prev_hash is None:
                    broken, problem = row.id, "it has no hash: it was written outside the app"
                elif row.prev_hash != prev:
                    after = f"entry {prev_id}" if prev_id is not None else "the start of the log"
                    broken, problem = row.id, (f"it does not follow {after}: an entry between them was removed, "
                                               "or this one was inserted or changed")
                elif entry_hash(prev, audit.chain_fields(row)) != row.hash:
                    broken, problem = row.id, "its contents were changed after it was written"
                if broken is not None:
                    break
                prev, prev_id = row.hash, row.id
            last = rows[-1].id
            session.expunge_all()
            if progress:
                progress.step(last)
        audit.record(session, ctx, "verify", "audit log", None,
                     reason=f"chain intact, {checked} entries" if broken is None
                     else f"chain broken at entry {broken}")
    return ChainReport(checked, broken, problem)
