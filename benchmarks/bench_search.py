"""Search as you type with and without migration 0006's indexes, on the same database in the same run.

    .venv/bin/python benchmarks/bench_search.py --database /tmp/demo100k.db [--runs 5]
    .venv/bin/python benchmarks/bench_search.py --database postgresql+psycopg://postgres@127.0.0.1:5432/ct_bench

Run on demand; not part of the test suite. Each figure is the median of --runs runs of the case list's
own search statement (find_case_ids' statement: the matching ids in display order, then the first
screenful's rows), measured directly on the database (no delay proxy: this is the server's work).

  SQLite      after: the trigram table case_search (texts of 3 characters or more); before: the same
              search by LIKE over the rows, as before migration 0006 (the table is simply not used)
  PostgreSQL  after: the trigram indexes; before: the same statement inside a transaction in which the
              six indexes are dropped, rolled back afterwards (nothing is changed)
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from bench_machine import _median_ms  # the same median as the other benchmarks

ROOT = Path(__file__).resolve().parents[1]
TEXTS = ("smith", "TN2 5", "CT-2024-01", "KP/", "ate", "zzqx")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", required=True, help="SQLite file or PostgreSQL URL")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    from app.db.location import DatabaseChoice, normalise_url
    from app.domain.roles import Role
    from app.services.admin.database import open_database
    from app.services.cases import case_list
    database = args.database if "://" in args.database else f"sqlite:///{Path(args.database).resolve()}"
    ctx = open_database(DatabaseChoice(normalise_url(database), "benchmark"), sign_in=False).context
    ctx.role = Role.READ_ONLY  # reads only; the statement is run directly, so nothing is audited
    rows: list[tuple[str, float, float, int]] = []
    with ctx.engine.connect() as conn:
        total = conn.exec_driver_sql("SELECT count(*) FROM cases").scalar()
    for words in TEXTS:
        def run(conn: Any, words: str = words) -> int:
            statement = case_list.build_query(ctx, case_list.CaseQuery(text=words))
            ids = [r[0] for r in conn.execute(statement)]
            if ids:
                conn.execute(case_list.select(case_list.Case.id, case_list.Case.reference)
                             .where(case_list.Case.id.in_(ids[:40]))).all()
            return len(ids)
        if ctx.dialect == "sqlite":
            with ctx.engine.connect() as conn:
                after, found = _median_ms(lambda: run(conn), args.runs)
                case_list._SEARCH_TABLES[ctx.engine] = False
                before, found_before = _median_ms(lambda: run(conn), args.runs)
                case_list._SEARCH_TABLES.pop(ctx.engine, None)
        else:
            with ctx.engine.connect() as conn:
                after, found = _median_ms(lambda: run(conn), args.runs)
                conn.rollback()
                # Dropped inside this transaction only (DDL is transactional on PostgreSQL), then rolled back.
                for name in conn.exec_driver_sql("SELECT indexname FROM pg_indexes WHERE indexname LIKE '%%\\_trgm'") \
                        .scalars().all():
                    conn.exec_driver_sql(f"DROP INDEX {name}")
                before, found_before = _median_ms(lambda: run(conn), args.runs)
                conn.rollback()
        assert found == found_before, (words, found, found_before)
        rows.append((words, before, after, found))
    print(f"\nDatabase: {database.split('@')[-1]} ({total:,} cases); medians of {args.runs} runs")
    print(f"{'search':<14}{'before (no index) ms':>22}{'after ms':>10}{'cases':>8}")
    for words, before, after, found in rows:
        print(f"{words!r:<14}{before:>22.1f}{after:>10.1f}{found:>8,}")
    ctx.engine.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
