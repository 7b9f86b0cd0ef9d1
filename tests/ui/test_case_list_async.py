"""The case list off the UI thread: a newer search wins over an older one still running, an operation's
changes read again only the rows they name, and the list takes typing while a page of rows is held.

Each test holds a worker on an event it controls (never a sleep, never a timing assertion) and
shows what the window does meanwhile and once the worker is released.
"""
from __future__ import annotations

import threading
from dataclasses import replace
from datetime import date

import pytest
from PySide6.QtCore import Qt

from app.services.cases import steps as wf
from app.services.common.ops import Changes, Part
from app.services.intake.applications import create_application
from tests.db.helpers import APPLICANT, application
from ui.models import case_table
from ui.models.case_table import COLUMNS, PLACEHOLDER
from ui.views import case_list
from ui.views.case_list import CaseListPage

DISPLAY = Qt.ItemDataRole.DisplayRole
APPLICANT_COLUMN = next(n for n, c in enumerate(COLUMNS) if c.title == "Applicant")
STATUS_COLUMN = next(n for n, c in enumerate(COLUMNS) if c.title == "Status")
HOLD_S = 15  # a held worker gives up after this, so that a failing test cannot hang the run


@pytest.fixture
def created(ctx) -> dict:
    return {surname: create_application(ctx, application(received, applicant=replace(APPLICANT, last_name=surname)))
            for surname, received in (("Young", "2026-11-02"), ("Adams", "2026-11-20"), ("Patel", "2026-11-24"))}


def _page(qtbot, ctx) -> CaseListPage:
    page = CaseListPage(ctx, ask_save_path=lambda suggested: None)
    qtbot.addWidget(page)
    page.resize(1300, 700)
    page.show()
    qtbot.waitExposed(page)
    return page


def _surnames(page: CaseListPage) -> list[str]:
    model = page.model
    return [str(model.data(model.index(r, APPLICANT_COLUMN), DISPLAY)).split()[-1] for r in range(model.rowCount())]


class Calls:
    """Wraps a service as the view imported it: counts the calls and can hold one on an event."""

    def __init__(self, real, hold_when=None) -> None:
        self.real, self.hold_when = real, hold_when
        self.args: list[tuple] = []
        self.started = threading.Event()
        self.release = threading.Event()

    def __call__(self, *args, **kwargs):
        self.args.append(args)
        if self.hold_when is not None and self.hold_when(*args):
            self.started.set()
            self.release.wait(HOLD_S)
        return self.real(*args, **kwargs)


def test_a_newer_search_replaces_an_older_one_still_running(qtbot, monkeypatch, ctx, created, settle):
    page = _page(qtbot, ctx)
    settle()
    ids = Calls(case_table.find_case_ids, hold_when=lambda _ctx, query: query.text == "Young")
    monkeypatch.setattr(case_table, "find_case_ids", ids)
    page.search.setFocus()
    qtbot.keyClicks(page.search, "Young")
    qtbot.keyClick(page.search, Qt.Key.Key_Return)  # at once, not after the pause
    assert ids.started.wait(HOLD_S)  # the older search is running on a worker, and held there
    assert "Loading" in page.state_label.text() and page.state_label.isVisible()
    page.search.clear()
    qtbot.keyClicks(page.search, "Patel")
    assert page.search.text() == "Patel"  # the typing landed while the older search was held
    with qtbot.waitSignal(page.model.rows_loaded, timeout=HOLD_S * 1000):
        qtbot.keyClick(page.search, Qt.Key.Key_Return)
    assert _surnames(page) == ["Patel"]
    ids.release.set()
    settle()
    # The older search's result came back after the newer one and was thrown away.
    assert [query.text for _ctx, query in ids.args] == ["Young", "Patel"]
    assert _surnames(page) == ["Patel"] and page.model.shown_query.text == "Patel"
    assert page.result_label.text() == "Showing 1 case."
    assert not page.state_label.isVisible()


def test_a_changed_case_reads_only_its_row_and_the_counts(qtbot, monkeypatch, ctx, created, settle):
    page = _page(qtbot, ctx)
    settle()
    assert "Open: 3" in page.counts_label.accessibleDescription()
    young = created["Young"]
    row = page.model.row_of(young.id)
    page.table.selectRow(row)
    rows_read = Calls(case_list.fetch_rows)
    blocks_read = Calls(case_table.fetch_rows)
    ids_read = Calls(case_table.find_case_ids)
    monkeypatch.setattr(case_list, "fetch_rows", rows_read)
    monkeypatch.setattr(case_table, "fetch_rows", blocks_read)
    monkeypatch.setattr(case_table, "find_case_ids", ids_read)
    result = wf.withdraw(ctx, young.id, young.version, withdrawn_on=date(2026, 11, 25))
    page.apply_changes(result.changes)
    settle()
    assert [args[1] for args in rows_read.args] == [[young.id]]  # that one row, and nothing else
    assert blocks_read.args == [] and ids_read.args == []
    assert page.model.data(page.model.index(row, STATUS_COLUMN), DISPLAY) == "Withdrawn"
    assert "Open: 2" in page.counts_label.accessibleDescription()
    assert page.current_case_id() == young.id  # still selected, where it was


def test_changes_that_do_not_touch_the_list_read_nothing(qtbot, monkeypatch, ctx, created, settle):
    page = _page(qtbot, ctx)
    settle()
    rows_read = Calls(case_list.fetch_rows)
    counts_read = Calls(case_list.case_counts)
    ids_read = Calls(case_table.find_case_ids)
    monkeypatch.setattr(case_list, "fetch_rows", rows_read)
    monkeypatch.setattr(case_list, "case_counts", counts_read)
    monkeypatch.setattr(case_table, "find_case_ids", ids_read)
    page.apply_changes(Changes.of_case(created["Adams"].id, Part.NOTES, Part.TIMELINE))
    page.apply_changes(Changes.of(Part.AGENCIES))
    settle()
    assert rows_read.args == [] and counts_read.args == [] and ids_read.args == []


def test_a_new_case_reads_the_ids_again_keeping_the_selection(qtbot, monkeypatch, ctx, created, settle):
    page = _page(qtbot, ctx)
    settle()
    patel = created["Patel"].id
    page.table.selectRow(page.model.row_of(patel))
    ids_read = Calls(case_table.find_case_ids)
    monkeypatch.setattr(case_table, "find_case_ids", ids_read)
    made = create_application(ctx, application("2026-11-25", applicant=replace(APPLICANT, last_name="Evans")))
    page.apply_changes(Changes.new_cases([made.id]))
    settle()
    assert len(ids_read.args) == 1
    assert page.model.rowCount() == 4 and "Evans" in _surnames(page)
    assert page.current_case_id() == patel
    assert "Open: 4" in page.counts_label.accessibleDescription()


def test_the_list_takes_typing_while_a_page_of_rows_is_held(qtbot, monkeypatch, ctx, created, settle):
    first_block = Calls(case_table.fetch_rows, hold_when=lambda *_args: not first_block.started.is_set())
    monkeypatch.setattr(case_table, "fetch_rows", first_block)
    page = CaseListPage(ctx, ask_save_path=lambda suggested: None)
    qtbot.addWidget(page)
    with qtbot.waitSignal(page.model.ids_loaded, timeout=HOLD_S * 1000):
        page.show()  # the window is there before any case is
    assert first_block.started.wait(HOLD_S)  # the first page of rows is being read, and held
    assert page.model.rowCount() == 3  # the ids are in; their values are not
    assert page.model.data(page.model.index(0, 0), DISPLAY) == PLACEHOLDER
    assert page.state_label.text() == "Loading…"
    page.search.setFocus()
    qtbot.keyClicks(page.search, "Adams")
    assert page.search.text() == "Adams" and page.search.hasFocus()
    with qtbot.waitSignal(page.model.rows_loaded, timeout=HOLD_S * 1000):
        qtbot.keyClick(page.search, Qt.Key.Key_Return)
    assert _surnames(page) == ["Adams"]  # the search was answered beside the held read
    assert page.search.hasFocus()  # the answer did not take the focus away
    first_block.release.set()
    settle()
    assert _surnames(page) == ["Adams"] and page.model.rowCount() == 1
    assert page.state_label.text() == "" and not page.state_label.isVisible()


def test_the_counts_and_filter_choices_follow_the_first_rows(qtbot, monkeypatch, ctx, created, settle):
    order: list[str] = []

    def noting(name, real):
        def call(*args, **kwargs):
            order.append(name)
            return real(*args, **kwargs)
        return call

    monkeypatch.setattr(case_table, "find_case_ids", noting("ids", case_table.find_case_ids))
    monkeypatch.setattr(case_table, "fetch_rows", noting("rows", case_table.fetch_rows))
    monkeypatch.setattr(case_list, "list_summary", noting("summary", case_list.list_summary))
    page = CaseListPage(ctx, ask_save_path=lambda suggested: None)
    qtbot.addWidget(page)
    # The page is built without reading anything: the window first.
    assert order == [] and page.counts_label.text() == "" and page.year_filter.count() == 1
    page.show()
    settle()
    assert order == ["ids", "rows", "summary"]
    assert "Open: 3" in page.counts_label.accessibleDescription() and page.year_filter.itemText(1) == "2026"


def test_f5_reads_everything_again(qtbot, monkeypatch, ctx, created, settle):
    page = _page(qtbot, ctx)
    settle()
    young = created["Young"]
    wf.withdraw(ctx, young.id, young.version, withdrawn_on=date(2026, 11, 25))  # saved by someone else
    row = page.model.row_of(young.id)
    assert page.model.data(page.model.index(row, STATUS_COLUMN), DISPLAY) == "Received"  # not told yet
    page.refresh()
    settle()
    row = page.model.row_of(young.id)
    assert page.model.data(page.model.index(row, STATUS_COLUMN), DISPLAY) == "Withdrawn"
    assert "Open: 2" in page.counts_label.accessibleDescription()


def test_a_read_that_fails_is_said_in_words(qtbot, monkeypatch, ctx, created, settle):
    from app.services.common.errors import DatabaseUnavailable

    def down(*_args, **_kwargs):
        raise DatabaseUnavailable("The database cannot be reached: check the network and try again.")

    page = _page(qtbot, ctx)
    settle()
    monkeypatch.setattr(case_table, "find_case_ids", down)
    page.refresh()
    settle()
    assert page.problem_label.isVisible() and "cannot be reached" in page.problem_label.text()
    assert page.model.rowCount() == 3  # what was listed stays listed
    assert not page.state_label.isVisible()


def test_a_few_cases_more_or_fewer_are_inserted_and_removed_in_place(qtbot, ctx, created, settle):
    page = _page(qtbot, ctx)
    settle()
    model = page.model
    resets, removed, inserted = [], [], []
    model.modelReset.connect(lambda: resets.append(True))
    model.rowsRemoved.connect(lambda _parent, first, _last: removed.append(first))
    model.rowsInserted.connect(lambda _parent, first, _last: inserted.append(first))
    adams, young = created["Adams"], created["Young"]
    page.table.selectRow(model.row_of(adams.id))
    wf.withdraw(ctx, young.id, young.version, withdrawn_on=date(2026, 11, 25))
    page.status_filter.setCurrentIndex(page.status_filter.findData("open"))
    settle()
    assert model.rowCount() == 2 and young.id not in model.ids
    assert resets == [] and len(removed) == 1  # one row taken out, not the whole list made again
    assert page.current_case_id() == adams.id
    page.status_filter.setCurrentIndex(0)
    settle()
    assert model.rowCount() == 3 and len(inserted) == 1 and resets == []
    assert page.current_case_id() == adams.id
    assert _surnames(page) == [str(model.row_values(r).applicant).split()[-1] for r in range(3)]


def test_a_colleagues_new_case_leaves_the_scroll_where_the_user_put_it(qtbot, ctx, created, settle):
    for n in range(60):  # more than a screenful
        create_application(ctx, application("2026-11-10", applicant=replace(APPLICANT, last_name=f"Row{n:02d}")))
    page = _page(qtbot, ctx)
    settle()
    page.table.selectRow(0)
    selected = page.current_case_id()
    bar = page.table.verticalScrollBar()
    bar.setValue(bar.maximum())  # the user scrolled down, away from the selected row
    made = create_application(ctx, application("2026-11-25", applicant=replace(APPLICANT, last_name="Evans")))
    page.apply_changes(Changes.new_cases([made.id]))
    settle()
    assert made.id in page.model.ids
    assert bar.value() >= bar.maximum() - 1  # not pulled back to the selection
    assert page.current_case_id() == selected  # and the selection moved with its case
