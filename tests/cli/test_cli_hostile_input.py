"""Hostile input on the command line and through the services: a message naming the field, never a traceback."""
from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from app.services.common.errors import ValidationFailed
from app.services.intake.applications import create_application, import_applications
from app.services.intake.form_input import application_from_form
from tests.cli.cli_helpers import example, run, write
from tests.db.helpers import application


def _import(tmp_path: Path, content, *extra: str):
    db = tmp_path / "cases.db"
    return run(db, "import", str(write(tmp_path / "hostile.json", content)), *extra)


def _with(change) -> dict:
    app = example(1)
    change(app)
    return app


@pytest.mark.parametrize("change, field, words", [
    (lambda a: a["applicant"].update(last_name="x" * 100_000), "applicant.last_name", "at most 120 characters"),
    (lambda a: a["applicant"].update(postcode="TN1 1AA" * 3), "applicant.postcode", "at most 12 characters"),
    (lambda a: a["incidents"][0].update(agency_reference="R" * 81), "incidents[0].agency_reference", "at most 80"),
    (lambda a: a.update(impact="word " * 5_000), "impact", "at most 20,000 characters"),
    (lambda a: a["applicant"].update(first_name="Asha\x00"), "applicant.first_name", "NUL"),
    (lambda a: a.update(received_at="0001-01-01T10:00:00"), "received_at", "before the Community Trigger"),
    (lambda a: a["incidents"][0].update(reported_on="9999-12-31"), "incidents[0].reported_on", "not a date"),
    (lambda a: a["applicant"].update(date_of_birth="0001-01-01"), "applicant.date_of_birth", "not a date"),
])
def test_import_and_dry_run_name_the_field(tmp_path, change, field, words):
    for extra in (("--dry-run",), ()):
        result = _import(tmp_path, _with(change), *extra)
        assert result.returncode == 1, result.stdout
        assert field in result.stderr and words in result.stderr
        assert "would be created" not in result.stdout and "Traceback" not in result.stderr


@pytest.mark.parametrize("content, words", [
    ("[" * 100_000 + "]" * 100_000, "nests lists or objects more than 32 deep"),
    ('{"applicant": {"last_name": ' + "9" * 5001 + "}}", "number too long"),
    ('{"source_reference": "S\\ud800X", "channel": "online"}', "unpaired surrogate"),
    ("\xff\xfe not text", "not valid JSON"),
])
def test_hostile_files_are_refused_with_a_message(tmp_path, content, words):
    result = _import(tmp_path, content, "--dry-run")
    assert result.returncode == 1 and words in result.stderr and "Traceback" not in result.stderr


def test_a_file_over_the_documented_size_is_refused_before_it_is_read(tmp_path):
    big = tmp_path / "big.json"
    with big.open("wb") as handle:
        handle.write(b'{"impact": "')
        handle.truncate(21 * 1024 * 1024)
    result = run(tmp_path / "cases.db", "import", str(big))
    assert result.returncode == 1 and "larger than 20 MB" in result.stderr


def test_the_form_names_the_field_for_a_huge_or_broken_value(ctx):
    payload = {"received_at": "25/11/2026 10:00", "channel": "telephone", "consent_to_share": "yes",
               "applicant.last_name": "P" * 100_000, "applicant.first_name": "Li\ud800",
               "incidents": [{"happened": "01/11/2026", "reported_on": "02/11/2026", "reported_to": "Kent Police"}]}
    result = application_from_form(payload, ctx.now())
    fields = {p.field: p.message for p in result.problems}
    assert "at most 120 characters" in fields["applicant.last_name"]
    assert "unpaired surrogate" in fields["applicant.first_name"]


def test_the_service_refuses_even_when_called_directly(ctx):
    long_name = dataclasses.replace(application().applicant, last_name="x" * 121)
    with pytest.raises(ValidationFailed, match="applicant.last_name"):
        create_application(ctx, application(applicant=long_name))


@pytest.mark.postgres
def test_on_the_server_the_dry_run_and_the_import_agree(pg_ctx, tmp_path):
    path = write(tmp_path / "long.json", _with(lambda a: a["applicant"].update(last_name="x" * 121)))
    for dry_run in (True, False):
        report = import_applications(pg_ctx, [path], dry_run=dry_run)
        assert [p.field for _label, p in report.invalid] == ["applicant.last_name"] and not report.to_create


def test_cases_csv_neutralises_hostile_names_and_is_audited_before_it_is_printed(tmp_path):
    import csv as csv_module
    import io
    import sqlite3
    db = tmp_path / "cases.db"
    app = example(1)
    app["applicant"].update(title=None, first_name="=HYPERLINK(\"http://evil\")", last_name="@SUM(A1)")
    assert run(db, "import", str(write(tmp_path / "a.json", app))).returncode == 0
    result = run(db, "cases", "--format", "csv")
    assert result.returncode == 0
    rows = list(csv_module.reader(io.StringIO(result.stdout)))
    applicant = rows[1][rows[0].index("applicant")]
    assert applicant.startswith("'") and "HYPERLINK" in applicant
    conn = sqlite3.connect(db)
    reason = conn.execute("SELECT reason FROM audit_log WHERE action = 'export' AND entity = 'case list'").fetchone()
    conn.close()
    assert reason and "command line cases --format csv" in reason[0]


def test_the_reports_csv_neutralises_a_hostile_agency_name(ctx):
    import csv as csv_module
    import io
    from datetime import date
    from app.reports.tables import figures_csv
    from app.services.agencies import directory as ag
    from app.services.reports.figures import partnership_summary
    ag.save_agency(ctx, None, None, ag.AgencyInput("=cmd|' /C calc'!A0", kind="other partner"))
    summary = partnership_summary(ctx, date(2026, 4, 1), date(2027, 3, 31))
    cells = [c for row in csv_module.reader(io.StringIO(figures_csv(summary))) for c in row]
    assert not [c for c in cells if c[:1] in ("=", "+", "@")]
