"""Long work with progress and a stop: each item committed whole or not started, and the result names both.

Each test stops the work as a user pressing Cancel would (a Progress cancelled once k items are
done), then reads the database: exactly k items are there, whole, and the rest are not started.
"""
from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.db.models import AuditEntry, Case, CaseReview, Letter, Person, Recommendation
from app.services.common.ops import Cancelled, Part
from app.services.demo.generate import generate_demo_cases
from app.services.intake.applications import import_applications
from app.services.panels.pack import TEMPLATE as PACK, build_panel_pack
from app.services.reports.figures import partnership_summary, statutory_figures
from app.services.reports.publication import publication_table
from app.services.reports.register_import import import_register
from app.services.trust.retention import ANONYMISED, run_retention
from app.services.trust.subject_access import JSON_NAME, PDF_NAME, PERSON, export_subject_access
from tests.conftest import FIXTURES
from tests.db.helpers import stopping
from tests.db.test_demo import _check_references
from tests.db.test_panel_pack import pack_meeting
from tests.db.test_register_import import HAND_COUNT, VALID, _write
from tests.db.test_retention import finish, new_case
from tests.db.test_subject_access import sar_cases


@pytest.fixture
def meeting(ctx):
    return pack_meeting(ctx)


@pytest.fixture
def cases(ctx) -> dict[str, int]:
    return sar_cases(ctx)


def _count(ctx, model, *where) -> int:
    with ctx.reading() as s:
        return s.scalar(select(func.count()).select_from(model).where(*where)) or 0


# --- the historical register ----------------------------------------------------------------------------

def test_a_register_import_stopped_after_a_batch_keeps_those_rows_whole_and_names_the_rest(ctx, tmp_path):
    path = _write(tmp_path, VALID)
    progress, calls = stopping(after=3)
    before = ctx.transactions
    report = import_register(ctx, path, progress=progress, batch=3)
    assert ctx.transactions - before == 1  # one batch, one unit of work
    assert calls == [(0, 8, "rows imported"), (3, 8, "rows imported")]
    register = [row.split(",")[0] for row in VALID]
    assert [source for source, _reference in report.created] == register[:3]
    assert report.not_started == tuple(register[3:]) and report.cancelled
    assert "stopped before 5 row(s)" in report.summary() and register[3] in report.summary()
    assert report.changes.created == frozenset(_ids(ctx))
    # Exactly the three rows, each whole: its review and its recommendations came with it.
    assert _count(ctx, Case) == 3
    assert _count(ctx, CaseReview) == 1 and _count(ctx, Recommendation) == 2  # the first row: a panel, 2 recommendations
    again = import_register(ctx, path)  # the same file again adds only the rows not started
    assert len(again.created) == 5 and [s for s, _r in again.already_imported] == register[:3]
    assert not again.cancelled and _count(ctx, Case) == 8
    figures = statutory_figures(ctx, date(2025, 4, 1), date(2026, 3, 31))
    assert {k: figures.value(k) for k in HAND_COUNT} == HAND_COUNT  # as if imported in one go


def _ids(ctx) -> list[int]:
    with ctx.reading() as s:
        return list(s.scalars(select(Case.id)))


# --- applications ------------------------------------------------------------------------------------------

def test_an_application_import_stopped_after_one_keeps_it_and_names_the_others(ctx):
    public = FIXTURES / "public-applications.json"
    sources = [a["source_reference"] for a in json.loads(public.read_text(encoding="utf-8"))]
    progress, calls = stopping(after=1)
    before = ctx.transactions
    report = import_applications(ctx, [public], progress=progress, batch=1)
    assert ctx.transactions - before == 1
    assert calls == [(0, 3, "applications imported"), (1, 3, "applications imported")]
    assert [c.source_reference for c in report.created] == sources[:1]
    assert len(report.not_started) == 2 and report.cancelled
    assert report.changes.created == {report.created[0].id}
    with ctx.reading() as s:
        assert list(s.scalars(select(Case.source_reference))) == sources[:1]
    again = import_applications(ctx, [public])
    assert [c.source_reference for c in again.created] == sources[1:] and not again.cancelled
    assert [source for source, _reference in again.already_imported] == sources[:1]


def test_an_application_import_reports_every_batch_and_commits_each_whole(ctx):
    progress, calls = stopping()
    before = ctx.transactions
    report = import_applications(ctx, [FIXTURES / "public-applications.json"], progress=progress, batch=2)
    assert len(report.created) == 3 and report.not_started == () and ctx.transactions - before == 2
    assert [done for done, _total, _label in calls] == [0, 2, 3]


# --- the demo ----------------------------------------------------------------------------------------------

def test_the_demo_stopped_after_a_batch_leaves_whole_batches(ctx):
    progress, calls = stopping(after=10)
    loaded = generate_demo_cases(ctx, 30, seed=7, batch=10, progress=progress)
    assert calls == [(0, 30, "demo cases"), (10, 30, "demo cases")]
    assert (loaded.made, loaded.not_started, loaded.cancelled) == (10, 20, True)
    assert "Stopped after 10 of 30 demo cases; 20 not started." == loaded.summary()
    assert loaded.changes.all_cases and loaded.changes.touches(Part.LIST)
    with ctx.reading() as s:
        made = list(s.scalars(select(Case).order_by(Case.id)))
        assert len(made) == 10 and all(c.incidents for c in made)  # each case with its records
        logged = list(s.scalars(select(AuditEntry.reason).where(AuditEntry.reason.like("demo data%"))))
    assert logged == ["demo data: 10 made-up cases generated (seed 7, 1 to 10 of 30)"]
    _check_references(ctx, made)
    more = generate_demo_cases(ctx, 20, seed=8, batch=10)  # the rest, later: the numbers carry on
    assert more.made == 20 and not more.cancelled
    with ctx.reading() as s:
        every = list(s.scalars(select(Case).order_by(Case.id)))
    _check_references(ctx, every)


def test_the_demo_batches_are_one_transaction_each(ctx):
    before = ctx.transactions
    loaded = generate_demo_cases(ctx, 25, seed=3, batch=10)
    assert loaded.made == 25 and ctx.transactions - before == 3


# --- retention ---------------------------------------------------------------------------------------------

def _references(ctx, ids: list[int]) -> list[str]:
    with ctx.reading() as s:
        found = dict(s.execute(select(Case.id, Case.reference).where(Case.id.in_(ids))).all())
    return [found[i] for i in ids]


def _surname(ctx, case_id: int) -> str:
    with ctx.reading() as s:
        return s.scalar(select(Person.last_name).join(Case, Case.applicant_id == Person.id).where(Case.id == case_id))


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def any_ctx(request):
    return request.getfixturevalue("ctx" if request.param == "sqlite" else "pg_ctx")


def test_a_retention_run_stopped_after_one_case_erases_that_case_only(any_ctx):
    ctx = any_ctx
    ids = [new_case(ctx) for _ in range(3)]
    for case_id in ids:
        finish(ctx, case_id, closed_on=date(2019, 1, 10))
    references = _references(ctx, ids)
    progress, calls = stopping(after=1)
    before = ctx.transactions
    run = run_retention(ctx, "anonymise", ids, "retention period ended", progress=progress)
    assert ctx.transactions - before == 1  # one case, one unit of work
    assert calls == [(0, 3, "cases anonymised"), (1, 3, "cases anonymised")]
    assert run.done == tuple(references[:1]) and run.not_started == tuple(references[1:]) and run.cancelled
    assert run.summary() == (f"Stopped after 1 of 3 cases; done: {references[0]} anonymised; "
                             f"not started: {references[1]}, {references[2]}.")
    assert [_surname(ctx, i) for i in ids] == [ANONYMISED, "Patel", "Patel"]
    assert _count(ctx, AuditEntry, AuditEntry.action == "anonymise") == 1
    assert run.changes.touches_case(ids[0]) and not run.changes.touches_case(ids[1])
    assert run.changes.touches(Part.RETENTION)


def test_a_retention_run_deletes_each_case_and_says_so(ctx):
    ids = [new_case(ctx) for _ in range(2)]
    before = ctx.transactions
    run = run_retention(ctx, "delete", ids, "opened by mistake")
    assert ctx.transactions - before == 2 and not run.cancelled and len(run.done) == 2
    assert _count(ctx, Case) == 0 and run.changes.removed == frozenset(ids)


def test_a_retention_run_with_an_open_case_changes_nothing(ctx):
    closed, open_case = new_case(ctx), new_case(ctx)
    finish(ctx, closed, closed_on=date(2019, 1, 10))
    from app.services.common.errors import ServiceError
    with pytest.raises(ServiceError, match="closed or withdrawn"):
        run_retention(ctx, "anonymise", [closed, open_case], "retention period ended")
    assert [_surname(ctx, i) for i in (closed, open_case)] == ["Patel", "Patel"]


# --- subject access ----------------------------------------------------------------------------------------

def test_a_subject_access_export_stopped_while_gathering_discloses_nothing(ctx, cases, tmp_path):
    progress, _calls = stopping(after=1, during="cases gathered")
    exports = _count(ctx, AuditEntry, AuditEntry.action == "export")
    with pytest.raises(Cancelled) as stop:
        export_subject_access(ctx, PERSON, cases["asha_a"], "SAR 2026/1", tmp_path / "sar",
                              same_person_ids=[cases["asha_b"]], progress=progress)
    assert len(stop.value.run.done) == 1 and len(stop.value.run.not_started) == 1
    assert _count(ctx, AuditEntry, AuditEntry.action == "export") == exports  # no disclosure logged
    assert not (tmp_path / "sar").exists() or not any((tmp_path / "sar").iterdir())


def test_a_subject_access_export_stopped_while_writing_leaves_whole_files_and_names_the_rest(ctx, cases, tmp_path):
    progress, calls = stopping(after=1, during="files written")
    folder = tmp_path / "sar"
    export = export_subject_access(ctx, PERSON, cases["asha_a"], "SAR 2026/1", folder,
                                   same_person_ids=[cases["asha_b"]], progress=progress)
    assert [c for c in calls if "cases" in c[2]] == [(0, 2, "cases gathered"), (1, 2, "cases gathered"),
                                                      (2, 2, "cases gathered")]
    assert export.written == (folder / JSON_NAME,) and export.cancelled
    assert export.not_started[0] == PDF_NAME and len(export.not_started) == 2  # the PDF and Asha's letter
    assert sorted(p.name for p in folder.iterdir()) == [JSON_NAME]  # no half-written file beside it
    assert json.loads((folder / JSON_NAME).read_text(encoding="utf-8"))["reason"] == "SAR 2026/1"
    assert export.changes.touches_case(cases["a"]) and export.changes.touches_case(cases["b"])
    assert "not started: subject-access.pdf" in export.summary()


def test_a_whole_subject_access_export_is_one_transaction(ctx, cases, tmp_path):
    before = ctx.transactions
    export = export_subject_access(ctx, PERSON, cases["asha_a"], "SAR 2026/1", tmp_path / "sar",
                                   same_person_ids=[cases["asha_b"]])
    assert ctx.transactions - before == 1 and not export.cancelled
    assert [p.name for p in export.written][:2] == [JSON_NAME, PDF_NAME] and len(export.written) == 3


# --- the panel pack ----------------------------------------------------------------------------------------

def test_a_panel_pack_stopped_part_way_keeps_nothing(ctx, meeting):
    meeting_id, first, second = meeting
    progress, calls = stopping(after=1)
    with pytest.raises(Cancelled) as stop:
        build_panel_pack(ctx, meeting_id, progress=progress)
    assert calls == [(0, 2, "cases gathered for the pack"), (1, 2, "cases gathered for the pack")]
    assert len(stop.value.run.done) == 1 and len(stop.value.run.not_started) == 1
    assert _count(ctx, Letter, Letter.template == PACK) == 0
    assert _count(ctx, AuditEntry, AuditEntry.action == "export") == 0


def test_a_panel_pack_reports_each_case_and_says_what_changed(ctx, meeting):
    meeting_id, first, second = meeting
    progress, calls = stopping()
    before = ctx.transactions
    built = build_panel_pack(ctx, meeting_id, progress=progress)
    assert ctx.transactions - before == 1
    assert [done for done, _total, _label in calls] == [0, 1, 2]
    assert built.changes.meetings == {meeting_id} and built.changes.touches(Part.MEETINGS, Part.TIMELINE)
    assert built.changes.cases == {first, second}


# --- reports -----------------------------------------------------------------------------------------------

def test_the_partnership_summary_reports_its_parts_and_stops_between_them(ctx):
    new_case(ctx)
    start, end = date(2026, 4, 1), date(2027, 3, 31)
    progress, calls = stopping()
    assert partnership_summary(ctx, start, end, progress=progress) == partnership_summary(ctx, start, end)
    assert [done for done, _total, _label in calls] == list(range(7)) and calls[0][1] == 6
    progress, calls = stopping(after=2)
    with pytest.raises(Cancelled) as stop:
        partnership_summary(ctx, start, end, progress=progress)
    assert stop.value.run.done == ("timeliness", "recommendations") and len(stop.value.run.not_started) == 4
    assert "the partnership summary was not produced" in str(stop.value)


def test_the_published_table_is_counted_a_year_at_a_time(ctx):
    progress, calls = stopping()
    table = publication_table(ctx, years=3, progress=progress)
    assert len(table.years) == 3 and [d for d, _t, _l in calls] == [0, 1, 2, 3]
    progress, _calls = stopping(after=1)
    with pytest.raises(Cancelled) as stop:
        publication_table(ctx, years=3, progress=progress)
    assert stop.value.run.done == (table.years[0].label,)


def test_the_files_of_an_unstopped_bundle_match_the_bundle(tmp_path: Path, ctx, cases):
    """write_bundle, as the app calls it, still writes every file (each moved into place whole)."""
    from app.services.trust.subject_access import export_person, write_bundle
    bundle = export_person(ctx, PERSON, cases["asha_a"], "SAR", same_person_ids=[cases["asha_b"]])
    written = write_bundle(bundle, tmp_path / "out")
    assert [p.name for p in written] == list(bundle.file_names)
    assert not list((tmp_path / "out").glob("*.part"))
