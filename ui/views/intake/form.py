"""The application form: telephone or postal mode, live threshold, repeat check, autosave, save.

Nothing here waits for the database on the UI thread. The save is one operation on the worker
(`ui.tasks`): meanwhile the form says it is saving, takes no typing (what is typed would not be in
the case) and its Save buttons are off, while every other form and page carries on; when it lands,
focus moves on only if the officer is still in this form. The repeat check, the households for the
live threshold and the suggestions read from the database are queries that wait for a pause in
typing and are replaced by newer ones. The autosave is an operation that never takes the focus and
never puts a message in front of anyone.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import shiboken6
from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (QApplication, QComboBox, QHBoxLayout, QLabel, QPlainTextEdit, QPushButton,
                               QScrollArea, QSplitter, QVBoxLayout, QWidget)

from app.diagnostics import log_failure
from app.domain.application import ApplicationData, Problem
from app.services.agencies.matching import AgencyDirectory
from app.services.common.context import ServiceContext
from app.services.common.errors import DatabaseUnavailable, ServiceError, ValidationFailed, in_words
from app.services.common.ops import NOTHING, Changes
from app.services.intake.form_input import application_from_form, incidents_from_rows, parse_received
from app.domain.roles import Permission
from app.domain.threshold import Household
from app.services.intake.applications import (CreatedCase, Scan, find_submission, form_households,
                                              preview_threshold, save_application)
from app.services.intake import support
from ui.dialogs import DialogService
from ui.focus import building, reveal, reveal_soon, show_message
from ui.tasks import Tasks
from ui.views.intake import drafts
from ui.views.intake.completion import LiveCompleterDelegate, attach_live_completer
from ui.views.intake.drafts import DraftKeeper, Kept, new_submission_id, write_private  # noqa: F401 - re-exported
from ui.views.intake.fields import Fields
from ui.views.intake.repeats_panel import RepeatsPanel
from ui.views.intake.rows_view import ChoiceDelegate
from ui.views.intake.sections import HOW_REPORTED, INCIDENT_COLUMNS, FormSections
from ui.views.intake.threshold_panel import ThresholdPanel
from ui.style import look

AUTOSAVE_MS = 5000
CHECK_DELAY_MS = 400  # the repeat check and the households wait for a pause in typing
_KEYS = [c[0].rstrip("?") for c in INCIDENT_COLUMNS]
_TEXT_KEYS = [c[0] for c in INCIDENT_COLUMNS if not c[0].endswith("?")]  # tick boxes alone do not fill a row


def _column(key: str) -> int:
    """The grid column of an incident field named in a problem (the first column if none)."""
    return _KEYS.index(key) if key in _KEYS else 0


class ApplicationForm(QWidget):
    """One application being typed. `mode` is 'telephone' or 'post'."""

    case_saved = Signal(int, str)  # case id, reference
    title_changed = Signal(str)

    def __init__(self, ctx: ServiceContext, dialogs: DialogService, directory: AgencyDirectory,
                 mode: str = "telephone", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx, self.dialogs, self.directory, self.mode = ctx, dialogs, directory, mode
        self.postal = mode == "post"
        self.tasks = Tasks.instance()
        self.keeper = DraftKeeper(ctx, f"application-{mode}", self.tasks)
        self.attachments: list[Path] = []
        self.saved: CreatedCase | None = None
        self.last_saved: CreatedCase | None = None  # the latest case this form saved (a batch goes on)
        self.submission_id = new_submission_id()
        self._dirty = False
        self._loading = False
        self._saving = False
        self._households: tuple[Household, ...] | None = None  # as last read, for the live threshold
        self._households_for: tuple[Any, ...] | None = None     # what they were read for
        self.fields = Fields()
        with building(self):  # a hundred controls at once: the app's event filter steps aside meanwhile
            self._build()
            self.reset()

    # The draft this form keeps (the main window sets them on a restored form).
    @property
    def draft_id(self) -> int | None:
        return self.keeper.draft_id

    @draft_id.setter
    def draft_id(self, value: int | None) -> None:
        self.keeper.draft_id = value

    @property
    def local_draft(self) -> Path | None:
        return self.keeper.local

    @local_draft.setter
    def local_draft(self, value: Path | None) -> None:
        self.keeper.local = value

    @property
    def saving(self) -> bool:
        return self._saving

    # building ----------------------------------------------------------------------------------
    def _build(self) -> None:
        self.setAccessibleName("Postal application" if self.postal else "Telephone application")
        outer = QVBoxLayout(self)
        self.banner = QLabel()
        look(self.banner, "banner")
        self.banner.setWordWrap(True)
        self.banner.setVisible(False)
        outer.addWidget(self.banner)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        self.content = QWidget()
        content_layout = QVBoxLayout(self.content)
        self.sections = FormSections(content_layout, self.fields, self.ctx.settings(), self.postal,
                                     self.directory.names())
        self.form_scroll = scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.content)
        scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # a frame, not a control: Tab goes to the fields
        splitter.addWidget(scroll)
        side = QWidget()
        side_layout = QVBoxLayout(side)
        side_layout.setContentsMargins(0, 0, 0, 0)
        self.threshold_panel = ThresholdPanel()
        self.repeats_panel = RepeatsPanel()
        side_layout.addWidget(self.threshold_panel, 3)
        side_layout.addWidget(self.repeats_panel, 2)
        splitter.addWidget(side)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        outer.addWidget(splitter, 1)
        buttons = QHBoxLayout()
        self.working = QLabel()
        look(self.working, "hint")
        self.working.setVisible(False)
        buttons.addWidget(self.working)
        self.save_button = QPushButton("&Save")
        self.save_button.setToolTip("Save the application (Ctrl+S)")
        self.save_ack_button = QPushButton("Save and ac&knowledge")
        self.save_ack_button.setToolTip("Save, and put the acknowledgement letter on the list to send")
        self.save_next_button = QPushButton("Save and &next")
        self.save_next_button.setToolTip("Save, and start the next postal application with the same date received")
        self.new_button = QPushButton("&New application")
        buttons.addStretch(1)
        for b in (self.save_button, self.save_ack_button, self.save_next_button, self.new_button):
            b.setAccessibleName(b.text().replace("&", ""))
            buttons.addWidget(b)
        outer.addLayout(buttons)
        # Only once they have a parent: a button shown before would open as a window of its own (and
        # take the keyboard focus away from the form).
        self.save_next_button.setVisible(self.postal)
        self.new_button.setVisible(False)
        self._wire()

    def _wire(self) -> None:
        s = self.sections
        s.incidents_view.setItemDelegateForColumn(  # by name, alias or initials ("TWBC")
            _KEYS.index("reported_to"), LiveCompleterDelegate(lambda t: self.directory.suggest(t), s.incidents_view))
        s.incidents_view.setItemDelegateForColumn(_KEYS.index("how_reported"),
                                                  ChoiceDelegate(HOW_REPORTED, s.incidents_view))
        # Earlier entries are read from the database: off the UI thread, when typing pauses.
        ctx = self.ctx
        s.perpetrators_view.setItemDelegateForColumn(
            0, LiveCompleterDelegate(lambda t: support.suggest(ctx, "perpetrator", t), s.perpetrators_view,
                                     remote=True))
        s.perpetrators_view.setItemDelegateForColumn(
            2, LiveCompleterDelegate(lambda t: support.suggest(ctx, "address", t), s.perpetrators_view,
                                     remote=True))
        attach_live_completer(self.fields.widgets["problem_location"],  # type: ignore[arg-type]
                              lambda t: support.suggest(ctx, "location", t), remote=True)
        s.add_incident.clicked.connect(s.incidents_view.add_row)
        s.remove_incident.clicked.connect(s.incidents_view.remove_current_row)
        s.on_behalf.toggled.connect(self._show_victim)
        s.on_behalf.toggled.connect(self._typed_for_repeats)
        s.attach_button.clicked.connect(self.attach_scan)
        for signal in (s.incidents.dataChanged, s.incidents.rowsInserted, s.incidents.rowsRemoved,
                       s.incidents.modelReset):
            signal.connect(self._on_incidents_changed)
        for signal in (s.perpetrators.dataChanged, s.perpetrators.rowsInserted, s.perpetrators.rowsRemoved):
            signal.connect(self._mark_dirty)
        self.fields.connect_changes(self._mark_dirty)
        self.fields.widgets["received_at"].textEdited.connect(self._update_threshold)  # type: ignore[attr-defined]
        self._repeat_timer = QTimer(self, singleShot=True, interval=CHECK_DELAY_MS)
        self._repeat_timer.timeout.connect(self.check_repeats)
        self._households_timer = QTimer(self, singleShot=True, interval=CHECK_DELAY_MS)
        self._households_timer.timeout.connect(self._read_households)
        self.fields.widgets["problem_location"].textEdited.connect(  # type: ignore[attr-defined]
            lambda _t: self._update_threshold())
        self.repeats_panel.list.itemChanged.connect(lambda _item: self._update_threshold())
        for key in ("applicant.last_name", "applicant.postcode", "applicant.phone", "applicant.organisation",
                    "applicant.address", "victim.last_name", "victim.postcode", "victim.phone",
                    "victim.organisation", "victim.address"):
            widget = self.fields.widgets[key]
            if isinstance(widget, QPlainTextEdit):
                widget.textChanged.connect(self._typed_for_repeats)
            else:
                widget.textEdited.connect(self._typed_for_repeats)  # type: ignore[attr-defined]
        self.save_button.clicked.connect(lambda: self.save())
        self.save_ack_button.clicked.connect(lambda: self.save(acknowledge=True))
        self.save_next_button.clicked.connect(lambda: self.save(then_next=True))
        self.new_button.clicked.connect(self.start_new)
        for keys, slot in (("Ctrl+S", lambda: self.save()),
                           ("Ctrl+Shift+S", lambda: self.save(then_next=self.postal))):
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(slot)
        self._autosave_timer = QTimer(self, interval=AUTOSAVE_MS)
        self._autosave_timer.timeout.connect(self.autosave)
        self._autosave_timer.start()

    # state ---------------------------------------------------------------------------------------
    def reset(self, keep_received: str | None = None) -> None:
        """An empty application; a postal batch keeps its date received."""
        self._loading = True
        for key in self.fields.widgets:
            self.fields.set_value(key, "")
        self.fields.set_value("channel", "post" if self.postal else "telephone")
        if keep_received is not None:
            self.fields.set_value("received_at", keep_received)
        elif not self.postal:
            self.fields.set_value("received_at", self.ctx.now().strftime("%d/%m/%Y %H:%M"))
        self.sections.incidents.set_rows([{}])
        self.sections.perpetrators.set_rows([{}])
        self.attachments = []
        self.sections.attachments_label.setText("No scan attached")
        self._set_read_only(False)
        self.fields.clear_errors()
        self.sections.incidents_error.setVisible(False)
        self.repeats_panel.show_matches([])
        if self.keeper.draft_id is not None or self.keeper.local is not None:
            self.keeper = DraftKeeper(self.ctx, f"application-{self.mode}", self.tasks)  # the next application's
        self.saved = None
        self._households, self._households_for = None, None
        self.submission_id = new_submission_id()  # saving this application twice returns the first case
        for b in (self.save_button, self.save_ack_button, self.save_next_button):
            b.setEnabled(True)
        self.new_button.setVisible(False)
        self._loading = False
        self._dirty = False
        self._update_threshold()
        self.title_changed.emit(self.default_title())

    def set_directory(self, directory: AgencyDirectory) -> None:
        """The agency directory as read (at start-up, or after it was edited): matched from now on."""
        self.directory = directory
        landlord = self.fields.widgets["victim_landlord"]
        if isinstance(landlord, QComboBox):
            chosen = landlord.currentData()
            landlord.blockSignals(True)  # refilling is not the officer choosing
            landlord.clear()
            for value, text in [("", "— none —")] + [(n, n) for n in directory.names()]:
                landlord.addItem(text, value)
            found = landlord.findData(chosen)
            landlord.setCurrentIndex(found if found >= 0 else 0)
            landlord.blockSignals(False)
        self._update_threshold()

    def default_title(self) -> str:
        return "New postal application" if self.postal else "New telephone application"

    def first_field(self) -> QWidget:
        return self.fields.widgets["received_at" if self.postal else "applicant.title"]

    def focus_first_field(self) -> None:
        self.first_field().setFocus(Qt.FocusReason.OtherFocusReason)

    def _show_victim(self, shown: bool) -> None:
        self.sections.victim_group.setVisible(shown)
        if shown:  # the section opens below: bring its first question into view
            reveal_soon(self.fields.widgets["victim.title"])

    def _set_read_only(self, read_only: bool) -> None:
        self.fields.set_read_only(read_only)
        s = self.sections
        for view in (s.incidents_view, s.perpetrators_view):
            view.setEditTriggers(view.EditTrigger.NoEditTriggers if read_only else view.default_triggers)
        for b in (s.add_incident, s.remove_incident, s.attach_button):
            b.setEnabled(not read_only)

    def payload(self) -> dict[str, Any]:
        data: dict[str, Any] = dict(self.fields.values())
        data["incidents"] = self.sections.incidents.values()
        data["perpetrators"] = self.sections.perpetrators.values()
        data["attachments"] = [str(p) for p in self.attachments]
        data["mode"] = self.mode
        data["submission_id"] = self.submission_id  # a restored draft is still the same submission
        return data

    def restore(self, payload: dict[str, Any]) -> None:
        self._loading = True
        if isinstance(payload.get("submission_id"), str) and payload["submission_id"]:
            self.submission_id = payload["submission_id"]
        for key in self.fields.widgets:
            if key in payload:
                self.fields.set_value(key, payload[key])
        self.sections.incidents.set_rows(payload.get("incidents") or [{}])
        self.sections.perpetrators.set_rows(payload.get("perpetrators") or [{}])
        self.attachments = [Path(p) for p in payload.get("attachments") or [] if Path(p).is_file()]
        self._show_attachments()
        self._loading = False
        self._dirty = True
        self._update_threshold()

    def has_content(self) -> bool:
        skip = {"received_at", "channel"}
        typed = any(v not in ("", None, False) for k, v in self.fields.values().items() if k not in skip)
        rows = any(any(str(v).strip() for v in r.values() if not isinstance(v, bool))
                   for r in self.sections.incidents.rows)
        return typed or rows

    def _mark_dirty(self, *_: object) -> None:
        if not self._loading:
            self._dirty = True

    def _typed_for_repeats(self, *_: object) -> None:
        if not self._loading:
            self._repeat_timer.start()
            self._update_threshold()  # the households follow the address typed

    def _on_incidents_changed(self, *_: object) -> None:
        self._mark_dirty()
        self._update_threshold()

    # live panels ---------------------------------------------------------------------------------
    def _update_threshold(self, *_: object) -> None:
        """Pure domain work on what is typed, at once; the households (a read) follow when typing pauses."""
        rows = self.sections.incidents.values()
        items, _problems = incidents_from_rows(rows)
        filled = [n for n, r in enumerate(rows) if any(str(r.get(k, "")).strip() for k in _TEXT_KEYS)]
        try:
            received = parse_received(str(self.fields.value("received_at"))).date()
        except ValueError:
            received = self.ctx.today()
        wanted = self._households_wanted(received)
        if wanted != self._households_for:
            if wanted is None:
                self._households, self._households_for = None, None
            else:
                self._households_timer.start()  # read them when typing pauses; shown as known meanwhile
        households = self._households if wanted is not None else None
        result = preview_threshold(items, received, self.directory, self.ctx.settings(), households)
        self.threshold_panel.show_result(result, list(zip(filled, items)))

    def _households_wanted(self, received: date) -> tuple[Any, ...] | None:
        """What the households depend on, or None when the community route is not in force (nothing to read)."""
        if not self.ctx.settings().rules_on(received).community_route:
            return None
        v = self.fields.value
        prefix = "victim" if self.sections.on_behalf.isChecked() else "applicant"
        lines = tuple(line.strip() for line in str(v(f"{prefix}.address") or "").splitlines() if line.strip())
        return (str(v("problem_location") or ""), tuple(self.repeats_panel.linked_case_ids()), lines,
                str(v(f"{prefix}.postcode") or "").upper() or None, received)

    def _read_households(self) -> None:
        try:
            received = parse_received(str(self.fields.value("received_at"))).date()
        except ValueError:
            received = self.ctx.today()
        wanted = self._households_wanted(received)
        if wanted is None or wanted == self._households_for:
            return
        location, linked, lines, postcode, on = wanted

        def arrived(households: tuple[Household, ...] | None) -> None:
            self._households, self._households_for = households, wanted
            self._update_threshold()

        self.tasks.query(form_households, self.ctx, problem_location=location, linked_case_ids=list(linked),
                         address_lines=list(lines), postcode=postcode, received_on=on, on_done=arrived,
                         on_error=lambda _exc: True,  # advisory: the saved case is counted again
                         owner=self, what="read the applications about the same problem",
                         key=f"households-{id(self)}")

    def check_repeats(self) -> None:
        """Earlier cases for the same person or address: a query, replaced by a newer one as typing goes on."""
        v = self.fields.value
        victim = None
        if v("on_behalf"):  # the victim may have applied before, or been the subject of an application
            victim = support.RepeatQuery(surname=str(v("victim.last_name") or v("victim.organisation")),
                                         postcode=str(v("victim.postcode")), phone=str(v("victim.phone")),
                                         address=str(v("victim.address")))
        self.tasks.query(support.find_possible_repeats, self.ctx,
                         surname=str(v("applicant.last_name") or v("applicant.organisation")),
                         postcode=str(v("applicant.postcode")), phone=str(v("applicant.phone")),
                         address=str(v("applicant.address")), victim=victim,
                         on_done=self.repeats_panel.show_matches,
                         on_error=lambda _exc: True,  # advisory; saving will report a database problem
                         owner=self, what="look for earlier applications", key=f"repeats-{id(self)}")

    # scans ---------------------------------------------------------------------------------------
    def attach_scan(self) -> None:
        path = self.dialogs.open_file("Attach the scanned letter or form",
                                      "Scans (*.pdf *.png *.jpg *.jpeg *.tif *.tiff)")
        if path is not None:
            self.attachments.append(path)
            self._show_attachments()
            self._mark_dirty()

    def _show_attachments(self) -> None:
        self.sections.attachments_label.setText(
            ", ".join(p.name for p in self.attachments) if self.attachments else "No scan attached")

    # saving --------------------------------------------------------------------------------------
    def save(self, *, acknowledge: bool = False, then_next: bool = False) -> bool:
        """Check what is typed, then save it as one operation off the UI thread.

        True when the save is on its way (`case_saved` follows when it lands); False when the form
        showed what to put right, or it is saved or saving already.
        """
        if self.saved is not None or self._saving:
            return False
        for view in (self.sections.incidents_view, self.sections.perpetrators_view):
            view.commit_edit()  # Ctrl+S pressed while still typing in a cell
        self.fields.clear_errors()
        self.sections.incidents_error.setVisible(False)
        self.sections.incidents_error.clear()
        result = application_from_form(self.payload(), self.ctx.now())
        if result.problems:
            self.show_problems(list(result.problems))
            return False
        assert result.data is not None
        data = result.data
        self._saving = True
        # Typed while saving, it would not be in the case: the form is read-only until the answer.
        self._set_read_only(True)
        self.show_working("Saving: save the application…")
        # An autosave on its way may be making this form's draft: the save removes it once it is known.
        self.keeper.when_settled(lambda: self._send(data, acknowledge, then_next))
        return True

    def _send(self, data: ApplicationData, acknowledge: bool, then_next: bool) -> None:
        if not shiboken6.isValid(self):
            return
        received = str(self.fields.value("received_at"))
        self.tasks.op(save_work, self.ctx, data, scans=[Scan(p) for p in self.attachments],
                      linked_cases=self.repeats_panel.linked_case_ids(), acknowledge=acknowledge,
                      draft_ids=[self.keeper.draft_id] if self.keeper.draft_id else [],
                      submission_id=self.submission_id,
                      on_done=lambda outcome: self._save_landed(outcome, acknowledge, then_next, received),
                      on_error=self._save_failed, owner=self, what="save the application")

    def show_working(self, text: str) -> None:
        """Called by the task runner while this form's operations wait ("Saving: …"), and with "" after."""
        if not text and self._saving:
            return  # the save is still between its autosave and its own operation
        self.working.setText(text)
        self.working.setAccessibleName(text)
        self.working.setVisible(bool(text))
        busy = bool(text) or self.saved is not None
        for b in (self.save_button, self.save_ack_button, self.save_next_button):
            b.setEnabled(not busy)

    def _still_here(self) -> bool:
        """Whether the officer is still in this form: only then does anything move the focus."""
        widget = QApplication.focusWidget() or self.window().focusWidget()
        return widget is None or widget is self or self.isAncestorOf(widget)

    def _save_landed(self, outcome: SaveOutcome, acknowledge: bool, then_next: bool, received: str) -> None:
        self._saving = False
        if outcome.created is None:
            self._set_read_only(False)
            self.show_working("")
            self.autosave(force=True)
            if outcome.checked:
                self.dialogs.error("Not saved", f"{outcome.lost}\n\nThe database has been checked: this application "
                                                "was not saved. Everything you typed is still in the form.")
            else:
                self.dialogs.error("Not certain it was saved", (
                    "The connection to the database was lost while saving, and it cannot be reached to check "
                    "whether the application was saved.\n\nEverything you typed is still in the form. Save again "
                    "when the database is back: if it was saved, you will be shown that case; it is never saved "
                    "twice."))
            return
        created = outcome.created
        here = self._still_here()
        self.keeper.saved()  # the draft went in the same transaction as the save
        self.saved = self.last_saved = created
        self.case_saved.emit(created.id, created.reference)
        message = self._saved_message(created, acknowledge)
        if then_next:
            self.reset(keep_received=received)
            self.show_working("")
            self.show_banner(message + "\nReady for the next application.", "ok")
            # The date received is kept for the batch: the next application starts at its title,
            # with the form back at the top.
            self.form_scroll.verticalScrollBar().setValue(0)
            if here:
                self.fields.widgets["applicant.title"].setFocus(Qt.FocusReason.OtherFocusReason)
        else:
            self.show_working("")
            self.new_button.setVisible(True)
            self.show_banner(message, "warn" if created.waiting_for else "ok")
            self.title_changed.emit(created.reference)
            if here:
                self.new_button.setFocus()

    def _save_failed(self, exc: BaseException) -> bool:
        """The save was refused or failed: nothing typed is lost, and the officer is told in words."""
        self._saving = False
        self._set_read_only(False)
        self.show_working("")
        if isinstance(exc, ValidationFailed):
            self.show_problems(exc.problems, move_focus=self._still_here())
            return True
        if not isinstance(exc, ServiceError):
            log_failure(exc, where="save the application")  # the kind and the code, never the values
        self.autosave(force=True)
        self.dialogs.error("Not saved", f"{in_words(exc)}\n\nEverything you typed is still in the form.")
        return True

    def _saved_message(self, created: CreatedCase, acknowledge: bool) -> str:
        text = f"Saved as {created.reference}."
        if created.already_saved:
            text += " (It had already been saved, so no second case was made.)"
        if created.waiting_for:
            text += (" It is recorded as awaiting consent, keeping its date received. It cannot go to a "
                     "threshold decision until we have " + " and ".join(created.waiting_for) + ".")
        if created.unmatched_agencies:
            text += (" Check 'reported to' for: " + ", ".join(sorted(set(created.unmatched_agencies)))
                     + " (not in the agency directory, so not counted yet).")
        if acknowledge:
            text += " The acknowledgement letter is on the list to send."
        return text

    def show_problems(self, problems: list[Problem], move_focus: bool = True) -> None:
        grid_rows: list[tuple[int, str]] = []
        first: tuple[float, str, str] | None = None  # (place in the form, key, words) of the first problem
        grid_place = self.fields.order("consent_to_share") + 0.5  # the grid follows the consent question
        labels = dict((c[0].rstrip("?"), c[1]) for c in INCIDENT_COLUMNS)
        for problem in problems:
            key = problem.field
            if key.startswith("incidents"):
                row = int(key[len("incidents["):key.index("]")]) if "[" in key else -1
                column = key.split(".", 1)[1] if "." in key else ""
                label = labels.get(column, "")
                where = f"Incident {row + 1}" + (f", {label.lower()}" if label else "") if row >= 0 else "Incidents"
                words = f"{where}: {problem.message}"
                grid_rows.append((row, f"⚠ {words}"))
                place = grid_place + (max(row, 0) * 100 + _column(column)) / 10_000
            elif self.fields.show_error(key, problem.message):
                place, words = self.fields.order(key), self.fields.problem_text(key)
            else:
                grid_rows.append((-1, f"⚠ {problem.message}"))
                continue
            if first is None or place < first[0]:
                first = (place, key, words)
        if grid_rows:
            text = "\n".join(text for _, text in grid_rows)
            self.sections.incidents_error.setText(text)
            self.sections.incidents_error.setAccessibleName(text.replace("⚠ ", "").replace("\n", "; "))
            self.sections.incidents_error.setVisible(True)
        if any(k.startswith("victim.") or k in ("relationship", "victim_consent", "consent_method")
               for k in (p.field for p in problems)):
            self.sections.victim_group.setVisible(True)
        count = len(problems)
        banner = (f"Not saved yet: {count} thing{'s' if count != 1 else ''} to put right "
                  "(marked ⚠ below). Nothing you typed has been lost.")
        self.show_banner(banner, "error", spoken=banner + (f" First: {first[2]}" if first else ""))
        if first is None or not move_focus:
            return
        key = first[1]
        if key.startswith("incidents"):
            view = self.sections.incidents_view
            first_row = int(key[len("incidents["):key.index("]")]) if "[" in key else 0
            first_column = _column(key.split(".", 1)[1] if "." in key else "")
            view.setCurrentIndex(view.model().index(max(first_row, 0), first_column))
            view.setFocus(Qt.FocusReason.OtherFocusReason)
            reveal_soon(view)
        else:
            widget = self.fields.widgets[key]
            widget.setFocus(Qt.FocusReason.OtherFocusReason)
            reveal_soon(widget)

    def _reveal(self, widget: QWidget) -> None:
        reveal(widget)

    def show_banner(self, text: str, kind: str, spoken: str | None = None) -> None:
        self.banner.setProperty("kind", kind)
        self.banner.style().unpolish(self.banner)
        self.banner.style().polish(self.banner)
        show_message(self.banner, text, urgent=kind == "error", spoken=spoken)

    def start_new(self) -> None:
        self.reset()
        self.banner.setVisible(False)
        self.focus_first_field()

    # drafts --------------------------------------------------------------------------------------
    def autosave(self, force: bool = False) -> None:
        """Every few seconds: to the database; to a local file only while it cannot be reached.

        An operation like any other, but one nobody asked for: it never moves the focus and never
        shows a message (the form keeps everything; the next one tries again).
        """
        if self.saved is not None or self._saving or not (self._dirty or force) or not self.has_content():
            return
        if not self.ctx.may(Permission.CHANGE_CASES):
            return  # someone who may not create cases keeps no draft, on the server or on this computer
        if self.keeper.keep(self.payload(), self._kept):
            self._dirty = False  # typing on from here makes it dirty again

    def _kept(self, kept: Kept) -> None:
        if shiboken6.isValid(self) and not kept.kept and not kept.refused:
            self._dirty = True  # written nowhere: the next autosave tries again

    def discard(self) -> None:
        """The user closed the form without saving and chose to throw it away."""
        self._dirty = False
        self._autosave_timer.stop()
        self.keeper.discard()


@dataclass(frozen=True)
class SaveOutcome:
    """What a save came to: the case; or, after a lost connection, whether it was checked and not there."""
    created: CreatedCase | None
    lost: str = ""          # the words of the lost connection
    checked: bool = False   # the database was asked afterwards: this submission is not saved

    @property
    def changes(self) -> Changes:
        return self.created.changes if self.created is not None else NOTHING


def save_work(ctx: ServiceContext, data: ApplicationData, *, scans: list[Scan], linked_cases: list[int],
              acknowledge: bool, draft_ids: list[int], submission_id: str) -> SaveOutcome:
    """On the worker: the save (one transaction); after a lost connection, ask whether it was saved
    after all before saying it was not (it is never saved twice: the submission id)."""
    try:
        return SaveOutcome(save_application(ctx, data, scans=scans, linked_cases=linked_cases,
                                            acknowledge=acknowledge, draft_ids=draft_ids,
                                            submission_id=submission_id))
    except DatabaseUnavailable as exc:
        try:
            found = find_submission(ctx, submission_id)
        except ServiceError:
            return SaveOutcome(None, str(exc), checked=False)
        return SaveOutcome(found) if found is not None else SaveOutcome(None, str(exc), checked=True)


def local_drafts_dir() -> Path:
    return drafts.local_drafts_dir()
