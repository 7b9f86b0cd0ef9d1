"""The Agencies page: editing from the keyboard, problems shown in place, conflicts, names, linking."""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QAbstractButton, QAbstractItemView, QComboBox, QLabel, QLineEdit, QPlainTextEdit,
                               QWidget)

from app.services.agencies import directory as ag
from app.services.cases.summaries import case_summary
from app.services.common.ops import Part
from app.services.intake.applications import import_applications
from tests.conftest import FIXTURES, make_context
from tests.ui.keyboard import focused, press, tab, type_text

CTRL = Qt.KeyboardModifier.ControlModifier

@pytest.fixture(autouse=True)
def _directory_with_aliases(request):
    """These tests were written against a directory with aliases; give them one."""
    from tests.db.helpers import add_test_aliases
    for name in ("ctx", "pg_ctx"):
        if name in request.fixturenames:
            add_test_aliases(request.getfixturevalue(name))



@pytest.fixture
def page(qtbot, ctx, dialogs, tasks, settle) -> Iterator:
    from ui.main import make_application
    from ui.views.agencies import AgenciesPage
    make_application()
    p = AgenciesPage(ctx, dialogs)
    tasks.changed.connect(p.apply_changes)  # as the main window hands every operation's changes on
    qtbot.addWidget(p)
    p.resize(1300, 800)
    p.show()
    p.activateWindow()
    qtbot.waitActive(p)
    settle()  # the directory and the first agency, read off the UI thread
    yield p
    tasks.changed.disconnect(p.apply_changes)


def _choose(page, name: str) -> None:
    """Select an agency in the directory as the keyboard would: focus the table, move to its row."""
    from tests.ui.conftest import wait_idle
    page.table.setFocus()
    row = next(n for n, a in enumerate(page.model.rows) if a.name == name)
    current = page.table.currentIndex().row()
    press(Qt.Key.Key_Down if row > current else Qt.Key.Key_Up, times=abs(row - current))
    wait_idle()
    assert page.name_edit.text() == name


def _agency(ctx, name: str) -> ag.AgencyDetail:
    return ag.get_agency(ctx, next(a.id for a in ag.list_agencies(ctx) if a.name == name))


def test_directory_table_model_is_sound(page, qtmodeltester):
    qtmodeltester.check(page.model)
    assert page.model.rowCount() == 7
    kcc = page.model.row_of(_agency(page.ctx, "Kent County Council").id)
    assert [page.model.index(kcc, c).data() for c in range(5)] == [
        "Kent County Council", "other partner (county council)", "No", "KCC", "Yes"]


def test_edit_and_save_an_agency_entirely_from_the_keyboard(page, ctx, qtbot, tasks, settle):
    _choose(page, "Kent County Council")
    tab()
    assert focused() is page.name_edit
    tab(2)  # kind, then the relevant body tick box
    assert focused() is page.relevant_check
    press(Qt.Key.Key_Space)
    tab()
    type_text("asb@kent.gov.uk")
    tab()
    type_text("03000 41 41 41")
    tab()
    type_text("Sessions House, Maidstone")
    tab()
    assert focused() is page.postcode_edit
    type_text("me14 1xq")
    tab()
    assert focused() is page.aliases_edit
    press(Qt.Key.Key_End, CTRL)
    press(Qt.Key.Key_Return)
    type_text("Kent CC")
    tab()
    assert focused() is page.contacts_view
    type_text("Pat Officer")
    tab()
    type_text("Community safety lead")
    tab(3)  # email and phone left empty
    press(Qt.Key.Key_Space)  # panel member
    with qtbot.waitSignal(tasks.changed) as changed:  # what the main window hands to every view
        press(Qt.Key.Key_S, CTRL)
    settle()
    assert changed.args[0].touches(Part.AGENCIES)
    assert "Saved Kent County Council" in page.banner.text()
    saved = _agency(ctx, "Kent County Council")
    assert (saved.relevant_body, saved.email, saved.phone, saved.address, saved.postcode) == (
        True, "asb@kent.gov.uk", "03000 41 41 41", "Sessions House, Maidstone", "ME14 1XQ")
    assert saved.alias_names == ("KCC", "Kent CC")
    assert [(c.name, c.role, c.panel_member) for c in saved.contacts] == [
        ("Pat Officer", "Community safety lead", True)]
    assert page.model.index(page.model.row_of(saved.id), 2).data() == "Yes"
    assert not page.is_dirty()


def test_problems_are_shown_by_their_fields_and_nothing_typed_is_lost(page, ctx, settle):
    _choose(page, "Kent Police")
    page.name_edit.setFocus()
    page.name_edit.selectAll()
    press(Qt.Key.Key_Delete)
    page.email_edit.setText("not an address")
    page.aliases_edit.setPlainText("Police\nTWBC")
    page.contacts_model.set_rows([{"name": "", "role": "Inspector", "panel_member": False}])
    press(Qt.Key.Key_S, CTRL)
    settle()
    errors = {k: page.fields.errors[k].text() for k in ("name", "email", "aliases", "contacts")
              if page.fields.errors[k].isVisible()}
    assert errors == {"name": "⚠ Give the agency's name",
                      "email": "⚠ An email address needs an @, such as asb@example.gov.uk",
                      "aliases": "⚠ “TWBC” is already another name for Tunbridge Wells Borough Council",
                      "contacts": "⚠ Contact 1, name: a name is needed"}
    assert "Not saved yet: 4 things to put right" in page.banner.text()
    assert "Nothing you typed has been lost" in page.banner.text()
    assert focused() is page.name_edit  # the first problem, in form order
    assert (page.email_edit.text(), page.aliases_edit.toPlainText()) == ("not an address", "Police\nTWBC")
    assert page.contacts_model.values()[0]["role"] == "Inspector"
    assert _agency(ctx, "Kent Police").email == ""
    type_text("Kent Police")
    page.email_edit.setText("asb@kent.police.uk")
    page.aliases_edit.setPlainText("Police")
    page.contacts_model.set_rows([{"name": "Insp. Jones", "role": "Inspector", "panel_member": False}])
    assert page.save()
    settle()
    assert not any(label.isVisible() for label in page.fields.errors.values())
    assert "Saved Kent Police" in page.banner.text() and _agency(ctx, "Kent Police").email == "asb@kent.police.uk"


def test_a_conflict_names_who_keeps_the_typing_and_offers_to_reload(page, ctx, sqlite_url, dialogs, settle):
    _choose(page, "Kent Police")
    other = make_context(sqlite_url, actor="officer.two")
    opened = _agency(other, "Kent Police")
    ag.save_agency(other, opened.id, opened.version, replace(opened.as_input(), phone="101"))
    other.engine.dispose()
    page.email_edit.setText("asb@kent.police.uk")

    dialogs.answers = [False]  # keep what I typed
    page.save()
    settle()
    kind, title, text = dialogs.shown[-1]
    assert kind == "ask" and "officer.two" in text
    assert "Kent Police was changed by officer.two" in page.banner.text()
    assert page.email_edit.text() == "asb@kent.police.uk"  # nothing lost
    assert page.reload_button.isVisible()
    assert _agency(ctx, "Kent Police").email == ""  # and nothing overwritten

    dialogs.answers = [True]  # now reload their version
    page.save()
    settle()
    assert (page.phone_edit.text(), page.email_edit.text()) == ("101", "")
    assert "Reloaded the version saved by officer.two" in page.banner.text()
    page.email_edit.setText("asb@kent.police.uk")
    page.save()
    settle()
    assert "Saved Kent Police" in page.banner.text()
    saved = _agency(ctx, "Kent Police")
    assert (saved.phone, saved.email) == ("101", "asb@kent.police.uk")


def test_moving_to_another_agency_with_unsaved_changes_asks_first(page, dialogs, settle):
    _choose(page, "Clarion Housing")
    page.phone_edit.setText("0300 500 8000")
    dialogs.answers = [False]  # keep editing
    page.table.setFocus()
    press(Qt.Key.Key_Down)
    settle()
    assert page.name_edit.text() == "Clarion Housing" and page.phone_edit.text() == "0300 500 8000"
    assert page.table.currentIndex().row() == page.model.row_of(page.agency_id)
    dialogs.answers = [True]  # discard
    press(Qt.Key.Key_Down)
    settle()
    assert page.name_edit.text() == "Kent County Council" and page.phone_edit.text() == ""


def test_new_agency_then_make_it_inactive(page, ctx, dialogs, settle):
    page.new_button.setFocus()
    press(Qt.Key.Key_Space)
    assert focused() is page.name_edit and page.name_edit.text() == ""
    type_text("Southborough Town Council")
    tab()
    type_text("other partner")
    press(Qt.Key.Key_S, CTRL)
    settle()
    made = _agency(ctx, "Southborough Town Council")
    assert made.kind == "other partner" and not made.relevant_body
    assert page.agency_id == made.id
    assert page.table.currentIndex().row() == page.model.row_of(made.id)

    dialogs.answers = [True]
    page.active_button.click()
    settle()
    assert not _agency(ctx, "Southborough Town Council").active
    assert page.model.index(page.model.row_of(made.id), 4).data() == "No"
    assert page.active_button.text().replace("&", "") == "Make active"
    assert "inactive" in page.panel_title.text()
    page.active_button.click()
    settle()
    assert _agency(ctx, "Southborough Town Council").active
    assert page.model.index(page.model.row_of(made.id), 4).data() == "Yes"


def test_every_control_has_the_accessible_name_of_its_label(page):
    controls = [w for w in page.findChildren(QWidget)
                if isinstance(w, (QLineEdit, QPlainTextEdit, QComboBox, QAbstractButton, QAbstractItemView))
                and w.isVisibleTo(page) and w.focusPolicy() != Qt.FocusPolicy.NoFocus
                and not isinstance(w.parentWidget(), QComboBox)]
    assert len(controls) >= 14
    assert [type(w).__name__ for w in controls if not w.accessibleName().strip()] == []
    for label in page.findChildren(QLabel):
        if label.buddy() is not None:
            assert label.buddy().accessibleName() == label.text().replace("&", "").rstrip(": *")
    assert page.relevant_check.accessibleName() == "Relevant body"
    assert "relevant body is the council, the police" in page.relevant_check.accessibleDescription()
    assert page.table.accessibleName() == "Agency directory"
    assert page.unmatched.accessibleName() == "Names not matched to an agency"


def test_tab_order_follows_the_form(page):
    page.new_button.setFocus()
    seen = [focused()]
    for _ in range(12):
        tab()
        seen.append(focused())
    expected = [page.new_button, page.table, page.name_edit, page.kind_combo, page.relevant_check,
                page.email_edit, page.phone_edit, page.address_edit, page.postcode_edit, page.aliases_edit,
                page.contacts_view]
    assert seen[:len(expected)] == expected


def test_link_an_unmatched_name_to_an_agency_updates_the_case(page, qtbot, ctx, dialogs, tasks, settle):
    ids = {c.source_reference: c.id for c in import_applications(
        ctx, [FIXTURES / "public-applications.json"]).created}
    assert case_summary(ctx, ids["EXAMPLE-2"]).qualifying_incidents == 1
    assert page.unmatched.rowCount() == 0
    page.refresh()  # as F5 does (an import's changes do it too: see the next test)
    settle()
    assert page.unmatched.rowCount() == 1
    assert (page.unmatched.item(0, 0).text(), page.unmatched.item(0, 1).text()) == ("My neighbour", "1")

    page.link_selected_name()  # nothing chosen yet: says what to do, changes nothing
    assert "Choose a name" in page.banner.text()
    _choose(page, "Tunbridge Wells Borough Council")
    page.unmatched.setFocus()
    press(Qt.Key.Key_Down)  # the first name
    assert page.unmatched.currentRow() == 0
    dialogs.answers = [True]
    tab()
    assert focused() is page.link_button
    with qtbot.waitSignal(tasks.changed) as changed:
        press(Qt.Key.Key_Space)
    settle()
    assert changed.args[0].cases == {ids["EXAMPLE-2"]}  # the case page and list refresh that case
    assert dialogs.shown[-1][0] == "ask" and "count towards the threshold" in dialogs.shown[-1][2]
    assert "1 incident(s) in 1 case(s) linked" in page.banner.text()
    assert case_summary(ctx, ids["EXAMPLE-2"]).qualifying_incidents == 2
    assert page.unmatched.rowCount() == 0
    assert "My neighbour" in page.aliases_edit.toPlainText().splitlines()
    assert not page.is_dirty()


def test_an_import_elsewhere_refreshes_the_unmatched_names(page, ctx, tasks, settle):
    """Cases created by another view's operation: the page reads its names again, from the changes alone."""
    assert page.unmatched.rowCount() == 0
    tasks.op(import_applications, ctx, [FIXTURES / "public-applications.json"], owner=None, what="import")
    settle()
    assert page.unmatched.rowCount() == 1


def test_changes_that_do_not_touch_the_directory_read_nothing(page, tasks, monkeypatch, settle):
    from app.services.common.ops import Changes
    from ui.views import agencies
    read: list[object] = []
    real = agencies.read_directory
    monkeypatch.setattr(agencies, "read_directory", lambda ctx: read.append(ctx) or real(ctx))
    page.apply_changes(Changes.of(Part.SETTINGS))
    page.apply_changes(Changes.of_case(1, Part.NOTES))
    settle()
    assert read == []
    page.apply_changes(Changes.of(Part.AGENCIES))
    settle()
    assert len(read) == 1
    page.hide()  # a page nobody looks at reads nothing until it is shown again
    page.apply_changes(Changes.of(Part.AGENCIES))
    settle()
    assert len(read) == 1
    page.show()
    settle()
    assert len(read) == 2
