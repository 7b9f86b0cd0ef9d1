"""Letters and documents (bytes kept in the database), users, settings, drafts and the audit log."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, DateTime, ForeignKey, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, deferred, mapped_column

from app.db.models.base import Base, utcnow


class Letter(Base):
    __tablename__ = "letters"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    meeting_id: Mapped[int | None] = mapped_column(ForeignKey("panel_meetings.id"))
    template: Mapped[str] = mapped_column(String(60), index=True)
    recipient: Mapped[str] = mapped_column(String(300))
    pdf: Mapped[bytes | None] = deferred(mapped_column(LargeBinary))  # None while queued
    produced_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    produced_by: Mapped[str] = mapped_column(String(120))
    approved_at: Mapped[datetime | None] = mapped_column(DateTime)
    approved_by: Mapped[str | None] = mapped_column(String(120))
    sent_on: Mapped[date | None] = mapped_column(Date)
    sent_method: Mapped[str | None] = mapped_column(String(10))  # post, email, hand
    sent_by: Mapped[str | None] = mapped_column(String(120))
    revised_outcome_date: Mapped[date | None] = mapped_column(Date)  # delay letters only
    queued: Mapped[bool] = mapped_column(Boolean, default=False)  # waiting to be produced
    # The officer's changes to the filled template text (JSON), kept with the letter they made.
    edits: Mapped[str | None] = mapped_column(Text)
    approver_name: Mapped[str | None] = mapped_column(String(200))  # the chair's name, as printed
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id"))
    request_id: Mapped[int | None] = mapped_column(ForeignKey("agency_requests.id", ondelete="SET NULL"))
    new_due_on: Mapped[date | None] = mapped_column(Date)  # a reminder's new return date


class Document(Base):
    __tablename__ = "documents"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    media_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    content: Mapped[bytes] = deferred(mapped_column(LargeBinary))
    added_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    added_by: Mapped[str] = mapped_column(String(120))


class User(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    login: Mapped[str] = mapped_column(String(120), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20), default="officer")
    email: Mapped[str | None] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(40))
    job_title: Mapped[str | None] = mapped_column(String(120))  # under the signature on letters
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class UserPassword(Base):
    """A password hash, apart from the users so that on the server no role but the owner reads it
    (sign-in checks a password through a SECURITY DEFINER function)."""

    __tablename__ = "user_passwords"
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    hash: Mapped[str] = mapped_column(String(300))
    set_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class SignInAttempt(Base):
    """Failed password sign-ins by login (known or not, so that a lockout says nothing of who exists)."""

    __tablename__ = "sign_in_attempts"
    login: Mapped[str] = mapped_column(String(120), primary_key=True)  # lower-cased
    failures: Mapped[int] = mapped_column(Integer, default=0)
    last_failed_at: Mapped[datetime | None] = mapped_column(DateTime)
    locked_until: Mapped[datetime | None] = mapped_column(DateTime)


class SettingRow(Base):
    __tablename__ = "settings"
    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    value: Mapped[str] = mapped_column(Text)  # JSON
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_by: Mapped[str] = mapped_column(String(120), default="")


class Draft(Base):
    """An unsaved form, autosaved so that a crash or a wiped desktop loses nothing."""

    __tablename__ = "drafts"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    owner: Mapped[str] = mapped_column(String(120), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    payload: Mapped[str] = mapped_column(Text)  # JSON
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class AuditEntry(Base):
    """Append-only: who did what to which record, when and from where. No personal values here."""

    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(120))
    db_user: Mapped[str | None] = mapped_column(String(120))
    machine: Mapped[str | None] = mapped_column(String(120))
    action: Mapped[str] = mapped_column(String(40))  # create, change, view, letter, export, delete...
    entity: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[int | None] = mapped_column(Integer, index=True)
    case_id: Mapped[int | None] = mapped_column(Integer, index=True)
    fields: Mapped[str | None] = mapped_column(Text)  # field names changed, comma-separated
    reason: Mapped[str | None] = mapped_column(Text)
    # The tamper-evident chain (app/domain/audit_chain.py): this entry's hash covers the one before.
    prev_hash: Mapped[str | None] = mapped_column(String(64))
    hash: Mapped[str | None] = mapped_column(String(64))


class AuditValue(Base):
    """Before and after values of a change: kept apart so that retention can purge them."""

    __tablename__ = "audit_values"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    audit_id: Mapped[int] = mapped_column(Integer, index=True)
    case_id: Mapped[int | None] = mapped_column(Integer, index=True)
    field: Mapped[str] = mapped_column(String(80))
    before: Mapped[str | None] = mapped_column(Text)
    after: Mapped[str | None] = mapped_column(Text)
