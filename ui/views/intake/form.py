"""The application form: telephone or postal mode, live threshold, repeat check, autosave, save."""
from __future__ import annotations

import json
import os
import uuid
from datetime import date, datetime
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (QHBoxLayout, QLabel, QPlainTextEdit, QPushButton, QScrollArea, QSplitter,
                               QVBoxLayout, QWidget)

from app.domain.application import Problem
from app.paths import user_data_dir
from app.services.agencies.directory import AgencyDirectory
from app.services.common.context import ServiceContext
from app.services.common.errors import DatabaseUnavailable, ServiceError, ValidationFailed
from app.services.intake.form_input import application_from_form, incidents_from_rows, parse_received
from app.domain.roles import Permission
from app.domain.threshold import Household
from app.services.intake.applications import (CreatedCase, Scan, find_submission, form_households,
                                              preview_threshold, save_application)
from app.services.intake import support
from ui.dialogs import DialogService
from ui.focus import reveal, reveal_soon, show_message
from ui.views.intake.completion import LiveCompleterDelegate, attach_live_completer
from ui.views.intake.fields import Fields
from ui.views.intake.repeats_panel import RepeatsPanel
from ui.views.intake.rows_view import ChoiceDelegate
from ui.views.intake.sections import HOW_REPORTED, INCIDENT_COLUMNS, FormSections
from ui.views.intake.threshold_panel import ThresholdPanel

AUTOSAVE_MS = 5000
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
        self.draft_id: int | None = None
        self.local_draft: Path | None = None
        self.attachments: list[Path] = []
        self.saved: CreatedCase | None = None
        self.submission_id = new_submission_id()
        self._dirty = False
        self._loading = False
        self.fields = Fields()
        self._build()
        self.reset()

    # building ----------------------------------------------------------------------------------
    def _build(self) -> None:
        self.setAccessibleName("Postal application" if self.postal else "Telephone application")
        outer = QVBoxLayout(self)
        self.banner = QLabel()
        self.banner.setObjectName("banner")
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
            _KEYS.index("reported_to"), LiveCompleterDelegate(self.directory.suggest, s.incidents_view))
        s.incidents_view.setItemDelegateForColumn(_KEYS.index("how_reported"),
                                                  ChoiceDelegate(HOW_REPORTED, s.incidents_view))
        s.perpetrators_view.setItemDelegateForColumn(
            0, LiveCompleterDelegate(lambda t: support.suggest(self.ctx, "perpetrator", t), s.perpetrators_view))
        s.perpetrators_view.setItemDelegateForColumn(
            2, LiveCompleterDelegate(lambda t: support.suggest(self.ctx, "address", t), s.perpetrators_view))
        attach_live_completer(self.fields.widgets["problem_location"],  # type: ignore[arg-type]
                              lambda t: support.suggest(self.ctx, "location", t))
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
        self._repeat_timer = QTimer(self, singleShot=True, interval=400)
        self._repeat_timer.timeout.connect(self.check_repeats)
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
        self.draft_id = None
        self.local_draft = None
        self.saved = None
        self.submission_id = new_submission_id()  # saving this application twice returns the first case
        for b in (self.save_button, self.save_ack_button, self.save_next_button):
            b.setEnabled(True)
        self.new_button.setVisible(False)
        self._loading = False
        self._dirty = False
        self._update_threshold()
        self.title_changed.emit(self.default_title())

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

    def _on_incidents_changed(self, *_: object) -> None:
        self._mark_dirty()
        self._update_threshold()

    # live panels ---------------------------------------------------------------------------------
    def _update_threshold(self, *_: object) -> None:
        rows = self.sections.incidents.values()
        items, _problems = incidents_from_rows(rows)
        filled = [n for n, r in enumerate(rows) if any(str(r.get(k, "")).strip() for k in _TEXT_KEYS)]
        try:
            received = parse_received(str(self.fields.value("received_at"))).date()
        except ValueError:
            received = self.ctx.today()
        result = preview_threshold(items, received, self.directory, self.ctx.settings(), self._households(received))
        self.threshold_panel.show_result(result, list(zip(filled, items)))

    def _households(self, received: date) -> tuple[Household, ...] | None:
        """The applications about the same problem, read only when the community route is in force."""
        if not self.ctx.settings().rules_on(received).community_route:
            return None
        v = self.fields.value
        prefix = "victim" if self.sections.on_behalf.isChecked() else "applicant"
        lines = [line.strip() for line in str(v(f"{prefix}.address") or "").splitlines() if line.strip()]
        try:
            return form_households(self.ctx, problem_location=str(v("problem_location") or ""),
                                   linked_case_ids=self.repeats_panel.linked_case_ids(), address_lines=lines,
                                   postcode=str(v(f"{prefix}.postcode") or "").upper() or None, received_on=received)
        except ServiceError:
            return None  # advisory: the saved case is counted again

    def check_repeats(self) -> None:
        v = self.fields.value
        victim = None
        if v("on_behalf"):  # the victim may have applied before, or been the subject of an application
            victim = support.RepeatQuery(surname=str(v("victim.last_name") or v("victim.organisation")),
                                         postcode=str(v("victim.postcode")), phone=str(v("victim.phone")),
                                         address=str(v("victim.address")))
        try:
            matches = support.find_possible_repeats(
                self.ctx, surname=str(v("applicant.last_name") or v("applicant.organisation")),
                postcode=str(v("applicant.postcode")), phone=str(v("applicant.phone")),
                address=str(v("applicant.address")), victim=victim)
        except ServiceError:
            return  # the check is advisory; saving will report a database problem
        self.repeats_panel.show_matches(matches)

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
    def save(self, *, acknowledge: bool = False, then_next: bool = False) -> CreatedCase | None:
        if self.saved is not None:
            return None
        for view in (self.sections.incidents_view, self.sections.perpetrators_view):
            view.commit_edit()  # Ctrl+S pressed while still typing in a cell
        self.fields.clear_errors()
        self.sections.incidents_error.setVisible(False)
        self.sections.incidents_error.clear()
        result = application_from_form(self.payload(), self.ctx.now())
        if result.problems:
            self.show_problems(list(result.problems))
            return None
        assert result.data is not None
        try:
            created = save_application(self.ctx, result.data, scans=[Scan(p) for p in self.attachments],
                                       linked_cases=self.repeats_panel.linked_case_ids(), acknowledge=acknowledge,
                                       draft_ids=[self.draft_id] if self.draft_id else [],
                                       submission_id=self.submission_id)
        except ValidationFailed as exc:
            self.show_problems(exc.problems)
            return None
        except DatabaseUnavailable as exc:
            found = self._saved_after_all(exc)
            if found is None:
                return None
            created = found
        except ServiceError as exc:
            self.autosave(force=True)
            self.dialogs.error("Not saved", f"{exc}\n\nEverything you typed is still in the form.")
            return None
        self.draft_id = None  # removed in the same transaction as the save
        received = str(self.fields.value("received_at"))
        self._discard_drafts()
        self.saved = created
        self.case_saved.emit(created.id, created.reference)
        message = self._saved_message(created, acknowledge)
        if then_next:
            self.reset(keep_received=received)
            self.show_banner(message + "\nReady for the next application.", "ok")
            # The date received is kept for the batch: the next application starts at its title,
            # with the form back at the top.
            self.form_scroll.verticalScrollBar().setValue(0)
            self.fields.widgets["applicant.title"].setFocus(Qt.FocusReason.OtherFocusReason)
        else:
            self._set_read_only(True)
            for b in (self.save_button, self.save_ack_button, self.save_next_button):
                b.setEnabled(False)
            self.new_button.setVisible(True)
            self.show_banner(message, "warn" if created.waiting_for else "ok")
            self.title_changed.emit(created.reference)
            self.new_button.setFocus()
        return created

    def _saved_after_all(self, failure: DatabaseUnavailable) -> CreatedCase | None:
        """After a lost connection, ask the database whether this submission was saved before saying it was not."""
        try:
            found = find_submission(self.ctx, self.submission_id)
        except ServiceError:
            self.autosave(force=True)
            self.dialogs.error("Not certain it was saved", (
                "The connection to the database was lost while saving, and it cannot be reached to check "
                "whether the application was saved.\n\nEverything you typed is still in the form. Save again "
                "when the database is back: if it was saved, you will be shown that case; it is never saved twice."))
            return None
        if found is not None:
            return found
        self.autosave(force=True)
        self.dialogs.error("Not saved", f"{failure}\n\nThe database has been checked: this application was not "
                                        "saved. Everything you typed is still in the form.")
        return None

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

    def show_problems(self, problems: list[Problem]) -> None:
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
        if first is None:
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
        """Every few seconds: to the database; to a local file only while it cannot be reached."""
        if self.saved is not None or not (self._dirty or force) or not self.has_content():
            return
        if not self.ctx.may(Permission.CHANGE_CASES):
            return  # someone who may not create cases keeps no draft, on the server or on this computer
        payload = self.payload()
        try:
            self.draft_id = support.save_draft(self.ctx, f"application-{self.mode}", payload, self.draft_id).id
            if self.local_draft is not None:
                self.local_draft.unlink(missing_ok=True)
                self.local_draft = None
        except DatabaseUnavailable:  # only while the database cannot be reached: a copy only this user can read
            self.local_draft = self.local_draft or local_drafts_dir() / (
                f"application-{self.mode}-{datetime.now():%Y%m%d-%H%M%S}.json")
            try:
                write_private(self.local_draft, json.dumps(payload))
            except OSError:
                return  # kept in the form; the next autosave tries again
        except ServiceError:
            return  # refused (not a lost connection): nothing is written anywhere
        self._dirty = False

    def _discard_drafts(self) -> None:
        if self.draft_id is not None:
            try:
                support.discard_draft(self.ctx, self.draft_id)
            except ServiceError:
                pass  # an orphan draft is harmless; it is offered again and can be discarded
            self.draft_id = None
        if self.local_draft is not None:
            self.local_draft.unlink(missing_ok=True)
            self.local_draft = None

    def discard(self) -> None:
        """The user closed the form without saving and chose to throw it away."""
        self._discard_drafts()
        self._dirty = False
        self._autosave_timer.stop()


def local_drafts_dir() -> Path:
    return user_data_dir() / "unsaved"


def new_submission_id() -> str:
    return str(uuid.uuid4())


def write_private(path: Path, text: str) -> None:
    """A file only its owner can read (0600, in a 0700 folder): it holds a victim's details."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.chmod(path, 0o600)  # an older copy may have been made with the default mode
