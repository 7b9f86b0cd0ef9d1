"""The one place that opens message boxes and file dialogs, so tests can replace it."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget


class DialogService:
    """Modal questions and notices. Tests pass a fake with the same methods."""

    def __init__(self, parent: QWidget | None = None) -> None:
        self.parent = parent

    def info(self, title: str, text: str) -> None:
        QMessageBox.information(self.parent, title, text)

    def warn(self, title: str, text: str) -> None:
        QMessageBox.warning(self.parent, title, text)

    def error(self, title: str, text: str) -> None:
        QMessageBox.critical(self.parent, title, text)

    def ask(self, title: str, text: str, yes: str = "Yes", no: str = "No") -> bool:
        box = QMessageBox(QMessageBox.Icon.Question, title, text, parent=self.parent)
        yes_button = box.addButton(yes, QMessageBox.ButtonRole.YesRole)
        box.addButton(no, QMessageBox.ButtonRole.NoRole)
        box.setDefaultButton(yes_button)
        box.exec()
        return box.clickedButton() is yes_button

    def open_files(self, title: str, filter_text: str) -> list[Path]:
        names, _ = QFileDialog.getOpenFileNames(self.parent, title, "", filter_text)
        return [Path(n) for n in names]

    def open_file(self, title: str, filter_text: str) -> Path | None:
        name, _ = QFileDialog.getOpenFileName(self.parent, title, "", filter_text)
        return Path(name) if name else None

    def save_file(self, title: str, suggested: str, filter_text: str) -> Path | None:
        name, _ = QFileDialog.getSaveFileName(self.parent, title, suggested, filter_text)
        return Path(name) if name else None
