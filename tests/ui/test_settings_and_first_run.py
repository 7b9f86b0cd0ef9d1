"""The first-run set-up, the Settings section, and settings enforced by role."""
from __future__ import annotations

import pytest

from app.services.admin import settings
from app.services.cases.summaries import list_cases
from app.services.common.errors import PermissionDenied
from app.services.intake.applications import create_application
from tests.conftest import make_context
from tests.db.helpers import application
from ui.views.first_run import FirstRunDialog
from ui.views.settings_page import SettingsPage


def test_first_run_set_up_keeps_typing_on_a_problem_then_saves(qtbot, ctx):
    assert settings.needs_set_up(ctx)
    dialog = FirstRunDialog(ctx)
    qtbot.addWidget(dialog)
    dialog.council.fields.set_value("name", "Pembury Borough Council")
    dialog.me.fields.set_value("display_name", "Jo")  # one word: not enough for a letter
    assert not dialog.save()
    assert dialog.me.fields.errors["display_name"].isVisibleTo(dialog)
    assert dialog.council.fields.value("name") == "Pembury Borough Council"
    dialog.me.fields.set_value("display_name", "Jo Smith")
    dialog.me.fields.set_value("phone", "01892 554000")
    dialog.me.fields.set_value("email", "jo.smith@example.gov.uk")
    assert dialog.save()
    assert ctx.settings().council.name == "Pembury Borough Council"
    assert settings.my_details(ctx) == ("Jo Smith", "01892 554000", "jo.smith@example.gov.uk")
    assert not settings.needs_set_up(ctx)


def test_first_run_can_load_demo_data(qtbot, ctx):
    dialog = FirstRunDialog(ctx)
    qtbot.addWidget(dialog)
    dialog.load_demo()
    assert len(list_cases(ctx)) == 300 and dialog.loaded_demo
    assert not settings.needs_set_up(ctx)  # there are cases now


def test_a_database_with_cases_is_not_offered_the_set_up(ctx):
    create_application(ctx, application("2026-11-02"))
    assert not settings.needs_set_up(ctx)


def test_settings_page_saves_deadlines_and_closure_days(qtbot, ctx, dialogs):
    page = SettingsPage(ctx, dialogs)
    qtbot.addWidget(page)
    page.spins["acknowledgement"].setValue(3)
    page.closures.setPlainText("23/11/2026\n24/12/2026")
    page.save_deadlines()
    assert ctx.settings().clocks.acknowledgement == 3
    assert [d.isoformat() for d in ctx.settings().closure_days] == ["2026-11-23", "2026-12-24"]
    created = create_application(ctx, application("2026-11-20"))
    [case] = [c for c in list_cases(ctx) if c.id == created.id]
    # 3 working days after Friday 20/11/2026: (23 closed) 24, 25, 26
    assert {k.value: v.due.isoformat() for k, v in case.due.items()}["acknowledgement"] == "2026-11-26"


def test_only_an_administrator_changes_the_council_settings(qtbot, sqlite_url, dialogs):
    make_context(sqlite_url)  # the administrator
    officer = make_context(sqlite_url, actor="o.fficer", role="officer")
    with pytest.raises(PermissionDenied):
        settings.save_council_details(officer, {"name": "X", "phone": "1", "email": "a@b"})
    page = SettingsPage(officer, dialogs)
    qtbot.addWidget(page)
    assert not page.council.isEnabled()
    settings.save_my_details(officer, display_name="Olu Fficer", phone="01892 000111", email="o@example.gov.uk")
    assert settings.my_details(officer)[0] == "Olu Fficer"
