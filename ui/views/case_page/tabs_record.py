"""Case page tabs: chronology, people and places shared with other cases, notes and documents, timeline."""
from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QLabel, QPlainTextEdit, QVBoxLayout, QWidget

from app.domain.dates import uk, uk_time
from ui.views.case_page.common import button, button_row, heading, selected_key, table

if TYPE_CHECKING:
    from app.services.cases.case_page import CaseDetail
    from ui.views.case_page.page import CasePage


class ChronologyTab(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("Incidents and what each agency did, in date order (incidents by the date reported)."))
        self.view, self.model = table(["Date", "Source", "What happened"], "Chronology")
        layout.addWidget(self.view)

    def show_case(self, d: CaseDetail) -> None:
        self.model.set_rows([[uk(e.on) if e.on.year > 1 else "", e.source, e.text] for e in d.chronology])


class RelatedTab(QWidget):
    open_case_requested = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        self.location = QLabel()
        self.location.setWordWrap(True)
        self.location.setAccessibleName("Problem location")
        layout.addWidget(heading("Problem location"))
        layout.addWidget(self.location)
        layout.addWidget(heading("Alleged perpetrators"))
        self.people, self.people_model = table(["Name or description", "Address", "Also in cases"],
                                               "Alleged perpetrators")
        layout.addWidget(self.people)
        layout.addWidget(heading("Linked cases and cases about the same place"))
        self.related, self.related_model = table(["Reference", "Applicant", "Status", "Why"], "Related cases")
        self.related.doubleClicked.connect(self._open)
        layout.addWidget(self.related)
        layout.addWidget(button_row(button("O&pen the selected case", self._open, "Open the selected case")))

    def _open(self, *_args: object) -> None:
        key = selected_key(self.related)
        if isinstance(key, int):
            self.open_case_requested.emit(key)

    def show_case(self, d: CaseDetail) -> None:
        self.location.setText(d.problem_location or "Not recorded")
        self.people_model.set_rows([[name, address or "", ", ".join(refs) or "none"]
                                    for name, address, refs in d.perpetrators])
        from app.domain.workflow import Status
        self.related_model.set_rows([[r.reference, r.applicant, Status(r.status).label, r.why] for r in d.related],
                                    [r.id for r in d.related])


class NotesTab(QWidget):
    note_added = Signal(str)

    def __init__(self, page: CasePage, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.addWidget(heading("Notes"))
        self.notes, self.notes_model = table(["When", "Who", "Note"], "Notes")
        layout.addWidget(self.notes, 1)
        self.new_note = QPlainTextEdit()
        self.new_note.setTabChangesFocus(True)
        self.new_note.setFixedHeight(70)
        self.new_note.setAccessibleName("New note")
        caption = QLabel("New note")
        caption.setBuddy(self.new_note)
        layout.addWidget(caption)
        layout.addWidget(self.new_note)
        self.add_button = button("Add &note", self._add, "Add note")
        layout.addWidget(button_row(self.add_button))
        layout.addWidget(heading("Documents (scans and files, kept in the database)"))
        self.documents, self.documents_model = table(["Title", "Type", "Size", "Added", "By"], "Documents")
        layout.addWidget(self.documents, 1)
        layout.addWidget(button_row(button("&Attach a document…", page.attach_document, "Attach a document"),
                                    button("&Save a copy…", page.save_document, "Save a copy of the document")))

    def _add(self) -> None:
        self.note_added.emit(self.new_note.toPlainText())

    def selected_document(self) -> int | None:
        key = selected_key(self.documents)
        return key if isinstance(key, int) else None

    def show_case(self, d: CaseDetail) -> None:
        self.notes_model.set_rows([[uk_time(at), who, text] for at, who, text in d.notes])
        self.documents_model.set_rows([[title, kind, f"{size // 1024 or 1} KB", f"{at:%d/%m/%Y}", by]
                                       for _id, title, kind, size, at, by in d.documents],
                                      [doc[0] for doc in d.documents])
