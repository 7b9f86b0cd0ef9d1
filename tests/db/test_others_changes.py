"""What other users saved since a window last looked: read from the audit log, on SQLite and PostgreSQL."""
from __future__ import annotations

import pytest

from app.services.agencies.directory import deactivate_agency, list_agencies
from app.services.cases.agency_requests import add_note
from app.services.cases.case_page import load_case
from app.services.cases.others_changes import changes_since
from app.services.common.ops import Part
from app.services.intake.applications import save_application
from tests.db.helpers import application


@pytest.fixture(params=["ctx", "pg_ctx"])
def any_ctx(request):
    return request.getfixturevalue(request.param)


def test_first_look_only_marks_where_the_log_stands(any_ctx) -> None:
    save_application(any_ctx, application())
    first = changes_since(any_ctx, None)
    assert first.last_seen > 0
    assert not first.changes
    again = changes_since(any_ctx, first.last_seen)
    assert again.last_seen == first.last_seen and not again.changes


def test_a_colleagues_note_names_that_case_only(any_ctx) -> None:
    one = save_application(any_ctx, application()).id
    two = save_application(any_ctx, application(received="2026-11-03")).id
    mark = changes_since(any_ctx, None).last_seen
    add_note(any_ctx, two, "Spoke to the housing officer")
    found = changes_since(any_ctx, mark)
    assert found.changes.cases == frozenset({two})
    assert one not in found.changes.case_ids
    assert found.changes.touches(Part.LIST, Part.NOTES)
    assert not found.changes.all_cases
    assert found.last_seen > mark


def test_reading_a_case_is_not_a_change(any_ctx) -> None:
    case_id = save_application(any_ctx, application()).id
    mark = changes_since(any_ctx, None).last_seen
    load_case(any_ctx, case_id)  # writes a "view" entry: nobody's screen is stale because of it
    found = changes_since(any_ctx, mark)
    assert not found.changes
    assert found.last_seen >= mark


def test_a_directory_change_refreshes_every_case(any_ctx) -> None:
    save_application(any_ctx, application())
    mark = changes_since(any_ctx, None).last_seen
    agency = list_agencies(any_ctx)[0]
    deactivate_agency(any_ctx, agency.id, agency.version)
    found = changes_since(any_ctx, mark)
    assert found.changes.touches(Part.AGENCIES)
    assert found.changes.all_cases
