"""The case list page and its table model under pytest-qt (offscreen)."""
from __future__ import annotations

import csv
from dataclasses import replace
from datetime import date

import pytest
from PySide6.QtCore import QPoint, Qt
from sqlalchemy import select

from app.db.models import AuditEntry
from app.domain.application import Channel, IncidentData, PersonData
from app.services.cases import steps as wf
from app.services.cases.case_list import CaseQuery
from app.services.intake.applications import create_application
from tests.db.helpers import application, incidents
from ui.models.case_table import COLUMNS, INDICATOR_COLUMN, CaseTableModel

APPLICANT = next(n for n, c in enumerate(COLUMNS) if c.title == "Applicant")
NEXT_DUE = next(n for n, c in enumerate(COLUMNS) if c.title == "Next due")
DAYS_LEFT = next(n for n, c in enumerate(COLUMNS) if c.title == "Working days left")
from ui.views.case_list import CaseListPage

DISPLAY = Qt.ItemDataRole.DisplayRole
TOOLTIP = Qt.ItemDataRole.ToolTipRole
DECORATION = Qt.ItemDataRole.DecorationRole


def _person(first: str, last: str, postcode: str) -> PersonData:
    return PersonData(title="Ms", first_name=first, last_name=last, address_lines=("1 Test Street",),
                      postcode=postcode)


@pytest.fixture
def cases(ctx) -> dict[str, int]:
    """Five cases: received on different days so that each sort gives a different order."""
    agency_ref = (IncidentData(occurred_on=date(2026, 9, 1), reported_on=date(2026, 9, 2),
                               reported_to="Kent Police", agency_reference="KP/9001/26"),) + incidents(
        ("2026-09-10", "2026-09-11"), ("2026-10-01", "2026-10-03"))
    def make(received: str, first: str, last: str, postcode: str, **kwargs) -> int:
        return create_application(ctx, application(received, applicant=_person(first, last, postcode),
                                                   **kwargs)).id

    ids = {
        "Young": make("2026-11-02", "Zoe", "Young", "TN1 1AA", items=agency_ref),
        "Adams": create_application(ctx, replace(application("2026-11-20", applicant=_person(
            "Ann", "Adams", "TN2 2BB")), channel=Channel.POST)).id,
        "Patel": make("2026-11-24", "Asha", "Patel", "TN4 4DD"),
        "Moore": make("2026-11-10", "Mia", "Moore", "TN3 3CC"),
    }
    created = create_application(ctx, application("2026-11-03", applicant=_person("Kay", "Khan", "TN5 5EE")))
    wf.withdraw(ctx, created.id, created.version, withdrawn_on=date(2026, 11, 4))
    ids["Khan"] = created.id
    return ids


@pytest.fixture
def page(qtbot, ctx, cases, tmp_path, settle):
    widget = CaseListPage(ctx, ask_save_path=lambda suggested: str(tmp_path / suggested))
    qtbot.addWidget(widget)
    widget.resize(1300, 700)
    widget.show()
    qtbot.waitExposed(widget)
    settle()  # the ids, the first rows, then the counts and filter choices
    return widget


def _surnames(model: CaseTableModel) -> list[str]:
    return [model.data(model.index(r, APPLICANT), DISPLAY).split()[-1] for r in range(model.rowCount())]


def test_model_passes_qt_model_tester(qtmodeltester, ctx, cases, settle):
    model = CaseTableModel(ctx)
    model.set_query(CaseQuery())
    assert model.rowCount() == 0  # the ids are read off the UI thread
    settle()
    assert model.rowCount() == 5
    qtmodeltester.check(model)
    model.sort(1, Qt.SortOrder.DescendingOrder)
    settle()
    qtmodeltester.check(model)


def test_model_shows_formatted_values(ctx, cases, qapp, settle):
    model = CaseTableModel(ctx)
    model.set_query(CaseQuery(sort="applicant"))
    settle()
    first = [model.data(model.index(0, c), DISPLAY) for c in range(model.columnCount())]
    headings = [model.headerData(c, Qt.Orientation.Horizontal, DISPLAY) for c in range(model.columnCount())]
    # The indicator second: on screen however narrow the window.
    assert headings == ["Reference", "Indicator", "Applicant", "Postcode", "Channel", "Received", "Status",
                        "Next action", "Next due", "Days left", "Officer"]
    # Adams: received Friday 20/11/2026 by post; acknowledgement due Friday 27/11, two working days away.
    assert first == ["CT-2026-0002", "Due soon", "Ms Ann Adams", "TN2 2BB", "Post", "20/11/2026", "Received",
                     "Acknowledge the application", "27/11/2026", "2", "officer.one"]
    assert model.case_id(0) == cases["Adams"]
    indicator = model.index(0, INDICATOR_COLUMN)
    assert not model.data(indicator, DECORATION).isNull()  # a shape as well as the words
    assert "Due soon" in model.data(indicator, TOOLTIP) and "27/11/2026" in model.data(indicator, TOOLTIP)
    khan = model.row_of(cases["Khan"])
    assert model.data(model.index(khan, INDICATOR_COLUMN), DISPLAY) == "Stopped"
    assert model.data(model.index(khan, NEXT_DUE), DISPLAY) == ""


def test_page_lists_cases_with_counts(page, cases):
    assert page.model.rowCount() == 5
    assert page.table.accessibleName() == "Cases"
    text = page.counts_label.accessibleDescription()
    assert "Open: 4" in text and "Overdue: 2" in text and "Awaiting threshold decision: 4" in text
    assert page.result_label.text() == "Showing 5 cases."
    for combo in (page.status_filter, page.indicator_filter, page.channel_filter, page.year_filter):
        assert combo.accessibleName()
    assert page.year_filter.itemText(1) == "2026"


def test_header_click_sorts_through_the_database(qtbot, page, settle):
    header = page.table.horizontalHeader()
    before = _surnames(page.model)
    x = header.sectionViewportPosition(APPLICANT) + header.sectionSize(APPLICANT) // 2
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, header.height() // 2))
    assert page.model.query.sort == "applicant"  # asked for at once, the order follows from the worker
    settle()
    ascending = _surnames(page.model)
    assert ascending == ["Adams", "Khan", "Moore", "Patel", "Young"] and ascending != before
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, header.height() // 2))
    assert page.model.query.descending
    settle()
    assert _surnames(page.model) == ["Young", "Patel", "Moore", "Khan", "Adams"]


def test_sorting_keeps_the_selected_case_selected(page, cases, settle):
    page.table.selectRow(page.model.row_of(cases["Moore"]))
    page.table.sortByColumn(APPLICANT, Qt.SortOrder.DescendingOrder)
    settle()
    assert page.model.shown_query.sort == "applicant"
    assert page.current_case_id() == cases["Moore"]
    assert page.model.case_id(page.table.selectionModel().selectedRows()[0].row()) == cases["Moore"]


@pytest.mark.parametrize("typed, expected", [
    ("Patel", ["Patel"]), ("tn11aa", ["Young"]), ("KP/9001", ["Young"]), ("CT-2026-0004", ["Moore"]),
])
def test_typing_in_the_search_box_filters(qtbot, page, typed, expected, settle):
    qtbot.keyClicks(page.search, typed)
    qtbot.waitUntil(lambda: page.model.rowCount() == len(expected), timeout=3000)
    settle()
    assert _surnames(page.model) == expected
    assert page.result_label.text() == "Showing 1 case."


def test_search_waits_for_typing_to_pause(qtbot, page):
    qtbot.keyClicks(page.search, "Pat")
    assert page.model.rowCount() == 5  # not yet: the debounce timer is running
    assert not page.model.waiting_for_ids  # nothing asked of the database while the typing goes on
    qtbot.waitUntil(lambda: page.model.rowCount() == 1, timeout=3000)
    page.search.clear()
    qtbot.waitUntil(lambda: page.model.rowCount() == 5, timeout=3000)


def test_no_match_says_so(qtbot, page):
    qtbot.keyClicks(page.search, "Nobody")
    qtbot.waitUntil(lambda: page.model.rowCount() == 0, timeout=3000)
    assert "No cases match" in page.result_label.text()
    assert not page.export_button.isEnabled()  # nothing to export


def test_filter_combos(page, cases, settle):
    page.indicator_filter.setCurrentIndex(page.indicator_filter.findData("stopped"))
    settle()
    assert _surnames(page.model) == ["Khan"]
    page.indicator_filter.setCurrentIndex(0)
    page.channel_filter.setCurrentIndex(page.channel_filter.findData("post"))
    settle()
    assert _surnames(page.model) == ["Adams"]
    page.channel_filter.setCurrentIndex(0)
    page.status_filter.setCurrentIndex(page.status_filter.findData("open"))
    settle()
    assert page.model.rowCount() == 4
    page.year_filter.setCurrentIndex(page.year_filter.findData(2026))
    settle()
    assert page.model.rowCount() == 4 and page.model.shown_query.year == 2026


def test_enter_on_selected_row_asks_to_open_that_case(qtbot, page):
    page.table.setFocus()
    page.table.selectRow(2)
    expected = page.model.case_id(2)
    with qtbot.waitSignal(page.open_case_requested, timeout=2000) as blocker:
        qtbot.keyClick(page.table, Qt.Key.Key_Return)
    assert blocker.args == [expected]


def test_double_click_asks_to_open_that_case(qtbot, page):
    index = page.model.index(1, 0)
    rect = page.table.visualRect(index)
    # The view opens on a double-click only where the press began (QTest's double-click alone has none).
    qtbot.mouseClick(page.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    with qtbot.waitSignal(page.open_case_requested, timeout=2000) as blocker:
        qtbot.mouseDClick(page.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert blocker.args == [page.model.case_id(1)]


def test_down_from_search_moves_to_the_results(qtbot, page, settle):
    page.search.setFocus()
    qtbot.keyClicks(page.search, "Moore")
    qtbot.keyClick(page.search, Qt.Key.Key_Down)  # searches at once rather than waiting
    settle()
    assert page.model.rowCount() == 1
    assert page.table.hasFocus() and page.table.currentIndex().row() == 0
    with qtbot.waitSignal(page.open_case_requested, timeout=2000) as blocker:
        qtbot.keyClick(page.table, Qt.Key.Key_Enter)
    assert blocker.args == [page.model.case_id(0)]


def test_export_writes_every_listed_case_with_the_displayed_columns(page, ctx, tmp_path, settle):
    page.status_filter.setCurrentIndex(page.status_filter.findData("open"))
    settle()
    path = page.export_csv()
    assert path == tmp_path / "cases-2026-11-25.csv"
    settle()  # written off the UI thread
    assert "Exported 4" in page.result_label.text()
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == [c.title for c in COLUMNS]
    assert len(rows) == 1 + page.model.rowCount() == 5
    for n, row in enumerate(rows[1:]):
        assert row == [page.model.data(page.model.index(n, c), DISPLAY) for c in range(len(COLUMNS))]
    with ctx.unit_of_work() as s:
        entry = s.scalars(select(AuditEntry).where(AuditEntry.action == "export")).one()
        assert entry.reason.startswith("4 cases") and "status=open" in entry.reason


def test_export_button_uses_the_injected_question(qtbot, ctx, cases, tmp_path, settle):
    asked: list[str] = []

    def ask(suggested: str) -> str | None:
        asked.append(suggested)
        return str(tmp_path / "mine")  # no extension: .csv is added

    widget = CaseListPage(ctx, ask_save_path=ask)
    qtbot.addWidget(widget)
    assert not widget.export_button.isEnabled()  # nothing listed yet
    settle()
    widget.export_button.click()
    settle()
    assert asked == ["cases-2026-11-25.csv"]
    with (tmp_path / "mine.csv").open(encoding="utf-8-sig") as handle:
        assert len(list(csv.reader(handle))) == 6
    assert "Exported 5" in widget.result_label.text()


def test_export_cancelled_writes_nothing(qtbot, ctx, cases, tmp_path):
    widget = CaseListPage(ctx, ask_save_path=lambda suggested: None)
    qtbot.addWidget(widget)
    assert widget.export_csv() is None
    assert list(tmp_path.glob("*.csv")) == []


def test_export_keeps_formulas_as_text(qtbot, ctx, tmp_path, settle):
    create_application(ctx, application("2026-11-02", applicant=PersonData(
        last_name="=HYPERLINK(\"http://x\")", address_lines=("1 Road",), postcode="TN1 1AA")))
    widget = CaseListPage(ctx, ask_save_path=lambda suggested: str(tmp_path / "f.csv"))
    qtbot.addWidget(widget)
    settle()
    widget.export_csv()
    settle()
    with (tmp_path / "f.csv").open(encoding="utf-8-sig", newline="") as handle:
        row = list(csv.reader(handle))[1]
    assert row[APPLICANT].startswith("'=HYPERLINK") and row[DAYS_LEFT].lstrip("-").isdigit()


def test_refresh_shows_a_new_case(qtbot, page, ctx, settle):
    create_application(ctx, application("2026-11-25", applicant=_person("Nia", "Evans", "TN6 6FF")))
    page.refresh()
    settle()
    assert page.model.rowCount() == 6
    assert "Open: 5" in page.counts_label.accessibleDescription()


def test_labels_name_their_fields(page):
    from PySide6.QtWidgets import QLabel
    buddies = {label.buddy() for label in page.findChildren(QLabel) if label.buddy() is not None}
    assert {page.search, page.status_filter, page.indicator_filter, page.channel_filter,
            page.year_filter} <= buddies
    assert page.search.placeholderText() == "Search reference, name, postcode or agency reference"


def test_filters_and_sort_are_remembered_between_sessions(qtbot, ctx, tmp_path, settle):
    from PySide6.QtCore import QSettings
    create_application(ctx, application("2026-11-02"))
    settings = QSettings(str(tmp_path / "ui.ini"), QSettings.Format.IniFormat)
    first = CaseListPage(ctx, settings=settings)
    qtbot.addWidget(first)
    settle()  # the year choices arrive after the first rows
    first.channel_filter.setCurrentIndex(first.channel_filter.findData("telephone"))
    first.year_filter.setCurrentIndex(first.year_filter.findData(2026))
    first.table.sortByColumn(0, Qt.SortOrder.DescendingOrder)
    settle()
    again = CaseListPage(ctx, settings=settings)
    qtbot.addWidget(again)
    # The saved filters are asked for at once, before the year's choice exists on screen.
    assert again.model.query.channel == "telephone" and again.model.query.year == 2026
    settle()
    assert again.channel_filter.currentData() == "telephone"
    assert again.year_filter.currentData() == 2026
    assert (again.model.query.sort, again.model.query.descending) == ("reference", True)
    assert again.model.query.channel == "telephone" and again.model.query.year == 2026
