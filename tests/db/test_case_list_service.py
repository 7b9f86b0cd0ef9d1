"""The case list service on SQLite and PostgreSQL: search, filters and sorting in SQL, rows, and the counts."""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import date, timedelta

import pytest
from sqlalchemy import update

from app.db.models import Case
from app.domain.application import Channel, IncidentData, PersonData
from app.domain.clocks import Clock, ClockDue, indicator
from app.domain.workflow import Status
from app.services.cases import steps as wf
from app.services.cases.case_list import (OPEN_CASES, PROCESS_ORDER, CaseCounts, CaseQuery, _bands, case_counts,
                                         list_summary, officer_choices,
                                    fetch_rows, find_case_ids, iter_rows, officers, received_years)
from app.services.cases.summaries import list_cases
from app.services.common.context import ServiceContext
from app.services.intake.applications import create_application
from tests.conftest import make_context
from tests.db.helpers import ASSESSMENT, send_letter, application, incidents

# The fixed today of tests/conftest.py is Wednesday 25/11/2026: "due soon" runs to Monday 30/11.


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def ctx(request, sqlite_url) -> Iterator[ServiceContext]:
    """Every test here runs on SQLite and on the real PostgreSQL server (LIKE and ILIKE differ)."""
    if request.param == "postgres":
        yield request.getfixturevalue("pg_ctx")
        return
    context = make_context(sqlite_url)
    yield context
    context.engine.dispose()


def _person(title: str | None, first: str | None, last: str | None, postcode: str,
            organisation: str | None = None) -> PersonData:
    return PersonData(title=title, first_name=first, last_name=last, organisation=organisation,
                      address_lines=("1 Test Street",), postcode=postcode)


@pytest.fixture
def known(ctx) -> dict[str, int]:
    """Seven cases with known dates, names and states; returns their ids by nickname."""
    ids: dict[str, int] = {}
    with_reference = (IncidentData(occurred_on=date(2026, 9, 1), reported_on=date(2026, 9, 2),
                                   reported_to="Kent Police", agency_reference="KP/4471/26",
                                   description="Loud music"),) + incidents(("2026-09-10", "2026-09-11"),
                                                                           ("2026-10-01", "2026-10-03"))
    # Acknowledgement due 09/11/2026: overdue.
    ids["overdue"] = create_application(ctx, application(
        "2026-11-02", source="WEB-00017", items=with_reference,
        applicant=_person("Ms", "Asha", "Patel", "TN1 1AA"))).id
    # Acknowledgement due Monday 30/11/2026, the last "due soon" day.
    ids["soon_edge"] = create_application(ctx, replace(application(
        "2026-11-23", applicant=_person("Mr", "Tom", "Baker", "TN2 3BB")), channel=Channel.POST)).id
    # Acknowledgement due Friday 27/11/2026: due soon, and due this week.
    ids["soon"] = create_application(ctx, replace(application(
        "2026-11-20", applicant=_person(None, None, None, "TN4 9ZZ", "Calverley Residents Association")),
        channel=Channel.ONLINE)).id
    # Acknowledgement due Tuesday 01/12/2026: four working days away, on track.
    ids["on_track"] = create_application(ctx, application(
        "2026-11-24", applicant=_person("Dr", "Zena", "Young", "TN12 0AB"))).id
    # Threshold met on 24/11/2026: the panel clock runs to 22/12/2026.
    created = create_application(ctx, replace(application(
        "2026-10-01", applicant=_person("Mrs", "Ruth", "Ashdown", "TN3 8CC")), channel=Channel.EMAIL),
        officer="officer.two")
    step = send_letter(ctx, created.id, "acknowledgement", date(2026, 10, 2), "post", version=created.version)
    wf.decide_threshold(ctx, created.id, step.version, met=True, assessment=ASSESSMENT, decided_on=date(2026, 11, 24),
                        reason="Persistent, and the victim is vulnerable.")
    ids["met"] = created.id
    # Withdrawn: nothing is due, so it is "stopped".
    created = create_application(ctx, application("2026-11-02",
                                                  applicant=_person("Mr", "Ian", "Cook", "TN1 2DD")))
    wf.withdraw(ctx, created.id, created.version, withdrawn_on=date(2026, 11, 10))
    ids["withdrawn"] = created.id
    # Last year's, in threshold check: the threshold decision was due 31/12/2025.
    created = create_application(ctx, application(
        "2025-12-15", items=incidents(("2025-10-01", "2025-10-02"), ("2025-10-10", "2025-10-11"),
                                      ("2025-11-01", "2025-11-03")),
        applicant=_person("Miss", "Amy", "bell", "TN2 5EE")), officer="officer.three")
    step = send_letter(ctx, created.id, "acknowledgement", date(2025, 12, 16), "email", version=created.version)
    wf.start_threshold_check(ctx, created.id, step.version)
    ids["last_year"] = created.id
    return ids


def _find(ctx, **kwargs) -> list[int]:
    return find_case_ids(ctx, CaseQuery(**kwargs))


def _names(known: dict[str, int], found: list[int]) -> list[str]:
    by_id = {v: k for k, v in known.items()}
    return [by_id[i] for i in found]


# --- search -----------------------------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("CT-2026-0001", {"overdue"}),  # case reference, in full
    ("ct-2025", {"last_year"}),  # part of a reference, any case
    ("web-00017", {"overdue"}),  # the online form's own reference
    ("PATEL", {"overdue"}),  # surname, any case
    ("atel", {"overdue"}),  # part of a surname
    ("Calverley", {"soon"}),  # an organisation applying
    ("TN11AA", {"overdue"}),  # postcode typed without its space
    ("tn1 1aa", {"overdue"}),  # ... or with it
    ("TN1", {"overdue", "withdrawn", "on_track"}),  # TN1 1AA, TN1 2DD, and TN12 0AB contains "tn1"
    ("KP/4471/26", {"overdue"}),  # an incident's agency reference
    ("4471", {"overdue"}),
    ("nobody at all", set()),
    ("%", set()),  # the user's % is a character, not a wildcard
    ("_", set()),
    ("  patel  ", {"overdue"}),  # spaces around are ignored
])
def test_search_matches_each_field(ctx, known, text, expected):
    assert set(_names(known, _find(ctx, text=text))) == expected


def test_search_keeps_accented_capitals(ctx, known):
    found = create_application(ctx, application(
        "2026-11-02", applicant=_person("Mr", "Emre", "Özdemir", "TN9 1AA"))).id
    assert _find(ctx, text="Özdemir") == [found]
    assert _find(ctx, text="zdemir") == [found]


def test_empty_search_lists_every_case(ctx, known):
    assert set(_find(ctx, text="   ")) == set(known.values())


# --- filters ----------------------------------------------------------------------------------

@pytest.mark.parametrize("value, expected", [
    ("overdue", {"overdue", "last_year"}),
    ("due soon", {"soon", "soon_edge"}),
    ("on track", {"on_track", "met"}),
    ("stopped", {"withdrawn"}),
])
def test_indicator_filter(ctx, known, value, expected):
    assert set(_names(known, _find(ctx, indicator=value))) == expected


def test_indicator_filter_agrees_with_the_domain_rule(ctx, known):
    """The SQL bands and clocks.indicator() must say the same for every case."""
    domain = {s.id: s.indicator.value for s in list_cases(ctx)}
    for value in ("overdue", "due soon", "on track", "stopped"):
        assert {i for i, v in domain.items() if v == value} == set(_find(ctx, indicator=value))
    assert {i: r.indicator for i, r in fetch_rows(ctx, list(known.values())).items()} == domain


def test_due_soon_band_matches_domain_across_weekends_and_holidays(sqlite_url):
    """A due date on a Saturday after the third working day is still 'due soon' in the domain."""
    for today in (date(2026, 11, 24), date(2026, 12, 22), date(2026, 11, 27)):
        ctx = make_context(sqlite_url, today=today)
        bands, calendar, settings = _bands(ctx), ctx.calendar(), ctx.settings().clocks
        for offset in range(-5, 25):
            due = today + timedelta(days=offset)
            clocks = {Clock.PANEL: ClockDue(Clock.PANEL, due, due)}
            assert bands.indicator(due) == indicator(clocks, today, calendar, settings).value, (today, due)
        ctx.engine.dispose()


def test_status_filters(ctx, known):
    assert _names(known, _find(ctx, status="threshold_met")) == ["met"]
    assert set(_names(known, _find(ctx, status=OPEN_CASES))) == set(known) - {"withdrawn"}
    assert _find(ctx, status="closed") == []


def test_officer_year_and_channel_filters(ctx, known):
    assert _names(known, _find(ctx, officer="officer.two")) == ["met"]
    assert _names(known, _find(ctx, year=2025)) == ["last_year"]
    assert set(_names(known, _find(ctx, year=2026))) == set(known) - {"last_year"}
    assert _names(known, _find(ctx, channel="post")) == ["soon_edge"]
    assert _names(known, _find(ctx, channel="online", indicator="due soon")) == ["soon"]


def test_filters_combine_with_search(ctx, known):
    assert _names(known, _find(ctx, text="TN1", indicator="stopped")) == ["withdrawn"]
    assert _find(ctx, text="Patel", status="withdrawn") == []


def test_unknown_sort_key_or_indicator_is_refused(ctx, known):
    with pytest.raises(ValueError):
        _find(ctx, sort="colour")
    with pytest.raises(ValueError):
        _find(ctx, indicator="late")


# --- sorting ----------------------------------------------------------------------------------

EXPECTED_ORDER = {
    # CT-2025-0001, then 2026 in the order the references were given.
    "reference": ["last_year", "overdue", "soon_edge", "soon", "on_track", "met", "withdrawn"],
    # Surname or organisation, ignoring case: Ashdown, Baker, bell, Calverley, Cook, Patel, Young.
    "applicant": ["met", "soon_edge", "last_year", "soon", "withdrawn", "overdue", "on_track"],
    "postcode": ["overdue", "withdrawn", "on_track", "soon_edge", "last_year", "met", "soon"],
    # email, online, post, telephone (ties in id order).
    "channel": ["met", "soon", "soon_edge", "overdue", "on_track", "withdrawn", "last_year"],
    "received": ["last_year", "met", "overdue", "withdrawn", "soon", "soon_edge", "on_track"],
    # Process order: received, threshold check, threshold met ... withdrawn, closed.
    "status": ["overdue", "soon_edge", "soon", "on_track", "last_year", "met", "withdrawn"],
    # Acknowledgement before threshold decision before panel; none last.
    "next_action": ["overdue", "soon_edge", "soon", "on_track", "last_year", "met", "withdrawn"],
    # 31/12/2025, 09/11, 27/11, 30/11, 01/12, 22/12, none last.
    "next_due": ["last_year", "overdue", "soon", "soon_edge", "on_track", "met", "withdrawn"],
    # By the name shown, not the login: Officer Three, Officer Two, then officer.one (who gave no name;
    # ties in id order).
    "officer": ["last_year", "met", "overdue", "soon_edge", "soon", "on_track", "withdrawn"],
}


@pytest.mark.parametrize("key", sorted(EXPECTED_ORDER))
def test_each_sort_key(ctx, known, key):
    assert _names(known, _find(ctx, sort=key)) == EXPECTED_ORDER[key]


def test_descending_keeps_empty_values_last(ctx, known):
    order = _names(known, _find(ctx, sort="next_due", descending=True))
    assert order == ["met", "on_track", "soon_edge", "soon", "overdue", "last_year", "withdrawn"]


def test_reference_order_is_numeric_past_9999(ctx, known):
    with ctx.unit_of_work() as s:
        s.execute(update(Case).where(Case.id == known["met"]).values(reference="CT-2026-10000"))
    assert _names(known, _find(ctx, sort="reference"))[-2:] == ["withdrawn", "met"]


def test_officer_sort_puts_unassigned_last(ctx, known):
    with ctx.unit_of_work() as s:
        s.execute(update(Case).where(Case.id == known["overdue"]).values(officer=None))
    assert _names(known, _find(ctx, sort="officer"))[-1] == "overdue"
    assert _names(known, _find(ctx, sort="officer", descending=True))[-1] == "overdue"


# --- rows -------------------------------------------------------------------------------------

def test_fetch_rows_gives_the_list_values(ctx, known):
    rows = fetch_rows(ctx, [known["overdue"], known["soon"], known["withdrawn"], known["met"], 99999])
    assert set(rows) == {known["overdue"], known["soon"], known["withdrawn"], known["met"]}
    r = rows[known["overdue"]]
    assert (r.reference, r.applicant, r.postcode, r.channel, r.received_on, r.status) == (
        "CT-2026-0001", "Ms Asha Patel", "TN1 1AA", "telephone", date(2026, 11, 2), "received")
    assert (r.next_clock, r.next_due_on, r.working_days_left, r.indicator, r.officer) == (
        "acknowledgement", date(2026, 11, 9), -12, "overdue", "officer.one")
    soon = rows[known["soon"]]
    assert (soon.applicant, soon.working_days_left, soon.indicator) == (
        "Calverley Residents Association", 2, "due soon")
    stopped = rows[known["withdrawn"]]
    assert (stopped.next_due_on, stopped.working_days_left, stopped.indicator, stopped.next_clock) == (
        None, None, "stopped", None)
    met = rows[known["met"]]
    # The officer's name as they gave it, not their login.
    assert (met.next_clock, met.next_due_on, met.officer) == ("panel", date(2026, 12, 22), "Officer Two")
    assert fetch_rows(ctx, []) == {}


def test_iter_rows_keeps_the_order_across_blocks(ctx, known):
    ids = _find(ctx, sort="applicant")
    assert [r.id for r in iter_rows(ctx, ids, block=3)] == ids


# --- counts and filter choices -----------------------------------------------------------------

def test_counts(ctx, known):
    assert case_counts(ctx) == CaseCounts(open=6, overdue=2, due_this_week=1,
                                          awaiting_threshold_decision=5, awaiting_panel=1,
                                          awaiting_outcome_letter=0, updates_due=2)
    with ctx.unit_of_work() as s:  # no panel service yet: put one case at "reviewed" directly
        s.execute(update(Case).where(Case.id == known["met"]).values(status="reviewed"))
    counts = case_counts(ctx)
    assert (counts.awaiting_panel, counts.awaiting_outcome_letter) == (0, 1)


def test_counts_of_an_empty_database(ctx):
    assert case_counts(ctx) == CaseCounts(0, 0, 0, 0, 0, 0)
    assert received_years(ctx) == [] and officers(ctx) == []
    assert _find(ctx) == []


def test_process_order_names_every_status():
    assert sorted(PROCESS_ORDER) == sorted(Status)


def test_filter_choices(ctx, known):
    assert received_years(ctx) == [2026, 2025]
    assert officer_choices(ctx) == [("officer.three", "Officer Three"), ("officer.two", "Officer Two"),
                                    ("officer.one", "officer.one")]  # by name; the filter keeps the login
    assert officers(ctx) == ["officer.three", "officer.two", "officer.one"]


def test_the_list_summary_is_the_counts_and_both_choices_in_one_read(ctx, known):
    before = ctx.transactions
    summary = list_summary(ctx)
    assert ctx.transactions == before  # a read: no unit of work
    assert summary.counts == case_counts(ctx)
    assert summary.years == tuple(received_years(ctx)) and summary.officers == tuple(officer_choices(ctx))


def test_the_open_count_names_every_live_status(ctx, known):
    """"Open" is counted as the statuses that are open (an index search), so it must name them all."""
    from app.services.cases.case_list import _ENDED, _LIVE
    assert sorted(_LIVE + _ENDED) == sorted(s.value for s in Status)


def test_lists_searched_at_once_each_write_their_own_audit_entry(ctx, known):
    """The window reads on two workers beside the one that saves: two lists asked for at the same
    moment must not both take the audit log's next entry (the read runs in autocommit)."""
    import threading

    from sqlalchemy import func, select

    from app.db.models import AuditEntry
    from app.services.trust.audit_integrity import verify_chain

    with ctx.unit_of_work() as s:
        entries = s.scalar(select(func.count()).select_from(AuditEntry))
    start = threading.Barrier(3)
    failures: list[BaseException] = []

    def search(query: CaseQuery) -> None:
        start.wait()
        try:
            for _ in range(8):
                find_case_ids(ctx, query)
        except BaseException as exc:  # noqa: BLE001 - the test reports what went wrong
            failures.append(exc)

    workers = [threading.Thread(target=search, args=(q,)) for q in (CaseQuery(status=OPEN_CASES),
                                                                    CaseQuery(text="Smith"), CaseQuery())]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert failures == []
    with ctx.unit_of_work() as s:
        assert s.scalar(select(func.count()).select_from(AuditEntry)) == entries + 24
    assert verify_chain(ctx).intact
