"""UI fixtures: the real main window on a fresh database, with dialogs replaced by a recorder."""
from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication, QDialog

from app.db.location import DatabaseChoice, normalise_url


class FakeDialogs:
    """Stands in for ui.dialogs.DialogService: records what would have been shown."""

    def __init__(self) -> None:
        self.shown: list[tuple[str, str, str]] = []
        self.answers: list[bool] = []
        self.files: list[Path] = []
        # Each dialog a view runs takes the next filler: it fills the dialog as the user would and
        # presses its button (`dialog.submit()`, `dialog.accept()`), or returns without, to cancel.
        self.forms: list[Callable[[QDialog], Any]] = []
        self.ran: list[QDialog] = []        # every dialog run, filled or not
        self.previews: list[QDialog] = []   # letter previews and other dialogs shown to read
        self.printed: list[bytes] = []
        self.printer_cancelled = False
        self.folders: list[Path] = []

    def info(self, title: str, text: str) -> None:
        self.shown.append(("info", title, text))

    def warn(self, title: str, text: str) -> None:
        self.shown.append(("warn", title, text))

    def error(self, title: str, text: str) -> None:
        self.shown.append(("error", title, text))

    def ask(self, title: str, text: str, yes: str = "Yes", no: str = "No") -> bool:
        self.shown.append(("ask", title, text))
        return self.answers.pop(0) if self.answers else False

    def open_files(self, title: str, filter_text: str) -> list[Path]:
        files, self.files = self.files, []
        return files

    def open_file(self, title: str, filter_text: str) -> Path | None:
        return self.files.pop(0) if self.files else None

    def save_file(self, title: str, suggested: str, filter_text: str) -> Path | None:
        return self.files.pop(0) if self.files else None


    def run(self, dialog: QDialog) -> bool:
        self.ran.append(dialog)
        filler = self.forms.pop(0) if self.forms else None
        dialog.show()
        if filler is not None:
            filler(dialog)
        # The dialog's own OK runs its operation off the UI thread: wait for the answer as exec() would.
        wait_idle()
        accepted = dialog.result() == QDialog.DialogCode.Accepted
        if dialog.isVisible():
            dialog.reject() if not accepted else dialog.hide()
        return accepted

    def show(self, dialog: QDialog) -> None:
        self.previews.append(dialog)

    def choose_printer(self, parent: Any = None) -> object | None:
        return None if self.printer_cancelled else "printer"

    def print_pdf(self, pdf: bytes, printer: object) -> int:
        self.printed.append(pdf)
        return 1

    def open_folder(self, path: Path) -> None:
        self.folders.append(path)


def wait_idle(timeout_ms: int = 15000) -> None:
    """Until nothing is waiting on a worker and what came back has been shown.

    Waits on the task runner's `idle` signal (never a sleep); a result's callback may ask for more
    (a save, then the refresh it causes), so it waits again until a pass of the event loop leaves
    nothing pending.
    """
    from PySide6.QtCore import QEventLoop, QTimer

    from ui.tasks import Tasks
    tasks = Tasks.instance()
    for _ in range(50):
        QApplication.processEvents()
        if tasks.is_idle:
            QApplication.processEvents()
            if tasks.is_idle:
                return
            continue
        loop = QEventLoop()
        tasks.idle.connect(loop.quit)
        guard = QTimer()
        guard.setSingleShot(True)
        guard.timeout.connect(loop.quit)
        guard.start(timeout_ms)
        loop.exec()
        tasks.idle.disconnect(loop.quit)
        if not guard.isActive():
            raise AssertionError(f"work still pending after {timeout_ms} ms: {tasks.pending} task(s)")
    raise AssertionError("work kept asking for more work")


@pytest.fixture
def settle(qapp) -> Callable[[], None]:
    """`settle()` after a user action: its operation and the refreshes it causes have finished."""
    return wait_idle


@pytest.fixture
def tasks(qapp):
    from ui.tasks import Tasks
    return Tasks.instance()


@pytest.fixture(autouse=True)
def _nothing_left_running(request):
    """Work still running when a test ends would meet the next test's database: finish it first."""
    yield
    if "qapp" in request.fixturenames or "qtbot" in request.fixturenames:
        from ui.tasks import Tasks
        if Tasks._instance is not None:
            wait_idle()
    import gc
    gc.unfreeze()  # a start-up in a test froze what was alive then: the next test's garbage must be collectable


_UI_DIR = str(Path(__file__).resolve().parents[2] / "ui")


class StatementsFromTheUiThread:
    """While active, `sent` lists each statement sent on the UI thread by code in `ui/` (with where).
    A test's own setup may call services directly: from its own frames, that is not the window's doing."""

    def __init__(self) -> None:
        self.sent: list[str] = []

    def _watch(self, _conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        import sys
        import threading
        if threading.current_thread() is not threading.main_thread():
            return
        frame = sys._getframe(1)
        while frame is not None:
            if frame.f_code.co_filename.startswith(_UI_DIR):
                first_line = statement.split("\n")[0][:70]
                self.sent.append(f"{frame.f_code.co_filename}:{frame.f_lineno} sent {first_line!r}")
                return
            frame = frame.f_back

    def __enter__(self) -> StatementsFromTheUiThread:
        from sqlalchemy import event
        from sqlalchemy.engine import Engine
        event.listen(Engine, "before_cursor_execute", self._watch)
        return self

    def __exit__(self, *_exc: object) -> None:
        from sqlalchemy import event
        from sqlalchemy.engine import Engine
        event.remove(Engine, "before_cursor_execute", self._watch)


@pytest.fixture(autouse=True)
def _no_statement_from_the_ui_thread(request):
    """Every statement the window sends runs on a worker: one sent from the UI thread fails the test."""
    if request.node.get_closest_marker("sends_from_ui_thread"):
        yield
        return
    with StatementsFromTheUiThread() as watch:
        yield
    assert not watch.sent, "a statement was sent from the UI thread:\n" + "\n".join(watch.sent[:5])


@pytest.fixture
def dialogs() -> FakeDialogs:
    return FakeDialogs()


@pytest.fixture
def window(qtbot, ctx, sqlite_url, dialogs, tmp_path) -> Iterator:
    from ui.main import case_list_factory, make_application
    from ui.main_window import MainWindow
    make_application()
    settings = QSettings(str(tmp_path / "ui.ini"), QSettings.Format.IniFormat)
    w = MainWindow(ctx, DatabaseChoice(normalise_url(sqlite_url), "test"), dialogs=dialogs,
                   settings=settings, case_list_factory=case_list_factory())
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    yield w
