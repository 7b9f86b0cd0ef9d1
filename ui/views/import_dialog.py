"""File → Import online applications: preview what will be created, already imported or invalid."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QLabel, QPlainTextEdit, QVBoxLayout, QWidget)

from app.services.common.context import ServiceContext
from app.services.common.errors import ServiceError
from app.services.intake.applications import ImportReport, import_applications


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
    def __init__(self, ctx: ServiceContext, files: list[Path], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx, self.files = ctx, files
        self.result_report: ImportReport | None = None
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
        self.import_button = self.buttons.addButton("&Import", QDialogButtonBox.ButtonRole.AcceptRole)
        self.import_button.setAccessibleName("Import")
        self.buttons.accepted.connect(self.run_import)
        self.buttons.rejected.connect(self.reject)
        for w in (self.summary, self.details, self.buttons):
            layout.addWidget(w)
        self.preview = import_applications(ctx, files, dry_run=True)
        self.details.setPlainText(describe_preview(self.preview))
        names = ", ".join(f.name for f in files)
        if self.preview.invalid:
            self.summary.setText(f"{names}: some applications are invalid, so nothing can be imported. "
                                 "Correct the file (or ask the sender to) and try again.")
            self.import_button.setEnabled(False)
        elif not self.preview.to_create:
            self.summary.setText(f"{names}: everything in these files has already been imported.")
            self.import_button.setEnabled(False)
        else:
            self.summary.setText(f"{names}: {len(self.preview.to_create)} application(s) will be created.")
            self.import_button.setFocus()

    def run_import(self) -> None:
        try:
            self.result_report = import_applications(self.ctx, self.files)
        except ServiceError as exc:
            self.summary.setText(f"Nothing was imported: {exc}")
            return
        if self.result_report.invalid:  # the files changed since the preview
            self.details.setPlainText(describe_preview(self.result_report))
            self.summary.setText("The files changed and are now invalid; nothing was imported.")
            return
        self.accept()

    def created_text(self) -> str:
        if not self.result_report:
            return ""
        return "\n".join(f"{c.reference}  {c.source_reference or ''}" for c in self.result_report.created)
