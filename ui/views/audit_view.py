"""The audit log viewer for managers: filters, a paged table, one change's values, and a CSV export.

Pages and values are read off the UI thread (`ui.tasks`); the export is one operation run by its
reason dialog. While a page is on its way the view says so and the paging buttons wait.
"""
from __future__ import annotations

from typing import Any

from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (QComboBox, QDialog, QDialogButtonBox, QGridLayout, QHBoxLayout, QLabel, QLineEdit,
                               QVBoxLayout, QWidget)

from app.domain.dates import parse_uk_or_iso
from app.domain.roles import Permission
from app.services.common.context import ServiceContext
from app.services.common.errors import ServiceError, in_words
from app.services.common.ops import Counted
from app.services.trust.audit_log import (COMMON_ACTIONS, AuditPage, AuditRow, AuditValueRow, audit_values, entries,
                                          export_audit, search_audit)
from ui.dialogs import DialogService
from ui.tasks import Tasks
from ui.views.case_page.common import button, button_row, heading, table
from ui.views.case_page.step_dialog import StepDialog, StepField

COLUMNS = ["When (UK time)", "Who", "Machine", "Database user", "Action", "Record", "Case", "Fields", "Reason"]
PAGE_SIZE = 200
ANY_ACTION = "Any action"
EXPORT_REASON = StepField("reason", "Reason", kind="long",
                          hint="Why the log is being exported: for example an information governance review, "
                               "or a complaint's reference")
NOT_ALLOWED = ("Only managers and administrators may view the audit log. Ask one of them if you need to know "
               "who viewed or changed a record.")


class AuditLogView(QWidget):
    """Read-only: what was viewed, changed, disclosed or deleted, by whom, when and why."""

    def __init__(self, ctx: ServiceContext, dialogs: DialogService, parent: QWidget | None = None, *,
                 tasks: Tasks | None = None) -> None:
        super().__init__(parent)
        self.ctx, self.dialogs = ctx, dialogs
        self.tasks = tasks or Tasks.instance()
        self.page: AuditPage | None = None
        self.reading = False  # a page or a change's values is on its way
        self.filters: dict[str, Any] = {}  # as last searched: paging and the export use these
        self.allowed = ctx.may(Permission.VIEW_AUDIT)
        self._loaded = False
        self.setAccessibleName("Audit log")
        layout = QVBoxLayout(self)
        layout.addWidget(heading("Audit log"))
        self.intro = QLabel()
        self.intro.setWordWrap(True)
        self.intro.setAccessibleName("About the audit log")
        layout.addWidget(self.intro)
        if not self.allowed:
            self.intro.setText(NOT_ALLOWED)
            layout.addStretch(1)
            return
        self.intro.setText("Every view, change, disclosure and deletion, newest first, with who, when and why. "
                           "Times are UK time. Looking at the log, and at a change's values, is itself recorded.")
        layout.addLayout(self._filter_grid())
        self.view, self.model = table(COLUMNS, "Audit log entries")
        self.view.doubleClicked.connect(lambda *_: self.show_values())
        layout.addWidget(self.view, 1)
        self.newer_button = button("&Newer", self.newer, "Newer entries (previous page)")
        self.older_button = button("O&lder", self.older, "Older entries (next page)")
        self.page_label = QLabel()
        self.page_label.setAccessibleName("Entries shown")
        self.values_button = button("Show val&ues…", self.show_values, "Show the values of the selected change")
        self.export_button = button("E&xport…", self.export, "Export the audit log entries shown by the filters")
        row = button_row(self.newer_button, self.older_button, self.values_button, self.export_button)
        row_layout = row.layout()
        if isinstance(row_layout, QHBoxLayout):
            row_layout.insertWidget(2, self.page_label)
        layout.addWidget(row)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setAccessibleName("Audit log result")
        layout.addWidget(self.message)
        self.export_button.setToolTip("" if ctx.may(Permission.EXPORT) else "Your role may not export personal data.")
        self._show_page()

    def _filter_grid(self) -> QGridLayout:
        grid = QGridLayout()
        self.actor_edit = QLineEdit()
        self.actor_edit.setPlaceholderText("login, or part of it")
        self.action_combo = QComboBox()
        self.action_combo.setEditable(True)
        self.action_combo.addItems([ANY_ACTION, *COMMON_ACTIONS])
        self.action_combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.case_edit = QLineEdit()
        self.case_edit.setPlaceholderText("CT-2026-0001")
        self.from_edit, self.to_edit = QLineEdit(), QLineEdit()
        for edit in (self.from_edit, self.to_edit):
            edit.setPlaceholderText("dd/mm/yyyy")
        fields: list[tuple[str, QWidget, str]] = [
            ("&Who:", self.actor_edit, "Who (login)"), ("Ac&tion:", self.action_combo, "Action"),
            ("Case &reference:", self.case_edit, "Case reference"), ("Fro&m:", self.from_edit, "From date"),
            ("T&o:", self.to_edit, "To date")]
        for column, (caption_text, widget, name) in enumerate(fields):
            caption = QLabel(caption_text)
            caption.setBuddy(widget)
            widget.setAccessibleName(name)
            grid.addWidget(caption, 0, column)
            grid.addWidget(widget, 1, column)
            if isinstance(widget, QLineEdit):
                widget.returnPressed.connect(self.search)
        action_line = self.action_combo.lineEdit()
        if action_line is not None:
            action_line.returnPressed.connect(self.search)
            action_line.setAccessibleName("Action")
        self.search_button = button("&Search", self.search, "Search the audit log")
        self.clear_button = button("&Clear", self.clear, "Clear the filters")
        grid.addWidget(button_row(self.search_button, self.clear_button), 1, len(fields))
        grid.setColumnStretch(0, 2)
        grid.setColumnStretch(1, 2)
        grid.setColumnStretch(2, 2)
        return grid

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt API
        super().showEvent(event)
        if self.allowed and not self._loaded:  # read when first looked at: each look is logged
            self.search()

    # searching and paging -------------------------------------------------------------------------
    def _read_filters(self) -> dict[str, Any] | None:
        values: dict[str, Any] = {"actor": self.actor_edit.text(), "case_reference": self.case_edit.text()}
        action = self.action_combo.currentText().strip()
        values["action"] = "" if action == ANY_ACTION else action
        for key, edit, label in (("date_from", self.from_edit, "From"), ("date_to", self.to_edit, "To")):
            text = edit.text().strip()
            try:
                values[key] = parse_uk_or_iso(text) if text else None
            except ValueError as exc:
                self._problem(f"{label}: {exc}.", edit)
                return None
        if values["date_from"] and values["date_to"] and values["date_to"] < values["date_from"]:
            self._problem("The 'to' date is before the 'from' date.", self.to_edit)
            return None
        return values

    def search(self) -> None:
        filters = self._read_filters()
        if filters is not None:
            self.filters = filters
            self._load(0, None)

    def clear(self) -> None:
        for edit in (self.actor_edit, self.case_edit, self.from_edit, self.to_edit):
            edit.clear()
        self.action_combo.setCurrentIndex(0)
        self.search()

    def newer(self) -> None:
        if self.page and self.page.has_previous and not self.reading:
            self._load(max(0, self.page.offset - PAGE_SIZE), self.page.up_to_id)

    def older(self) -> None:
        if self.page and self.page.has_next and not self.reading:
            self._load(self.page.offset + PAGE_SIZE, self.page.up_to_id)

    def refresh(self) -> None:
        """F5: the page being looked at, read again (newer entries included from the first page)."""
        if self.allowed and self._loaded:
            self._load(self.page.offset if self.page else 0, None)

    def _load(self, offset: int, up_to_id: int | None) -> None:
        self._loaded = True
        self._set_reading(True)
        self.page_label.setText("Loading…")
        self.tasks.query(search_audit, self.ctx, limit=PAGE_SIZE, offset=offset, up_to_id=up_to_id,
                         on_done=self._arrived, on_error=self._read_failed, owner=self,
                         key=f"audit-page-{id(self)}", what="read the audit log", **self.filters)

    def _arrived(self, page: AuditPage) -> None:
        self._set_reading(False)
        self.page = page
        self.message.setText("" if page.total else "No entries match these filters.")
        self._show_page()

    def _read_failed(self, exc: BaseException) -> bool:
        self._set_reading(False)
        self._show_page()
        if isinstance(exc, ServiceError):
            self._problem(in_words(exc), None)
            return True
        return False

    def _set_reading(self, reading: bool) -> None:
        """While a read is on its way the buttons that act on the page shown (or ask for another) wait."""
        self.reading = reading
        self._show_page_buttons()

    def _show_page(self) -> None:
        page = self.page
        rows = list(page.rows) if page else []
        self.model.set_rows([_cells(r) for r in rows], [r.id for r in rows])
        if page and rows:
            self.page_label.setText(f"Entries {page.offset + 1:,}–{page.offset + len(rows):,} of {page.total:,}")
        else:
            self.page_label.setText("No entries")
        self._show_page_buttons()

    def _show_page_buttons(self) -> None:
        page, free = self.page, not self.reading
        self.newer_button.setEnabled(free and bool(page and page.has_previous))
        self.older_button.setEnabled(free and bool(page and page.has_next))
        self.values_button.setEnabled(free and bool(page and page.rows))
        self.export_button.setEnabled(free and self.ctx.may(Permission.EXPORT))

    def _problem(self, text: str, field: QWidget | None) -> None:
        self.message.setText(f"⚠ {text}")
        if field is not None:
            field.setFocus()

    # one change's values ----------------------------------------------------------------------------
    def selected_row(self) -> AuditRow | None:
        index = self.view.currentIndex()
        if (not self.page or self.reading or not index.isValid() or index.row() >= len(self.page.rows)
                or not self.view.selectionModel().isRowSelected(index.row())):
            self.dialogs.info("Choose an entry", "Select an entry in the audit log first.")
            return None
        return self.page.rows[index.row()]

    def show_values(self) -> None:
        row = self.selected_row()
        if row is None:
            return
        self._set_reading(True)
        self.tasks.query(audit_values, self.ctx, row.id, on_done=lambda values: self._show_values(row, values),
                         on_error=self._values_failed, owner=self, key=f"audit-values-{id(self)}",
                         what="show the values")

    def _show_values(self, row: AuditRow, values: list[AuditValueRow]) -> None:
        self._set_reading(False)
        if not values:
            self.dialogs.info("No values kept", f"No before and after values are kept for this entry ({row.action} "
                              f"{_record(row)}): none were recorded, or they were removed when the case was "
                              "anonymised or deleted.")
            return
        self.dialogs.show(ValuesDialog(row, [[v.field, v.before or "", v.after or ""] for v in values], self))

    def _values_failed(self, exc: BaseException) -> bool:
        self._set_reading(False)
        if isinstance(exc, ServiceError):
            self.dialogs.error("Could not show the values", in_words(exc))
            return True
        return False

    # export -----------------------------------------------------------------------------------------
    def export(self) -> None:
        if not self.ctx.may(Permission.EXPORT):
            self.dialogs.info("Not allowed", "Your role may not export personal data.")
            return
        path = self.dialogs.save_file("Export the audit log", f"audit-log-{self.ctx.today():%Y-%m-%d}.csv",
                                      "CSV files (*.csv)")
        if path is None:
            return
        if path.suffix.lower() != ".csv":
            path = path.with_name(path.name + ".csv")
        ctx, filters = self.ctx, dict(self.filters)  # the action runs on a worker: plain values only
        intro = ("Export every entry the last search found (all pages) as CSV: who, when, from where, the action, the record, "
                 "the case and the names of the fields changed. The values before and after are not exported. "
                 "The export is recorded in the audit log with the reason.")
        # A year's log takes a few seconds; the dialog says "Saving…" meanwhile and the window stays free.
        dialog = StepDialog("Export the audit log", intro, [EXPORT_REASON],
                            lambda values: export_audit(ctx, path, reason=values["reason"], **filters), self,
                            tasks=self.tasks)
        if self.dialogs.run(dialog) and isinstance(dialog.result_value, Counted):
            self.message.setText(f"Exported {entries(dialog.result_value.count)} to {path}.")


class ValuesDialog(QDialog):
    """The before and after values of one change, read-only."""

    def __init__(self, row: AuditRow, values: list[list[str]], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Values changed: {row.action} {_record(row)}")
        self.setAccessibleName("Values changed")
        layout = QVBoxLayout(self)
        about = QLabel(f"{_record(row)}{' in ' + row.case_reference if row.case_reference else ''}, "
                       f"{row.action} by {row.who or row.actor} at {row.local_at:%H:%M on %d/%m/%Y} (UK time). "
                       "These are personal data: this look has been recorded.")
        about.setWordWrap(True)
        about.setAccessibleName("About this change")
        layout.addWidget(about)
        self.view, self.model = table(["Field", "Before", "After"], "Values before and after")
        self.model.set_rows(values)
        layout.addWidget(self.view, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.button(QDialogButtonBox.StandardButton.Close).setAccessibleName("Close")
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(640, 320)


def _record(r: AuditRow) -> str:
    return r.entity if r.entity_id is None else f"{r.entity} {r.entity_id}"


def _cells(r: AuditRow) -> list[str]:
    case = r.case_reference or ("" if r.case_id is None else f"case {r.case_id} (deleted)")
    return [f"{r.local_at:%d/%m/%Y %H:%M:%S}", r.who or r.actor, r.machine or "", r.db_user or "", r.action, _record(r),
            case, (r.fields or "").replace(",", ", "), r.reason or ""]

