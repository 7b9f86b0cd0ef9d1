"""The Reports section's publication strip: when a year's figures are due on the council's website, the
table in the councils' words (HTML or CSV) and the date it was published."""
from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QLabel, QWidget

from app.domain.roles import Permission
from app.services.common.context import ServiceContext
from app.services.common.errors import ServiceError
from app.services.reports.figures import record_export
from app.services.reports.publication import publication_reminder, publication_table, record_published
from ui.dialogs import DialogService
from ui.views.case_page.common import button
from ui.views.case_page.step_dialog import StepDialog, StepField

YEARS = 5


class PublicationBar(QWidget):
    def __init__(self, ctx: ServiceContext, dialogs: DialogService, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx, self.dialogs = ctx, dialogs
        self.dialog_hook = None  # tests fill the dialog instead of exec()
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        self.reminder = QLabel()
        self.reminder.setWordWrap(True)
        self.reminder.setAccessibleName("Publication reminder")
        self.table_button = button("Pu&blished table…", self.save_table,
                                   "Save the published table of the four figures by year")
        self.record_button = button("Record as p&ublished…", self.record, "Record the figures as published")
        for b in (self.table_button, self.record_button):
            b.setEnabled(ctx.may(Permission.EXPORT))
        row.addWidget(self.reminder, 1)
        row.addWidget(self.table_button)
        row.addWidget(self.record_button)

    def refresh(self) -> None:
        try:
            reminder = publication_reminder(self.ctx)
        except ServiceError as exc:
            self.reminder.setText(str(exc))
            return
        self.reminder.setText(("⚠ " if reminder.due else "✔ ") + reminder.text)
        self.reminder.setAccessibleDescription(("Due: " if reminder.due else "Done: ") + reminder.text)

    def save_table(self) -> None:
        path = self.dialogs.save_file("Save the published table", "community-trigger-figures.html",
                                      "Web page fragment (*.html);;CSV files (*.csv)")
        if path is None:
            return
        try:
            table = publication_table(self.ctx, years=YEARS)
            record_export(self.ctx, f"published figures as {path.suffix.lstrip('.').upper() or 'HTML'}",
                          table.years[0].start, table.years[-1].end)
            text = table.csv() if path.suffix.lower() == ".csv" else table.html(self.ctx.settings().council.name)
            path.write_text(text, encoding="utf-8")
        except ServiceError as exc:
            self.dialogs.error("Not saved", str(exc))
            return
        except OSError as exc:
            self.dialogs.error("Not saved", f"{path} could not be written: {exc.strerror}")
            return
        self.dialogs.info("Saved", f"The figures for {table.years[0].label} to {table.years[-1].label} are in {path}.")

    def record(self) -> None:
        table = publication_table(self.ctx, years=1)
        latest = table.years[-1]
        dialog = StepDialog("Record the figures as published", f"The figures for {latest.label} were put on the "
                            "council's website on:", [StepField("on", "Date published", "date", default=self.ctx.today())],
                            lambda v: record_published(self.ctx, year_type=table.year_type, period_end=latest.end,
                                                       published_on=v["on"]), self)
        if self.dialog_hook is not None:
            self.dialog_hook(dialog)
        else:
            dialog.exec()
        self.refresh()
