"""Matching a name as written to an agency: in a session (imports, saves) and, as plain data, while the
officer types (the type-ahead: names, aliases and initials)."""
from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from app.db.models import Agency
from app.services.agencies.names import match_key

if TYPE_CHECKING:
    from app.services.agencies.directory import AgencyInfo


class AgencyMatcher:
    """Matches a name as written to an active agency by name or alias, ignoring case and spacing."""

    def __init__(self, session: Session) -> None:
        self._by_key: dict[str, Agency] = {}
        # The aliases with the agencies (two statements, not one per agency: an import makes one per application).
        for agency in session.scalars(select(Agency).where(Agency.active.is_(True))
                                      .options(selectinload(Agency.aliases))):
            self._by_key[match_key(agency.name)] = agency
            for alias in agency.aliases:
                self._by_key.setdefault(match_key(alias.alias), agency)

    def match(self, written: str | None) -> Agency | None:
        return self._by_key.get(match_key(written or ""))


class AgencyDirectory:
    """The active directory as plain data, for matching while the officer types (no database call)."""

    def __init__(self, agencies: list[AgencyInfo]) -> None:
        self.agencies = [a for a in agencies if a.active]  # inactive ones are not offered
        self._by_key: dict[str, AgencyInfo] = {}
        for agency in self.agencies:
            self._by_key[match_key(agency.name)] = agency
        for agency in self.agencies:
            for alias in agency.aliases:
                self._by_key.setdefault(match_key(alias), agency)

    def match(self, written: str | None) -> AgencyInfo | None:
        return self._by_key.get(match_key(written or ""))

    def names(self) -> list[str]:
        return [a.name for a in self.agencies]

    def suggest(self, typed: str, limit: int = 12) -> list[str]:
        """Whole names of the agencies `typed` may mean, best first: a name or alias that is typed
        whole, then one that starts with it, then one with a word that starts with it, then the
        name's initials ("TWBC", "KCC"), then a name or alias that contains it. Only a suggestion:
        an incident counts when its name is the agency's name or one of its aliases."""
        key = match_key(typed)
        if not key:
            return []
        compact = key.replace(" ", "").replace(".", "")
        ranked: list[tuple[int, str]] = []
        for agency in self.agencies:
            words = [agency.name, *agency.aliases]
            keys = [match_key(w) for w in words]
            if key in keys:
                rank = 0
            elif any(k.startswith(key) for k in keys):
                rank = 1
            elif any(part.startswith(key) for k in keys for part in k.split()):
                rank = 2
            elif len(compact) >= 2 and any(_initials(w).startswith(compact) for w in words):
                rank = 3
            elif any(key in k for k in keys):
                rank = 4
            else:
                continue
            ranked.append((rank, agency.name))
        return [name for _rank, name in sorted(ranked, key=lambda r: (r[0], r[1].casefold()))][:limit]


_SMALL_WORDS = frozenset({"and", "of", "the", "for", "&"})


def _initials(name: str) -> str:
    """'Tunbridge Wells Borough Council' -> 'twbc'; 'NHS Kent and Medway' -> 'nhskm' (a word in
    capitals is kept whole, as people say it)."""
    parts = []
    for word in name.replace("-", " ").split():
        if word.casefold() in _SMALL_WORDS:
            continue
        parts.append(word.casefold() if word.isupper() and len(word) > 1 else word[0].casefold())
    return "".join(parts)
