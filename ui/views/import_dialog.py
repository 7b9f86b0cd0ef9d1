"""File → Import online applications: preview what will be created, already imported or invalid.

The preview (a dry run) is read off the UI thread and the import is one operation; while either
is on its way the dialog says so and Import waits. Not a progress bar: the import service is one
transaction that does not report how far it has got.
"""
from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QLabel, QPlainTextEdit, QPushButton, QVBoxLayout, QWidget)

from app.services.common.context import ServiceContext
from app.services.common.errors import ServiceError, in_words
from app.services.intake.applications import ImportReport, import_applications
from ui.tasks import Tasks


def describe_preview(report: ImportReport) -> str:
    lines: list[str] = []
    if report.invalid:
        labels = sorted({label for label, _ in report.invalid})
        lines.append(f"Invalid ({len(labels)}): nothing will be imported until these are put right.")
        lines += [f"  {label}: {p.field}: {p.message}" for label, p in report.invalid]
        lines.append("")
    if report.to_create:
        lines.append(f"To be created ({len(report.to_create)}):")
        lines += [f"  {label}" for label in report.to_create]
        lines.append("")
    if report.already_imported:
        lines.append(f"Already imported ({len(report.already_imported)}): nothing new will be created.")
        lines += [f"  {source} is {reference}" for source, reference in report.already_imported]
    return "\n".join(lines) or "The files hold no applications."


class ImportDialog(QDialog):
    def __init__(self, ctx: ServiceContext, files: list[Path], parent: QWidget | None = None, *,
                 tasks: Tasks | None = None) -> None:
        super().__init__(parent)
        self.ctx, self.files = ctx, files
        self.tasks = tasks or Tasks.instance()
        self.preview: ImportReport | None = None
        self.result_report: ImportReport | None = None
        self.busy = False
        self.setWindowTitle("Import online applications")
        self.resize(720, 460)
        layout = QVBoxLayout(self)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.details = QPlainTextEdit()
        self.details.setReadOnly(True)
        self.details.setAccessibleName("What the import will do")
        self.summary.setBuddy(self.details)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setAccessibleName("Cancel")  # Escape
        self.import_button: QPushButton = self.buttons.addButton("&Import", QDialogButtonBox.ButtonRole.AcceptRole)
        self.import_button.setAccessibleName("Import")
        self.import_button.setEnabled(False)  # until the preview says there is something to import
        self.buttons.accepted.connect(self.run_import)
        self.buttons.rejected.connect(self.reject)
        for w in (self.summary, self.details, self.buttons):
            layout.addWidget(w)
        self.names = ", ".join(f.name for f in files)
        self.summary.setText(f"{self.names}: reading the files…")
        self.tasks.query(import_applications, ctx, files, dry_run=True, on_done=self._previewed,
                         on_error=self._preview_failed, owner=self, key=f"import-preview-{id(self)}",
                         what="read the files")

    def _previewed(self, preview: ImportReport) -> None:
        self.preview = preview
        self.details.setPlainText(describe_preview(preview))
        if preview.invalid:
            self.summary.setText(f"{self.names}: some applications are invalid, so nothing can be imported. "
                                 "Correct the file (or ask the sender to) and try again.")
        elif not preview.to_create:
            self.summary.setText(f"{self.names}: everything in these files has already been imported.")
        else:
            self.summary.setText(f"{self.names}: {len(preview.to_create)} application(s) will be created.")
            self.import_button.setEnabled(True)
            if self.isVisible() and self.focusWidget() in (None, self.details):
                self.import_button.setFocus()  # nowhere else chosen yet: Enter imports

    def _preview_failed(self, exc: BaseException) -> bool:
        self.summary.setText(f"{self.names}: the files could not be read: {in_words(exc)}")
        return isinstance(exc, ServiceError)

    def show_working(self, text: str) -> None:
        """Called by the task runner while the import waits: it says so, and Import and Cancel wait with it."""
        self.busy = bool(text)
        if text:
            self.summary.setText(text)
        for b in self.buttons.buttons():
            b.setEnabled(not text)

    def reject(self) -> None:
        if self.busy:  # the import is on its way: closing now would hide its answer
            return
        super().reject()

    def run_import(self) -> None:
        if self.busy or self.preview is None or self.preview.invalid or not self.preview.to_create:
            return
        self.tasks.op(import_applications, self.ctx, self.files, on_done=self._imported, on_error=self._refused,
                      owner=self, what="import the applications")

    def _imported(self, report: ImportReport) -> None:
        self.result_report = report
        if report.invalid:  # the files changed since the preview
            self.details.setPlainText(describe_preview(report))
            self.summary.setText("The files changed and are now invalid; nothing was imported.")
            self.import_button.setEnabled(False)
            return
        self.accept()

    def _refused(self, exc: BaseException) -> bool:
        self.summary.setText(f"Nothing was imported: {in_words(exc)}")
        return isinstance(exc, ServiceError)

    def created_text(self) -> str:
        if not self.result_report:
            return ""
        return "\n".join(f"{c.reference}  {c.source_reference or ''}" for c in self.result_report.created)
