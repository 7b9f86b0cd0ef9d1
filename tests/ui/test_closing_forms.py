"""Ctrl+W on an application form's tab, from the keyboard: typed work is never thrown away without asking,
and an untouched (or saved) form closes at once."""
from __future__ import annotations

from PySide6.QtCore import Qt

from tests.ui.keyboard import CTRL, focused, press, settle, type_text

QUESTION = "Discard this application?"


def _asked(dialogs) -> list[str]:
    return [title for kind, title, _text in dialogs.shown if kind == "ask"]


def _type_a_surname(form, surname: str = "Reed") -> None:
    edit = form.fields.widgets["applicant.last_name"]
    edit.setFocus(Qt.FocusReason.OtherFocusReason)
    settle()
    assert focused() is edit
    type_text(surname)


def test_ctrl_w_on_a_form_with_typing_asks_and_no_keeps_the_tab_and_the_text(window, dialogs):
    form = window.new_telephone_application()
    _type_a_surname(form)
    tabs = window.applications.count()
    dialogs.answers = [False]  # "Keep it"
    press(Qt.Key.Key_W, CTRL)
    assert _asked(dialogs) == [QUESTION]
    assert form in window.applications.forms() and window.applications.count() == tabs
    assert window.applications.currentWidget() is form
    assert form.fields.value("applicant.last_name") == "Reed"
    dialogs.answers = [True]  # asked again: "Discard"
    press(Qt.Key.Key_W, CTRL)
    assert _asked(dialogs) == [QUESTION, QUESTION]
    assert form not in window.applications.forms() and window.applications.count() == tabs - 1


def test_ctrl_w_on_an_untouched_form_closes_it_without_asking(window, dialogs):
    form = window.new_telephone_application()
    tabs = window.applications.count()
    assert window.isAncestorOf(focused())
    press(Qt.Key.Key_W, CTRL)
    assert _asked(dialogs) == []
    assert form not in window.applications.forms() and window.applications.count() == tabs - 1


def test_ctrl_w_on_a_saved_form_closes_it_without_asking(window, dialogs, settle):
    from tests.ui.test_intake_form import INCIDENTS, _fill_applicant
    form = window.new_telephone_application()
    _fill_applicant(form)
    form.sections.incidents.set_rows(INCIDENTS)
    assert form.save()
    settle()
    assert form.saved is not None
    form.new_button.setFocus(Qt.FocusReason.OtherFocusReason)
    press(Qt.Key.Key_W, CTRL)
    assert _asked(dialogs) == [] and form not in window.applications.forms()
