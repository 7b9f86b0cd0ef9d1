"""The Agencies page: the directory, the edit panel with contacts, and names not matched to an agency.

Every read and save runs off the UI thread (`ui.tasks`): the directory and an agency's details are
queries, each button is one operation. While a save waits the page says so and the buttons that
would start another wait with it; typing carries on, and what is typed meanwhile is never
overwritten by the answer.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from datetime import timezone
from zoneinfo import ZoneInfo

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QKeySequence, QShortcut, QShowEvent
from PySide6.QtWidgets import (QApplication, QCheckBox, QComboBox, QFormLayout, QHBoxLayout, QHeaderView, QLabel,
                               QScrollArea, QSplitter, QTableView, QVBoxLayout, QWidget)

from app.domain.application import Problem
from app.services.agencies.directory import (AgencyDetail, AgencyInfo, AgencyInput, agency_kinds, deactivate_agency,
                                             get_agency, list_agencies, reactivate_agency, save_agency)
from app.services.agencies.links import LinkResult, link_name_to_agency, unmatched_reported_to
from app.services.common.context import ServiceContext
from app.services.common.errors import Conflict, ServiceError, ValidationFailed, in_words
from app.services.common.ops import Changes, Part
from ui.dialogs import DialogService
from ui.models.agency_table import AgencyTableModel
from ui.tasks import Tasks
from ui.views.agency_sections import (add_unmatched_section, button, contact_problem, contact_rows, contacts_grid,
                                      label, list_view, show_unmatched, typed_contacts, unmatched_table)
from ui.views.intake.fields import Fields

RELEVANT_BODY = ("A relevant body is the council, the police, a registered provider of social housing or the "
                 "NHS (integrated care board), or any other agency the Community Safety Unit marks as "
                 "relevant. Only incidents reported to a relevant body count towards the threshold.")
LONDON = ZoneInfo("Europe/London")


@dataclass(frozen=True)
class Directory:
    """What the left-hand side shows, read in one go on a worker."""
    rows: list[AgencyInfo]
    kinds: list[str]
    unmatched: list[tuple[str, int]]


def read_directory(ctx: ServiceContext) -> Directory:
    """On a worker: the agencies, the kinds to offer and the names that match no agency."""
    return Directory(list_agencies(ctx), agency_kinds(ctx), unmatched_reported_to(ctx))


def directory_stale(changes: Changes) -> bool:
    """Whether the directory or the names not matched to an agency may have moved.

    The unmatched names follow the incidents: a new case, an import or an edited incident.
    """
    return (changes.touches(Part.AGENCIES, Part.INCIDENTS) or bool(changes.created) or bool(changes.removed)
            or changes.all_cases)


class AgenciesPage(QWidget):
    """Edit the directory that "reported to" names are matched against.

    Other views learn of a change from the operation's `Changes` (the main window hands them on
    and rebuilds its matcher on `Part.AGENCIES`); the page itself refreshes in `apply_changes`.
    """

    def __init__(self, ctx: ServiceContext, dialogs: DialogService, parent: QWidget | None = None, *,
                 tasks: Tasks | None = None) -> None:
        super().__init__(parent)
        self.ctx, self.dialogs = ctx, dialogs
        self.tasks = tasks or Tasks.instance()
        self.setAccessibleName("Agencies")
        self.agency_id: int | None = None
        self.version: int | None = None
        self.active = True
        self._loaded = AgencyInput("")
        # Bumped whenever the panel is given another agency (or a new one): an answer that arrives
        # for the agency the panel showed before is not put into the form.
        self._generation = 0
        self._loading: int | None = None  # the agency whose details are being read
        self._busy = False  # an operation of this page is waiting
        self._working_text = ""
        self._stale = True  # read when first shown, and again when shown after a change elsewhere
        self._build()
        save_shortcut = QShortcut(QKeySequence("Ctrl+S"), self)
        save_shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)  # only while on this page
        save_shortcut.activated.connect(lambda: self.save())
        self._enable_buttons()

    # --- building --------------------------------------------------------------------------------------
    def _build(self) -> None:
        self.model = AgencyTableModel(self)
        self.table = QTableView()
        self.table.setModel(self.model)
        list_view(self.table)
        self.table.setWordWrap(False)
        self.table.setAlternatingRowColors(True)
        self.table.horizontalHeader().setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        metrics = self.table.fontMetrics()
        for column, sample in ((0, "Tunbridge Wells Borough"), (1, "registered prov"),
                               (2, "Relevant body"), (4, "Active")):
            self.table.setColumnWidth(column, metrics.horizontalAdvance(sample) + 24)
        self.table.selectionModel().currentRowChanged.connect(self._current_changed)
        self.new_button = button("New a&gency", self.new_agency, "Start an empty form for another agency")

        self.fields = f = Fields()
        form = QFormLayout()
        self.name_edit = Fields.line()
        f.add(form, "name", "&Name:", self.name_edit, "The agency's full name")
        self.kind_combo = QComboBox()
        self.kind_combo.setEditable(True)
        self.kind_combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        # Suggest in a list instead of completing in place: "other partner" must stay as typed.
        completer = self.kind_combo.completer()
        if completer is not None:
            completer.setCompletionMode(completer.CompletionMode.PopupCompletion)
        f.add(form, "kind", "&Kind:", self.kind_combo, "Choose a kind or type another")
        self.relevant_check = QCheckBox("Its incidents count towards the threshold")
        holder = f.add(form, "relevant_body", "&Relevant body:", self.relevant_check, RELEVANT_BODY).parentWidget()
        box = holder.layout() if holder is not None else None
        if isinstance(box, QVBoxLayout):
            box.insertWidget(1, label(RELEVANT_BODY, "hint"))
        self.email_edit = Fields.line("for example asb@agency.gov.uk")
        f.add(form, "email", "&Email:", self.email_edit)
        self.phone_edit = Fields.line()
        f.add(form, "phone", "&Phone:", self.phone_edit)
        self.address_edit = Fields.text_box(3)
        f.add(form, "address", "A&ddress:", self.address_edit,
              "The postal address agency letters are sent to, one line per line")
        self.postcode_edit = Fields.line()
        f.add(form, "postcode", "Postc&ode:", self.postcode_edit)
        self.aliases_edit = Fields.text_box(3)
        f.add(form, "aliases", "&Aliases (one per line):", self.aliases_edit,
              "Other ways applicants write this agency's name, such as TWBC. Matching ignores capitals and "
              "spacing.")
        self.contacts_model, self.contacts_view = contacts_grid(self)
        contacts_form = QFormLayout()  # the grid needs the panel's whole width: its label goes above it
        contacts_form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapAllRows)
        f.add(contacts_form, "contacts", "&Contacts:", self.contacts_view,
              "Type in the grid; Tab past the last cell adds a row, Ctrl+Delete removes one")
        self.save_button = button("&Save", self.save, "Save this agency (Ctrl+S)")
        self.active_button = button("Make &inactive", self.toggle_active,
                                    "No longer offer this agency for matching; it stays on its cases")
        self.reload_button = button("Re&load saved version", self.reload,
                                    "Throw away what you typed and show the version saved now")
        self.reload_button.setVisible(False)
        self.banner = label("", "banner")
        self.banner.setAccessibleName("Message")
        self.banner.setVisible(False)
        self.panel_title = label("", "sectionTitle")
        self.working = label("", "hint")  # "Saving: …" while an operation of the page waits
        self.working.setAccessibleName("Work in progress")
        self.changed_label = label("", "hint")
        self.changed_label.setAccessibleName("Last changed")

        self.unmatched = unmatched_table()
        self.link_button = button("Link the selected name to the selected agenc&y", self.link_selected_name,
                                  "The name becomes another name of the agency; its incidents are linked")
        self._lay_out(form, contacts_form)

    def _lay_out(self, form: QFormLayout, contacts_form: QFormLayout) -> None:
        left = QWidget()
        lv = QVBoxLayout(left)
        lv.setContentsMargins(0, 0, 6, 0)
        top = QHBoxLayout()
        top.addWidget(label("Agency direc&tory:", "sectionTitle", self.table))
        top.addStretch(1)
        top.addWidget(self.new_button)
        lv.addLayout(top)
        lv.addWidget(self.table, 3)
        lv.addSpacing(8)
        add_unmatched_section(lv, self.unmatched, self.link_button)

        panel = QWidget()
        pv = QVBoxLayout(panel)
        pv.addWidget(self.banner)
        pv.addWidget(self.panel_title)
        pv.addLayout(form)
        pv.addLayout(contacts_form)
        buttons = QHBoxLayout()
        for each in (self.save_button, self.active_button, self.reload_button):
            buttons.addWidget(each)
        buttons.addWidget(self.working)
        buttons.addStretch(1)
        pv.addLayout(buttons)
        pv.addWidget(self.changed_label)
        pv.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(panel)
        scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)

        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(left)
        splitter.addWidget(scroll)
        splitter.setStretchFactor(0, 1)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([560, 540])
        heading = QLabel("<h2 style='margin:0'>Agencies</h2>")
        heading.setTextFormat(Qt.TextFormat.RichText)
        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addWidget(splitter, 1)
        order = [self.new_button, self.table, self.name_edit, self.kind_combo, self.relevant_check,
                 self.email_edit, self.phone_edit, self.address_edit, self.postcode_edit, self.aliases_edit,
                 self.contacts_view,
                 self.save_button, self.active_button, self.reload_button, self.unmatched, self.link_button]
        for first, second in zip(order, order[1:]):
            self.setTabOrder(first, second)

    # --- loading ------------------------------------------------------------------------------------
    def refresh(self) -> None:
        """Read the directory and the unmatched names again (off the UI thread), keeping the agency being edited."""
        self._stale = False
        self.tasks.query(read_directory, self.ctx, on_done=self._show_directory, on_error=self._read_failed,
                         owner=self, key=f"agencies-directory-{id(self)}", what="read the agency directory")

    def apply_changes(self, changes: Changes) -> None:
        """After any operation: read the directory again if it (or the names matched to it) may have moved."""
        if not directory_stale(changes):
            return
        if self.isVisible():
            self.refresh()
        else:
            self._stale = True  # read when the page is next shown, not for a page nobody is looking at

    def _show_directory(self, found: Directory) -> None:
        if found.kinds != [self.kind_combo.itemText(i) for i in range(self.kind_combo.count())]:
            text = self.kind_combo.currentText()
            self.kind_combo.clear()
            self.kind_combo.addItems(found.kinds)
            self.kind_combo.setCurrentText(text)
        self._select(None)
        self.model.set_rows(found.rows)
        show_unmatched(self.unmatched, found.unmatched)
        if self._loading is not None:
            return  # an agency is on its way to the panel
        if self.agency_id is None and found.rows and not self.is_dirty() and self._generation == 0:
            self.load(found.rows[0].id)  # the first time: something to look at
            return
        self._select(self.agency_id)
        row = self.model.row_of(self.agency_id)
        if row >= 0 and self.model.rows[row].version != self.version and not self.is_dirty():
            self.load(self.model.rows[row].id)  # saved by someone else meanwhile: show it as it is now

    def load(self, agency_id: int, message: tuple[str, str] | None = None) -> None:
        """Put an agency in the panel once its details have been read; `message` is shown then."""
        self._generation += 1
        generation, asked = self._generation, self.form_input()[0]
        self._loading = agency_id
        self._show_working_text()
        self.tasks.query(get_agency, self.ctx, agency_id,
                         on_done=lambda detail: self._arrived(detail, generation, asked, message),
                         on_error=lambda exc: self._load_failed(exc, generation),
                         owner=self, key=f"agencies-detail-{id(self)}", what="read the agency")

    def _arrived(self, detail: AgencyDetail, generation: int, asked: AgencyInput,
                 message: tuple[str, str] | None) -> None:
        if generation != self._generation:
            return  # the user has since asked for another agency
        self._loading = None
        self._show_working_text()
        if self.form_input()[0] != asked:
            # Typed into the panel while the other agency was being read: keep it, and say why.
            self._select(self.agency_id)
            self.show_banner(f"{detail.name} is not shown: you typed in {self._loaded.name or 'the new agency'} "
                             "while it was being read. Save (Ctrl+S) or reload first.", "warn")
            return
        self._show(detail)
        self._select(detail.id)
        if message is not None:
            self.show_banner(*message)

    def _load_failed(self, exc: BaseException, generation: int) -> bool:
        if generation == self._generation:
            self._loading = None
            self._show_working_text()
            self._select(self.agency_id)
        return self._read_failed(exc)

    def _read_failed(self, exc: BaseException) -> bool:
        if isinstance(exc, ServiceError):
            self._refused(exc)
            return True
        return False  # not a refusal: the task runner tells the user in words

    def reload(self) -> None:
        if self.agency_id is not None:
            self.banner.setVisible(False)
            self.load(self.agency_id)

    def _show(self, detail: AgencyDetail | None) -> None:
        self.fields.clear_errors()
        self.reload_button.setVisible(False)
        values = detail.as_input() if detail else AgencyInput("")
        self.name_edit.setText(values.name)
        self.kind_combo.setCurrentText(values.kind)
        self.relevant_check.setChecked(values.relevant_body)
        self.email_edit.setText(values.email)
        self.phone_edit.setText(values.phone)
        self.address_edit.setPlainText(values.address)
        self.postcode_edit.setText(values.postcode)
        self.aliases_edit.setPlainText("\n".join(values.aliases))
        self.contacts_model.set_rows(contact_rows(values.contacts))
        if not values.contacts:
            self.contacts_model.add_row()  # somewhere to type the first one
        self._show_saved(detail)
        self._loaded = self.form_input()[0]

    def _show_saved(self, detail: AgencyDetail | None) -> None:
        """Which agency the panel is for and how it stands, leaving the fields as they are."""
        self.agency_id = detail.id if detail else None
        self.version = detail.version if detail else None
        self.active = detail.active if detail else True
        self.panel_title.setText((detail.name if detail else "New agency")
                                 + ("" if self.active else " (inactive: not offered for matching)"))
        self.active_button.setText("Make &inactive" if self.active else "Make act&ive")
        self.active_button.setAccessibleName(self.active_button.text().replace("&", ""))
        self._enable_buttons()
        if detail:
            when = detail.updated_at.replace(tzinfo=timezone.utc).astimezone(LONDON)
            self.changed_label.setText(f"Last changed by {detail.updated_by} at {when:%H:%M on %d/%m/%Y}")
        else:
            self.changed_label.setText("Not saved yet")

    def _select(self, agency_id: int | None) -> None:
        """Show which agency is in the panel without treating it as the user's choice."""
        selection = self.table.selectionModel()
        selection.blockSignals(True)
        row = self.model.row_of(agency_id)
        self.table.setCurrentIndex(self.model.index(row, 0) if row >= 0 else QModelIndex())
        if row >= 0:
            self.table.selectRow(row)
        else:
            self.table.clearSelection()
        selection.blockSignals(False)

    # --- the form -------------------------------------------------------------------------------------
    def form_input(self) -> tuple[AgencyInput, list[int]]:
        """What is typed, and for each contact given the grid row it came from (blank rows are skipped)."""
        contacts, rows = typed_contacts(self.contacts_model)
        aliases = tuple(line.strip() for line in self.aliases_edit.toPlainText().splitlines() if line.strip())
        return AgencyInput(self.name_edit.text(), self.kind_combo.currentText(), self.relevant_check.isChecked(),
                           self.email_edit.text(), self.phone_edit.text(), self.address_edit.toPlainText(),
                           aliases, tuple(contacts), self.active, self.postcode_edit.text()), rows

    def is_dirty(self) -> bool:
        return self.form_input()[0] != self._loaded

    def _may_leave(self) -> bool:
        return not self.is_dirty() or self.dialogs.ask(
            "Discard your changes?", f"You have changed {self._loaded.name or 'the new agency'} and not saved it. "
            "Discard what you typed?", yes="Discard", no="Keep editing")

    def _current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        agency_id = self.model.rows[current.row()].id if current.isValid() else None
        if agency_id is None or agency_id == (self._loading or self.agency_id):
            return
        if self._may_leave():
            self.banner.setVisible(False)
            self.load(agency_id)
        else:
            self._select(self.agency_id)

    def new_agency(self) -> None:
        if self._may_leave():
            self._generation += 1
            self._loading = None
            self._show_working_text()
            self._show(None)
            self._select(None)
            self.show_banner("New agency: fill in the details, then save (Ctrl+S).", "ok")
            self.name_edit.setFocus()

    # --- operations -----------------------------------------------------------------------------------
    def show_working(self, text: str) -> None:
        """Called by the task runner: "Saving: …" while an operation of this page waits, "" after.

        The buttons that would start another change wait with it; the fields stay open for typing.
        """
        self._busy = bool(text)
        self._working_text = text
        self._show_working_text()
        self._enable_buttons()

    def _show_working_text(self) -> None:
        self.working.setText(self._working_text or ("Loading…" if self._loading is not None else ""))

    def _enable_buttons(self) -> None:
        free = not self._busy
        for each in (self.save_button, self.new_button, self.link_button, self.reload_button):
            each.setEnabled(free)
        self.active_button.setEnabled(free and self.agency_id is not None)

    def _op(self, fn: Callable[..., object], *args: object, what: str,
            on_done: Callable[[Any], None], on_error: Callable[[BaseException], bool]) -> None:
        self.tasks.op(fn, self.ctx, *args, on_done=on_done, on_error=on_error, owner=self, what=what)

    def save(self) -> bool:
        """Save what is typed (off the UI thread); False if another change of this page is still waiting."""
        if self._busy:
            return False
        values, rows = self.form_input()
        self.fields.clear_errors()
        generation, focus = self._generation, QApplication.focusWidget()
        self._op(save_agency, self.agency_id, self.version, values, what="save the agency",
                 on_done=lambda detail: self._saved(detail, values, generation, f"Saved {detail.name}."),
                 on_error=lambda exc: self._save_failed(exc, rows, generation, focus))
        return True

    def _saved(self, detail: AgencyDetail, sent: AgencyInput, generation: int, message: str) -> None:
        if generation != self._generation:  # the panel has moved on to another agency meanwhile
            self.show_banner(message, "ok")
            return
        if self.form_input()[0] == sent:
            self._show(detail)
        else:
            # Typed on while it saved: keep the typing, now against the version just saved.
            self._show_saved(detail)
            self._loaded = detail.as_input()
            message += " What you typed since is not saved yet."
        self._select(detail.id)
        self.show_banner(message, "ok")

    def _save_failed(self, exc: BaseException, rows: list[int], generation: int, focus: QWidget | None) -> bool:
        if not isinstance(exc, ServiceError):
            return False
        if generation != self._generation:
            self.show_banner(f"Not saved: {in_words(exc)}", "error")
        elif isinstance(exc, ValidationFailed):
            # The first problem takes focus only if the user is still where they saved from.
            self._show_problems(exc.problems, rows, move_focus=QApplication.focusWidget() is focus)
        elif isinstance(exc, Conflict):
            self._conflict(exc)
        else:
            self.show_banner(f"Not saved: {exc} Nothing you typed has been lost.", "error")
        return True

    def _show_problems(self, problems: list[Problem], rows: list[int], move_focus: bool = True) -> None:
        first, elsewhere = "", []
        for problem in problems:
            key, message = problem.field, problem.message
            if key.startswith("contacts["):
                row, message = contact_problem(key, message, rows)
                self.contacts_view.setCurrentIndex(self.contacts_model.index(row, 0))
                key = "contacts"
            if not self.fields.show_error(key, message):
                elsewhere.append(message)
            elif not first or self.fields.order(key) < self.fields.order(first):
                first = key
        count = len(problems)
        self.show_banner(" ".join([f"Not saved yet: {count} thing{'s' if count != 1 else ''} to put right "
                                   "(marked ⚠).", *elsewhere, "Nothing you typed has been lost."]), "error")
        if first and move_focus:
            self.fields.widgets[first].setFocus()

    def _conflict(self, exc: Conflict) -> None:
        self.show_banner(str(exc), "error")
        self.reload_button.setVisible(True)
        if self.dialogs.ask("Someone else changed this agency", f"{exc}\n\nReload the version saved now? What "
                            "you typed here will be replaced.", yes="Reload", no="Keep what I typed"):
            if self.agency_id is not None:
                self.load(self.agency_id, (f"Reloaded the version saved by {exc.changed_by or 'another user'}. "
                                           "Make your changes again, then save.", "warn"))

    def toggle_active(self) -> None:
        if self.agency_id is None or self.version is None or self._busy:
            return
        if self.is_dirty():
            self.show_banner("Save your changes first (Ctrl+S), or reload the saved version.", "warn")
            return
        if self.active and not self.dialogs.ask(
                "Make this agency inactive?", f"{self._loaded.name} will no longer be offered for matching "
                "“reported to” names. It stays on every case that already names it, and those incidents still "
                "count.", yes="Make inactive", no="Cancel"):
            return
        generation, sent = self._generation, self.form_input()[0]
        self._op(deactivate_agency if self.active else reactivate_agency, self.agency_id, self.version,
                 what="make the agency inactive" if self.active else "make the agency active",
                 on_done=lambda detail: self._saved(
                     detail, sent, generation, f"{detail.name} is now {'active' if detail.active else 'inactive'}."),
                 on_error=lambda exc: self._save_failed(exc, [], generation, None))

    def link_selected_name(self) -> None:
        if self._busy:
            return
        row = self.unmatched.currentRow()
        written_item, count_item = self.unmatched.item(row, 0), self.unmatched.item(row, 1)
        if row < 0 or written_item is None or count_item is None:
            self.show_banner("Choose a name in “Names not matched to an agency” first.", "warn")
            return
        written, count = written_item.text(), count_item.text()
        agency = self._loaded.name
        if self.agency_id is None or self.is_dirty():
            self.show_banner(f"Save your changes to {agency} first, then link the name." if self.agency_id else
                             "Choose the agency in the directory first.", "warn")
            return
        counts = " and count towards the threshold where their dates qualify" if self._loaded.relevant_body else ""
        if not self.dialogs.ask("Link a name to an agency", f"Treat “{written}” as another name for {agency}? "
                                f"The {count} incident(s) written this way will be linked to {agency}{counts}, "
                                f"and future applications that say “{written}” will match it.",
                                yes="Link", no="Cancel"):
            return
        agency_id, generation = self.agency_id, self._generation

        def linked(result: LinkResult) -> None:
            message = (f"“{written}” is now another name for {agency}: {result.incidents_linked} incident(s) in "
                       f"{result.cases_linked} case(s) linked; {result.cases_changed} case(s) now have a different "
                       "number of qualifying incidents.")
            if generation == self._generation and not self.is_dirty():
                self.load(agency_id, (message, "ok"))  # the new name appears among its aliases
            else:
                self.show_banner(message, "ok")

        self._op(link_name_to_agency, written, agency_id, what="link the name to the agency", on_done=linked,
                 on_error=lambda exc: self._read_failed(exc))

    # --- around ----------------------------------------------------------------------------------------
    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt API
        """Shown for the first time, or again after a change elsewhere (an import, say): read it now."""
        super().showEvent(event)
        if not event.spontaneous() and self._stale:
            self.refresh()

    def _refused(self, exc: ServiceError) -> None:
        text = "; ".join(p.message for p in exc.problems) if isinstance(exc, ValidationFailed) else str(exc)
        self.show_banner(text[:1].upper() + text[1:], "error")

    def show_banner(self, text: str, kind: str) -> None:
        self.banner.setText(text)
        self.banner.setProperty("kind", kind)
        self.banner.style().unpolish(self.banner)
        self.banner.style().polish(self.banner)
        self.banner.setVisible(True)
