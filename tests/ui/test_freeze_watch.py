"""The freeze log asked for with COMMUNITY_TRIGGER_FREEZE_LOG_MS: each freeze of the window over the
threshold is one line naming the work then waiting, and the session's longest is written at the end."""
from __future__ import annotations

import threading
import time

import pytest

from ui.freeze_watch import ENV, LEAST_MS, threshold_from_environment, watch_if_asked


@pytest.mark.parametrize(("text", "expected"), [("", None), ("abc", None), ("150", 150), ("5", LEAST_MS)])
def test_the_threshold_is_read_from_the_environment(monkeypatch, text, expected):
    monkeypatch.setenv(ENV, text)
    assert threshold_from_environment() == expected


def test_without_the_setting_nothing_watches(qapp, monkeypatch):
    from ui.tasks import Tasks
    monkeypatch.delenv(ENV, raising=False)
    assert watch_if_asked(Tasks.instance()) is None


def test_a_freeze_is_logged_with_the_work_waiting_and_the_longest_at_the_end(qtbot, tmp_path, monkeypatch):
    from app import diagnostics
    from ui.tasks import Tasks
    log = tmp_path / "diagnostics.log"
    diagnostics.set_log_path(log)
    monkeypatch.setenv(ENV, "60")
    tasks = Tasks.instance()
    watch = watch_if_asked(tasks)
    assert watch is not None
    held, got = threading.Event(), []
    try:
        tasks.query(held.wait, 30, on_done=got.append, what="read the case list")
        qtbot.waitUntil(lambda: watch.longest_ms > 0, timeout=5000)  # it is ticking
        time.sleep(0.25)  # the UI thread made busy on purpose: the freeze to be seen
        qtbot.waitUntil(lambda: watch.over >= 1, timeout=5000)
        held.set()
        qtbot.waitUntil(lambda: got == [True], timeout=5000)
        watch.finish()
        text = log.read_text(encoding="utf-8")
    finally:
        held.set()
        diagnostics.set_log_path(None)
    lines = [line for line in text.splitlines() if "window-freeze ms=" in line]
    assert lines and "work=read the case list" in lines[0] and " ui=" in lines[0]
    assert int(lines[0].split("ms=")[1].split()[0]) >= 250
    assert f"window-freeze-summary longest_ms={watch.longest_ms} over_60ms={watch.over}" in text and watch.over >= 1
