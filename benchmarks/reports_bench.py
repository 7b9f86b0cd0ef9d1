"""Times the statutory figures, the partnership summary and its PDF on a large database (not a test).

    .venv/bin/python benchmarks/reports_bench.py [DATABASE] [--runs 5] [--from DATE --to DATE]

DATABASE is an SQLite file or URL (default /tmp/demo100k.db; make one with
`community-trigger --database sqlite:////tmp/demo100k.db demo --cases 100000`). Nothing is written:
the benchmark does not sign in (it reads as a read-only user). The period defaults to the last
complete financial year. Prints the median milliseconds of each operation; the target for the
statutory figures is under 200 ms at 100,000 cases.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import text  # noqa: E402

from app.db.location import DatabaseChoice, normalise_url  # noqa: E402
from app.domain.dates import parse_uk_or_iso  # noqa: E402
from app.domain.roles import Role  # noqa: E402
from app.services.common.context import ServiceContext  # noqa: E402
from app.services.admin.database import open_database  # noqa: E402
from app.services.reports.figures import financial_year, partnership_summary, statutory_figures  # noqa: E402

TARGET_MS = 200.0


def _time(fn: Callable[[], Any], runs: int) -> tuple[float, float, Any]:
    """(first call, median of the following runs) in ms, and the result."""
    start = time.perf_counter()
    result = fn()
    first = (time.perf_counter() - start) * 1000
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - start) * 1000)
    return first, statistics.median(times), result


def _open(database: str) -> ServiceContext:
    url = database if "://" in database else f"sqlite:///{Path(database).resolve()}"
    if url.startswith("sqlite:///") and not Path(url.removeprefix("sqlite:///")).exists():
        sys.exit(f"No database at {database}: make one with\n  .venv/bin/community-trigger --database "
                 f"{url} demo --cases 100000")
    ctx = open_database(DatabaseChoice(normalise_url(url), "benchmark"), sign_in=False).context
    ctx.role = Role.READ_ONLY
    return ctx


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("database", nargs="?", default="/tmp/demo100k.db")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--from", dest="start", help="first day (dd/mm/yyyy)")
    parser.add_argument("--to", dest="end", help="last day (dd/mm/yyyy)")
    args = parser.parse_args()
    ctx = _open(args.database)
    with ctx.engine.connect() as conn:
        total = conn.execute(text("SELECT count(*) FROM cases")).scalar_one()
    last_year = financial_year(date.today().replace(year=date.today().year - 1))
    start = parse_uk_or_iso(args.start) if args.start else last_year[0]
    end = parse_uk_or_iso(args.end) if args.end else last_year[1]

    results: list[tuple[str, float, float, str, float | None]] = []
    first, ms, figures = _time(lambda: statutory_figures(ctx, start, end), args.runs)
    results.append(("statutory_figures", first, ms, ", ".join(f"{k} {v}" for k, v in figures.to_json().items()
                                                              if isinstance(v, int)), TARGET_MS))
    first, ms, summary = _time(lambda: partnership_summary(ctx, start, end), args.runs)
    results.append(("partnership_summary (with the previous year)", first, ms,
                    f"{len(summary.recommendations)} agencies, {len(summary.key_findings)} findings", None))
    from app.reports.charts import summary_charts, svg_bytes
    from app.reports.pdf import summary_pdf
    first, ms, charts = _time(lambda: [svg_bytes(c.drawing) for c in summary_charts(summary)], args.runs)
    results.append(("three charts as SVG", first, ms, f"{sum(len(c) for c in charts):,} bytes", None))
    first, ms, pdf = _time(lambda: summary_pdf(summary, ctx.settings().council), args.runs)
    results.append(("summary PDF", first, ms, f"{len(pdf):,} bytes", None))

    width = max(len(r[0]) for r in results)
    print(f"\n{total:,} cases in {args.database}; period {start:%d/%m/%Y} to {end:%d/%m/%Y}; "
          f"first call, then the median of {args.runs} runs\n")
    print(f"{'operation':<{width}}  {'first ms':>9}  {'median ms':>9}  result")
    over = 0
    for label, first, ms, note, target in results:
        flag = "  << over the target" if target is not None and ms > target else ""
        over += bool(flag)
        print(f"{label:<{width}}  {first:9.1f}  {ms:9.1f}  {note}{flag}")
    print(f"\nStatutory figures {'within' if not over else 'over'} the {TARGET_MS:.0f} ms target.")
    ctx.engine.dispose()
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())
