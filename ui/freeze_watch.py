"""An optional watch on the window's responsiveness, for whoever is asked why "the window freezes".

With `COMMUNITY_TRIGGER_FREEZE_LOG_MS=100` in the environment (any number of milliseconds, at least 20),
a 10 ms timer ticks on the UI thread, and each time the window goes longer than that without a tick
one line goes to the diagnostics log (app/diagnostics.py): how long, and which work was waiting or
running then (its description, such as "save the note", never a typed value). When the app closes,
one more line gives the longest freeze of the session. It is the measure of benchmarks/bench_ui_freeze.py,
taken in the app as it is used, on the council's own network. Off unless asked for: a timer that
wakes the UI thread a hundred times a second is not free.
"""
from __future__ import annotations

import os

from PySide6.QtCore import QElapsedTimer, QObject, Qt, QTimer
from shiboken6 import isValid

from ui.tasks import Tasks

ENV = "COMMUNITY_TRIGGER_FREEZE_LOG_MS"
TICK_MS = 10
LEAST_MS = 20  # below this the timer's own lateness would be logged as freezes


def threshold_from_environment() -> int | None:
    """The threshold asked for, or None (not set, or not a usable number: the app starts regardless)."""
    text = os.environ.get(ENV, "").strip()
    if not text:
        return None
    try:
        value = int(text)
    except ValueError:
        return None
    return max(value, LEAST_MS)


class FreezeWatch(QObject):
    """Ticks on the UI thread; logs each gap of at least `threshold_ms` and, at `finish()`, the longest."""

    def __init__(self, tasks: Tasks, threshold_ms: int, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.tasks = tasks
        self.threshold_ms = threshold_ms
        self.longest_ms = 0
        self.over = 0
        self._clock = QElapsedTimer()
        self._clock.start()
        self._last = 0
        self._timer = QTimer(self)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.setInterval(TICK_MS)
        self._timer.timeout.connect(self._tick)
        self._timer.start()

    def _tick(self) -> None:
        now = self._clock.elapsed()
        gap = now - self._last
        self._last = now
        self.longest_ms = max(self.longest_ms, gap)
        if gap >= self.threshold_ms:
            self.over += 1
            running = "; ".join(self.tasks.pending_work()) or "nothing"
            _log_info(f"window-freeze ms={gap} work={running}")

    def finish(self) -> None:
        if not isValid(self._timer) or not self._timer.isActive():
            return  # finished already, or gone with the window
        self._timer.stop()
        _log_info(f"window-freeze-summary longest_ms={self.longest_ms} over_{self.threshold_ms}ms={self.over}")


def _log_info(line: str) -> None:
    from app.diagnostics import logger
    try:
        logger().info(line)
    except Exception:  # noqa: BLE001 - logging must never become the failure
        pass


def watch_if_asked(tasks: Tasks, parent: QObject | None = None) -> FreezeWatch | None:
    threshold = threshold_from_environment()
    return FreezeWatch(tasks, threshold, parent) if threshold is not None else None
