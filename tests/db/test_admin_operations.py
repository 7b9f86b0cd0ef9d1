"""The administration operations say what they changed, so that the views showing it refresh (and only those).

Settings, users, retention, subject access and the audit export each return a value with `changes`;
the first-run set-up is one transaction whose problems name the form they belong to.
"""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select, update

from app.db.models import Case, SettingRow
from app.services.admin import settings
from app.services.common.errors import ValidationFailed
from app.services.common.ops import Part, changes_of
from app.services.intake.applications import create_application
from app.services.trust import users
from app.services.trust.retention import anonymise_case, delete_case
from app.services.trust.subject_access import PERSON, export_person, find_people
from tests.db.helpers import application

COUNCIL = {"name": "Pembury Borough Council", "phone": "01892 554000", "email": "csu@pembury.gov.uk"}
ME = {"display_name": "Jo Smith", "phone": "01892 554001", "email": "jo.smith@pembury.gov.uk", "job_title": ""}


def closed_case(ctx) -> int:
    case_id = create_application(ctx, application()).id
    with ctx.unit_of_work() as s:
        s.execute(update(Case).where(Case.id == case_id).values(status="closed", closed_on=date(2019, 3, 1)))
    return case_id


def test_settings_saves_say_the_settings_changed(ctx):
    council = settings.save_council_details(ctx, COUNCIL)
    assert council.changes.touches(Part.SETTINGS) and council.value.name == "Pembury Borough Council"
    deadlines = settings.save_deadlines(ctx, {"acknowledgement": 4}, [date(2026, 12, 24)])
    # The clocks and the "due soon" count of the list follow the deadlines.
    assert deadlines.changes.touches(Part.SETTINGS, Part.LIST) and deadlines.value.acknowledgement == 4
    mine = settings.save_my_details(ctx, display_name="Jo Smith", phone="1", email="jo@example.gov.uk")
    assert mine.changes.parts == {Part.USERS, Part.LIST}  # the name is in the list's officer column


def test_a_settings_change_leaves_the_new_settings_read_for_the_ui_thread(ctx):
    """Saved on the worker and read again there: the form built next on the UI thread reads nothing."""
    settings.save_deadlines(ctx, {"acknowledgement": 4}, [date(2026, 12, 24)])
    reads = []
    original = ctx.reading

    def counting():
        reads.append(1)
        return original()

    ctx.reading = counting  # type: ignore[method-assign]
    try:
        assert ctx.settings().clocks.acknowledgement == 4
        assert date(2026, 12, 24) in ctx.calendar().closure_days
    finally:
        ctx.reading = original  # type: ignore[method-assign]
    assert reads == []


def test_saving_a_user_says_the_users_changed_and_nothing_when_nothing_did(ctx):
    made = users.save_user(ctx, "k.user", display_name="K User", role="officer")
    assert made.changes.parts == {Part.USERS} and made.login == "k.user"
    same = users.save_user(ctx, "k.user", display_name="K User", role="officer")
    assert not same.changes
    assert users.change_user(ctx, "k.user", role="manager").changes.touches(Part.USERS)


def test_anonymising_and_deleting_name_the_case_and_the_retention_list(ctx):
    kept, gone = closed_case(ctx), closed_case(ctx)
    anonymised = anonymise_case(ctx, kept, "retention period ended")
    assert anonymised.changes.cases == {kept} and anonymised.changes.touches(Part.RETENTION, Part.LIST)
    deleted = delete_case(ctx, gone, "opened in error")
    assert deleted.changes.removed == {gone} and deleted.changes.touches(Part.RETENTION) and deleted.changes.touches(Part.LIST)


def test_a_subject_access_export_is_on_the_timeline_of_each_case(ctx):
    first = create_application(ctx, application()).id
    [match] = find_people(ctx, "patel")
    bundle = export_person(ctx, PERSON, match.id, "SAR received 20/11/2026")
    assert bundle.changes.cases == {first} and bundle.changes.parts == {Part.TIMELINE, Part.REPORTS}
    assert changes_of(bundle) == bundle.changes


def test_the_first_run_set_up_is_one_transaction(ctx):
    before = ctx.transactions
    done = settings.complete_set_up(ctx, dict(COUNCIL), dict(ME))
    assert ctx.transactions == before + 1
    assert done.changes.touches(Part.SETTINGS) and done.changes.touches(Part.USERS)
    assert ctx.settings().council.name == "Pembury Borough Council"
    assert settings.my_details(ctx) == ("Jo Smith", "01892 554001", "jo.smith@pembury.gov.uk")
    assert not settings.needs_set_up(ctx)


def test_the_set_up_names_every_problem_of_both_forms_and_saves_nothing(ctx):
    with pytest.raises(ValidationFailed) as refused:
        settings.complete_set_up(ctx, {**COUNCIL, "email": "no at sign"}, {**ME, "display_name": "Jo", "phone": ""})
    assert sorted(p.field for p in refused.value.problems) == ["council.email", "me.display_name", "me.phone"]
    assert ctx.settings().council.name != "Pembury Borough Council"
    with ctx.unit_of_work() as s:
        assert s.get(SettingRow, settings.SET_UP_KEY) is None


def test_the_set_up_is_all_or_nothing(ctx, monkeypatch):
    def fails(*_args, **_kwargs):
        raise RuntimeError("the server went away")
    monkeypatch.setattr(settings, "mark_set_up", fails)
    with pytest.raises(RuntimeError):
        settings.complete_set_up(ctx, dict(COUNCIL), dict(ME))
    ctx.forget_settings()
    assert ctx.settings().council.name != "Pembury Borough Council"
    assert settings.my_details(ctx)[0] != "Jo Smith"


def test_a_user_who_may_not_change_settings_saves_only_their_own_details(ctx, sqlite_url):
    from tests.conftest import make_context
    officer = make_context(sqlite_url, actor="o.fficer", role="officer")
    done = settings.complete_set_up(officer, None, {**ME, "display_name": "Olu Fficer"})
    assert done.changes.parts == {Part.USERS}
    assert settings.my_details(officer)[0] == "Olu Fficer"
    assert settings.needs_set_up(officer)  # the council's details are still for an administrator
    with officer.unit_of_work() as s:
        assert s.scalar(select(SettingRow.key).where(SettingRow.key == settings.SET_UP_KEY)) is None
    officer.engine.dispose()


def test_settings_read_on_one_worker_while_another_reloads_them_are_never_missing(ctx):
    """The settings page reloads them on one worker while another builds what a page shows."""
    import threading
    seen: list[object] = []
    stop = threading.Event()

    def reloading() -> None:
        while not stop.is_set():
            ctx.reload_settings()

    import sys
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads as often as the interpreter can: the gap is a few bytecodes
    worker = threading.Thread(target=reloading)
    worker.start()
    try:
        for _ in range(2000):
            seen += [ctx.settings(), ctx.calendar()]
    finally:
        stop.set()
        worker.join()
        sys.setswitchinterval(interval)
    assert None not in seen
