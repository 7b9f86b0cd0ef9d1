"""The Data protection page: retention review (anonymise, delete) and subject access export, with fakes."""
from __future__ import annotations

import dataclasses
import json
from datetime import date
from pathlib import Path

import pytest
from PySide6.QtWidgets import QLabel, QLineEdit, QPlainTextEdit, QPushButton, QTableView
from sqlalchemy import select, update

from app.db.models import AuditEntry, Case
from app.domain.application import OnBehalfData
from app.services.intake.applications import create_application
from tests.conftest import make_context
from tests.db.helpers import APPLICANT, application
from tests.ui.conftest import FakeDialogs
from ui.views.case_page.step_dialog import StepDialog
from ui.views.data_protection import DataProtectionPage


def closed_case(ctx, on: date = date(2019, 3, 1), **kwargs) -> int:
    case_id = create_application(ctx, application(**kwargs)).id
    with ctx.unit_of_work() as s:
        s.execute(update(Case).where(Case.id == case_id).values(status="closed", closed_on=on))
    return case_id


def fill(reason: str, seen: dict | None = None):
    """A filler for `dialogs.forms`: types the reason and presses Record, as the user would."""
    def filler(dialog: StepDialog) -> None:
        if seen is not None:
            seen["title"] = dialog.windowTitle()
        dialog.set_value("reason", reason)
        dialog.submit()
        if seen is not None:
            seen["error"] = dialog.errors["reason"].text()
    return filler


def never(why: str):
    def filler(_dialog) -> None:
        pytest.fail(why)
    return filler


@pytest.fixture
def shown(qtbot, tasks, settle):
    """`shown(page)`: on screen, wired to the operations' changes as the main window does, its list read."""
    built: list[DataProtectionPage] = []

    def show(page: DataProtectionPage) -> DataProtectionPage:
        tasks.changed.connect(page.apply_changes)
        built.append(page)
        qtbot.addWidget(page)
        page.resize(1000, 760)
        page.show()  # the list is read when the page is first shown
        qtbot.waitExposed(page)
        settle()
        return page

    yield show
    for page in built:
        tasks.changed.disconnect(page.apply_changes)


@pytest.fixture
def page(ctx, tmp_path, shown):
    folders: list[Path | None] = [tmp_path / "out"]
    return shown(DataProtectionPage(ctx, FakeDialogs(),
                                    choose_folder=lambda _title: folders.pop(0) if folders else None))


def test_every_control_has_an_accessible_name(page):
    for kind in (QPushButton, QLineEdit, QTableView, QPlainTextEdit):
        for control in page.findChildren(kind):
            assert control.accessibleName(), f"{kind.__name__} {control.objectName() or control.text()}"
    assert all(label.accessibleName() or label.buddy() or label.objectName() == "sectionTitle"
               for label in page.findChildren(QLabel))


def test_anonymise_a_case_due_for_review(qtbot, ctx, shown, tasks):
    due = closed_case(ctx)
    recent = closed_case(ctx, on=date(2026, 11, 1))
    page = shown(DataProtectionPage(ctx, FakeDialogs()))
    assert page.due_model.rows == [["CT-2026-0001", "Ms Asha Patel", "Closed", "01/03/2019", "01/03/2025"]]
    assert "kept for 6 years" in page.retention_note.text() and recent not in page.due_model.keys
    page.due_view.selectRow(0)
    seen: dict = {}
    page.dialogs.forms.append(fill("   ", seen))  # an empty reason is refused next to the field
    page.anonymise()
    assert "Enter reason" in seen["error"] or "reason" in seen["error"].lower()
    assert page.due_model.keys == [due] and page.message.text() == ""  # cancelled: nothing done
    page.dialogs.forms.append(fill("retention period ended"))
    with qtbot.waitSignal(tasks.changed) as changed:  # what the main window hands to the other views
        page.anonymise()
    assert changed.args[0].cases == {due} and "was anonymised" in page.message.text()
    assert page.due_model.rows == []  # read again from the changes
    with ctx.unit_of_work() as s:
        assert s.get(Case, due).applicant.last_name == "[anonymised]"
        assert s.scalar(select(AuditEntry.reason).where(AuditEntry.action == "anonymise")) == "retention period ended"


def test_delete_asks_first_and_needs_a_reason(ctx, shown, settle):
    case_id = closed_case(ctx)
    dialogs = FakeDialogs()
    page = shown(DataProtectionPage(ctx, dialogs))
    page.delete()  # nothing selected
    assert dialogs.shown[-1][:2] == ("info", "Choose a case")
    page.due_view.selectRow(0)
    dialogs.answers = [False]
    page.delete()
    assert dialogs.ran == []  # no reason asked for after the answer was no
    dialogs.answers = [True]
    dialogs.forms.append(fill("opened in error"))
    page.delete()
    settle()
    with ctx.unit_of_work() as s:
        assert s.get(Case, case_id) is None
    assert page.due_model.rows == [] and "was deleted" in page.message.text()


def test_subject_access_search_and_export(page, ctx, tmp_path, settle):
    create_application(ctx, application())
    create_application(ctx, dataclasses.replace(application(), applicant=dataclasses.replace(
        APPLICANT, first_name="David", last_name="Okoro"), on_behalf_of=OnBehalfData(
        victim=APPLICANT, relationship="family", victim_consent=True, consent_method="verbal",
        consent_given_on=date(2026, 11, 1))))
    page.search_edit.setText("patel")
    page.search()
    settle()
    assert [row[1:] for row in page.people_model.rows] == [
        ["Applicant or victim", "12 Example Road, Royal Tunbridge Wells, TN1 1AA", "applicant in CT-2026-0001"],
        ["Applicant or victim", "12 Example Road, Royal Tunbridge Wells, TN1 1AA", "victim in CT-2026-0002"]]
    page.people_view.selectAll()
    page.dialogs.answers = [True]  # "the same person?"
    page.dialogs.forms.append(fill("SAR received 20/11/2026"))
    page.export()
    target = tmp_path / "out" / "subject-access-2026-11-25-ms-asha-patel"
    assert (target / "subject-access.pdf").exists()
    data = json.loads((target / "subject-access.json").read_text(encoding="utf-8"))
    assert [c["your_role"] for c in data["cases"]] == ["applicant", "victim"] and "Okoro" not in json.dumps(data)
    assert page.dialogs.shown[-1][:2] == ("info", "Subject access bundle saved")
    with ctx.unit_of_work() as s:
        assert s.scalars(select(AuditEntry.reason).where(AuditEntry.action == "export")).all() == [
            "SAR received 20/11/2026"] * 2


def test_export_cancelled_at_the_folder_writes_nothing(page, ctx, settle):
    create_application(ctx, application())
    page.choose_folder = lambda _title: None
    page.search_edit.setText("asha")
    page.search()
    settle()
    assert page.found
    page.dialogs.forms.append(never("asked for a reason without a folder"))
    page.export()
    assert page.dialogs.ran == []
    with ctx.unit_of_work() as s:
        assert s.scalar(select(AuditEntry.id).where(AuditEntry.action == "export")) is None


def test_an_officer_may_export_but_not_anonymise(ctx, sqlite_url, shown):
    closed_case(ctx)
    officer = make_context(sqlite_url, actor="officer.two", role="officer")
    page = shown(DataProtectionPage(officer, FakeDialogs()))
    assert page.due_model.rows  # the list was read, and reading it gave the buttons back: not these two
    assert not page.anonymise_button.isEnabled() and not page.delete_button.isEnabled()
    assert page.export_button.isEnabled() and "manager" in page.anonymise_button.toolTip()
    officer.engine.dispose()


def test_screenshot(page, ctx, tmp_path, settle):
    closed_case(ctx)
    closed_case(ctx, on=date(2020, 6, 30))
    page.refresh()
    page.search_edit.setText("patel")
    page.search()
    settle()
    assert len(page.due_model.rows) == 2
    page.people_view.selectRow(1)
    path = tmp_path / "data-protection.png"
    assert page.grab().save(str(path)) and path.stat().st_size > 10_000


def test_a_folder_that_cannot_be_written_is_said_in_the_dialog_and_nothing_is_disclosed(page, ctx, tmp_path, settle):
    create_application(ctx, application())
    blocked = tmp_path / "a file"
    blocked.write_text("not a folder")
    page.choose_folder = lambda _title: blocked
    page.search_edit.setText("asha")
    page.search()
    settle()
    seen: dict = {}

    def filler(dialog: StepDialog) -> None:
        dialog.set_value("reason", "SAR received 20/11/2026")
        dialog.submit()
        settle()
        seen["message"] = dialog.message.text()  # the dialog stays open with the problem in words

    page.dialogs.forms.append(filler)
    page.export()
    assert "could not be saved" in seen["message"]
    assert "Saved" not in page.message.text()
    with ctx.unit_of_work() as s:
        assert s.scalar(select(AuditEntry.id).where(AuditEntry.action == "export")) is None


def test_changes_elsewhere_refresh_the_retention_list_only_when_they_touch_it(page, ctx, settle, monkeypatch):
    from app.services.common.ops import Changes, Part
    from ui.views import data_protection
    read: list[object] = []
    real = data_protection.read_retention
    monkeypatch.setattr(data_protection, "read_retention", lambda c: read.append(c) or real(c))
    page.apply_changes(Changes.of(Part.AGENCIES))
    page.apply_changes(Changes.of_case(1, Part.NOTES))
    settle()
    assert read == []
    closed_case(ctx)
    page.apply_changes(Changes.of(Part.RETENTION))
    settle()
    assert len(read) == 1 and len(page.due_model.rows) == 1
