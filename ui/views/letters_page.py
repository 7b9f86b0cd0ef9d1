"""The Letters section: everything waiting to go out, and the acknowledgements due printed in one go."""
from __future__ import annotations

from collections.abc import Callable
from PySide6.QtGui import QShowEvent
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import QDialog, QLabel, QVBoxLayout, QWidget

from app.domain.dates import uk
from app.domain.roles import Permission
from app.services.letters import case_letters as letter_service
from app.services.common.context import ServiceContext
from app.services.common.errors import ServiceError, describe
from app.services.letters.queue import letters_to_send, produce_due_acknowledgements
from ui.dialogs import DialogService
from ui.pdf_view import print_pdf
from ui.views.case_page.common import button, button_row, heading, selected_key, table
from ui.views.case_page.step_dialog import StepDialog, StepField

STATES = {"due": "Due: not produced yet", "queued": "On the list to produce", "produced": "Produced, not sent",
          "approved": "Approved, not sent"}


class LettersPage(QWidget):
    def __init__(self, ctx: ServiceContext, dialogs: DialogService, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx, self.dialogs = ctx, dialogs
        self.setAccessibleName("Letters")
        self.print_hook: Callable[[list[bytes]], int] | None = None  # tests collect instead of printing
        self.open_case: Callable[[int], object] | None = None
        layout = QVBoxLayout(self)
        layout.addWidget(heading("Letters waiting to go out"))
        layout.addWidget(QLabel("Acknowledgements due, letters on a case's list to produce, and letters "
                                "produced but not yet recorded as sent. Clocks stop on the date sent."))
        self.view, self.model = table(["Case", "Applicant", "Letter", "State", "Due", "Produced"], "Letters waiting")
        self.view.doubleClicked.connect(lambda *_: self._open())
        layout.addWidget(self.view, 1)
        self.batch_button = button("Produce and &print every acknowledgement waiting…", self.print_due,
                                   "Produce and print every acknowledgement waiting")
        self.sent_button = button("Record the printed batch as &sent…", self.record_batch_sent,
                                  "Record the printed batch as sent")
        layout.addWidget(button_row(self.batch_button, self.sent_button,
                                    button("&Open the case", self._open, "Open the case")))
        self.batch: list[int] = []
        self._loaded = False
        self.batch_button.setEnabled(ctx.may(Permission.CHANGE_CASES))
        self.sent_button.setEnabled(False)

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt API
        super().showEvent(event)
        if not self._loaded:
            self.refresh()

    def refresh(self) -> None:
        self._loaded = True
        try:
            waiting = letters_to_send(self.ctx)
        except ServiceError as exc:
            self.dialogs.error("Letters", str(exc))
            return
        self.model.set_rows([[w.reference, w.applicant, w.template.replace("-", " ").capitalize(), STATES[w.state],
                              uk(w.due_on), f"{w.produced_at:%d/%m/%Y}" if w.produced_at else ""] for w in waiting],
                            [w.case_id for w in waiting])

    def _open(self) -> None:
        case_id = selected_key(self.view)
        if isinstance(case_id, int) and self.open_case is not None:
            self.open_case(case_id)

    def print_due(self) -> None:
        try:
            result = produce_due_acknowledgements(self.ctx, due_by=None)
            self.batch = [info.id for info in result.produced]
            pdfs = [letter_service.letter_pdf(self.ctx, letter_id) for letter_id in self.batch]
            # Logged before the printer has them: no copy leaves without its entry in the log.
            for letter_id in self.batch:
                letter_service.record_disclosure(self.ctx, letter_id, "print (batch of acknowledgements)")
        except ServiceError as exc:
            self.dialogs.error("Acknowledgements not printed", describe(exc))
            return
        if pdfs:
            if self.print_hook is not None:
                self.print_hook(pdfs)
            else:
                printer = QPrinter(QPrinter.PrinterMode.HighResolution)
                if QPrintDialog(printer, self).exec() == QDialog.DialogCode.Accepted:
                    for pdf in pdfs:
                        print_pdf(pdf, printer)
        text = f"{len(pdfs)} acknowledgement(s) produced and sent to the printer."
        if result.refused:
            text += "\n\nNot produced:\n" + "\n".join(f"{ref}: {why}" for ref, why in result.refused)
        self.dialogs.info("Acknowledgements", text)
        self.sent_button.setEnabled(bool(self.batch))
        self.refresh()

    def record_batch_sent(self, values: dict | None = None) -> None:
        """When the post has gone: one date for the whole batch, and each clock stops on it."""
        def record(v: dict) -> object:
            for letter_id in self.batch:
                letter_service.record_sent(self.ctx, letter_id, v["sent_on"], v["method"])
            return None
        dialog = StepDialog("Record the batch as sent", f"{len(self.batch)} letter(s).", [
            StepField("sent_on", "Date sent", "date", default=self.ctx.today()),
            StepField("method", "Sent by", "choice", [("post", "Post"), ("email", "Email"), ("hand", "By hand")])],
            record, self)
        if values is not None:
            for key, value in values.items():
                dialog.set_value(key, value)
            dialog.submit()
        elif not dialog.exec():
            return
        if dialog.result() == QDialog.DialogCode.Accepted:
            self.batch = []
            self.sent_button.setEnabled(False)
            self.refresh()
