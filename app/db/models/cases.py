"""The case (one application), its incidents, the agencies' confirmations, links and notes."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (Boolean, Date, DateTime, ForeignKey, Index, Integer, String, Text,
                        UniqueConstraint)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db.models.base import Base, Versioned, utcnow
from app.db.models.people import Person, ProblemLocation


class Case(Versioned, Base):
    __tablename__ = "cases"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    reference: Mapped[str] = mapped_column(String(20), unique=True)
    source_reference: Mapped[str | None] = mapped_column(String(120), unique=True)
    # Made by the form when it opens: saving the same application twice returns the first case.
    submission_id: Mapped[str | None] = mapped_column(String(36), unique=True)
    channel: Mapped[str] = mapped_column(String(12), index=True)
    received_at: Mapped[datetime] = mapped_column(DateTime)
    received_on: Mapped[date] = mapped_column(Date, index=True)
    status: Mapped[str] = mapped_column(String(32), index=True)
    applicant_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    victim_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"), index=True)
    relationship_to_victim: Mapped[str | None] = mapped_column(String(20))
    victim_consent: Mapped[bool | None] = mapped_column(Boolean)
    victim_consent_method: Mapped[str | None] = mapped_column(String(10))
    victim_consent_given_on: Mapped[date | None] = mapped_column(Date)
    consent_to_share: Mapped[bool] = mapped_column(Boolean, default=False)
    # A copy of the findings to a third-party applicant needs the victim's consent to that disclosure.
    disclosure_consent: Mapped[bool | None] = mapped_column(Boolean)
    disclosure_consent_on: Mapped[date | None] = mapped_column(Date)
    consent_recorded_by: Mapped[str | None] = mapped_column(String(120))
    consent_recorded_at: Mapped[datetime | None] = mapped_column(DateTime)
    # Set when consent arrives after the case had to wait: the threshold clock runs from here.
    consent_completed_on: Mapped[date | None] = mapped_column(Date)
    # Whether the victim rents from a registered provider of social housing (and which one): the
    # Housing Ombudsman is named in a letter only for that provider's tenant. None: not asked yet.
    victim_tenure: Mapped[str | None] = mapped_column(String(30))
    victim_landlord_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id"))
    asb_types: Mapped[str] = mapped_column(Text, default="")  # comma-separated, as typed
    problem_location_id: Mapped[int | None] = mapped_column(ForeignKey("problem_locations.id"), index=True)
    impact: Mapped[str | None] = mapped_column(Text)
    vulnerability: Mapped[str | None] = mapped_column(Text)
    desired_outcome: Mapped[str | None] = mapped_column(Text)
    officer: Mapped[str | None] = mapped_column(String(120), index=True)
    acknowledged_on: Mapped[date | None] = mapped_column(Date)
    not_accepted_reason: Mapped[str | None] = mapped_column(Text)
    withdrawn_on: Mapped[date | None] = mapped_column(Date)
    withdrawn_reason: Mapped[str | None] = mapped_column(Text)
    threshold_met: Mapped[bool | None] = mapped_column(Boolean)
    threshold_decided_on: Mapped[date | None] = mapped_column(Date, index=True)
    threshold_decided_by: Mapped[str | None] = mapped_column(String(120))
    threshold_reason: Mapped[str | None] = mapped_column(Text)
    threshold_not_met_action: Mapped[str | None] = mapped_column(Text)
    decision_letter_sent_on: Mapped[date | None] = mapped_column(Date)
    panel_completed_on: Mapped[date | None] = mapped_column(Date, index=True)
    outcome_sent_on: Mapped[date | None] = mapped_column(Date)
    revised_outcome_due: Mapped[date | None] = mapped_column(Date)
    closed_on: Mapped[date | None] = mapped_column(Date)
    # Denormalised for the case list: recomputed whenever the case changes (sorted in SQL).
    next_due_on: Mapped[date | None] = mapped_column(Date, index=True)
    next_clock: Mapped[str | None] = mapped_column(String(32))
    qualifying_incidents: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    created_by: Mapped[str] = mapped_column(String(120), default="")

    applicant: Mapped[Person] = relationship(foreign_keys=[applicant_id], lazy="joined")
    victim: Mapped[Person | None] = relationship(foreign_keys=[victim_id], lazy="joined")
    problem_location: Mapped[ProblemLocation | None] = relationship(lazy="joined")
    incidents: Mapped[list[Incident]] = relationship(
        back_populates="case", cascade="all, delete-orphan", order_by="Incident.position",
        lazy="selectin")


class ReferenceCounter(Base):
    """The next case number for each year; incremented under a row lock (safe on PostgreSQL)."""

    __tablename__ = "reference_counters"
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_number: Mapped[int] = mapped_column(Integer, default=0)


class Incident(Versioned, Base):
    __tablename__ = "incidents"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    occurred_on: Mapped[date | None] = mapped_column(Date)
    occurred_from: Mapped[date | None] = mapped_column(Date)
    occurred_to: Mapped[date | None] = mapped_column(Date)
    reported_on: Mapped[date | None] = mapped_column(Date)
    reported_to: Mapped[str] = mapped_column(String(200), default="")  # as the applicant said it
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id"), index=True)
    reported_by: Mapped[str | None] = mapped_column(String(120))
    contact_name: Mapped[str | None] = mapped_column(String(120))
    agency_reference: Mapped[str | None] = mapped_column(String(80), index=True)
    how_reported: Mapped[str | None] = mapped_column(String(40))
    location: Mapped[str | None] = mapped_column(Text)
    description: Mapped[str | None] = mapped_column(Text)
    same_problem: Mapped[bool] = mapped_column(Boolean, default=True)
    hate_incident: Mapped[bool] = mapped_column(Boolean, default=False)
    duplicate_of_id: Mapped[int | None] = mapped_column(ForeignKey("incidents.id"))

    case: Mapped[Case] = relationship(back_populates="incidents")


class IncidentConfirmation(Base):
    """An agency's answer about one incident: confirmed (with the date it was reported) or not."""

    __tablename__ = "incident_confirmations"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"), index=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    status: Mapped[str] = mapped_column(String(12), default="awaiting")  # confirmed, not_found
    confirmed_reported_on: Mapped[date | None] = mapped_column(Date)
    recorded_on: Mapped[date | None] = mapped_column(Date)
    recorded_by: Mapped[str | None] = mapped_column(String(120))
    notes: Mapped[str | None] = mapped_column(Text)


class CaseLink(Base):
    """Several applications about the same problem; stored once with the lower id first."""

    __tablename__ = "case_links"
    __table_args__ = (UniqueConstraint("case_id", "linked_case_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    linked_case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    created_by: Mapped[str] = mapped_column(String(120), default="")


class Note(Base):
    __tablename__ = "notes"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    created_by: Mapped[str] = mapped_column(String(120), default="")


Index("ix_cases_status_next_due", Case.status, Case.next_due_on)
