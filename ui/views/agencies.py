"""The Agencies page: the directory, the edit panel with contacts, and names not matched to an agency."""
from __future__ import annotations

from datetime import timezone
from zoneinfo import ZoneInfo

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut, QShowEvent
from PySide6.QtWidgets import (QCheckBox, QComboBox, QCompleter, QFormLayout, QHBoxLayout, QHeaderView, QLabel,
                               QScrollArea, QSplitter, QTableView, QVBoxLayout, QWidget)

from app.domain.application import Problem
from app.services.agencies.directory import (AgencyDetail, AgencyInput, agency_kinds, deactivate_agency, get_agency,
                                   list_agencies, reactivate_agency, save_agency)
from app.services.agencies.links import link_name_to_agency, unmatched_reported_to
from app.services.common.context import ServiceContext
from app.services.common.errors import Conflict, ServiceError, ValidationFailed
from ui.dialogs import DialogService
from ui.models.agency_table import AgencyTableModel
from ui.views.agency_sections import (add_unmatched_section, button, contact_problem, contact_rows, contacts_grid,
                                      label, list_view, show_unmatched, typed_contacts, unmatched_table)
from ui.views.intake.fields import Fields

RELEVANT_BODY = ("A relevant body is the council, the police, a registered provider of social housing or the "
                 "NHS (integrated care board), or any other agency the Community Safety Unit marks as "
                 "relevant. Only incidents reported to a relevant body count towards the threshold.")
LONDON = ZoneInfo("Europe/London")


class AgenciesPage(QWidget):
    """Edit the directory that "reported to" names are matched against."""

    directory_changed = Signal()  # names, aliases or active agencies changed: rebuild the matcher
    cases_changed = Signal()  # some cases' counts of qualifying incidents may have moved

    def __init__(self, ctx: ServiceContext, dialogs: DialogService, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx, self.dialogs = ctx, dialogs
        self.setAccessibleName("Agencies")
        self.agency_id: int | None = None
        self.version: int | None = None
        self.active = True
        self._loaded = AgencyInput("")
        self._build()
        save_shortcut = QShortcut(QKeySequence("Ctrl+S"), self)
        save_shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)  # only while on this page
        save_shortcut.activated.connect(lambda: self.save())
        self.refresh()

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
        self.name_edit = f.add(form, "name", "&Name:", Fields.line(), "The agency's full name")
        self.kind_combo = QComboBox()
        self.kind_combo.setEditable(True)
        self.kind_combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        # Suggest in a list instead of completing in place: "other partner" must stay as typed.
        self.kind_combo.completer().setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        f.add(form, "kind", "&Kind:", self.kind_combo, "Choose a kind or type another")
        self.relevant_check = QCheckBox("Its incidents count towards the threshold")
        f.add(form, "relevant_body", "&Relevant body:", self.relevant_check, RELEVANT_BODY)
        self.relevant_check.parentWidget().layout().insertWidget(1, label(RELEVANT_BODY, "hint"))
        self.email_edit = f.add(form, "email", "&Email:", Fields.line("for example asb@agency.gov.uk"))
        self.phone_edit = f.add(form, "phone", "&Phone:", Fields.line())
        self.address_edit = f.add(form, "address", "A&ddress:", Fields.text_box(3),
                                  "The postal address agency letters are sent to, one line per line")
        self.postcode_edit = Fields.line()
        f.add(form, "postcode", "Postc&ode:", self.postcode_edit)
        self.aliases_edit = f.add(form, "aliases", "&Aliases (one per line):", Fields.text_box(3),
                                  "Other ways applicants write this agency's name, such as TWBC. Matching "
                                  "ignores capitals and spacing.")
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
        """Read the directory and the unmatched names again, keeping the agency being edited."""
        try:
            rows, kinds, unmatched = list_agencies(self.ctx), agency_kinds(self.ctx), unmatched_reported_to(self.ctx)
        except ServiceError as exc:
            self._refused(exc)
            return
        text = self.kind_combo.currentText()
        self.kind_combo.clear()
        self.kind_combo.addItems(kinds)
        self.kind_combo.setCurrentText(text)
        self._select(None)
        self.model.set_rows(rows)
        show_unmatched(self.unmatched, unmatched)
        if self.agency_id is None and rows and not self.is_dirty():
            self.load(rows[0].id)
        else:
            self._select(self.agency_id)

    def load(self, agency_id: int) -> None:
        try:
            detail = get_agency(self.ctx, agency_id)
        except ServiceError as exc:
            self._refused(exc)
            return
        self._show(detail)
        self._select(agency_id)

    def reload(self) -> None:
        if self.agency_id is not None:
            self.load(self.agency_id)
            self.banner.setVisible(False)

    def _show(self, detail: AgencyDetail | None) -> None:
        self.fields.clear_errors()
        self.reload_button.setVisible(False)
        self.agency_id = detail.id if detail else None
        self.version = detail.version if detail else None
        self.active = detail.active if detail else True
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
        self.panel_title.setText((detail.name if detail else "New agency")
                                 + ("" if self.active else " (inactive: not offered for matching)"))
        self.active_button.setText("Make &inactive" if self.active else "Make act&ive")
        self.active_button.setAccessibleName(self.active_button.text().replace("&", ""))
        self.active_button.setEnabled(detail is not None)
        if detail:
            when = detail.updated_at.replace(tzinfo=timezone.utc).astimezone(LONDON)
            self.changed_label.setText(f"Last changed by {detail.updated_by} at {when:%H:%M on %d/%m/%Y}")
        else:
            self.changed_label.setText("Not saved yet")
        self._loaded = self.form_input()[0]

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
        if agency_id is None or agency_id == self.agency_id:
            return
        if self._may_leave():
            self.banner.setVisible(False)
            self.load(agency_id)
        else:
            self._select(self.agency_id)

    def new_agency(self) -> None:
        if self._may_leave():
            self._show(None)
            self._select(None)
            self.show_banner("New agency: fill in the details, then save (Ctrl+S).", "ok")
            self.name_edit.setFocus()

    def save(self) -> AgencyDetail | None:
        values, rows = self.form_input()
        self.fields.clear_errors()
        before, was_new = self._loaded, self.agency_id is None
        try:
            detail = save_agency(self.ctx, self.agency_id, self.version, values)
        except ValidationFailed as exc:
            self._show_problems(exc.problems, rows)
            return None
        except Conflict as exc:
            self._conflict(exc)
            return None
        except ServiceError as exc:
            self.show_banner(f"Not saved: {exc} Nothing you typed has been lost.", "error")
            return None
        self._after_change(detail, f"Saved {detail.name}.")
        if was_new or (before.relevant_body, before.aliases, before.name, before.active) != (
                values.relevant_body, values.aliases, values.name, values.active):
            self.cases_changed.emit()
        return detail

    def _after_change(self, detail: AgencyDetail, message: str) -> None:
        self._show(detail)
        self.refresh()
        self.show_banner(message, "ok")
        self.directory_changed.emit()

    def _show_problems(self, problems: list[Problem], rows: list[int]) -> None:
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
        if first:
            self.fields.widgets[first].setFocus()

    def _conflict(self, exc: Conflict) -> None:
        self.show_banner(str(exc), "error")
        self.reload_button.setVisible(True)
        if self.dialogs.ask("Someone else changed this agency", f"{exc}\n\nReload the version saved now? What "
                            "you typed here will be replaced.", yes="Reload", no="Keep what I typed"):
            self.reload()
            self.show_banner(f"Reloaded the version saved by {exc.changed_by or 'another user'}. Make your "
                             "changes again, then save.", "warn")

    def toggle_active(self) -> None:
        if self.agency_id is None or self.version is None:
            return
        if self.is_dirty():
            self.show_banner("Save your changes first (Ctrl+S), or reload the saved version.", "warn")
            return
        if self.active and not self.dialogs.ask(
                "Make this agency inactive?", f"{self._loaded.name} will no longer be offered for matching "
                "“reported to” names. It stays on every case that already names it, and those incidents still "
                "count.", yes="Make inactive", no="Cancel"):
            return
        try:
            detail = (deactivate_agency if self.active else reactivate_agency)(self.ctx, self.agency_id, self.version)
        except Conflict as exc:
            self._conflict(exc)
            return
        except ServiceError as exc:
            self._refused(exc)
            return
        self._after_change(detail, f"{detail.name} is now {'active' if detail.active else 'inactive'}.")
        self.cases_changed.emit()

    def link_selected_name(self) -> None:
        row = self.unmatched.currentRow()
        if row < 0 or self.unmatched.item(row, 0) is None:
            self.show_banner("Choose a name in “Names not matched to an agency” first.", "warn")
            return
        written, count = self.unmatched.item(row, 0).text(), self.unmatched.item(row, 1).text()
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
        try:
            result = link_name_to_agency(self.ctx, written, self.agency_id)
            detail = get_agency(self.ctx, self.agency_id)
        except ServiceError as exc:
            self._refused(exc)
            return
        self._after_change(detail, f"“{written}” is now another name for {agency}: {result.incidents_linked} "
                           f"incident(s) in {result.cases_linked} case(s) linked; {result.cases_changed} case(s) "
                           "now have a different number of qualifying incidents.")
        self.cases_changed.emit()

    # --- around ----------------------------------------------------------------------------------------
    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt API
        """Coming back to the page (after an import, say) shows the names as they are now."""
        super().showEvent(event)
        if not event.spontaneous():
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
