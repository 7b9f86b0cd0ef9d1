"""The first-run set-up, the Settings section, and settings enforced by role."""
from __future__ import annotations

import pytest

from app.services.admin import settings
from app.services.cases.summaries import list_cases
from app.services.common.errors import PermissionDenied
from app.services.common.ops import Changes, Part
from app.services.intake.applications import create_application
from app.services.trust import users
from tests.conftest import make_context
from tests.db.helpers import application
from ui.views.first_run import FirstRunDialog
from ui.views.settings_page import SettingsPage


@pytest.fixture
def settings_page(qtbot, tasks, settle):
    """`settings_page(ctx, dialogs)`: the page, wired to the operations' changes as the main window does."""
    built: list[SettingsPage] = []

    def make(ctx, dialogs) -> SettingsPage:
        page = SettingsPage(ctx, dialogs)
        tasks.changed.connect(page.apply_changes)
        built.append(page)
        qtbot.addWidget(page)
        settle()
        return page

    yield make
    for page in built:
        tasks.changed.disconnect(page.apply_changes)


def test_first_run_set_up_keeps_typing_on_a_problem_then_saves(qtbot, ctx, settle):
    assert settings.needs_set_up(ctx)
    dialog = FirstRunDialog(ctx)
    qtbot.addWidget(dialog)
    settle()  # the details, read off the UI thread
    assert dialog.council.fields.value("name") == ctx.settings().council.name and dialog.save_button.isEnabled()
    dialog.council.fields.set_value("name", "Pembury Borough Council")
    dialog.council.fields.set_value("email", "no at sign")
    dialog.me.fields.set_value("display_name", "Jo")  # one word: not enough for a letter
    dialog.me.fields.set_value("phone", "01892 554000")
    dialog.me.fields.set_value("email", "jo.smith@example.gov.uk")
    dialog.save()
    settle()
    # Both forms' problems at once, each by its own field (both forms have an email).
    assert dialog.me.fields.errors["display_name"].isVisibleTo(dialog)
    assert dialog.council.fields.errors["email"].isVisibleTo(dialog)
    assert not dialog.me.fields.errors["email"].isVisibleTo(dialog)
    assert "Not saved yet" in dialog.message.text() and dialog.result() != dialog.DialogCode.Accepted
    assert dialog.council.fields.value("name") == "Pembury Borough Council"
    assert ctx.settings().council.name != "Pembury Borough Council"  # nothing saved: all or nothing
    dialog.council.fields.set_value("email", "csu@pembury.gov.uk")
    dialog.me.fields.set_value("display_name", "Jo Smith")
    dialog.save()
    settle()
    assert dialog.result() == dialog.DialogCode.Accepted
    assert ctx.settings().council.name == "Pembury Borough Council"
    assert settings.my_details(ctx) == ("Jo Smith", "01892 554000", "jo.smith@example.gov.uk")
    assert not settings.needs_set_up(ctx)


def test_first_run_can_load_demo_data(qtbot, ctx, tasks, settle):
    dialog = FirstRunDialog(ctx)
    qtbot.addWidget(dialog)
    settle()
    with qtbot.waitSignal(tasks.changed) as changed:
        dialog.load_demo()
    settle()
    assert changed.args[0].all_cases and changed.args[0].touches(Part.LIST)  # the case list reads itself again
    assert len(list_cases(ctx)) == 300 and dialog.loaded_demo and not dialog.demo_button.isEnabled()
    assert not settings.needs_set_up(ctx)  # there are cases now


def test_a_database_with_cases_is_not_offered_the_set_up(ctx):
    create_application(ctx, application("2026-11-02"))
    assert not settings.needs_set_up(ctx)


def test_settings_page_saves_deadlines_and_closure_days(ctx, dialogs, settings_page, settle):
    page = settings_page(ctx, dialogs)
    assert page.spins["acknowledgement"].value() == ctx.settings().clocks.acknowledgement
    page.spins["acknowledgement"].setValue(3)
    page.closures.setPlainText("23/11/2026\n24/12/2026")
    page.save_deadlines()
    settle()
    assert dialogs.shown[-1][:2] == ("info", "Saved")
    assert ctx.settings().clocks.acknowledgement == 3
    assert [d.isoformat() for d in ctx.settings().closure_days] == ["2026-11-23", "2026-12-24"]
    created = create_application(ctx, application("2026-11-20"))
    [case] = [c for c in list_cases(ctx) if c.id == created.id]
    # 3 working days after Friday 20/11/2026: (23 closed) 24, 25, 26
    assert {k.value: v.due.isoformat() for k, v in case.due.items()}["acknowledgement"] == "2026-11-26"


def test_a_bad_closure_day_is_refused_before_anything_is_sent(ctx, dialogs, settings_page, tasks):
    page = settings_page(ctx, dialogs)
    page.closures.setPlainText("31/11/2026")
    page.save_deadlines()
    assert dialogs.shown[-1][:2] == ("error", "Not saved") and tasks.is_idle
    assert page.closures.toPlainText() == "31/11/2026"


def test_saving_one_part_keeps_what_is_typed_in_another(ctx, dialogs, settings_page, settle):
    page = settings_page(ctx, dialogs)
    page.spins["acknowledgement"].setValue(7)  # typed, not saved
    page.council.fields.set_value("name", "Pembury Borough Council")
    page.save_council()
    settle()  # its changes make the page read the settings again
    assert ctx.settings().council.name == "Pembury Borough Council"
    assert page.spins["acknowledgement"].value() == 7  # not put back to the saved value


def test_a_problem_with_your_details_is_shown_by_its_field(ctx, dialogs, settings_page, settle):
    page = settings_page(ctx, dialogs)
    page.me.fields.set_value("display_name", "Jo")
    page.save_me()
    settle()
    assert page.me.fields.errors["display_name"].isVisibleTo(page) and page.me.fields.value("display_name") == "Jo"
    page.me.fields.set_value("display_name", "Jo Smith")
    page.me.fields.set_value("phone", "01892 554000")
    page.me.fields.set_value("email", "jo.smith@example.gov.uk")
    page.save_me()
    settle()
    assert settings.my_details(ctx)[0] == "Jo Smith"
    assert ["officer.one", "Jo Smith"] in [row[:2] for row in page.users_model.rows]  # the list followed


def test_add_a_user_through_the_dialog(ctx, dialogs, settings_page, settle):
    page = settings_page(ctx, dialogs)

    def fill(dialog) -> None:
        dialog.set_value("login", "k.user")
        dialog.set_value("name", "K User")
        dialog.set_value("role", "manager")
        dialog.submit()

    dialogs.forms.append(fill)
    page.edit_user()
    settle()
    assert [u.role.value for u in users.list_users(ctx) if u.login == "k.user"] == ["manager"]
    assert ["k.user", "K User", "Manager", "Yes"] in page.users_model.rows
    page.users.selectRow(next(i for i, r in enumerate(page.users_model.rows) if r[0] == "k.user"))
    seen: dict = {}
    dialogs.forms.append(lambda d: seen.update(name=d.inputs["name"].text(), role=d.inputs["role"].currentData()))
    page.edit_user()  # the selected user's details are offered; closed without saving
    assert seen == {"name": "K User", "role": "manager"}


def test_the_rules_change_through_their_dialog(ctx, dialogs, settings_page, settle):
    page = settings_page(ctx, dialogs)
    assert "Threshold rules" in page.rules.history.text() and page.rules.change_button.isEnabled()

    def fill(dialog) -> None:
        dialog.set_value("review_route", "opcc")
        dialog.submit()

    dialogs.forms.append(fill)
    page.rules.change()
    settle()
    assert ctx.settings().review_route == "opcc"
    assert "Review of the review: " in page.rules.history.text() and "senior" not in page.rules.history.text().split(
        "Review of the review:")[1]


def test_changes_elsewhere_refresh_only_when_they_touch_settings_or_users(ctx, dialogs, settings_page, settle,
                                                                        monkeypatch):
    from ui.views import settings_page as module
    page = settings_page(ctx, dialogs)
    read: list[object] = []
    real = module.read_settings
    monkeypatch.setattr(module, "read_settings", lambda c: read.append(c) or real(c))
    page.apply_changes(Changes.of_case(1))
    page.apply_changes(Changes.of(Part.AGENCIES))
    settle()
    assert read == []
    page.apply_changes(Changes.of(Part.USERS))
    settle()
    assert len(read) == 1


def test_only_an_administrator_changes_the_council_settings(qtbot, sqlite_url, dialogs, settings_page):
    make_context(sqlite_url)  # the administrator
    officer = make_context(sqlite_url, actor="o.fficer", role="officer")
    with pytest.raises(PermissionDenied):
        settings.save_council_details(officer, {"name": "X", "phone": "1", "email": "a@b"})
    page = settings_page(officer, dialogs)
    assert not page.council.isEnabled() and not page.council_button.isEnabled()
    assert page.me.isEnabled() and page.me_button.isEnabled()
    assert not page.rules.change_button.isEnabled() and not page.user_button.isEnabled()
    settings.save_my_details(officer, display_name="Olu Fficer", phone="01892 000111", email="o@example.gov.uk")
    assert settings.my_details(officer)[0] == "Olu Fficer"
    officer.engine.dispose()
