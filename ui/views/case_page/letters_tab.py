"""Case page: the letters kept with the case; write one, preview the stored PDF, print, approve, send."""
from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QVBoxLayout, QWidget

from app.domain.dates import uk, uk_time
from app.domain.roles import Role
from app.services.letters import case_letters as letter_service
from app.services.agencies.directory import AgencyDirectory, list_agencies
from app.services.cases.case_page import CaseDetail
from app.services.common.errors import ServiceError, describe
from ui.pdf_view import PdfPagesView, print_pdf
from ui.views.case_page.common import button, button_row, heading, selected_key, table
from ui.screen import fit_to_screen
from ui.views.case_page.letter_edit_dialog import LetterEditDialog
from ui.views.case_page.step_dialog import StepField

if TYPE_CHECKING:
    from ui.views.case_page.page import CasePage

SENT_METHODS = [("post", "Post"), ("email", "Email"), ("hand", "By hand")]


class LettersTab(QWidget):
    def __init__(self, page: CasePage, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.page = page
        self.detail: CaseDetail | None = None
        self.print_hook: Callable[[bytes], int] | None = None  # tests print to a file instead
        self.edit_hook: Callable[[LetterEditDialog], None] | None = None  # tests change the text and accept
        layout = QVBoxLayout(self)
        layout.addWidget(heading("Letters"))
        self.view, self.model = table(["Letter", "To", "Produced", "Approved by", "Sent", "How"], "Letters")
        self.view.doubleClicked.connect(lambda *_: self.preview())
        layout.addWidget(self.view, 1)
        layout.addWidget(button_row(
            button("W&rite a letter…", self.write, "Write a letter"),
            button("&Preview", self.preview, "Preview the letter"),
            button("&Save as PDF…", self.save_pdf, "Save the letter as PDF"),
            button("Pr&int…", self.print_letter, "Print the letter"),
            button("&Approve", self.approve, "Approve the letter"),
            button("Record as se&nt…", self.record_sent, "Record the letter as sent")))
        layout.addWidget(heading("Everything that happened (from the audit log)"))
        self.timeline, self.timeline_model = table(["When", "Who", "What", "Fields", "Detail"], "Timeline")
        layout.addWidget(self.timeline, 2)

    def show_case(self, d: CaseDetail) -> None:
        self.detail = d
        self.model.set_rows([[lt.template.replace("-", " ").capitalize(), lt.recipient,
                              "queued to produce" if lt.queued else f"{lt.produced_at:%d/%m/%Y}",
                              lt.approver_name or lt.approved_by or "", uk(lt.sent_on), lt.sent_method or ""]
                             for lt in d.letters], [lt.id for lt in d.letters])
        self.timeline_model.set_rows([[uk_time(t.at), t.actor, t.action, t.fields or "", t.reason or ""]
                                      for t in d.timeline])

    def _selected(self) -> int | None:
        key = selected_key(self.view)
        if not isinstance(key, int) and len(self.model.keys) == 1:
            key = self.model.keys[0]  # the only letter listed needs no choosing
        if not isinstance(key, int):
            self.page.dialogs.info("Choose a letter", "Select a letter in the list first.")
            return None
        return key

    def write(self, template: str | None = None) -> None:
        """Choose the letter (and what only the officer knows), read and change its text, then produce it."""
        ctx = self.page.ctx
        fits = letter_service.available_templates(ctx, self.page.case_id)
        usable = [(f.name, f"{f.label} (to the {f.to})") for f in fits if f.available]
        unavailable = "; ".join(f"{f.label}: {f.reason}" for f in fits if not f.available)
        if not usable:
            self.page.dialogs.info("No letter fits yet", unavailable)
            return
        directory = list_agencies(ctx)
        agencies = [("", "— not an agency letter —")] + [(str(a.id), a.name) for a in directory]
        people = [("", "— the applicant —")]
        d = self.page.detail
        if d is not None and d.victim is not None:
            people.append((d.victim.name, f"{d.victim.name} (the victim)"))
        chosen: dict[str, Any] = {}

        def draft(v: dict[str, Any]) -> object:
            extra = {k: str(v[k]) for k in ("delay_reason", "contact_name", "contact_phone", "contact_email",
                                            "contact_job_title") if v.get(k)}
            if v.get("new_date"):
                extra["new_date"] = v["new_date"].isoformat()
            options: dict[str, Any] = {"agency_id": int(v["agency"]) if v["agency"] else None, "extra_text": extra or None,
                       "recipient": v.get("recipient") or None,
                       "large_print": {"yes": True, "no": False}.get(v.get("large_print") or "")}
            chosen.update(template=v["template"], options=options,
                          draft=letter_service.draft_letter(ctx, self.page.case_id, v["template"], **options))
            return chosen["draft"]
        intro = ("Only the letters that fit the case's state are offered. Next you see the letter's text and can "
                 "change it before it is produced.")
        if unavailable:
            intro += f" Not available now: {unavailable}."
        fields = [StepField("template", "Letter", "choice", usable, default=template),
                  StepField("agency", "Agency (for letters to an agency)", "choice", agencies, required=False,
                            suggest=AgencyDirectory(directory).suggest),
                  StepField("recipient", "To (letters to the applicant or the victim)", "choice", people,
                            required=False),
                  StepField("large_print", "Large print", "choice",
                            [("", "— as the person's needs say —"), ("yes", "Yes"), ("no", "No")], required=False),
                  StepField("delay_reason", "Why the review is delayed (delay letter)", "long", required=False),
                  StepField("new_date", "New date we will write by (delay letter)", "date", required=False),
                  StepField("contact_name", "Contact officer, if not you", required=False),
                  StepField("contact_phone", "Contact officer's phone", required=False),
                  StepField("contact_email", "Contact officer's email", required=False),
                  StepField("contact_job_title", "Contact officer's job title", required=False)]
        if not self.page.run_step("Write a letter", intro, fields, draft):
            return
        dialog = LetterEditDialog(chosen["draft"], self)
        if self.edit_hook is not None:
            self.edit_hook(dialog)
        elif self.page.step_dialog_hook is not None:
            dialog.accept()  # tests that do not look at the text take it as it is
        elif not dialog.exec():
            return
        if dialog.result() != LetterEditDialog.DialogCode.Accepted:
            return
        try:
            info = letter_service.produce_letter(ctx, self.page.case_id, chosen["template"], edits=dialog.edits(),
                                                 **chosen["options"])
        except ServiceError as exc:
            self.page.dialogs.error("The letter was not produced", str(exc))
            return
        self.page.changed()
        self.open_preview(info.id)

    def preview(self) -> None:
        if (letter_id := self._selected()) is not None:
            self.open_preview(letter_id)

    def open_preview(self, letter_id: int) -> LetterPreview | None:
        try:
            pdf = letter_service.letter_pdf(self.page.ctx, letter_id)
        except ServiceError as exc:
            self.page.dialogs.error("Cannot show the letter", str(exc))
            return None
        dialog = LetterPreview(pdf, self)
        if self.page.step_dialog_hook is None:
            dialog.exec()
        return dialog

    def save_pdf(self) -> None:
        if (letter_id := self._selected()) is None:
            return
        path = self.page.dialogs.save_file("Save the letter as PDF", f"{self.page.detail.reference}-letter.pdf"
                                           if self.page.detail else "letter.pdf", "PDF files (*.pdf)")
        if path is None:
            return
        try:
            pdf = letter_service.letter_pdf(self.page.ctx, letter_id)
            # Refused or logged before the file exists: no copy leaves without its entry in the log.
            letter_service.record_disclosure(self.page.ctx, letter_id, f"saved as {path.name}")
            path.write_bytes(pdf)  # exactly the stored bytes: a reprint is the letter as sent
        except (ServiceError, OSError) as exc:
            self.page.dialogs.error("Letter not saved", describe(exc))

    def print_letter(self) -> None:
        if (letter_id := self._selected()) is None:
            return
        try:
            pdf = letter_service.letter_pdf(self.page.ctx, letter_id)
        except ServiceError as exc:  # a read-only user, say: told, not a traceback
            self.page.dialogs.error("Cannot print the letter", describe(exc))
            return
        printer = None
        if self.print_hook is None:
            printer = QPrinter(QPrinter.PrinterMode.HighResolution)
            if QPrintDialog(printer, self).exec() != QDialog.DialogCode.Accepted:
                return
        try:
            letter_service.record_disclosure(self.page.ctx, letter_id, "print")  # logged before it is printed
        except ServiceError as exc:
            self.page.dialogs.error("Cannot print the letter", describe(exc))
            return
        if self.print_hook is not None:
            self.print_hook(pdf)
        elif printer is not None:
            print_pdf(pdf, printer)
        self.page.changed()

    def approve(self) -> None:
        """The chair reads the letter (it opens first), then confirms the approval, which records their name."""
        if (letter_id := self._selected()) is None:
            return
        letter = next((lt for lt in self.detail.letters if lt.id == letter_id), None) if self.detail else None
        if letter is None or letter.template != "findings":
            self.page.dialogs.info("No approval needed", "Only the findings letter is approved, by the panel chair.")
            return
        if self.page.ctx.role != Role.PANEL_CHAIR:
            self.page.dialogs.error("Could not approve the letter", "The findings letter is approved by the panel "
                                    "chair, after reading it. Ask the chair to sign in and approve it.")
            return
        if self.open_preview(letter_id) is None:
            return
        reference = self.detail.reference if self.detail else ""
        if not self.page.dialogs.ask("Approve the findings letter",
                                     f"You have read the findings letter for {reference}. Approve it as the panel "
                                     "chair? Your name is recorded with the letter, and it can then be sent.",
                                     yes="Approve", no="Not yet"):
            return
        self.page.attempt(lambda: letter_service.approve_letter(self.page.ctx, letter_id), "approve the letter")

    def record_sent(self) -> None:
        if (letter_id := self._selected()) is not None:
            self._record_sent(letter_id)

    def _record_sent(self, letter_id: int) -> bool:
        version = self.page.version
        return self.page.run_step(
            "Record the letter as sent", "Clocks stop on the date the letter was sent, not the date it was "
            "produced.", [StepField("sent_on", "Date sent", "date", default=self.page.today()),
                          StepField("method", "Sent by", "choice", SENT_METHODS)],
            lambda v: letter_service.record_sent(self.page.ctx, letter_id, v["sent_on"], v["method"],
                                                 expected_version=version))

    def send_step_letter(self, template: str) -> bool:
        """A step that is done by sending its letter: the produced letter is recorded as sent.

        This is the only way to record those steps, so an outcome is never recorded as sent
        without its (approved) letter.
        """
        d = self.page.detail
        waiting = [lt for lt in (d.letters if d else ()) if lt.template == template and lt.sent_on is None
                   and not lt.queued]
        if not waiting:
            # The step offers its letter: write it now (check it, then record it as sent with this step).
            self.page.tabs.setCurrentWidget(self)
            self.write(template)
            return False
        return self._record_sent(waiting[-1].id)


class LetterPreview(QDialog):
    """The stored PDF itself, page by page."""

    def __init__(self, pdf: bytes, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Letter preview")
        fit_to_screen(self, 900, 1000)  # a laptop screen is shorter than a page: the pages scroll
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("This is the letter exactly as stored with the case."))
        self.pages = PdfPagesView()
        self.page_count = self.pages.show_pdf(pdf)
        layout.addWidget(self.pages, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        buttons.button(QDialogButtonBox.StandardButton.Close).setText("&Close")
        buttons.button(QDialogButtonBox.StandardButton.Close).setAccessibleName("Close")
        layout.addWidget(buttons)
