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
    def hook(dialog: StepDialog) -> None:
        if seen is not None:
            seen["title"] = dialog.windowTitle()
        dialog.set_value("reason", reason)
        dialog.submit()
        if seen is not None:
            seen["error"] = dialog.errors["reason"].text()
    return hook


@pytest.fixture
def page(qtbot, ctx, tmp_path):
    folders: list[Path | None] = [tmp_path / "out"]
    widget = DataProtectionPage(ctx, FakeDialogs(), choose_folder=lambda _title: folders.pop(0) if folders else None)
    qtbot.addWidget(widget)
    widget.resize(1000, 760)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def test_every_control_has_an_accessible_name(page):
    for kind in (QPushButton, QLineEdit, QTableView, QPlainTextEdit):
        for control in page.findChildren(kind):
            assert control.accessibleName(), f"{kind.__name__} {control.objectName() or control.text()}"
    assert all(label.accessibleName() or label.buddy() or label.objectName() == "sectionTitle"
               for label in page.findChildren(QLabel))


def test_anonymise_a_case_due_for_review(qtbot, ctx, tmp_path):
    due = closed_case(ctx)
    recent = closed_case(ctx, on=date(2026, 11, 1))
    page = DataProtectionPage(ctx, FakeDialogs())
    qtbot.addWidget(page)
    page.show()  # the list is read when the page is first shown
    assert page.due_model.rows == [["CT-2026-0001", "Ms Asha Patel", "Closed", "01/03/2019", "01/03/2025"]]
    assert "kept for 6 years" in page.retention_note.text() and recent not in page.due_model.keys
    page.due_view.selectRow(0)
    seen: dict = {}
    page.dialog_hook = fill("   ", seen)  # an empty reason is refused next to the field
    page.anonymise()
    assert "Enter reason" in seen["error"] or "reason" in seen["error"].lower()
    with qtbot.waitSignal(page.cases_changed):
        page.dialog_hook = fill("retention period ended")
        page.anonymise()
    assert page.due_model.rows == [] and "was anonymised" in page.message.text()
    with ctx.unit_of_work() as s:
        assert s.get(Case, due).applicant.last_name == "[anonymised]"
        assert s.scalar(select(AuditEntry.reason).where(AuditEntry.action == "anonymise")) == "retention period ended"


def test_delete_asks_first_and_needs_a_reason(qtbot, ctx):
    case_id = closed_case(ctx)
    dialogs = FakeDialogs()
    page = DataProtectionPage(ctx, dialogs)
    qtbot.addWidget(page)
    page.show()  # the list is read when the page is first shown
    page.delete()  # nothing selected
    assert dialogs.shown[-1][:2] == ("info", "Choose a case")
    page.due_view.selectRow(0)
    dialogs.answers = [False]
    page.dialog_hook = lambda _d: pytest.fail("asked for a reason after the answer was no")
    page.delete()
    dialogs.answers = [True]
    page.dialog_hook = fill("opened in error")
    page.delete()
    with ctx.unit_of_work() as s:
        assert s.get(Case, case_id) is None
    assert page.due_model.rows == []


def test_subject_access_search_and_export(page, ctx, tmp_path):
    create_application(ctx, application())
    create_application(ctx, dataclasses.replace(application(), applicant=dataclasses.replace(
        APPLICANT, first_name="David", last_name="Okoro"), on_behalf_of=OnBehalfData(
        victim=APPLICANT, relationship="family", victim_consent=True, consent_method="verbal",
        consent_given_on=date(2026, 11, 1))))
    page.search_edit.setText("patel")
    page.search()
    assert [row[1:] for row in page.people_model.rows] == [
        ["Applicant or victim", "12 Example Road, Royal Tunbridge Wells, TN1 1AA", "applicant in CT-2026-0001"],
        ["Applicant or victim", "12 Example Road, Royal Tunbridge Wells, TN1 1AA", "victim in CT-2026-0002"]]
    page.people_view.selectAll()
    page.dialogs.answers = [True]  # "the same person?"
    page.dialog_hook = fill("SAR received 20/11/2026")
    page.export()
    target = tmp_path / "out" / "subject-access-2026-11-25-ms-asha-patel"
    assert (target / "subject-access.pdf").exists()
    data = json.loads((target / "subject-access.json").read_text(encoding="utf-8"))
    assert [c["your_role"] for c in data["cases"]] == ["applicant", "victim"] and "Okoro" not in json.dumps(data)
    assert page.dialogs.shown[-1][:2] == ("info", "Subject access bundle saved")
    with ctx.unit_of_work() as s:
        assert s.scalars(select(AuditEntry.reason).where(AuditEntry.action == "export")).all() == [
            "SAR received 20/11/2026"] * 2


def test_export_cancelled_at_the_folder_writes_nothing(page, ctx):
    create_application(ctx, application())
    page.choose_folder = lambda _title: None
    page.search_edit.setText("asha")
    page.search()
    page.dialog_hook = lambda _d: pytest.fail("asked for a reason without a folder")
    page.export()
    with ctx.unit_of_work() as s:
        assert s.scalar(select(AuditEntry.id).where(AuditEntry.action == "export")) is None


def test_an_officer_may_export_but_not_anonymise(qtbot, ctx, sqlite_url):
    closed_case(ctx)
    officer = make_context(sqlite_url, actor="officer.two", role="officer")
    page = DataProtectionPage(officer, FakeDialogs())
    qtbot.addWidget(page)
    page.show()  # the list is read when the page is first shown
    assert not page.anonymise_button.isEnabled() and not page.delete_button.isEnabled()
    assert page.export_button.isEnabled() and "manager" in page.anonymise_button.toolTip()
    officer.engine.dispose()


def test_screenshot(page, ctx, tmp_path):
    closed_case(ctx)
    closed_case(ctx, on=date(2020, 6, 30))
    page.refresh()
    page.search_edit.setText("patel")
    page.search()
    page.people_view.selectRow(1)
    path = tmp_path / "data-protection.png"
    assert page.grab().save(str(path)) and path.stat().st_size > 10_000
