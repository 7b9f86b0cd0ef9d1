"""The Reports section: the statutory figures with their definitions, the partnership summary and its charts.

The figures are read, and the charts drawn, on a worker (`ui.tasks`); exports and the register
import run as operations. The page reads again when it is shown after an operation changed cases
or reports, and at once if it is on screen.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from PySide6.QtCore import QByteArray, Qt
from PySide6.QtGui import QShowEvent
from PySide6.QtSvgWidgets import QSvgWidget
from PySide6.QtWidgets import (QFrame, QGridLayout, QHBoxLayout, QLabel, QLineEdit,
                               QPlainTextEdit, QScrollArea, QTableView, QVBoxLayout, QWidget)

from app.domain.dates import add_months, parse_uk_or_iso, uk
from app.domain.roles import Permission
from app.reports.charts import summary_charts, svg_bytes
from app.reports.pdf import summary_pdf
from app.reports.tables import (Table, channels_table, comparison_table, figures_csv, recommendations_table,
                                secondary_recommendations_note, secondary_table, statutory_rows, threshold_note,
                                timeliness_table)
from app.services.common.context import ServiceContext
from app.services.common.errors import ServiceError, describe
from app.services.common.ops import Changes, Part
from app.services.reports.figures import PartnershipSummary, financial_year, partnership_summary, record_export
from app.services.reports.register_import import RegisterImport, import_register
from ui.dialogs import DialogService
from ui.models.simple_table import SimpleTableModel
from ui.tasks import Task, Tasks
from ui.views.publication_bar import PublicationBar
from ui.views.case_page.common import button, heading, table
from ui.style import look

CHART_SCALE = 1.15
CARD_STYLE = ("QFrame#figureCard { border: 1px solid #b9c0c8; border-radius: 4px; background: #f7f9fb; }"
              "QLabel#figureNumber { font-size: 22pt; font-weight: 700; color: #0b0c0c; }")


@dataclass(frozen=True)
class ShownChart:
    """A chart drawn on the worker: its SVG, its size and its words."""
    key: str
    title: str
    description: str
    svg: bytes
    width: float
    height: float


@dataclass(frozen=True)
class Figures:
    summary: PartnershipSummary
    charts: tuple[ShownChart, ...]


def read_figures(ctx: ServiceContext, start: date, end: date) -> Figures:
    """On the worker: the summary for the period and its charts drawn (ReportLab, then SVG)."""
    summary = partnership_summary(ctx, start, end)
    charts = tuple(ShownChart(c.key, c.title, c.description, svg_bytes(c.drawing), c.drawing.width,
                              c.drawing.height) for c in summary_charts(summary))
    return Figures(summary, charts)


def write_export(ctx: ServiceContext, what: str, start: date, end: date, path: Path,
                 render: Callable[[], bytes]) -> Path:
    """On the worker: the export allowed and logged, then rendered and written (nothing unlogged leaves)."""
    record_export(ctx, what, start, end)
    path.write_bytes(render())
    return path


def _labelled_edit(text: str, name: str) -> tuple[QLabel, QLineEdit]:
    edit = QLineEdit()
    edit.setObjectName(name)
    edit.setPlaceholderText("dd/mm/yyyy")
    edit.setMaximumWidth(120)
    label = QLabel(text)
    label.setBuddy(edit)  # Alt+letter moves to the box, and the label names it
    edit.setAccessibleName(text.replace("&", "").rstrip(":"))
    return label, edit


class FigureCard(QFrame):
    """One statutory figure: the number large, its name, and how it is counted."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("figureCard")
        layout = QVBoxLayout(self)
        self.number = QLabel("–")
        self.number.setObjectName("figureNumber")
        self.title = QLabel()
        look(self.title, "sectionTitle")
        self.title.setWordWrap(True)
        self.beside = QLabel()
        self.beside.setWordWrap(True)
        self.definition = QLabel()
        look(self.definition, "hint")
        self.definition.setWordWrap(True)
        for w in (self.number, self.title, self.beside, self.definition):
            layout.addWidget(w)
        layout.addStretch(1)

    def show_figure(self, title: str, number: int, beside: str, definition: str) -> None:
        self.number.setText(str(number))
        self.title.setText(title)
        self.beside.setText(beside)
        self.beside.setVisible(bool(beside))
        self.definition.setText(definition)
        spoken = f"{title}: {number}" + (f", {beside}" if beside else "")
        self.setAccessibleName(spoken)
        self.number.setAccessibleName(spoken)
        self.setAccessibleDescription(definition)


class ReportsPage(QWidget):
    def __init__(self, ctx: ServiceContext, dialogs: DialogService, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx, self.dialogs = ctx, dialogs
        self.tasks = Tasks.instance()
        self.summary: PartnershipSummary | None = None
        self._findings_edited = False
        self._filling = False
        self._reading: Task | None = None  # the figures being read
        self._stale = False  # an operation changed what the figures count while the page was hidden
        self._asked: tuple[date, date] | None = None  # the period of the figures being read
        self.setAccessibleName("Reports")
        self.setStyleSheet(CARD_STYLE)
        outer = QVBoxLayout(self)
        outer.addWidget(self._period_bar())
        self.publication = PublicationBar(ctx, dialogs)
        outer.addWidget(self.publication)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setAccessibleName("Report message")
        outer.addWidget(self.message)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        scroll.setWidget(self._content())
        outer.addWidget(scroll, 1)
        start, end = financial_year(ctx.today())
        self.set_period(start, end, refresh=False)

    # building --------------------------------------------------------------------------------------
    def _period_bar(self) -> QWidget:
        bar = QWidget()
        row = QHBoxLayout(bar)
        row.setContentsMargins(0, 0, 0, 0)
        from_label, self.from_edit = _labelled_edit("Fro&m:", "periodFrom")
        to_label, self.to_edit = _labelled_edit("&To:", "periodTo")
        for edit in (self.from_edit, self.to_edit):
            edit.returnPressed.connect(self.refresh)
        self.show_button = button("&Show figures", self.refresh, "Show the figures for the period")
        self.previous_button = button("&Previous year", self.previous_year, "Previous year")
        self.current_button = button("This financial &year", self.this_year, "This financial year")
        self.pdf_button = button("Export P&DF…", self.export_pdf, "Export the partnership summary as PDF")
        self.csv_button = button("Export &CSV…", self.export_csv, "Export the figures as CSV")
        self.import_button = button("&Import register…", self.import_register_file,
                                    "Import the historical register from a CSV file")
        for b, permission in ((self.pdf_button, Permission.EXPORT), (self.csv_button, Permission.EXPORT),
                              (self.import_button, Permission.CHANGE_CASES)):
            b.setProperty("allowed", self.ctx.may(permission))
            b.setEnabled(self.ctx.may(permission))
        for w in (from_label, self.from_edit, to_label, self.to_edit, self.show_button, self.previous_button,
                  self.current_button):
            row.addWidget(w)
        row.addStretch(1)
        for w in (self.pdf_button, self.csv_button, self.import_button):
            row.addWidget(w)
        return bar

    def _content(self) -> QWidget:
        content = QWidget()
        layout = QVBoxLayout(content)
        self.period_label = QLabel()
        look(self.period_label, "sectionTitle")
        self.period_label.setAccessibleName("Period shown")
        layout.addWidget(self.period_label)
        layout.addWidget(heading("The statutory figures"))
        cards = QGridLayout()
        self.cards = [FigureCard() for _ in range(4)]
        for n, card in enumerate(self.cards):
            cards.addWidget(card, 0, n)
        layout.addLayout(cards)
        self.secondary_note = QLabel()
        self.secondary_note.setWordWrap(True)
        layout.addWidget(self.secondary_note)
        self.chart_grid = QGridLayout()
        self.charts: dict[str, QSvgWidget] = {}
        for n, key in enumerate(("months", "channels", "timeliness")):
            widget = QSvgWidget()
            # Not a Tab stop (it is a picture, not a control): its name and description carry its
            # values for a screen reader, and the tables below hold the same figures.
            widget.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            widget.setAccessibleName("Chart (shown once the figures are loaded)")
            self.charts[key] = widget
            self.chart_grid.addWidget(widget, n // 2, n % 2, Qt.AlignmentFlag.AlignLeft)
        self.chart_grid.setColumnStretch(2, 1)  # the charts keep to the left, at their own size
        layout.addLayout(self.chart_grid)
        self.tables: dict[str, tuple[QTableView, SimpleTableModel, QLabel, QLabel]] = {}
        for key, headers in (("comparison", comparison_table), ("channels", channels_table),
                             ("timeliness", timeliness_table), ("recommendations", recommendations_table),
                             ("secondary", secondary_table)):
            title = heading("")
            view, model = table(["…"], key)
            note = QLabel()
            note.setWordWrap(True)
            look(note, "hint")
            self.tables[key] = (view, model, title, note)
            layout.addWidget(title)
            layout.addWidget(view)
            layout.addWidget(note)
            if key == "channels":
                self.threshold_label = QLabel()
                self.threshold_label.setWordWrap(True)
                self.threshold_label.setAccessibleName("Threshold decisions")
                layout.addWidget(heading("Threshold decisions"))
                layout.addWidget(self.threshold_label)
        self.findings = QPlainTextEdit()
        self.findings.setMinimumHeight(140)
        self.findings.setTabChangesFocus(True)
        self.findings.textChanged.connect(self._findings_changed)
        findings_label = QLabel("&Key findings (edit before exporting; one finding a line):")
        look(findings_label, "sectionTitle")
        findings_label.setBuddy(self.findings)
        self.findings.setAccessibleName("Key findings")
        self.reset_findings_button = button("Use the panels' findin&gs again", self.reset_findings,
                                            "Replace the text with the findings the panels recorded")
        layout.addWidget(findings_label)
        layout.addWidget(self.findings)
        layout.addWidget(self.reset_findings_button, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addStretch(1)
        return content

    # the period --------------------------------------------------------------------------------------
    def set_period(self, start: date, end: date, *, refresh: bool = True) -> None:
        self.from_edit.setText(uk(start))
        self.to_edit.setText(uk(end))
        if refresh:
            self.refresh()

    def period(self) -> tuple[date, date] | None:
        try:
            start = parse_uk_or_iso(self.from_edit.text())
        except ValueError as exc:
            self._problem(f"From: {exc}", self.from_edit)
            return None
        try:
            end = parse_uk_or_iso(self.to_edit.text())
        except ValueError as exc:
            self._problem(f"To: {exc}", self.to_edit)
            return None
        if end < start:
            self._problem("To: the period must end on or after the day it starts.", self.to_edit)
            return None
        return start, end

    def _problem(self, text: str, field: QLineEdit) -> None:
        if self._reading is not None:  # figures asked for before the mistake would hide it: drop them
            self._reading.cancel()
            self._reading = None
        self.message.setText(f"Not shown: {text}")
        field.setFocus()

    def previous_year(self) -> None:
        """The same dates a year earlier."""
        period = self.period()
        if period is not None:
            self.set_period(add_months(period[0], -12), add_months(period[1], -12))

    def this_year(self) -> None:
        self.set_period(*financial_year(self.ctx.today()))

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt API
        super().showEvent(event)
        if self.summary is None and self._reading is None:
            self.refresh()
            self.publication.refresh()
        elif self._stale:
            self._reread()

    def apply_changes(self, changes: Changes) -> None:
        """The figures count cases, reviews and recommendations: any of those changed makes them stale.

        Read again at once if the page is on screen, else when it is next shown.
        """
        if self.summary is None and self._reading is None:
            return  # never shown: it reads when it is
        self.publication.apply_changes(changes)
        touched = (changes.all_cases or bool(changes.case_ids) or bool(changes.meetings)
                   or changes.touches(Part.REPORTS, Part.LIST, Part.MEETINGS, Part.RECOMMENDATIONS, Part.SETTINGS))
        if not touched:
            return
        if self.isVisible():
            self._reread()
        else:
            self._stale = True

    def show_working(self, text: str) -> None:
        """Called by the task runner while this page's exports or import wait ("" once done)."""
        for b in (self.pdf_button, self.csv_button, self.import_button):
            b.setEnabled(not text and b.property("allowed") is not False)
        if text:
            self.message.setText(text)
        elif self.message.text().startswith("Saving:"):
            self.message.setText("")

    # figures -----------------------------------------------------------------------------------------
    def refresh(self) -> None:
        """Read the figures for the period typed (off the UI thread; a newer read replaces an older one)."""
        period = self.period()
        if period is None:
            return
        self._read(*period)

    def _reread(self) -> None:
        """The period shown read again (not the dates typed since, which may be half-typed)."""
        period = self._asked if self._reading is not None else (
            (self.summary.start, self.summary.end) if self.summary is not None else None)
        if period is not None:
            self._read(*period)

    def _read(self, start: date, end: date) -> None:
        self._stale = False
        self._asked = (start, end)
        self.message.setText("Loading the figures…")
        self._reading = self.tasks.query(read_figures, self.ctx, start, end, owner=self, what="read the figures",
                                         key=f"reports-figures-{id(self)}", on_done=self._arrived,
                                         on_error=self._read_failed)

    def _read_failed(self, exc: BaseException) -> bool:
        self._reading = None
        self.message.setText(describe(exc))
        return isinstance(exc, ServiceError)  # anything else also goes to the log and a message box

    def _arrived(self, figures: Figures) -> None:
        self._reading = None
        summary = figures.summary
        changed = self.summary is None or (self.summary.start, self.summary.end) != (summary.start, summary.end)
        self.summary = summary
        self.message.setText("")
        self._show(summary, figures.charts)
        if changed and (not self._findings_edited or self.dialogs.ask(
                "Key findings", "Replace the key findings you edited with those recorded by the panels in "
                "the new period?", "Replace", "Keep my text")):
            self.reset_findings()

    def _show(self, s: PartnershipSummary, charts: tuple[ShownChart, ...]) -> None:
        self.period_label.setText(f"Period: {uk(s.start)} to {uk(s.end)} (both days included); previous year "
                                  f"{uk(s.previous.statutory.start)} to {uk(s.previous.statutory.end)}")
        for card, row in zip(self.cards, statutory_rows(s)):
            card.show_figure(row.title, row.number, row.beside, row.definition)
        self.secondary_note.setText(secondary_recommendations_note(s))
        self.threshold_label.setText(threshold_note(s))
        builders = {"comparison": comparison_table, "channels": channels_table, "timeliness": timeliness_table,
                    "recommendations": recommendations_table, "secondary": secondary_table}
        for key, build in builders.items():
            self._fill(key, build(s))
        for chart in charts:
            widget = self.charts[chart.key]
            widget.load(QByteArray(chart.svg))
            widget.setFixedSize(int(chart.width * CHART_SCALE), int(chart.height * CHART_SCALE))
            widget.setAccessibleName(f"Chart: {chart.title}")
            widget.setAccessibleDescription(chart.description)
            widget.setToolTip(chart.description)

    def _fill(self, key: str, data: Table) -> None:
        view, model, title, note = self.tables[key]
        title.setText(data.title)
        view.setAccessibleName(data.title)
        model.set_table(list(data.headers), [list(r) for r in data.rows])
        note.setText(data.note)
        view.resizeRowsToContents()
        # Tall enough for every row: the page scrolls, not each small table.
        view.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        height = view.horizontalHeader().height() + sum(view.rowHeight(r) for r in range(len(data.rows)))
        if view.horizontalHeader().length() > view.viewport().width() > 100:  # a narrow window scrolls sideways
            height += view.horizontalScrollBar().sizeHint().height()
        view.setFixedHeight(height + 2 * view.frameWidth() + 4)

    # key findings ------------------------------------------------------------------------------------
    def _findings_changed(self) -> None:
        if not self._filling:
            self._findings_edited = True

    def reset_findings(self) -> None:
        if self.summary is None:
            return
        self._filling = True
        self.findings.setPlainText(self.summary.findings_text())
        self._filling = False
        self._findings_edited = False

    # exports and import ------------------------------------------------------------------------------
    def _file_stem(self) -> str:
        s = self.summary
        return "partnership-summary" if s is None else f"partnership-summary-{s.start:%Y-%m-%d}-to-{s.end:%Y-%m-%d}"

    def export_pdf(self) -> Path | None:
        """The partnership summary as PDF, with the findings as edited; the path being written."""
        findings = self.findings.toPlainText()  # read here: the worker never touches a widget
        council, today = self.ctx.settings().council, self.ctx.today()
        return self._export("PDF", "PDF files (*.pdf)", ".pdf", lambda s: lambda: summary_pdf(
            s, council, edited_findings=findings, produced_on=today))

    def export_csv(self) -> Path | None:
        return self._export("CSV", "CSV files (*.csv)", ".csv", lambda s: lambda: figures_csv(s).encode("utf-8"))

    def _export(self, kind: str, filter_text: str, suffix: str,
                render: Callable[[PartnershipSummary], Callable[[], bytes]]) -> Path | None:
        """Choose the file, then log, render and write it as one operation off the UI thread."""
        summary = self.summary
        if self._reading is not None:
            self.message.setText(f"Not exported: the figures are still being read. Export the {kind} once "
                                 "they are shown.")
            return None
        if summary is None:
            self.message.setText(f"Not exported: show the figures first (Alt+S), then export the {kind}.")
            return None
        path = self.dialogs.save_file(f"Export the partnership summary as {kind}", self._file_stem() + suffix,
                                      filter_text)
        if path is None:
            return None
        path = path if path.suffix.lower() == suffix else path.with_suffix(suffix)

        def failed(exc: BaseException) -> bool:
            if isinstance(exc, OSError):
                self.dialogs.error("Not exported", f"{path} could not be written: {exc.strerror or exc}")
            else:
                self.dialogs.error("Not exported", describe(exc))
            return True

        self.tasks.op(write_export, self.ctx, f"partnership summary as {kind}", summary.start, summary.end, path,
                      render(summary), owner=self, what=f"export the {kind}", on_error=failed,
                      on_done=lambda written: self.message.setText(f"Exported the {kind} to {written}."))
        return path

    def import_register_file(self) -> None:
        """Import the historical register as one operation; the figures follow from what it changed."""
        path = self.dialogs.open_file("Import the historical register", "CSV files (*.csv);;All files (*)")
        if path is None:
            return

        def failed(exc: BaseException) -> bool:
            self.dialogs.error("Register not imported", describe(exc))
            return True

        self.tasks.op(import_register, self.ctx, path, owner=self, what="import the register",
                      on_done=self._imported, on_error=failed)

    def _imported(self, report: RegisterImport) -> None:
        if report.problems:
            shown = "\n".join(f"• {p}" for p in report.problems[:25])
            more = len(report.problems) - 25
            self.dialogs.error("Register not imported", f"{report.summary()}\n\n{shown}"
                               + (f"\n… and {more} more." if more > 0 else ""))
            return
        self.dialogs.info("Register imported", report.summary())
