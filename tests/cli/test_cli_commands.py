"""The real `community-trigger` commands other than import, run in a subprocess against a fresh SQLite
file: `cases` in its formats, `--version`, `backup`, `migrate`, and a server that cannot be reached.

Contracts: /work/shared/docs/application-format.md (`cases --format json`) and domain.md (statuses, clocks).
"""
from __future__ import annotations

import csv
import io
import sqlite3
from datetime import date
from pathlib import Path

from app import __version__
from tests.cli.cli_helpers import PUBLIC, cases_json, run, run_raw
from tests.cli.cli_helpers import public_db  # noqa: F401 - a fixture, found by pytest here

STATUSES = {"received", "awaiting_consent", "not_accepted", "withdrawn", "acknowledged",
            "threshold_check", "threshold_met", "threshold_not_met", "information_gathering",
            "panel_scheduled", "reviewed", "outcome_sent", "secondary_review_requested",
            "secondary_review_completed", "closed"}
CLOCKS = {"acknowledgement", "threshold_decision", "agency_information", "panel", "outcome",
          "delay_letter", "secondary_review_request", "secondary_review"}
DOCUMENTED_KEYS = {"reference", "source_reference", "channel", "received_on", "status", "threshold",
                   "threshold_decision", "due"}


# --------------------------------------------------------------------------- cases and version

def test_cases_json_has_documented_keys_statuses_and_clocks(public_db):
    db, _ = public_db
    cases = cases_json(db)
    assert len(cases) == 3
    for case in cases:
        assert DOCUMENTED_KEYS <= set(case), set(DOCUMENTED_KEYS) - set(case)
        assert case["status"] in STATUSES
        assert set(case["due"]) <= CLOCKS, case["due"]
        assert set(case["threshold"]) == {"qualifying_incidents", "met"}
        assert isinstance(case["threshold"]["qualifying_incidents"], int)
        assert isinstance(case["threshold"]["met"], bool)
        date.fromisoformat(case["received_on"])
        for due in case["due"].values():
            date.fromisoformat(due)
    assert len({c["reference"] for c in cases}) == 3


def test_cases_csv_has_header_and_one_row_per_case(public_db):
    db, _ = public_db
    result = run(db, "cases", "--format", "csv")
    assert result.returncode == 0, result.stderr
    rows = list(csv.reader(io.StringIO(result.stdout)))
    rows = [r for r in rows if r]
    header, body = rows[0], rows[1:]
    assert "reference" in header and "source_reference" in header
    assert len(body) == 3
    ref_col, src_col = header.index("reference"), header.index("source_reference")
    assert {(r[ref_col], r[src_col]) for r in body} == {
        (c["reference"], c["source_reference"]) for c in cases_json(db)}


def test_cases_table_prints_the_references(public_db):
    db, _ = public_db
    result = run(db, "cases")
    assert result.returncode == 0, result.stderr
    for case in cases_json(db):
        assert case["reference"] in result.stdout
        assert case["source_reference"] in result.stdout


def test_cases_on_an_empty_database_is_an_empty_list(tmp_path):
    assert cases_json(tmp_path / "x.db") == []


def test_version():
    result = run_raw("--version")
    assert result.returncode == 0
    assert __version__ in result.stdout
    assert result.stdout.strip().endswith(__version__)


# --------------------------------------------------------------------------- backup and migrate

def _count_cases(path: Path) -> int:
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        return conn.execute("SELECT count(*) FROM cases").fetchone()[0]
    finally:
        conn.close()


def test_backup_while_another_connection_is_writing(tmp_path):
    db = tmp_path / "x.db"
    assert run(db, "import", str(PUBLIC)).returncode == 0
    holder = sqlite3.connect(db, isolation_level=None)
    try:
        holder.execute("BEGIN IMMEDIATE")
        holder.execute("DELETE FROM cases")  # uncommitted: the backup must not see it
        target = tmp_path / "copies" / "backup.db"
        result = run(db, "backup", str(target))
        assert result.returncode == 0, result.stderr
        assert str(target) in result.stdout
        holder.execute("ROLLBACK")
    finally:
        holder.close()
    assert _count_cases(target) == 3
    assert _count_cases(db) == 3
    assert not target.with_name(target.name + ".partial").exists()


def test_backup_of_a_closed_database(tmp_path):
    db = tmp_path / "x.db"
    assert run(db, "import", str(PUBLIC)).returncode == 0
    target = tmp_path / "backup.db"
    result = run(db, "backup", str(target))
    assert result.returncode == 0, result.stderr
    assert _count_cases(target) == 3
    # The copy is a working database for the command too.
    assert {c["source_reference"] for c in cases_json(target)} == {"EXAMPLE-1", "EXAMPLE-2", "EXAMPLE-3"}


def test_backup_of_a_missing_database_fails(tmp_path):
    result = run(tmp_path / "none.db", "backup", str(tmp_path / "b.db"))
    assert result.returncode != 0
    assert "none.db" in result.stderr
    assert not (tmp_path / "b.db").exists()


def test_backup_of_postgresql_points_to_pg_dump(tmp_path):
    target = tmp_path / "b.dump"
    result = run_raw("--database", "postgresql://someone@db.example.invalid/cases", "backup", str(target))
    assert result.returncode != 0
    assert "pg_dump" in result.stderr
    assert not target.exists()


def test_migrate_a_new_sqlite_file(tmp_path):
    from app.db.schema import head_revision
    db = tmp_path / "new" / "x.db"
    result = run(db, "migrate")
    assert result.returncode == 0, result.stderr
    assert "current schema" in result.stdout
    assert str(db) in result.stdout
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT version_num FROM alembic_version").fetchall() == [(head_revision(),)]
        assert conn.execute("SELECT count(*) FROM agencies").fetchone()[0] == 7
    again = run(db, "migrate")
    assert again.returncode == 0, again.stderr
    assert "current schema" in again.stdout
    assert "backup" not in again.stdout  # nothing to migrate, so no backup kept


def test_an_unreachable_server_is_a_plain_message_not_a_traceback():
    # Port 1 on this machine refuses connections at once.
    result = run_raw("--database", "postgresql://someone@127.0.0.1:1/cases", "cases")
    assert result.returncode != 0
    assert "Traceback" not in result.stderr, result.stderr[-600:]
    assert result.stderr.startswith("community-trigger:")
