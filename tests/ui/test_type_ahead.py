"""Choosing an agency in a step's form by typing its name, as an officer does: key by key, spaces included."""
from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from app.services.intake.applications import create_application
from tests.db.helpers import application
from tests.ui.keyboard import focused, press, settle, type_text


@pytest.fixture
def patient_typing(qapp) -> Iterator[None]:
    """A slow test machine must not make two keys typed together look like two searches."""
    before = QApplication.keyboardInputInterval()
    QApplication.setKeyboardInputInterval(60_000)
    yield
    QApplication.setKeyboardInputInterval(before)


def _focus_the_combo(qtbot, dialog, key: str):
    """The dialog shown and active, and focus in its agency box, as the officer's Tab would leave it."""
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.activateWindow()
    combo = dialog.inputs[key]
    combo.setFocus(Qt.FocusReason.OtherFocusReason)
    settle()
    return combo


def test_an_agency_is_chosen_by_typing_its_name_with_the_space(qtbot, window, ctx, dialogs, settle,
                                                               patient_typing):
    created = create_application(ctx, application("2026-11-02"))
    page = window.open_case(created.id)
    settle()
    seen: dict[str, object] = {}

    def type_into_the_agency(dialog) -> None:
        combo = _focus_the_combo(qtbot, dialog, "agency")
        assert focused() is combo
        type_text("Kent Police")  # each key to whatever has focus, with events let run after it
        seen["typed"] = combo.currentText()
        seen["popup"] = combo.view().isVisible()
        seen["focus"] = focused() is combo
        press(Qt.Key.Key_Home)  # not typing: what was typed is forgotten (and the first agency chosen)
        type_text("TWBC")  # the council's initials, which no alias holds
        seen["initials"] = combo.currentText()
        combo.hidePopup()
        dialog.reject()

    dialogs.forms.append(type_into_the_agency)
    page.add_action()  # "Add what an agency did": the agencies are read, then its form is run
    settle()
    assert len(dialogs.ran) == 1, "the form was not run"
    assert seen == {"typed": "Kent Police", "popup": False, "focus": True,
                    "initials": "Tunbridge Wells Borough Council"}


def test_the_agency_that_started_a_review_is_found_by_its_initials_too(qtbot, ctx, patient_typing):
    from app.services.agencies.directory import list_agencies
    from ui.views.agency_started_dialog import agency_started_dialog
    dialog = agency_started_dialog(ctx, None, list_agencies(ctx))
    qtbot.addWidget(dialog)
    combo = _focus_the_combo(qtbot, dialog, "agency")
    type_text("KFRS")
    assert combo.currentText() == "Kent Fire and Rescue Service"
    press(Qt.Key.Key_Home)
    type_text("Kent Police")
    assert combo.currentText() == "Kent Police" and not combo.view().isVisible()


def test_a_secondary_reviews_new_recommendation_is_to_an_agency_found_by_its_initials(qtbot, window, ctx, dialogs,
                                                                                     settle, patient_typing):
    from datetime import date

    from app.services.cases import secondary_review as follow_up
    from tests.db.helpers import send_letter
    from tests.db.letter_cases import reviewed_case
    from ui.views.case_page import steps
    case_id = reviewed_case(ctx)
    sent = send_letter(ctx, case_id, "findings", date(2026, 11, 23))
    follow_up.request_secondary_review(ctx, case_id, sent.version, requested_on=date(2026, 11, 24),
                                       requested_by="Ms Asha Patel", grounds="Not listened to")
    page = window.open_case(case_id)
    settle()
    seen: dict[str, str] = {}

    def type_into_the_agency(dialog) -> None:
        combo = _focus_the_combo(qtbot, dialog, "rec_agency")
        type_text("TWBC")
        seen["initials"] = combo.currentText()
        press(Qt.Key.Key_Home)
        type_text("Kent Police")
        seen["name"] = combo.currentText()
        dialog.reject()

    dialogs.forms.append(type_into_the_agency)
    steps.secondary_completed(page)
    settle()
    assert seen == {"initials": "Tunbridge Wells Borough Council", "name": "Kent Police"}
