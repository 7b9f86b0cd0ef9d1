"""The case page: header, the workflow steps the state allows, and a tab per part of the review.

Nothing here waits for the database on the UI thread (ui.tasks): the case is read with one query,
every button is one operation on the worker, and after an operation the main window hands its
`Changes` to `apply_changes`, which reads the case again and refills only the parts it names.

The page is built lazily: the header, the step buttons and the tab in view when the case first
arrives; any other tab the first time it is shown (opening a case builds one tab, not eight). A
tab that is built but out of view is only marked stale by a refresh, and filled when shown.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import shiboken6
from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (QApplication, QHBoxLayout, QLabel, QPushButton, QTabWidget, QVBoxLayout,
                               QWidget)

from app.services.common.context import ServiceContext
from app.services.common.errors import Conflict, ServiceError, in_words
from app.services.common.ops import Changes, Part
from ui.dialogs import DialogService
from ui.focus import show_message
from ui.tasks import Task, Tasks, run_once
from ui.views.case_page.step_dialog import StepDialog, StepField
from ui.style import look

if TYPE_CHECKING:
    from app.services.cases.case_page import CaseDetail, IncidentView
    from app.services.common.ops import Counted, Saved
    from ui.views.case_page.letters_tab import LettersTab
    from ui.views.case_page.tabs_overview import PeopleTab, SummaryTab
    from ui.views.case_page.tabs_record import ChronologyTab, NotesTab, RelatedTab
    from ui.views.case_page.tabs_work import AgenciesTab, IncidentsTab
    from ui.views.case_page.tenure_box import TenureBox

# The services the page, its steps and its tabs use. Letters bring in the PDF engine (ReportLab, most
# of a second to import): the first read of a case imports them on the worker, so that neither opening
# the first case nor its first step freezes the window while Python loads them.
SERVICE_MODULES = ("app.services.cases.case_page", "app.services.cases.steps", "app.services.cases.agency_requests",
                   "app.services.cases.secondary_review", "app.services.cases.updates", "app.services.cases.tenure",
                   "app.services.agencies.links", "app.services.intake.support", "app.services.letters.due",
                   "app.services.letters.case_letters", "app.services.letters.referral", "app.domain.assessment")
_preloaded = False


def preload_services() -> None:
    """Import what the case page's steps and tabs need; off the UI thread (a worker, or at start-up)."""
    global _preloaded
    if not _preloaded:
        import importlib
        for name in SERVICE_MODULES:
            importlib.import_module(name)
        _preloaded = True


# The services this module runs on the worker, by name here (so that a test can hold one on an event),
# each importing its module when first called, on the worker.
def load_case(ctx: ServiceContext, case_id: int, *, record_view: bool = True) -> CaseDetail:
    preload_services()
    from app.services.cases.case_page import load_case as read
    return read(ctx, case_id, record_view=record_view)


def add_note(ctx: ServiceContext, case_id: int, text: str) -> Changes:
    from app.services.cases.agency_requests import add_note as op
    return op(ctx, case_id, text)


def update_case_details(ctx: ServiceContext, case_id: int, expected_version: int, values: dict[str, str]) -> object:
    from app.services.cases.steps import update_case_details as op
    return op(ctx, case_id, expected_version, values)


def import_agency_return(ctx: ServiceContext, case_id: int, path: Path) -> Counted:
    from app.services.cases.agency_requests import import_agency_return as op
    return op(ctx, case_id, path)


def attach_document(ctx: ServiceContext, case_id: int, path: Path) -> Saved:
    from app.services.intake.support import attach_document as op
    return op(ctx, case_id, path)


def document_content(ctx: ServiceContext, document_id: int) -> tuple[str, bytes]:
    from app.services.intake.support import document_content as op
    return op(ctx, document_id)


def _save_return_template(path: Path) -> None:
    from app.services.cases.agency_requests import return_template_csv
    _write_file(path, return_template_csv().encode("utf-8"))


# Each tab, its title and the parts of the case it shows. The tabs go by number (Alt+1 to Alt+8):
# the letters are left for the steps and each tab's buttons.
TABS: tuple[tuple[str, str, frozenset[Part]], ...] = (
    ("summary", "Summary", frozenset({Part.SUMMARY})),
    ("people", "People and consent", frozenset({Part.PEOPLE})),
    ("incidents", "Incidents and threshold", frozenset({Part.INCIDENTS})),
    ("agencies", "Agencies", frozenset({Part.AGENCY_WORK})),
    ("chronology", "Chronology", frozenset({Part.CHRONOLOGY})),
    ("related", "Related", frozenset({Part.RELATED})),
    ("notes", "Notes and documents", frozenset({Part.NOTES})),
    ("timeline", "Letters and timeline", frozenset({Part.LETTERS, Part.TIMELINE})),
)
TAB_KEYS = tuple(key for key, _title, _parts in TABS)


def _write_file(path: Path, data: bytes) -> None:
    """On the worker: a copy written to a network share must not freeze the window."""
    path.write_bytes(data)


class CasePage(QWidget):
    # Never emitted: the main window routes every operation's Changes to apply_changes. Declared
    # only while main_window.py still connects it.
    case_changed = Signal(int)
    open_case_requested = Signal(int)
    title_changed = Signal(str)

    def __init__(self, ctx: ServiceContext, dialogs: DialogService, case_id: int,
                 parent: QWidget | None = None, *, tasks: Tasks | None = None) -> None:
        super().__init__(parent)
        self.ctx, self.dialogs, self.case_id = ctx, dialogs, case_id
        self.tasks = tasks or Tasks.instance()
        self.detail: CaseDetail | None = None
        self._built: dict[str, QWidget] = {}
        self._holders: dict[str, QWidget] = {}
        self._stale: set[str] = set()
        self._tenure: TenureBox | None = None
        self._want: set[Part] | None = set()     # the parts the reads in flight are for (None: all)
        self._record_view = False
        self._after_load: list[Callable[[], None]] = []
        self._running: set[str] = set()          # the operations of this page waiting or running
        self._busy = False
        self._parked: QWidget | None = None      # the step button that had focus while they were disabled
        layout = QVBoxLayout(self)
        self.header = QLabel("Reading the case…")
        self.header.setObjectName("caseHeader")
        self.header.setWordWrap(True)
        self.header.setAccessibleName("Case")
        layout.addWidget(self.header)
        self.working = QLabel()
        look(self.working, "hint")
        self.working.setAccessibleName("Waiting")
        self.working.setVisible(False)
        layout.addWidget(self.working)
        self.steps_row = QHBoxLayout()
        layout.addLayout(self.steps_row)
        self.tabs = QTabWidget()
        self.tabs.setAccessibleName("Case sections")
        for n, (key, title, _parts) in enumerate(TABS, start=1):
            holder = QWidget()
            box = QVBoxLayout(holder)
            box.setContentsMargins(0, 0, 0, 0)
            box.addWidget(QLabel("Reading the case…"))
            self._holders[key] = holder
            self.tabs.addTab(holder, f"&{n} {title}")
        self.tabs.currentChanged.connect(self._tab_shown)
        layout.addWidget(self.tabs, 1)
        self.load(record_view=True)

    # the tabs, built when first wanted --------------------------------------------------------------
    def _build(self, key: str) -> QWidget:
        if key == "summary":
            from ui.views.case_page.tabs_overview import SummaryTab
            summary = SummaryTab()
            summary.save_requested.connect(self.save_details)
            return summary
        if key == "people":
            from ui.views.case_page.tabs_overview import PeopleTab
            from ui.views.case_page.tenure_box import TenureBox
            from ui.views.case_page import steps
            people = PeopleTab(lambda: steps.record_consent(self), lambda: steps.disclosure_consent(self))
            self._tenure = TenureBox(self)
            people_layout = people.layout()
            assert isinstance(people_layout, QVBoxLayout)
            people_layout.insertWidget(people_layout.count() - 1, self._tenure)
            return people
        if key == "incidents":
            from ui.views.case_page.tabs_work import IncidentsTab
            return IncidentsTab(self)
        if key == "agencies":
            from ui.views.case_page.tabs_work import AgenciesTab
            return AgenciesTab(self)
        if key == "chronology":
            from ui.views.case_page.tabs_record import ChronologyTab
            return ChronologyTab()
        if key == "related":
            from ui.views.case_page.tabs_record import RelatedTab
            related = RelatedTab()
            related.open_case_requested.connect(self.open_case_requested.emit)
            return related
        if key == "notes":
            from ui.views.case_page.tabs_record import NotesTab
            notes = NotesTab(self)
            notes.note_added.connect(self.add_note)
            return notes
        from ui.views.case_page.letters_tab import LettersTab
        return LettersTab(self)

    def _tab(self, key: str) -> QWidget:
        """The tab's widget, built (and filled) the first time it is wanted, refilled if stale."""
        widget = self._built.get(key)
        if widget is None:
            widget = self._build(key)
            holder = self._holders[key]
            box = holder.layout()
            assert box is not None
            while box.count():
                item = box.takeAt(0)
                placeholder = item.widget() if item is not None else None
                if placeholder is not None:
                    placeholder.deleteLater()
            box.addWidget(widget)
            self._built[key] = widget
            self._stale.add(key)
        if key in self._stale and self.detail is not None:
            self._stale.discard(key)
            self._fill(key, widget)
        return widget

    def _fill(self, key: str, widget: QWidget) -> None:
        assert self.detail is not None
        widget.show_case(self.detail)  # type: ignore[attr-defined]
        if key == "people" and self._tenure is not None:
            self._tenure.show_case(self.detail)

    def _current_key(self) -> str:
        return TAB_KEYS[max(self.tabs.currentIndex(), 0)]

    def _tab_shown(self, index: int) -> None:
        if 0 <= index < len(TAB_KEYS):
            self._tab(TAB_KEYS[index])

    def show_tab(self, key: str) -> None:
        self.tabs.setCurrentIndex(TAB_KEYS.index(key))

    def built_tabs(self) -> list[str]:
        return [key for key in TAB_KEYS if key in self._built]

    # Code (steps, tests) reaches a tab by name; it is built then if it was not yet.
    @property
    def summary(self) -> SummaryTab:
        return cast("SummaryTab", self._tab("summary"))

    @property
    def people(self) -> PeopleTab:
        return cast("PeopleTab", self._tab("people"))

    @property
    def tenure(self) -> TenureBox:
        self._tab("people")
        assert self._tenure is not None
        return self._tenure

    @property
    def incidents(self) -> IncidentsTab:
        return cast("IncidentsTab", self._tab("incidents"))

    @property
    def agencies(self) -> AgenciesTab:
        return cast("AgenciesTab", self._tab("agencies"))

    @property
    def chronology(self) -> ChronologyTab:
        return cast("ChronologyTab", self._tab("chronology"))

    @property
    def related(self) -> RelatedTab:
        return cast("RelatedTab", self._tab("related"))

    @property
    def notes(self) -> NotesTab:
        return cast("NotesTab", self._tab("notes"))

    @property
    def timeline(self) -> LettersTab:
        return cast("LettersTab", self._tab("timeline"))

    # loading ---------------------------------------------------------------------------------------
    def load(self, parts: Iterable[Part] | None = None, *, record_view: bool = False,
             then: Callable[[], None] | None = None) -> Task:
        """Read the case off the UI thread; refill the header, the steps and the tabs showing `parts`.

        A newer read replaces one still in flight (the same key), so the parts both were for are kept.
        """
        if parts is None:
            self._want = None
        elif self._want is not None:
            self._want |= set(parts)
        self._record_view = self._record_view or record_view
        if then is not None:
            self._after_load.append(then)
        return self.tasks.query(load_case, self.ctx, self.case_id, record_view=self._record_view,
                                on_done=self._loaded, on_error=self._load_failed, owner=self,
                                what="read the case", key=f"case-{self.case_id}")

    def refresh(self) -> None:
        """F5: read the whole case again (what was typed in the details and not saved is kept)."""
        self.load(record_view=True)

    def reload(self) -> None:
        """The case opened again (from the list, say): read it all again."""
        self.load(record_view=True)

    def apply_changes(self, changes: Changes) -> None:
        """After an operation anywhere in the app: read again only if it touched this case, and
        refill only the tabs showing a part it names (the header and the steps always)."""
        if not changes.touches_case(self.case_id):
            return
        if self.case_id in changes.removed:
            self.header.setText("This case was deleted. Close this tab (Ctrl+W).")
            return
        self.load(None if changes.all_cases else changes.parts)

    def unsaved_changes(self) -> bool:
        summary = self._built.get("summary")
        return summary is not None and cast("SummaryTab", summary).changed()

    def _loaded(self, detail: CaseDetail) -> None:
        want, self._want = self._want, set()
        after, self._after_load = self._after_load, []
        self._record_view = False
        self.detail = detail
        self.header.setText(f"<h2>{detail.reference}: {detail.applicant.name}</h2>{detail.status.label}. "
                            f"Deadline indicator: <b>{detail.indicator.value}</b>.")
        for key, _title, parts in TABS:
            if key in self._built and (want is None or parts & want):
                self._stale.add(key)
        self._show_steps()
        self.title_changed.emit(detail.reference)
        # The tab in view next, in a pass of its own: the window repaints and takes keys in between, so
        # neither half holds the UI thread for long. (Code that reaches a tab by name fills it at once.)
        QTimer.singleShot(0, self, lambda: self._fill_in_view(after))

    def _fill_in_view(self, after: list[Callable[[], None]]) -> None:
        if self.detail is None:
            return
        self._tab(self._current_key())  # what is in view now; the others when they are shown
        for callback in after:
            callback()

    def _load_failed(self, exc: BaseException) -> bool:
        self._want, self._after_load, self._record_view = set(), [], False
        show_message(self.header, f"This case cannot be shown: {in_words(exc)}", urgent=True)
        return True  # said in place, where the case would be

    # the steps -----------------------------------------------------------------------------------
    def _step_widgets(self) -> list[QPushButton]:
        found = []
        for i in range(self.steps_row.count()):
            item = self.steps_row.itemAt(i)
            widget = item.widget() if item is not None else None
            if isinstance(widget, QPushButton):
                found.append(widget)
        return found

    def _show_steps(self) -> None:
        from ui.views.case_page import steps
        offered = steps.available(self)
        old = self._step_widgets()
        if [b.text() for b in old] == [text for text, _ in offered]:
            for b, (_text, action) in zip(old, offered):  # the same steps: the buttons (and focus) stay
                b.clicked.disconnect()
                b.clicked.connect(lambda _c=False, a=action: a(self))
            return
        while self.steps_row.count():
            item = self.steps_row.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        # The step just done had focus (or gets it back when its dialog closes): focus goes to the next
        # step, not nowhere, when the old buttons go.
        keep = any(w is QApplication.focusWidget() or w is self.window().focusWidget() for w in old)
        new: list[QPushButton] = []
        for text, action in offered:
            b = QPushButton(text)
            b.setAccessibleName(text.replace("&", "").rstrip("…"))
            b.clicked.connect(lambda _c=False, a=action: a(self))
            b.setEnabled(not self._busy)
            self.steps_row.addWidget(b)
            new.append(b)
        self.steps_row.addStretch(1)
        if keep:
            target: QWidget = new[0] if new and not self._busy else self.tabs
            target.setFocus(Qt.FocusReason.OtherFocusReason)

    def step_buttons(self) -> list[str]:
        return [b.accessibleName() for b in self._step_widgets()]

    def show_working(self, text: str) -> None:
        """Called by the task runner while an operation of this page waits ("" when none does).

        The page says so, and the step buttons wait (a second step must not start on the version the
        first is changing); typing anywhere else carries on. Focus never jumps: if it was on a step
        button it rests on the tabs meanwhile, and goes back only if the user has not moved it.
        """
        busy = bool(text)
        what = text.removeprefix("Saving: ")
        self.working.setText(f"Waiting for the database to {what}" if busy else "")
        self.working.setAccessibleName(self.working.text() or "Waiting")
        self.working.setVisible(busy)
        if busy == self._busy:
            return
        self._busy = busy
        buttons = self._step_widgets()
        bar = self.tabs.tabBar()
        if busy:
            focus = QApplication.focusWidget()
            if focus is not None and focus in buttons:
                self._parked = focus
                bar.setFocus(Qt.FocusReason.OtherFocusReason)
            for b in buttons:
                b.setEnabled(False)
            return
        for b in buttons:
            b.setEnabled(True)
        parked, self._parked = self._parked, None
        if parked is not None and shiboken6.isValid(parked) and QApplication.focusWidget() is bar:
            parked.setFocus(Qt.FocusReason.OtherFocusReason)

    # running operations ----------------------------------------------------------------------------
    def run_op(self, fn: Callable[..., Any], *args: Any, what: str, on_done: Callable[[Any], None] | None = None,
               on_error: Callable[[BaseException], bool | None] | None = None, **kwargs: Any) -> Task | None:
        """One button, one operation (see `ui.tasks.run_once`); a conflict reads the view again."""
        return run_once(self.tasks, self, self._running, fn, *args, what=what, dialogs=self.dialogs,
                        reload=self.load, on_done=on_done, on_error=on_error, **kwargs)

    def read(self, fn: Callable[..., Any], *args: Any, then: Callable[[Any], None], what: str,
             **kwargs: Any) -> Task:
        """A read a step needs before its form opens (the agencies to choose from, say).

        If the officer has closed the case (or gone elsewhere) before it arrives, the form does not
        open over whatever they are doing now: nothing was changed, the button can be pressed again.
        """
        def arrived(found: Any) -> None:
            if self.isVisible():
                then(found)
        return self.tasks.query(fn, *args, on_done=arrived, owner=self, what=what, **kwargs)

    def run_step(self, title: str, intro: str, fields: list[StepField],
                 action: Callable[[dict[str, Any]], object]) -> bool:
        """A step's form; its `action` runs on the worker (values and plain data only, never a widget)."""
        return self.dialogs.run(StepDialog(title, intro, fields, action, self))

    def attempt(self, action: Callable[[], object], what: str) -> None:
        """A one-click action (no form): one operation."""
        self.run_op(action, what=what)

    @property
    def version(self) -> int:
        assert self.detail is not None
        return self.detail.version

    def today(self) -> date:
        return self.ctx.today()

    # summary -------------------------------------------------------------------------------------
    def save_details(self, values: dict[str, str]) -> None:
        """Saving edits; if someone else saved meanwhile, keep what was typed and offer to re-apply."""
        if self.detail is None:
            return
        ctx, case_id, version = self.ctx, self.case_id, self.version

        def failed(exc: BaseException) -> bool:
            if isinstance(exc, Conflict):
                if self.dialogs.ask("Changed by someone else", f"{in_words(exc)}\n\nReload the case and put your "
                                    "changes back in, so that you can check them and save again?",
                                    yes="Reload and re-apply", no="Keep my screen as it is"):
                    self.load(then=lambda: self.summary.put(values))
                return True
            if isinstance(exc, ServiceError):
                self.dialogs.error("Not saved", f"{in_words(exc)}\n\nWhat you typed is still on the screen.")
                return True
            return False  # any other failure: in words, through the dialogs; the typing stays
        self.run_op(update_case_details, ctx, case_id, version, values, what="save the details", on_error=failed)

    # incidents -----------------------------------------------------------------------------------
    def _incident(self) -> IncidentView | None:
        incident_id = self.incidents.selected_incident()
        if incident_id is None or self.detail is None:
            self.dialogs.info("Choose an incident", "Select an incident in the list first.")
            return None
        return next((i for i in self.detail.incidents if i.id == incident_id), None)

    def record_confirmation(self) -> None:
        if (i := self._incident()) is not None:
            from ui.views.case_page import steps
            steps.record_confirmation(self, i)

    def toggle_same_problem(self) -> None:
        if (i := self._incident()) is not None:
            from ui.views.case_page import law_steps
            law_steps.same_problem(self, i)

    def unconfirm(self) -> None:
        if (i := self._incident()) is not None:
            from ui.views.case_page import law_steps
            law_steps.unconfirm(self, i)

    def mark_duplicate(self) -> None:
        if (i := self._incident()) is not None:
            from ui.views.case_page import steps
            steps.mark_duplicate(self, i)

    def confirm_date(self) -> None:
        if (i := self._incident()) is not None:
            from ui.views.case_page import steps
            steps.confirm_date(self, i)

    def link_agency(self) -> None:
        if (i := self._incident()) is not None:
            from ui.views.case_page import steps
            steps.link_agency(self, i)

    # agencies ------------------------------------------------------------------------------------
    def send_information_requests(self) -> None:
        from ui.views.case_page import steps
        steps.information_requests(self)

    def record_reply(self) -> None:
        if (request_id := self.agencies.selected_request()) is None:
            self.dialogs.info("Choose a request", "Select a request in the list first.")
            return
        from ui.views.case_page import steps
        steps.record_reply(self, request_id)

    def chase_request(self) -> None:
        if (request_id := self.agencies.selected_request()) is None:
            self.dialogs.info("Choose a request", "Select a request in the list first.")
            return
        from ui.views.case_page import steps
        steps.chase(self, request_id)

    def add_action(self) -> None:
        from ui.views.case_page import steps
        steps.add_action(self)

    def import_return(self) -> None:
        path = self.dialogs.open_file("Import an agency's return", "CSV files (*.csv)")
        if path is None:
            return

        def refused(exc: BaseException) -> bool:
            if isinstance(exc, ServiceError) and not isinstance(exc, Conflict):
                self.dialogs.error("Nothing imported", str(exc).replace("; ", "\n"))
                return True
            return False
        self.run_op(import_agency_return, self.ctx, self.case_id, path, what="import the agency's return",
                    on_error=refused, on_done=lambda result: self.dialogs.info(
                        "Return imported", f"{result.count} agency action(s) added to the chronology."))

    def save_return_template(self) -> None:
        path = self.dialogs.save_file("Save the return template", f"{self.detail.reference if self.detail else 'case'}"
                                      "-agency-return.csv", "CSV files (*.csv)")
        if path is None:
            return
        self.run_op(_save_return_template, path, what="save the return template",
                    on_done=lambda _r: self.dialogs.info(
                        "Template saved", f"Send {path.name} to the agency. One row per action: the date "
                        "(dd/mm/yyyy), the agency, what was done and the source document."))

    # notes and documents -------------------------------------------------------------------------
    def add_note(self, text: str) -> None:
        def added(_result: object) -> None:
            box = self.notes.new_note
            if box.toPlainText() == text:  # anything typed since stays in the box
                box.clear()
        self.run_op(add_note, self.ctx, self.case_id, text, what="add the note", on_done=added)

    def attach_document(self) -> None:
        path = self.dialogs.open_file("Attach a document", "Documents (*.pdf *.png *.jpg *.jpeg *.tif *.tiff)")
        if path is not None:
            self.run_op(attach_document, self.ctx, self.case_id, path, what="attach the document")

    def save_document(self) -> None:
        doc_id = self.notes.selected_document()
        if doc_id is None or self.detail is None:
            self.dialogs.info("Choose a document", "Select a document in the list first.")
            return
        title = next((d[1] for d in self.detail.documents if d[0] == doc_id), "document")
        path = self.dialogs.save_file("Save a copy of the document", title, "All files (*)")
        if path is None:
            return  # nothing left the database: nothing to log
        ctx = self.ctx

        def copy() -> None:
            _title, content = document_content(ctx, doc_id)  # logged before the file exists
            _write_file(path, content)

        def failed(exc: BaseException) -> bool:
            if isinstance(exc, OSError):
                self.dialogs.error("Copy not saved", in_words(exc))
                return True
            return False
        self.run_op(copy, what="save a copy of the document", on_error=failed)
