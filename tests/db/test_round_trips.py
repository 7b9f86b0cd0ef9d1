"""The statements (and, on the server, the round trips) per user action do not grow with the data.

Counted with SQLAlchemy's before_cursor_execute (reads sent together on PostgreSQL are counted too,
app.db.engine.read_together tells the same listeners), and on PostgreSQL on the wire through the
benchmarks' delay proxy. None of this is a timing assertion: a regression that makes a case page
read once per incident, or a batch write once per letter, fails here whatever the machine.
"""
from __future__ import annotations

import sys
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from app.db.models import AuditEntry, Letter
from app.domain.application import IncidentData
from app.services.cases import agency_requests as work
from app.services.cases import steps as wf
from app.services.cases.case_page import load_case
from app.services.common.ops import Progress
from app.services.intake.applications import create_application
from app.services.letters import case_letters
from app.services.letters.queue import produce_due_acknowledgements
from tests.conftest import make_context
from tests.db.helpers import Transactions, application, council_set_up, named_officer, send_letter

RECEIVED = date(2026, 11, 2)
# The most load_case may issue, whatever the case holds: the case with its people, its incidents,
# the fifteen parts read together, and the view's audit entry (three statements without the server's
# audit function; one with it).
MOST_FOR_A_PAGE = 21


def _incidents(n: int) -> tuple[IncidentData, ...]:
    first = RECEIVED - timedelta(days=300)
    return tuple(IncidentData(occurred_on=first + timedelta(days=k), reported_on=first + timedelta(days=k + 1),
                              reported_to="Kent Police", agency_reference=f"KP/{k:04d}",
                              description=f"Loud music, incident {k + 1}") for k in range(n))


def _acknowledged_case(ctx, incidents: int) -> tuple[int, int]:
    made = create_application(ctx, application(RECEIVED.isoformat(), items=_incidents(incidents)))
    sent = send_letter(ctx, made.id, "acknowledgement", date(2026, 11, 3))
    return made.id, sent.version


def _filled(ctx, incidents: int, notes: int) -> int:
    """A case with incidents, notes, letters, a request to an agency and its audit history."""
    case_id, _version = _acknowledged_case(ctx, incidents)
    for k in range(notes):
        work.add_note(ctx, case_id, f"Rang the applicant ({k + 1})")
    return case_id


def _statements(ctx, fn) -> tuple[int, int]:
    with Transactions(ctx.engine) as counted:
        fn()
    return counted.statements, counted.committed


def _page_statements_do_not_grow(ctx) -> None:
    small, large = _filled(ctx, 3, 1), _filled(ctx, 40, 12)
    load_case(ctx, small)  # settings, calendar and caches, as any second look has them
    counts = {}
    for name, case_id in (("small", small), ("large", large)):
        counts[name] = _statements(ctx, lambda c=case_id: load_case(ctx, c))[0]
    assert len(load_case(ctx, large).incidents) == 40 and len(load_case(ctx, large).notes) == 12
    assert counts["small"] == counts["large"], counts
    assert counts["large"] <= MOST_FOR_A_PAGE, counts


def test_a_case_page_costs_the_same_statements_for_3_incidents_as_for_40(ctx):
    _page_statements_do_not_grow(ctx)


def test_a_case_page_costs_the_same_statements_on_the_server(pg_ctx):
    _page_statements_do_not_grow(pg_ctx)


def test_a_workflow_step_costs_the_same_statements_for_3_incidents_as_for_40(ctx):
    counts = {}
    for n in (3, 40):
        case_id, version = _acknowledged_case(ctx, n)
        counts[n] = _statements(ctx, lambda c=case_id, v=version: wf.start_threshold_check(ctx, c, v))
    assert counts[3] == counts[40], counts
    statements, committed = counts[40]
    assert committed == 1 and statements <= 12, counts  # one transaction; on SQLite the audit takes four


def _received(ctx, n: int) -> list[int]:
    return [create_application(ctx, application(RECEIVED.isoformat())).id for _ in range(n)]


def _batch_statements(ctx) -> dict[str, tuple[int, int]]:
    named_officer(ctx)
    council_set_up(ctx)
    two, six = _received(ctx, 2), _received(ctx, 6)
    produce_due_acknowledgements(ctx, case_ids=_received(ctx, 1))  # templates and fonts loaded
    counts = {}
    for name, ids in (("two", two), ("six", six)):
        result: list = []
        counts[name] = _statements(ctx, lambda i=ids, r=result: r.append(produce_due_acknowledgements(ctx, case_ids=i)))
        assert {info.case_id for info in result[0].produced} == set(ids) and not result[0].refused
        assert set(result[0].pdfs) == {info.id for info in result[0].produced}
        assert all(pdf.startswith(b"%PDF") for pdf in result[0].pdfs.values())
    assert counts["six"][1] == counts["two"][1] == 1, counts  # the whole batch is one unit of work
    return counts


def test_the_acknowledgement_batch_is_one_transaction_whose_reads_do_not_grow_with_the_letters(ctx):
    counts = _batch_statements(ctx)
    # SQLite's driver inserts the letters one row at a time (on this machine, no network): nothing else grows.
    assert counts["six"][0] - counts["two"][0] <= 4, counts


def test_on_the_server_the_acknowledgement_batch_costs_the_same_statements_for_6_letters_as_for_2(pg_ctx):
    counts = _batch_statements(pg_ctx)
    assert counts["six"] == counts["two"], counts  # all the letters in one INSERT, their audit in one call


def test_cancelling_the_batch_keeps_the_letters_made_and_starts_no_other(ctx):
    named_officer(ctx)
    council_set_up(ctx)
    ids = _received(ctx, 5)

    def cancel_after_two(done: int, _total: int, _label: str) -> None:
        if done == 2:
            progress.cancel()
    progress = Progress(on_update=cancel_after_two)
    result = produce_due_acknowledgements(ctx, case_ids=ids, progress=progress)
    assert len(result.produced) == 2 and len(result.not_started) == 3 and result.cancelled
    assert progress.total == 5 and progress.done == 2
    with ctx.reading() as session:
        with_letter = set(session.scalars(select(Letter.case_id).where(Letter.case_id.in_(ids),
                                                                      Letter.template == "acknowledgement")))
        audited = set(session.scalars(select(AuditEntry.case_id).where(AuditEntry.case_id.in_(ids),
                                                                       AuditEntry.action == "letter")))
    done = {info.case_id for info in result.produced}
    assert with_letter == done == audited  # each letter made is complete: kept and audited
    refs = {load_case(ctx, i, record_view=False).reference: i for i in ids}
    assert {refs[r] for r in result.not_started} == set(ids) - done  # the rest: not started at all
    assert "3 not started (cancelled)" in result.summary()


def test_a_batch_printed_is_logged_in_one_unit_of_work(ctx):
    named_officer(ctx)
    council_set_up(ctx)
    result = produce_due_acknowledgements(ctx, case_ids=_received(ctx, 3))
    letter_ids = [info.id for info in result.produced]
    statements, committed = _statements(ctx, lambda: case_letters.record_disclosures(
        ctx, letter_ids, "print (batch of acknowledgements)"))
    assert committed == 1
    with ctx.reading() as session:
        logged = session.scalar(select(func.count()).select_from(AuditEntry).where(
            AuditEntry.action == "print", AuditEntry.entity_id.in_(letter_ids)))
    assert logged == 3


def _delay_proxy():
    # On the path, not loaded from its file: the proxy's own process (spawned) imports it by name.
    folder = str(Path(__file__).resolve().parents[2] / "benchmarks")
    if folder not in sys.path:
        sys.path.append(folder)
    from delay_proxy import DelayProxy
    return DelayProxy


def test_on_the_server_a_page_and_a_batch_cost_a_few_round_trips_however_big(pg_ctx, pg_url, pg_roles):
    """Counted on the wire, with a small delay so that each wait is a real one."""
    named_officer(pg_ctx)
    council_set_up(pg_ctx)
    small, large = _filled(pg_ctx, 3, 1), _filled(pg_ctx, 40, 12)
    two, six = _received(pg_ctx, 2), _received(pg_ctx, 6)
    proxy_class = _delay_proxy()
    with proxy_class(make_url(pg_url).port or 5432, delay_ms=5, max_seconds=300) as proxy:
        url = make_url(pg_url).set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
        ctx = make_context(url)
        try:
            load_case(ctx, small)
            produce_due_acknowledgements(ctx, case_ids=_received(pg_ctx, 1))

            def trips(fn) -> int:
                before = proxy.round_trips
                fn()
                return proxy.round_trips - before
            page = {n: trips(lambda c=c: load_case(ctx, c)) for n, c in (("small", small), ("large", large))}
            batch = {n: trips(lambda i=i: produce_due_acknowledgements(ctx, case_ids=i))
                     for n, i in (("two", two), ("six", six))}
        finally:
            ctx.engine.dispose()
    assert page["large"] <= 6 and page["small"] == page["large"], page
    assert batch["six"] <= batch["two"] + 1 and batch["six"] <= 40, batch
