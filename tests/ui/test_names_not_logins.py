"""People are shown by the names they gave, not the logins the records keep: the case list's officer, the
case page's case officer and who last changed it; the audit log shows both (it is the record of who did it)."""
from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

from app.services.cases import steps as wf
from app.services.intake.applications import create_application
from app.services.trust.users import save_user
from tests.conftest import make_context
from tests.db.helpers import application
from ui.models.case_table import COLUMNS, PLACEHOLDER

DISPLAY = Qt.ItemDataRole.DisplayRole
OFFICER = next(n for n, c in enumerate(COLUMNS) if c.title == "Officer")


@pytest.fixture
def named(ctx):
    """Two users with names that are not their logins; a case dealt with by one of them."""
    save_user(ctx, "j.smith", display_name="Jo Smith", role="officer")
    save_user(ctx, "officer.one", display_name="Olu Officer", role="administrator")
    return create_application(ctx, application("2026-11-02"), officer="j.smith")


def test_the_case_list_names_the_officer(qtbot, window, ctx, named, settle):
    page = window.cases_page
    page.refresh()  # the case was made behind the window's back
    settle()
    model = page.model
    qtbot.waitUntil(lambda: model.rowCount() == 1 and model.data(model.index(0, OFFICER), DISPLAY) != PLACEHOLDER,
                    timeout=3000)
    assert model.data(model.index(0, OFFICER), DISPLAY) == "Jo Smith"


def test_the_case_page_names_the_case_officer_and_who_changed_it(window, ctx, named, settle):
    page = window.open_case(named.id)
    settle()
    combo = page.summary.edits["officer"]
    assert (combo.currentText(), combo.currentData()) == ("Jo Smith", "j.smith")  # the case keeps the login
    assert [combo.itemText(i) for i in range(combo.count())] == ["— not assigned —", "Jo Smith", "Olu Officer"]
    assert "Last changed by Olu Officer." in page.summary.status_line.text()
    assert "officer.one" not in page.summary.status_line.text()


def test_a_case_officer_no_longer_active_is_still_named(window, ctx, named, settle):
    save_user(ctx, "j.smith", display_name="Jo Smith", role="officer", active=False)
    page = window.open_case(named.id)
    settle()
    combo = page.summary.edits["officer"]
    assert (combo.currentText(), combo.currentData()) == ("Jo Smith (no longer an active user)", "j.smith")
    assert page.summary.edited() == {}  # shown as it is, nothing typed


def test_the_audit_log_shows_the_name_and_the_login(qtbot, ctx, sqlite_url, named, dialogs, settle):
    from ui.views.data_protection import DataProtectionPage
    smith = make_context(sqlite_url, actor="j.smith", role="officer")
    wf.update_case_details(smith, named.id, named.version, {"impact": "Cannot sleep"})
    page = DataProtectionPage(ctx, dialogs)
    qtbot.addWidget(page)
    page.show()
    qtbot.waitExposed(page)
    settle()
    audit = page.audit_view
    page.tabs.setCurrentWidget(audit)
    settle()
    who = audit.model.headers.index("Who")
    change = next(i for i, r in enumerate(audit.model.rows) if r[4] == "change")
    assert audit.model.rows[change][who] == "Jo Smith (j.smith)"
    assert {r[who] for r in audit.model.rows} >= {"Jo Smith (j.smith)", "Olu Officer (officer.one)"}
    audit.view.selectRow(change)
    audit.show_values()
    settle()
    [values] = dialogs.previews
    qtbot.addWidget(values)
    [about] = [label for label in values.findChildren(QLabel) if label.accessibleName() == "About this change"]
    assert "by Jo Smith (j.smith) at" in about.text()
