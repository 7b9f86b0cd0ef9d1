"""The rest of the app from the keyboard, with the event loop running: find a case, open it, run its
steps, close its tab, sort the list, refresh; and the list of keys in Help says what the keys do."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction

from app.services.intake.applications import create_application
from tests.db.helpers import APPLICANT, application
from tests.ui.conftest import wait_idle
from tests.ui.keyboard import ALT, CTRL, alt, focused, press, settle, tab, type_text


def _case(ctx, surname: str):
    from dataclasses import replace
    return create_application(ctx, application("2026-11-02", applicant=replace(APPLICANT, last_name=surname)))


def _list_again(window) -> None:
    """Cases made behind the window's back (as another officer would): the list read again, as F5 does."""
    window.cases_page.refresh()
    wait_idle()


def test_find_open_and_close_a_case_without_the_mouse(qtbot, window, ctx):
    first, second = _case(ctx, "Okafor"), _case(ctx, "Reed")
    _list_again(window)
    window.new_telephone_application()  # somewhere else, with focus in a form
    press(Qt.Key.Key_F, CTRL)
    page = window.cases_page
    assert window.pages.currentIndex() == 1 and focused() is page.search
    type_text("okaf")  # typed into the search, never into a filter
    qtbot.waitUntil(lambda: page.model.rowCount() == 1, timeout=3000)
    assert page.status_filter.currentIndex() == 0
    press(Qt.Key.Key_Down)
    assert focused() is page.table and page.current_case_id() == first.id
    press(Qt.Key.Key_Return)
    wait_idle()
    case_page = window.cases_section.currentWidget()
    assert case_page.case_id == first.id and case_page.isAncestorOf(focused())
    press(Qt.Key.Key_W, CTRL)  # Ctrl+W closes the case's tab, back to the search
    assert window.cases_section.count() == 1 and focused() is page.search
    press(Qt.Key.Key_W, CTRL)  # nothing more to close here: the list stays
    assert window.cases_section.count() == 1
    page.search.clear()
    qtbot.waitUntil(lambda: page.model.rowCount() == 2, timeout=3000)
    tab()  # one Tab from the search to the results
    assert focused() is page.table
    assert second.id in page.model.ids


def test_the_case_list_opens_in_its_search_box_and_sorts_from_the_keyboard(qtbot, window, ctx):
    for surname in ("Young", "Adams", "Moore"):
        _case(ctx, surname)
    _list_again(window)
    press(Qt.Key.Key_2, CTRL)
    page = window.cases_page
    assert focused() is page.search
    alt("b")  # Sort by
    assert focused() is page.sort_combo
    press(Qt.Key.Key_Home)  # the first choice, the reference; the applicant is the next
    press(Qt.Key.Key_Down)
    wait_idle()
    assert page.sort_combo.currentData() == "applicant" and page.model.query.sort == "applicant"
    surnames = [page.model.row_values(r).applicant.split()[-1] for r in range(page.model.rowCount())]
    assert surnames == ["Adams", "Moore", "Young"]
    alt("d")  # Order
    press(Qt.Key.Key_Down)
    wait_idle()
    assert page.model.query.descending
    assert page.table.horizontalHeader().sortIndicatorOrder() == Qt.SortOrder.DescendingOrder
    assert [page.model.row_values(r).applicant.split()[-1] for r in range(3)] == ["Young", "Moore", "Adams"]


def test_f5_refreshes_the_view_in_front(qtbot, window, ctx):
    press(Qt.Key.Key_2, CTRL)
    wait_idle()
    page = window.cases_page
    assert page.model.rowCount() == 0
    _case(ctx, "Okafor")  # saved elsewhere (another officer)
    press(Qt.Key.Key_F5)
    wait_idle()
    assert page.model.rowCount() == 1
    case_page = window.open_case(page.model.case_id(0))
    wait_idle()
    case_page.summary.edits["vulnerability"].setPlainText("Typed, not saved")
    press(Qt.Key.Key_F5)  # the case again, what was typed kept
    wait_idle()
    assert case_page.summary.edits["vulnerability"].toPlainText() == "Typed, not saved"
    window.dialogs.answers = [False]  # Ctrl+W asks first: keep it open
    press(Qt.Key.Key_W, CTRL)
    assert window.dialogs.shown[-1][1] == "Close without saving?" and window.cases_section.count() == 2


def test_a_step_from_the_keyboard_alt_letter_then_the_dialog(qtbot, window, ctx):
    created = _case(ctx, "Okafor")
    page = window.open_case(created.id)
    wait_idle()
    seen = {}

    def fill(dialog) -> None:  # the dialog as the keyboard meets it (it is not run modally here)
        dialog.show()
        qtbot.waitExposed(dialog)
        dialog.activateWindow()
        settle()
        seen["first"] = focused().accessibleName()
        tab()  # past the date withdrawn (today) to the reason
        type_text("Moved away")
        alt("r")  # Record (a button pressed by its key clicks a moment later, as it shows the press)
        qtbot.waitUntil(lambda: dialog.result() == dialog.DialogCode.Accepted, timeout=2000)
    window.dialogs.forms.append(fill)  # the dialog service runs the step's dialog: filled from the keyboard
    alt("w")  # Withdrawn…
    qtbot.waitUntil(lambda: page.detail.status == "withdrawn", timeout=3000)
    assert seen["first"] == "Date withdrawn"
    window.activateWindow()  # as when a modal dialog closes
    wait_idle()
    assert page.isAncestorOf(focused())  # back where it was (the step buttons were made again)
    assert "Close the case" in page.step_buttons()
    alt("3")  # the third tab: incidents and threshold
    assert page.tabs.currentIndex() == 2
    press(Qt.Key.Key_Tab, ALT)  # Alt+Tab is the window manager's; nothing here changes
    assert page.tabs.currentIndex() == 2


def test_help_lists_every_key_of_the_window(window):
    from ui.views.shortcuts_dialog import ShortcutsDialog, all_shortcuts
    listed = " ".join(keys for _where, keys, _what in all_shortcuts())
    shortcuts = {a.shortcut().toString() for a in window.findChildren(QAction) if not a.shortcut().isEmpty()}
    sections = {f"Ctrl+{n}" for n in range(1, 9)}  # listed together as "Ctrl+1 … Ctrl+8"
    assert sections <= shortcuts and "Ctrl+1 … Ctrl+8" in listed
    missing = sorted(k for k in shortcuts - sections if k not in listed.split(", ") and k not in listed.split())
    assert missing == []
    window.show_shortcuts()  # F1: shown by the dialog service, to read
    [dialog] = window.dialogs.previews
    assert isinstance(dialog, ShortcutsDialog) and dialog.table.rowCount() == len(all_shortcuts())
    assert dialog.table.item(0, 1).text() == "Ctrl+F"
