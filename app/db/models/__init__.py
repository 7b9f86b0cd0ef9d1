"""Every ORM model, importable from one place (Alembic reads Base.metadata from here)."""
from app.db.models.agencies import Agency, AgencyAction, AgencyAlias, AgencyContact, AgencyRequest
from app.db.models.base import Base
from app.db.models.cases import Case, CaseLink, Incident, IncidentConfirmation, Note, ReferenceCounter
from app.db.models.panels import (CaseReview, Finding, PanelAttendee, PanelMeeting, Recommendation,
                                  SecondaryReview)
from app.db.models.people import CasePerpetrator, Perpetrator, Person, ProblemLocation
from app.db.models.records import (AuditEntry, AuditValue, Document, Draft, Letter, SettingRow, SignInAttempt,
                                   User, UserPassword)

__all__ = ["Agency", "AgencyAction", "AgencyAlias", "AgencyContact", "AgencyRequest", "AuditEntry",
           "AuditValue", "Base", "Case", "CaseLink", "CasePerpetrator", "CaseReview", "Document",
           "Draft", "Finding", "Incident", "IncidentConfirmation", "Letter", "Note", "PanelAttendee",
           "PanelMeeting", "Perpetrator", "Person", "ProblemLocation", "Recommendation",
           "ReferenceCounter", "SecondaryReview", "SettingRow", "SignInAttempt", "User", "UserPassword"]
