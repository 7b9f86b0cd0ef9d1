"""The last resort: any exception nothing else caught reaches the user in words, and the log without values.

Installed once by ui/main.py. Qt hands an exception raised in a slot to sys.excepthook; a worker
thread's goes to threading.excepthook. Either way the user is told, through the dialog service, in
the words of app.services.common.errors.describe, and the rotating log in the user data folder gets
the exception's type and code locations only (app.diagnostics): never its message, which can hold
what was typed. A thread's failure is shown on the UI thread, through a queued signal.
"""
from __future__ import annotations

import sys
import threading
from types import TracebackType
from typing import Any, Protocol

from PySide6.QtCore import QObject, Qt, Signal

from app.diagnostics import log_failure
from app.services.common.errors import describe

TITLE = "Something went wrong"


class Dialogs(Protocol):
    def error(self, title: str, text: str) -> None: ...


class _Bridge(QObject):
    failed = Signal(object)


class ErrorHook:
    """Shows uncaught exceptions; keeps the previous hooks to put back (tests)."""

    def __init__(self, dialogs: Dialogs) -> None:
        self.dialogs = dialogs
        self._bridge = _Bridge()
        self._bridge.failed.connect(self._show, Qt.ConnectionType.QueuedConnection)
        self._previous: tuple[Any, Any] | None = None
        self._showing = False

    def install(self) -> ErrorHook:
        self._previous = (sys.excepthook, threading.excepthook)
        sys.excepthook = self.on_exception
        threading.excepthook = self.on_thread_exception
        return self

    def uninstall(self) -> None:
        if self._previous is not None:
            sys.excepthook, threading.excepthook = self._previous
            self._previous = None

    def on_exception(self, kind: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        if issubclass(kind, KeyboardInterrupt):
            if self._previous:
                self._previous[0](kind, exc, tb)
            return
        if exc.__traceback__ is None:
            exc = exc.with_traceback(tb)
        log_failure(exc, where="uncaught")
        if threading.current_thread() is threading.main_thread():
            self._show(exc)
        else:
            self._bridge.failed.emit(exc)

    def on_thread_exception(self, args: threading.ExceptHookArgs) -> None:
        if args.exc_value is None or isinstance(args.exc_value, SystemExit):
            return
        log_failure(args.exc_value, where=f"thread {args.thread.name if args.thread else '?'}")
        self._bridge.failed.emit(args.exc_value)

    def _show(self, exc: BaseException) -> None:
        if self._showing:  # one failure while its message is open: logged, not stacked
            return
        self._showing = True
        try:
            self.dialogs.error(TITLE, describe(exc) + "\n\nIf it happens again, tell your administrator.")
        finally:
            self._showing = False
