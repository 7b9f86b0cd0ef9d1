"""The Letters section: acknowledgements due, printed in one go, then recorded as sent together."""
from __future__ import annotations

from datetime import date

from app.services.cases.case_page import load_case
from app.services.intake.applications import create_application
from app.services.intake.support import queue_letter
from app.services.trust.users import save_user
from tests.db.helpers import application
from tests.db.letter_cases import ready


def test_print_all_acknowledgements_due_then_record_the_batch_sent(window, ctx):
    save_user(ctx, "officer.one", display_name="Jo Smith", role="administrator")
    ready(ctx)  # the council's details, the officer's name and job title
    first = create_application(ctx, application("2026-11-20"))
    second = create_application(ctx, application("2026-11-23"))
    queue_letter(ctx, second.id, "acknowledgement")  # "Save and acknowledge" put this one on the list
    window.show_section(3)
    page = window.letters_page
    assert [row[3] for row in page.model.rows] == ["Due: not produced yet", "On the list to produce"]
    printed: list[bytes] = []
    page.print_hook = printed.extend
    page.print_due()
    assert len(printed) == 2 and all(pdf.startswith(b"%PDF") for pdf in printed)
    assert [row[3] for row in page.model.rows] == ["Produced, not sent", "Produced, not sent"]
    page.record_batch_sent({"sent_on": "25/11/2026", "method": "post"})
    assert page.model.rows == []
    for created in (first, second):
        case = load_case(ctx, created.id)
        assert case.acknowledged_on == date(2026, 11, 25) and case.status == "acknowledged"
