"""The case page: header, the workflow steps the state allows, and a tab per part of the review."""
from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QApplication, QHBoxLayout, QLabel, QPushButton, QTabWidget, QVBoxLayout, QWidget

from app.domain.workflow import Status
from app.services.cases import agency_requests as work
from app.services.cases import steps as wf
from app.services.cases.case_page import CaseDetail, load_case
from app.services.common.context import ServiceContext
from app.services.common.errors import Conflict, ServiceError
from app.services.intake.support import attach_document, document_content
from ui.dialogs import DialogService
from ui.views.case_page.step_dialog import StepDialog, StepField
from ui.views.case_page.tabs_overview import PeopleTab, SummaryTab
from ui.views.case_page.letters_tab import LettersTab
from ui.views.case_page.tabs_record import ChronologyTab, NotesTab, RelatedTab
from ui.views.case_page.tabs_work import AgenciesTab, IncidentsTab
from ui.views.case_page.tenure_box import TenureBox
from ui.views.case_page import law_steps, steps

S = Status


class CasePage(QWidget):
    case_changed = Signal(int)
    open_case_requested = Signal(int)
    title_changed = Signal(str)

    def __init__(self, ctx: ServiceContext, dialogs: DialogService, case_id: int,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx, self.dialogs, self.case_id = ctx, dialogs, case_id
        self.detail: CaseDetail | None = None
        self.step_dialog_hook: Callable[[StepDialog], None] | None = None  # tests fill and submit
        layout = QVBoxLayout(self)
        self.header = QLabel()
        self.header.setObjectName("caseHeader")
        self.header.setWordWrap(True)
        self.header.setAccessibleName("Case")
        layout.addWidget(self.header)
        self.steps_row = QHBoxLayout()
        layout.addLayout(self.steps_row)
        self.tabs = QTabWidget()
        self.tabs.setAccessibleName("Case sections")
        self.summary = SummaryTab()
        self.summary.save_requested.connect(self.save_details)
        self.people = PeopleTab(lambda: steps.record_consent(self), lambda: steps.disclosure_consent(self))
        self.tenure = TenureBox(self)
        people_layout = self.people.layout()
        assert isinstance(people_layout, QVBoxLayout)
        people_layout.insertWidget(people_layout.count() - 1, self.tenure)
        self.incidents = IncidentsTab(self)
        self.agencies = AgenciesTab(self)
        self.chronology = ChronologyTab()
        self.related = RelatedTab()
        self.related.open_case_requested.connect(self.open_case_requested.emit)
        self.notes = NotesTab(self)
        self.notes.note_added.connect(self.add_note)
        self.timeline = LettersTab(self)
        # The tabs go by number (Alt+1 to Alt+8): the letters are left for the steps and each tab's buttons.
        for n, (tab, title) in enumerate(((self.summary, "Summary"), (self.people, "People and consent"),
                                          (self.incidents, "Incidents and threshold"), (self.agencies, "Agencies"),
                                          (self.chronology, "Chronology"), (self.related, "Related"),
                                          (self.notes, "Notes and documents"), (self.timeline, "Letters and timeline")),
                                         start=1):
            self.tabs.addTab(tab, f"&{n} {title}")
        layout.addWidget(self.tabs, 1)
        self.reload()

    # loading -------------------------------------------------------------------------------------
    def refresh(self) -> None:
        """F5: read the case again (keeping details typed and not saved)."""
        typed = self.summary.typed() if self.summary.changed() else None
        self.reload()
        if typed is not None:
            self.summary.put(typed)

    def unsaved_changes(self) -> bool:
        return self.summary.changed()

    def reload(self) -> None:
        try:
            self.detail = load_case(self.ctx, self.case_id)
        except ServiceError as exc:
            self.header.setText(f"This case cannot be shown: {exc}")
            return
        d = self.detail
        self.header.setText(f"<h2>{d.reference}: {d.applicant.name}</h2>{d.status.label}. Deadline indicator: "
                            f"<b>{d.indicator.value}</b>.")
        for tab in (self.summary, self.people, self.tenure, self.incidents, self.agencies, self.chronology,
                    self.related, self.notes, self.timeline):
            tab.show_case(d)
        self._show_steps()
        self.title_changed.emit(d.reference)

    def _show_steps(self) -> None:
        old: list[QWidget] = []
        while self.steps_row.count():
            item = self.steps_row.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                old.append(widget)
                widget.deleteLater()
        # The step just done had focus (or gets it back when its dialog closes): focus goes to the next
        # step, not nowhere, when the old buttons go.
        keep = any(w is QApplication.focusWidget() or w is self.window().focusWidget() for w in old)
        new: list[QPushButton] = []
        for text, action in steps.available(self):
            b = QPushButton(text)
            b.setAccessibleName(text.replace("&", "").rstrip("…"))
            b.clicked.connect(lambda _c=False, a=action: a(self))
            self.steps_row.addWidget(b)
            new.append(b)
        self.steps_row.addStretch(1)
        if keep:
            (new[0] if new else self.tabs).setFocus(Qt.FocusReason.OtherFocusReason)

    def step_buttons(self) -> list[str]:
        return [self.steps_row.itemAt(i).widget().accessibleName() for i in range(self.steps_row.count())
                if self.steps_row.itemAt(i).widget()]

    # running steps -------------------------------------------------------------------------------
    def run_step(self, title: str, intro: str, fields: list[StepField], action: Callable[[dict[str, Any]], object]) -> bool:
        dialog = StepDialog(title, intro, fields, action, self)
        if self.step_dialog_hook is not None:
            self.step_dialog_hook(dialog)
        elif not dialog.exec():
            return False
        if dialog.result() != StepDialog.DialogCode.Accepted:
            return False
        self.changed()
        return True

    def changed(self) -> None:
        self.reload()
        self.case_changed.emit(self.case_id)

    def attempt(self, action: Callable[[], object], what: str) -> bool:
        """A one-click action; problems are shown, and a conflict offers a reload."""
        try:
            action()
        except Conflict as exc:
            self.dialogs.warn("Changed by someone else", str(exc))
            self.reload()
            return False
        except ServiceError as exc:
            self.dialogs.error(f"Could not {what}", str(exc))
            return False
        self.changed()
        return True

    @property
    def version(self) -> int:
        assert self.detail is not None
        return self.detail.version

    def today(self) -> date:
        return self.ctx.today()

    # summary -------------------------------------------------------------------------------------
    def save_details(self, values: dict[str, str]) -> None:
        """Saving edits; if someone else saved meanwhile, keep what was typed and offer to re-apply."""
        try:
            wf.update_case_details(self.ctx, self.case_id, self.version, values)
        except Conflict as exc:
            if self.dialogs.ask("Changed by someone else", f"{exc}\n\nReload the case and put your changes "
                                "back in, so that you can check them and save again?", yes="Reload and re-apply",
                                no="Keep my screen as it is"):
                self.reload()
                self.summary.put(values)
            return
        except ServiceError as exc:
            self.dialogs.error("Not saved", f"{exc}\n\nWhat you typed is still on the screen.")
            return
        self.changed()

    # incidents -----------------------------------------------------------------------------------
    def _incident(self):
        incident_id = self.incidents.selected_incident()
        if incident_id is None or self.detail is None:
            self.dialogs.info("Choose an incident", "Select an incident in the list first.")
            return None
        return next(i for i in self.detail.incidents if i.id == incident_id)

    def record_confirmation(self) -> None:
        if (i := self._incident()) is not None:
            steps.record_confirmation(self, i)

    def toggle_same_problem(self) -> None:
        if (i := self._incident()) is not None:
            law_steps.same_problem(self, i)

    def unconfirm(self) -> None:
        if (i := self._incident()) is not None:
            law_steps.unconfirm(self, i)

    def mark_duplicate(self) -> None:
        if (i := self._incident()) is not None:
            steps.mark_duplicate(self, i)

    def confirm_date(self) -> None:
        if (i := self._incident()) is not None:
            steps.confirm_date(self, i)

    def link_agency(self) -> None:
        if (i := self._incident()) is not None:
            steps.link_agency(self, i)

    # agencies ------------------------------------------------------------------------------------
    def send_information_requests(self) -> None:
        steps.information_requests(self)

    def record_reply(self) -> None:
        if (request_id := self.agencies.selected_request()) is None:
            self.dialogs.info("Choose a request", "Select a request in the list first.")
            return
        steps.record_reply(self, request_id)

    def chase_request(self) -> None:
        if (request_id := self.agencies.selected_request()) is None:
            self.dialogs.info("Choose a request", "Select a request in the list first.")
            return
        steps.chase(self, request_id)

    def add_action(self) -> None:
        steps.add_action(self)

    def import_return(self) -> None:
        path = self.dialogs.open_file("Import an agency's return", "CSV files (*.csv)")
        if path is None:
            return
        try:
            count = work.import_agency_return(self.ctx, self.case_id, path).count
        except ServiceError as exc:
            self.dialogs.error("Nothing imported", str(exc).replace("; ", "\n"))
            return
        self.dialogs.info("Return imported", f"{count} agency action(s) added to the chronology.")
        self.changed()

    def save_return_template(self) -> None:
        path = self.dialogs.save_file("Save the return template", f"{self.detail.reference if self.detail else 'case'}"
                                      "-agency-return.csv", "CSV files (*.csv)")
        if path is not None:
            path.write_text(work.return_template_csv(), encoding="utf-8")
            self.dialogs.info("Template saved", f"Send {path.name} to the agency. One row per action: the date "
                              "(dd/mm/yyyy), the agency, what was done and the source document.")

    # notes and documents -------------------------------------------------------------------------
    def add_note(self, text: str) -> None:
        if self.attempt(lambda: work.add_note(self.ctx, self.case_id, text), "add the note"):
            self.notes.new_note.clear()

    def attach_document(self) -> None:
        path = self.dialogs.open_file("Attach a document", "Documents (*.pdf *.png *.jpg *.jpeg *.tif *.tiff)")
        if path is not None:
            self.attempt(lambda: attach_document(self.ctx, self.case_id, path), "attach the document")

    def save_document(self) -> None:
        doc_id = self.notes.selected_document()
        if doc_id is None:
            self.dialogs.info("Choose a document", "Select a document in the list first.")
            return
        title, content = document_content(self.ctx, doc_id)
        path = self.dialogs.save_file("Save a copy of the document", title, "All files (*)")
        if path is not None:
            path.write_bytes(content)
