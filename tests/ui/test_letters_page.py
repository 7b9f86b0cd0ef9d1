"""The Letters section: acknowledgements due, printed in one go, then recorded as sent together."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select

from app.db.models import AuditEntry
from app.services.cases.case_page import load_case
from app.services.intake.applications import create_application
from app.services.intake.support import queue_letter
from app.services.trust.users import save_user
from tests.db.helpers import application
from tests.db.letter_cases import ready


def _two_due(ctx):
    save_user(ctx, "officer.one", display_name="Jo Smith", role="administrator")
    ready(ctx)  # the council's details, the officer's name and job title
    first = create_application(ctx, application("2026-11-20"))
    second = create_application(ctx, application("2026-11-23"))
    queue_letter(ctx, second.id, "acknowledgement")  # "Save and acknowledge" put this one on the list
    return first, second


def _states(page) -> list[str]:
    return [row[3] for row in page.model.rows]


def test_print_all_acknowledgements_due_then_record_the_batch_sent(window, ctx, dialogs, settle):
    first, second = _two_due(ctx)
    window.show_section(3)
    page = window.letters_page
    settle()
    assert _states(page) == ["Due: not produced yet", "On the list to produce"]
    page.print_due()
    settle()
    assert len(dialogs.printed) == 2 and all(pdf.startswith(b"%PDF") for pdf in dialogs.printed)
    assert dialogs.shown[-1][:2] == ("info", "Acknowledgements") and "2 acknowledgement(s)" in dialogs.shown[-1][2]
    assert _states(page) == ["Produced, not sent", "Produced, not sent"]
    with ctx.unit_of_work() as s:  # each copy logged as printed before it went to the printer
        printed = s.scalars(select(AuditEntry).where(AuditEntry.action == "print")).all()
        assert len(printed) == 2 and all("batch of acknowledgements" in e.reason for e in printed)
    assert page.sent_button.isEnabled()

    def fill(dialog) -> None:
        dialog.set_value("sent_on", "25/11/2026")
        dialog.set_value("method", "post")
        dialog.submit()

    dialogs.forms.append(fill)
    page.record_batch_sent()
    settle()
    assert page.model.rows == []
    assert not page.sent_button.isEnabled()
    for created in (first, second):
        case = load_case(ctx, created.id)
        assert case.acknowledged_on == date(2026, 11, 25) and case.status == "acknowledged"


def test_cancelling_the_printer_produces_nothing(window, ctx, dialogs, settle):
    _two_due(ctx)
    window.show_section(3)
    page = window.letters_page
    settle()
    dialogs.printer_cancelled = True
    page.print_due()
    settle()
    assert dialogs.printed == []
    assert _states(page) == ["Due: not produced yet", "On the list to produce"]
    assert not page.sent_button.isEnabled()


def test_a_refused_date_keeps_the_dialog_open_and_records_none_of_the_batch(window, ctx, dialogs, settle):
    first, second = _two_due(ctx)
    window.show_section(3)
    page = window.letters_page
    settle()
    page.print_due()
    settle()
    seen = {}

    def fill(dialog) -> None:
        dialog.set_value("sent_on", "26/12/2026")  # a month ahead of today (25/11/2026)
        dialog.set_value("method", "post")
        dialog.submit()
        seen["dialog"] = dialog

    dialogs.forms.append(fill)
    page.record_batch_sent()
    settle()
    error = seen["dialog"].errors["sent_on"]
    assert "future" in error.text()
    assert _states(page) == ["Produced, not sent", "Produced, not sent"]
    assert page.sent_button.isEnabled()  # the batch is still there to record
    for created in (first, second):
        assert load_case(ctx, created.id).acknowledged_on is None


def test_nothing_waiting_says_so_without_asking_for_a_printer(window, ctx, dialogs, settle):
    window.show_section(3)
    page = window.letters_page
    settle()
    dialogs.printer_cancelled = True  # would show as nothing printed; the message comes first
    page.print_due()
    settle()
    assert dialogs.shown[-1] == ("info", "Acknowledgements", "No acknowledgement is waiting to be produced.")


def test_the_list_follows_letters_produced_elsewhere(window, ctx, settle):
    from app.services.common.ops import Changes, Part
    window.show_section(3)
    page = window.letters_page
    settle()
    assert page.model.rows == []
    made = create_application(ctx, application("2026-11-20"))  # saved in a form: its acknowledgement is due
    page.apply_changes(Changes.new_cases([made.id]))
    settle()
    assert _states(page) == ["Due: not produced yet"]
    page.apply_changes(Changes.of(Part.AGENCIES))  # nothing the page shows: not read again
    assert not page.state.isVisible()


def test_the_batch_is_printed_off_the_ui_thread(window, ctx, dialogs, settle, monkeypatch):
    import threading
    _two_due(ctx)
    window.show_section(3)
    page = window.letters_page
    settle()
    threads: list[str] = []
    sent_to_printer = dialogs.print_pdf

    def noting_the_thread(pdf: bytes, printer: object) -> int:
        threads.append(threading.current_thread().name)
        return sent_to_printer(pdf, printer)

    monkeypatch.setattr(dialogs, "print_pdf", noting_the_thread)
    page.print_due()
    settle()
    assert len(threads) == 2 and threading.main_thread().name not in threads
    assert "2 acknowledgement(s) produced and sent to the printer" in dialogs.shown[-1][2]


class _Printer:
    """Stands for the dialog service's printing: stops the run after `cancel_after`, fails on b"bad"."""

    def __init__(self, progress, cancel_after: int = 0) -> None:
        self.progress, self.cancel_after, self.pages = progress, cancel_after, []

    def print_pdf(self, pdf: bytes, _printer: object) -> int:
        if pdf == b"bad":
            raise OSError("paper jam")
        self.pages.append(pdf)
        if len(self.pages) == self.cancel_after:
            self.progress.cancel()  # the officer presses Cancel while this letter prints
        return 1


def test_cancelling_the_printing_stops_before_the_next_letter_and_says_how_many_did_not_go():
    from app.services.common.ops import Progress
    from ui.views.letters_page import PrintRun, send_to_printer
    progress = Progress()
    printer = _Printer(progress, cancel_after=2)
    run = send_to_printer(printer, (b"1", b"2", b"3", b"4"), object(), progress=progress)  # type: ignore[arg-type]
    assert run == PrintRun(sent=2, failed=0, not_sent=2) and printer.pages == [b"1", b"2"]


def test_a_letter_the_printer_refuses_is_counted_and_the_rest_still_go():
    from app.services.common.ops import Progress
    from ui.views.letters_page import PrintRun, send_to_printer
    progress = Progress()
    printer = _Printer(progress)
    run = send_to_printer(printer, (b"1", b"bad", b"3"), object(), progress=progress)  # type: ignore[arg-type]
    assert run == PrintRun(sent=2, failed=1, not_sent=0) and printer.pages == [b"1", b"3"]
