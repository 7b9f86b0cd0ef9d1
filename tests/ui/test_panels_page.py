"""A chair plans a meeting with two cases, records the outcomes and the CSU follows the recommendations."""
from __future__ import annotations

from datetime import date

from app.services.cases import steps as wf
from app.services.cases.case_page import load_case
from app.services.intake.applications import create_application
from tests.db.helpers import ASSESSMENT, send_letter, application


def _met(ctx):
    created = create_application(ctx, application("2026-10-20"))
    step = send_letter(ctx, created.id, "acknowledgement", date(2026, 10, 21), "post", version=created.version)
    wf.decide_threshold(ctx, created.id, step.version, met=True, assessment=ASSESSMENT, decided_on=date(2026, 10, 28))
    return created.id


def _fill(values):
    """A dialog filled as the chair would, then its button pressed."""
    def filler(dialog) -> None:
        for key, value in values.items():
            dialog.set_value(key, value)
        dialog.submit()
    return filler


def _panels(window, settle):
    window.show_section(2)
    settle()  # the meetings are read off the UI thread when the section is first shown
    return window.panels_page


def test_chair_plans_holds_and_follows_up_a_meeting(window, ctx, dialogs, settle):
    first, second = _met(ctx), _met(ctx)
    page = _panels(window, settle)
    dialogs.forms.append(_fill({"starts": "20/11/2026 10:00", "place": "Town Hall, Committee Room 2",
                                "chair": "Sam Chair", "independent": "yes"}))
    page.new_meeting()
    settle()
    assert page.detail is not None and page.detail.chair == "Sam Chair"
    for case_id in (first, second):
        dialogs.forms.append(_fill({"case": str(case_id)}))
        page.add_case()
        settle()
    assert [a.case_id for a in page.detail.agenda] == [first, second]
    dialogs.forms.append(_fill({"name": "PC Jones", "role": "agency representative", "attendance": "attended"}))
    page.add_member()
    settle()
    assert [m.name for m in page.detail.attendees] == ["PC Jones"]
    seen = {}

    def refused(dialog) -> None:
        dialog.set_value("on", "20/11/2026")
        dialog.submit()
        settle()
        seen["problem"] = dialog.message.text() + " ".join(e.text() for e in dialog.errors.values())
    dialogs.forms.append(refused)
    page.mark_held()  # refused: no findings yet
    settle()
    assert seen["problem"] and page.detail.state == "planned"

    def review(dialog) -> None:
        dialog.victim_part.setCurrentIndex(dialog.victim_part.findData("attended"))
        dialog.considered.setPlainText("Police logs and housing records")
        dialog.findings.set_rows([{"text": "Reports were not shared between agencies", "rationale": "Logs"}])
        dialog.recommendations.set_rows([{"agency": "Kent Police", "action": "Joint visit with housing",
                                          "due": "31/12/2026", "rationale": "No joint action"}])
        dialog.save()
    for row in range(2):
        page.agenda.selectRow(row)
        dialogs.forms.append(review)
        page.record_review()
        settle()
    assert [len(a.findings) for a in page.detail.agenda] == [1, 1]
    dialogs.forms.append(_fill({"on": "20/11/2026"}))
    page.mark_held()
    settle()
    assert page.detail.state == "held"
    assert load_case(ctx, first).status == "reviewed" and load_case(ctx, second).status == "reviewed"
    recs = page.recommendations_page
    page.setCurrentWidget(recs)  # read when its tab is shown
    settle()
    assert recs.model.rowCount() == 2
    recs.view.selectRow(0)
    dialogs.forms.append(_fill({"status": "completed", "on": "24/11/2026"}))
    recs.respond()
    settle()
    assert recs.model.rowCount() == 1


def test_review_dialog_refuses_a_recommendation_without_an_agency_and_keeps_it(window, ctx, dialogs, settle):
    case_id = _met(ctx)
    page = _panels(window, settle)
    dialogs.forms.append(_fill({"starts": "20/11/2026 10:00", "link": "https://meet.example.org/panel"}))
    page.new_meeting()
    settle()
    dialogs.forms.append(_fill({"case": str(case_id)}))
    page.add_case()
    settle()
    seen = {}

    def review(dialog) -> None:
        dialog.findings.set_rows([{"text": "A finding"}])
        dialog.recommendations.set_rows([{"agency": "Nobody", "action": "Something", "due": "31/12/2026"}])
        dialog.save()
        seen["message"] = dialog.message.text()
        seen["kept"] = dialog.recommendations.rows[0]["agency"]
    dialogs.forms.append(review)
    page.agenda.selectRow(0)
    page.record_review()
    settle()
    assert "choose an agency" in seen["message"] and seen["kept"] == "Nobody"
    assert page.detail.agenda[0].findings == ()  # nothing was saved


def test_panel_pack_is_saved_exactly_as_kept_and_its_sending_recorded(window, ctx, dialogs, tmp_path, settle):
    from pypdf import PdfReader
    from sqlalchemy import select

    from app.db.models import Letter
    from app.services.panels.pack import pack_history
    first, second = _met(ctx), _met(ctx)
    page = _panels(window, settle)
    dialogs.forms.append(_fill({"starts": "02/12/2026 10:00", "place": "Town Hall", "chair": "Sam Chair"}))
    page.new_meeting()
    settle()
    for case_id in (first, second):
        dialogs.forms.append(_fill({"case": str(case_id)}))
        page.add_case()
        settle()
    dialogs.forms.append(_fill({"name": "PC Jones", "role": "agency representative", "attendance": "invited"}))
    page.add_member()
    settle()
    dialogs.forms.append(_fill({"password": "s3cret"}))
    page.panel_pack()  # the chair cancels where to save: nothing is produced
    settle()
    assert pack_history(ctx, page.meeting_id) == []
    target = tmp_path / "pack.pdf"
    dialogs.files = [target]
    dialogs.forms.append(_fill({"password": "s3cret"}))
    page.panel_pack()
    settle()
    with ctx.unit_of_work() as session:
        [stored] = session.scalars(select(Letter.pdf).where(Letter.template == "panel-pack")).all()
    assert target.read_bytes() == bytes(stored)
    assert PdfReader(target).is_encrypted
    assert dialogs.shown[-1][1] == "Panel pack saved"
    assert "password protected" in page.pack_status.text() and "not recorded as sent" in page.pack_status.text()
    seen = {}

    def sent(dialog) -> None:
        seen["prefilled"] = dialog.inputs["sent_to"].toPlainText()
        dialog.set_value("sent_to", "PC Jones\nSam Chair\n")
        dialog.set_value("on", "25/11/2026")
        dialog.set_value("method", "email")
        dialog.submit()
    dialogs.forms.append(sent)
    page.record_pack_sent()
    settle()
    assert seen["prefilled"] == "Sam Chair\nPC Jones"  # the meeting's members, editable
    [record] = pack_history(ctx, page.meeting_id)
    assert [(s.sent_to, s.method) for s in record.sendings] == [("PC Jones, Sam Chair", "email")]
    assert "sent 25/11/2026 by email to PC Jones, Sam Chair" in page.pack_status.text()


def test_a_pack_that_cannot_be_written_is_kept_with_the_meeting_and_said_in_words(window, ctx, dialogs, tmp_path,
                                                                                  settle):
    from app.services.panels.pack import pack_history
    case_id = _met(ctx)
    page = _panels(window, settle)
    dialogs.forms.append(_fill({"starts": "02/12/2026 10:00", "place": "Town Hall", "chair": "Sam Chair"}))
    page.new_meeting()
    settle()
    dialogs.forms.append(_fill({"case": str(case_id)}))
    page.add_case()
    settle()
    dialogs.files = [tmp_path / "no such folder" / "pack.pdf"]
    dialogs.forms.append(_fill({}))
    page.panel_pack()
    settle()
    kind, title, text = dialogs.shown[-1]
    assert (kind, title) == ("error", "Pack not saved") and "kept with the meeting" in text
    assert len(pack_history(ctx, page.meeting_id)) == 1
    assert "not recorded as sent" in page.pack_status.text()  # the section shows the pack produced
