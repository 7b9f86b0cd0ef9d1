"""Times the case list following one saved case, against a full refresh in the same run (not a test).

    .venv/bin/python benchmarks/bench_case_list_update.py [--database PATH] [--runs 9]

DATABASE is an SQLite file with 100,000 cases (default /tmp/demo100k.db; when it is missing or holds
fewer, the missing cases are generated first with `community-trigger --database ... demo`, as
benchmarks/run_all.py does). The file itself is only read: the changes are written to a copy made
with SQLite's backup, deleted afterwards.

The case list page is built offscreen and shown with its first screenful. Each run changes one case
on screen (its officer, as a colleague's save would) and then measures, on the UI thread:
  - apply_changes(that case) to the row showing the new value: the first repaint of the table after
    the model's dataChanged for that row (the target: 50 ms at 100,000 cases);
  - the same to the counts shown (read beside the row);
  - the longest gap between the ticks of a 10 ms timer meanwhile (how long the window froze);
and, as the baseline, a full refresh (F5: every id, the first rows, the counts and the filter
choices) to its first rows and to the end. Medians of the runs are printed.
"""
from __future__ import annotations

import argparse
import functools
import os
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from bench_machine import Report, _progress, ensure_database, machine  # noqa: E402

TARGET_MS = 50.0
OFFICERS = ("bench.officer.one", "bench.officer.two")  # logins no user has: the list shows them as typed


class Ticks:
    """A 10 ms timer on the UI thread: the longest gap between its ticks is the longest freeze."""

    def __init__(self) -> None:
        from PySide6.QtCore import Qt, QTimer
        self.timer = QTimer()
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.setInterval(10)
        self.timer.timeout.connect(self._tick)
        self.last = 0.0
        self.longest = 0.0

    def start(self) -> None:
        self.last, self.longest = time.perf_counter(), 0.0
        self.timer.start()

    def _tick(self) -> None:
        now = time.perf_counter()
        self.longest = max(self.longest, now - self.last)
        self.last = now

    def stop(self) -> float:
        self._tick()
        self.timer.stop()
        return self.longest * 1000


def _paint_watch() -> Any:
    from PySide6.QtCore import QEvent, QObject

    class PaintWatch(QObject):
        """Notes the first paint of the table after the changed row arrived in the model."""
        seen: dict[str, float] | None = None

        def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt API
            if (event.type() == QEvent.Type.Paint and self.seen is not None and "row" in self.seen
                    and "painted" not in self.seen):
                self.seen["painted"] = time.perf_counter()
            return False

    return PaintWatch()


def PaintWatch() -> Any:  # noqa: N802 - made on first use: Qt is imported inside measure()
    return _paint_watch()


def run_until(app: Any, done: Callable[[], bool], timeout_s: float = 60.0) -> bool:
    """Run the event loop (results arrive by queued signals) until `done()`; False on timeout.

    A real event loop, as the app runs, checked every millisecond: spinning processEvents() by
    hand delays the timers and would show freezes that the app does not have.
    """
    from PySide6.QtCore import QEventLoop, QTimer
    if done():
        return True
    loop = QEventLoop()
    check = QTimer()
    check.setInterval(1)
    check.timeout.connect(lambda: loop.quit() if done() else None)
    guard = QTimer()
    guard.setSingleShot(True)
    guard.timeout.connect(loop.quit)
    check.start()
    guard.start(int(timeout_s * 1000))
    loop.exec()
    check.stop()
    return done()


def copy_database(source: Path, target: Path) -> None:
    """SQLite's online backup: a consistent copy, the write-ahead log included."""
    with sqlite3.connect(str(source)) as src, sqlite3.connect(str(target)) as dst:
        src.backup(dst)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", default="/tmp/demo100k.db", help="SQLite file (default %(default)s)")
    parser.add_argument("--runs", type=int, default=9, help="runs of each; the median is reported")
    args = parser.parse_args(argv)
    source = Path(args.database).expanduser().resolve()
    cases = ensure_database(str(source), Report())
    with tempfile.TemporaryDirectory(prefix="ct-bench-update-") as scratch:
        copy = Path(scratch) / "cases.db"
        _progress(f"copying {source} ({cases:,} cases) to a scratch file for the writes")
        copy_database(source, copy)
        results = measure(f"sqlite:///{copy}", args.runs)
    info = machine()
    print(f"\nCase list after one saved case: {cases:,} cases ({source}); medians of {args.runs} runs")
    print(f"Machine: {info.get('cpu', info['machine'])}, {info['cores']} cores, Python {info['python']}, "
          f"SQLite {info['sqlite']}")
    width = max(len(label) for label, _ms in results)
    print(f"\n{'figure':<{width}}  {'ms':>8}")
    print(f"{'-' * width}  {'-' * 8}")
    for label, ms in results:
        print(f"{label:<{width}}  {ms:8.1f}")
    row = dict(results)["apply_changes(one case) to the row updated"]
    base = dict(results)["baseline: full refresh (F5) to its first rows"]
    print(f"\nRow updated in {row:.1f} ms against {base:.1f} ms for a full refresh ({base / row:.0f}x); "
          f"target {TARGET_MS:.0f} ms: {'met' if row <= TARGET_MS else 'NOT met'}.")
    return 0


def one_update(app: Any, page: Any, tasks: Any, ticks: Ticks, paints: Any, changes: Any,
               shows_new_value: Callable[[], bool], row: int) -> dict[str, float]:
    """apply_changes, then the event loop until the row shows the new value, is repainted, and the
    counts are shown; milliseconds from the call to each."""
    seen: dict[str, float] = {}

    def row_changed(top: Any, bottom: Any, _roles: Any = None) -> None:
        if "row" not in seen and top.row() <= row <= bottom.row() and shows_new_value():
            seen["row"] = time.perf_counter()

    show_counts = page._show_counts

    def counts_shown(counts: Any) -> None:
        show_counts(counts)
        seen.setdefault("counts", time.perf_counter())

    page.model.dataChanged.connect(row_changed)
    page._show_counts = counts_shown
    paints.seen = seen
    ticks.start()
    start = time.perf_counter()
    page.apply_changes(changes)
    ok = run_until(app, lambda: "painted" in seen and "counts" in seen and tasks.is_idle)
    frozen = ticks.stop()
    paints.seen = None
    page.model.dataChanged.disconnect(row_changed)
    del page._show_counts
    if not ok:
        raise SystemExit("the row was not updated within a minute")
    out = {key: (value - start) * 1000 for key, value in seen.items()}
    out["frozen"] = frozen
    return out


def one_refresh(app: Any, page: Any, tasks: Any, ticks: Ticks) -> dict[str, float]:
    """F5, then the event loop until everything is read again; milliseconds to its first rows and to the end."""
    seen: dict[str, float] = {}

    def rows_in() -> None:
        seen.setdefault("rows", time.perf_counter())

    page.model.rows_loaded.connect(rows_in)
    ticks.start()
    start = time.perf_counter()
    page.refresh()
    ok = run_until(app, lambda: "rows" in seen and tasks.is_idle)
    seen["end"] = time.perf_counter()
    frozen = ticks.stop()
    page.model.rows_loaded.disconnect(rows_in)
    if not ok:
        raise SystemExit("the refresh did not finish within a minute")
    out = {key: (value - start) * 1000 for key, value in seen.items()}
    out["frozen"] = frozen
    return out


def measure(url: str, runs: int) -> list[tuple[str, float]]:
    from PySide6.QtWidgets import QApplication
    from sqlalchemy import text

    from app.db.location import DatabaseChoice, normalise_url
    from app.services.admin.database import open_database
    from app.services.common.ops import Changes
    from bench_children import _sign_in
    from ui.models.case_table import COLUMNS
    from ui.tasks import Tasks
    from ui.views.case_list import CaseListPage

    app = QApplication.instance() or QApplication([sys.argv[0]])
    ctx = open_database(DatabaseChoice(normalise_url(url), "benchmark"), sign_in=False).context
    _progress(f"signed in as {_sign_in(ctx)}")
    tasks = Tasks.instance()
    page = CaseListPage(ctx)
    page.resize(1280, 800)
    page.show()
    model = page.model
    if not run_until(app, lambda: model.rowCount() > 0 and tasks.is_idle):
        raise SystemExit("the case list did not load within a minute")
    _progress(f"case list shown: {model.rowCount():,} cases")
    officer_column = next(n for n, c in enumerate(COLUMNS) if c.title == "Officer")
    row = 3  # on the first screen
    case_id = model.case_id(row)
    assert case_id is not None
    display = 0  # Qt.ItemDataRole.DisplayRole

    def shows(officer: str) -> bool:
        return str(model.data(model.index(row, officer_column), display)) == officer

    updated: list[float] = []
    in_model: list[float] = []
    counts_shown: list[float] = []
    frozen: list[float] = []
    paints = PaintWatch()
    page.table.viewport().installEventFilter(paints)
    ticks = Ticks()
    with ctx.engine.begin() as conn:
        original = conn.execute(text("SELECT officer FROM cases WHERE id = :id"), {"id": case_id}).scalar()
    for n in range(runs + 1):  # the first run warms the statement caches and is not counted
        officer = OFFICERS[n % 2]
        with ctx.engine.begin() as conn:  # a colleague's save, as the server sees it
            conn.execute(text("UPDATE cases SET officer = :o WHERE id = :id"), {"o": officer, "id": case_id})
        seen = one_update(app, page, tasks, ticks, paints, Changes.of_case(case_id),
                          functools.partial(shows, officer), row)
        if n:
            updated.append(seen["painted"])
            in_model.append(seen["row"])
            counts_shown.append(seen["counts"])
            frozen.append(seen["frozen"])
    with ctx.engine.begin() as conn:
        conn.execute(text("UPDATE cases SET officer = :o WHERE id = :id"), {"o": original, "id": case_id})

    first_rows: list[float] = []
    whole: list[float] = []
    refresh_frozen: list[float] = []
    for n in range(runs + 1):
        seen = one_refresh(app, page, tasks, ticks)
        if n:
            first_rows.append(seen["rows"])
            whole.append(seen["end"])
            refresh_frozen.append(seen["frozen"])
    tasks.shutdown()
    ctx.engine.dispose()
    median = statistics.median
    return [("apply_changes(one case) to the row updated", median(updated)),
            ("  of which: to the new value in the model", median(in_model)),
            ("apply_changes(one case) to the counts updated", median(counts_shown)),
            ("longest UI-thread freeze meanwhile", median(frozen)),
            ("baseline: full refresh (F5) to its first rows", median(first_rows)),
            ("baseline: full refresh to counts and filter choices", median(whole)),
            ("longest UI-thread freeze during the refresh", median(refresh_frozen))]


if __name__ == "__main__":
    sys.exit(main())
