"""No silent failure: the last-resort hook shows any uncaught error in words, and the log keeps no values."""
from __future__ import annotations

import sys
import threading

import pytest
from sqlalchemy.exc import IntegrityError

from app import diagnostics
from app.services.common.errors import describe
from ui.error_hook import TITLE, ErrorHook


class FakeDialogs:
    def __init__(self) -> None:
        self.shown: list[tuple[str, str]] = []

    def error(self, title: str, text: str) -> None:
        self.shown.append((title, text))


@pytest.fixture
def log_file(tmp_path):
    path = tmp_path / "logs" / "community-trigger.log"
    diagnostics.set_log_path(path)
    yield path
    diagnostics.set_log_path(None)


@pytest.fixture
def hook(qtbot):
    dialogs = FakeDialogs()
    installed = ErrorHook(dialogs).install()
    yield installed, dialogs
    installed.uninstall()


def _raise_with_a_secret() -> None:
    raise ValueError("could not read 'Asha Patel, 07700 900123'")


def test_an_uncaught_error_on_the_ui_thread_is_shown_in_words_and_logged_without_values(hook, log_file):
    _installed, dialogs = hook
    try:
        _raise_with_a_secret()
    except ValueError:
        sys.excepthook(*sys.exc_info())
    [(title, text)] = dialogs.shown
    assert title == TITLE and "ValueError" in text and "Asha" not in text and str(log_file) in text
    logged = log_file.read_text(encoding="utf-8")
    assert "builtins.ValueError" in logged and "_raise_with_a_secret" in logged
    assert "Asha" not in logged and "07700" not in logged


def test_a_worker_threads_failure_reaches_the_ui_thread(hook, log_file, qtbot):
    _installed, dialogs = hook

    def work() -> None:
        raise IntegrityError("INSERT INTO people (last_name) VALUES (?)", ("Patel",), Exception("UNIQUE failed"))

    thread = threading.Thread(target=work, name="saving")
    thread.start()
    thread.join()
    qtbot.waitUntil(lambda: bool(dialogs.shown))
    [(_title, text)] = dialogs.shown
    assert "clashes with a record already saved" in text and "Patel" not in text
    assert "Patel" not in log_file.read_text(encoding="utf-8")


@pytest.mark.parametrize("error, words", [
    (OSError(28, "No space left on device", "/data/cases.db"), "disk is full"),
    (OSError(30, "Read-only file system", "/data/cases.db"), "read-only"),
    (RecursionError(), "nested too deeply"),
    (MemoryError(), "not enough memory"),
])
def test_any_failure_has_words(error, words):
    assert words in describe(error)
