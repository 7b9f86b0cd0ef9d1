"""Panel meetings, who attended, the review of each case, findings, recommendations, secondary reviews."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.db.models.base import Base, Versioned


class PanelMeeting(Versioned, Base):
    __tablename__ = "panel_meetings"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    starts_at: Mapped[datetime] = mapped_column(DateTime, index=True)
    place: Mapped[str | None] = mapped_column(Text)
    online_link: Mapped[str | None] = mapped_column(Text)
    chair: Mapped[str | None] = mapped_column(String(200))
    state: Mapped[str] = mapped_column(String(20), default="planned")  # held, minutes_approved
    held_on: Mapped[date | None] = mapped_column(Date, index=True)


class PanelAttendee(Base):
    __tablename__ = "panel_attendees"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("panel_meetings.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id"))
    role: Mapped[str] = mapped_column(String(30))  # chair, agency representative, independent, note taker
    attendance: Mapped[str] = mapped_column(String(12), default="invited")  # attended, apologies
    conflict_case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"))
    for_case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"))  # one agenda item only


class CaseReview(Versioned, Base):
    """One case on one meeting's agenda, and what the panel recorded about it."""

    __tablename__ = "case_reviews"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("panel_meetings.id", ondelete="CASCADE"), index=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    victim_invited: Mapped[bool] = mapped_column(Boolean, default=False)
    victim_attended: Mapped[bool] = mapped_column(Boolean, default=False)
    impact_statement: Mapped[str | None] = mapped_column(Text)
    reasonable_adjustments: Mapped[str | None] = mapped_column(Text)
    information_considered: Mapped[str | None] = mapped_column(Text)
    decision: Mapped[str | None] = mapped_column(Text)
    completes_review: Mapped[bool] = mapped_column(Boolean, default=False)


class Finding(Base):
    __tablename__ = "findings"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("case_reviews.id", ondelete="CASCADE"), index=True)
    text: Mapped[str] = mapped_column(Text)
    rationale: Mapped[str | None] = mapped_column(Text)
    key_finding: Mapped[bool] = mapped_column(Boolean, default=False)


class Recommendation(Versioned, Base):
    __tablename__ = "recommendations"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    review_id: Mapped[int | None] = mapped_column(ForeignKey("case_reviews.id", ondelete="SET NULL"))
    secondary_review_id: Mapped[int | None] = mapped_column(ForeignKey("secondary_reviews.id"))
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    action: Mapped[str] = mapped_column(Text)
    rationale: Mapped[str | None] = mapped_column(Text)
    due_on: Mapped[date | None] = mapped_column(Date, index=True)
    status: Mapped[str] = mapped_column(String(12), default="open")  # accepted, declined, completed
    response: Mapped[str | None] = mapped_column(Text)
    responded_on: Mapped[date | None] = mapped_column(Date)
    completed_on: Mapped[date | None] = mapped_column(Date)
    chased_on: Mapped[date | None] = mapped_column(Date)


class SecondaryReview(Versioned, Base):
    __tablename__ = "secondary_reviews"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    requested_on: Mapped[date] = mapped_column(Date, index=True)
    requested_by: Mapped[str | None] = mapped_column(String(200))
    grounds: Mapped[str | None] = mapped_column(Text)
    reviewer: Mapped[str | None] = mapped_column(String(200))
    due_on: Mapped[date | None] = mapped_column(Date)
    outcome: Mapped[str | None] = mapped_column(String(20))  # upheld, partly_upheld, not_upheld, referred_back
    outcome_reasons: Mapped[str | None] = mapped_column(Text)
    completed_on: Mapped[date | None] = mapped_column(Date)
    outcome_sent_on: Mapped[date | None] = mapped_column(Date)
