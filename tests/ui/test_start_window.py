"""Start-up shows the window first: it is on screen before the database is opened, the case list is in
place before the set-up check and the drafts are read (both off the UI thread), and a database that
cannot be opened is explained in words in the window that is already there."""
from __future__ import annotations

import sys

from PySide6.QtCore import QSettings

from tests.ui.test_off_thread import Gate


def _start(tmp_path, dialogs, database: str):
    from ui.main import Start
    settings = QSettings(str(tmp_path / "ui.ini"), QSettings.Format.IniFormat)
    return Start(database, dialogs=dialogs, settings=settings)


def test_the_window_is_shown_before_the_set_up_check_and_the_drafts(qtbot, tmp_path, monkeypatch, dialogs,
                                                                    settle):
    import ui.views.intake.drafts as drafts_module
    monkeypatch.setattr(drafts_module, "local_drafts_dir", lambda: tmp_path / "unsaved")
    opening = Gate(monkeypatch, "ui.main.open_for_window")
    set_up = Gate(monkeypatch, "ui.main_window.needs_set_up")
    drafts = Gate(monkeypatch, "ui.main_window.list_drafts")
    start = _start(tmp_path, dialogs, f"sqlite:///{tmp_path / 'new.db'}")
    window = start.window
    qtbot.addWidget(window)
    try:
        # Painted while the database is still being opened on the worker.
        qtbot.waitExposed(window)
        qtbot.waitUntil(opening.entered.is_set, timeout=10000)
        assert window.isVisible() and window.ctx is None and "Opening the database" in window.db_label.text()
        assert not window.new_phone_action.isEnabled()  # nothing to open a form on yet
        window.show_section(5)  # Ctrl+6 at once: the section waits for the database, nothing fails
        assert window.pages.currentIndex() == 5 and window._sections == {}
        opening.release()
        qtbot.waitUntil(set_up.entered.is_set, timeout=30000)
        # The set-up check is held: the window is up, the case list in place, the drafts not asked for.
        from ui.views.case_list import CaseListPage
        assert window.isVisible() and isinstance(window.cases_page, CaseListPage)
        assert window.new_phone_action.isEnabled() and "new.db" in window.db_label.text()
        assert window.windowTitle() == "new.db \N{EM DASH} Community Trigger Case Manager"  # which database, at a glance
        assert list(window._sections) == ["Agencies"] and window.pages.currentWidget() is window.agencies_page
        assert drafts.calls == 0 and not set_up.on_ui_thread
        set_up.release()  # a new database: the set-up is offered (and put off), then the drafts
        qtbot.waitUntil(drafts.entered.is_set, timeout=10000)
        assert [type(d).__name__ for d in dialogs.ran] == ["FirstRunDialog"] and not drafts.on_ui_thread
        drafts.release()
        settle()
        assert window.applications.forms() == [] and start.failed is None
        # What start-up loaded is kept out of the collector's full sweeps, which on a worker froze the
        # window for 40 to 100 ms each (ui.main.keep_out_of_collections).
        import gc
        assert gc.get_freeze_count() > 0
    finally:
        for gate in (opening, set_up, drafts):
            gate.release()
        settle()
        start.close()


def test_a_database_that_cannot_be_opened_is_explained_in_the_window(qtbot, tmp_path, dialogs, settle):
    from app import diagnostics
    from ui.main import Start
    diagnostics.set_log_path(tmp_path / "logs" / "community-trigger.log")
    failed: list[int] = []
    (tmp_path / "a-file").write_text("not a folder")
    settings = QSettings(str(tmp_path / "ui.ini"), QSettings.Format.IniFormat)
    start = Start(f"sqlite:///{tmp_path / 'a-file' / 'cases.db'}", dialogs=dialogs, settings=settings,
                  on_failed=failed.append)
    qtbot.addWidget(start.window)
    try:
        settle()
        [(kind, _title, text)] = dialogs.shown
        assert kind == "error" and failed == [1] and start.failed == text
        assert "could not be opened" in text and "a-file" in text and "Traceback" not in text
        assert start.window.ctx is None and not start.window.new_phone_action.isEnabled()
    finally:
        start.close()
        diagnostics.set_log_path(None)


def test_the_window_is_painted_before_the_database_layer_is_imported(tmp_path):
    """In a fresh process: building and showing the window imports neither SQLAlchemy nor app.db."""
    import subprocess
    code = ("import sys\n"
            "from ui.main import make_application\n"
            "from ui.main_window import MainWindow\n"
            "app = make_application()\n"
            "window = MainWindow(None, None)\n"
            "window.show()\n"
            "app.processEvents()\n"
            "print(sorted(m for m in sys.modules if m == 'sqlalchemy' or m.startswith(('sqlalchemy.', 'app.db',"
            " 'app.services.intake', 'app.services.cases', 'reportlab'))))\n")
    env = {"QT_QPA_PLATFORM": "offscreen", "PATH": "/usr/bin:/bin", "HOME": str(tmp_path),
           "XDG_CONFIG_HOME": str(tmp_path / "config"), "XDG_DATA_HOME": str(tmp_path / "data")}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120,
                          cwd=str(__import__("pathlib").Path(__file__).resolve().parents[2]))
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "[]"


def test_only_the_window_skips_the_command_line():
    from ui.entry import window_only
    assert window_only([]) == (True, None)
    assert window_only(["--database", "sqlite:///x.db"]) == (True, "sqlite:///x.db")
    assert window_only(["--database=sqlite:///x.db"]) == (True, "sqlite:///x.db")
    for argv in (["cases"], ["--database", "sqlite:///x.db", "cases"], ["--version"], ["--help"],
                 ["--database"], ["--database", "--version"]):
        assert window_only(argv) == (False, None), argv


def test_the_first_telephone_form_is_built_ahead_and_handed_over_fresh(window, ctx, settle, monkeypatch):
    """Built while no worker is busy (ui.main.Start does this once the app is loaded), so that the first
    Ctrl+N of a call shows a form at once; it is handed over with its own submission id and the time
    the call came in, and a postal form or a second call's form is built as before."""
    window.prepare_spare_form()
    settle()
    spare = window._spare_form
    assert spare is not None and spare.mode == "telephone" and not spare.isVisible()
    built_with = spare.submission_id
    from datetime import datetime
    monkeypatch.setattr(ctx, "now", lambda: datetime(2026, 12, 2, 9, 41))
    postal = window.new_postal_application()
    assert postal is not spare and window._spare_form is spare  # kept for the call
    form = window.new_telephone_application()
    assert form is spare and window._spare_form is None
    assert form.isVisible() and form.submission_id != built_with
    assert form.fields.value("received_at") == "02/12/2026 09:41"
    assert window.new_telephone_application() is not spare
    forms = window.applications.forms()
    assert len(forms) == 3 and forms[:2] == [postal, form]
