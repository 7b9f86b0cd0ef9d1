"""How long the window freezes during each user action: the longest gap between ticks of a 10 ms timer.

    .venv/bin/python benchmarks/bench_ui_freeze.py --database postgresql+psycopg://postgres@127.0.0.1:5432/ct_bench --delay-ms 20
    .venv/bin/python benchmarks/bench_ui_freeze.py --database ~/ct-bench.db

The real main window runs in this process (offscreen unless QT_QPA_PLATFORM says otherwise); on
PostgreSQL it connects through the loopback delay proxy (benchmarks/delay_proxy.py), which adds the
delay each way. A QTimer ticks every 10 ms on the UI thread; the figure for an action is the longest
gap between two ticks from the moment the action starts until its work and the refreshes it causes
have finished (the task runner idle). Widget work counts as much as waiting for the database.
Start-up counts from the window's first paint until the first rows are in and any unsaved applications
are restored; building and painting the window before then is printed apart (nothing is on screen to
freeze until it is painted; benchmarks/bench_start.py times the start itself).

The baseline, in the same run and against the same database and proxy, is the same service calls
made on the UI thread, as the first version made them: the window is frozen for all of it.
The database is prepared as benchmarks/bench_round_trips.py prepares it (100,000 cases by default).
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import threading
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

TARGET_MS = 100


class FreezeMeter:
    """Ticks every 10 ms on the UI thread and keeps the longest gap since `reset()`."""

    def __init__(self) -> None:
        from PySide6.QtCore import QElapsedTimer, QTimer
        self.clock = QElapsedTimer()
        self.clock.start()
        self.last = 0
        self.worst = 0
        self.timer = QTimer()
        self.timer.setInterval(10)
        self.timer.timeout.connect(self._tick)
        self.timer.start()

    def _tick(self) -> None:
        now = self.clock.elapsed()
        self.worst = max(self.worst, now - self.last)
        self.last = now

    def reset(self) -> None:
        self.last = self.clock.elapsed()
        self.worst = 0

    def close(self) -> int:
        """The gap so far, counting the one still open (work that has not let the timer tick yet)."""
        self._tick()
        return self.worst


class FreezeWitness:
    """With --explain: a watchdog thread that, when the UI thread has not ticked for 80 ms, prints where
    the UI thread and every other thread are. A UI thread found idle in the event loop means another
    thread held the interpreter (the GIL); anything else names the code that froze the window."""

    def __init__(self, meter: FreezeMeter) -> None:
        self.meter = meter
        self.main = threading.main_thread().ident
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._watch, name="freeze-witness", daemon=True)
        self.thread.start()

    def _watch(self) -> None:
        reported = -1
        while not self.stop.wait(0.02):
            since = self.meter.clock.elapsed() - self.meter.last
            if since < 80 or self.meter.last == reported:
                continue
            reported = self.meter.last
            print(f"\n--- {NOW['action']}: UI thread {since} ms without a tick ---", file=sys.stderr)
            for ident, frame in sys._current_frames().items():
                if ident == self.thread.ident:  # the witness itself
                    continue
                where = "UI thread" if ident == self.main else f"thread {ident}"
                # The project's own frames say why; the libraries' frames below them only say how.
                ours = [f for f in traceback.extract_stack(frame) if str(ROOT) in f.filename
                        and "site-packages" not in f.filename]
                print(f"[{where}]\n" + "".join(traceback.format_list(ours[-14:])), file=sys.stderr)


def run_events(ms: int) -> None:
    from PySide6.QtCore import QEventLoop, QTimer
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def until_idle(tasks: Any, done: Callable[[], bool] = lambda: True, timeout_s: float = 300.0) -> None:
    """Let the event loop run until nothing is pending and `done()` holds (the timer keeps ticking)."""
    from PySide6.QtWidgets import QApplication
    limit = time.monotonic() + timeout_s
    quiet = 0
    while time.monotonic() < limit:
        run_events(5)
        QApplication.processEvents()
        quiet = quiet + 1 if tasks.is_idle and done() else 0
        if quiet >= 3:  # idle across three passes: no result is still asking for more work
            return
    raise TimeoutError("the action did not finish")


PROBLEMS: list[str] = []


def _report_instead_of_asking() -> list[str]:
    """A message box would wait for a click that never comes: every message is kept instead, and the
    run stops at the first action that showed one (a figure for a refused action would mean nothing)."""
    from ui.dialogs import DialogService

    def keep(_self: Any, title: str, text: str) -> None:
        PROBLEMS.append(f"{title}: {text}")

    def noted(_self: Any, title: str, text: str, *_rest: Any) -> bool:
        print(f"  ({title}: {text})", file=sys.stderr)
        return True  # a confirmation is answered yes, as the officer measured would

    DialogService.warn = DialogService.error = keep  # type: ignore[method-assign]
    DialogService.info = DialogService.ask = noted  # type: ignore[method-assign]
    return PROBLEMS


NOW = {"action": ""}  # what is being measured, for the witness


def measure(name: str, meter: FreezeMeter, tasks: Any, action: Callable[[], Any],
            done: Callable[[], bool] = lambda: True, runs: int = 3) -> dict[str, Any]:
    NOW["action"] = name
    gaps, walls = [], []
    for _ in range(runs):
        run_events(50)
        meter.reset()
        start = time.perf_counter()
        action()
        until_idle(tasks, done)
        walls.append((time.perf_counter() - start) * 1000)
        gaps.append(meter.close())
        if PROBLEMS:
            raise SystemExit("the action was refused, so its figure would mean nothing:\n  " + "\n  ".join(PROBLEMS))
    return {"freeze_ms": max(gaps), "freeze_runs_ms": gaps, "wall_ms": statistics.median(walls)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", required=True, help="a SQLite file or a PostgreSQL URL")
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--delay-ms", type=float, default=20.0, help="added each way (PostgreSQL only)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--json", type=Path, default=HERE / "ui_freeze.json")
    parser.add_argument("--explain", action="store_true",
                        help="print where each thread was whenever the window went 80 ms without a tick")
    args = parser.parse_args(argv)

    from bench_round_trips import BATCH, pools, prepare
    url = args.database if "://" in args.database else f"sqlite:///{Path(args.database).expanduser().resolve()}"
    spec = prepare(url, args.cases)
    # Received applications not yet acknowledged (made where the demo has too few), for the letters and the batch.
    fresh = pools(url, 1, args.runs)[0]["letters"]
    proxy = None
    if url.startswith("postgresql"):
        from delay_proxy import DelayProxy
        proxy = DelayProxy(delay_ms=args.delay_ms).start()
        url = url.replace("127.0.0.1:5432", f"127.0.0.1:{proxy.port}").replace("localhost:5432", f"127.0.0.1:{proxy.port}")

    from PySide6.QtCore import QSettings

    from app.services.admin.database import DatabaseChoice, normalise_url
    from app.services.cases.agency_requests import add_note
    from app.services.cases.case_list import CaseQuery, case_counts, fetch_rows, find_case_ids
    from app.services.cases.case_page import load_case
    from app.services.intake.support import save_draft
    from app.services.letters import case_letters
    from app.services.letters.queue import produce_due_acknowledgements
    from app.services.panels.pack import build_panel_pack
    from ui.main import Start, make_application
    from ui.tasks import Tasks

    app = make_application([sys.argv[0]])
    _report_instead_of_asking()
    meter = FreezeMeter()
    witness = FreezeWitness(meter) if args.explain else None
    tasks = Tasks.instance()
    choice = DatabaseChoice(normalise_url(url), "benchmark")
    results: dict[str, dict[str, Any]] = {}
    settings = QSettings(str(HERE / ".ui_freeze.ini"), QSettings.Format.IniFormat)
    holder: dict[str, Any] = {}

    def start() -> None:
        # The app's own start (ui.main.Start): the window built and painted first, then the database opened
        # and the user signed in on the worker (as whoever runs the benchmark, as the app would), then the
        # first screenful and the drafts.
        started = Start(choice, settings=settings, ask_password=lambda _question: None)
        holder["start"], holder["window"] = started, started.window

        def painted() -> None:
            # Until its first paint the window is not on screen: building it is the start's own
            # time (benchmarks/bench_start.py), reported apart; from here on, a gap is a freeze.
            holder["built_ms"] = meter.close()
            meter.reset()
        from ui.painted import FirstPaint
        FirstPaint(started.window, painted)

    def first_rows() -> bool:
        if holder["start"].failed:
            raise SystemExit(f"the app did not start: {holder['start'].failed}")
        if holder["start"].opened is None:
            return False
        page = holder["window"].cases_page
        model = getattr(page, "model", None)
        # The start is over once the first rows are in and any unsaved applications are restored.
        return model is not None and model.rowCount() > 0 and not holder["window"].restoring

    results["start-up to the case list"] = measure("start-up to the case list", meter, tasks, start, first_rows, runs=1)
    results["start-up to the case list"]["window_built_and_painted_ms"] = holder.get("built_ms")
    ctx, window = holder["start"].opened.context, holder["window"]
    case_id = spec["page_case"]
    pool = list(fresh)

    def open_page() -> None:
        window.open_case(case_id)

    results["open a case page"] = measure("open a case page", meter, tasks, open_page, runs=1)

    def step() -> None:
        page = window.cases_section.currentWidget()
        tasks.op(add_note, ctx, case_id, "Spoke to the caller again", owner=page, what="save the note")

    results["save a workflow step"] = measure("save a workflow step", meter, tasks, step, runs=args.runs)

    def refresh_list() -> None:
        window.show_section(1)
        window.cases_section.setCurrentIndex(0)
        window.refresh_current()

    results["refresh the case list"] = measure("refresh the case list", meter, tasks, refresh_list, runs=args.runs)

    def letter() -> None:
        tasks.op(case_letters.produce_letter, ctx, pool.pop(), "acknowledgement", owner=window, what="write the letter")

    results["produce one letter"] = measure("produce one letter", meter, tasks, letter, runs=args.runs)

    def batch() -> None:
        chosen = [pool.pop() for _ in range(BATCH)]
        tasks.long(produce_due_acknowledgements, ctx, case_ids=chosen, title="Acknowledgements",
                   on_done=lambda _r: None, owner=window)

    results["the acknowledgement batch of 50"] = measure("the acknowledgement batch of 50", meter, tasks, batch, runs=1)

    def pack() -> None:
        tasks.long(build_panel_pack, ctx, spec["meeting"], title="Panel pack", on_done=lambda _r: None,
                   owner=window)

    results["the panel pack of 8 cases"] = measure("the panel pack of 8 cases", meter, tasks, pack, runs=1)

    form = window.new_telephone_application()

    def autosave() -> None:
        form.autosave(force=True)

    results["autosave while typing"] = measure("autosave while typing", meter, tasks, autosave, runs=args.runs)
    if form.draft_id is not None:  # the draft it wrote would be restored, as a form, by the next run's start
        from app.services.intake.support import discard_draft
        discard_draft(ctx, form.draft_id)

    # The baseline: the same service calls on the UI thread, as the first version made them.
    baseline: dict[str, Callable[[], Any]] = {
        "open a case page": lambda: load_case(ctx, case_id),
        "save a workflow step": lambda: (add_note(ctx, case_id, "Again"), load_case(ctx, case_id),
                                         fetch_rows(ctx, [case_id]), case_counts(ctx)),
        "refresh the case list": lambda: (case_counts(ctx), fetch_rows(ctx, find_case_ids(ctx, CaseQuery())[:40])),
        "produce one letter": lambda: case_letters.produce_letter(ctx, pool.pop(), "acknowledgement"),
        "the panel pack of 8 cases": lambda: build_panel_pack(ctx, spec["meeting"]),
        "autosave while typing": lambda: save_draft(ctx, "application-telephone", {"channel": "telephone"}),
    }
    for name, call in baseline.items():
        results[name]["baseline_freeze_ms"] = measure(f"{name} (on the UI thread)", meter, tasks, call,
                                                      runs=1)["freeze_ms"]

    where = f"PostgreSQL through the proxy, {args.delay_ms:g} ms each way" if proxy else "SQLite"
    print(f"\nLongest freeze of the window (10 ms timer on the UI thread), {spec['cases']:,} cases, {where}:\n")
    print("| action | frozen (longest gap) | finished in | same calls on the UI thread |")
    print("| --- | --- | --- | --- |")
    for name, r in results.items():
        base = r.get("baseline_freeze_ms")
        mark = "" if r["freeze_ms"] <= TARGET_MS else " (over 100 ms)"
        print(f"| {name} | {r['freeze_ms']} ms{mark} | {r['wall_ms']:.0f} ms | "
              f"{f'{base} ms' if base is not None else '-'} |")
    built = results["start-up to the case list"].get("window_built_and_painted_ms")
    print(f"\nStart-up is measured from the window's first paint: building and painting it took {built} ms before "
          "then, with nothing on screen to freeze.")
    args.json.write_text(json.dumps({"where": where, "cases": spec["cases"], "results": results}, indent=2))
    window.close()
    if witness is not None:
        witness.stop.set()
    if proxy is not None:
        proxy.stop()
    app.processEvents()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
