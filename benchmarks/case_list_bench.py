"""Times the case list's queries and its Qt model on a large database (not a test).

    .venv/bin/python benchmarks/case_list_bench.py [DATABASE] [--runs 5] [--explain]

DATABASE is an SQLite file or URL (default /tmp/demo100k.db; make one with
`community-trigger --database sqlite:////tmp/demo100k.db demo --cases 100000`). Nothing is written.
Prints the median milliseconds of each operation; the target is under 100 ms at 100,000 cases.
"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import text  # noqa: E402

from app.db.location import DatabaseChoice, normalise_url  # noqa: E402
from app.services.cases.case_list import (INDICATORS, OPEN_CASES, SORT_KEYS, CaseQuery, build_query,  # noqa: E402
                                    case_counts, fetch_rows, find_case_ids, officers, received_years)
from app.services.common.context import ServiceContext  # noqa: E402
from app.services.admin.database import open_database  # noqa: E402
from bench_machine import _median_ms  # noqa: E402 - warms once, then the median

TARGET_MS = 100.0


def _open(database: str) -> ServiceContext:
    url = database if "://" in database else f"sqlite:///{Path(database).resolve()}"
    if url.startswith("sqlite:///") and not Path(url.removeprefix("sqlite:///")).exists():
        sys.exit(f"No database at {database}: make one with\n  .venv/bin/community-trigger --database "
                 f"{url} demo --cases 100000")
    return open_database(DatabaseChoice(normalise_url(url), "benchmark")).context


def _explain(ctx: ServiceContext, query: CaseQuery) -> str:
    stmt = build_query(ctx, query)
    compiled = stmt.compile(ctx.engine, compile_kwargs={"literal_binds": True})
    with ctx.engine.connect() as conn:
        plan = conn.execute(text(f"EXPLAIN QUERY PLAN {compiled}")).all()
    return "; ".join(row[-1] for row in plan)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("database", nargs="?", default="/tmp/demo100k.db")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--explain", action="store_true", help="print SQLite's plan for each query")
    args = parser.parse_args()
    ctx = _open(args.database)
    with ctx.engine.connect() as conn:
        total = conn.execute(text("SELECT count(*) FROM cases")).scalar_one()
    officer = (officers(ctx) or [None])[0]
    year = (received_years(ctx) or [None])[0]

    queries: list[tuple[str, CaseQuery]] = [("find_case_ids default sort (next due)", CaseQuery())]
    queries += [(f"find_case_ids sort {key}", CaseQuery(sort=key)) for key in SORT_KEYS]
    queries += [(f"find_case_ids sort {key} descending", CaseQuery(sort=key, descending=True))
                for key in ("reference", "next_due")]
    queries += [(f"find_case_ids search {t!r}", CaseQuery(text=t))
                for t in ("smith", "TN2 5", "CT-2024-01", "KP/", "zzzz")]
    queries += [(f"find_case_ids indicator {i!r}", CaseQuery(indicator=i)) for i in INDICATORS]
    queries += [("find_case_ids status open", CaseQuery(status=OPEN_CASES)),
                ("find_case_ids status closed", CaseQuery(status="closed")),
                ("find_case_ids status received", CaseQuery(status="received")),
                (f"find_case_ids officer {officer}", CaseQuery(officer=officer)),
                (f"find_case_ids year {year}", CaseQuery(year=year)),
                ("find_case_ids channel post", CaseQuery(channel="post")),
                ("find_case_ids search + open + sort applicant",
                 CaseQuery(text="smith", status=OPEN_CASES, sort="applicant"))]

    results: list[tuple[str, float, str]] = []
    for label, query in queries:
        ms, ids = _median_ms(lambda q=query: find_case_ids(ctx, q), args.runs)
        results.append((label, ms, f"{len(ids):,} ids"))
        if args.explain:
            print(f"{label}: {_explain(ctx, query)}")

    all_ids = find_case_ids(ctx, CaseQuery())
    spread = all_ids[::max(1, len(all_ids) // 200)][:200]
    for label, page in (("fetch_rows 200 ids (top of the list)", all_ids[:200]),
                        ("fetch_rows 200 ids (stopped, end of the list)", all_ids[-200:]),
                        ("fetch_rows 200 ids (spread across the list)", spread)):
        ms, rows = _median_ms(lambda p=page: fetch_rows(ctx, p), args.runs)
        results.append((label, ms, f"{len(rows)} rows"))
    ms, counts = _median_ms(lambda: case_counts(ctx), args.runs)
    results.append(("case_counts", ms, f"{counts.open:,} open, {counts.overdue:,} overdue"))
    ms, _ = _median_ms(lambda: (received_years(ctx), officers(ctx)), args.runs)
    results.append(("filter choices (years and officers)", ms, ""))

    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication
    from ui.models.case_table import CaseTableModel
    app = QApplication.instance() or QApplication([])  # noqa: F841 - icons need the application
    display, decoration = Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.DecorationRole
    model = CaseTableModel(ctx)

    def first_screen() -> int:
        model.set_query(CaseQuery())
        for row in range(min(40, model.rowCount())):
            for column in range(model.columnCount()):
                model.data(model.index(row, column), display)
                model.data(model.index(row, column), decoration)
        return model.rowCount()

    ms, rows = _median_ms(first_screen, args.runs)
    results.append(("Qt model set_query + first 40 rows' data()", ms, f"{rows:,} rows"))
    ms, _ = _median_ms(lambda: model.sort(1, Qt.SortOrder.DescendingOrder if model.query.sort == "applicant"
                                     and not model.query.descending else Qt.SortOrder.AscendingOrder),
                  args.runs)
    results.append(("Qt model sort() (header click)", ms, ""))

    width = max(len(r[0]) for r in results)
    print(f"\n{total:,} cases in {args.database}; median of {args.runs} runs\n")
    print(f"{'operation':<{width}}  {'ms':>8}  result")
    print(f"{'-' * width}  {'-' * 8}  {'-' * 24}")
    slow = 0
    for label, ms, note in results:
        flag = "  << over target" if ms > TARGET_MS else ""
        slow += bool(flag)
        print(f"{label:<{width}}  {ms:8.1f}  {note}{flag}")
    print(f"\n{'All under' if not slow else f'{slow} over'} the {TARGET_MS:.0f} ms target.")
    ctx.engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
