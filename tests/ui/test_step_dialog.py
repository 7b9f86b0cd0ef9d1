"""The step dialog on a small screen: its form scrolls inside the screen and follows the focus, a date
field says the format it wants, and the wheel over a control scrolls the form, never the answer."""
from __future__ import annotations

import pytest
from PySide6.QtCore import QDate, QSize
from PySide6.QtWidgets import QApplication, QDateEdit, QLabel, QScrollArea, QSpinBox, QWidget

import ui.screen
from tests.ui.keyboard import in_view, settle, wheel
from ui.views.case_page.step_dialog import StepDialog, StepField

MANY = [StepField(f"q{n}", f"Question {n}", "text", required=False) for n in range(30)]
SENT_BY = StepField("method", "Sent by", "choice", [("post", "Post"), ("email", "Email"), ("hand", "By hand")])


@pytest.fixture
def guard(qapp) -> None:
    """The app-wide keyboard and wheel rules of ui.focus, installed as the app runs with them."""
    from ui.main import make_application
    make_application()


@pytest.fixture
def small_screen(monkeypatch) -> QSize:
    """Less room than any of these forms needs (ui.screen measures the room on the screen)."""
    room = QSize(640, 420)
    monkeypatch.setattr(ui.screen, "available", lambda _widget: QSize(room))
    return room


def _shown(qtbot, fields: list[StepField], intro: str = "Answer what you can.") -> StepDialog:
    dialog = StepDialog("Many questions", intro, fields, lambda values: values)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.activateWindow()
    qtbot.waitActive(dialog)
    settle()
    return dialog


def _form_scroll(dialog: StepDialog) -> QScrollArea:
    area = dialog.findChild(QScrollArea)
    assert area is not None, "the form is not in a scroll area"
    return area


def test_a_tall_step_dialog_stays_on_the_screen_and_its_form_scrolls_to_the_focus(qtbot, guard, small_screen):
    dialog = _shown(qtbot, MANY)
    assert dialog.width() <= small_screen.width() and dialog.height() <= small_screen.height()
    area = _form_scroll(dialog)
    first, last = dialog.inputs["q0"], dialog.inputs["q29"]
    assert area.widgetResizable() and area.widget().isAncestorOf(first) and area.widget().isAncestorOf(last)
    assert area.verticalScrollBar().maximum() > 0  # the form is taller than the room: it scrolls
    for button in dialog.buttons.buttons():  # Record and Cancel stay on the dialog, under the form
        assert dialog.rect().contains(button.geometry().translated(dialog.buttons.pos()))
    assert QApplication.focusWidget() is first and in_view(first)
    assert not in_view(last)
    last.setFocus()
    qtbot.waitUntil(lambda: in_view(last), timeout=2000)
    assert QApplication.focusWidget() is last
    assert not [label.text() for label in dialog.findChildren(QLabel) if label.isVisible() and label.wordWrap()
                and label.height() < label.heightForWidth(label.width())]


def _visible_labels(field: QWidget) -> list[QLabel]:
    """The labels shown with a field (in the box that holds it and its problem)."""
    return [label for label in field.parentWidget().findChildren(QLabel) if label.isVisible()]


def test_date_fields_show_the_format_under_them_and_say_it(qtbot, guard):
    dialog = _shown(qtbot, [StepField("on", "Date sent", "date"),
                            StepField("starts", "Date and time", "datetime", hint="dd/mm/yyyy hh:mm"),
                            StepField("note", "Note", "text", hint="what was said")])
    hints = {}
    for key, wanted in (("on", "dd/mm/yyyy"), ("starts", "dd/mm/yyyy hh:mm")):
        field = dialog.inputs[key]
        [hint] = _visible_labels(field)
        assert hint.text().endswith(wanted), hint.text()
        assert hint.geometry().top() >= field.geometry().bottom()  # under the field, not beside it
        assert hint.text() in field.accessibleDescription()
        assert field.accessibleDescription().count(wanted) == 1  # a hint that gives the format is not said twice
        hints[key] = hint.text()
    note = dialog.inputs["note"]
    assert _visible_labels(note) == [] and note.accessibleDescription() == "what was said"

    dialog.set_value("on", "31/02/2026")
    dialog.submit()  # refused here, before any operation: the note is missing, the date impossible
    on = dialog.inputs["on"]
    assert on.accessibleDescription().startswith("Problem: ") and hints["on"] in on.accessibleDescription()
    assert any(label.text() == hints["on"] for label in _visible_labels(on))  # still shown with the problem
    dialog.set_value("on", "25/11/2026")
    dialog.submit()  # the note is still missing; the date is right now
    assert on.accessibleDescription() == hints["on"]


@pytest.mark.parametrize("kind", ["choice", "spin box", "date box"])
def test_the_wheel_over_a_control_in_a_step_dialog_scrolls_the_form_not_the_answer(qtbot, guard, small_screen,
                                                                                     kind):
    dialog = _shown(qtbot, [StepField("first", "First question", "text", required=False), SENT_BY, *MANY])
    combo = dialog.inputs["method"]
    # The dialogs ask no number and take dates as typed text, so a spin box and a date box are put
    # in the form beside the choice, to show the rule holds for any control placed there.
    spin, day = QSpinBox(), QDateEdit(QDate(2026, 11, 25))
    spin.setValue(5)
    for extra in (spin, day):
        combo.parentWidget().layout().addWidget(extra)
    settle()
    control, value = {"choice": (combo, combo.currentIndex), "spin box": (spin, spin.value),
                      "date box": (day, day.date)}[kind]
    dialog.inputs["first"].setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is dialog.inputs["first"], timeout=2000)
    bar = _form_scroll(dialog).verticalScrollBar()
    bar.setValue(0)
    before = value()
    for _ in range(3):
        wheel(control)
    assert value() == before
    assert not control.hasFocus() and QApplication.focusWidget() is dialog.inputs["first"]
    assert bar.value() > 0  # the form scrolled instead


def test_with_room_on_the_screen_the_dialog_is_as_tall_as_its_form_and_nothing_scrolls(qtbot):
    """Measured again when shown: laid out with its style the form came out a few pixels taller than
    measured before, and a scroll bar appeared over a form that was all there."""
    from datetime import date
    fields = [StepField("held_at", "Date and time held", "datetime"),
              StepField("sent_on", "Date sent", "date", default=date(2026, 12, 2)), SENT_BY]
    dialog = _shown(qtbot, fields, intro="Record when the panel met. A meeting cannot be held before the "
                                         "date it was planned for, or in the future.")
    area = dialog.findChild(QScrollArea)
    assert area is not None and not area.verticalScrollBar().isVisible()
    assert area.widget().height() <= area.viewport().height()
