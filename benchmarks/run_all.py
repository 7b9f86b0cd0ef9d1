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

The child processes of figures 1 and 6 are benchmarks/bench_children.py run with --child (only the
standard library is imported at module level, so the bare baseline pays nothing for the app); this file
still accepts --child and hands it to the same code. The work is split by responsibility:
  bench_machine.py   paths, results (Report), timing helpers, database preparation, machine info, table
  bench_children.py  the child processes: cold start (1) and peak memory (6), and their --child entry
  bench_sections.py  the in-process sections: case list (2), case page SQL (3), letters (4), statutory (5)
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
import traceback
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

# The sibling modules are imported by name: put this folder on the path when it is not already the
# script's folder (as when run as `python -m benchmarks.run_all`).
if str(Path(__file__).resolve().parent) not in sys.path:
    sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_children import _child, bench_cold_start, bench_memory  # noqa: E402
from bench_machine import HERE, ROOT, Report, _progress, ensure_database, machine, print_table  # noqa: E402
from bench_sections import (  # noqa: E402
    bench_case_list,
    bench_case_page_statements,
    bench_letters,
    bench_statutory,
    open_context,
)

DEFAULT_DATABASE = "/tmp/demo100k.db"


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
