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


def test_the_figures_and_their_definitions_are_shown(qtbot, ctx, dialogs, tmp_path):
    import_register(ctx, _write(tmp_path, VALID))
    page = _page(qtbot, ctx, dialogs)
    assert page.from_edit.text() == "01/04/2026" and page.to_edit.text() == "31/03/2027"  # financial year
    page.previous_year()
    assert (page.from_edit.text(), page.to_edit.text()) == ("01/04/2025", "31/03/2026")
    numbers = [int(card.number.text()) for card in page.cards]
    assert numbers == list(HAND_COUNT.values())
    assert "whatever became of them later" in page.cards[0].definition.text()
    assert page.cards[1].beside.text() == "of which 1 overturned on secondary review"
    assert page.cards[0].accessibleName() == "Applications received: 5"
    comparison = page.tables["comparison"][1]
    assert comparison.rows[0][:3] == ["Applications received", "5", "3"]  # 3 received in 2024-25
    assert page.charts["months"].renderer().isValid()
    assert "Telephone: 3; Post: 1; Online form: 1" in page.charts["channels"].accessibleDescription()


def test_a_wrong_date_is_explained_and_nothing_changes(qtbot, ctx, dialogs):
    page = _page(qtbot, ctx, dialogs)
    page.refresh()
    page.to_edit.setText("31/02/2026")
    page.refresh()
    assert "To:" in page.message.text() and "not a date" in page.message.text()


def test_export_pdf_holds_the_figures_and_the_edited_findings(qtbot, ctx, dialogs, tmp_path):
    import_register(ctx, _write(tmp_path, VALID))
    page = _page(qtbot, ctx, dialogs)
    page.set_period(START, END)
    page.findings.setPlainText("• Agencies to share logs every week")
    dialogs.files = [tmp_path / "summary"]  # no suffix typed: .pdf is added
    written = page.export_pdf()
    assert written == tmp_path / "summary.pdf"
    text = " ".join(" ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(written.read_bytes())).pages)
    for phrase in ("1 April 2025 to 31 March 2026", "Applications received", "Case reviews that resulted in "
                   "recommendations", "Agencies to share logs every week", "of which 1 overturned"):
        assert phrase in text
    dialogs.files = [tmp_path / "figures.csv"]
    csv_path = page.export_csv()
    assert "statutory,applications_received,5,3" in csv_path.read_text(encoding="utf-8")


def test_import_register_shows_the_count_or_the_problems(qtbot, ctx, dialogs, tmp_path):
    page = _page(qtbot, ctx, dialogs)
    page.set_period(START, END)
    changed = []
    page.cases_changed.connect(lambda: changed.append(True))
    dialogs.files = [_write(tmp_path, [VALID[0], "X9,01/04/2025,pigeon,Ann Lee,,,,,,,,,"], name="bad.csv")]
    page.import_register_file()
    kind, title, text = dialogs.shown[-1]
    assert kind == "error" and "Nothing imported" in text and "Row 3, column channel" in text
    dialogs.files = [_write(tmp_path, VALID)]
    page.import_register_file()
    assert dialogs.shown[-1][:2] == ("info", "Register imported") and "8 case(s) imported" in dialogs.shown[-1][2]
    assert changed and int(page.cards[0].number.text()) == 5


def test_every_control_has_an_accessible_name(qtbot, ctx, dialogs):
    page = _page(qtbot, ctx, dialogs)
    page.refresh()
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
