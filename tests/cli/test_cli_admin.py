"""The administrator's command line: users, subject access, retention and the audit log, each refused
without the signed-in user's permission and audited."""
from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from tests.cli.cli_helpers import example, run, write


@pytest.fixture
def db(tmp_path) -> Path:
    path = tmp_path / "cases.db"
    app = example(1)
    app["applicant"].update(first_name="Asha", last_name="Patel")
    app["alleged_perpetrators"] = [{"name": "Dean Walsh", "description": None, "address": "14 Example Road"}]
    assert run(path, "import", str(write(tmp_path / "a.json", app))).returncode == 0  # the first user: administrator
    return path


def _sql(db: Path, statement: str, *args) -> list[tuple]:
    conn = sqlite3.connect(db)
    try:
        rows = conn.execute(statement, args).fetchall()
        conn.commit()
        return rows
    finally:
        conn.close()


def _me(db: Path) -> str:
    return _sql(db, "SELECT login FROM users ORDER BY id LIMIT 1")[0][0]


def test_users_add_list_and_set(db):
    added = run(db, "users", "add", "jane.smith", "--name", "Jane Smith", "--role", "officer", "--phone",
                "01892 554000", "--email", "jane.smith@example.gov.uk", "--job-title", "ASB officer")
    assert added.returncode == 0 and "Added jane.smith (Jane Smith) as officer" in added.stdout
    again = run(db, "users", "add", "Jane.Smith", "--name", "Jane", "--role", "officer")
    assert again.returncode == 2 and "already a user" in again.stderr
    listed = json.loads(run(db, "users", "list", "--format", "json").stdout)
    jane = next(u for u in listed if u["login"] == "jane.smith")
    assert (jane["role"], jane["job_title"], jane["active"]) == ("officer", "ASB officer", True)
    changed = run(db, "users", "set", "jane.smith", "--role", "manager", "--inactive")
    assert changed.returncode == 0 and "manager, switched off" in changed.stdout
    table = run(db, "users", "list")
    assert "jane.smith" in table.stdout and "2 user(s)" in table.stdout
    assert run(db, "users", "set", "nobody", "--name", "X").returncode == 1
    bad = run(db, "users", "add", "x.y", "--name", "X Y", "--role", "emperor")
    assert bad.returncode == 2 and "invalid choice" in bad.stderr
    assert run(db, "users", "set", _me(db), "--role", "officer").returncode == 2  # not your own admin role
    actions = _sql(db, "SELECT action FROM audit_log WHERE entity = 'user' AND action IN ('create', 'change')")
    assert [a for (a,) in actions].count("change") >= 1 and ("create",) in actions


def test_each_command_is_refused_without_the_permission(db, tmp_path):
    _sql(db, "UPDATE users SET role = 'officer'")
    for args in (("users", "list"), ("users", "add", "x", "--name", "X", "--role", "officer"),
                 ("retention", "list"), ("audit", "verify"),
                 ("audit", "export", "--from", "01/01/2026", "--to", "31/12/2026", "--reason", "x", "--output",
                  str(tmp_path / "a.csv"))):
        result = run(db, *args)
        assert result.returncode == 1 and "may not" in result.stderr and "Traceback" not in result.stderr, args
    _sql(db, "UPDATE users SET role = 'read_only'")
    result = run(db, "subject-access", "Patel", "--output", str(tmp_path / "sar"))
    assert result.returncode == 1 and "may not export" in result.stderr and not (tmp_path / "sar").exists()


def test_subject_access_writes_the_json_and_the_pdf_and_is_audited(db, tmp_path):
    out = tmp_path / "sar"
    result = run(db, "subject-access", "Walsh", "--output", str(out))
    assert result.returncode == 0, result.stderr
    data = json.loads((out / "subject-access.json").read_text(encoding="utf-8"))
    assert (out / "subject-access.pdf").read_bytes().startswith(b"%PDF")
    text = json.dumps(data)
    assert "Dean Walsh" in text and "Patel" not in text and "Asha" not in text
    assert _sql(db, "SELECT count(*) FROM audit_log WHERE action = 'export' AND entity = 'perpetrator'")[0][0] == 1
    several = run(db, "subject-access", "a", "--output", str(out))
    assert several.returncode == 2 and "at least two letters" in several.stderr


def test_retention_list_anonymise_and_delete(db):
    reference = _sql(db, "SELECT reference FROM cases")[0][0]
    assert run(db, "retention", "anonymise", reference, "--reason", "x").returncode == 1  # still open
    _sql(db, "UPDATE cases SET status = 'closed', closed_on = '2019-01-01'")
    listed = run(db, "retention", "list")
    assert reference in listed.stdout and "1 case(s) due" in listed.stdout
    missing = run(db, "retention", "anonymise", reference)
    assert missing.returncode == 2 and "--reason" in missing.stderr
    done = run(db, "retention", "anonymise", reference, "--reason", "retention period ended")
    assert done.returncode == 0 and "anonymised" in done.stdout
    assert _sql(db, "SELECT last_name FROM people")[0][0] == "[anonymised]"
    assert run(db, "retention", "delete", reference, "--reason", "asked to be erased").returncode == 0
    assert _sql(db, "SELECT count(*) FROM cases")[0][0] == 0
    assert run(db, "retention", "delete", reference, "--reason", "again").returncode == 1


def test_audit_export_writes_a_csv_without_values_and_records_the_reason(db, tmp_path):
    out = tmp_path / "audit.csv"
    result = run(db, "audit", "export", "--from", "01/01/2000", "--to", "31/12/2099", "--reason",
                 "IG review 2026/14", "--output", str(out))
    assert result.returncode == 0 and out.exists() and "written to" in result.stdout
    assert "Patel" not in out.read_text(encoding="utf-8-sig")
    assert _sql(db, "SELECT count(*) FROM audit_log WHERE action = 'export' AND reason LIKE 'IG review 2026/14%'")[0][0]
    bad = run(db, "audit", "export", "--from", "31/02/2026", "--to", "01/03/2026", "--reason", "x", "--output",
              str(out))
    assert bad.returncode == 2 and "not a date" in bad.stderr
