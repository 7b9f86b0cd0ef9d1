"""Running a review from the case page: steps offered by state, deadlines moving, conflicts kept."""
from __future__ import annotations

from datetime import date

from PySide6.QtWidgets import (QAbstractButton, QAbstractItemView, QHeaderView, QLineEdit, QPlainTextEdit,
                               QWidget)

from app.domain.assessment import FACTORS
from app.services.cases import steps as wf
from app.services.intake.applications import create_application
from tests.conftest import make_context
from tests.db.helpers import send_letter, application
from tests.db.letter_cases import ready

# The decision's structured assessment as an officer types it: each factor rated, with a note.
ASSESSMENT_TYPED = {**{f"{f.key}_rating": f.ratings[0][0] for f in FACTORS},
                    **{f"{f.key}_note": "Seen in the agency logs" for f in FACTORS}}


def _fill(values: dict[str, str]):
    """A dialog filled as the officer would, then its button pressed."""
    def filler(dialog) -> None:
        for key, value in values.items():
            dialog.set_value(key, value)
        dialog.submit()
    return filler


def _take_text(dialog) -> None:
    """The letter's text read and produced as it is."""
    dialog.accept()


def _open(window, settle, case_id):
    page = window.open_case(case_id)
    settle()  # the case is read off the UI thread
    return page


def _due(page) -> dict[str, date]:
    return {c.key: c.due for c in page.detail.clocks}


def _named_officer(ctx) -> None:
    """Letters name their contact officer: the signed-in user needs a name, phone and email."""
    from app.db.models import User
    with ctx.unit_of_work() as s:
        me = s.query(User).filter_by(login=ctx.actor).one()
        me.display_name, me.phone, me.email = "Jo Smith", "01892 526121", "jo.smith@example.gov.uk"


def test_officer_takes_a_case_from_received_to_information_gathering(window, ctx, dialogs, settle):
    ready(ctx)  # each request to an agency goes with a letter: the council's details and addresses are needed
    created = create_application(ctx, application("2026-11-02"))
    page = _open(window, settle, created.id)
    assert page.step_buttons() == ["Acknowledgement sent", "Not accepted", "Withdrawn"]
    assert _due(page) == {"acknowledgement": date(2026, 11, 9), "threshold_decision": date(2026, 11, 16)}

    from ui.views.case_page import steps
    [(_text, acknowledge)] = [(t, a) for t, a in steps.available(page) if "Acknowledgement" in t.replace("&", "")]
    dialogs.forms += [_fill({"template": "acknowledgement"}), _take_text]
    acknowledge(page)  # no letter yet: the step is done by sending the letter, so it offers to write it
    settle()
    assert [lt.template for lt in page.detail.letters] == ["acknowledgement"] and page.detail.status == "received"
    assert len(dialogs.previews) == 1  # the letter produced is shown as stored
    dialogs.forms.append(_fill({"sent_on": "25/11/2026", "method": "post"}))
    acknowledge(page)
    settle()
    assert page.detail.status == "acknowledged" and "acknowledgement" not in _due(page)
    assert page.detail.acknowledged_on == date(2026, 11, 25)
    assert "Ask agencies to confirm" in page.step_buttons()

    dialogs.forms.append(_fill({"sent_on": "04/11/2026"}))
    steps.confirmation_requests(page)
    settle()
    assert page.detail.status == "threshold_check"
    assert [lt.template for lt in page.detail.letters] == ["acknowledgement", "incident-confirmation-request"]
    assert _due(page)["agency_information"] == date(2026, 11, 18)
    for row in range(3):
        page.incidents.view.selectRow(row)
        dialogs.forms.append(_fill({"found": "yes"}))
        page.record_confirmation()
        settle()
    assert [i.confirmation for i in page.detail.incidents] == ["confirmed"] * 3
    assert "agency_information" not in _due(page)

    dialogs.forms.append(_fill({"met": "yes", "decided_on": "20/11/2026", **ASSESSMENT_TYPED}))
    steps.decide_threshold(page)
    settle()
    assert page.detail.status == "threshold_met"
    assert _due(page)["panel"] == date(2026, 12, 18) and _due(page)["outcome"] == date(2026, 12, 29)  # 25, 28 Dec are bank holidays

    dialogs.forms.append(_fill({"sent_on": "23/11/2026"}))
    page.send_information_requests()
    settle()
    assert page.detail.status == "information_gathering"
    assert [lt.template for lt in page.detail.letters].count("information-request") == 1
    assert _due(page)["agency_information"] == date(2026, 12, 7)
    assert [t.action for t in page.detail.timeline][:3] == ["information requests", "letter", "threshold decision"]


def test_step_form_keeps_what_was_typed_when_the_service_refuses(window, ctx, dialogs, settle):
    created = create_application(ctx, application("2026-11-02"))
    step = send_letter(ctx, created.id, "acknowledgement", date(2026, 11, 3), "post", version=created.version)
    page = _open(window, settle, created.id)
    seen = {}

    def filler(dialog) -> None:
        dialog.set_value("met", "no")
        dialog.set_value("decided_on", "20/11/2026")
        dialog.submit()  # not met needs the action to be taken instead: refused (on the worker)
        settle()
        seen["error"] = dialog.errors["action_instead"].text()
        seen["open"] = dialog.isVisible() and dialog.result() != dialog.DialogCode.Accepted
        seen["typed"] = dialog.inputs["decided_on"].text()
    dialogs.forms.append(filler)
    from ui.views.case_page import steps
    steps.decide_threshold(page)
    settle()
    assert seen["open"] and "action will be taken instead" in seen["error"] and seen["typed"] == "20/11/2026"
    assert page.detail.status == "acknowledged" and page.detail.version == step.version


def test_conflicting_save_names_who_keeps_the_typing_and_reapplies(window, ctx, sqlite_url, dialogs, settle):
    created = create_application(ctx, application("2026-11-02"))
    page = _open(window, settle, created.id)
    other = make_context(sqlite_url, actor="officer.two")
    wf.update_case_details(other, created.id, created.version, {"impact": "Cannot sleep."})
    other.engine.dispose()
    page.summary.edits["vulnerability"].setPlainText("Lives alone; recent surgery.")
    dialogs.answers = [True]  # reload and re-apply
    page.summary.save_button.click()
    settle()
    kind, title, text = dialogs.shown[-1]
    assert kind == "ask" and "officer.two" in text
    assert page.summary.edits["vulnerability"].toPlainText() == "Lives alone; recent surgery."
    assert page.summary.edits["impact"].toPlainText() == ""  # what this user saw and typed is re-applied
    page.summary.edits["impact"].setPlainText("Cannot sleep.")
    page.summary.save_button.click()
    settle()
    assert page.detail.vulnerability == "Lives alone; recent surgery." and page.detail.impact == "Cannot sleep."


def test_case_page_controls_have_accessible_names(window, ctx, settle):
    created = create_application(ctx, application("2026-11-02"))
    page = _open(window, settle, created.id)
    for index in range(page.tabs.count()):
        page.tabs.setCurrentIndex(index)  # each tab is built the first time it is shown
        tab = page.tabs.currentWidget()
        controls = [w for w in tab.findChildren(QWidget) if isinstance(
            w, (QLineEdit, QPlainTextEdit, QAbstractButton, QAbstractItemView)) and w.isVisibleTo(tab)
            and not isinstance(w, QHeaderView)]
        assert [type(w).__name__ for w in controls if not w.accessibleName()] == []


def test_letters_from_the_case_page_preview_the_stored_pdf_and_stop_the_clock_when_sent(window, ctx, dialogs,
                                                                                           settle):
    ready(ctx)
    created = create_application(ctx, application("2026-11-02"))
    page = _open(window, settle, created.id)
    dialogs.forms += [_fill({"template": "acknowledgement"}), _take_text]
    page.timeline.write()
    settle()
    [letter] = page.detail.letters
    assert letter.template == "acknowledgement" and letter.sent_on is None
    assert "acknowledgement" in _due(page)  # produced is not sent: the clock still runs
    page.timeline.view.selectRow(0)
    page.timeline.preview()
    settle()
    preview = dialogs.previews[-1]
    assert preview.page_count >= 1 and preview.pages.pages[0].pixmap().width() > 500
    dialogs.printer_cancelled = True
    page.timeline.print_letter()  # the officer cancels the printer: nothing printed, nothing logged
    settle()
    assert dialogs.printed == [] and "print" not in {t.action for t in page.detail.timeline}
    dialogs.printer_cancelled = False
    page.timeline.print_letter()
    settle()
    assert len(dialogs.printed) == 1 and dialogs.printed[0].startswith(b"%PDF")
    assert "print" in {t.action for t in page.detail.timeline}  # logged before the page left, and shown
    dialogs.forms.append(_fill({"sent_on": "25/11/2026", "method": "post"}))
    page.timeline.view.selectRow(0)
    page.timeline.record_sent()
    settle()
    assert page.detail.acknowledged_on == date(2026, 11, 25) and "acknowledgement" not in _due(page)
    assert {"letter", "print", "letter sent"} <= {t.action for t in page.detail.timeline}


def test_unmatched_reported_to_is_linked_from_the_case_page_and_the_indicator_updates(window, ctx, dialogs, settle):
    from tests.db.helpers import incidents
    items = incidents(("2026-09-01", "2026-09-02"), ("2026-09-10", "2026-09-11")) + incidents(
        ("2026-10-01", "2026-10-03"), to="The housing office")
    created = create_application(ctx, application("2026-11-02", items=items))
    page = _open(window, settle, created.id)
    assert page.detail.qualifying_incidents == 2
    page.incidents.view.selectRow(2)
    clarion = next(a.id for a in __import__("app.services.agencies.directory", fromlist=["x"]).list_agencies(ctx)
                   if a.name == "Clarion Housing")
    dialogs.forms.append(_fill({"agency": str(clarion), "alias": "no"}))
    page.link_agency()
    settle()
    assert page.detail.qualifying_incidents == 3 and page.detail.incidents[2].agency_name == "Clarion Housing"
