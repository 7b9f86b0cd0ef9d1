"""Taking applications without the mouse, in the real window with the event loop running: the telephone
call, the postal batch of five, grids left once and for good, focus kept in view, the wheel kept off answers."""
from __future__ import annotations

import pytest
from PySide6.QtCore import QDate, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QComboBox, QDateEdit, QSpinBox

from app.services.cases.summaries import list_cases
from tests.ui.keyboard import (CTRL, SHIFT, Keys, alt, back_tab, focused, in_view, press, settle, tab, type_text,
                               wheel)

# The reference call: the applicant's 8 answers, 3 incidents of 4 answers, the problem's 3 answers.
APPLICANT = [("applicant.title", "Ms"), ("applicant.first_name", "Asha"), ("applicant.last_name", "Patel"),
             ("applicant.address", "12 Example Road"), ("applicant.postcode", "TN1 1AA"),
             ("applicant.phone", "01892 000000"), ("applicant.email", "asha@example.org")]
CALL_INCIDENTS = [("02/10/2026", "03/10/2026", "Kent Police", "Loud music until 3am"),
                  ("10/10/2026", "11/10/2026", "TWBC", "Shouting in the street"),
                  ("01/11/2026", "02/11/2026", "Town and Country Housing", "Door kicked")]
FIELDS_FILLED = len(APPLICANT) + 1 + 3 * 4 + 3  # the consent answer is the applicant's eighth
TARGET = FIELDS_FILLED + 6  # one key per answer, and six more: open the form, leave the grid, save


def _step(expected) -> None:
    """After a key: focus where it should be, and on screen."""
    assert focused() is expected, f"focus is on {focused().accessibleName()!r}"
    assert in_view(), f"{focused().accessibleName()!r} has focus but is scrolled out of view"


def _leave_grid_and_wait(qtbot, expected) -> None:
    # The event loop runs half a second after leaving the grid: focus must not wander on by itself.
    _step(expected)
    qtbot.wait(500)
    assert focused() is expected, f"focus moved on by itself to {focused().accessibleName()!r}"


def _call_incident(view, row: int, values: tuple[str, str, str, str], last: bool, then) -> None:
    happened, reported, to, what = values
    assert view.currentIndex().row() == row and view.currentIndex().column() == 0
    for n, value in enumerate((happened, reported, to)):
        type_text(value)
        tab()
        assert focused() is view or view.isAncestorOf(focused())
        assert view.currentIndex().column() == n + 1 and in_view(view)
    type_text(what)
    if not last:
        press(Qt.Key.Key_Return, CTRL)  # the next incident: a new row, at its first cell
        assert view.currentIndex().row() == row + 1 and in_view(view)
    else:
        then()


def test_the_reference_call_needs_no_mouse_and_one_key_per_answer(qtbot, window, ctx):
    Keys.non_data = 0
    press(Qt.Key.Key_N, CTRL)  # 1: open the form
    form = window.applications.forms()[-1]
    w = form.fields.widgets
    _step(w["applicant.title"])
    for n, (key, value) in enumerate(APPLICANT):
        type_text(value)
        if key == "applicant.last_name":
            alt("d")  # Address: past the organisation, which the caller has not got
            _step(w["applicant.address"])
        elif key == "applicant.email":
            alt("g")  # the consent question
            _step(w["consent_to_share"])
        else:
            tab()
            _step(w[APPLICANT[n + 1][0]])
    type_text("Y")  # Yes
    assert form.fields.value("consent_to_share") == "yes"
    tab()  # into the incidents grid, at the first cell
    view = form.sections.incidents_view
    _step(view)

    def leave() -> None:
        alt("y")  # straight on to the type of ASB (the cell's text is kept)
        _leave_grid_and_wait(qtbot, w["asb_types"])
    for row, values in enumerate(CALL_INCIDENTS):
        _call_incident(view, row, values, last=row == len(CALL_INCIDENTS) - 1, then=leave)
    assert "Threshold NOT MET: 2 of 3" in form.threshold_panel.headline.text()  # TWBC is not an alias yet
    type_text("noise, verbal abuse")
    tab()
    _step(w["problem_location"])
    type_text("Example Road")
    alt("m")  # the impact, past the perpetrators grid
    _step(w["impact"])
    type_text("Cannot sleep")
    with qtbot.waitSignal(form.case_saved, timeout=10000):
        press(Qt.Key.Key_S, CTRL)  # save: one operation, off the UI thread
    assert form.saved is not None, form.banner.text()
    assert focused() is form.new_button  # the officer stayed in the form: focus moves on
    assert Keys.non_data <= TARGET, f"{Keys.non_data} keys that are not data, for {FIELDS_FILLED} answers"
    [case] = list_cases(ctx)
    assert (case.applicant, case.qualifying_incidents) == ("Ms Asha Patel", 2)
    rows = form.sections.incidents.values()
    assert [(r["happened"], r["reported_to"], r["description"]) for r in rows] == [
        (h, to, what) for h, _r, to, what in CALL_INCIDENTS]  # "TWBC" kept as said


def test_tab_out_of_a_grid_moves_once_and_stays(qtbot, window):
    form = window.new_telephone_application()
    view = form.sections.incidents_view
    w = form.fields.widgets
    w["consent_to_share"].setFocus()
    settle()
    tab()
    _step(view)
    assert (view.currentIndex().row(), view.currentIndex().column()) == (0, 0)
    tab()  # on the empty row: out of the grid, to the next field
    _leave_grid_and_wait(qtbot, w["asb_types"])
    back_tab()  # back into the grid: the current row's last cell
    _step(view)
    for _ in range(view.model().columnCount() - 1):
        back_tab()
    assert (view.currentIndex().row(), view.currentIndex().column()) == (0, 0)
    back_tab()  # Shift+Tab on the first cell: out, to the question before
    _leave_grid_and_wait(qtbot, w["consent_to_share"])
    # The perpetrators grid the same way, and Tab from a cell being edited.
    perpetrators = form.sections.perpetrators_view
    w["problem_location"].setFocus()
    settle()
    tab()
    _step(perpetrators)
    press(Qt.Key.Key_F2)  # edit the empty name, type nothing: Tab means done with the grid
    tab()
    _leave_grid_and_wait(qtbot, w["impact"])
    back_tab()
    _step(perpetrators)
    assert perpetrators.currentIndex().column() == 2
    back_tab()
    back_tab()
    assert perpetrators.currentIndex().column() == 0
    press(Qt.Key.Key_Right)  # no name given, only a description: the arrow moves within the row
    assert focused() is perpetrators and perpetrators.currentIndex().column() == 1
    type_text("Tall man, red car")
    tab(2)  # past the address; the row is no longer empty, so past its last cell is a new row
    assert perpetrators.currentIndex().row() == 1 and perpetrators.currentIndex().column() == 0
    tab()
    _leave_grid_and_wait(qtbot, w["impact"])
    assert form.sections.perpetrators.values()[0]["description"] == "Tall man, red car"


def test_tab_into_a_grid_starts_at_the_first_cell_of_the_current_row(qtbot, window):
    form = window.new_telephone_application()
    view = form.sections.incidents_view
    form.sections.incidents.set_rows([{"happened": "02/10/2026"}, {"happened": "03/10/2026"}])
    view.setCurrentIndex(view.model().index(1, 5))  # last used: row 2, agency's reference
    form.fields.widgets["consent_to_share"].setFocus()
    settle()
    tab()
    _step(view)
    assert (view.currentIndex().row(), view.currentIndex().column()) == (1, 0)


def test_ctrl_s_inside_a_cell_saves_what_the_cell_holds(qtbot, window, ctx):
    form = window.new_telephone_application()
    for key, value in {"applicant.last_name": "Reed", "consent_to_share": "yes"}.items():
        form.fields.set_value(key, value)
    view = form.sections.incidents_view
    form.sections.incidents.set_rows([{"happened": "02/10/2026", "reported_on": "03/10/2026"}])
    view.setFocus()
    view.setCurrentIndex(view.model().index(0, 2))
    settle()
    type_text("Kent Police")  # still being edited when Ctrl+S is pressed
    assert view.isAncestorOf(focused())
    with qtbot.waitSignal(form.case_saved, timeout=10000):
        press(Qt.Key.Key_S, CTRL)
    assert form.saved is not None, form.banner.text()
    assert list_cases(ctx)[0].qualifying_incidents == 1


def test_after_a_refused_save_focus_goes_to_the_first_problem_in_view(qtbot, window):
    form = window.new_telephone_application()
    for key, value in {"applicant.last_name": "Reed", "consent_to_share": "yes"}.items():
        form.fields.set_value(key, value)
    form.sections.incidents.set_rows([{"happened": "02/10/2026", "reported_on": "not a date",
                                       "reported_to": "Kent Police"}])
    form.fields.widgets["applicant.title"].setFocus()
    settle()
    press(Qt.Key.Key_S, CTRL)
    assert form.saved is None
    view = form.sections.incidents_view
    assert focused() is view and in_view()
    # The message is about "Reported on", so that is the cell with focus (not "Happened on").
    assert (view.currentIndex().row(), view.currentIndex().column()) == (0, 1)
    assert "Incident 1, reported on" in form.sections.incidents_error.text()
    assert form.banner.accessibleName().startswith("Not saved yet")  # the message itself, for a screen reader


def test_the_postal_batch_of_five_from_the_keyboard(qtbot, window, ctx):
    Keys.non_data = 0
    press(Qt.Key.Key_N, CTRL | SHIFT)
    form = window.applications.forms()[-1]
    w = form.fields.widgets
    _step(w["received_at"])
    type_text("23/11/2026")
    alt("t")  # the title (past "Received by", which says post, and the scan)
    for n, surname in enumerate(["Okoro", "Reed", "Hughes", "Banks", "Ahmed"]):
        if n:  # after Save and next: the title, the form at the top, the date kept
            _step(w["applicant.title"])
            assert form.form_scroll.verticalScrollBar().value() == 0
            assert form.fields.value("received_at") == "23/11/2026"
        type_text("Mr")
        tab()
        type_text("Sam")
        tab()
        type_text(surname)
        alt("d")
        type_text(f"{n + 1} Example Road")
        tab()
        type_text(f"TN4 0Z{n}")
        alt("g")
        type_text("Y")
        tab()
        for values in CALL_INCIDENTS:
            for value in values:
                type_text(value)
                tab()
            press(Qt.Key.Key_Return, CTRL)
        tab()  # leave the grid from the empty row
        _leave_grid_and_wait(qtbot, w["asb_types"])
        with qtbot.waitSignal(form.case_saved, timeout=10000):
            press(Qt.Key.Key_S, CTRL | SHIFT)  # Save and next
        assert "Ready for the next application" in form.banner.text()
    cases = list_cases(ctx)
    assert [c.applicant for c in cases] == [f"Mr Sam {s}" for s in ["Okoro", "Reed", "Hughes", "Banks", "Ahmed"]]
    assert {str(c.received_on) for c in cases} == {"2026-11-23"} and {c.channel for c in cases} == {"post"}
    per_application = (Keys.non_data - 3) / 5  # less opening the form and the date received
    assert per_application <= 8 + 3 * 4 + 6, Keys.non_data


@pytest.mark.parametrize("kind", ["choice", "spin box", "date box"])
def test_the_wheel_scrolls_the_form_and_never_changes_an_answer_without_focus(qtbot, window, kind):
    form = window.new_telephone_application()
    combo = form.fields.widgets["consent_to_share"]
    assert isinstance(combo, QComboBox)
    form.fields.set_value("consent_to_share", "yes")
    # The form asks no number and takes dates as typed text, so a spin box and a date box are put in
    # it beside the consent question, to show the rule holds for any control placed in the form.
    spin, day = QSpinBox(), QDateEdit(QDate(2026, 11, 25))
    spin.setValue(5)
    for extra in (spin, day):
        combo.parentWidget().layout().addWidget(extra)
    control, value = {"choice": (combo, combo.currentIndex), "spin box": (spin, spin.value),
                      "date box": (day, day.date)}[kind]
    title = form.fields.widgets["applicant.title"]
    title.setFocus()
    settle()
    bar = form.form_scroll.verticalScrollBar()
    bar.setValue(0)
    before = value()
    for _ in range(3):
        wheel(control)
    assert value() == before
    assert control.focusPolicy() == Qt.FocusPolicy.StrongFocus and focused() is title  # nor given focus
    assert bar.value() > 0  # the form scrolled instead


def test_ticking_on_behalf_brings_the_victims_questions_into_view(qtbot, window):
    form = window.new_telephone_application()
    box = form.sections.on_behalf
    box.setFocus()
    settle()
    press(Qt.Key.Key_Space)
    assert box.isChecked() and form.sections.victim_group.isVisible()
    qtbot.waitUntil(lambda: in_view(form.fields.widgets["victim.title"]), timeout=2000)
    tab(2)  # past the script, to the victim's title
    assert in_view()
    QTest.qWait(0)
