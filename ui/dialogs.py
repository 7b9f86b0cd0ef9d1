"""The one place that opens message boxes, dialogs, file choosers and the printer, so tests can replace it.

Views never call `exec()` themselves: they hand the dialog to `run`, the print to `print_pdf` and
a preview to `show`. A test's recorder fills the dialog as the user would, prints to a list and
looks at the preview, with no hooks in the production classes.
"""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QDialog, QFileDialog, QMessageBox, QWidget


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

    def run(self, dialog: QDialog) -> bool:
        """Show a dialog modally; True when the user completed it (its own OK ran and succeeded)."""
        return dialog.exec() == QDialog.DialogCode.Accepted

    def show(self, dialog: QDialog) -> None:
        """A dialog to read (a letter preview): modal, nothing to answer."""
        dialog.exec()

    def choose_printer(self, parent: QWidget | None = None) -> object | None:
        """The printer dialog; the printer chosen, or None if the user cancelled.

        Separate from `print_pdf` so that the disclosure is logged after the user chose to print
        and before a page leaves.
        """
        from PySide6.QtPrintSupport import QPrintDialog, QPrinter  # only when someone prints
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        if QPrintDialog(printer, parent or self.parent).exec() != QDialog.DialogCode.Accepted:
            return None
        return printer

    def print_pdf(self, pdf: bytes, printer: object) -> int:
        """Print the pages on the printer `choose_printer` gave; the number of pages."""
        from ui.pdf_view import print_pdf
        return print_pdf(pdf, printer)  # type: ignore[arg-type]

    def open_folder(self, path: Path) -> None:
        """Show a folder (where a pack or export was written) in the desktop's file manager."""
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))
