"""The Data protection page: retention review, subject access exports, and (for managers) the audit log."""
from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (QAbstractItemView, QFileDialog, QHBoxLayout, QLabel, QLineEdit, QPushButton,
                               QTabWidget, QVBoxLayout, QWidget)

from app.domain.dates import uk
from app.domain.roles import Permission
from app.domain.workflow import Status
from app.services.common.context import ServiceContext
from app.services.common.errors import ServiceError
from app.services.trust.retention import DueCase, anonymise_case, cases_due_for_review, delete_case, retention_years
from app.services.trust.subject_access import PERPETRATOR, PersonMatch, export_person, find_people, write_bundle
from ui.dialogs import DialogService
from ui.views.audit_view import AuditLogView
from ui.views.case_page.common import button, button_row, heading, table
from ui.views.case_page.step_dialog import StepDialog, StepField

KIND_LABELS = {"person": "Applicant or victim", PERPETRATOR: "Alleged perpetrator"}
REASON = StepField("reason", "Reason", kind="long",
                   hint="Why: for example 'retention period ended', or the request's date and reference")


class DataProtectionPage(QWidget):
    cases_changed = Signal()  # a case was anonymised or deleted: lists elsewhere should refresh

    def __init__(self, ctx: ServiceContext, dialogs: DialogService, parent: QWidget | None = None, *,
                 choose_folder: Callable[[str], Path | None] | None = None) -> None:
        super().__init__(parent)
        self.ctx, self.dialogs = ctx, dialogs
        self.choose_folder = choose_folder or self._ask_folder
        self.dialog_hook: Callable[[StepDialog], None] | None = None  # tests fill dialogs instead of exec()
        self.due: list[DueCase] = []
        self.found: list[PersonMatch] = []
        self.setAccessibleName("Data protection")
        outer = QVBoxLayout(self)
        self.tabs = QTabWidget()
        self.tabs.setAccessibleName("Parts of the data protection page")
        outer.addWidget(self.tabs)
        records = QWidget()
        records.setAccessibleName("Retention and subject access")
        layout = QVBoxLayout(records)

        layout.addWidget(heading("Retention review"))
        self.retention_note = QLabel()
        self.retention_note.setWordWrap(True)
        self.retention_note.setAccessibleName("Retention period")
        layout.addWidget(self.retention_note)
        self.due_view, self.due_model = table(["Case", "Applicant", "Status", "Ended on", "Due for review since"],
                                              "Cases due for retention review")
        layout.addWidget(self.due_view, 1)
        self.anonymise_button = button("&Anonymise…", self.anonymise, "Anonymise the selected case")
        self.delete_button = button("&Delete…", self.delete, "Delete the selected case")
        self.refresh_button = button("&Refresh", self.refresh, "Refresh the cases due for review")
        layout.addWidget(button_row(self.anonymise_button, self.delete_button, self.refresh_button))
        layout.addSpacing(12)
        layout.addWidget(heading("Subject access request"))
        intro = QLabel("Find the person by name. A repeat applicant has a record for each application: select "
                       "every record that is this person (Ctrl+click), then export. Other people's details are "
                       "redacted; read the bundle before it is released.")
        intro.setWordWrap(True)
        intro.setAccessibleName("About subject access exports")
        layout.addWidget(intro)
        search_row = QHBoxLayout()
        caption = QLabel("&Name:")
        self.search_edit = QLineEdit()
        self.search_edit.setAccessibleName("Name to search for")
        self.search_edit.setPlaceholderText("surname, first name or organisation")
        self.search_edit.returnPressed.connect(self.search)
        caption.setBuddy(self.search_edit)
        self.search_button = QPushButton("&Search")
        self.search_button.setAccessibleName("Search for people")
        self.search_button.clicked.connect(lambda _c=False: self.search())
        search_row.addWidget(caption)
        search_row.addWidget(self.search_edit, 1)
        search_row.addWidget(self.search_button)
        layout.addLayout(search_row)
        self.people_view, self.people_model = table(["Name", "Held as", "Address", "Cases"], "People found")
        self.people_view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        layout.addWidget(self.people_view, 1)
        self.export_button = button("&Export…", self.export, "Export everything held about the selected person")
        layout.addWidget(button_row(self.export_button))
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setAccessibleName("Result")
        layout.addWidget(self.message)
        self.tabs.addTab(records, "Retention and su&bject access")
        # The audit log is read (and its viewing logged) only when its tab is opened.
        self.audit_view = AuditLogView(ctx, dialogs)
        self.tabs.addTab(self.audit_view, "Audit lo&g")
        self._apply_permissions()
        self._loaded = False  # listed when first shown, so start-up does not wait for it

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt API
        super().showEvent(event)
        if not self._loaded:
            self.refresh()

    def _apply_permissions(self) -> None:
        # The services refuse anyway; greying out says so before anyone tries.
        may_retain, may_export = self.ctx.may(Permission.RETENTION), self.ctx.may(Permission.EXPORT)
        for b in (self.anonymise_button, self.delete_button):
            b.setEnabled(may_retain)
            b.setToolTip("" if may_retain else "Only a manager or an administrator may anonymise or delete records.")
        self.export_button.setEnabled(may_export)
        self.export_button.setToolTip("" if may_export else "Your role may not export personal data.")

    # retention -------------------------------------------------------------------------------------
    def refresh(self) -> None:
        self._loaded = True
        try:
            years = retention_years(self.ctx.settings())
            self.due = cases_due_for_review(self.ctx)
        except ServiceError as exc:
            self.retention_note.setText(str(exc))
            return
        self.retention_note.setText(
            f"Closed and withdrawn cases are kept for {years} years after they end, then reviewed: anonymise "
            "a case to keep it in the statutory figures without anyone's personal data, or delete it "
            f"entirely. {len(self.due) or 'No'} case{'' if len(self.due) == 1 else 's'} due for review.")
        self.due_model.set_rows([[d.reference, d.applicant, Status(d.status).label, uk(d.ended_on),
                                  uk(d.review_due_on)] for d in self.due], [d.id for d in self.due])

    def selected_case(self) -> DueCase | None:
        index = self.due_view.currentIndex()
        if not index.isValid() or not self.due_view.selectionModel().isRowSelected(index.row()):
            self.dialogs.info("Choose a case", "Select a case in the list of cases due for review first.")
            return None
        return self.due[index.row()]

    def anonymise(self) -> None:
        case = self.selected_case()
        if case is None:
            return
        intro = (f"Anonymise {case.reference}: the applicant's, victim's and (where only in this case) the alleged "
                 "perpetrators' details, the incidents' descriptions, notes, documents, letters and the audit "
                 "log's recorded values are removed for good. Dates, status and the threshold and panel records "
                 "stay, so the statutory figures do not change.")
        if self._reason_dialog(f"Anonymise {case.reference}", intro,
                               lambda v: anonymise_case(self.ctx, case.id, v["reason"])):
            self._done(f"{case.reference} was anonymised.")

    def delete(self) -> None:
        case = self.selected_case()
        if case is None:
            return
        if not self.dialogs.ask(f"Delete {case.reference}?",
                                f"Delete {case.reference} and everything held with it? This cannot be undone, "
                                "and the case will no longer be counted in the statutory figures.",
                                yes="Delete", no="Keep"):
            return
        if self._reason_dialog(f"Delete {case.reference}", "Record why the case is being deleted.",
                               lambda v: delete_case(self.ctx, case.id, v["reason"])):
            self._done(f"{case.reference} was deleted.")

    def _done(self, text: str) -> None:
        self.message.setText(text)
        self.refresh()
        self.cases_changed.emit()

    def _reason_dialog(self, title: str, intro: str, action: Callable[[dict[str, Any]], object]) -> bool:
        dialog = StepDialog(title, intro, [REASON], action, self)
        if self.dialog_hook is not None:
            self.dialog_hook(dialog)
        else:
            dialog.exec()
        return dialog.result() == StepDialog.DialogCode.Accepted

    # subject access -----------------------------------------------------------------------------------
    def search(self) -> None:
        text = self.search_edit.text().strip()
        if len(text) < 2:
            self.message.setText("Type at least two letters of the name.")
            return
        try:
            self.found = find_people(self.ctx, text)
        except ServiceError as exc:
            self.message.setText(str(exc))
            return
        self.people_model.set_rows([[m.name, KIND_LABELS[m.kind], m.address, m.roles_text] for m in self.found],
                                   [(m.kind, m.id) for m in self.found])
        self.message.setText(f"{len(self.found) or 'Nobody'} found for '{text}'.")
        if self.found:
            self.people_view.selectRow(0)

    def selected_people(self) -> list[PersonMatch]:
        rows = sorted({i.row() for i in self.people_view.selectionModel().selectedRows()})
        return [self.found[r] for r in rows if r < len(self.found)]

    def export(self) -> None:
        chosen = self.selected_people()
        if not chosen:
            self.dialogs.info("Choose a person", "Search for the person and select them in the list first.")
            return
        if len({m.kind for m in chosen}) > 1:
            self.dialogs.warn("Choose one kind of record", "An applicant or victim record and an alleged "
                              "perpetrator record cannot be exported as one person. Export them separately.")
            return
        if len(chosen) > 1 and not self.dialogs.ask(
                "The same person?", f"You selected {len(chosen)} records: "
                + "; ".join(f"{m.name} ({m.roles_text})" for m in chosen)
                + ". Export them together only if you are sure they are the same person.",
                yes="Same person", no="Cancel"):
            return
        folder = self.choose_folder("Choose the folder for the subject access bundle")
        if folder is None:
            return
        first = chosen[0]
        target = Path(folder) / f"subject-access-{self.ctx.today():%Y-%m-%d}-{_slug(first.name)}"
        try:  # find out now, not after the disclosure has been logged, if the folder cannot be written
            target.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            self.dialogs.error("Could not save the bundle", f"{target}: {exc.strerror or exc}")
            return
        written: list[Path] = []

        def run(values: dict[str, Any]) -> None:
            bundle = export_person(self.ctx, first.kind, first.id, values["reason"],
                                   same_person_ids=[m.id for m in chosen[1:]])
            try:
                written.extend(write_bundle(bundle, target))
            except OSError as exc:
                raise ServiceError(f"The bundle could not be saved in {target}: {exc.strerror or exc}") from exc

        intro = (f"Export everything held about {first.name}. The export is a disclosure: it is recorded in the "
                 "audit log with the reason.")
        if self._reason_dialog(f"Export for {first.name}", intro, run):
            self.message.setText(f"Saved {len(written)} files in {target}.")
            self.dialogs.info("Subject access bundle saved", f"Saved in {target}:\n"
                              + "\n".join(p.name for p in written))

    def _ask_folder(self, title: str) -> Path | None:
        name = QFileDialog.getExistingDirectory(self, title)
        return Path(name) if name else None


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.casefold()).strip("-") or "person"
