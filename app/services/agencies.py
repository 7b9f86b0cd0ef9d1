"""The agency directory: the default list, matching "reported to" names, and edits."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.db.models import Agency, AgencyAlias
from app.services.context import ServiceContext

# application-format.md: the default directory created with every new database.
DEFAULT_AGENCIES: tuple[tuple[str, str, bool, tuple[str, ...]], ...] = (
    ("Kent Police", "police", True, ("Police", "Kent Constabulary")),
    ("Tunbridge Wells Borough Council", "council", True, ("TWBC", "Borough Council", "The council")),
    ("Town and Country Housing", "registered provider of social housing", True, ("TCH",)),
    ("Clarion Housing", "registered provider of social housing", True, ("Clarion",)),
    ("NHS Kent and Medway", "health (integrated care board)", True, ("NHS", "Kent and Medway ICB")),
    ("Kent County Council", "other partner (county council)", False, ("KCC",)),
    ("Kent Fire and Rescue Service", "other partner", False, ("KFRS",)),
)


@dataclass(frozen=True)
class AgencyInfo:
    id: int
    name: str
    kind: str
    relevant_body: bool
    aliases: tuple[str, ...]
    version: int


def seed_default_agencies(session: Session) -> None:
    for name, kind, relevant, aliases in DEFAULT_AGENCIES:
        agency = Agency(name=name, kind=kind, relevant_body=relevant, updated_by="set-up")
        agency.aliases = [AgencyAlias(alias=a) for a in aliases]
        session.add(agency)
    session.flush()


class AgencyMatcher:
    """Matches a name as written to an agency by name or alias, ignoring case and spacing."""

    def __init__(self, session: Session) -> None:
        self._by_key: dict[str, Agency] = {}
        for agency in session.scalars(select(Agency).where(Agency.active.is_(True))):
            self._by_key[_key(agency.name)] = agency
            for alias in agency.aliases:
                self._by_key.setdefault(_key(alias.alias), agency)

    def match(self, written: str | None) -> Agency | None:
        return self._by_key.get(_key(written or ""))


def _key(text: str) -> str:
    return " ".join(text.casefold().split())


class AgencyDirectory:
    """The directory as plain data, for matching while the officer types (no database call)."""

    def __init__(self, agencies: list[AgencyInfo]) -> None:
        self.agencies = agencies
        self._by_key: dict[str, AgencyInfo] = {}
        for agency in agencies:
            self._by_key[_key(agency.name)] = agency
        for agency in agencies:
            for alias in agency.aliases:
                self._by_key.setdefault(_key(alias), agency)

    def match(self, written: str | None) -> AgencyInfo | None:
        return self._by_key.get(_key(written or ""))

    def names(self) -> list[str]:
        return [a.name for a in self.agencies]


def list_agencies(ctx: ServiceContext) -> list[AgencyInfo]:
    with ctx.unit_of_work() as session:
        rows = session.scalars(select(Agency).order_by(func.lower(Agency.name))).all()
        return [AgencyInfo(a.id, a.name, a.kind, a.relevant_body, tuple(x.alias for x in a.aliases),
                           a.version) for a in rows]
