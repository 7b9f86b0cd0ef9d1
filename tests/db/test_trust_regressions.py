"""Regressions from the attack on the first version: each of these once passed where it must fail."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from app.db.models import AuditEntry, AuditValue, Case
from app.services.agencies import directory as ag
from app.services.cases.case_list import CaseQuery, find_case_ids, record_export
from app.services.common.context import ServiceContext
from app.services.common.errors import PermissionDenied
from app.services.intake.applications import create_application
from app.services.trust.subject_access import find_people
from tests.conftest import make_context
from tests.db.helpers import application, incidents


def test_a_read_only_user_cannot_change_a_threshold_outcome_through_the_directory(sqlite_url):
    admin = make_context(sqlite_url)
    items = incidents(("2026-09-01", "2026-09-02"), ("2026-09-10", "2026-09-11")) + incidents(
        ("2026-10-01", "2026-10-03"), to="My neighbour")
    created = create_application(admin, application(items=items))
    reader = make_context(sqlite_url, actor="r.only", role="read_only")
    stranger = ServiceContext(admin.engine, actor="nobody")
    police = next(a for a in ag.list_agencies(admin) if a.name == "Kent Police")
    for ctx in (reader, stranger):
        for attempt in (lambda ctx=ctx: ag.link_name_to_agency(ctx, "My neighbour", police.id),
                        lambda ctx=ctx: ag.save_agency(ctx, None, None, ag.AgencyInput("Fake", kind="police",
                                                                                        relevant_body=True)),
                        lambda ctx=ctx: ag.deactivate_agency(ctx, police.id, police.version),
                        lambda ctx=ctx: ag.reactivate_agency(ctx, police.id, police.version)):
            with pytest.raises(PermissionDenied):
                attempt()
    with admin.reading() as s:
        assert s.scalar(select(Case.qualifying_incidents).where(Case.id == created.id)) == 2


def test_browsing_and_searching_are_audited_with_what_was_searched(ctx):
    create_application(ctx, application())
    find_case_ids(ctx, CaseQuery(status="open"))
    find_case_ids(ctx, CaseQuery(text="Patel"))
    find_people(ctx, "Patel")
    with ctx.reading() as s:
        entries = s.execute(select(AuditEntry.action, AuditEntry.entity, AuditEntry.reason, AuditEntry.id)
                            .where(AuditEntry.action.in_(("view", "search")))).all()
        searched = s.scalars(select(AuditValue.after).where(AuditValue.field == "search")).all()
    assert [(a, e) for a, e, _r, _i in entries] == [("view", "case list"), ("search", "case list"),
                                                    ("search", "people")]
    assert "status=open" in entries[0].reason and "Patel" not in entries[1].reason  # the text is kept apart
    assert searched == ["Patel", "Patel"]


def test_every_export_needs_the_export_permission_and_is_logged_first(sqlite_url, tmp_path):
    from app.services.reports.figures import record_export as report_export
    from app.services.trust.audit_log import export_audit
    reader = make_context(sqlite_url, actor="r.only", role="read_only")
    for attempt in (lambda: record_export(reader, 1, CaseQuery()),
                    lambda: report_export(reader, "CSV", date(2026, 4, 1), date(2027, 3, 31)),
                    lambda: export_audit(reader, tmp_path / "a.csv", reason="x")):
        with pytest.raises(PermissionDenied):
            attempt()
    assert not (tmp_path / "a.csv").exists()


def test_the_cases_command_needs_the_export_permission(tmp_path):
    import sqlite3
    from tests.cli.cli_helpers import run
    db = tmp_path / "cases.db"
    assert run(db, "cases").returncode == 0
    conn = sqlite3.connect(db)
    conn.execute("UPDATE users SET role = 'read_only'")
    conn.commit()
    conn.close()
    result = run(db, "cases", "--format", "csv")
    assert result.returncode == 1 and "may not export" in result.stderr and result.stdout == ""
