"""The administration pages run their database work off the UI thread: held on an event, the page
says it is working, the buttons that would conflict wait, typing carries on, and the answer arrives
when the worker is released.

Each test replaces the service a view module imported with one that waits on a `threading.Event`
the test sets; nothing sleeps and nothing is timed.
"""
from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from types import ModuleType
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox

from tests.ui.keyboard import focused, press, type_text


@dataclass
class Held:
    started: threading.Event  # the worker has reached the service
    release: threading.Event  # the test lets it run

    def wait_started(self) -> None:
        assert self.started.wait(10), "the service never reached the worker"


@pytest.fixture
def hold(monkeypatch) -> Iterator[Callable[[ModuleType, str], Held]]:
    """`hold(module, name)`: the service `module` imported as `name` waits on the worker until released."""
    made: list[Held] = []

    def hold_(module: ModuleType, name: str) -> Held:
        real = getattr(module, name)
        held = Held(threading.Event(), threading.Event())

        def waiting(*args: Any, **kwargs: Any) -> Any:
            assert threading.current_thread() is not threading.main_thread(), "ran on the UI thread"
            held.started.set()
            held.release.wait(30)
            return real(*args, **kwargs)

        monkeypatch.setattr(module, name, waiting)
        made.append(held)
        return held

    yield hold_
    for held in made:  # a failed test must not leave a worker waiting for the next one
        held.release.set()


# --- agencies ---------------------------------------------------------------------------------------

@pytest.fixture
def agencies(qtbot, ctx, dialogs, tasks, settle):
    from tests.db.helpers import add_test_aliases
    from ui.main import make_application
    from ui.views.agencies import AgenciesPage
    add_test_aliases(ctx)
    make_application()
    page = AgenciesPage(ctx, dialogs)
    tasks.changed.connect(page.apply_changes)
    qtbot.addWidget(page)
    page.resize(1300, 800)
    page.show()
    page.activateWindow()
    qtbot.waitActive(page)
    settle()
    yield page
    tasks.changed.disconnect(page.apply_changes)


def _agency(ctx, name: str):
    from app.services.agencies import directory as ag
    return ag.get_agency(ctx, next(a.id for a in ag.list_agencies(ctx) if a.name == name))


def test_an_agency_saves_on_the_worker_while_typing_carries_on(agencies, ctx, hold, tasks, settle):
    from ui.views import agencies as module
    page = agencies
    page.table.setFocus()
    row = page.model.row_of(_agency(ctx, "Kent Police").id)
    press(Qt.Key.Key_Down, times=row - page.table.currentIndex().row())
    settle()
    assert page.name_edit.text() == "Kent Police"
    held = hold(module, "save_agency")
    page.phone_edit.setFocus()
    type_text("101")
    press(Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    held.wait_started()

    assert page.working.text() == "Saving: save the agency…"
    assert not page.save_button.isEnabled() and not page.active_button.isEnabled()
    assert not page.link_button.isEnabled() and not page.new_button.isEnabled()
    press(Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)  # a second Ctrl+S waits for the first
    assert tasks.pending == 1
    page.email_edit.setFocus()
    type_text("asb@kent.police.uk")  # the window takes typing while the save is pending
    assert page.email_edit.text() == "asb@kent.police.uk" and focused() is page.email_edit
    assert _agency(ctx, "Kent Police").phone == ""  # nothing saved yet

    held.release.set()
    settle()
    saved = _agency(ctx, "Kent Police")
    assert (saved.phone, saved.email) == ("101", "")  # what was typed before Ctrl+S
    assert page.working.text() == "" and page.save_button.isEnabled()
    assert page.email_edit.text() == "asb@kent.police.uk"  # the answer did not overwrite the typing
    assert focused() is page.email_edit  # nor move the focus
    assert "What you typed since is not saved yet" in page.banner.text() and page.is_dirty()
    press(Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)  # against the version just saved: no conflict
    settle()
    assert _agency(ctx, "Kent Police").email == "asb@kent.police.uk" and not page.is_dirty()


def test_an_agency_read_while_the_user_types_is_not_put_over_the_typing(agencies, ctx, hold, settle):
    from ui.views import agencies as module
    page = agencies
    first = page.name_edit.text()
    held = hold(module, "get_agency")
    page.table.setFocus()
    press(Qt.Key.Key_Down)
    held.wait_started()
    assert page.working.text() == "Loading…"
    page.phone_edit.setFocus()
    type_text("0800")
    held.release.set()
    settle()
    assert (page.name_edit.text(), page.phone_edit.text()) == (first, "0800")
    assert "is not shown: you typed in" in page.banner.text()
    assert page.table.currentIndex().row() == page.model.row_of(page.agency_id)


# --- data protection and the audit log ------------------------------------------------------------------

@pytest.fixture
def protection(qtbot, ctx, tasks, settle, tmp_path):
    from tests.ui.conftest import FakeDialogs
    from ui.views.data_protection import DataProtectionPage
    page = DataProtectionPage(ctx, FakeDialogs(), choose_folder=lambda _title: tmp_path / "out")
    tasks.changed.connect(page.apply_changes)
    qtbot.addWidget(page)
    page.resize(1000, 760)
    page.show()
    qtbot.waitExposed(page)
    settle()
    yield page
    tasks.changed.disconnect(page.apply_changes)


def _closed_case(ctx) -> int:
    from datetime import date

    from sqlalchemy import update

    from app.db.models import Case
    from app.services.intake.applications import create_application
    from tests.db.helpers import application
    case_id = create_application(ctx, application()).id
    with ctx.unit_of_work() as s:
        s.execute(update(Case).where(Case.id == case_id).values(status="closed", closed_on=date(2019, 3, 1)))
    return case_id


def test_a_subject_access_search_runs_on_the_worker_while_typing_carries_on(protection, ctx, hold, settle):
    from app.services.intake.applications import create_application
    from tests.db.helpers import application
    from ui.views import data_protection as module
    create_application(ctx, application())
    page = protection
    held = hold(module, "find_people")
    page.search_edit.setFocus()
    type_text("patel")
    press(Qt.Key.Key_Return)
    held.wait_started()
    assert page.message.text() == "Searching for 'patel'…"
    assert not page.search_button.isEnabled() and not page.export_button.isEnabled()
    type_text(" asha")  # the next search is typed while this one is on its way
    assert page.search_edit.text() == "patel asha" and focused() is page.search_edit
    held.release.set()
    settle()
    assert page.message.text() == "1 found for 'patel'." and len(page.people_model.rows) == 1
    assert page.search_button.isEnabled() and page.export_button.isEnabled()
    assert focused() is page.search_edit


def test_anonymising_waits_in_its_dialog_then_the_list_refreshes(protection, ctx, hold, settle):
    from ui.views import data_protection as module
    case_id = _closed_case(ctx)
    page = protection
    page.refresh_retention()
    settle()
    assert page.due_model.keys == [case_id]
    page.due_view.selectRow(0)
    held = hold(module, "anonymise_case")
    seen: dict[str, Any] = {}

    def filler(dialog) -> None:
        dialog.set_value("reason", "retention period ended")
        dialog.submit()
        held.wait_started()
        record = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
        seen["while"] = (dialog.message.text(), record.isEnabled(), dialog.isVisible())
        dialog.reject()  # Escape while it saves: the dialog stays, the answer is on its way
        seen["kept open"] = dialog.isVisible()
        page.search_edit.setText("typed meanwhile")
        held.release.set()

    page.dialogs.forms.append(filler)
    page.anonymise()
    assert seen["while"] == ("Saving…", False, True) and seen["kept open"]
    assert page.search_edit.text() == "typed meanwhile"
    assert "was anonymised" in page.message.text() and page.due_model.rows == []


def test_an_audit_page_is_read_on_the_worker_while_the_filters_take_typing(protection, hold, settle):
    from ui.views import audit_view as module
    page = protection
    audit = page.audit_view
    held = hold(module, "search_audit")
    page.tabs.setCurrentWidget(audit)  # the first look reads the log
    held.wait_started()
    assert audit.page_label.text() == "Loading…" and audit.reading
    assert not audit.export_button.isEnabled() and not audit.values_button.isEnabled()
    audit.actor_edit.setFocus()
    type_text("smith")
    assert audit.actor_edit.text() == "smith"
    held.release.set()
    settle()
    assert audit.model.rows and audit.page_label.text().startswith("Entries 1–")
    assert audit.export_button.isEnabled() and focused() is audit.actor_edit


# --- settings, the first run and the import ---------------------------------------------------------------

def test_the_council_details_save_on_the_worker_while_your_details_take_typing(qtbot, ctx, dialogs, tasks, hold,
                                                                              settle):
    from ui.views import settings_page as module
    from ui.views.settings_page import SettingsPage
    page = SettingsPage(ctx, dialogs)
    tasks.changed.connect(page.apply_changes)
    qtbot.addWidget(page)
    page.show()
    qtbot.waitExposed(page)
    settle()
    try:
        held = hold(module.settings, "save_council_details")
        page.council.fields.set_value("name", "Pembury Borough Council")
        page.council_button.click()
        held.wait_started()
        working = page.council_button.property("working_label")
        assert working.text() == "Saving: save the council details…"
        assert not page.council_button.isEnabled() and not page.deadlines_button.isEnabled()
        assert not page.me_button.isEnabled()
        name = page.me.fields.widgets["display_name"]
        name.setFocus()
        type_text(" Smith")
        assert name.text().endswith(" Smith") and focused() is name
        held.release.set()
        settle()
        assert ctx.settings().council.name == "Pembury Borough Council"
        assert dialogs.shown[-1][:2] == ("info", "Saved") and working.text() == ""
        assert page.council_button.isEnabled() and page.me_button.isEnabled()
        assert name.text().endswith(" Smith") and focused() is name  # the refresh left the typing alone
    finally:
        tasks.changed.disconnect(page.apply_changes)


def test_the_set_up_waits_in_its_dialog_while_it_saves(qtbot, ctx, hold, settle):
    from app.services.admin import settings
    from ui.views.first_run import FirstRunDialog
    dialog = FirstRunDialog(ctx)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    settle()
    held = hold(settings, "complete_set_up")  # the dialog calls it through the module
    for key, value in (("display_name", "Jo Smith"), ("phone", "01892 554000"), ("email", "jo@example.gov.uk")):
        dialog.me.fields.set_value(key, value)
    dialog.save_button.click()
    held.wait_started()
    assert dialog.message.text() == "Saving: save the set-up…"
    assert not dialog.save_button.isEnabled() and not dialog.demo_button.isEnabled()
    dialog.reject()  # Escape (or Later) while it saves: the answer must not be lost
    assert dialog.isVisible()
    job = dialog.me.fields.widgets["job_title"]
    job.setFocus()
    type_text("ASB officer")
    assert job.text() == "ASB officer"
    held.release.set()
    settle()
    assert dialog.result() == dialog.DialogCode.Accepted and not settings.needs_set_up(ctx)


def test_the_import_preview_is_read_on_the_worker(qtbot, ctx, hold, settle, tmp_path):
    import shutil

    from tests.conftest import FIXTURES
    from ui.views import import_dialog as module
    source = tmp_path / "online.json"
    shutil.copy(FIXTURES / "public-applications.json", source)
    held = hold(module, "import_applications")
    dialog = module.ImportDialog(ctx, [source])  # the window does not wait for the files to be read
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    held.wait_started()
    assert dialog.summary.text() == "online.json: reading the files…" and not dialog.import_button.isEnabled()
    held.release.set()
    settle()
    assert "3 application(s) will be created" in dialog.summary.text() and dialog.import_button.isEnabled()
    held = hold(module, "import_applications")  # held again: the import itself
    dialog.import_button.click()
    held.wait_started()
    assert dialog.summary.text() == "Saving: import the applications…"
    assert not any(b.isEnabled() for b in dialog.buttons.buttons())
    dialog.reject()
    assert dialog.isVisible() and dialog.result_report is None
    held.release.set()
    settle()
    assert dialog.result() == dialog.DialogCode.Accepted and len(dialog.result_report.created) == 3
