"""People and organisations: applicants, victims and alleged perpetrators; problem locations."""
from __future__ import annotations

from datetime import date

from sqlalchemy import Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.db.models.base import Base, Versioned


class Person(Versioned, Base):
    """An applicant or victim: a person, a business or a community group."""

    __tablename__ = "people"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str | None] = mapped_column(String(40))
    first_name: Mapped[str | None] = mapped_column(String(120))
    last_name: Mapped[str | None] = mapped_column(String(120), index=True)
    organisation: Mapped[str | None] = mapped_column(String(200))
    address: Mapped[str] = mapped_column(Text, default="")  # lines joined by newlines
    postcode: Mapped[str | None] = mapped_column(String(12), index=True)
    phone: Mapped[str | None] = mapped_column(String(40), index=True)
    email: Mapped[str | None] = mapped_column(String(200))
    preferred_contact: Mapped[str | None] = mapped_column(String(10))
    date_of_birth: Mapped[date | None] = mapped_column(Date)
    accessibility_needs: Mapped[str | None] = mapped_column(Text)
    # Lower-cased name and postcode without spaces, for the repeat-applicant search.
    search_key: Mapped[str] = mapped_column(String(300), default="", index=True)

    @property
    def address_lines(self) -> list[str]:
        return [line for line in self.address.split("\n") if line]

    @property
    def display_name(self) -> str:
        name = " ".join(p for p in (self.title, self.first_name, self.last_name) if p)
        if self.organisation:
            return f"{name} ({self.organisation})" if name else self.organisation
        return name


class Perpetrator(Versioned, Base):
    """An alleged perpetrator, by name or description; may be linked to several cases."""

    __tablename__ = "alleged_perpetrators"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str | None] = mapped_column(String(200), index=True)
    description: Mapped[str | None] = mapped_column(Text)
    address: Mapped[str | None] = mapped_column(Text)


class ProblemLocation(Base):
    __tablename__ = "problem_locations"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    description: Mapped[str] = mapped_column(Text)
    search_key: Mapped[str] = mapped_column(String(300), index=True)


class CasePerpetrator(Base):
    __tablename__ = "case_perpetrators"
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True)
    perpetrator_id: Mapped[int] = mapped_column(ForeignKey("alleged_perpetrators.id"), primary_key=True)
