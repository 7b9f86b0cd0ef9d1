"""The form's side of trust: a submission id made when it opens, checked after an ambiguous failure;
local drafts only while the database is unreachable, owner-only, and none for a read-only user."""
from __future__ import annotations

import stat

from app.services.cases.summaries import list_cases
from app.services.common.errors import OutcomeUnknown, PermissionDenied
from app.services.intake import applications
from tests.conftest import make_context
from tests.ui.test_intake_form import INCIDENTS, _fill_applicant


def _filled(window):
    form = window.new_telephone_application()
    _fill_applicant(form)
    form.sections.incidents.set_rows(INCIDENTS)
    return form


def test_the_connection_lost_at_commit_the_form_checks_and_finds_it_saved(window, ctx, monkeypatch, settle):
    import ui.views.intake.form as form_module
    form = _filled(window)
    real = applications.save_application

    def saved_then_lost(*args, **kwargs):
        real(*args, **kwargs)  # committed on the server...
        raise OutcomeUnknown("The connection to the database was lost while it was saving")  # ...reply lost

    monkeypatch.setattr(form_module, "save_application", saved_then_lost)
    assert form.save()
    settle()
    created = form.saved
    assert created is not None and created.already_saved
    assert not [d for d in window.dialogs.shown if d[0] == "error"]
    assert "Saved as" in form.banner.text() and len(list_cases(ctx)) == 1


def test_the_connection_lost_before_commit_the_form_checks_and_says_truly_not_saved(window, ctx, monkeypatch,
                                                                                   settle):
    import ui.views.intake.form as form_module
    form = _filled(window)
    first_id = form.submission_id

    def lost(*_args, **_kwargs):
        raise OutcomeUnknown("The connection to the database was lost while it was saving")

    monkeypatch.setattr(form_module, "save_application", lost)
    assert form.save()
    settle()
    assert form.saved is None
    kind, title, text = window.dialogs.shown[-1]
    assert kind == "error" and "has been checked: this application was not saved" in text
    monkeypatch.undo()
    assert form.save()  # saving again, as the message says: the same submission, saved once
    settle()
    created = form.saved
    assert created is not None and not created.already_saved and form.submission_id == first_id
    assert len(list_cases(ctx)) == 1


def test_saving_the_same_submission_twice_returns_the_first_case(ctx):
    from tests.db.helpers import application
    first = applications.save_application(ctx, application(), submission_id="7b0c8f36-1d2e-4c9b-9a51-2f0c1e3d4b5a")
    again = applications.save_application(ctx, application(), submission_id="7b0c8f36-1d2e-4c9b-9a51-2f0c1e3d4b5a")
    assert (again.id, again.reference, again.already_saved) == (first.id, first.reference, True)
    assert len(list_cases(ctx)) == 1


def test_a_local_draft_is_owner_only_and_removed_once_saved(window, ctx, monkeypatch, tmp_path, settle):
    from app.services.common.errors import DatabaseUnavailable
    from app.services.intake import support
    import ui.views.intake.drafts as drafts_module
    monkeypatch.setattr(drafts_module, "local_drafts_dir", lambda: tmp_path / "unsaved")
    form = _filled(window)

    def down(*_a, **_k):
        raise DatabaseUnavailable("The database cannot be reached just now")

    with monkeypatch.context() as m:
        m.setattr(support, "save_draft", down)
        form.autosave(force=True)
        settle()
    assert window.dialogs.shown == []  # an autosave never puts a message in front of the officer
    [kept] = list((tmp_path / "unsaved").glob("*.json"))
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "unsaved").stat().st_mode) == 0o700
    assert form.save()
    settle()
    assert form.saved is not None
    assert not kept.exists()


def test_no_draft_anywhere_for_a_user_who_may_not_create_cases(window, ctx, sqlite_url, monkeypatch, tmp_path,
                                                               settle):
    from app.services.intake import support
    import ui.views.intake.drafts as drafts_module
    monkeypatch.setattr(drafts_module, "local_drafts_dir", lambda: tmp_path / "unsaved")
    form = _filled(window)
    reader = make_context(sqlite_url, actor="r.only", role="read_only")
    reader.settings()  # as the app reads them, on opening the database (never from the form)
    form.ctx = reader
    form.autosave(force=True)
    settle()
    assert not (tmp_path / "unsaved").exists()
    assert support.list_drafts(reader) == []

    def refused(*_a, **_k):  # a refusal (not a lost connection) never falls back to a local file
        raise PermissionDenied("r.only (read only) may not change cases.")

    form.ctx = ctx
    monkeypatch.setattr(support, "save_draft", refused)
    form.autosave(force=True)
    settle()
    assert not (tmp_path / "unsaved").exists() and window.dialogs.shown == []
    reader.engine.dispose()
