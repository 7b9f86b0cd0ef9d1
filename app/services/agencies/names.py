"""How agency names are compared and tidied, which names are taken, and the lock on directory edits."""
from __future__ import annotations

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from app.db.models import Agency, AgencyAlias
from app.services.common.context import ServiceContext

_DIRECTORY_LOCK = 0x43540001  # PostgreSQL advisory lock key: one directory edit at a time


def match_key(text_: str) -> str:
    """A name as compared with the directory: case and spacing ignored."""
    return " ".join(text_.casefold().split())


def tidy(text_: str | None) -> str:
    """A name as stored and shown: runs of spaces made one, ends trimmed."""
    return " ".join((text_ or "").split())


def keys_of(agency: Agency) -> set[str]:
    """The match keys an agency answers to: none while it is inactive (it is not offered)."""
    return {match_key(agency.name)} | {match_key(a.alias) for a in agency.aliases} if agency.active else set()


def lock_directory(session: Session, ctx: ServiceContext) -> None:
    # Names and aliases are unique ignoring case and spacing, which no index enforces: serialise
    # the (rare) directory edits on the shared server. SQLite serialises writers by itself.
    if ctx.dialect == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _DIRECTORY_LOCK})


def taken_names(session: Session, agency_id: int | None) -> dict[str, str]:
    """Every other agency's name and aliases by match key, with words saying whose they are."""
    with session.no_autoflush:
        agencies = session.execute(select(Agency.id, Agency.name, Agency.active)).all()
        aliases = session.execute(select(AgencyAlias.agency_id, AgencyAlias.alias)).all()
    whose = {i: name + ("" if active else " (inactive)") for i, name, active in agencies}
    taken = {match_key(name): f"the name of {whose[i]}" for i, name, _active in agencies if i != agency_id}
    for i, alias in aliases:
        if i != agency_id:
            taken.setdefault(match_key(alias), f"another name for {whose[i]}")
    return taken
