"""Case page: the letters kept with the case; write one, preview the stored PDF, print, approve, send.

Every button is one operation off the UI thread; the forms go through the dialog service, the
preview is shown by it and the printer is chosen and printed to through it.
"""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import shiboken6
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QVBoxLayout, QWidget

from app.domain.dates import uk, uk_time
from app.domain.roles import Permission, Role
from app.services.agencies.directory import AgencyInfo, list_agencies
from app.services.agencies.matching import AgencyDirectory
from app.services.cases.case_page import CaseDetail
from app.services.common.context import ServiceContext
from app.services.common.errors import Conflict, ServiceError, describe
from app.services.letters import case_letters as letter_service
from app.services.letters.case_letters import Disclosed, LetterDraft, TemplateFit
from ui.screen import fit_to_screen
from ui.views.case_page.common import button, button_row, heading, selected_key, table
from ui.views.case_page.letter_edit_dialog import LetterEditDialog
from ui.views.case_page.step_dialog import StepDialog, StepField

if TYPE_CHECKING:
    from ui.views.case_page.page import CasePage

SENT_METHODS = [("post", "Post"), ("email", "Email"), ("hand", "By hand")]


def _letter_choices(ctx: ServiceContext, case_id: int) -> tuple[list[TemplateFit], list[AgencyInfo]]:
    """On the worker: what the form to write a letter offers."""
    return letter_service.available_templates(ctx, case_id), list_agencies(ctx)


def _letter_pages(ctx: ServiceContext, letter_id: int) -> list[QImage]:
    """On the worker: the stored PDF (the reading is logged) rendered page by page."""
    from ui.pdf_view import pdf_images  # PDFium is loaded when a letter is first shown
    return pdf_images(letter_service.letter_pdf(ctx, letter_id))


def _save_copy(ctx: ServiceContext, letter_id: int, path: Path) -> Disclosed:
    """On the worker: logged before the file exists, so no copy leaves without its entry in the log;
    exactly the stored bytes, so a reprint is the letter as sent."""
    disclosed = letter_service.record_disclosure(ctx, letter_id, f"saved as {path.name}")
    path.write_bytes(disclosed.pdf)
    return disclosed


class LettersTab(QWidget):
    def __init__(self, page: CasePage, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.page = page
        self.detail: CaseDetail | None = None
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
        page = self.page
        page.read(_letter_choices, page.ctx, page.case_id, then=lambda found: self._write(template, *found),
                  what="read the letters that fit")

    def _write(self, template: str | None, fits: list[TemplateFit], directory: list[AgencyInfo]) -> None:
        page = self.page
        ctx, case_id = page.ctx, page.case_id
        usable = [(f.name, f"{f.label} (to the {f.to})") for f in fits if f.available]
        unavailable = "; ".join(f"{f.label}: {f.reason}" for f in fits if not f.available)
        if not usable:
            page.dialogs.info("No letter fits yet", unavailable)
            return
        agencies = [("", "— not an agency letter —")] + [(str(a.id), a.name) for a in directory]
        people = [("", "— the applicant —")]
        d = page.detail
        if d is not None and d.victim is not None:
            people.append((d.victim.name, f"{d.victim.name} (the victim)"))
        chosen: dict[str, Any] = {}  # filled on the worker, read here once the form has closed

        def draft(v: dict[str, Any]) -> object:
            extra = {k: str(v[k]) for k in ("delay_reason", "contact_name", "contact_phone", "contact_email",
                                            "contact_job_title") if v.get(k)}
            if v.get("new_date"):
                extra["new_date"] = v["new_date"].isoformat()
            options: dict[str, Any] = {"agency_id": int(v["agency"]) if v["agency"] else None,
                                       "extra_text": extra or None, "recipient": v.get("recipient") or None,
                                       "large_print": {"yes": True, "no": False}.get(v.get("large_print") or "")}
            chosen.update(template=v["template"], options=options)
            return letter_service.draft_letter(ctx, case_id, v["template"], **options)
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
        form = StepDialog("Write a letter", intro, fields, draft, page)
        if not page.dialogs.run(form) or not isinstance(form.result_value, LetterDraft) or not shiboken6.isValid(page):
            return
        edit = LetterEditDialog(form.result_value, page)
        if not page.dialogs.run(edit) or not shiboken6.isValid(page):
            return

        def refused(exc: BaseException) -> bool:
            if isinstance(exc, ServiceError) and not isinstance(exc, Conflict):
                page.dialogs.error("The letter was not produced", describe(exc))
                return True
            return False
        page.run_op(letter_service.produce_letter, ctx, case_id, chosen["template"], edits=edit.edits(),
                    **chosen["options"], what="produce the letter", on_error=refused,
                    on_done=lambda info: self.open_preview(info.id))

    def preview(self) -> None:
        if (letter_id := self._selected()) is not None:
            self.open_preview(letter_id)

    def open_preview(self, letter_id: int, then: Callable[[], None] | None = None) -> None:
        """The stored PDF, read and rendered on the worker, shown by the dialog service; `then()` after."""
        def shown(images: list[QImage]) -> None:
            self.page.dialogs.show(LetterPreview(images, self.page))
            if then is not None:
                then()

        def cannot(exc: BaseException) -> bool:
            if isinstance(exc, ServiceError):
                self.page.dialogs.error("Cannot show the letter", describe(exc))
                return True
            return False
        self.page.run_op(_letter_pages, self.page.ctx, letter_id, what="open the letter", on_done=shown,
                         on_error=cannot)

    def save_pdf(self) -> None:
        if (letter_id := self._selected()) is None:
            return
        path = self.page.dialogs.save_file("Save the letter as PDF", f"{self.page.detail.reference}-letter.pdf"
                                           if self.page.detail else "letter.pdf", "PDF files (*.pdf)")
        if path is None:
            return

        def failed(exc: BaseException) -> bool:
            if isinstance(exc, (ServiceError, OSError)):
                self.page.dialogs.error("Letter not saved", describe(exc))
                return True
            return False
        self.page.run_op(_save_copy, self.page.ctx, letter_id, path, what="save the letter as PDF",
                         on_error=failed)

    def print_letter(self) -> None:
        """Choose the printer, log the disclosure (one operation), then print exactly the stored bytes."""
        if (letter_id := self._selected()) is None:
            return
        ctx, dialogs = self.page.ctx, self.page.dialogs
        try:
            ctx.require(Permission.EXPORT)  # a read-only user is told before choosing a printer
        except ServiceError as exc:
            dialogs.error("Cannot print the letter", describe(exc))
            return
        printer = dialogs.choose_printer(self.page)
        if printer is None:
            return

        def not_printed(exc: BaseException) -> bool:
            if isinstance(exc, (OSError, RuntimeError)):
                dialogs.error("The letter was not printed", describe(exc))
                return True
            return False

        def send(disclosed: Disclosed) -> None:
            # Rendered at the printer's resolution and painted on it on a worker (Qt allows it off the
            # UI thread): a long letter takes a moment, and the window goes on answering meanwhile.
            self.page.tasks.query(dialogs.print_pdf, disclosed.pdf, printer, on_done=lambda _pages: None,
                                  on_error=not_printed, owner=self.page, what="send the letter to the printer")

        def refused(exc: BaseException) -> bool:
            if isinstance(exc, ServiceError) and not isinstance(exc, Conflict):
                dialogs.error("Cannot print the letter", describe(exc))
                return True
            return False
        self.page.run_op(letter_service.record_disclosure, ctx, letter_id, "print", what="print the letter",
                         on_done=send, on_error=refused)

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
        ctx = self.page.ctx
        reference = self.detail.reference if self.detail else ""

        def read() -> None:
            if self.page.dialogs.ask("Approve the findings letter",
                                     f"You have read the findings letter for {reference}. Approve it as the panel "
                                     "chair? Your name is recorded with the letter, and it can then be sent.",
                                     yes="Approve", no="Not yet"):
                self.page.run_op(letter_service.approve_letter, ctx, letter_id, what="approve the letter")
        self.open_preview(letter_id, then=read)

    def record_sent(self) -> None:
        if (letter_id := self._selected()) is not None:
            self._record_sent(letter_id)

    def _record_sent(self, letter_id: int) -> bool:
        ctx, version = self.page.ctx, self.page.version  # the case as the officer saw it
        return self.page.run_step(
            "Record the letter as sent", "Clocks stop on the date the letter was sent, not the date it was "
            "produced.", [StepField("sent_on", "Date sent", "date", default=self.page.today()),
                          StepField("method", "Sent by", "choice", SENT_METHODS)],
            lambda v: letter_service.record_sent(ctx, letter_id, v["sent_on"], v["method"],
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
            self.page.show_tab("timeline")
            self.write(template)
            return False
        return self._record_sent(waiting[-1].id)


class LetterPreview(QDialog):
    """The stored PDF itself, page by page (rendered on the worker)."""

    def __init__(self, images: list[QImage], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        from ui.pdf_view import PdfPagesView
        self.setWindowTitle("Letter preview")
        fit_to_screen(self, 900, 1000)  # a laptop screen is shorter than a page: the pages scroll
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("This is the letter exactly as stored with the case."))
        self.pages = PdfPagesView()
        self.page_count = self.pages.show_images(images)
        layout.addWidget(self.pages, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        buttons.button(QDialogButtonBox.StandardButton.Close).setText("&Close")
        buttons.button(QDialogButtonBox.StandardButton.Close).setAccessibleName("Close")
        layout.addWidget(buttons)
