"""A chair plans a meeting with two cases, records the outcomes and the CSU follows the recommendations."""
from __future__ import annotations

from datetime import date

from app.services.cases import steps as wf
from app.services.cases.case_page import load_case
from app.services.intake.applications import create_application
from tests.db.helpers import send_letter, application


def _met(ctx):
    created = create_application(ctx, application("2026-10-20"))
    step = send_letter(ctx, created.id, "acknowledgement", date(2026, 10, 21), "post", version=created.version)
    wf.decide_threshold(ctx, created.id, step.version, met=True, decided_on=date(2026, 10, 28))
    return created.id


def _fill(values):
    def hook(dialog) -> None:
        for key, value in values.items():
            dialog.set_value(key, value)
        dialog.submit()
    return hook


def test_chair_plans_holds_and_follows_up_a_meeting(window, ctx):
    first, second = _met(ctx), _met(ctx)
    window.show_section(2)
    page = window.panels_page
    page.dialog_hook = _fill({"starts": "20/11/2026 10:00", "place": "Town Hall, Committee Room 2",
                              "chair": "Sam Chair"})
    page.new_meeting()
    assert page.detail is not None and page.detail.chair == "Sam Chair"
    for case_id in (first, second):
        page.dialog_hook = _fill({"case": str(case_id)})
        page.add_case()
    assert [a.case_id for a in page.detail.agenda] == [first, second]
    page.dialog_hook = _fill({"name": "PC Jones", "role": "agency representative", "attendance": "attended"})
    page.add_member()
    page.dialog_hook = _fill({"on": "20/11/2026"})
    page.mark_held()  # refused: no findings yet
    assert page.detail.state == "planned"

    def review(dialog) -> None:
        dialog.invited.setChecked(True)
        dialog.considered.setPlainText("Police logs and housing records")
        dialog.findings.set_rows([{"text": "Reports were not shared between agencies", "rationale": "Logs"}])
        dialog.recommendations.set_rows([{"agency": "Kent Police", "action": "Joint visit with housing",
                                          "due": "31/12/2026", "rationale": "No joint action"}])
        dialog.save()
    page.dialog_hook = review
    for row in range(2):
        page.agenda.selectRow(row)
        page.record_review()
    assert [len(a.findings) for a in page.detail.agenda] == [1, 1]
    page.dialog_hook = _fill({"on": "20/11/2026"})
    page.mark_held()
    assert page.detail.state == "held"
    assert load_case(ctx, first).status == "reviewed" and load_case(ctx, second).status == "reviewed"
    recs = page.recommendations_page
    page.setCurrentWidget(recs)  # loaded when its tab is shown
    assert recs.model.rowCount() == 2
    recs.view.selectRow(0)
    page.dialog_hook = _fill({"status": "completed", "on": "24/11/2026"})
    recs.respond()
    assert recs.model.rowCount() == 1


def test_review_dialog_refuses_a_recommendation_without_an_agency_and_keeps_it(window, ctx):
    case_id = _met(ctx)
    page = window.panels_page
    page.dialog_hook = _fill({"starts": "20/11/2026 10:00", "link": "https://meet.example.org/panel"})
    page.new_meeting()
    page.dialog_hook = _fill({"case": str(case_id)})
    page.add_case()
    seen = {}

    def review(dialog) -> None:
        dialog.findings.set_rows([{"text": "A finding"}])
        dialog.recommendations.set_rows([{"agency": "Nobody", "action": "Something", "due": "31/12/2026"}])
        dialog.save()
        seen["message"] = dialog.message.text()
        seen["kept"] = dialog.recommendations.rows[0]["agency"]
    page.dialog_hook = review
    page.agenda.selectRow(0)
    page.record_review()
    assert "choose an agency" in seen["message"] and seen["kept"] == "Nobody"


def test_panel_pack_is_saved_exactly_as_kept_and_its_sending_recorded(window, ctx, dialogs, tmp_path):
    from pypdf import PdfReader
    from sqlalchemy import select

    from app.db.models import Letter
    from app.services.panels.pack import pack_history
    first, second = _met(ctx), _met(ctx)
    page = window.panels_page
    page.dialog_hook = _fill({"starts": "02/12/2026 10:00", "place": "Town Hall", "chair": "Sam Chair"})
    page.new_meeting()
    for case_id in (first, second):
        page.dialog_hook = _fill({"case": str(case_id)})
        page.add_case()
    page.dialog_hook = _fill({"name": "PC Jones", "role": "agency representative", "attendance": "invited"})
    page.add_member()
    page.dialog_hook = _fill({"password": "s3cret"})
    page.panel_pack()  # the chair cancels where to save: nothing is produced
    assert pack_history(ctx, page.meeting_id) == []
    target = tmp_path / "pack.pdf"
    dialogs.files = [target]
    page.panel_pack()
    with ctx.unit_of_work() as session:
        [stored] = session.scalars(select(Letter.pdf).where(Letter.template == "panel-pack")).all()
    assert target.read_bytes() == bytes(stored)
    assert PdfReader(target).is_encrypted
    assert "password protected" in page.pack_status.text() and "not recorded as sent" in page.pack_status.text()
    seen = {}

    def sent(dialog) -> None:
        seen["prefilled"] = dialog.inputs["sent_to"].toPlainText()
        dialog.set_value("sent_to", "PC Jones\nSam Chair\n")
        dialog.set_value("on", "25/11/2026")
        dialog.set_value("method", "email")
        dialog.submit()
    page.dialog_hook = sent
    page.record_pack_sent()
    assert seen["prefilled"] == "Sam Chair\nPC Jones"  # the meeting's members, editable
    [record] = pack_history(ctx, page.meeting_id)
    assert [(s.sent_to, s.method) for s in record.sendings] == [("PC Jones, Sam Chair", "email")]
    assert "sent 25/11/2026 by email to PC Jones, Sam Chair" in page.pack_status.text()
