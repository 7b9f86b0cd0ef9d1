"""Reading the audit log for managers: search, one change's values, and a CSV export without personal values."""
from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path
from typing import Any, Unpack
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.orm import Session

from app.csv_writer import open_csv
from app.db.models import AuditEntry, AuditValue, Case
from app.domain.application import Problem
from app.domain.roles import Permission
from app.services.common.names import UserNames
from app.services.common import audit
from app.services.common.context import ServiceContext
from app.services.common.errors import NotFound, ServiceError, ValidationFailed
from app.services.common.ops import NOTHING, Changes, Counted, Part

LONDON = ZoneInfo("Europe/London")
ENTITY = "audit log"
MAX_LIMIT = 5000
EXPORT_BATCH = 1000
# The actions most often looked for; the filter also takes any other action typed in full.
COMMON_ACTIONS = ("view", "create", "change", "export", "print", "letter", "letter sent", "view letter",
                  "anonymise", "delete", "import", "sign in", "sign in refused")
EXPORT_COLUMNS = ("id", "when (UTC)", "when (UK time)", "who", "machine", "database user", "action", "record",
                  "record id", "case id", "case reference", "fields", "reason")


@dataclass(frozen=True)
class AuditRow:
    """One entry as the viewer shows it: ids, field names and actions, never the values."""

    id: int
    at: datetime  # UTC, naive, as stored
    actor: str
    machine: str | None
    db_user: str | None
    action: str
    entity: str
    entity_id: int | None
    case_id: int | None
    case_reference: str | None  # None when the entry has no case, or the case was deleted
    fields: str | None
    reason: str | None
    who: str = ""  # "Jo Smith (j.smith)": the name the person gave, with the login the log keeps

    @property
    def local_at(self) -> datetime:
        """The time in the UK (GMT or BST), for display."""
        return uk_time(self.at)


@dataclass(frozen=True)
class AuditPage:
    rows: tuple[AuditRow, ...]
    total: int  # entries matching the filters (up to up_to_id)
    offset: int
    limit: int
    up_to_id: int  # pass back when paging, so entries added meanwhile do not shift the pages

    @property
    def has_previous(self) -> bool:
        return self.offset > 0

    @property
    def has_next(self) -> bool:
        return self.offset + len(self.rows) < self.total


@dataclass(frozen=True)
class AuditValueRow:
    field: str
    before: str | None
    after: str | None


@dataclass(frozen=True)
class _Filters:
    actor: str | None
    action: str | None
    case_reference: str | None
    date_from: date | None
    date_to: date | None

    def describe(self) -> list[str]:
        """The filters in words for the audit entry (logins, actions and references: no personal values)."""
        parts = [f"{name}={value}" for name, value in (("who", self.actor), ("action", self.action),
                                                        ("case", self.case_reference)) if value]
        if self.date_from:
            parts.append(f"from {self.date_from:%d/%m/%Y}")
        if self.date_to:
            parts.append(f"to {self.date_to:%d/%m/%Y}")
        return parts


def entries(count: int) -> str:
    """'1 entry', '2,345 entries'."""
    return f"{count:,} entr{'y' if count == 1 else 'ies'}"


def uk_time(at: datetime) -> datetime:
    """A stored UTC time as UK local time (naive)."""
    return at.replace(tzinfo=timezone.utc).astimezone(LONDON).replace(tzinfo=None)


def _utc_midnight(day: date) -> datetime:
    """The UTC instant at which `day` starts in the UK."""
    return datetime.combine(day, time.min, LONDON).astimezone(timezone.utc).replace(tzinfo=None)


def _clean(text: str | None) -> str | None:
    text = " ".join((text or "").split())
    return text or None


def _filters(actor: str | None, action: str | None, case_reference: str | None, date_from: date | None,
             date_to: date | None) -> _Filters:
    if date_from and date_to and date_to < date_from:
        raise ValidationFailed([Problem("date_to", "the end date is before the start date")])
    reference = _clean(case_reference)
    return _Filters(_clean(actor), (_clean(action) or "").lower() or None, reference.upper() if reference else None,
                    date_from, date_to)


def _like(text: str) -> str:
    escaped = text.casefold().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _conditions(session: Session, f: _Filters) -> tuple[list[ColumnElement[bool]], int | None, bool]:
    """SQL conditions for the filters; also the case's id, and False if the reference matches no case."""
    conds: list[ColumnElement[bool]] = []
    if f.actor:
        conds.append(func.lower(AuditEntry.actor).like(_like(f.actor), escape="\\"))
    if f.action:
        conds.append(func.lower(AuditEntry.action) == f.action)
    if f.date_from:
        conds.append(AuditEntry.at >= _utc_midnight(f.date_from))
    if f.date_to:
        conds.append(AuditEntry.at < _utc_midnight(f.date_to + timedelta(days=1)))
    case_id = None
    if f.case_reference:
        case_id = session.scalar(select(Case.id).where(Case.reference == f.case_reference))
        if case_id is None:
            return conds, None, False
        conds.append(AuditEntry.case_id == case_id)
    return conds, case_id, True


def _rows_query(conds: list[ColumnElement[bool]]) -> Select[Unpack[tuple[Any, ...]]]:
    """The columns of AuditRow, each labelled with its field's name."""
    e = AuditEntry
    return (select(e.id, e.at, e.actor, e.machine, e.db_user, e.action, e.entity, e.entity_id, e.case_id,
                   Case.reference.label("case_reference"), e.fields, e.reason)
            .outerjoin(Case, Case.id == e.case_id).where(*conds).order_by(e.at.desc(), e.id.desc()))


def search_audit(ctx: ServiceContext, *, actor: str | None = None, action: str | None = None,
                 case_reference: str | None = None, date_from: date | None = None, date_to: date | None = None,
                 limit: int = 500, offset: int = 0, up_to_id: int | None = None) -> AuditPage:
    """One page of entries, newest first, filtered and paged in SQL; the viewing is itself logged.

    `actor` matches any part of the login (any case); `action` and `case_reference` match in full;
    `date_from` and `date_to` are UK dates and both count.
    """
    ctx.require(Permission.VIEW_AUDIT)
    f = _filters(actor, action, case_reference, date_from, date_to)
    limit, offset = max(1, min(int(limit), MAX_LIMIT)), max(0, int(offset))
    with ctx.unit_of_work() as session:
        if up_to_id is None:
            up_to_id = session.scalar(select(func.max(AuditEntry.id))) or 0
        conds, case_id, case_known = _conditions(session, f)
        conds.append(AuditEntry.id <= up_to_id)
        rows: tuple[AuditRow, ...] = ()
        total = 0
        if case_known:
            total = session.scalar(select(func.count()).select_from(AuditEntry).where(*conds)) or 0
            name = UserNames(session)
            rows = tuple(AuditRow(**r._asdict(), who=name.both(r.actor))
                         for r in session.execute(_rows_query(conds).limit(limit).offset(offset)))
        shown = f"entries {offset + 1}-{offset + len(rows)} of {total}" if rows else f"none of {entries(total)}"
        audit.record(session, ctx, "view", ENTITY, None, case_id=case_id, reason="; ".join([shown, *f.describe()]))
        return AuditPage(rows, total, offset, limit, up_to_id)


def audit_values(ctx: ServiceContext, audit_id: int) -> list[AuditValueRow]:
    """The before and after values of one change (empty once retention has purged them); logged as a view."""
    ctx.require(Permission.VIEW_AUDIT)
    with ctx.unit_of_work() as session:
        entry = session.get(AuditEntry, audit_id)
        if entry is None:
            raise NotFound("That audit entry is not on record.")
        values = [AuditValueRow(v.field, v.before, v.after) for v in session.scalars(
            select(AuditValue).where(AuditValue.audit_id == audit_id).order_by(AuditValue.field, AuditValue.id))]
        kept = ", ".join(v.field for v in values) or "none kept"
        audit.record(session, ctx, "view", ENTITY, audit_id, case_id=entry.case_id,
                     reason=f"before and after values of entry {audit_id} ({kept})")
        return values


def export_audit(ctx: ServiceContext, path: Path | str, *, reason: str, actor: str | None = None,
                 action: str | None = None, case_reference: str | None = None, date_from: date | None = None,
                 date_to: date | None = None) -> Counted:
    """Write the filtered entries to CSV (ids, field names and actions; no before/after values);
    the result counts the entries written.

    The export is a disclosure: a reason is required and the export is logged with it. The file is
    written beside `path` first and moved into place only once the export has been logged.
    """
    ctx.require(Permission.VIEW_AUDIT)
    ctx.require(Permission.EXPORT)
    reason = " ".join((reason or "").split())
    if not reason:
        raise ValidationFailed([Problem("reason", "give the reason for exporting the audit log (for example: "
                                                  "information governance review, or a complaint's reference)")])
    f = _filters(actor, action, case_reference, date_from, date_to)
    target = Path(path)
    partial = target.with_name(target.name + ".part")
    def unsaved(exc: OSError) -> ServiceError:
        return ServiceError(f"The audit log could not be saved as {target}: {exc.strerror or exc}")

    try:
        with ctx.unit_of_work() as session:
            conds, case_id, case_known = _conditions(session, f)
            try:
                count = _write_csv(session, _rows_query(conds) if case_known else None, partial)
            except OSError as exc:
                raise unsaved(exc) from exc
            audit.record(session, ctx, "export", ENTITY, None, case_id=case_id,
                         reason="; ".join([reason, entries(count), *f.describe()]))
        os.replace(partial, target)
    except OSError as exc:
        raise unsaved(exc) from exc
    finally:
        partial.unlink(missing_ok=True)
    # The export is itself an entry: on the timeline of the case it was filtered to, if any.
    # The export is itself an entry (the reports' disclosure figures count it), on the case's timeline if filtered to one.
    return Counted(count, Changes.of(Part.REPORTS) | (Changes.of_case(case_id, Part.TIMELINE) if case_id is not None
                                                      else NOTHING))


def _write_csv(session: Session, query: Select[Any] | None, path: Path) -> int:
    """Stream the rows to `path` in batches; returns how many were written."""
    count = 0
    with open_csv(path) as writer:
        writer.writerow(EXPORT_COLUMNS)
        if query is None:
            return 0
        result = session.execute(query.execution_options(yield_per=EXPORT_BATCH))
        for batch in result.partitions():
            writer.writerows(_csv_row(AuditRow(*r)) for r in batch)
            count += len(batch)
    return count


def _csv_row(r: AuditRow) -> list[str]:
    cells = [str(r.id), r.at.isoformat(timespec="seconds"), r.local_at.isoformat(sep=" ", timespec="seconds"),
             r.actor, r.machine or "", r.db_user or "", r.action, r.entity,
             "" if r.entity_id is None else str(r.entity_id), "" if r.case_id is None else str(r.case_id),
             r.case_reference or "", r.fields or "", r.reason or ""]
    return cells
