"""Database work off the UI thread: operations and queries run on workers, results come back by signal.

The pattern of Anki's `CollectionOp` and `QueryOp`: a view hands a service function to `Tasks`,
which runs it on a worker thread and calls back on the UI thread with the result (or the error,
in words, through the dialog service). After every successful operation `changed` carries the
operation's `Changes`, and each view decides from them whether what it shows is stale.

- Operations (changes) run one at a time, in the order asked for, on one worker: two saves never
  race each other, and a save is never overtaken by the refresh that should follow it.
- Queries (reads) run on their own workers beside them. A query given a `key` replaces any
  earlier query with the same key (a newer keystroke in a search box): the older one is dropped
  before it starts or, if it is already running, its result is thrown away.
- Nothing that crosses back is a session or an ORM object: services return plain values.
"""
from __future__ import annotations

import itertools
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Protocol

import shiboken6
from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QProgressDialog, QWidget

from app.services.common.errors import Conflict, ValidationFailed, in_words
from app.services.common.ops import Cancelled, Changes, Progress, changes_of
from ui.painted import FirstPaint



class Dialogs(Protocol):
    def info(self, title: str, text: str) -> None: ...
    def error(self, title: str, text: str) -> None: ...
    def warn(self, title: str, text: str) -> None: ...


Callback = Callable[[Any], None]


@dataclass(eq=False)
class Task:
    """One piece of work handed to a worker. `cancel()` drops it (and its result) if it is stale."""
    id: int
    kind: str                                   # "op" or "query"
    what: str                                   # for messages: "save the case", "read the list"
    fn: Callable[[], Any]
    on_done: Callback | None
    on_error: Callable[[BaseException], bool | None] | None
    owner: QWidget | None
    key: str | None = None
    busy: tuple[QWidget, ...] = ()
    progress: Progress | None = None
    future: Future[Any] | None = field(default=None, repr=False)
    dropped: bool = False
    finished: bool = False

    def cancel(self) -> None:
        self.dropped = True
        if self.progress is not None:
            self.progress.cancel()
        if self.future is not None:
            self.future.cancel()


class _Bridge(QObject):
    """Lives on the UI thread: a signal emitted from a worker is delivered here, queued."""
    finished = Signal(object, object, object)   # task, result, error
    progressed = Signal(object, int, int, str)  # task, done, total, label


class Tasks(QObject):
    """Runs services off the UI thread for every view of the application.

    One per application (`Tasks.instance()`), like Anki's task manager: every view queues its
    operations on the same single worker, so two saves from two tabs never race each other.
    Errors go to the owner's own dialog service when it has one (`owner.dialogs`), so a test's
    recorder or a page's parent window shows them.
    """

    changed = Signal(object)          # Changes, after each successful operation
    pending_changed = Signal(int)     # how many tasks are waiting or running
    idle = Signal()                   # nothing is waiting or running any more

    def __init__(self, dialogs: Dialogs | None = None, parent: QObject | None = None, *,
                 query_workers: int = 2) -> None:
        super().__init__(parent)
        self.dialogs = dialogs
        self._ops = ThreadPoolExecutor(max_workers=1, thread_name_prefix="operation")
        self._queries = ThreadPoolExecutor(max_workers=query_workers, thread_name_prefix="query")
        self._bridge = _Bridge()
        self._bridge.finished.connect(self._finished, Qt.ConnectionType.QueuedConnection)
        self._bridge.progressed.connect(self._progressed, Qt.ConnectionType.QueuedConnection)
        self._ids = itertools.count(1)
        self._pending: set[Task] = set()
        self._latest: dict[str, Task] = {}
        self._lock = threading.Lock()
        self._closed = False
        self._working: dict[QWidget, list[Task]] = {}

    _instance: Tasks | None = None

    @classmethod
    def instance(cls) -> Tasks:
        """The application's task runner, made on first use (a view built by a test gets it too)."""
        if cls._instance is None or not shiboken6.isValid(cls._instance) or cls._instance._closed:
            from PySide6.QtWidgets import QApplication
            cls._instance = cls(None, QApplication.instance())
        return cls._instance

    # --- asking for work -----------------------------------------------------------------------

    def op(self, fn: Callable[..., Any], *args: Any, on_done: Callback | None = None,
           on_error: Callable[[BaseException], bool | None] | None = None, owner: QWidget | None = None,
           what: str = "save the change", busy: Iterable[QWidget] = (), progress: Progress | None = None,
           **kwargs: Any) -> Task:
        """Run an operation (a change). `on_error` returns True when it has told the user itself."""
        return self._submit("op", lambda: fn(*args, **kwargs), on_done, on_error, owner, what, None,
                            tuple(busy), progress)

    def query(self, fn: Callable[..., Any], *args: Any, on_done: Callback,
              on_error: Callable[[BaseException], bool | None] | None = None, owner: QWidget | None = None,
              what: str = "read from the database", key: str | None = None, busy: Iterable[QWidget] = (),
              progress: Progress | None = None, **kwargs: Any) -> Task:
        """Run a read. A `key` makes a newer query with the same key replace this one."""
        return self._submit("query", lambda: fn(*args, **kwargs), on_done, on_error, owner, what, key,
                            tuple(busy), progress)

    def long(self, fn: Callable[..., Any], *args: Any, title: str, on_done: Callback, owner: QWidget,
             change: bool = True, label: str = "", **kwargs: Any) -> Task:
        """Long work with a progress bar and a Cancel button; `fn` takes `progress=`.

        Cancelling asks the work to stop between items: what was done stays done and the result
        says what was not started.
        """
        progress = Progress()
        dialog = QProgressDialog(label or title, "&Cancel", 0, 0, owner)
        dialog.setWindowTitle(title)
        dialog.setWindowModality(Qt.WindowModality.NonModal)  # the rest of the window stays usable
        dialog.setAutoClose(False)
        dialog.setAutoReset(False)
        dialog.setAccessibleName(title)
        dialog.canceled.connect(progress.cancel)
        # Shown now, and the work starts once it has been painted. A dialog that appeared later, in
        # the middle of the work, took the focus from the window, and the window repainted itself as
        # inactive (the case list asking its model for every cell) while the worker held the
        # interpreter: a freeze of 200 to 350 ms, measured (benchmarks/bench_ui_freeze.py). Painted
        # before the work starts, both happen while nothing competes with them.
        painted = threading.Event()
        dialog.show()
        FirstPaint(dialog, painted.set, latest_ms=500)

        def done(result: Any) -> None:
            dialog.close()
            on_done(result)

        def failed(exc: BaseException) -> bool:
            dialog.close()
            if isinstance(exc, Cancelled):  # the user's own Cancel: nothing was kept, and it says so
                dialogs = getattr(owner, "dialogs", None) or self.dialogs
                if dialogs is not None:
                    dialogs.info(title, in_words(exc))
                return True
            return False

        def work() -> Any:
            painted.wait(1.0)  # never longer: a window that is never painted (minimised) must not stop it
            return fn(*args, progress=progress, **kwargs)

        runner = self.op if change else self.query
        # The work is handed the Progress it reports to and whose Cancel it watches.
        task = runner(work, on_done=done, on_error=failed, owner=owner,
                      what=title[0].lower() + title[1:], progress=progress)
        task.on_progress = dialog  # type: ignore[attr-defined]
        return task

    # --- state ----------------------------------------------------------------------------------

    @property
    def pending(self) -> int:
        return len(self._pending)

    @property
    def is_idle(self) -> bool:
        return not self._pending

    def pending_work(self) -> list[str]:
        """What is waiting or running, in words ("save the note"), for the freeze log (ui/freeze_watch.py)."""
        return sorted(task.what for task in self._pending)

    def shutdown(self, wait: bool = True) -> None:
        """At close: let running work finish (a save in flight must land), drop what has not started."""
        self._closed = True
        for task in list(self._pending):
            if task.kind == "query":
                task.cancel()
        self._ops.shutdown(wait=wait, cancel_futures=False)
        self._queries.shutdown(wait=wait, cancel_futures=True)

    # --- internals --------------------------------------------------------------------------------

    def _submit(self, kind: str, call: Callable[[], Any], on_done: Callback | None,
                on_error: Callable[[BaseException], bool | None] | None, owner: QWidget | None, what: str,
                key: str | None, busy: tuple[QWidget, ...], progress: Progress | None) -> Task:
        task = Task(next(self._ids), kind, what, call, on_done, on_error, owner, key, busy, progress)
        if key is not None:
            earlier = self._latest.get(key)
            if earlier is not None:
                earlier.cancel()
            self._latest[key] = task
        if progress is not None:
            progress.on_update = lambda done, total, label: self._bridge.progressed.emit(task, done, total, label)
        for widget in busy:
            widget.setEnabled(False)
        self._pending.add(task)
        if kind == "op" and owner is not None:
            self._working.setdefault(owner, []).append(task)
            self._tell_owner(owner)
        self.pending_changed.emit(len(self._pending))
        if self._closed:
            self._finished(task, None, RuntimeError("the window is closing"))
            return task
        pool = self._ops if kind == "op" else self._queries
        task.future = pool.submit(self._work, task)
        # A task dropped before it started never reaches _work: tidy it up when its future is cancelled.
        def tidy(future: Future[Any]) -> None:
            if future.cancelled():
                self._bridge.finished.emit(task, None, None)
        task.future.add_done_callback(tidy)
        return task

    def _work(self, task: Task) -> None:
        """On the worker thread: run it, and send the outcome back to the UI thread."""
        if task.dropped:
            self._bridge.finished.emit(task, None, None)
            return
        try:
            result = task.fn()
        except BaseException as exc:  # noqa: BLE001 - every failure is reported to the user, in words
            self._bridge.finished.emit(task, None, exc)
            return
        self._bridge.finished.emit(task, result, None)

    def _tell_owner(self, owner: QWidget) -> None:
        """The part of the screen waiting for an operation says so: `owner.show_working(text)`.

        The text is "" once nothing of that owner's is waiting; a view disables the controls that
        would conflict while it is not "" (and leaves typing elsewhere alone).
        """
        if not shiboken6.isValid(owner):
            self._working.pop(owner, None)
            return
        show = getattr(owner, "show_working", None)
        if not callable(show):
            return
        waiting = self._working.get(owner, [])
        show(f"Saving: {waiting[0].what}…" if waiting else "")

    def _progressed(self, task: Task, done: int, total: int, label: str) -> None:
        dialog = getattr(task, "on_progress", None)
        if dialog is None or not shiboken6.isValid(dialog) or task.finished:
            return
        dialog.setMaximum(max(total, 0))
        dialog.setValue(min(done, total) if total else 0)
        if label:
            dialog.setLabelText(label)

    def _finished(self, task: Task, result: Any, error: BaseException | None) -> None:
        if task.finished:
            return
        task.finished = True
        self._pending.discard(task)
        if task.key is not None and self._latest.get(task.key) is task:
            del self._latest[task.key]
        for widget in task.busy:
            if shiboken6.isValid(widget):
                widget.setEnabled(True)
        if task.kind == "op" and task.owner is not None and task.owner in self._working:
            waiting = self._working[task.owner]
            if task in waiting:
                waiting.remove(task)
            if not waiting:
                del self._working[task.owner]
            self._tell_owner(task.owner)
        try:
            owner_gone = task.owner is not None and not shiboken6.isValid(task.owner)
            if error is not None:
                self._failed(task, error, owner_gone)
            elif not task.dropped or task.kind == "op":
                # An operation that ran did its work even if its view has gone: others must refresh.
                if task.kind == "op":
                    changes = changes_of(result)
                    if changes:
                        self.changed.emit(changes)
                if not owner_gone and not task.dropped and task.on_done is not None:
                    task.on_done(result)
        finally:
            self.pending_changed.emit(len(self._pending))
            if not self._pending:
                self.idle.emit()

    def _failed(self, task: Task, error: BaseException, owner_gone: bool) -> None:
        if task.dropped and task.kind == "query":
            return  # a stale read that failed: nobody is waiting for it
        if not isinstance(error, (Conflict, ValidationFailed)) and not isinstance(error, Exception):
            raise error  # KeyboardInterrupt and the like are not the user's problem to read
        handled = False
        if task.on_error is not None and not owner_gone:
            handled = bool(task.on_error(error))
        if handled:
            return
        if not isinstance(error, (Conflict, ValidationFailed)) and not _is_service_error(error):
            # The rotating log: the kind and the code locations, never the message (it can hold typed values).
            from app.diagnostics import log_failure
            log_failure(error, where=task.what)
        dialogs = getattr(task.owner, "dialogs", None) if not owner_gone else None
        dialogs = dialogs if dialogs is not None and hasattr(dialogs, "error") else self.dialogs
        if dialogs is None:
            from app.diagnostics import log_failure
            log_failure(error, where=task.what)  # no window to tell: at least the log holds it
            return
        if isinstance(error, Conflict):
            dialogs.warn("Changed by someone else", in_words(error))
        else:
            dialogs.error(f"Could not {task.what}", in_words(error))


def _is_service_error(error: BaseException) -> bool:
    from app.services.common.errors import ServiceError
    return isinstance(error, ServiceError)


def when_idle(tasks: Tasks, callback: Callable[[], None]) -> None:
    """Call back once nothing is waiting (at once if nothing is)."""
    if tasks.is_idle:
        QTimer.singleShot(0, callback)
        return

    def once() -> None:
        tasks.idle.disconnect(once)
        # A turn of the event loop of its own: `idle` is emitted at the end of the last result's
        # handler, and work run inside it (a restored form, some 35 ms) would lengthen that handler.
        QTimer.singleShot(0, callback)
    tasks.idle.connect(once)


def refresh_needed(changes: Changes, case_id: int | None = None, *parts: Any) -> bool:
    """Whether a view showing `parts` (of `case_id`, if it shows one case) is stale after `changes`."""
    if case_id is not None and not changes.touches_case(case_id):
        return False
    return not parts or changes.touches(*parts) or changes.all_cases


def run_once(tasks: Tasks, owner: QWidget, running: set[str], fn: Callable[..., Any], *args: Any, what: str,
             dialogs: Dialogs, reload: Callable[[], object], on_done: Callback | None = None,
             on_error: Callable[[BaseException], bool | None] | None = None, **kwargs: Any) -> Task | None:
    """One button, one operation: pressed again while it waits, nothing more happens (a double click
    must not save two notes). A conflict is said and the view read again (`reload`); any other
    problem goes in words to the dialogs unless `on_error` told the user itself."""
    if what in running:
        return None
    running.add(what)

    def done(result: Any) -> None:
        running.discard(what)
        if on_done is not None:
            on_done(result)

    def failed(exc: BaseException) -> bool:
        running.discard(what)
        if on_error is not None and on_error(exc):
            return True
        if isinstance(exc, Conflict):
            dialogs.warn("Changed by someone else", in_words(exc))
            reload()
            return True
        return False
    return tasks.op(fn, *args, on_done=done, on_error=failed, owner=owner, what=what, **kwargs)
