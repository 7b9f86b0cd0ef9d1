"""The audit log viewer's service: filters, paging, a change's values, and an export without personal values."""
from __future__ import annotations

import csv
from datetime import date, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.db.models import AuditEntry, AuditValue
from app.services.cases import steps as wf
from app.services.trust.audit_log import LONDON, EXPORT_COLUMNS, entries, AuditValueRow, audit_values, export_audit, search_audit
from app.services.common.errors import NotFound, PermissionDenied, ServiceError, ValidationFailed
from app.services.intake.applications import create_application
from tests.conftest import make_context
from tests.db.helpers import application

SECRET = "Afraid to go out after dark"


def seed(ctx) -> dict[str, int]:
    """Two cases, a change to the first with its before/after values, and two entries by another user."""
    first = create_application(ctx, application())
    second = create_application(ctx, application("2026-11-03"))
    wf.update_case_details(ctx, first.id, first.version, {"impact": SECRET})
    with ctx.unit_of_work() as s:
        change_id = s.scalar(select(AuditEntry.id).where(AuditEntry.action == "change"))
        s.add_all([AuditEntry(at=datetime(2026, 6, 30, 22, 30), actor="J.Smith", machine="pc-7", action="print",
                              entity="letter", entity_id=9, case_id=second.id, reason="=HYPERLINK(\"x\")"),
                   AuditEntry(at=datetime(2026, 6, 30, 23, 30), actor="j.smith", machine="pc-7", action="export",
                              entity="case list", reason="3 cases")])
    return {"first": first.id, "second": second.id, "change": change_id}


def views(ctx) -> list[AuditEntry]:
    with ctx.unit_of_work() as s:
        return list(s.scalars(select(AuditEntry).where(AuditEntry.entity == "audit log").order_by(AuditEntry.id)))


def test_entries_come_newest_first_with_the_case_reference(ctx):
    ids = seed(ctx)
    page = search_audit(ctx)
    with ctx.unit_of_work() as s:
        stored = s.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.entity != "audit log"))
    assert page.total == len(page.rows) == stored
    stamps = [(r.at, r.id) for r in page.rows]
    assert stamps == sorted(stamps, reverse=True)
    change = next(r for r in page.rows if r.id == ids["change"])
    assert (change.action, change.entity, change.entity_id, change.case_reference, change.fields) == (
        "change", "case", ids["first"], "CT-2026-0001", "impact")
    assert page.rows[-1].local_at == datetime(2026, 6, 30, 23, 30)  # 22:30 UTC is 23:30 BST


def test_filters_by_who_action_and_case(ctx):
    ids = seed(ctx)
    assert {r.actor for r in search_audit(ctx, actor="SMITH").rows} == {"J.Smith", "j.smith"}
    assert [r.action for r in search_audit(ctx, action=" Export ").rows] == ["export"]
    by_case = search_audit(ctx, case_reference=" ct-2026-0002 ")
    assert {r.case_id for r in by_case.rows} == {ids["second"]} and {r.action for r in by_case.rows} == {
        "create", "print"}
    assert search_audit(ctx, case_reference="CT-1999-0001").total == 0
    assert search_audit(ctx, actor="%").total == 0  # wildcards are taken literally
    both = search_audit(ctx, actor="smith", action="print", case_reference="CT-2026-0002")
    assert [r.entity_id for r in both.rows] == [9]


def test_dates_are_uk_days_and_both_ends_count(ctx):
    seed(ctx)
    # 22:30 UTC on 30 June is 23:30 BST that day; 23:30 UTC is 00:30 BST on 1 July.
    july = search_audit(ctx, actor="smith", date_from=date(2026, 7, 1), date_to=date(2026, 7, 1))
    assert [r.action for r in july.rows] == ["export"]
    june = search_audit(ctx, actor="smith", date_to=date(2026, 6, 30))
    assert [r.action for r in june.rows] == ["print"]
    with pytest.raises(ValidationFailed) as refused:
        search_audit(ctx, date_from=date(2026, 7, 2), date_to=date(2026, 7, 1))
    assert refused.value.problems[0].field == "date_to"


def test_paging_is_stable_while_the_log_grows(ctx):
    with ctx.unit_of_work() as s:
        s.add_all([AuditEntry(at=datetime(2026, 1, 1, 9, n), actor="pager", action="view", entity="case",
                              entity_id=n) for n in range(25)])
    first = search_audit(ctx, actor="pager", limit=10)
    assert (first.total, len(first.rows), first.has_previous, first.has_next) == (25, 10, False, True)
    create_application(ctx, application())  # someone else works meanwhile; each page view is logged too
    second = search_audit(ctx, actor="pager", limit=10, offset=10, up_to_id=first.up_to_id)
    third = search_audit(ctx, actor="pager", limit=10, offset=20, up_to_id=first.up_to_id)
    seen = [r.entity_id for p in (first, second, third) for r in p.rows]
    assert seen == list(range(24, -1, -1))
    assert (len(third.rows), third.has_next, third.has_previous) == (5, False, True)


def test_a_changes_values_are_shown_and_the_look_is_logged(ctx):
    ids = seed(ctx)
    assert audit_values(ctx, ids["change"]) == [AuditValueRow("impact", None, SECRET)]
    [look] = [v for v in views(ctx) if v.entity_id == ids["change"]]
    assert (look.action, look.case_id, look.actor) == ("view", ids["first"], "officer.one")
    assert SECRET not in (look.reason or "")
    with pytest.raises(NotFound):
        audit_values(ctx, 99999)


def test_viewing_the_log_is_itself_logged(ctx):
    ids = seed(ctx)
    search_audit(ctx, actor="smith", case_reference="CT-2026-0002", date_from=date(2026, 6, 1))
    [entry] = views(ctx)
    assert (entry.action, entry.entity, entry.actor, entry.machine, entry.case_id) == (
        "view", "audit log", "officer.one", "test-pc", ids["second"])
    assert entry.reason == "entries 1-1 of 1; who=smith; case=CT-2026-0002; from 01/06/2026"
    # Each view is written after the read: a page shows earlier views, never its own.
    again = search_audit(ctx)
    assert again.rows[0].id == entry.id and views(ctx)[-1].id not in [r.id for r in again.rows]


def read_csv(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.reader(handle))


def test_export_has_no_personal_values_and_is_logged_with_the_reason(ctx, tmp_path):
    ids = seed(ctx)
    target = tmp_path / "audit.csv"
    result = export_audit(ctx, target, reason="IG review 2026/14")
    count = result.count
    assert not result.changes.case_ids  # filtered to no case: no case's timeline shows it
    rows = read_csv(target)
    assert rows[0] == list(EXPORT_COLUMNS) and len(rows) == count + 1
    text = target.read_text(encoding="utf-8-sig")
    assert SECRET not in text and "Patel" not in text and "Example Road" not in text
    change = next(r for r in rows if r[0] == str(ids["change"]))
    assert (change[6], change[7], change[8], change[10], change[11]) == (
        "change", "case", str(ids["first"]), "CT-2026-0001", "impact")
    printed = next(r for r in rows if r[6] == "print")
    assert printed[1:3] == ["2026-06-30T22:30:00", "2026-06-30 23:30:00"]
    assert printed[12] == "'=HYPERLINK(\"x\")"  # a spreadsheet shows it, never runs it
    assert not list(tmp_path.glob("*.part"))
    with ctx.unit_of_work() as s:
        [logged] = s.scalars(select(AuditEntry).where(AuditEntry.entity == "audit log",
                                                      AuditEntry.action == "export")).all()
        assert logged.reason == f"IG review 2026/14; {entries(count)}" and logged.actor == "officer.one"
        assert s.scalar(select(func.count()).select_from(AuditValue).where(AuditValue.audit_id == logged.id)) == 0


def test_export_follows_the_filters(ctx, tmp_path):
    ids = seed(ctx)
    result = export_audit(ctx, tmp_path / "case.csv", reason="complaint C-12", case_reference="CT-2026-0002")
    count = result.count
    assert result.changes.cases == {ids["second"]}  # the export is on that case's timeline
    rows = read_csv(tmp_path / "case.csv")[1:]
    assert count == len(rows) == 2 and {r[9] for r in rows} == {str(ids["second"])}
    assert export_audit(ctx, tmp_path / "none.csv", reason="check", case_reference="CT-1999-0009").count == 0
    assert read_csv(tmp_path / "none.csv") == [list(EXPORT_COLUMNS)]
    with ctx.unit_of_work() as s:
        logged = s.scalar(select(AuditEntry).where(AuditEntry.reason.like("complaint C-12%")))
        assert logged.case_id == ids["second"] and "case=CT-2026-0002" in logged.reason


def test_export_needs_a_reason(ctx, tmp_path):
    seed(ctx)
    for reason in ("", "   "):
        with pytest.raises(ValidationFailed) as refused:
            export_audit(ctx, tmp_path / "audit.csv", reason=reason)
        assert [p.field for p in refused.value.problems] == ["reason"]
    assert not (tmp_path / "audit.csv").exists()
    with ctx.unit_of_work() as s:
        assert s.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.entity == "audit log")) == 0


def test_an_unwritable_file_is_reported_and_not_logged_as_exported(ctx, tmp_path):
    seed(ctx)
    with pytest.raises(ServiceError, match="could not be saved"):
        export_audit(ctx, tmp_path / "missing-folder" / "audit.csv", reason="IG review")
    assert [e.action for e in views(ctx)] == []


def test_an_officer_is_refused_and_a_manager_may(sqlite_url, tmp_path):
    admin = make_context(sqlite_url)
    ids = seed(admin)
    officer = make_context(sqlite_url, actor="o.fficer", role="officer")
    for attempt in (lambda: search_audit(officer), lambda: audit_values(officer, ids["change"]),
                    lambda: export_audit(officer, tmp_path / "o.csv", reason="curious")):
        with pytest.raises(PermissionDenied, match="view the audit log"):
            attempt()
    reader = make_context(sqlite_url, actor="r.eader", role="read_only")
    with pytest.raises(PermissionDenied):
        search_audit(reader)
    assert not (tmp_path / "o.csv").exists()
    manager = make_context(sqlite_url, actor="m.anager", role="manager")
    assert search_audit(manager).total > 0
    assert audit_values(manager, ids["change"])[0].after == SECRET
    assert export_audit(manager, tmp_path / "m.csv", reason="monthly check").count > 0
    assert {(e.actor, e.action) for e in views(admin)} == {("m.anager", "view"), ("m.anager", "export")}
    for c in (admin, officer, reader, manager):
        c.engine.dispose()


@pytest.mark.postgres
def test_search_values_and_export_on_postgres(pg_ctx, tmp_path):
    first = create_application(pg_ctx, application())
    wf.update_case_details(pg_ctx, first.id, first.version, {"impact": SECRET})
    today = datetime.now(LONDON).date()  # entries are stamped with the real time, not the fixed test date
    page = search_audit(pg_ctx, case_reference=first.reference.lower(), action="change",
                        date_from=today, date_to=today)
    [change] = page.rows
    assert (change.case_reference, change.fields, page.total) == (first.reference, "impact", 1)
    assert change.db_user  # the server's session_user
    assert audit_values(pg_ctx, change.id) == [AuditValueRow("impact", None, SECRET)]
    count = export_audit(pg_ctx, tmp_path / "pg.csv", reason="IG review", actor="OFFICER").count
    text = (tmp_path / "pg.csv").read_text(encoding="utf-8-sig")
    assert count == len(read_csv(tmp_path / "pg.csv")) - 1 >= 3 and SECRET not in text
    assert [(e.action, e.entity_id) for e in views(pg_ctx)] == [("view", None), ("view", change.id),
                                                                ("export", None)]
