"""The Reports page: the figures shown with their definitions, exports, the register import, accessible names."""
from __future__ import annotations

import io
from datetime import date

from pypdf import PdfReader
from PySide6.QtSvgWidgets import QSvgWidget
from PySide6.QtWidgets import QAbstractButton, QLabel, QLineEdit, QPlainTextEdit, QTableView

from app.services.reports.register_import import import_register
from tests.db.test_register_import import HAND_COUNT, VALID, _write
from ui.views.reports import ReportsPage

START, END = date(2025, 4, 1), date(2026, 3, 31)


def _page(qtbot, ctx, dialogs) -> ReportsPage:
    page = ReportsPage(ctx, dialogs)
    qtbot.addWidget(page)
    page.resize(1300, 900)
    return page


def test_the_figures_and_their_definitions_are_shown(qtbot, ctx, dialogs, tmp_path, settle):
    import_register(ctx, _write(tmp_path, VALID))
    page = _page(qtbot, ctx, dialogs)
    assert page.from_edit.text() == "01/04/2026" and page.to_edit.text() == "31/03/2027"  # financial year
    page.previous_year()
    assert (page.from_edit.text(), page.to_edit.text()) == ("01/04/2025", "31/03/2026")
    assert page.message.text() == "Loading the figures…"  # read off the UI thread
    settle()
    assert page.message.text() == "" and page.summary is not None
    numbers = [int(card.number.text()) for card in page.cards]
    assert numbers == list(HAND_COUNT.values())
    assert "whatever became of them later" in page.cards[0].definition.text()
    assert page.cards[1].beside.text() == "of which 1 overturned on secondary review"
    assert page.cards[0].accessibleName() == "Applications received: 5"
    comparison = page.tables["comparison"][1]
    assert comparison.rows[0][:3] == ["Applications received", "5", "3"]  # 3 received in 2024-25
    assert page.charts["months"].renderer().isValid()
    assert "Telephone: 3; Post: 1; Online form: 1" in page.charts["channels"].accessibleDescription()


def test_a_wrong_date_is_explained_and_nothing_changes(qtbot, ctx, dialogs, settle):
    page = _page(qtbot, ctx, dialogs)
    page.refresh()
    settle()
    shown = page.summary
    page.previous_year()  # asked for, then a mistake typed before the figures came
    page.to_edit.setText("31/02/2026")
    page.refresh()
    settle()
    assert "To:" in page.message.text() and "not a date" in page.message.text()  # not hidden by the answer
    assert page.summary is shown


def test_export_pdf_holds_the_figures_and_the_edited_findings(qtbot, ctx, dialogs, tmp_path, settle):
    import_register(ctx, _write(tmp_path, VALID))
    page = _page(qtbot, ctx, dialogs)
    page.set_period(START, END)
    assert page.export_pdf() is None and "still being read" in page.message.text()
    settle()
    page.findings.setPlainText("• Agencies to share logs every week")
    dialogs.files = [tmp_path / "summary"]  # no suffix typed: .pdf is added
    written = page.export_pdf()
    assert written == tmp_path / "summary.pdf"
    settle()  # rendered and written off the UI thread
    assert page.message.text() == f"Exported the PDF to {written}."
    text = " ".join(" ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(written.read_bytes())).pages)
    for phrase in ("1 April 2025 to 31 March 2026", "Applications received", "Case reviews that resulted in "
                   "recommendations", "Agencies to share logs every week", "of which 1 overturned"):
        assert phrase in text
    dialogs.files = [tmp_path / "figures.csv"]
    csv_path = page.export_csv()
    settle()
    assert "statutory,applications_received,5,3" in csv_path.read_text(encoding="utf-8")


def test_import_register_shows_the_count_or_the_problems(qtbot, ctx, dialogs, tmp_path, tasks, settle):
    page = _page(qtbot, ctx, dialogs)
    page.show()
    page.set_period(START, END)
    settle()
    assert int(page.cards[0].number.text()) == 0
    changed = []
    tasks.changed.connect(changed.append)
    tasks.changed.connect(page.apply_changes)  # as the main window routes every operation's changes
    dialogs.files = [_write(tmp_path, [VALID[0], "X9,01/04/2025,pigeon,Ann Lee,,,,,,,,,"], name="bad.csv")]
    page.import_register_file()
    settle()
    kind, title, text = dialogs.shown[-1]
    assert kind == "error" and "Nothing imported" in text and "Row 3, column channel" in text
    assert changed == []
    dialogs.files = [_write(tmp_path, VALID)]
    page.import_register_file()
    settle()
    tasks.changed.disconnect(page.apply_changes)
    assert dialogs.shown[-1][:2] == ("info", "Register imported") and "8 case(s) imported" in dialogs.shown[-1][2]
    assert len(changed) == 1 and len(changed[0].created) == 8  # the case list and letters learn of them
    assert int(page.cards[0].number.text()) == 5


def test_every_control_has_an_accessible_name(qtbot, ctx, dialogs, settle):
    page = _page(qtbot, ctx, dialogs)
    page.refresh()
    settle()
    controls = [w for kind in (QLineEdit, QAbstractButton, QPlainTextEdit, QTableView, QSvgWidget)
                for w in page.findChildren(kind)]
    assert len(controls) > 12
    unnamed = [type(w).__name__ for w in controls if not w.accessibleName() and w.isVisibleTo(page)]
    assert unnamed == []
    buddies = {label.buddy() for label in page.findChildren(QLabel) if label.buddy() is not None}
    assert {page.from_edit, page.to_edit, page.findings} <= buddies
    assert page.from_edit.accessibleName() == "From" and page.findings.accessibleName() == "Key findings"


def test_the_page_loads_when_first_shown(qtbot, ctx, dialogs):
    page = _page(qtbot, ctx, dialogs)
    assert page.summary is None
    page.show()
    qtbot.waitUntil(lambda: page.summary is not None)


def test_the_published_table_and_recording_a_publication(qtbot, ctx, dialogs, tmp_path, tasks, settle):
    import_register(ctx, _write(tmp_path, VALID))
    page = _page(qtbot, ctx, dialogs)
    page.show()
    settle()
    bar = page.publication
    assert bar.reminder.text().startswith("⚠")  # the 2025/26 figures are due and not yet published
    dialogs.files = [tmp_path / "figures.csv"]
    bar.save_table()
    settle()
    assert dialogs.shown[-1][:2] == ("info", "Saved")
    assert (tmp_path / "figures.csv").read_text(encoding="utf-8").startswith("Year,From,To")
    tasks.changed.connect(page.apply_changes)  # as the main window routes every operation's changes

    def fill(dialog) -> None:
        dialog.set_value("published_on", "20/11/2026")
        dialog.submit()

    dialogs.forms.append(fill)
    bar.record()
    settle()
    tasks.changed.disconnect(page.apply_changes)
    assert dialogs.ran and dialogs.ran[-1].windowTitle() == "Record the figures as published"
    assert bar.reminder.text().startswith("✔") and "20 November 2026" in bar.reminder.text()


def test_recording_a_publication_in_the_future_keeps_the_dialog_open(qtbot, ctx, dialogs, settle):
    page = _page(qtbot, ctx, dialogs)
    page.show()
    settle()
    seen = {}

    def fill(dialog) -> None:
        dialog.set_value("published_on", "01/01/2027")
        dialog.submit()
        seen["dialog"] = dialog

    dialogs.forms.append(fill)
    page.publication.record()
    settle()
    assert "future" in seen["dialog"].errors["published_on"].text()
    assert page.publication.reminder.text().startswith("⚠")


def test_the_figures_follow_operations_when_shown(qtbot, ctx, dialogs, tmp_path, settle):
    from app.services.common.ops import Changes, Part
    page = _page(qtbot, ctx, dialogs)
    page.show()
    page.set_period(START, END)
    settle()
    assert int(page.cards[0].number.text()) == 0
    page.apply_changes(Changes.of(Part.AGENCIES))  # nothing the figures count: not read again
    assert page.message.text() == ""
    report = import_register(ctx, _write(tmp_path, VALID))
    page.hide()
    page.apply_changes(report.changes)  # hidden: read when next shown, not now
    assert page.message.text() == "" and int(page.cards[0].number.text()) == 0
    page.from_edit.setText("01/04/20")  # half-typed: the period shown is read again, not this
    page.show()
    settle()
    assert int(page.cards[0].number.text()) == 5
    assert page.period_label.text().startswith("Period: 01/04/2025 to 31/03/2026")
