"""The audit log tab of the Data protection page: filters, paging, a change's values and the export, with fakes."""
from __future__ import annotations

from datetime import datetime

import pytest
from PySide6.QtWidgets import QComboBox, QDialog, QLabel, QLineEdit, QPushButton, QTableView, QTabWidget
from sqlalchemy import select

from app.db.models import AuditEntry
from app.services.cases import steps as wf
from app.services.intake.applications import create_application
from tests.conftest import make_context
from tests.db.helpers import application
from tests.ui.conftest import FakeDialogs
from ui.views.audit_view import NOT_ALLOWED, PAGE_SIZE, AuditLogView, ValuesDialog
from ui.views.case_page.step_dialog import StepDialog
from ui.views.data_protection import DataProtectionPage

SECRET = "Afraid to go out after dark"


def seed(ctx) -> int:
    """Two cases, a change with values, and a print by another user at 23:30 BST on 30 June."""
    first = create_application(ctx, application())
    create_application(ctx, application("2026-11-03"))
    wf.update_case_details(ctx, first.id, first.version, {"impact": SECRET})
    with ctx.unit_of_work() as s:
        s.add(AuditEntry(at=datetime(2026, 6, 30, 22, 30), actor="j.smith", machine="pc-7", db_user="ct_jsmith",
                         action="print", entity="letter", entity_id=9, case_id=first.id, reason="copy for file"))
        return s.scalar(select(AuditEntry.id).where(AuditEntry.action == "change"))


def logged_views(ctx) -> list[AuditEntry]:
    with ctx.unit_of_work() as s:
        return list(s.scalars(select(AuditEntry).where(AuditEntry.entity == "audit log").order_by(AuditEntry.id)))


def open_page(qtbot, ctx, dialogs: FakeDialogs | None = None) -> DataProtectionPage:
    from tests.ui.conftest import wait_idle
    page = DataProtectionPage(ctx, dialogs or FakeDialogs())
    qtbot.addWidget(page)
    page.resize(1200, 760)
    page.show()
    qtbot.waitExposed(page)
    wait_idle()
    return page


@pytest.fixture
def audit(qtbot, ctx, settle) -> AuditLogView:
    seed(ctx)
    page = open_page(qtbot, ctx)
    page.tabs.setCurrentWidget(page.audit_view)
    settle()
    return page.audit_view


def test_the_log_is_read_only_when_its_tab_is_opened(qtbot, ctx, settle):
    seed(ctx)
    page = open_page(qtbot, ctx)
    assert page.audit_view.model.rows == [] and logged_views(ctx) == []
    page.tabs.setCurrentWidget(page.audit_view)
    settle()
    [view] = logged_views(ctx)
    assert view.action == "view" and view.actor == "officer.one" and page.audit_view.model.rows
    page.tabs.setCurrentIndex(0)
    page.tabs.setCurrentWidget(page.audit_view)  # coming back does not read (or log) again
    settle()
    assert len(logged_views(ctx)) == 1


def test_every_control_has_an_accessible_name(audit, qtmodeltester):
    for kind in (QPushButton, QLineEdit, QComboBox, QTableView, QTabWidget):
        for control in audit.window().findChildren(kind):
            assert control.accessibleName(), f"{kind.__name__} {control.objectName()}"
    assert all(label.accessibleName() or label.buddy() or label.objectName() == "sectionTitle"
               for label in audit.findChildren(QLabel))
    qtmodeltester.check(audit.model)


def test_rows_show_uk_time_and_every_column(audit):
    assert audit.model.headers == ["When (UK time)", "Who", "Machine", "Database user", "Action", "Record",
                                   "Case", "Fields", "Reason"]
    printed = next(r for r in audit.model.rows if r[4] == "print")
    assert printed == ["30/06/2026 23:30:00", "j.smith", "pc-7", "ct_jsmith", "print", "letter 9", "CT-2026-0001",
                       "", "copy for file"]
    change = next(r for r in audit.model.rows if r[4] == "change")
    assert change[5:8] == ["case 1", "CT-2026-0001", "impact"] and SECRET not in " ".join(change)
    assert audit.page_label.text() == f"Entries 1–{len(audit.model.rows)} of {len(audit.model.rows)}"


def test_filters(audit, settle):
    audit.actor_edit.setText("SMITH")
    audit.search()
    settle()
    assert [r[4] for r in audit.model.rows] == ["print"]
    audit.clear()
    audit.action_combo.setCurrentText("create")
    audit.case_edit.setText("ct-2026-0002")
    audit.search()
    settle()
    assert [(r[4], r[6]) for r in audit.model.rows] == [("create", "CT-2026-0002")]
    audit.clear()
    audit.from_edit.setText("01/07/2026")
    audit.to_edit.setText("30/06/2026")
    audit.search()
    assert "before the 'from' date" in audit.message.text() and audit.to_edit.hasFocus()
    audit.to_edit.setText("31/06/2026")
    audit.search()
    assert "To: '31/06/2026' is not a date" in audit.message.text()
    audit.from_edit.setText("30/06/2026")
    audit.to_edit.setText("30/06/2026")
    audit.search()
    settle()
    assert [r[4] for r in audit.model.rows] == ["print"] and audit.message.text() == ""
    audit.case_edit.setText("CT-1999-0001")
    audit.search()
    settle()
    assert audit.model.rows == [] and "No entries match" in audit.message.text()
    assert not audit.values_button.isEnabled() and not audit.older_button.isEnabled()


def test_paging(qtbot, ctx, settle):
    with ctx.unit_of_work() as s:
        s.add_all([AuditEntry(at=datetime(2026, 1, 1, 9, 0, n % 60, n), actor="bulk", action="view", entity="case",
                              entity_id=n) for n in range(PAGE_SIZE * 2 + 50)])
    page = open_page(qtbot, ctx)
    audit = page.audit_view
    page.tabs.setCurrentWidget(audit)
    audit.actor_edit.setText("bulk")
    audit.search()
    settle()
    total = PAGE_SIZE * 2 + 50
    assert audit.page_label.text() == f"Entries 1–{PAGE_SIZE} of {total}" and not audit.newer_button.isEnabled()
    audit.older()
    settle()
    audit.older()
    settle()
    assert audit.page_label.text() == f"Entries {2 * PAGE_SIZE + 1}–{total} of {total}"
    assert not audit.older_button.isEnabled() and audit.model.rows[-1][5] == "case 0"
    audit.newer()
    settle()
    assert audit.page_label.text() == f"Entries {PAGE_SIZE + 1}–{2 * PAGE_SIZE} of {total}"


def test_show_values_of_the_selected_change(audit, settle):
    audit.dialogs.shown.clear()
    audit.show_values()  # nothing selected
    assert audit.dialogs.shown[-1][:2] == ("info", "Choose an entry")
    shown: list[QDialog] = audit.dialogs.previews  # a dialog to read, shown by the dialog service
    audit.view.selectRow(next(i for i, r in enumerate(audit.model.rows) if r[4] == "change"))
    audit.show_values()
    settle()
    [dialog] = shown
    assert isinstance(dialog, ValuesDialog) and dialog.model.rows == [["impact", "", SECRET]]
    assert dialog.accessibleName() and dialog.view.accessibleName()
    audit.view.selectRow(next(i for i, r in enumerate(audit.model.rows) if r[4] == "print"))
    audit.show_values()
    settle()
    assert audit.dialogs.shown[-1][:2] == ("info", "No values kept") and len(shown) == 1


def test_export_asks_for_a_file_and_a_reason(audit, tmp_path, settle):
    audit.export()  # the file dialog cancelled (no file given)
    assert audit.dialogs.ran == []  # so no reason was asked for
    seen: dict[str, str] = {}

    def fill(dialog: QDialog) -> None:
        assert isinstance(dialog, StepDialog)
        dialog.set_value("reason", "  ")
        dialog.submit()
        seen["empty"] = dialog.errors["reason"].text()
        dialog.set_value("reason", "IG review 2026/14")
        dialog.submit()

    audit.dialogs.forms.append(fill)
    audit.actor_edit.setText("smith")
    audit.search()
    settle()
    audit.dialogs.files = [tmp_path / "audit"]
    audit.export()
    assert "reason" in seen["empty"].lower()
    target = tmp_path / "audit.csv"
    text = target.read_text(encoding="utf-8-sig")
    assert "copy for file" in text and SECRET not in text and len(text.splitlines()) == 2  # the filter applies
    assert audit.message.text() == f"Exported 1 entry to {target}."
    assert [e.reason for e in logged_views(audit.ctx) if e.action == "export"] == [
        "IG review 2026/14; 1 entry; who=smith"]


def test_an_officer_sees_why_not_and_nothing_is_read(qtbot, sqlite_url, settle):
    admin = make_context(sqlite_url)
    seed(admin)
    officer = make_context(sqlite_url, actor="o.fficer", role="officer")
    page = open_page(qtbot, officer)
    page.tabs.setCurrentWidget(page.audit_view)
    settle()
    assert page.audit_view.intro.text() == NOT_ALLOWED
    assert not page.audit_view.findChildren(QTableView) and not page.audit_view.findChildren(QPushButton)
    assert logged_views(admin) == []
    admin.engine.dispose()
    officer.engine.dispose()
