"""Changes saved by other users reach the window on F5 and when it regains focus, named case by case."""
from __future__ import annotations

from app.services.cases.agency_requests import add_note
from app.services.common.ops import Part
from app.services.intake.applications import save_application
from tests.conftest import make_context
from tests.db.helpers import application


def test_a_colleagues_note_reaches_the_views_when_the_window_checks(window, qtbot, settle, sqlite_url, monkeypatch):
    case_id = save_application(window.ctx, application()).id
    settle()  # the window's first look marks where the log stands
    seen: list = []
    monkeypatch.setattr(window, "apply_changes", lambda changes: seen.append(changes))
    colleague = make_context(sqlite_url, actor="officer.two", role="officer")
    add_note(colleague, case_id, "Called the landlord")
    colleague.engine.dispose()

    window.check_others()  # what F5 and regaining focus ask
    settle()
    assert len(seen) == 1
    assert seen[0].cases == frozenset({case_id}) and seen[0].touches(Part.NOTES)

    window.check_others()  # nothing new since: no refresh at all
    settle()
    assert len(seen) == 1


def test_f5_asks_the_server_too(window, qtbot, settle, sqlite_url, monkeypatch):
    case_id = save_application(window.ctx, application()).id
    settle()
    seen: list = []
    monkeypatch.setattr(window, "apply_changes", lambda changes: seen.append(changes))
    colleague = make_context(sqlite_url, actor="officer.two", role="officer")
    add_note(colleague, case_id, "Visited")
    colleague.engine.dispose()
    window.refresh_action.trigger()
    settle()
    assert any(case_id in c.cases for c in seen)


def test_cancelling_long_work_is_said_as_stopped_not_as_an_error(window, qtbot, settle, dialogs):
    from app.services.common.ops import NOTHING, Cancelled, Run
    from ui.tasks import Tasks
    seen_progress: list = []

    def stopped(progress=None):
        seen_progress.append(progress)
        progress.cancel()
        raise Cancelled("the panel pack", Run(("CT-1",), ("CT-2",), NOTHING, "cases"))
    got: list = []
    Tasks.instance().long(stopped, title="Panel pack", on_done=got.append, owner=window)
    settle()
    assert got == [] and seen_progress[0] is not None  # the work was handed its Progress
    assert dialogs.shown == [("info", "Panel pack", "Stopped: the panel pack was not produced and nothing was "
                                                    "saved (1 of 2 cases done before you stopped it).")]
