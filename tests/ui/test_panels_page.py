"""A chair plans a meeting with two cases, records the outcomes and the CSU follows the recommendations."""
from __future__ import annotations

from datetime import date

from app.services import workflow_actions as wf
from app.services.case_page import load_case
from app.services.intake import create_application
from tests.db.helpers import application


def _met(ctx):
    created = create_application(ctx, application("2026-10-20"))
    step = wf.record_acknowledgement(ctx, created.id, created.version, sent_on=date(2026, 10, 21), method="post")
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
