"""The child processes of benchmarks/run_all.py (figures 1 and 6: cold start and peak memory).

Each child is this file run with --child MODE --database DATABASE; MODE is "bare" or "app" (cold
start) or "bare-memory" or "memory" (peak RSS). Only the standard library is imported at module level
(here and in bench_machine), so the bare baseline pays nothing for the app.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench_machine import ROOT, Report, _progress

CHILD_TIMEOUT_S = 240
SCROLL_ROWS = 5000


# --------------------------------------------------------------------------------------------------
# Child processes (figures 1 and 6). Imports stay inside the functions: the stamps start at the very
# top of the child, and the bare baseline must not pay for the app's modules.
# --------------------------------------------------------------------------------------------------

def _child(mode: str, database: str) -> int:
    stamps = {"start": time.time()}
    out: dict[str, Any] = {"mode": mode}
    from PySide6.QtCore import QEvent, QObject
    from PySide6.QtWidgets import QApplication

    class PaintWatch(QObject):
        painted = False

        def eventFilter(self, watched, event):  # noqa: N802 - Qt API
            if event.type() == QEvent.Type.Paint:
                PaintWatch.painted = True
            return False

    def wait_until(app: QApplication, done: Callable[[], bool], timeout: float = 60.0) -> bool:
        limit = time.perf_counter() + timeout
        while time.perf_counter() < limit:
            app.processEvents()
            if done():
                return True
        return False

    watch = PaintWatch()
    if mode.startswith("bare"):
        from PySide6.QtWidgets import QMainWindow, QTableView
        stamps["imported"] = time.time()
        app = QApplication([sys.argv[0]])
        window = QMainWindow()
        table = QTableView()
        window.setCentralWidget(table)
        window.resize(1280, 800)
        table.viewport().installEventFilter(watch)
        window.show()
        stamps["window"] = time.time()
        out["painted"] = wait_until(app, lambda: PaintWatch.painted)
        stamps["shown"] = time.time()
        out["rows"] = 0
    else:
        sys.path.insert(0, str(ROOT))
        from app.db.location import DatabaseChoice, normalise_url
        from app.services.admin.database import open_database
        from app.services.admin.settings import needs_set_up
        from ui.main import case_list_factory, make_application
        from ui.main_window import MainWindow
        stamps["imported"] = time.time()
        app = make_application([sys.argv[0]])
        choice = DatabaseChoice(normalise_url(database), "benchmark")
        opened = open_database(choice, sign_in=False)
        out["signed_in_as"] = _sign_in(opened.context)
        stamps["opened"] = time.time()
        factory = case_list_factory()
        if factory is None:
            raise RuntimeError("ui.views.case_list.CaseListPage could not be imported")
        window = MainWindow(opened.context, choice, case_list_factory=factory)
        window.show()
        # As ui.main.run() does, without ever exec()ing a dialog: the set-up is only offered on an
        # empty database, and the benchmark says so instead of waiting for a click.
        out["needs_set_up"] = needs_set_up(opened.context)
        if not out["needs_set_up"]:
            window.offer_set_up()  # returns False at once on a database with cases
        window.restore_drafts()
        window.show_section(1)
        stamps["window"] = time.time()
        page = window.cases_page
        model, table = page.model, page.table
        table.viewport().installEventFilter(watch)
        ok = wait_until(app, lambda: model.rowCount() > 0 and PaintWatch.painted)
        stamps["shown"] = time.time()
        out["painted"] = PaintWatch.painted
        out["rows"] = model.rowCount()
        if not ok:
            out["warning"] = "timed out waiting for rows and a paint of the case list"
        if mode == "memory":
            from PySide6.QtCore import Qt
            display, decoration = Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.DecorationRole
            columns = model.columnCount()
            last = min(SCROLL_ROWS, model.rowCount())
            for row in range(last):
                for column in range(columns):
                    index = model.index(row, column)
                    model.data(index, display)
                    model.data(index, decoration)
                if row % 250 == 0:  # move the view too, as scrolling would, and let it paint
                    table.scrollTo(model.index(row, 0))
                    app.processEvents()
            table.scrollTo(model.index(max(last - 1, 0), 0))
            app.processEvents()
            out["scrolled_rows"] = last
            stamps["scrolled"] = time.time()
    if mode.endswith("memory"):
        import resource
        out["maxrss_kb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    out["stamps"] = stamps
    print("BENCH " + json.dumps(out), flush=True)
    sys.stderr.flush()
    os._exit(0)  # skip Qt's and SQLAlchemy's teardown: it is not part of what is measured


def _sign_in(ctx: Any) -> str:
    """Sign in as the app does; a login the database does not know gets a read-only role in memory
    (so that a database made by another account can still be measured without writing a user)."""
    from app.domain.roles import Role
    from app.services.common.errors import PermissionDenied
    from app.services.trust.users import sign_in
    try:
        sign_in(ctx)
        return f"{ctx.actor} ({ctx.role.value})"
    except PermissionDenied:
        ctx.role = Role.READ_ONLY
        return f"{ctx.actor} (not a user of this database: read-only role set in memory)"


def _run_child(mode: str, database: str) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="ct-bench-") as home:
        env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONDONTWRITEBYTECODE": "1",
               # A fresh place for QSettings and local drafts: no remembered query or geometry, and
               # the engineer's own settings are neither read nor written.
               "XDG_CONFIG_HOME": str(Path(home) / "config"), "XDG_DATA_HOME": str(Path(home) / "data"),
               "XDG_CACHE_HOME": str(Path(home) / "cache")}
        env.pop("PYTHONPATH", None)
        spawned = time.time()
        proc = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--child", mode,
                               "--database", database], capture_output=True, text=True, env=env,
                              timeout=CHILD_TIMEOUT_S, cwd=str(ROOT))
        ended = time.time()
    lines = [line for line in proc.stdout.splitlines() if line.startswith("BENCH ")]
    if not lines:
        tail = (proc.stderr or proc.stdout).strip().splitlines()
        raised = [line for line in tail if re.match(r"[A-Za-z_][\w.]*: ", line)]
        sys.stderr.write(f"child '{mode}' output:\n" + "\n".join(tail[-20:]) + "\n")
        raise RuntimeError(f"child '{mode}' failed (exit {proc.returncode}): "
                           + (raised[-1] if raised else tail[-1] if tail else "no output"))
    result = json.loads(lines[-1][6:])
    stamps = result["stamps"]
    result["spawned"] = spawned
    result["to_shown_ms"] = (stamps["shown"] - spawned) * 1000
    result["spawn_to_start_ms"] = (stamps["start"] - spawned) * 1000
    result["process_ms"] = (ended - spawned) * 1000
    return result


# --- 1. cold start ------------------------------------------------------------------------------

def bench_cold_start(report: Report, database: str, runs: int) -> None:
    section = "1 cold start"
    _run_child("bare", database)  # discarded: warms the OS file cache for both kinds of process
    _run_child("app", database)
    bare, app = [], []
    for n in range(runs):  # interleaved, so that drift on the machine hits both alike
        _progress(f"cold start run {n + 1}/{runs}")
        bare.append(_run_child("bare", database))
        app.append(_run_child("app", database))

    def med(results: list[dict[str, Any]], key: str) -> float:
        return statistics.median(r[key] for r in results)

    def phase(results: list[dict[str, Any]], a: str, b: str) -> float:
        return statistics.median((r["stamps"][b] - r["stamps"][a]) * 1000 for r in results)

    app_ms, bare_ms = med(app, "to_shown_ms"), med(bare, "to_shown_ms")
    ratio = app_ms / bare_ms
    rows = app[-1]["rows"]
    breakdown = (f"spawn {med(app, 'spawn_to_start_ms'):.0f}, imports {phase(app, 'start', 'imported'):.0f}, "
                 f"open+sign-in {phase(app, 'imported', 'opened'):.0f}, window {phase(app, 'opened', 'window'):.0f}, "
                 f"list shown {phase(app, 'window', 'shown'):.0f} ms; {rows:,} rows")
    if not all(r.get("painted") for r in app + bare):
        breakdown += "; a run timed out before its first paint"
    report.add(section, "process start -> case list shown (median)", app_ms, "ms",
               "bare QApplication + QMainWindow + empty QTableView", bare_ms, target="<= 1.5x baseline",
               met=ratio <= 1.5, note=breakdown)
    report.details["cold_start"] = {"app": app, "bare": bare, "signed_in_as": app[-1].get("signed_in_as"),
                                    "needs_set_up": app[-1].get("needs_set_up")}


# --- 6. memory ------------------------------------------------------------------------------------

def bench_memory(report: Report, database: str, runs: int) -> None:
    section = "6 peak memory"
    app, bare = [], []
    for n in range(runs):
        _progress(f"memory run {n + 1}/{runs}")
        bare.append(_run_child("bare-memory", database))
        app.append(_run_child("memory", database))
    app_mb = statistics.median(r["maxrss_kb"] for r in app) / 1024
    bare_mb = statistics.median(r["maxrss_kb"] for r in bare) / 1024
    report.add(section, f"peak RSS, case list open + {app[-1].get('scrolled_rows', 0):,} rows read", app_mb, "MB",
               "bare QApplication + QMainWindow + empty QTableView", bare_mb, target="< 300 MB",
               met=app_mb < 300, note=f"{app[-1]['rows']:,} cases listed; median of {runs} processes")
    report.details["memory"] = {"app_kb": [r["maxrss_kb"] for r in app], "bare_kb": [r["maxrss_kb"] for r in bare]}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="One child process of benchmarks/run_all.py.")
    parser.add_argument("--child", required=True, help="bare, app, bare-memory or memory")
    parser.add_argument("--database", required=True, help="SQLite file or URL")
    args = parser.parse_args(argv)
    return _child(args.child, args.database)


if __name__ == "__main__":
    sys.exit(main())
