"""How fast the window comes up, against a bare PySide6 window measured in the same run (not a test).

    .venv/bin/python benchmarks/bench_start.py [--database PATH] [--cases 100000] [--runs 7]
                                               [--importtime]

Each run is a fresh process, started as a user starts the app: `community-trigger --database URL`
(ui/entry.py's main, on SQLite). Two moments are stamped from the process spawn:
  - window painted: the first paint of the main window;
  - first screenful: the case table painted with the first cases in it (the child goes to the Cases
    section the moment the window is painted, as an officer pressing Ctrl+2 at once would).
The baseline is a bare PySide6 process: QApplication + QMainWindow (1280x800) shown and painted.
Runs are interleaved (bare, app, bare, app...) after one discarded pair that warms the file cache;
the medians and the ratios are printed. Targets (issue 12): window painted <= 1.5x the bare window,
first screenful <= 2x.

DATABASE (default /tmp/demo100k.db) is an SQLite file with the demo cases; when it is missing or has
fewer than --cases, the missing cases are made first with `community-trigger --database ... demo`
(about a minute a 100,000 on a quiet machine). Only the sign-in's audit entry is written to it.
--importtime runs one more app process under `python -X importtime` and prints the slowest imports
(cumulative) and which modules were loaded when the window was first painted.

Only the standard library is imported here: the bare child must not pay for the app.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
CHILD_TIMEOUT_S = 180
TARGET_WINDOW = 1.5
TARGET_FIRST_SCREEN = 2.0


# --- the child processes (imports inside the functions: the stamps start at the top) -------------------

def _child(mode: str, database: str) -> int:
    start = time.time()
    stamps: dict[str, float] = {"start": start}
    out: dict[str, Any] = {"mode": mode}

    def finish() -> None:
        out["stamps"] = stamps
        print("BENCH " + json.dumps(out), flush=True)
        sys.stderr.flush()
        os._exit(0)  # Qt's and SQLAlchemy's teardown is not part of what is measured

    from PySide6.QtCore import QEvent, QObject, QTimer
    from PySide6.QtWidgets import QApplication, QMainWindow, QTableView

    class Watch(QObject):
        """Sees the paints of the window, and later of the case table's viewport; nothing else (an
        event filter on the whole application would slow the app's start more than the bare one's)."""

        def __init__(self, window: QMainWindow) -> None:
            super().__init__(window)
            self.window = window
            self.table: QTableView | None = None
            window.installEventFilter(self)

        def watch_table(self, table: QTableView) -> None:
            self.table = table
            table.viewport().installEventFilter(self)

        def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt API
            if event.type() != QEvent.Type.Paint:
                return False
            if watched is self.window and "window" not in stamps:
                stamps["window"] = time.time()
                out["modules_at_paint"] = len(sys.modules)
                out["sqlalchemy_at_paint"] = "sqlalchemy" in sys.modules
                if mode == "bare":
                    QTimer.singleShot(0, finish)
                else:
                    # The officer goes straight to the case list.
                    QTimer.singleShot(0, lambda: self.window.show_section(1))  # type: ignore[attr-defined]
            elif self.table is not None and watched is self.table.viewport() and _first_rows(self.table):
                stamps.setdefault("first_screen", time.time())
                out["rows"] = self.table.model().rowCount()
                QTimer.singleShot(0, finish)
            return False

    def _first_rows(table: QTableView) -> bool:
        model = table.model()
        if model is None or model.rowCount() == 0:
            return False
        text = str(model.data(model.index(0, 0)) or "")
        return bool(text) and "…" not in text and "loading" not in text.lower()

    if mode == "bare":
        stamps["qt_imported"] = time.time()
        app = QApplication([sys.argv[0]])
        stamps["application"] = time.time()
        window = QMainWindow()
        window.resize(1280, 800)
        Watch(window)
        stamps["built"] = time.time()
        window.show()
        stamps["shown"] = time.time()
        QTimer.singleShot(CHILD_TIMEOUT_S * 1000, finish)
        app.exec()
        return 0
    # The app, as the user starts it: the installed command's main, with --database.
    sys.path.insert(0, str(ROOT))
    stamps["qt_imported"] = time.time()
    import ui.main as main_module
    made = main_module.make_application

    def make_and_watch(argv: list[str] | None = None, **kwargs: Any) -> Any:
        stamps["ui_imported"] = time.time()
        app = made(argv, **kwargs)
        QTimer.singleShot(CHILD_TIMEOUT_S * 1000, finish)
        import ui.main_window
        cls = ui.main_window.MainWindow
        name = "show_window" if hasattr(cls, "show_window") else "show"  # an older version: show()
        show = getattr(cls, name)
        attach = getattr(cls, "attach", None)
        watches: list[Any] = []

        def stamped(window: Any) -> None:
            if not watches:
                stamps["built"] = time.time()
                watches.append(Watch(window))
                if attach is None:  # an older version: the case list is there from the start
                    watches[0].watch_table(window.cases_page.table)
            show(window)
            stamps.setdefault("shown", time.time())
        setattr(cls, name, stamped)

        def attached(window: Any, *args: Any, **kwargs: Any) -> None:
            assert attach is not None
            attach(window, *args, **kwargs)
            stamps["attached"] = time.time()
            if watches:
                watches[0].watch_table(window.cases_page.table)
        if attach is not None:
            cls.attach = attached  # type: ignore[method-assign]
        stamps["application"] = time.time()
        return app

    main_module.make_application = make_and_watch  # type: ignore[assignment]
    sys.argv = ["community-trigger", "--database", database]
    from ui.entry import main
    main()
    out["warning"] = "the app ended before the first screenful was painted"
    finish()
    return 0


# --- the parent ------------------------------------------------------------------------------------

def _progress(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def _env(home: str) -> dict[str, str]:
    env = {**os.environ, "QT_QPA_PLATFORM": os.environ.get("QT_QPA_PLATFORM", "offscreen"),
           "PYTHONDONTWRITEBYTECODE": "1",
           # A fresh place for QSettings and local drafts: no remembered geometry or query, no drafts.
           "XDG_CONFIG_HOME": str(Path(home) / "config"), "XDG_DATA_HOME": str(Path(home) / "data"),
           "XDG_CACHE_HOME": str(Path(home) / "cache")}
    env.pop("PYTHONPATH", None)
    return env


def _run_child(mode: str, database: str, *, importtime: bool = False) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="ct-start-") as home:
        command = [sys.executable, *(["-X", "importtime"] if importtime else []), str(Path(__file__).resolve()),
                   "--child", mode, "--database", database]
        spawned = time.time()
        proc = subprocess.run(command, capture_output=True, text=True, env=_env(home), timeout=CHILD_TIMEOUT_S + 30,
                              cwd=str(ROOT))
    lines = [line for line in proc.stdout.splitlines() if line.startswith("BENCH ")]
    if not lines:
        sys.stderr.write(proc.stderr[-4000:])
        raise RuntimeError(f"child {mode!r} failed (exit {proc.returncode})")
    result: dict[str, Any] = json.loads(lines[-1][6:])
    stamps = result["stamps"]
    result["window_ms"] = (stamps["window"] - spawned) * 1000 if "window" in stamps else None
    result["first_screen_ms"] = (stamps["first_screen"] - spawned) * 1000 if "first_screen" in stamps else None
    result["python_start_ms"] = (stamps["start"] - spawned) * 1000
    if importtime:
        result["importtime"] = proc.stderr
    return result


def _count_cases(path: Path) -> int:
    import sqlite3
    if not path.exists():
        return 0
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
            return int(conn.execute("SELECT count(*) FROM cases").fetchone()[0])
    except sqlite3.Error:
        return 0


def ensure_database(path: Path, wanted: int) -> int:
    have = _count_cases(path)
    if have < wanted:
        tool = Path(sys.executable).parent / "community-trigger"
        command = ([str(tool)] if tool.exists() else [sys.executable, "-m", "ui.entry"]) + [
            "--database", f"sqlite:///{path}", "demo", "--cases", str(wanted - have)]
        _progress(f"{path} has {have:,} cases: making {wanted - have:,} more ({' '.join(command)})")
        subprocess.run(command, check=True, cwd=str(ROOT), stdout=subprocess.DEVNULL,
                       env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
        have = _count_cases(path)
    return have


def _slowest_imports(stderr: str, count: int = 25) -> list[tuple[int, str]]:
    rows = []
    for line in stderr.splitlines():
        if not line.startswith("import time:") or "|" not in line:
            continue
        parts = [p.strip() for p in line.removeprefix("import time:").split("|")]
        if len(parts) == 3 and parts[1].isdigit():
            rows.append((int(parts[1]), parts[2]))
    return sorted(rows, reverse=True)[:count]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", default="/tmp/demo100k.db", help="an SQLite file (default %(default)s)")
    parser.add_argument("--cases", type=int, default=100_000, help="cases the database should hold")
    parser.add_argument("--runs", type=int, default=7, help="processes of each kind; the median is reported")
    parser.add_argument("--importtime", action="store_true", help="also list the slowest imports of one start")
    parser.add_argument("--json", type=Path, help="write every run's stamps here")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        return _child(args.child, args.database)
    path = Path(args.database).expanduser().resolve()
    cases = ensure_database(path, args.cases)
    url = f"sqlite:///{path}"
    _progress(f"{cases:,} cases in {path}; warming the file cache")
    _run_child("bare", url)
    _run_child("app", url)
    bare: list[dict[str, Any]] = []
    app: list[dict[str, Any]] = []
    for n in range(args.runs):  # interleaved, so that drift on the machine hits both alike
        _progress(f"run {n + 1}/{args.runs}")
        bare.append(_run_child("bare", url))
        app.append(_run_child("app", url))
    bare_ms = statistics.median(r["window_ms"] for r in bare)
    window_ms = statistics.median(r["window_ms"] for r in app)
    shown = [r["first_screen_ms"] for r in app if r["first_screen_ms"] is not None]
    first_ms = statistics.median(shown) if shown else float("nan")
    python_ms = statistics.median(r["python_start_ms"] for r in bare)
    print(f"\n{cases:,} cases in {path} (SQLite); median of {args.runs} fresh processes of each kind; "
          f"from the spawn (Python itself starts in about {python_ms:.0f} ms)\n")
    print(f"{'moment':<44} {'ms':>8} {'x bare':>8}  target")
    print(f"{'-' * 44} {'-' * 8} {'-' * 8}  {'-' * 10}")
    print(f"{'bare PySide6 window painted':<44} {bare_ms:8.0f} {1:8.2f}")
    for label, value, target in (("the app's window painted", window_ms, TARGET_WINDOW),
                                 ("the first screenful of cases painted", first_ms, TARGET_FIRST_SCREEN)):
        ratio = value / bare_ms
        print(f"{label:<44} {value:8.0f} {ratio:8.2f}  <= {target}x {'met' if ratio <= target else 'NOT MET'}")
    def phase(runs: list[dict[str, Any]], a: str, b: str) -> str:
        values = [(r["stamps"][b] - r["stamps"][a]) * 1000 for r in runs if a in r["stamps"] and b in r["stamps"]]
        return f"{statistics.median(values):.0f}" if values else "-"

    print("\nphases (median ms):  Qt imported | app modules imported | application | window built | shown | painted")
    for label, runs in (("bare", bare), ("app", app)):
        print(f"  {label:4} {phase(runs, 'start', 'qt_imported'):>8} {phase(runs, 'qt_imported', 'ui_imported'):>8} "
              f"{phase(runs, 'ui_imported' if label == 'app' else 'qt_imported', 'application'):>8} "
              f"{phase(runs, 'application', 'built'):>8} {phase(runs, 'built', 'shown'):>8} "
              f"{phase(runs, 'shown', 'window'):>8}")
    print(f"  then: painted -> database open and the case list in place {phase(app, 'window', 'attached')} ms"
          f" -> its first screenful painted {phase(app, 'attached', 'first_screen')} ms")
    if len(shown) < len(app):
        print(f"\n{len(app) - len(shown)} run(s) ended before the first screenful was painted.")
    rows = {r.get('rows') for r in app}
    print(f"\ncases listed: {', '.join(f'{n:,}' for n in rows if n is not None)}; "
          f"SQLAlchemy imported when the window was painted: "
          f"{sum(bool(r.get('sqlalchemy_at_paint')) for r in app)} of {len(app)} runs")
    if args.importtime:
        traced = _run_child("app", url, importtime=True)
        print("\nslowest imports of one start, cumulative (python -X importtime; on every thread):")
        for micros, name in _slowest_imports(traced["importtime"]):
            print(f"  {micros / 1000:8.1f} ms  {name}")
    if args.json:
        args.json.write_text(json.dumps({"bare": bare, "app": app}, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
