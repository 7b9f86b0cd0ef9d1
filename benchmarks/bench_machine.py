"""Shared parts of benchmarks/run_all.py: paths, the report of results, timing helpers, the database
preparation, the machine description and the printed table.

Only the standard library is imported at module level: the child processes of
benchmarks/bench_children.py import this module, and the bare baseline must not pay for the app.
"""
from __future__ import annotations

import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
HERE = Path(__file__).resolve().parent
WANTED_CASES = 100_000


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
