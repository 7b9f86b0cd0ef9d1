"""The agency directory and the requests, answers and actions exchanged with agencies."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db.models.base import Base, Versioned, utcnow


class Agency(Versioned, Base):
    __tablename__ = "agencies"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(80))
    relevant_body: Mapped[bool] = mapped_column(Boolean, default=False)
    email: Mapped[str | None] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(40))
    address: Mapped[str | None] = mapped_column(Text)  # postal address lines, one per line
    postcode: Mapped[str | None] = mapped_column(String(12))
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    aliases: Mapped[list[AgencyAlias]] = relationship(cascade="all, delete-orphan", lazy="selectin")
    contacts: Mapped[list[AgencyContact]] = relationship(cascade="all, delete-orphan", lazy="selectin")


class AgencyAlias(Base):
    __tablename__ = "agency_aliases"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id", ondelete="CASCADE"), index=True)
    alias: Mapped[str] = mapped_column(String(200), unique=True)


class AgencyContact(Base):
    __tablename__ = "agency_contacts"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str | None] = mapped_column(String(120))
    email: Mapped[str | None] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(40))
    panel_member: Mapped[bool] = mapped_column(Boolean, default=False)
    # The named person agency letters are addressed to (in the envelope window).
    receives_letters: Mapped[bool] = mapped_column(Boolean, default=False)


class AgencyRequest(Base):
    """A request to an agency: incident confirmation or information; answered or chased."""

    __tablename__ = "agency_requests"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # confirmation, information
    sent_on: Mapped[date] = mapped_column(Date)
    due_on: Mapped[date] = mapped_column(Date)
    revised_due_on: Mapped[date | None] = mapped_column(Date)
    chased_on: Mapped[date | None] = mapped_column(Date)
    answered_on: Mapped[date | None] = mapped_column(Date)
    created_by: Mapped[str] = mapped_column(String(120), default="")


class AgencyAction(Base):
    """What an agency did, as returned to an information request: the case chronology."""

    __tablename__ = "agency_actions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    request_id: Mapped[int | None] = mapped_column(ForeignKey("agency_requests.id"))
    action_on: Mapped[date] = mapped_column(Date)
    description: Mapped[str] = mapped_column(Text)
    source_document: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    created_by: Mapped[str] = mapped_column(String(120), default="")
