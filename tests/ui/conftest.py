"""UI fixtures: the real main window on a fresh database, with dialogs replaced by a recorder."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings

from app.db.location import DatabaseChoice, normalise_url


class FakeDialogs:
    """Stands in for ui.dialogs.DialogService: records what would have been shown."""

    def __init__(self) -> None:
        self.shown: list[tuple[str, str, str]] = []
        self.answers: list[bool] = []
        self.files: list[Path] = []

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
