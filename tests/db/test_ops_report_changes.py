"""Operations the case page and the panel section run on the worker say what they changed, so that
the views showing it (and only those) read it again: a letter printed or saved, an incident linked
to an agency, a panel pack recorded as sent."""
from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy import select

from app.db.models import AuditEntry, Incident
from app.domain.roles import Role
from app.services.agencies.directory import list_agencies
from app.services.agencies.links import link_incident_to_agency
from app.services.common.errors import PermissionDenied
from app.services.common.ops import Part
from app.services.intake.applications import create_application
from app.services.letters.case_letters import letter_pdf, produce_letter, record_disclosure
from app.services.panels import meetings as panels
from app.services.panels.pack import build_panel_pack, record_pack_sent
from tests.db.helpers import application, incidents
from tests.db.letter_cases import new_case
from tests.db.test_panel_pack import _met_case


def test_a_disclosure_gives_the_exact_stored_bytes_it_logged_and_names_the_timeline(ctx):
    case = new_case(ctx)
    info = produce_letter(ctx, case.id, "acknowledgement")
    before = ctx.transactions
    disclosed = record_disclosure(ctx, info.id, "print")
    assert ctx.transactions - before == 1  # the log and the bytes in one unit of work
    assert disclosed.pdf == letter_pdf(ctx, info.id) and disclosed.pdf.startswith(b"%PDF")
    assert disclosed.changes.cases == {case.id} and disclosed.changes.parts == {Part.TIMELINE}
    with ctx.unit_of_work() as session:
        actions = session.scalars(select(AuditEntry.action).where(AuditEntry.entity == "letter",
                                                                  AuditEntry.entity_id == info.id)).all()
    assert "print" in actions
    ctx.role = Role.READ_ONLY
    with pytest.raises(PermissionDenied):
        record_disclosure(ctx, info.id, "saved as letter.pdf")  # refused before anything leaves


def test_linking_an_incident_says_which_case_changed(ctx):
    created = create_application(ctx, application("2026-11-02", items=incidents(
        ("2026-10-01", "2026-10-03"), to="The housing office")))
    clarion = next(a.id for a in list_agencies(ctx) if a.name == "Clarion Housing")
    with ctx.unit_of_work() as session:
        incident_id = session.scalar(select(Incident.id).where(Incident.case_id == created.id))
    result = link_incident_to_agency(ctx, incident_id, clarion)
    assert result.incidents_linked == 1 and result.changes.cases == {created.id}
    assert result.changes.touches(Part.INCIDENTS, Part.HEADER)


def test_recording_a_pack_sent_names_the_meeting_and_the_cases_in_it(ctx):
    first = _met_case(ctx, "Shouting in the stairwell")
    meeting_id = panels.save_meeting(ctx, None, None, starts_at=datetime(2026, 12, 2, 10, 30), place="Town Hall",
                                     chair="Sam Chair", chair_independent=True).id
    panels.add_case(ctx, meeting_id, first)
    built = build_panel_pack(ctx, meeting_id)
    done = record_pack_sent(ctx, built.letter_id, sent_to=["Sam Chair"], sent_on=date(2026, 11, 25),
                            method="email")
    assert done.message == "Recorded as sent to Sam Chair."
    changes = done.changes
    assert changes.meetings == {meeting_id} and changes.touches(Part.MEETINGS)
    assert changes.cases == {first} and changes.touches(Part.TIMELINE)
