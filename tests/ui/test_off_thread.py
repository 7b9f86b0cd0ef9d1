"""Work off the UI thread, shown by holding the worker on an event the test controls: the window takes
typing while a save waits, the result arrives when the worker is let go, focus stays where the officer
went, and a failure on the worker reaches the officer in words with nothing typed lost. No timing."""
from __future__ import annotations

import importlib
import threading
from collections.abc import Callable
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from app.services.cases.summaries import list_cases
from app.services.intake.support import list_drafts
from tests.ui.test_intake_form import INCIDENTS, _fill_applicant

HELD_FOR_S = 30  # a test that forgets to let go fails instead of hanging


class Gate:
    """Replaces a service the view imported (`ui.views.intake.form.save_application`) by one that waits
    on the worker until `release()`. `entered` is set once the worker is inside it."""

    def __init__(self, monkeypatch: Any, target: str, *, then: Callable[..., Any] | None = None) -> None:
        module_name, name = target.rsplit(".", 1)
        module = importlib.import_module(module_name)
        self.real = then or getattr(module, name)
        self.entered = threading.Event()
        self._open = threading.Event()
        self.calls = 0
        self.on_ui_thread = False

        def held(*args: Any, **kwargs: Any) -> Any:
            self.calls += 1
            self.on_ui_thread = threading.current_thread() is threading.main_thread()
            self.entered.set()
            if not self._open.wait(HELD_FOR_S):
                raise TimeoutError(f"{target} was held and never let go")
            return self.real(*args, **kwargs)

        monkeypatch.setattr(module, name, held)

    def release(self) -> None:
        self._open.set()


def _focused():
    widget = QApplication.focusWidget()
    assert widget is not None, "nothing has keyboard focus"
    return widget


def test_while_a_save_is_held_another_form_takes_typing_and_the_case_arrives_when_let_go(
        qtbot, window, ctx, monkeypatch, settle):
    first = window.new_telephone_application()
    settle()
    _fill_applicant(first)
    first.sections.incidents.set_rows(INCIDENTS)
    gate = Gate(monkeypatch, "ui.views.intake.form.save_application")
    assert first.save()
    qtbot.waitUntil(gate.entered.is_set, timeout=10000)
    assert not gate.on_ui_thread
    # The form waiting says so, and what would conflict is off; the window says work is going on.
    assert first.saving and first.working.isVisibleTo(first) and first.working.text().startswith("Saving")
    assert not any(b.isEnabled() for b in (first.save_button, first.save_ack_button, first.save_next_button))
    assert window.working_label.text() == "Working…"
    # A second caller: a second telephone form, typed into while the first is still saving.
    second = window.new_telephone_application()
    surname = second.fields.widgets["applicant.last_name"]
    surname.setFocus(Qt.FocusReason.OtherFocusReason)
    qtbot.keyClicks(surname, "Okoro")
    assert second.fields.value("applicant.last_name") == "Okoro"
    assert second.save_button.isEnabled() and not second.saving
    assert list_cases(ctx) == []  # nothing has been saved yet: the worker is still held
    with qtbot.waitSignal(first.case_saved, timeout=10000) as saved:
        gate.release()
    settle()
    [case] = list_cases(ctx)
    assert saved.args == [case.id, case.reference] and first.saved is not None
    assert "Saved as" in first.banner.text() and not first.working.isVisibleTo(first)
    # The officer went on to the second form: the save landing did not take the focus back.
    assert _focused() is surname and window.applications.currentWidget() is second
    assert second.fields.value("applicant.last_name") == "Okoro"
    assert window.working_label.text() == ""


def test_after_a_held_save_lands_the_focus_moves_on_when_the_officer_stayed(qtbot, window, ctx, monkeypatch,
                                                                              settle):
    form = window.new_postal_application()
    settle()
    form.fields.set_value("received_at", "23/11/2026")
    _fill_applicant(form)
    form.sections.incidents.set_rows(INCIDENTS)
    form.fields.widgets["impact"].setFocus(Qt.FocusReason.OtherFocusReason)
    gate = Gate(monkeypatch, "ui.views.intake.form.save_application")
    assert form.save(then_next=True)
    qtbot.waitUntil(gate.entered.is_set, timeout=10000)
    qtbot.keyClicks(form.fields.widgets["impact"], "typed while saving")
    assert form.fields.value("impact") == ""  # not taken: it would not have been in the case
    with qtbot.waitSignal(form.case_saved, timeout=10000):
        gate.release()
    settle()
    assert _focused() is form.fields.widgets["applicant.title"]  # Save and next: the next application
    assert form.fields.value("received_at") == "23/11/2026" and form.save_button.isEnabled()


def test_a_full_disk_on_the_worker_reaches_the_officer_in_words_and_nothing_typed_is_lost(
        qtbot, window, ctx, monkeypatch, dialogs, settle, tmp_path):
    import ui.views.intake.drafts as drafts_module
    import ui.views.intake.form as form_module
    monkeypatch.setattr(drafts_module, "local_drafts_dir", lambda: tmp_path / "unsaved")
    form = window.new_telephone_application()
    settle()
    _fill_applicant(form)
    form.sections.incidents.set_rows(INCIDENTS)
    where: list[bool] = []

    def full(*_args: Any, **_kwargs: Any) -> Any:
        where.append(threading.current_thread() is threading.main_thread())
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(form_module, "save_application", full)
    assert form.save()
    settle()
    assert where == [False]  # it failed on the worker
    [(kind, title, text)] = dialogs.shown
    assert kind == "error" and "disk is full" in text and "Everything you typed is still in the form" in text
    assert "Traceback" not in text and "Errno" not in text
    assert form.saved is None and not form.saving and form.save_button.isEnabled()
    assert form.fields.value("applicant.last_name") == "Patel"
    assert [r["description"] for r in form.sections.incidents.values()] == [i["description"] for i in INCIDENTS]
    assert not form.fields.widgets["applicant.last_name"].isReadOnly()  # and it can be typed into again
    [draft] = list_drafts(ctx)  # kept as a draft too, in case the app is closed before it is saved
    assert draft.payload["applicant.last_name"] == "Patel"


def test_the_status_bar_says_working_while_anything_is_pending(qtbot, window, ctx, monkeypatch, settle):
    settle()
    gate = Gate(monkeypatch, "ui.main_window.list_agencies")
    window._reload_directory()
    qtbot.waitUntil(gate.entered.is_set, timeout=10000)
    assert window.working_label.text() == "Working…"
    typed = window.new_telephone_application()  # the window is not waiting for it
    qtbot.keyClicks(typed.fields.widgets["applicant.title"], "Mr")
    assert typed.fields.value("applicant.title") == "Mr"
    gate.release()
    settle()
    assert window.working_label.text() == "" and window.directory is not None
    assert "Kent Police" in window.directory.names()


def test_an_autosave_held_on_the_worker_never_takes_the_focus(qtbot, window, ctx, monkeypatch, settle):
    form = window.new_telephone_application()
    settle()
    form.fields.set_value("applicant.last_name", "Patel")
    form._mark_dirty()
    gate = Gate(monkeypatch, "app.services.intake.support.save_draft")
    form.autosave()
    qtbot.waitUntil(gate.entered.is_set, timeout=10000)
    other = window.new_postal_application()
    other.fields.widgets["received_at"].setFocus(Qt.FocusReason.OtherFocusReason)
    gate.release()
    settle()
    assert _focused() is other.fields.widgets["received_at"] and window.dialogs.shown == []
    assert [d.payload["applicant.last_name"] for d in list_drafts(ctx)] == ["Patel"]
    assert form.draft_id == list_drafts(ctx)[0].id and not form.working.isVisibleTo(form)


def test_problems_the_server_finds_are_shown_by_their_fields_and_focus_moves_only_if_still_there(
        qtbot, window, ctx, monkeypatch, settle):
    from app.domain.application import Problem
    from app.services.common.errors import ValidationFailed

    def refused(*_args: Any, **_kwargs: Any) -> Any:
        raise ValidationFailed([Problem("applicant.last_name", "is too long for the database")])

    form = window.new_telephone_application()
    settle()
    _fill_applicant(form)
    form.sections.incidents.set_rows(INCIDENTS)
    gate = Gate(monkeypatch, "ui.views.intake.form.save_application", then=refused)
    form.fields.widgets["impact"].setFocus(Qt.FocusReason.OtherFocusReason)
    assert form.save()
    qtbot.waitUntil(gate.entered.is_set, timeout=10000)
    other = window.new_postal_application()  # the officer goes to another form meanwhile
    gate.release()
    settle()
    assert form.fields.errors["applicant.last_name"].isVisibleTo(form)
    assert "too long" in form.fields.errors["applicant.last_name"].text()
    assert "Not saved yet" in form.banner.text() and window.dialogs.shown == []
    assert _focused() is other.fields.widgets["received_at"]  # not taken back to the problem
    # Saved again with the officer in the form: the focus goes to the problem.
    window.applications.setCurrentWidget(form)
    form.fields.widgets["impact"].setFocus(Qt.FocusReason.OtherFocusReason)
    gate2 = Gate(monkeypatch, "ui.views.intake.form.save_application", then=refused)
    assert form.save()
    qtbot.waitUntil(gate2.entered.is_set, timeout=10000)
    gate2.release()
    settle()
    assert _focused() is form.fields.widgets["applicant.last_name"]
    assert form.fields.value("applicant.last_name") == "Patel"  # nothing typed lost


def test_suggestions_from_the_database_wait_for_a_pause_and_are_read_off_the_ui_thread(
        qtbot, window, ctx, monkeypatch, settle):
    first = window.new_telephone_application()
    settle()
    _fill_applicant(first)
    first.fields.set_value("problem_location", "Example Road")
    first.sections.incidents.set_rows(INCIDENTS)
    assert first.save()
    settle()
    form = window.new_telephone_application()
    edit = form.fields.widgets["problem_location"]
    gate = Gate(monkeypatch, "app.services.intake.support.suggest")
    edit.setFocus(Qt.FocusReason.OtherFocusReason)
    qtbot.keyClicks(edit, "Exam")
    assert gate.calls == 0  # nothing asked while the keys come
    qtbot.waitUntil(gate.entered.is_set, timeout=10000)
    assert gate.calls == 1 and not gate.on_ui_thread  # one read for the four keys, on a worker
    qtbot.keyClicks(edit, "p")  # typing goes on while the read is held
    assert edit.text() == "Examp"
    gate.release()
    settle()  # the answer for "Exam" is not shown over "Examp"; the read for "Examp" follows
    qtbot.waitUntil(lambda: gate.calls == 2, timeout=10000)
    settle()
    assert edit.completer().model().stringList() == ["Example Road"]


def test_a_form_being_saved_is_not_closed_until_the_save_has_landed(qtbot, window, ctx, monkeypatch, settle):
    form = window.new_telephone_application()
    settle()
    _fill_applicant(form)
    form.sections.incidents.set_rows(INCIDENTS)
    gate = Gate(monkeypatch, "ui.views.intake.form.save_application")
    assert form.save()
    qtbot.waitUntil(gate.entered.is_set, timeout=10000)
    assert window.close_current_tab()  # Ctrl+W: asked, and refused while it saves
    assert form in window.applications.forms() and "being saved" in window.statusBar().currentMessage()
    gate.release()
    settle()
    assert form.saved is not None
    window.close_current_tab()
    assert form not in window.applications.forms()


def test_long_work_starts_once_its_progress_window_is_on_screen(qtbot, window, settle):
    """The progress window is shown and painted before the work begins: appearing in the middle of it,
    it took the focus from the window, which repainted as inactive while the worker held the
    interpreter (a measured freeze of 200 to 350 ms, benchmarks/bench_ui_freeze.py)."""
    from PySide6.QtCore import QEvent, QObject
    from PySide6.QtWidgets import QProgressDialog

    from ui.tasks import Tasks
    seen: list[str] = []

    class PaintOfProgress(QObject):
        def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt API
            if event.type() == QEvent.Type.Paint and isinstance(watched, QProgressDialog):
                seen.append("progress painted")
            return False

    spy = PaintOfProgress()
    QApplication.instance().installEventFilter(spy)
    try:
        def work(progress=None):
            seen.append("work began")
            progress.start(1, "Writing letters")
            progress.step()
            return "made"
        got: list = []
        task = Tasks.instance().long(work, title="Acknowledgements", on_done=got.append, owner=window)
        assert task.on_progress.isVisible()  # at once, not after a delay
        qtbot.waitUntil(lambda: got == ["made"], timeout=HELD_FOR_S * 1000)
        settle()
    finally:
        QApplication.instance().removeEventFilter(spy)
    assert "work began" in seen and "progress painted" in seen
    assert seen.index("progress painted") < seen.index("work began")
    assert not task.on_progress.isVisible()  # closed with the result


@pytest.mark.sends_from_ui_thread
def test_the_watch_on_the_ui_thread_sees_a_view_reading_the_database_itself(ctx, qapp):
    """What every UI test checks (tests/ui/conftest.py) can fail: a view's read made on the UI thread is
    seen and named; the same read by the test's own code is not."""
    from tests.ui.conftest import StatementsFromTheUiThread
    from ui.views.settings_page import read_settings
    with StatementsFromTheUiThread() as watch:
        ctx.reload_settings()  # the test's own call
        assert watch.sent == []
        read_settings(ctx)  # a worker's function, called here on the UI thread
    assert watch.sent and all("ui/views/settings_page.py" in line for line in watch.sent)
