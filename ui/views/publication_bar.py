"""The Reports section's publication strip: when a year's figures are due on the council's website, the
table in the councils' words (HTML or CSV) and the date it was published.

Every read and change runs off the UI thread (`ui.tasks`); the dialog runs through the dialog
service, and its operation's changes bring the reminder up to date.
"""
from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QHBoxLayout, QLabel, QWidget

from app.domain.roles import Permission
from app.services.common.context import ServiceContext
from app.services.common.errors import describe
from app.services.common.ops import Changes, Part
from app.services.reports.figures import record_export
from app.services.reports.publication import (PublicationTable, Reminder, publication_reminder, publication_table,
                                              record_published)
from ui.dialogs import DialogService
from ui.tasks import Tasks
from ui.views.case_page.common import button
from ui.views.case_page.step_dialog import StepDialog, StepField

YEARS = 5


def write_table(ctx: ServiceContext, path: Path, years: int) -> PublicationTable:
    """On the worker: the table read, the export logged, then the file written (HTML, or CSV by its name)."""
    table = publication_table(ctx, years=years)
    record_export(ctx, f"published figures as {path.suffix.lstrip('.').upper() or 'HTML'}",
                  table.years[0].start, table.years[-1].end)
    text = table.csv() if path.suffix.lower() == ".csv" else table.html(ctx.settings().council.name)
    path.write_text(text, encoding="utf-8")
    return table


class PublicationBar(QWidget):
    def __init__(self, ctx: ServiceContext, dialogs: DialogService, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx, self.dialogs = ctx, dialogs
        self.tasks = Tasks.instance()
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        self.reminder = QLabel()
        self.reminder.setWordWrap(True)
        self.reminder.setAccessibleName("Publication reminder")
        self.table_button = button("Pu&blished table…", self.save_table,
                                   "Save the published table of the four figures by year")
        self.record_button = button("Record as p&ublished…", self.record, "Record the figures as published")
        self._allowed = ctx.may(Permission.EXPORT)
        for b in (self.table_button, self.record_button):
            b.setEnabled(self._allowed)
        row.addWidget(self.reminder, 1)
        row.addWidget(self.table_button)
        row.addWidget(self.record_button)

    def refresh(self) -> None:
        self.tasks.query(publication_reminder, self.ctx, on_done=self._show_reminder, on_error=self._read_failed,
                         owner=self, what="read the publication reminder", key=f"publication-reminder-{id(self)}")

    def apply_changes(self, changes: Changes) -> None:
        """A publication recorded, or the year type changed in the settings."""
        if changes.touches(Part.REPORTS, Part.SETTINGS):
            self.refresh()

    def show_working(self, text: str) -> None:
        for b in (self.table_button, self.record_button):
            b.setEnabled(self._allowed and not text)

    def _show_reminder(self, reminder: Reminder) -> None:
        self.reminder.setText(("⚠ " if reminder.due else "✔ ") + reminder.text)
        self.reminder.setAccessibleDescription(("Due: " if reminder.due else "Done: ") + reminder.text)

    def _read_failed(self, exc: BaseException) -> bool:
        self.reminder.setText(describe(exc))
        return True

    def save_table(self) -> None:
        path = self.dialogs.save_file("Save the published table", "community-trigger-figures.html",
                                      "Web page fragment (*.html);;CSV files (*.csv)")
        if path is None:
            return

        def saved(table: PublicationTable) -> None:
            self.dialogs.info("Saved", f"The figures for {table.years[0].label} to {table.years[-1].label} are in "
                                       f"{path}.")

        def failed(exc: BaseException) -> bool:
            if isinstance(exc, OSError):
                self.dialogs.error("Not saved", f"{path} could not be written: {exc.strerror or exc}")
            else:
                self.dialogs.error("Not saved", describe(exc))
            return True

        self.tasks.op(write_table, self.ctx, path, YEARS, on_done=saved, on_error=failed, owner=self,
                      what="save the published table")

    def record(self) -> None:
        """Which year is the latest is read first (off the UI thread), then the date is asked for."""
        def failed(exc: BaseException) -> bool:
            self.dialogs.error("Not recorded", describe(exc))
            return True

        self.tasks.query(publication_table, self.ctx, years=1, on_done=self._ask_date, on_error=failed, owner=self,
                         what="read the latest year", key=f"publication-latest-{id(self)}")

    def _ask_date(self, table: PublicationTable) -> None:
        latest = table.years[-1]
        ctx, year_type, period_end = self.ctx, table.year_type, latest.end
        dialog = StepDialog("Record the figures as published", f"The figures for {latest.label} were put on the "
                            "council's website on:", [StepField("published_on", "Date published", "date", default=ctx.today())],
                            lambda v: record_published(ctx, year_type=year_type, period_end=period_end,
                                                       published_on=v["published_on"]), self)
        # The operation's changes (Part.REPORTS) bring the reminder up to date, through apply_changes.
        self.dialogs.run(dialog)
