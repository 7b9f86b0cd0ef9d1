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
