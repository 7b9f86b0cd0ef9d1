"""The in-process sections of benchmarks/run_all.py: 2 case list, 3 statements per case page,
4 letters and 5 statutory figures. The app's modules are imported inside the functions, once
run_all.py has put the project root on sys.path.
"""
from __future__ import annotations

import statistics
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from bench_children import _sign_in
from bench_machine import HERE, ROOT, Report, _median_ms


def open_context(database: str) -> Any:
    from app.db.location import DatabaseChoice, normalise_url
    from app.services.admin.database import open_database
    ctx = open_database(DatabaseChoice(normalise_url(database), "benchmark"), sign_in=False).context
    _sign_in(ctx)
    return ctx


# --- 2. case list ---------------------------------------------------------------------------------

def bench_case_list(report: Report, ctx: Any, runs: int) -> None:
    section = "2 case list"
    from app.services.cases.case_list import INDICATORS, OPEN_CASES, SORT_KEYS, CaseQuery, fetch_rows, find_case_ids

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
    from app.services.cases import agency_requests as agency_work
    from app.services.cases.case_page import load_case
    from app.services.admin.database import open_database
    from app.services.demo.generate import generate_demo_cases
    from app.services.intake.applications import create_application
    from app.services.trust.users import sign_in
    sys.path.insert(0, str(ROOT))
    from tests.db.helpers import application, send_letter

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
                    # The acknowledgement is recorded by sending its letter (the one path to that step).
                    step = send_letter(ctx, created.id, "acknowledgement", date(2026, 11, 3), "post")
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
        from app.services.reports.figures import statutory_figures
    except Exception as exc:  # noqa: BLE001 - another engineer is finishing reports.py
        for figure in figures_rows:
            report.failed(section, figure, f"not available ({type(exc).__name__}: {exc})")
        return
    try:
        from app.services.reports.figures import financial_year
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
