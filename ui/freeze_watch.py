"""An optional watch on the window's responsiveness, for whoever is asked why "the window freezes".

With `COMMUNITY_TRIGGER_FREEZE_LOG_MS=100` in the environment (any number of milliseconds, at least 20),
a 10 ms timer ticks on the UI thread, and each time the window goes longer than that without a tick
one line goes to the diagnostics log (app/diagnostics.py): how long, which work was waiting or
running then (its description, such as "save the note", never a typed value), and where the UI
thread was in the app's code meanwhile (file, function and line, seen by a watching thread;
"qt-event-loop" when it was in Qt's own work, painting or laying out, or waiting for the interpreter
another thread held). When the app closes,
one more line gives the longest freeze of the session. It is the measure of benchmarks/bench_ui_freeze.py,
taken in the app as it is used, on the council's own network. Off unless asked for: a timer that
wakes the UI thread a hundred times a second is not free.
"""
from __future__ import annotations

import os
import sys
import threading
import time
from pathlib import Path

from PySide6.QtCore import QObject, Qt, QTimer
from shiboken6 import isValid

from ui.tasks import Tasks

ENV = "COMMUNITY_TRIGGER_FREEZE_LOG_MS"
TICK_MS = 10
LEAST_MS = 20  # below this the timer's own lateness would be logged as freezes
_ROOT = str(Path(__file__).resolve().parents[1])
_OURS = (str(Path(_ROOT) / "ui"), str(Path(_ROOT) / "app"))


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
        self._last = time.monotonic()
        self._where = ""  # where the UI thread was during the gap now open, if the watcher saw it
        self._ui_thread = threading.get_ident()
        self._stop = threading.Event()
        self._timer = QTimer(self)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.setInterval(TICK_MS)
        self._timer.timeout.connect(self._tick)
        self._timer.start()
        threading.Thread(target=self._watch, name="freeze-watch", daemon=True).start()

    def _tick(self) -> None:
        now = time.monotonic()
        gap = round((now - self._last) * 1000)
        self._last = now
        self.longest_ms = max(self.longest_ms, gap)
        where, self._where = self._where, ""
        if gap >= self.threshold_ms:
            self.over += 1
            running = "; ".join(self.tasks.pending_work()) or "nothing"
            _log_info(f"window-freeze ms={gap} work={running} ui={where or 'not seen'}")

    def _watch(self) -> None:
        """On its own thread: once a gap passes half the threshold, note where the UI thread is."""
        half = self.threshold_ms / 2000
        while not self._stop.wait(half / 2):
            if self._where or time.monotonic() - self._last < half:
                continue
            frame = sys._current_frames().get(self._ui_thread)
            where = _our_frames(frame)
            # Only the event loop's own call: Qt was painting or laying out, or the UI thread was
            # waiting for the interpreter another thread held.
            self._where = "qt-event-loop" if not where or where.startswith("ui/main.py:run:") else where

    def finish(self) -> None:
        self._stop.set()
        if not isValid(self._timer) or not self._timer.isActive():
            return  # finished already, or gone with the window
        self._timer.stop()
        _log_info(f"window-freeze-summary longest_ms={self.longest_ms} over_{self.threshold_ms}ms={self.over}")


def _our_frames(frame: object, most: int = 3) -> str:
    """The innermost frames of the app's own code (file:function:line), innermost first; no values."""
    found: list[str] = []
    while frame is not None and len(found) < most:
        code = frame.f_code  # type: ignore[attr-defined]
        if code.co_filename.startswith(_OURS):
            found.append(f"{Path(code.co_filename).relative_to(_ROOT).as_posix()}:{code.co_name}:"
                         f"{frame.f_lineno}")  # type: ignore[attr-defined]
        frame = frame.f_back  # type: ignore[attr-defined]
    return " < ".join(found)


def _log_info(line: str) -> None:
    from app.diagnostics import logger
    try:
        logger().info(line)
    except Exception:  # noqa: BLE001 - logging must never become the failure
        pass


def watch_if_asked(tasks: Tasks, parent: QObject | None = None) -> FreezeWatch | None:
    threshold = threshold_from_environment()
    return FreezeWatch(tasks, threshold, parent) if threshold is not None else None
