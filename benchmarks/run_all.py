"""Runs every performance figure with its baseline, prints one table and writes benchmarks/latest.json.

    .venv/bin/python benchmarks/run_all.py [--database PATH] [--runs 5] [--letters 100] [--json FILE]

Run on demand; not part of the test suite. DATABASE is an SQLite file or URL with 100,000 cases
(default /tmp/demo100k.db). When the file is missing or holds fewer cases, the missing cases are
generated first with `community-trigger --database ... demo --cases N` (about a minute for 100,000).
The large database is only read, apart from the audit entry each sign-in writes (as the app does).

Figures, each with a baseline measured in this run and the ratio figure / baseline:
  1. cold start to the case list shown (fresh process) vs a bare PySide6 window with an empty table
  2. case list open, each sort, and filters (find_case_ids + fetch_rows of the first 200) vs bare SQL
  3. SQL statements issued by load_case for a 300-incident case vs a 3-incident case (scratch database)
  4. letter rendering vs bare ReportLab (benchmarks/letters_bench.py)
  5. statutory figures (financial year, all time) vs a bare SQL count of the same cases
  6. peak RSS with the case list open and 5,000 rows read vs a bare PySide6 window

The child processes of figures 1 and 6 are this same file run with --child (only the standard library
is imported at module level, so the bare baseline pays nothing for the app).
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
HERE = Path(__file__).resolve().parent
DEFAULT_DATABASE = "/tmp/demo100k.db"
WANTED_CASES = 100_000
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
        from app.services.database import open_database
        from app.services.settings_service import needs_set_up
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
    from app.services.errors import PermissionDenied
    from app.services.users import sign_in
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


# --------------------------------------------------------------------------------------------------
# The parent: results, table and JSON
# --------------------------------------------------------------------------------------------------

class Report:
    def __init__(self) -> None:
        self.rows: list[dict[str, Any]] = []
        self.details: dict[str, Any] = {}
        self.errors: dict[str, str] = {}

    def add(self, section: str, figure: str, value: float | None, unit: str, baseline_label: str = "",
            baseline: float | None = None, *, target: str = "", met: bool | None = None, note: str = "",
            ratio: float | None = None) -> None:
        if ratio is None and value is not None and baseline:
            ratio = value / baseline
        self.rows.append({"section": section, "figure": figure, "value": value, "unit": unit,
                          "baseline_label": baseline_label, "baseline": baseline, "ratio": ratio,
                          "target": target, "met": met, "note": note})

    def failed(self, section: str, figure: str, message: str) -> None:
        self.add(section, figure, None, "", note=message)


def _progress(message: str) -> None:
    print(f"[{datetime.now():%H:%M:%S}] {message}", file=sys.stderr, flush=True)


def _median_ms(fn: Callable[[], Any], runs: int, warm: bool = True) -> tuple[float, Any]:
    if warm:
        fn()  # warm SQLite's page cache and SQLAlchemy's statement cache, as a second look would be
    times, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), result


def _url(database: str) -> str:
    return database if "://" in database else f"sqlite:///{Path(database).expanduser().resolve()}"


def _count_cases(url: str) -> int:
    from sqlalchemy import create_engine, text
    if url.startswith("sqlite:///") and not Path(url.removeprefix("sqlite:///")).exists():
        return 0
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return int(conn.execute(text("SELECT count(*) FROM cases")).scalar_one())
    except Exception:  # noqa: BLE001 - an empty file has no tables yet
        return 0
    finally:
        engine.dispose()


def ensure_database(database: str, report: Report) -> int:
    url = _url(database)
    have = _count_cases(url)
    if have < WANTED_CASES:
        missing = WANTED_CASES - have
        tool = Path(sys.executable).parent / "community-trigger"
        command = ([str(tool)] if tool.exists() else [sys.executable, "-m", "ui.entry"]) + [
            "--database", url, "demo", "--cases", str(missing)]
        _progress(f"{database} has {have:,} cases: generating {missing:,} more "
                  f"({' '.join(command)}); about a minute per 100,000")
        start = time.perf_counter()
        subprocess.run(command, check=True, cwd=str(ROOT), stdout=subprocess.DEVNULL,
                       env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
        report.details["database_generated"] = {"cases": missing, "seconds": round(time.perf_counter() - start, 1)}
        have = _count_cases(url)
    return have


def machine() -> dict[str, Any]:
    info: dict[str, Any] = {"platform": platform.platform(), "machine": platform.machine(),
                            "cores": os.cpu_count(), "python": platform.python_version()}
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.lower().startswith("model name"):
                info["cpu"] = line.split(":", 1)[1].strip()
                break
    except OSError:
        info["cpu"] = platform.processor() or "unknown"
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                info["memory_gb"] = round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    try:
        info["affinity_cores"] = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        pass
    try:
        info["load_average"] = " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        pass
    import sqlite3
    info["sqlite"] = sqlite3.sqlite_version
    for name, attr in (("PySide6", "__version__"), ("sqlalchemy", "__version__"), ("reportlab", "Version")):
        try:
            info[name] = getattr(__import__(name), attr)
        except Exception as exc:  # noqa: BLE001
            info[name] = f"not available ({exc})"
    try:
        from PySide6.QtCore import qVersion
        info["Qt"] = qVersion()
    except Exception:  # noqa: BLE001
        pass
    return info


def open_context(database: str) -> Any:
    from app.db.location import DatabaseChoice, normalise_url
    from app.services.database import open_database
    ctx = open_database(DatabaseChoice(normalise_url(database), "benchmark"), sign_in=False).context
    _sign_in(ctx)
    return ctx


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


# --- 2. case list ---------------------------------------------------------------------------------

def bench_case_list(report: Report, ctx: Any, runs: int) -> None:
    section = "2 case list"
    from app.services.case_list import INDICATORS, OPEN_CASES, SORT_KEYS, CaseQuery, fetch_rows, find_case_ids

    def bare() -> int:
        # The least any list can cost: every id in primary-key order, straight from the driver's
        # cursor (as find_case_ids reads them), then the same 200 rows' columns, unprocessed.
        with ctx.engine.connect() as conn:
            result = conn.exec_driver_sql("SELECT id FROM cases ORDER BY id")
            ids = [r[0] for r in result.cursor.fetchall()]
            result.close()
            marks = ", ".join(str(int(i)) for i in ids[:200]) or "NULL"
            result = conn.exec_driver_sql(
                "SELECT c.id, c.reference, p.title, p.first_name, p.last_name, p.organisation, p.postcode, "
                "c.channel, c.received_on, c.status, c.next_clock, c.next_due_on, c.officer FROM cases c "
                f"JOIN people p ON p.id = c.applicant_id WHERE c.id IN ({marks})")
            result.cursor.fetchall()
            result.close()
        return len(ids)

    baseline, _ = _median_ms(bare, runs)
    label = "bare SQL, raw cursor: every id in id order + 200 rows"
    queries: list[tuple[str, Any]] = [("open (default sort: next due)", CaseQuery())]
    for key in SORT_KEYS:
        queries.append((f"sort {key}", CaseQuery(sort=key)))
        queries.append((f"sort {key} descending", CaseQuery(sort=key, descending=True)))
    queries += [(f"search {t!r}", CaseQuery(text=t)) for t in ("smith", "TN2 5", "CT-2024-01", "KP/")]
    queries += [("status: open cases", CaseQuery(status=OPEN_CASES)),
                ("status: closed", CaseQuery(status="closed")),
                ("status: received", CaseQuery(status="received"))]
    queries += [(f"indicator: {i}", CaseQuery(indicator=i)) for i in INDICATORS]
    details = {}
    for label_, query in queries:
        try:
            def op(q: Any = query) -> int:
                ids = find_case_ids(ctx, q)
                fetch_rows(ctx, ids[:200])
                return len(ids)
            ms, found = _median_ms(op, runs)
            report.add(section, label_, ms, "ms", label, baseline, target="< 100 ms", met=ms < 100,
                       note=f"{found:,} cases")
            details[label_] = {"ms": ms, "cases": found}
        except Exception as exc:  # noqa: BLE001
            report.failed(section, label_, f"error: {type(exc).__name__}: {exc}")
    report.details["case_list"] = {"baseline_ms": baseline, "operations": details}


# --- 3. statements per case page ------------------------------------------------------------------

def bench_case_page_statements(report: Report) -> None:
    section = "3 case page SQL"
    from sqlalchemy import event, select

    from app.db.location import DatabaseChoice, normalise_url
    from app.db.models import Case, User
    from app.domain.application import IncidentData
    from app.services import agency_work, workflow_actions
    from app.services.case_page import load_case
    from app.services.database import open_database
    from app.services.demo import generate_demo_cases
    from app.services.intake import create_application
    from app.services.users import sign_in
    sys.path.insert(0, str(ROOT))
    from tests.db.helpers import application

    today = date(2026, 11, 25)
    received = date(2026, 11, 2)

    def items(n: int) -> tuple[IncidentData, ...]:
        # Spread over the year before the application, each reported the next day.
        first = received - timedelta(days=364)
        step = 364 / n
        return tuple(IncidentData(occurred_on=first + timedelta(days=int(k * step)),
                                  reported_on=first + timedelta(days=int(k * step) + 1),
                                  reported_to="Kent Police", description=f"Loud music, incident {k + 1}")
                     for k in range(n))

    with tempfile.TemporaryDirectory(prefix="ct-bench-") as tmp:
        url = f"sqlite:///{Path(tmp) / 'scratch.db'}"
        opened = open_database(DatabaseChoice(normalise_url(url), "benchmark"), network_check=lambda _p: False,
                               sign_in=False, actor="bench.officer", machine="bench-pc", today=lambda: today,
                               now=lambda: datetime.combine(today, datetime.min.time()).replace(hour=12))
        ctx = opened.context
        try:
            with ctx.unit_of_work() as session:
                session.add(User(login="bench.officer", display_name="bench.officer", role="administrator"))
            sign_in(ctx)
            generate_demo_cases(ctx, 40, seed=7)  # a small database, not an empty one
            made, extra = {}, ""
            for n in (3, 300):
                created = create_application(ctx, application(received.isoformat(), items=items(n)))
                made[n] = created.id
                try:  # confirmation requests too: one confirmation row per incident to read back
                    step = workflow_actions.record_acknowledgement(ctx, created.id, created.version,
                                                                   sent_on=date(2026, 11, 3), method="post")
                    agency_work.send_confirmation_requests(ctx, created.id, step.version,
                                                           sent_on=date(2026, 11, 4))
                except Exception as exc:  # noqa: BLE001 - still a fair count with the incidents alone
                    extra = f"; confirmation requests not made ({type(exc).__name__}: {exc})"
            with ctx.unit_of_work() as session:
                any_other = session.scalar(select(Case.id).where(Case.id.not_in(list(made.values())))
                                           .order_by(Case.id).limit(1))
            load_case(ctx, any_other)  # warm: settings, calendar and SQLAlchemy's caches

            statements: list[str] = []

            def count(_conn, _cursor, statement, _params, _context, _many) -> None:
                statements.append(" ".join(statement.split())[:120])

            event.listen(ctx.engine, "before_cursor_execute", count)
            counts, texts, timings = {}, {}, {}
            try:
                for n, case_id in made.items():
                    statements.clear()
                    start = time.perf_counter()
                    detail = load_case(ctx, case_id)
                    timings[n] = (time.perf_counter() - start) * 1000
                    assert len(detail.incidents) == n, (len(detail.incidents), n)
                    counts[n], texts[n] = len(statements), list(statements)
            finally:
                event.remove(ctx.engine, "before_cursor_execute", count)
        finally:
            ctx.engine.dispose()
    same = counts[300] == counts[3]
    report.add(section, "load_case statements, 3 incidents", counts[3], "statements", "", None,
               target="small, fixed", note=f"{timings[3]:.1f} ms{extra}")
    report.add(section, "load_case statements, 300 incidents", counts[300], "statements",
               "3-incident case", counts[3], target="same as 3 incidents", met=same,
               note=f"{timings[300]:.1f} ms; includes the audit entry for the view")
    report.details["case_page_statements"] = {"counts": counts, "ms": timings, "statements": texts}


# --- 4. letters -----------------------------------------------------------------------------------

def bench_letters(report: Report, letters: int) -> None:
    section = "4 letters"
    sys.path.insert(0, str(HERE))
    import letters_bench as lb
    from reportlab.lib.styles import ParagraphStyle
    lb.register_fonts()
    style = ParagraphStyle("bare", fontName=lb.REGULAR, fontSize=11, leading=14.85)
    lines = lb.bare_text()
    rounds = 3
    engine, bare = [], []
    for _ in range(rounds):  # alternated, so that drift hits both alike
        engine.append(lb.per_letter_ms(lambda: lb.produce_pdf(lb.request()), letters))
        bare.append(lb.per_letter_ms(lambda: lb.bare_pdf(lines, style), letters))
    e, b = statistics.median(engine), statistics.median(bare)
    report.add(section, "acknowledgement letter (engine), per letter", e, "ms",
               "bare ReportLab page, same text and font", b, target=f"<= {lb.TARGET_RATIO}x baseline",
               met=e / b <= lb.TARGET_RATIO, note=f"median of {rounds} rounds of {letters} letters")
    report.details["letters"] = {"engine_ms": engine, "bare_ms": bare, "letters_per_round": letters}


# --- 5. statutory figures -------------------------------------------------------------------------

def bench_statutory(report: Report, ctx: Any, runs: int) -> None:
    section = "5 statutory figures"
    figures_rows = ("statutory figures, current financial year", "statutory figures, all time")
    try:
        from app.services.reports import statutory_figures
    except Exception as exc:  # noqa: BLE001 - another engineer is finishing reports.py
        for figure in figures_rows:
            report.failed(section, figure, f"not available ({type(exc).__name__}: {exc})")
        return
    try:
        from app.services.reports import financial_year
    except Exception:  # noqa: BLE001
        def financial_year(today: date) -> tuple[date, date]:
            first = today.year if today.month >= 4 else today.year - 1
            return date(first, 4, 1), date(first + 1, 3, 31)
    today = ctx.today()
    periods = (financial_year(today), (date(1900, 1, 1), today))
    from sqlalchemy import text
    details = {}
    for figure, (start, end) in zip(figures_rows, periods):
        try:
            def bare(a: date = start, b: date = end) -> int:
                with ctx.engine.connect() as conn:
                    return conn.execute(text("SELECT count(*) FROM cases WHERE received_on BETWEEN :a AND :b"),
                                        {"a": a, "b": b}).scalar_one()
            baseline, received = _median_ms(bare, runs)
            ms, result = _median_ms(lambda a=start, b=end: statutory_figures(ctx, a, b), runs)
            values = result.to_json() if hasattr(result, "to_json") else str(result)
            report.add(section, f"{figure} ({start:%d/%m/%Y}-{end:%d/%m/%Y})", ms, "ms",
                       "bare SQL count of applications received", baseline, target="< 200 ms", met=ms < 200,
                       note=f"{received:,} applications received")
            details[figure] = {"ms": ms, "baseline_ms": baseline, "figures": values}
        except Exception as exc:  # noqa: BLE001
            report.failed(section, figure, f"error: {type(exc).__name__}: {exc}")
    report.details["statutory"] = details


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


# --- output ---------------------------------------------------------------------------------------

def _fmt(value: float | None, unit: str = "") -> str:
    if value is None:
        return "-"
    if isinstance(value, int) or unit == "statements":
        return f"{value:,.0f}"
    return f"{value:,.1f}" if abs(value) >= 10 else f"{value:,.2f}"


def print_table(report: Report, info: dict[str, Any], database: str, cases: int | None, runs: int) -> None:
    print()
    print("Machine:")
    for key, value in info.items():
        print(f"  {key:<20} {value}")
    print(f"Database: {database} ({cases:,} cases); timings are medians of {runs} runs"
          if cases is not None else f"Database: {database} (unavailable)")
    print()
    header = ("figure", "value", "unit", "baseline", "ratio", "target", "met", "baseline is / note")
    table = []
    for r in report.rows:
        met = "-" if r["met"] is None else ("yes" if r["met"] else "NO")
        if r["value"] is None:
            met = "n/a"
        base = r["baseline_label"]
        note = f"{base}; {r['note']}" if base and r["note"] else (base or r["note"])
        note = " | ".join(part.strip() for part in str(note).splitlines() if part.strip())
        note = note if len(note) <= 240 else note[:237] + "..."
        table.append((f"{r['section']}: {r['figure']}", _fmt(r["value"], r["unit"]), r["unit"],
                      _fmt(r["baseline"], r["unit"]), "-" if r["ratio"] is None else f"{r['ratio']:.2f}x",
                      r["target"], met, note))
    widths = [max(len(str(row[i])) for row in [header, *table]) for i in range(len(header) - 1)]
    aligns = ["<", ">", "<", ">", ">", "<", "<"]
    line = "  ".join(f"{h:{a}{w}}" for h, a, w in zip(header, aligns, widths)) + f"  {header[-1]}"
    print(line)
    print("  ".join("-" * w for w in widths) + "  " + "-" * 20)
    for row in table:
        print("  ".join(f"{c:{a}{w}}" for c, a, w in zip(row, aligns, widths)) + f"  {row[-1]}")
    judged = [r for r in report.rows if r["met"] is not None]
    missed = [r for r in judged if not r["met"]]
    unknown = [r for r in report.rows if r["value"] is None]
    print(f"\n{len(judged) - len(missed)} of {len(judged)} targets met"
          + (f"; missed: {', '.join(r['section'] + ': ' + r['figure'] for r in missed)}" if missed else "")
          + (f"; {len(unknown)} figures not measured (see notes)" if unknown else "") + ".")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", default=DEFAULT_DATABASE, help="SQLite file or URL (default %(default)s)")
    parser.add_argument("--runs", type=int, default=5, help="runs per figure; the median is reported")
    parser.add_argument("--memory-runs", type=int, default=3, help="processes per kind for figure 6")
    parser.add_argument("--letters", type=int, default=100, help="letters per round for figure 4")
    parser.add_argument("--json", type=Path, default=HERE / "latest.json")
    parser.add_argument("--only", help="comma-separated sections to run, e.g. 2,5 (default: all)")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        return _child(args.child, args.database)

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    sys.path.insert(0, str(ROOT))
    started = time.perf_counter()
    report = Report()
    only = set(args.only.split(",")) if args.only else None
    wanted = (lambda n: only is None or str(n) in only)
    info = machine()
    cases: int | None = None
    database = args.database
    try:
        cases = ensure_database(database, report)
    except Exception as exc:  # noqa: BLE001
        report.errors["database"] = traceback.format_exc()
        _progress(f"the database could not be prepared: {exc}")

    ctx = None
    if wanted(2) or wanted(5):
        try:
            ctx = open_context(database)
        except Exception as exc:  # noqa: BLE001
            report.errors["open"] = traceback.format_exc()
            _progress(f"the database could not be opened: {exc}")

    def needs_ctx(fn: Callable[..., None]) -> Callable[..., None]:
        def run(*a: Any) -> None:
            if ctx is None:
                raise RuntimeError("the database could not be opened (see above)")
            fn(report, ctx, *a)
        return run

    sections: list[tuple[int, str, Callable[[], None]]] = [
        (1, "1 cold start", lambda: bench_cold_start(report, database, args.runs)),
        (2, "2 case list", lambda: needs_ctx(bench_case_list)(args.runs)),
        (3, "3 case page SQL", lambda: bench_case_page_statements(report)),
        (4, "4 letters", lambda: bench_letters(report, args.letters)),
        (5, "5 statutory figures", lambda: needs_ctx(bench_statutory)(args.runs)),
        (6, "6 peak memory", lambda: bench_memory(report, database, args.memory_runs)),
    ]
    for number, name, fn in sections:
        if not wanted(number):
            continue
        _progress(f"section {name}")
        before = len(report.rows)
        try:
            fn()
        except Exception as exc:  # noqa: BLE001 - one failure must not hide the other figures
            report.errors[name] = traceback.format_exc()
            del report.rows[before:]
            report.failed(name, "(whole section)", f"error: {type(exc).__name__}: {exc}")
            _progress(f"section {name} failed:\n{traceback.format_exc()}")
    if ctx is not None:
        ctx.engine.dispose()

    try:
        info["load_average_at_end"] = " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        pass
    print_table(report, info, database, cases, args.runs)
    elapsed = time.perf_counter() - started
    print(f"Finished in {elapsed:.0f} s.")
    payload = {"generated_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
               "database": database, "cases": cases, "runs": args.runs, "seconds": round(elapsed, 1),
               "machine": info, "rows": report.rows, "errors": report.errors, "details": report.details}
    try:
        args.json.write_text(json.dumps(payload, indent=2, default=str) + "\n", encoding="utf-8")
        print(f"Written to {args.json}.")
    except OSError as exc:
        print(f"Could not write {args.json}: {exc}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
