"""The case page while its work is on the worker: typing carries on, the page says it is waiting, the
step buttons wait, focus stays where the officer put it, errors reach the officer in words and
nothing typed is lost, and a change elsewhere reads the page again only where it shows it.

The worker is held on an event the test controls (a wrapper around the service the page module
imported), never on a sleep; nothing here measures time.
"""
from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from PySide6.QtWidgets import QApplication

import ui.views.case_page.page as page_module
from app.services.cases import steps as wf
from app.services.common.ops import Changes, Part
from app.services.intake.applications import create_application
from tests.conftest import make_context
from tests.db.helpers import application


def _open(window, settle, case_id):
    page = window.open_case(case_id)
    window.activateWindow()
    settle()  # the case read, and the check for others' changes that activating the window asks for
    return page


class Held:
    """A service of the page held on the worker: `started` once it runs, it goes on when `release()`d."""

    def __init__(self) -> None:
        self.started = threading.Event()
        self.gate = threading.Event()

    def release(self) -> None:
        self.gate.set()


@pytest.fixture
def hold(monkeypatch) -> Iterator[Callable[[str], Held]]:
    """`hold("add_note")`: the page's service (the name the page module imported) waits until released."""
    held_ones: list[Held] = []

    def held(name: str) -> Held:
        one, real = Held(), getattr(page_module, name)
        held_ones.append(one)

        def waiting(*args: Any, **kwargs: Any) -> Any:
            one.started.set()
            one.gate.wait(60)  # released by the test (or, if the test fails first, by the fixture)
            return real(*args, **kwargs)
        monkeypatch.setattr(page_module, name, waiting)
        return one
    yield held
    for one in held_ones:
        one.release()


def _steps_enabled(page) -> list[bool]:
    return [b.isEnabled() for b in page._step_widgets()]


def test_typing_carries_on_while_a_note_is_saved_and_the_note_appears_when_released(
        qtbot, window, ctx, dialogs, settle, tasks, hold):
    created = create_application(ctx, application("2026-11-02"))
    page = _open(window, settle, created.id)
    note = hold("add_note")
    page.show_tab("notes")
    page.notes.new_note.setPlainText("Rang the applicant: no change")
    page.notes.add_button.click()
    assert note.started.wait(10)  # the note is on the worker, held there
    QApplication.processEvents()
    assert tasks.pending >= 1
    assert page.working.isVisibleTo(page)
    assert page.working.text() == "Waiting for the database to add the note…"
    assert page.step_buttons() and not any(_steps_enabled(page))  # no step on a version being changed

    page.show_tab("summary")  # the officer goes on working meanwhile
    box = page.summary.edits["vulnerability"]
    box.setFocus()
    qtbot.keyClicks(box, "Lives alone")
    assert box.toPlainText() == "Lives alone" and QApplication.focusWidget() is box
    assert page.detail.notes == ()  # not saved yet

    note.release()
    settle()
    assert [text for _at, _who, text in page.detail.notes] == ["Rang the applicant: no change"]
    assert QApplication.focusWidget() is box and box.toPlainText() == "Lives alone"  # nothing jumped, nothing lost
    assert page.summary.changed()  # still typed and not saved: the refresh did not overwrite it
    assert not page.working.isVisibleTo(page) and all(_steps_enabled(page))
    assert page.notes.notes_model.rowCount() == 1 and page.notes.new_note.toPlainText() == ""


def test_focus_on_a_step_button_rests_on_the_tabs_and_goes_back_only_if_still_there(
        qtbot, window, ctx, dialogs, settle, hold):
    created = create_application(ctx, application("2026-11-02"))
    page = _open(window, settle, created.id)
    note = hold("add_note")
    first = page._step_widgets()[0]
    first.setFocus()
    assert QApplication.focusWidget() is first
    page.add_note("First call made")
    assert note.started.wait(10)
    QApplication.processEvents()
    assert not first.isEnabled() and QApplication.focusWidget() is page.tabs.tabBar()
    note.release()
    settle()
    assert first.isEnabled() and QApplication.focusWidget() is first  # given back: the officer had not moved

    note = hold("add_note")
    first.setFocus()
    page.add_note("Second call made")
    assert note.started.wait(10)
    QApplication.processEvents()
    page.show_tab("summary")
    box = page.summary.edits["impact"]
    box.setFocus()  # the officer moves on while it waits
    note.release()
    settle()
    assert QApplication.focusWidget() is box  # not taken back to the step button
    assert len(page.detail.notes) == 2


def test_a_worker_failure_that_is_not_a_refusal_is_said_in_words_and_what_was_typed_is_kept(
        qtbot, window, ctx, dialogs, settle, monkeypatch):
    created = create_application(ctx, application("2026-11-02"))
    page = _open(window, settle, created.id)

    def full(*_args: Any, **_kwargs: Any) -> None:
        raise OSError(28, "No space left on device")
    monkeypatch.setattr(page_module, "add_note", full)
    monkeypatch.setattr(page_module, "update_case_details", full)
    page.summary.edits["vulnerability"].setPlainText("Lives alone")
    page.show_tab("notes")
    page.notes.new_note.setPlainText("Rang the applicant")
    page.notes.add_button.click()
    settle()
    kind, title, text = dialogs.shown[-1]
    assert (kind, title) == ("error", "Could not add the note")
    assert "disk is full" in text and "Traceback" not in text and "Errno" not in text
    assert page.notes.new_note.toPlainText() == "Rang the applicant" and page.detail.notes == ()

    page.show_tab("summary")
    page.summary.save_button.click()
    settle()
    kind, title, text = dialogs.shown[-1]
    assert (kind, title) == ("error", "Could not save the details") and "disk is full" in text
    assert page.summary.edits["vulnerability"].toPlainText() == "Lives alone"
    assert not page.working.isVisibleTo(page) and all(_steps_enabled(page))  # nothing left waiting


def test_changes_to_another_case_read_nothing_and_a_note_refills_only_the_notes(
        window, ctx, dialogs, settle, monkeypatch):
    created = create_application(ctx, application("2026-11-02"))
    other = create_application(ctx, application("2026-11-03"))
    page = _open(window, settle, created.id)
    page.show_tab("notes")
    page.show_tab("people")
    page.show_tab("summary")
    assert page.built_tabs() == ["summary", "people", "notes"]  # the others are not built until shown
    loads: list[int] = []
    real = page_module.load_case

    def counted(ctx_: Any, case_id: int, **kwargs: Any) -> Any:
        loads.append(case_id)
        return real(ctx_, case_id, **kwargs)
    monkeypatch.setattr(page_module, "load_case", counted)
    fills: list[str] = []
    for key in page.built_tabs():
        tab = page._built[key]
        monkeypatch.setattr(tab, "show_case", lambda d, key=key, fill=tab.show_case: fills.append(key) or fill(d))

    page.apply_changes(Changes.of_case(other.id))
    page.apply_changes(Changes.of(Part.MEETINGS, meetings=[1]))
    settle()
    assert loads == [] and fills == []

    page.show_tab("notes")
    page.apply_changes(Changes.of_case(created.id, Part.NOTES))
    settle()
    assert loads == [created.id] and fills == ["notes"]
    page.show_tab("people")
    page.show_tab("summary")
    assert fills == ["notes"]  # not stale: not filled again

    page.apply_changes(Changes.of_case(created.id, Part.PEOPLE))  # out of view: marked, filled when shown
    settle()
    assert loads == [created.id] * 2 and fills == ["notes"]
    page.show_tab("people")
    assert fills == ["notes", "people"]


def test_a_refresh_keeps_the_details_typed_and_not_saved_and_shows_the_rest(
        window, ctx, dialogs, settle, sqlite_url):
    created = create_application(ctx, application("2026-11-02"))
    page = _open(window, settle, created.id)
    page.summary.edits["vulnerability"].setPlainText("Lives alone")
    colleague = make_context(sqlite_url, actor="officer.two")
    wf.update_case_details(colleague, created.id, created.version, {"impact": "Cannot sleep."})
    colleague.engine.dispose()
    page.apply_changes(Changes.of_case(created.id))  # as the main window does when it learns of the save
    settle()
    assert page.summary.edits["impact"].toPlainText() == "Cannot sleep."  # what the colleague saved
    assert page.summary.edits["vulnerability"].toPlainText() == "Lives alone"  # what this officer typed
    assert page.summary.changed() and page.detail.impact == "Cannot sleep."
