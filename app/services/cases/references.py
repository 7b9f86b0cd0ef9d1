"""Case references such as CT-2026-0007: year received and a sequence, unique under concurrency."""
from __future__ import annotations

from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.services.common.sql import rows_changed
from app.db.models import ReferenceCounter


def reserve_numbers(session: Session, year: int, count: int = 1) -> int:
    """Take `count` numbers for the year inside the caller's transaction; returns the first.

    The UPDATE locks the counter row (PostgreSQL) or takes SQLite's write lock, so two officers
    saving at the same moment are served one after the other and get different numbers.
    """
    for _ in range(3):
        bumped = session.execute(update(ReferenceCounter).where(ReferenceCounter.year == year)
                                 .values(last_number=ReferenceCounter.last_number + count))
        if rows_changed(bumped):
            last = session.scalar(select(ReferenceCounter.last_number).where(ReferenceCounter.year == year))
            return int(last or count) - count + 1
        try:
            with session.begin_nested():
                session.execute(insert(ReferenceCounter).values(year=year, last_number=count))
            return 1
        except IntegrityError:
            continue  # another session created the year's row first: bump it instead
    raise RuntimeError("Could not allocate a case reference; try again")


def next_reference(session: Session, year: int, prefix: str = "CT") -> str:
    return format_reference(prefix, year, reserve_numbers(session, year))


def format_reference(prefix: str, year: int, number: int) -> str:
    return f"{prefix}-{year}-{number:04d}"
