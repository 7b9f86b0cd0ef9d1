"""The Data protection page: retention review, subject access exports, and (for managers) the audit log.

Every read and change runs off the UI thread (`ui.tasks`). The lists are queries; anonymising,
deleting and exporting are each one operation, run by the reason dialog, which stays open saying
"Saving…" until the answer comes. The page refreshes from the operations' changes.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (QAbstractItemView, QFileDialog, QHBoxLayout, QLabel, QLineEdit, QPushButton,
                               QTabWidget, QVBoxLayout, QWidget)

from app.domain.dates import uk
from app.domain.roles import Permission
from app.domain.workflow import Status
from app.services.common.context import ServiceContext
from app.services.common.errors import ServiceError, in_words
from app.services.common.ops import Changes, Done, Part
from app.services.trust.retention import DueCase, anonymise_case, cases_due_for_review, delete_case, retention_years
from app.services.trust.subject_access import PERPETRATOR, PersonMatch, export_person, find_people, write_bundle
from ui.dialogs import DialogService
from ui.tasks import Tasks
from ui.views.audit_view import AuditLogView
from ui.views.case_page.common import button, button_row, heading, table
from ui.views.case_page.step_dialog import StepDialog, StepField

KIND_LABELS = {"person": "Applicant or victim", PERPETRATOR: "Alleged perpetrator"}
REASON = StepField("reason", "Reason", kind="long",
                   hint="Why: for example 'retention period ended', or the request's date and reference")


@dataclass(frozen=True)
class RetentionList:
    years: int
    due: list[DueCase]


def read_retention(ctx: ServiceContext) -> RetentionList:
    """On a worker: the retention period and the cases due for review (the look is audited)."""
    return RetentionList(retention_years(ctx.settings()), cases_due_for_review(ctx))


def export_bundle(ctx: ServiceContext, person: PersonMatch, same_person_ids: list[int], reason: str,
                  target: Path) -> Done:
    """On a worker: the subject access bundle written into `target`; its `value` is the files written.

    The folder is made first, so that a folder that cannot be written is found before the
    disclosure is logged.
    """
    try:
        target.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ServiceError(f"The bundle could not be saved in {target}: {exc.strerror or exc}") from exc
    bundle = export_person(ctx, person.kind, person.id, reason, same_person_ids=same_person_ids)
    try:
        written = write_bundle(bundle, target)
    except OSError as exc:
        raise ServiceError(f"The bundle could not be saved in {target}: {exc.strerror or exc}") from exc
    return Done(bundle.changes, value=written)


def retention_stale(changes: Changes) -> bool:
    """A case finished, anonymised or deleted, or the retention period changed: the list may have moved."""
    return (changes.touches(Part.RETENTION, Part.SETTINGS) or bool(changes.removed) or changes.all_cases
            or (bool(changes.cases) and changes.touches(Part.HEADER)))  # a change of status or dates


class DataProtectionPage(QWidget):
    def __init__(self, ctx: ServiceContext, dialogs: DialogService, parent: QWidget | None = None, *,
                 choose_folder: Callable[[str], Path | None] | None = None, tasks: Tasks | None = None) -> None:
        super().__init__(parent)
        self.ctx, self.dialogs = ctx, dialogs
        self.tasks = tasks or Tasks.instance()
        self.choose_folder = choose_folder or self._ask_folder
        self.due: list[DueCase] = []
        self.found: list[PersonMatch] = []
        self._reading = self._searching = False
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
        self.refresh_button = button("&Refresh", self.refresh_retention, "Refresh the cases due for review")
        self.retention_working = QLabel()
        self.retention_working.setAccessibleName("Retention list status")
        retention_row = button_row(self.anonymise_button, self.delete_button, self.refresh_button)
        row_layout = retention_row.layout()
        if isinstance(row_layout, QHBoxLayout):
            row_layout.insertWidget(3, self.retention_working)
        layout.addWidget(retention_row)
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
        self.audit_view = AuditLogView(ctx, dialogs, tasks=self.tasks)
        self.tabs.addTab(self.audit_view, "Audit lo&g")
        self._apply_permissions()
        self._loaded = False  # listed when first shown, so start-up does not wait for it
        self._stale = False

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt API
        super().showEvent(event)
        if not self._loaded or self._stale:
            self.refresh_retention()

    def _apply_permissions(self) -> None:
        # The services refuse anyway; greying out says so before anyone tries. While a read is on
        # its way the buttons that act on what it will replace wait for it too.
        may_retain, may_export = self.ctx.may(Permission.RETENTION), self.ctx.may(Permission.EXPORT)
        for b in (self.anonymise_button, self.delete_button):
            b.setEnabled(may_retain and not self._reading)
            b.setToolTip("" if may_retain else "Only a manager or an administrator may anonymise or delete records.")
        self.refresh_button.setEnabled(not self._reading)
        self.export_button.setEnabled(may_export and not self._searching)
        self.export_button.setToolTip("" if may_export else "Your role may not export personal data.")
        self.search_button.setEnabled(not self._searching)

    # what changed -------------------------------------------------------------------------------------
    def refresh(self) -> None:
        """F5: the cases due for review, and the audit log page if that is the tab being looked at."""
        self.refresh_retention()
        if self.tabs.currentWidget() is self.audit_view:
            self.audit_view.refresh()

    def apply_changes(self, changes: Changes) -> None:
        """After any operation: read the retention list again if it may have moved (if it is shown)."""
        if not self._loaded or not retention_stale(changes):
            return
        if self.isVisible():
            self.refresh_retention()
        else:
            self._stale = True

    # retention -------------------------------------------------------------------------------------
    def refresh_retention(self) -> None:
        self._loaded, self._stale, self._reading = True, False, True
        self.retention_working.setText("Loading…")
        self._apply_permissions()
        self.tasks.query(read_retention, self.ctx, on_done=self._show_retention, on_error=self._retention_failed,
                         owner=self, key=f"retention-{id(self)}", what="read the cases due for review")

    def _read_done(self) -> None:
        self._reading = False
        self.retention_working.setText("")
        self._apply_permissions()

    def _show_retention(self, found: RetentionList) -> None:
        self._read_done()
        self.due = found.due
        self.retention_note.setText(
            f"Closed and withdrawn cases are kept for {found.years} years after they end, then reviewed: anonymise "
            "a case to keep it in the statutory figures without anyone's personal data, or delete it "
            f"entirely. {len(self.due) or 'No'} case{'' if len(self.due) == 1 else 's'} due for review.")
        self.due_model.set_rows([[d.reference, d.applicant, Status(d.status).label, uk(d.ended_on),
                                  uk(d.review_due_on)] for d in self.due], [d.id for d in self.due])

    def _retention_failed(self, exc: BaseException) -> bool:
        self._read_done()
        if isinstance(exc, ServiceError):
            self.retention_note.setText(in_words(exc))
            return True
        return False

    def selected_case(self) -> DueCase | None:
        index = self.due_view.currentIndex()
        if (self._reading or not index.isValid() or index.row() >= len(self.due)
                or not self.due_view.selectionModel().isRowSelected(index.row())):
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
        ctx, case_id = self.ctx, case.id  # the action runs on a worker: plain values only
        if self._reason_dialog(f"Anonymise {case.reference}", intro,
                               lambda v: anonymise_case(ctx, case_id, v["reason"])) is not None:
            self.message.setText(f"{case.reference} was anonymised.")

    def delete(self) -> None:
        case = self.selected_case()
        if case is None:
            return
        if not self.dialogs.ask(f"Delete {case.reference}?",
                                f"Delete {case.reference} and everything held with it? This cannot be undone, "
                                "and the case will no longer be counted in the statutory figures.",
                                yes="Delete", no="Keep"):
            return
        ctx, case_id = self.ctx, case.id
        if self._reason_dialog(f"Delete {case.reference}", "Record why the case is being deleted.",
                               lambda v: delete_case(ctx, case_id, v["reason"])) is not None:
            self.message.setText(f"{case.reference} was deleted.")

    def _reason_dialog(self, title: str, intro: str, action: Callable[[dict[str, Any]], object]) -> StepDialog | None:
        """Ask for the reason and run `action` (one operation) from the dialog; the dialog if it was done."""
        dialog = StepDialog(title, intro, [REASON], action, self, tasks=self.tasks)
        return dialog if self.dialogs.run(dialog) else None

    # subject access -----------------------------------------------------------------------------------
    def search(self) -> None:
        text = self.search_edit.text().strip()
        if len(text) < 2:
            self.message.setText("Type at least two letters of the name.")
            return
        self._searching = True
        self._apply_permissions()
        self.message.setText(f"Searching for '{text}'…")
        self.tasks.query(find_people, self.ctx, text, on_done=lambda found: self._show_people(found, text),
                         on_error=self._search_failed, owner=self, key=f"subject-access-{id(self)}",
                         what="search for the person")

    def _show_people(self, found: list[PersonMatch], text: str) -> None:
        self._searching = False
        self._apply_permissions()
        self.found = found
        self.people_model.set_rows([[m.name, KIND_LABELS[m.kind], m.address, m.roles_text] for m in self.found],
                                   [(m.kind, m.id) for m in self.found])
        self.message.setText(f"{len(self.found) or 'Nobody'} found for '{text}'.")
        if self.found:
            self.people_view.selectRow(0)

    def _search_failed(self, exc: BaseException) -> bool:
        self._searching = False
        self._apply_permissions()
        if isinstance(exc, ServiceError):
            self.message.setText(in_words(exc))
            return True
        self.message.setText("")
        return False

    def selected_people(self) -> list[PersonMatch]:
        rows = sorted({i.row() for i in self.people_view.selectionModel().selectedRows()})
        return [self.found[r] for r in rows if r < len(self.found)]

    def export(self) -> None:
        chosen = [] if self._searching else self.selected_people()
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
        first, others = chosen[0], [m.id for m in chosen[1:]]
        target = Path(folder) / f"subject-access-{self.ctx.today():%Y-%m-%d}-{_slug(first.name)}"
        ctx = self.ctx
        intro = (f"Export everything held about {first.name}. The export is a disclosure: it is recorded in the "
                 "audit log with the reason.")
        # Not a progress bar: the export is one transaction that does not report how far it has got.
        dialog = self._reason_dialog(f"Export for {first.name}", intro,
                                     lambda v: export_bundle(ctx, first, others, v["reason"], target))
        if dialog is None or not isinstance(dialog.result_value, Done):
            return
        written: list[Path] = list(dialog.result_value.value or [])
        self.message.setText(f"Saved {len(written)} files in {target}.")
        self.dialogs.info("Subject access bundle saved", f"Saved in {target}:\n" + "\n".join(p.name for p in written))

    def _ask_folder(self, title: str) -> Path | None:
        # The dialog service has no folder chooser yet; this is the one place the page opens one.
        name = QFileDialog.getExistingDirectory(self, title)
        return Path(name) if name else None


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.casefold()).strip("-") or "person"
