"""The case list page: counts, search as you type, filters, the sortable table and the CSV export.

Every read and the export run off the UI thread (`ui.tasks`): the window is painted first, then the
first screenful of cases, then the counts and the year and officer choices. After an operation
only what it changed is read again: the rows of the cases it names and the counts, or the ids when
cases were added or removed.
"""
from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import replace
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEvent, QModelIndex, QObject, QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent, QResizeEvent
from PySide6.QtWidgets import (QAbstractItemView, QComboBox, QHBoxLayout, QHeaderView, QLabel,
                               QLineEdit, QPushButton, QSizePolicy, QTableView, QVBoxLayout, QWidget)

from app.domain.application import Channel
from app.domain.clocks import Indicator
from app.domain.workflow import STATUS_LABELS
from app.csv_writer import open_csv
from app.services.cases.case_list import (OPEN_CASES, OVERDUE_RECOMMENDATIONS, UPDATES_DUE, CaseCounts, CaseQuery,
                                          CaseRow, ListSummary, case_counts, fetch_rows, iter_rows,
                                          list_summary, record_export)
from app.services.common.context import ServiceContext
from app.services.common.errors import describe
from app.services.common.ops import Changes, Part
from ui.models.case_table import (COLUMNS, INDICATOR_LABELS, SORT_CHOICES, CaseTableModel, column_for_sort_key,
                                  rows_as_text)
from ui.tasks import Tasks
from ui.style import look

SEARCH_DELAY_MS = 250  # long enough not to query on every keystroke, short enough to feel instant
_ENTER_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter)
_KEY_PRESS = QEvent.Type.KeyPress
# Widths (in characters of sample text) that fit typical values without measuring 100,000 rows, and
# together fit a 1280-pixel screen; longer values are cut with "…" and shown whole in their tooltip.
_SAMPLE_WIDTHS = {"Reference": "CT-2026-00000", "Applicant": "Mrs Margaret Richardson",
                  "Postcode": "TN12 0AA", "Channel": "Online form", "Received": "00/00/0000",
                  "Status": "Information gathering", "Next action": "Acknowledge the application",
                  "Next due": "00/00/0000", "Working days left": "Days left",
                  "Indicator": "Overdue", "Officer": "Officer name"}
_ELASTIC = ("Applicant", "Status", "Next action", "Channel")
_MIN_ELASTIC = 80
_ORDERS = [("Ascending (A–Z, earliest first)", False), ("Descending (Z–A, latest first)", True)]

AskSavePath = Callable[[str], "str | None"]
_EXPORT_BLOCK = 1000  # rows read and written at a time


def write_csv(ctx: ServiceContext, ids: list[int], query: CaseQuery, path: Path) -> int:
    """On the worker: every listed case with the displayed columns; how many were written.

    Refused or recorded before the file exists: a failed audit leaves no unlogged copy.
    """
    record_export(ctx, len(ids), query)
    with open_csv(path) as writer:
        writer.writerow([c.title for c in COLUMNS])
        block: list[CaseRow] = []
        for row in iter_rows(ctx, ids, block=_EXPORT_BLOCK):
            block.append(row)
            if len(block) == _EXPORT_BLOCK:
                writer.writerows(rows_as_text(block))
                block.clear()
        writer.writerows(rows_as_text(block))
    return len(ids)


class CaseTable(QTableView):
    """A table that says which case the user wants opened: Enter or a double-click."""

    open_requested = Signal(QModelIndex)
    resized = Signal()

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt API
        super().resizeEvent(event)
        self.resized.emit()

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt API
        if event.key() in _ENTER_KEYS and self.currentIndex().isValid():
            self.open_requested.emit(self.currentIndex())
            event.accept()
            return
        super().keyPressEvent(event)


class CaseListPage(QWidget):
    """Every case, found by reference, name, postcode or agency reference, sorted by the database."""

    open_case_requested = Signal(int)

    def __init__(self, ctx: ServiceContext, parent: QWidget | None = None, *,
                 ask_save_path: AskSavePath | None = None, settings: QSettings | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._settings = settings
        self.tasks = Tasks.instance()
        # Saved filters wait here until their choices exist (the year and officer choices arrive
        # after the first rows); the first query uses them straight away.
        self._pending = self._saved_query()
        self._keep: int | None = None  # the case to keep selected when the ids arrive
        self._summary_due = True  # counts and filter choices: read once the first rows are shown
        self._down_pending = False  # Down pressed while the search was on its way: into the results then
        self._ask_save_path = ask_save_path or self._ask_with_dialog
        self.setAccessibleName("Case list")

        self.counts_label = QLabel()
        self.counts_label.setAccessibleName("Case counts")
        self.counts_label.setTextFormat(Qt.TextFormat.RichText)
        self.counts_label.setWordWrap(True)

        self.search = QLineEdit()
        self.search.setPlaceholderText("Search reference, name, postcode or agency reference")
        self.search.setAccessibleName("Search cases")
        self.search.setAccessibleDescription(
            "Matches the case or source reference, the applicant's surname or organisation, the "
            "postcode with or without its space, or an incident's agency reference. Press Down to "
            "move to the results.")
        self.search.setClearButtonEnabled(True)
        self.search.setMinimumWidth(340)
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self._apply_filters)
        self.search.textChanged.connect(self._typed)
        self.search.returnPressed.connect(self._search_now)
        self.search.installEventFilter(self)

        self.status_filter = self._combo("Status filter", [("All statuses", None), ("Open cases", OPEN_CASES),
                                                               ("With overdue recommendations", OVERDUE_RECOMMENDATIONS),
                                                               ("Applicant update due", UPDATES_DUE)]
                                         + [(label, s.value) for s, label in STATUS_LABELS.items()])
        self.indicator_filter = self._combo("Indicator filter", [("Any indicator", None)]
                                            + [(INDICATOR_LABELS[i], i.value) for i in Indicator])
        self.channel_filter = self._combo("Channel filter", [("All channels", None)]
                                          + [(c.label, c.value) for c in Channel])
        self.year_filter = self._combo("Year received filter", [("All years", None)])
        self.officer_filter = self._combo("Officer filter", [("All officers", None)])

        # The sort order by keyboard (the column headings take only the mouse).
        self.sort_combo = QComboBox()
        self.sort_combo.setAccessibleName("Sort by")
        for title, key in SORT_CHOICES:
            self.sort_combo.addItem(title, key)
        self.order_combo = QComboBox()
        self.order_combo.setAccessibleName("Sort order")
        for text, descending in _ORDERS:
            self.order_combo.addItem(text, descending)

        self.export_button = QPushButton("E&xport view to CSV…")
        self.export_button.setAccessibleName("Export view to CSV")
        self.export_button.setToolTip("Save the cases listed now, with these columns, as a CSV file")
        self.export_button.clicked.connect(self.export_csv)
        self.export_button.setEnabled(False)  # until there are cases listed

        self.model = CaseTableModel(ctx, self._first_query(), self, tasks=self.tasks)
        self.model.load_failed.connect(self._show_problem)
        self.model.ids_loaded.connect(self._ids_shown)
        self.model.rows_loaded.connect(self._rows_shown)
        self.model.loading_changed.connect(lambda _loading: self._show_state())
        self._working = ""
        self.table = CaseTable()
        self.table.setModel(self.model)
        self.table.setAccessibleName("Cases")
        self.table.setAccessibleDescription("Press Enter or double-click to open the selected case")
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.setTabKeyNavigation(False)  # Tab leaves the table, as keyboard users expect
        vertical = self.table.verticalHeader()
        vertical.setVisible(False)
        # Fixed row heights: Qt never has to measure rows, so 100,000 of them cost nothing.
        vertical.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        vertical.setDefaultSectionSize(self.fontMetrics().height() + 8)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        header.setHighlightSections(False)
        self._set_column_widths()
        query = self.model.query
        order = Qt.SortOrder.DescendingOrder if query.descending else Qt.SortOrder.AscendingOrder
        header.setSortIndicator(column_for_sort_key(query.sort), order)
        self._show_sort(query.sort, query.descending)
        header.sortIndicatorChanged.connect(self._sort_indicator_changed)
        self.sort_combo.currentIndexChanged.connect(lambda _i: self._sort_chosen())
        self.order_combo.currentIndexChanged.connect(lambda _i: self._sort_chosen())
        self.table.open_requested.connect(self._open)
        self.table.doubleClicked.connect(self._open)

        self.result_label = QLabel()
        self.result_label.setAccessibleName("Search result")
        # "Loading…" while a read for the list is out, "Saving: …" while the export runs.
        self.state_label = QLabel()
        self.state_label.setAccessibleName("Case list state")
        look(self.state_label, "hint")
        self.state_label.hide()
        self.problem_label = QLabel()
        self.problem_label.setAccessibleName("Problem")
        self.problem_label.setStyleSheet("color: #b71c1c;")
        self.problem_label.setWordWrap(True)
        self.problem_label.hide()

        self._build_layout()
        for combo, key in ((self.status_filter, "status"), (self.indicator_filter, "indicator"),
                           (self.channel_filter, "channel")):
            combo.blockSignals(True)
            combo.setCurrentIndex(max(combo.findData(self._pending.get(key)), 0))
            combo.blockSignals(False)
        self.model.ids_loaded.connect(self._save_query)
        # The first read is asked for once the event loop runs: the window that holds the page is
        # built and shown first, and the ids come from a worker while it is painted.
        self._started = False
        QTimer.singleShot(0, self._start)
        # Switched on after the first query is asked: enabling it calls sort(), which then has nothing to do.
        self.table.setSortingEnabled(True)

    # --- public --------------------------------------------------------------------------------

    def _start(self) -> None:
        if not self._started:
            self._started = True
            self.model.set_query(self.model.query)
            self._show_state()

    def refresh(self) -> None:
        """F5: the list, every row, the counts and the filter choices read again; the selection kept."""
        self._started = True
        self._summary_due = True
        self._apply_filters(keep=self.current_case_id(), reread=True)

    def apply_changes(self, changes: Changes) -> None:
        """After an operation: only what it changed is read again, and nothing if the list is not touched.

        Cases it changed: their rows and the counts (a changed row stays where it is until the next
        search or sort, even if it would now sort elsewhere or no longer match its filters).
        Cases it added or removed, or too many to name: the ids again, the selection kept.
        """
        if not (changes.touches(Part.LIST) or changes.all_cases):
            return
        if changes.all_cases or changes.created or changes.removed or not changes.cases:
            self.model.mark_stale(changes.cases)
            self.model.forget(changes.cases)
            self._summary_due = True
            self._apply_filters(keep=self.current_case_id(), reread=changes.all_cases)
            return
        self.update_cases(changes.cases)

    def update_cases(self, case_ids: Iterable[int]) -> None:
        """Read these cases' rows and the counts again, and show them in place.

        Two small reads side by side: the rows (an index look-up per case) land at once, the counts
        (which an overdue recommendation makes the slower) follow; a burst of saves asks for the
        counts once more, not once per save.
        """
        wanted = list(case_ids)
        mark = self.model.mark_stale(wanted)
        listed = [i for i in wanted if self.model.row_of(i) is not None]
        if listed:
            self.tasks.query(fetch_rows, self._ctx, listed, owner=self, what="read the changed cases",
                             on_done=lambda rows: self.model.take_rows(rows, listed, mark),
                             on_error=self._read_failed)
        self.tasks.query(case_counts, self._ctx, on_done=self._show_counts, on_error=self._read_failed,
                         owner=self, what="read the case counts", key=f"case-list-counts-{id(self)}")

    def show_working(self, text: str) -> None:
        """Called by the task runner while this page's export waits or runs ("" when it is done)."""
        self._working = text
        self.export_button.setEnabled(not text and self.model.rowCount() > 0)
        self._show_state()

    def current_case_id(self) -> int | None:
        index = self.table.currentIndex()
        return self.model.case_id(index.row()) if index.isValid() else None

    def export_csv(self) -> Path | None:
        """Write every listed case (not just the rows on screen) with the columns shown, off the UI
        thread; the path being written (the result line says when it is done), or None if cancelled."""
        suggested = f"cases-{self._ctx.today():%Y-%m-%d}.csv"
        chosen = self._ask_save_path(suggested)
        if not chosen:
            return None
        path = Path(chosen)
        if path.suffix.lower() != ".csv":
            path = path.with_name(path.name + ".csv")

        def done(count: int) -> None:
            self.problem_label.hide()
            self.result_label.setText(f"{self._showing_text()} Exported {count:,} to {path}.")

        def failed(exc: BaseException) -> bool:
            why = exc.strerror or str(exc) if isinstance(exc, OSError) else describe(exc)
            self._show_problem(f"The cases could not be exported to {path}: {why}")
            return True

        self.tasks.op(write_csv, self._ctx, self.model.ids, self.model.shown_query, path, on_done=done,
                      on_error=failed, owner=self, what="export the case list", busy=[self.export_button])
        return path

    # --- building ------------------------------------------------------------------------------

    def _combo(self, name: str, items: list[tuple[str, Any]]) -> QComboBox:
        combo = QComboBox()
        combo.setAccessibleName(name)
        combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        for text, value in items:
            combo.addItem(text, value)
        combo.currentIndexChanged.connect(lambda _i: self._apply_filters())
        return combo

    def _build_layout(self) -> None:
        def labelled(text: str, widget: QWidget) -> QLabel:
            label = QLabel(text)
            label.setBuddy(widget)  # the label's Alt+letter moves to the field, and names it
            return label

        search_row = QHBoxLayout()
        search_row.addWidget(labelled("&Search:", self.search))
        search_row.addWidget(self.search, 1)
        search_row.addSpacing(12)
        search_row.addWidget(labelled("Sort &by:", self.sort_combo))
        search_row.addWidget(self.sort_combo)
        search_row.addWidget(labelled("Or&der:", self.order_combo))
        search_row.addWidget(self.order_combo)
        search_row.addSpacing(12)
        search_row.addWidget(self.export_button)

        filters = QHBoxLayout()
        for text, combo in (("S&tatus:", self.status_filter), ("&Indicator:", self.indicator_filter),
                            ("Cha&nnel:", self.channel_filter), ("&Year received:", self.year_filter),
                            ("&Officer:", self.officer_filter)):
            filters.addWidget(labelled(text, combo))
            filters.addWidget(combo)
            filters.addSpacing(10)
        filters.addStretch(1)

        heading = QLabel("<h2 style='margin:0'>Cases</h2>")
        heading.setTextFormat(Qt.TextFormat.RichText)
        heading.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Preferred)
        top = QHBoxLayout()
        top.addWidget(heading)
        top.addSpacing(16)
        top.addWidget(self.counts_label, 1)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(search_row)
        layout.addLayout(filters)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.problem_label)
        bottom = QHBoxLayout()
        bottom.addWidget(self.result_label, 1)
        bottom.addWidget(self.state_label)
        layout.addLayout(bottom)
        # One Tab from the search to the results; the filters, the sort and the export after them.
        order = [self.search, self.table, self.status_filter, self.indicator_filter, self.channel_filter,
                 self.year_filter, self.officer_filter, self.sort_combo, self.order_combo, self.export_button]
        for first, second in zip(order, order[1:]):
            self.setTabOrder(first, second)

    def _set_column_widths(self) -> None:
        metrics = self.table.fontMetrics()
        padding = 16  # cell margins and the sort arrow
        self._natural: list[int] = []
        for n, column in enumerate(COLUMNS):
            sample = _SAMPLE_WIDTHS.get(column.title, column.title)
            heading = column.heading or column.title
            width = max(metrics.horizontalAdvance(sample), metrics.horizontalAdvance(heading)) + padding
            if column.title == "Indicator":
                width += 22  # the icon
            self._natural.append(width)
            self.table.setColumnWidth(n, width)
        self.table.resized.connect(self._fit_columns)

    def _fit_columns(self) -> None:
        """On a narrow screen the long text columns give up width (their values are cut with "…" and
        shown whole in the tooltip), so every column, the officer included, stays in view."""
        room = self.table.viewport().width()
        extra = sum(self._natural) - room
        elastic = [n for n, c in enumerate(COLUMNS) if c.title in _ELASTIC]
        spare = sum(max(self._natural[n] - _MIN_ELASTIC, 0) for n in elastic)
        for n in elastic:
            give = 0 if extra <= 0 or not spare else min(extra, spare) * (self._natural[n] - _MIN_ELASTIC) / spare
            self.table.setColumnWidth(n, int(self._natural[n] - give))

    @staticmethod
    def _refill(combo: QComboBox, items: list[tuple[str, Any]]) -> None:
        """Replace the choices after the first ("All ..."), keeping the current one if it is still there."""
        current = combo.currentData()
        combo.blockSignals(True)  # refilling is not the user choosing
        while combo.count() > 1:
            combo.removeItem(1)
        for text, value in items:
            combo.addItem(text, value)
        found = combo.findData(current) if current is not None else 0
        combo.setCurrentIndex(max(found, 0))
        combo.blockSignals(False)

    # --- behaviour -----------------------------------------------------------------------------

    def _show_sort(self, key: str, descending: bool) -> None:
        for combo, value in ((self.sort_combo, key), (self.order_combo, descending)):
            combo.blockSignals(True)  # showing the order is not choosing it
            combo.setCurrentIndex(max(combo.findData(value), 0))
            combo.blockSignals(False)

    def _sort_chosen(self) -> None:
        order = Qt.SortOrder.DescendingOrder if self.order_combo.currentData() else Qt.SortOrder.AscendingOrder
        self.table.sortByColumn(column_for_sort_key(str(self.sort_combo.currentData())), order)

    def _sort_indicator_changed(self, column: int, order: Qt.SortOrder) -> None:
        key = COLUMNS[column].sort_key if 0 <= column < len(COLUMNS) else None
        if key:
            self._show_sort(key, order == Qt.SortOrder.DescendingOrder)

    def _query_from_widgets(self) -> CaseQuery:
        # A saved year or officer counts until its choice exists (the choices follow the first rows).
        year = self._pending["year"] if "year" in self._pending else self.year_filter.currentData()
        officer = self._pending["officer"] if "officer" in self._pending else self.officer_filter.currentData()
        return replace(self.model.query, text=self.search.text().strip(),
                       status=self.status_filter.currentData(), indicator=self.indicator_filter.currentData(),
                       channel=self.channel_filter.currentData(), year=year, officer=officer)

    def _first_query(self) -> CaseQuery:
        saved = {k: v for k, v in self._pending.items() if k in self._SAVED}
        try:
            query = replace(CaseQuery(), **saved)
        except TypeError:
            return CaseQuery()
        # Values from an older version, or edited by hand, are not trusted to name a real choice.
        if (not isinstance(query.year, int | None) or not isinstance(query.officer, str | None)
                or query.sort not in dict(SORT_CHOICES).values()):
            return CaseQuery()
        return query

    # Filters and sort order are remembered between sessions (the search text is not: it is personal data).
    _SAVED = ("status", "indicator", "channel", "year", "officer", "sort", "descending")

    def _saved_query(self) -> dict[str, Any]:
        if self._settings is None:
            return {}
        try:
            data = json.loads(str(self._settings.value("caseList/query", "{}")))
        except ValueError:
            return {}
        return {k: v for k, v in data.items() if k in self._SAVED} if isinstance(data, dict) else {}

    def _save_query(self) -> None:
        if self._settings is not None:
            query = self.model.shown_query
            self._settings.setValue("caseList/query", json.dumps({k: getattr(query, k) for k in self._SAVED}))

    def _typed(self, _text: str) -> None:
        self._down_pending = False  # still typing: Down pressed earlier no longer stands
        self._search_timer.start()  # restarts: a debounce

    def _search_now(self) -> None:
        self._search_timer.stop()
        self._apply_filters()

    def _apply_filters(self, keep: int | None = None, reread: bool = False) -> None:
        """Ask for the ids of the search and filters on screen (a newer ask replaces an older one)."""
        self._started = True
        self._search_timer.stop()
        self._keep = keep if keep is not None else self.current_case_id()
        self.model.set_query(self._query_from_widgets(), keep=self._keep, reread=reread, visible=self._on_screen())

    def _on_screen(self) -> list[int]:
        """The cases at the top and bottom of the table now: their rows are read first."""
        rows = (self.table.rowAt(0), self.table.rowAt(max(self.table.viewport().height() - 1, 0)))
        return [case_id for case_id in (self.model.case_id(r) for r in rows if r >= 0) if case_id is not None]

    def _ids_shown(self) -> None:
        """The new list is in: say how many, keep the selection, and go on into the results if asked."""
        self.problem_label.hide()
        self.result_label.setText(self._showing_text())
        self.export_button.setEnabled(self.model.rowCount() > 0 and not self._working)
        row = self.model.row_of(self._keep) if self._keep is not None else None
        # Rows patched in place keep the selection and the scroll as they were: only a list made
        # anew selects the kept case again and brings it into view (the keyboard focus stays put).
        if row is not None and self.current_case_id() != self._keep:
            self.table.selectRow(row)
            self.table.scrollTo(self.model.index(row, 0))
        if self._down_pending:
            self._down_pending = False
            # Down was pressed in the search box before the results came: go into them now, unless
            # the user has gone somewhere else meanwhile.
            if self.search.hasFocus() and self.model.rowCount():
                self.table.setFocus()
                self.table.selectRow(0)

    def _rows_shown(self) -> None:
        """The first rows are on screen: now the counts and the year and officer choices."""
        if not self._summary_due:
            return
        self._summary_due = False
        self.tasks.query(list_summary, self._ctx, on_done=self._summary_arrived, on_error=self._read_failed,
                         owner=self, what="read the case counts", key=f"case-list-summary-{id(self)}")

    def _summary_arrived(self, summary: ListSummary) -> None:
        self._show_counts(summary.counts)
        self._refill(self.year_filter, [(str(y), y) for y in summary.years])
        self._refill(self.officer_filter, [(name, login) for login, name in summary.officers])
        if not self._pending:
            return
        # The saved year and officer have their choices only now: show them, once.
        pending, self._pending = self._pending, {}
        lost = False
        for combo, key in ((self.year_filter, "year"), (self.officer_filter, "officer")):
            if pending.get(key) is None:
                continue
            found = combo.findData(pending[key])
            lost = lost or found < 0
            combo.blockSignals(True)
            combo.setCurrentIndex(max(found, 0))
            combo.blockSignals(False)
        if lost:  # a saved choice that no longer exists: list what the filters now say
            self._apply_filters()

    def _read_failed(self, exc: BaseException) -> bool:
        self._show_problem(describe(exc))
        return True

    def _show_state(self) -> None:
        text = self._working or ("Loading…" if self.model.loading else "")
        self.state_label.setText(text)
        self.state_label.setVisible(bool(text))

    def _showing_text(self) -> str:
        n = self.model.rowCount()
        if n == 0:
            return "No cases match this search and these filters."
        return f"Showing {n:,} case{'s' if n != 1 else ''}."

    def _show_counts(self, counts: CaseCounts) -> None:
        parts = [("Open", counts.open), ("Overdue", counts.overdue), ("Due this week", counts.due_this_week),
                 ("Awaiting threshold decision", counts.awaiting_threshold_decision),
                 ("Awaiting panel", counts.awaiting_panel),
                 ("Awaiting outcome letter", counts.awaiting_outcome_letter),
                 ("Recommendations overdue", counts.recommendations_overdue),
                 ("Updates due", counts.updates_due)]
        separator = "&nbsp;&nbsp;·&nbsp;&nbsp;"
        self.counts_label.setText(separator.join(f"{name}: <b>{n:,}</b>" for name, n in parts))
        # Screen readers get the same figures without the markup.
        self.counts_label.setAccessibleDescription("; ".join(f"{name}: {n}" for name, n in parts))

    def _show_problem(self, message: str) -> None:
        self.problem_label.setText(message)
        self.problem_label.show()

    def _open(self, index: QModelIndex) -> None:
        case_id = self.model.case_id(index.row()) if index.isValid() else None
        if case_id is not None:
            self.open_case_requested.emit(case_id)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt API
        # Down in the search box moves to the results, so a keyboard user can search then open.
        if (watched is self.search and event.type() == _KEY_PRESS and isinstance(event, QKeyEvent)
                and event.key() == Qt.Key.Key_Down):
            if self._search_timer.isActive():
                self._search_now()
            if self.model.waiting_for_ids:
                self._down_pending = True  # the results are on their way: into them when they come
                return True
            if self.model.rowCount():
                self.table.setFocus()
                if not self.table.currentIndex().isValid():
                    self.table.selectRow(0)
                return True
        return super().eventFilter(watched, event)

    def _ask_with_dialog(self, suggested: str) -> str | None:
        from ui.dialogs import DialogService  # the one place that opens file dialogs
        chosen = DialogService(self).save_file("Export view to CSV", suggested, "CSV files (*.csv)")
        return str(chosen) if chosen else None
