"""Small builders the scenarios share: a case, a version, an acknowledged case, an agency request..."""
from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select

from app.db.models import Agency, AgencyRequest, Case
from app.services.cases import agency_requests as work
from app.services.cases.case_page import load_case
from app.services.intake.applications import create_application
from app.services.letters import case_letters as L
from app.services.panels import meetings as panels
from tests.db.helpers import application, send_letter
from tests.db.letter_cases import add_panel, decided
from tests.db.test_retention import finish


def _case(ctx, received: str = "2026-11-02", **kw) -> int:
    return create_application(ctx, application(received, **kw)).id


def _version(ctx, case_id: int) -> int:
    with ctx.reading() as s:
        return s.get(Case, case_id).version


def _acknowledged(ctx) -> tuple[int, int]:
    case_id = _case(ctx)
    return case_id, send_letter(ctx, case_id, "acknowledgement", date(2026, 11, 3), version=_version(ctx, case_id)).version


def _agency(ctx, name: str) -> int:
    with ctx.reading() as s:
        return s.scalar(select(Agency.id).where(Agency.name == name))


def _request(ctx) -> tuple[int, int]:
    case_id, version = _acknowledged(ctx)
    work.send_confirmation_requests(ctx, case_id, version, sent_on=date(2026, 11, 4))
    with ctx.reading() as s:
        return case_id, s.scalar(select(AgencyRequest.id).where(AgencyRequest.case_id == case_id))


def _incident(ctx, case_id: int) -> Any:
    return load_case(ctx, case_id, record_view=False).incidents[0]


def _meeting(ctx) -> tuple[int, int]:
    case_id = decided(ctx, met=True)
    return add_panel(ctx, case_id, starts_at=datetime(2026, 12, 10, 14, 30), held=False), case_id


def _agenda_item(ctx) -> tuple[int, Any]:
    meeting_id, _case_id = _meeting(ctx)
    return meeting_id, panels.meeting_detail(ctx, meeting_id).agenda[0]


def _reviewed_item(ctx, meeting_id: int, item: Any) -> Any:
    """The panel's draft (the victim's part, a finding, a recommendation) recorded; the agenda item after it."""
    panels.record_review(ctx, item.review_id, item.version, panels.ReviewInput(
        victim_part="impact_statement", victim_invited=True, impact_statement="I cannot sleep.",
        findings=(panels.FindingInput("No lead agency", "Logs"),),
        recommendations=(panels.RecommendationInput(_agency(ctx, "Kent Police"), "Joint visit with housing",
                                                    date(2026, 12, 31), "No joint action so far"),)))
    return _item(ctx, meeting_id, item.review_id)


def _item(ctx, meeting_id: int, review_id: int) -> Any:
    return next(a for a in panels.meeting_detail(ctx, meeting_id).agenda if a.review_id == review_id)


def _held_meeting(ctx) -> int:
    case_id = decided(ctx, met=True)
    return add_panel(ctx, case_id, starts_at=datetime(2026, 11, 12, 10), held=True)


def _recommendation(ctx) -> Any:
    from app.services.panels.recommendations import recommendations
    case_id = decided(ctx, met=True)
    add_panel(ctx, case_id, starts_at=datetime(2026, 11, 12, 10), held=True)
    return recommendations(ctx, case_id=case_id)[0]


def _letter(ctx) -> tuple[int, int]:
    case_id = _case(ctx, "2026-11-23")
    from tests.db.helpers import council_set_up, named_officer
    named_officer(ctx, case_id)
    council_set_up(ctx)
    return case_id, L.produce_letter(ctx, case_id, "acknowledgement").id


def _closed(ctx) -> int:
    case_id = _case(ctx)
    finish(ctx, case_id, closed_on=date(2019, 1, 10))
    return case_id


def _scan(tmp: Path) -> Path:
    path = tmp / "scan.pdf"
    path.write_bytes(b"%PDF-1.4 a scanned form\n%%EOF\n")
    return path
