"""The Letters section: everything waiting to go out, and the acknowledgements due printed in one go.

Every read and change runs off the UI thread (`ui.tasks`). The batch: the printer is chosen first
(cancelling it produces nothing), the acknowledgements are produced (with a progress bar where the
service reports progress), each copy is logged as printed, and only then do the pages go to the
printer; recording the batch as sent is one operation for the whole batch.
"""
from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from app.domain.dates import uk
from app.domain.roles import Permission
from app.services.common.context import ServiceContext
from app.services.common.ops import Changes, Part, Progress
from app.services.letters.batch_print import PrintedBatch, record_batch_sent, record_printed
from app.services.letters.queue import WaitingLetter, letters_to_send, produce_due_acknowledgements
from ui.dialogs import DialogService
from ui.tasks import Tasks, refresh_needed
from ui.views.case_page.common import button, button_row, heading, selected_key, table
from ui.views.case_page.step_dialog import StepDialog, StepField
from ui.style import look

STATES = {"due": "Due: not produced yet", "queued": "On the list to produce", "produced": "Produced, not sent",
          "approved": "Approved, not sent"}
_WAITING_ACKNOWLEDGEMENT = ("due", "queued")


@dataclass(frozen=True)
class PrintRun:
    sent: int
    failed: int
    not_sent: int


def send_to_printer(dialogs: DialogService, pdfs: tuple[bytes, ...], printer: object, *,
                    progress: Progress) -> PrintRun:
    """On a worker: each letter to the printer in turn; a Cancel stops before the next one."""
    sent = failed = 0
    progress.start(len(pdfs), "Sending the acknowledgements to the printer…")
    for n, pdf in enumerate(pdfs):
        if progress.cancelled:
            return PrintRun(sent, failed, len(pdfs) - n)
        try:
            dialogs.print_pdf(pdf, printer)
            sent += 1
        except (OSError, RuntimeError):
            failed += 1  # said in the summary: the letters are produced and can be reprinted
        progress.step(n + 1)
    return PrintRun(sent, failed, 0)


def _reports_progress(fn: Callable[..., Any]) -> bool:
    """Whether a batch service takes `progress=` (then it runs with a progress bar and Cancel)."""
    try:
        return "progress" in inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return False


class LettersPage(QWidget):
    def __init__(self, ctx: ServiceContext, dialogs: DialogService, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx, self.dialogs = ctx, dialogs
        self.tasks = Tasks.instance()
        self.setAccessibleName("Letters")
        self.open_case: Callable[[int], object] | None = None
        layout = QVBoxLayout(self)
        layout.addWidget(heading("Letters waiting to go out"))
        layout.addWidget(QLabel("Acknowledgements due, letters on a case's list to produce, and letters "
                                "produced but not yet recorded as sent. Clocks stop on the date sent."))
        self.view, self.model = table(["Case", "Applicant", "Letter", "State", "Due", "Produced"], "Letters waiting")
        self.view.doubleClicked.connect(lambda *_: self._open())
        layout.addWidget(self.view, 1)
        self.state = QLabel()
        self.state.setAccessibleName("Letters state")
        look(self.state, "hint")
        self.state.hide()
        layout.addWidget(self.state)
        self.batch_button = button("Produce and &print every acknowledgement waiting…", self.print_due,
                                   "Produce and print every acknowledgement waiting")
        self.sent_button = button("Record the printed batch as &sent…", self.record_batch_sent,
                                  "Record the printed batch as sent")
        layout.addWidget(button_row(self.batch_button, self.sent_button,
                                    button("&Open the case", self._open, "Open the case")))
        self.batch: list[int] = []
        self.waiting: list[WaitingLetter] = []
        self._loaded = False
        self._working = ""
        self._reading = False
        self._enable()

    # reading ------------------------------------------------------------------------------------------
    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt API
        super().showEvent(event)
        if not self._loaded:
            self.refresh()

    def refresh(self) -> None:
        """Read the letters waiting again (F5, and after an operation that changed letters)."""
        self._loaded = True
        self._reading = True
        self._show_state()
        self.tasks.query(letters_to_send, self.ctx, on_done=self._show_rows, on_error=self._read_failed,
                         owner=self, what="read the letters waiting", key=f"letters-waiting-{id(self)}")

    def apply_changes(self, changes: Changes) -> None:
        """Letters produced, sent or queued anywhere, and new cases (their acknowledgements are due)."""
        if self._loaded and (refresh_needed(changes, None, Part.LETTERS) or changes.created or changes.removed):
            self.refresh()

    def _show_rows(self, waiting: list[WaitingLetter]) -> None:
        self._reading = False
        self.waiting = waiting
        self.model.set_rows([[w.reference, w.applicant, w.template.replace("-", " ").capitalize(), STATES[w.state],
                              uk(w.due_on), f"{w.produced_at:%d/%m/%Y}" if w.produced_at else ""] for w in waiting],
                            [w.case_id for w in waiting])
        self._show_state()

    def _read_failed(self, exc: BaseException) -> bool:
        self._reading = False
        self._show_state()
        return False  # the runner says it in words through this page's dialogs

    def show_working(self, text: str) -> None:
        """Called by the task runner while this page's operations wait ("" once they are done)."""
        self._working = text
        self._enable()
        self._show_state()

    def _show_state(self) -> None:
        text = self._working or ("Loading…" if self._reading else "")
        self.state.setText(text)
        self.state.setVisible(bool(text))

    def _enable(self) -> None:
        idle = not self._working
        self.batch_button.setEnabled(idle and self.ctx.may(Permission.CHANGE_CASES))
        self.sent_button.setEnabled(idle and bool(self.batch))

    def _open(self) -> None:
        case_id = selected_key(self.view)
        if isinstance(case_id, int) and self.open_case is not None:
            self.open_case(case_id)

    # the printed batch --------------------------------------------------------------------------------
    def print_due(self) -> None:
        """Choose the printer, produce every acknowledgement waiting, log the copies, then print them."""
        if self._loaded and not self._reading and not any(
                w.template == "acknowledgement" and w.state in _WAITING_ACKNOWLEDGEMENT for w in self.waiting):
            self.dialogs.info("Acknowledgements", "No acknowledgement is waiting to be produced.")
            return
        printer = self.dialogs.choose_printer(self)
        if printer is None:
            return  # cancelled before anything was produced

        def produced(result: Any) -> None:
            self._produced(result, printer)

        if _reports_progress(produce_due_acknowledgements):
            self.tasks.long(produce_due_acknowledgements, self.ctx, due_by=None, title="Produce the acknowledgements",
                            label="Producing the acknowledgements waiting…", on_done=produced, owner=self)
        else:
            self.tasks.op(produce_due_acknowledgements, self.ctx, due_by=None, on_done=produced, owner=self,
                          what="produce the acknowledgements", busy=[self.batch_button])

    def _produced(self, result: Any, printer: object) -> None:
        self.batch = [info.id for info in result.produced]
        refused: list[tuple[str, str]] = list(getattr(result, "refused", ()))
        not_started = list(getattr(result, "not_started", ()))  # cancelled part-way: those were left alone
        if not self.batch:
            self._summary(0, refused, not_started)
            self.refresh()
            return

        def printed(batch: PrintedBatch) -> None:
            # Rendering each stored PDF at the printer's resolution takes a moment a letter: on a worker,
            # with progress and a Cancel that stops before the next letter (Qt paints on a printer from
            # any thread).
            self.tasks.long(send_to_printer, self.dialogs, batch.pdfs, printer, title="Printing",
                            label="Sending the acknowledgements to the printer…", change=False, owner=self,
                            on_done=lambda run: self._printed(run, refused, not_started))

        # Logged before the printer has them: no copy leaves without its entry in the log.
        self.tasks.op(record_printed, self.ctx, list(self.batch), "print (batch of acknowledgements)",
                      on_done=printed, owner=self, what="log the acknowledgements as printed")
        self._enable()
        self.refresh()

    def _printed(self, run: PrintRun, refused: list[tuple[str, str]], not_started: list[Any]) -> None:
        self._summary(run.sent, refused, not_started, run.failed, run.not_sent)
        self._enable()

    def _summary(self, printed: int, refused: list[tuple[str, str]], not_started: list[Any],
                 failed: int = 0, not_sent: int = 0) -> None:
        text = f"{printed} acknowledgement(s) produced and sent to the printer."
        if failed:
            text += f"\n\n{failed} could not be printed: reprint them from their cases."
        if not_sent:
            text += (f"\n\nPrinting was stopped before {not_sent} more: they are produced, so print them "
                     "from their cases.")
        if refused:
            text += "\n\nNot produced:\n" + "\n".join(f"{ref}: {why}" for ref, why in refused)
        if not_started:
            text += f"\n\nStopped before {len(not_started)} more: they are still waiting."
        self.dialogs.info("Acknowledgements", text)

    def record_batch_sent(self) -> None:
        """When the post has gone: one date for the whole batch, and each clock stops on it."""
        batch = list(self.batch)
        dialog = StepDialog("Record the batch as sent", f"{len(batch)} letter(s).", [
            StepField("sent_on", "Date sent", "date", default=self.ctx.today()),
            StepField("method", "Sent by", "choice", [("post", "Post"), ("email", "Email"), ("hand", "By hand")])],
            lambda v: record_batch_sent(self.ctx, batch, v["sent_on"], v["method"]), self)
        if self.dialogs.run(dialog):
            # The letters list follows from the operation's changes (apply_changes).
            self.batch = []
            self._enable()
