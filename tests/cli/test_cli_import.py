"""The real `community-trigger import`, run in a subprocess against a fresh SQLite file: the public
examples, files and applications it rejects, and variants of the import format imported together.

Contracts: /work/shared/docs/application-format.md (import format, `cases --format json`) and
domain.md (threshold, working days, clocks). The subprocess uses the real clock, so every
application here is received in the past; the one date that is still in the future (Christmas
2026) is checked in-process with a fixed "today" at the end of this file.
"""
from __future__ import annotations

import json
import sqlite3
import subprocess
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import holidays
import pytest

from tests.cli.cli_helpers import PUBLIC, by_source, cases_json, example, incident, made_up, run, write
from tests.cli.cli_helpers import public_db  # noqa: F401 - a fixture, found by pytest here
from tests.conftest import FIXTURES, make_context

EXPECTED = json.loads((FIXTURES / "public-expected.json").read_text(encoding="utf-8"))
Imported = tuple[Path, subprocess.CompletedProcess[str], dict[str, dict[str, Any]]]  # db, output, cases


# --------------------------------------------------------------------------- the public examples

def test_import_public_examples_prints_one_line_per_application(public_db):
    db, result = public_db
    assert result.returncode == 0, result.stderr
    lines = [line for line in result.stdout.splitlines() if line.strip()]
    assert len(lines) == 3, result.stdout
    refs = {c["source_reference"]: c["reference"] for c in cases_json(db)}
    assert set(refs) == {"EXAMPLE-1", "EXAMPLE-2", "EXAMPLE-3"}
    for source, reference in refs.items():
        assert reference.startswith("CT-2026-")
        assert sum(1 for line in lines if source in line and reference in line) == 1, (source, lines)


def test_public_examples_match_expected_values(public_db):
    db, _ = public_db
    cases = by_source(db)
    assert set(cases) == set(EXPECTED)
    for source, expected in EXPECTED.items():
        case = cases[source]
        assert case["threshold"] == {"qualifying_incidents": expected["qualifying_incidents"],
                                     "met": expected["met"]}, source
        assert case["due"].get("acknowledgement") == expected["acknowledgement"], source
        assert case["due"].get("threshold_decision") == expected.get("threshold_decision"), source
        assert case["status"] == expected.get("status", "received"), source
        assert case["threshold_decision"] is None, source


def test_public_examples_other_documented_values(public_db):
    db, _ = public_db
    cases = by_source(db)
    assert cases["EXAMPLE-1"]["channel"] == "telephone"
    assert cases["EXAMPLE-1"]["received_on"] == "2026-06-01"
    assert cases["EXAMPLE-2"]["channel"] == "post"
    assert cases["EXAMPLE-2"]["received_on"] == "2026-04-07"
    assert cases["EXAMPLE-3"]["received_on"] == "2026-03-28"


def test_awaiting_consent_example_has_no_threshold_decision_clock(public_db):
    db, _ = public_db
    example3 = by_source(db)["EXAMPLE-3"]
    assert example3["status"] == "awaiting_consent"
    assert "threshold_decision" not in example3["due"]
    assert example3["due"]["acknowledgement"] == "2026-04-07"


def test_importing_again_creates_nothing_and_says_already_imported(tmp_path):
    db = tmp_path / "x.db"
    assert run(db, "import", str(PUBLIC)).returncode == 0
    before = cases_json(db)
    again = run(db, "import", str(PUBLIC))
    assert again.returncode == 0, again.stderr
    for source in ("EXAMPLE-1", "EXAMPLE-2", "EXAMPLE-3"):
        assert any(source in line and "already imported" in line for line in again.stdout.splitlines()), \
            again.stdout
    assert cases_json(db) == before


def test_dry_run_saves_nothing(tmp_path):
    db = tmp_path / "x.db"
    result = run(db, "import", "--dry-run", str(PUBLIC))
    assert result.returncode == 0, result.stderr
    for source in ("EXAMPLE-1", "EXAMPLE-2", "EXAMPLE-3"):
        assert any(source in line for line in result.stdout.splitlines())
    assert cases_json(db) == []


# --------------------------------------------------------------------------- invalid files

def _set(path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    """A change to EXAMPLE-1: set a dotted path (list indices as numbers) to value."""
    def change(app: dict[str, Any]) -> None:
        keys = path.split(".")
        target: Any = app
        for key in keys[:-1]:
            target = target[int(key)] if key.isdigit() else target[key]
        last = keys[-1]
        if value is _DELETE:
            del target[last]
        else:
            target[int(last) if last.isdigit() else last] = value
    return change


_DELETE = object()

INVALID = {
    # id: (change to EXAMPLE-1, field named in the message)
    "impossible incident date": (_set("incidents.0.occurred_on", "2026-02-30"), "incidents[0].occurred_on"),
    "impossible reported date": (_set("incidents.1.reported_on", "2026-02-30"), "incidents[1].reported_on"),
    "impossible received date": (_set("received_at", "2026-02-30T10:30:00"), "received_at"),
    "missing received date": (_set("received_at", _DELETE), "received_at"),
    "received in the future": (_set("received_at", "2099-06-01T10:30:00"), "received_at"),
    "reported before it happened": (_set("incidents.1.reported_on", "2026-03-04"), "incidents[1].reported_on"),
    "no surname or organisation": (_set("applicant.last_name", None), "applicant.last_name"),
    "blank surname": (_set("applicant.last_name", "   "), "applicant.last_name"),
    "unknown channel": (_set("channel", "fax"), "channel"),
    "missing channel": (_set("channel", _DELETE), "channel"),
    "no incidents": (_set("incidents", []), "incidents"),
    "incidents missing": (_set("incidents", _DELETE), "incidents"),
    "missing occurred date": (_set("incidents.2.occurred_on", None), "incidents[2].occurred_on"),
    "missing reported date": (_set("incidents.3.reported_on", _DELETE), "incidents[3].reported_on"),
}


def assert_nothing_imported(db: Path, result: subprocess.CompletedProcess[str]) -> None:
    assert result.returncode != 0
    listing = run(db, "cases", "--format", "json")
    assert listing.returncode == 0, listing.stderr
    assert json.loads(listing.stdout) == []


@pytest.mark.parametrize("change, field", INVALID.values(), ids=INVALID.keys())
def test_invalid_application_is_rejected_naming_source_and_field(tmp_path, change, field):
    app = example(1)
    change(app)
    db = tmp_path / "x.db"
    result = run(db, "import", str(write(tmp_path / "bad.json", app)))
    assert_nothing_imported(db, result)
    assert f"EXAMPLE-1: {field}:" in result.stderr, result.stderr


def test_malformed_json_is_rejected(tmp_path):
    text = PUBLIC.read_text(encoding="utf-8")
    bad = write(tmp_path / "broken.json", text[: len(text) // 2])
    db = tmp_path / "x.db"
    result = run(db, "import", str(bad))
    assert_nothing_imported(db, result)
    assert "broken.json" in result.stderr
    assert "not valid JSON" in result.stderr


def test_a_valid_and_an_invalid_application_in_one_file_imports_neither(tmp_path):
    bad = example(1)
    bad["channel"] = "carrier pigeon"
    db = tmp_path / "x.db"
    result = run(db, "import", str(write(tmp_path / "mixed.json", [example(2), bad])))
    assert_nothing_imported(db, result)
    assert "EXAMPLE-1: channel:" in result.stderr
    assert "EXAMPLE-2:" not in result.stderr  # the valid one is not blamed


def test_a_valid_file_and_an_invalid_file_together_import_nothing(tmp_path):
    bad = example(1)
    bad["source_reference"] = "EXTRA-1"
    bad["incidents"] = []
    db = tmp_path / "x.db"
    result = run(db, "import", str(PUBLIC), str(write(tmp_path / "bad.json", bad)))
    assert_nothing_imported(db, result)
    assert "EXTRA-1: incidents:" in result.stderr
    assert "EXAMPLE-1:" not in result.stderr


def test_every_invalid_application_is_named(tmp_path):
    one, two = example(1), example(2)
    one["applicant"]["last_name"] = None
    two["incidents"][0]["reported_on"] = "2025-08-31"  # occurred 2025-09-01
    db = tmp_path / "x.db"
    result = run(db, "import", str(write(tmp_path / "bad.json", [one, two, example(3)])))
    assert_nothing_imported(db, result)
    assert "EXAMPLE-1: applicant.last_name:" in result.stderr
    assert "EXAMPLE-2: incidents[0].reported_on:" in result.stderr
    assert "EXAMPLE-3:" not in result.stderr


@pytest.mark.parametrize("content", ["42", '"an application"', "{", ""], ids=["number", "text", "cut", "empty"])
def test_a_file_that_is_not_an_application_is_rejected(tmp_path, content):
    db = tmp_path / "x.db"
    result = run(db, "import", str(write(tmp_path / "odd.json", content)))
    assert_nothing_imported(db, result)
    assert "odd.json" in result.stderr


def test_the_same_source_reference_twice_in_one_file_creates_one_case(tmp_path):
    db = tmp_path / "x.db"
    result = run(db, "import", str(write(tmp_path / "twice.json", [example(1), example(1)])))
    assert result.returncode == 0, result.stderr
    assert [c["source_reference"] for c in cases_json(db)] == ["EXAMPLE-1"]
    assert any("EXAMPLE-1" in line and "already imported" in line for line in result.stdout.splitlines())


def test_an_organisation_without_a_surname_is_accepted(tmp_path):
    app = example(1)
    app["applicant"].update(title=None, first_name=None, last_name=None,
                            organisation="Example Road Residents' Association")
    db = tmp_path / "x.db"
    result = run(db, "import", str(write(tmp_path / "org.json", app)))
    assert result.returncode == 0, result.stderr
    assert [c["source_reference"] for c in cases_json(db)] == ["EXAMPLE-1"]


def test_import_of_a_missing_file_fails(tmp_path):
    db = tmp_path / "x.db"
    result = run(db, "import", str(tmp_path / "nope.json"))
    assert result.returncode != 0
    assert "nope.json" in result.stderr
    assert cases_json(db) == []


# --------------------------------------------------------------------------- variants, imported together

def _variants() -> list[dict[str, Any]]:
    apps: list[dict[str, Any]] = []

    # Consent.
    no_victim_consent = example(2)
    no_victim_consent["source_reference"] = "NO-VICTIM-CONSENT"
    no_victim_consent["on_behalf_of"].update(victim_consent=False, consent_method=None,
                                             consent_given_on=None)
    apps.append(no_victim_consent)
    no_share = example(1)
    no_share["source_reference"] = "NO-SHARE"
    no_share["consent_to_share"] = False
    apps.append(no_share)

    # An approximate date (EXAMPLE-1's first qualifying incident made approximate).
    approx = example(1)
    approx["source_reference"] = "APPROX"
    del approx["incidents"][0]["occurred_on"]
    approx["incidents"][0]["occurred_approx"] = {"from": "2026-02-01", "to": "2026-02-10"}
    apps.append(approx)

    # "reported to": unknown, different case, not a relevant body.
    unknown = example(1)
    unknown["source_reference"] = "UNKNOWN-AGENCY"
    unknown["incidents"][0]["reported_to"] = "Neighbourhood Watch"
    apps.append(unknown)
    cased = example(1)
    cased["source_reference"] = "CASE-INSENSITIVE"
    cased["incidents"][0]["reported_to"] = "kent police"
    cased["incidents"][1]["reported_to"] = "TOWN AND COUNTRY HOUSING"
    cased["incidents"][3]["reported_to"] = "  Kent   Police "
    apps.append(cased)
    not_relevant = example(1)
    not_relevant["source_reference"] = "NOT-RELEVANT-BODY"
    not_relevant["incidents"][0]["reported_to"] = "Kent County Council"
    apps.append(not_relevant)

    # One calendar month after 31 January is 28 February 2026 (both ends count).
    two = [incident("2026-02-01", "2026-02-02"), incident("2026-02-10", "2026-02-11")]
    apps.append(made_up("MONTH-END-IN", "2026-03-10T10:00:00", [incident("2026-01-31", "2026-02-28"), *two]))
    apps.append(made_up("MONTH-END-OUT", "2026-03-10T10:00:00", [incident("2026-01-31", "2026-03-01"), *two]))
    apps.append(made_up("MONTH-MID-IN", "2026-03-10T10:00:00", [incident("2026-01-15", "2026-02-15"), *two]))
    apps.append(made_up("MONTH-MID-OUT", "2026-03-10T10:00:00", [incident("2026-01-15", "2026-02-16"), *two]))
    apps.append(made_up("SAME-DAY", "2026-03-10T10:00:00", [incident("2026-03-10", "2026-03-10"), *two]))

    # Six months before 31 August 2026 is 28 February 2026; received day itself counts too.
    aug = [incident("2026-08-01", "2026-08-02"), incident("2026-08-31", "2026-08-31")]
    apps.append(made_up("SIX-MONTHS-IN", "2026-08-31T10:00:00", [incident("2026-02-20", "2026-02-28"), *aug]))
    apps.append(made_up("SIX-MONTHS-OUT", "2026-08-31T10:00:00", [incident("2026-02-20", "2026-02-27"), *aug]))

    # Working days: Saturday, a bank holiday, Christmas 2025.
    apps.append(made_up("SATURDAY", "2026-11-21T11:00:00",
                        [incident("2026-11-01", "2026-11-02"), incident("2026-11-05", "2026-11-06"),
                         incident("2026-11-10", "2026-11-11")]))
    apps.append(made_up("BANK-HOLIDAY", "2026-08-31T09:00:00",
                        [incident("2026-08-01", "2026-08-02"), incident("2026-08-10", "2026-08-11"),
                         incident("2026-08-20", "2026-08-21")]))
    apps.append(made_up("CHRISTMAS-2025", "2025-12-25T12:00:00",
                        [incident("2025-12-01", "2025-12-02"), incident("2025-12-10", "2025-12-11"),
                         incident("2025-12-20", "2025-12-21")]))
    return apps


@pytest.fixture(scope="module")
def variants(tmp_path_factory: pytest.TempPathFactory) -> Imported:
    folder = tmp_path_factory.mktemp("variants")
    db = folder / "x.db"
    result = run(db, "import", str(write(folder / "variants.json", _variants())))
    assert result.returncode == 0, result.stderr
    return db, result, by_source(db)


def test_all_variants_imported(variants):
    _, result, cases = variants
    assert set(cases) == {a["source_reference"] for a in _variants()}
    assert len([line for line in result.stdout.splitlines() if line.strip()]) == len(cases)


def test_on_behalf_without_victim_consent_awaits_consent(variants):
    _, result, cases = variants
    case = cases["NO-VICTIM-CONSENT"]
    assert case["status"] == "awaiting_consent"
    assert "threshold_decision" not in case["due"]
    assert case["due"]["acknowledgement"] == "2026-04-14"
    line = next(line for line in result.stdout.splitlines() if "NO-VICTIM-CONSENT" in line)
    assert "consent" in line


def test_no_consent_to_share_awaits_consent(variants):
    _, result, cases = variants
    case = cases["NO-SHARE"]
    assert case["status"] == "awaiting_consent"
    assert "threshold_decision" not in case["due"]
    assert case["due"]["acknowledgement"] == "2026-06-08"
    line = next(line for line in result.stdout.splitlines() if "NO-SHARE" in line)
    assert "consent to share" in line


def test_approximate_date_is_imported_and_does_not_count(variants):
    db, _, cases = variants
    assert cases["APPROX"]["threshold"] == {"qualifying_incidents": 2, "met": False}
    with sqlite3.connect(db) as conn:
        row = conn.execute("SELECT i.occurred_on, i.occurred_from, i.occurred_to FROM incidents i "
                           "JOIN cases c ON c.id = i.case_id WHERE c.source_reference = 'APPROX' "
                           "AND i.position = 0").fetchone()
    assert row == (None, "2026-02-01", "2026-02-10")


def test_unknown_reported_to_is_kept_flagged_and_does_not_count(variants):
    db, result, cases = variants
    assert cases["UNKNOWN-AGENCY"]["threshold"] == {"qualifying_incidents": 2, "met": False}
    line = next(line for line in result.stdout.splitlines() if "UNKNOWN-AGENCY" in line)
    assert "Neighbourhood Watch" in line
    with sqlite3.connect(db) as conn:
        row = conn.execute("SELECT i.reported_to, i.agency_id FROM incidents i JOIN cases c "
                           "ON c.id = i.case_id WHERE c.source_reference = 'UNKNOWN-AGENCY' "
                           "AND i.position = 0").fetchone()
    assert row == ("Neighbourhood Watch", None)


def test_reported_to_matches_ignoring_case_and_spacing(variants):
    _, result, cases = variants
    assert cases["CASE-INSENSITIVE"]["threshold"] == {"qualifying_incidents": 3, "met": True}
    line = next(line for line in result.stdout.splitlines() if "CASE-INSENSITIVE" in line)
    assert "check" not in line  # nothing flagged for the officer


def test_agency_that_is_not_a_relevant_body_does_not_count(variants):
    _, _, cases = variants
    assert cases["NOT-RELEVANT-BODY"]["threshold"] == {"qualifying_incidents": 2, "met": False}


@pytest.mark.parametrize("source, qualifying", [
    ("MONTH-END-IN", 3), ("MONTH-END-OUT", 2), ("MONTH-MID-IN", 3), ("MONTH-MID-OUT", 2),
    ("SAME-DAY", 3), ("SIX-MONTHS-IN", 3), ("SIX-MONTHS-OUT", 2)])
def test_threshold_window_edges(variants, source, qualifying):
    _, _, cases = variants
    assert cases[source]["threshold"] == {"qualifying_incidents": qualifying, "met": qualifying >= 3}


def test_bank_holiday_facts_used_below():
    eng = holidays.GB(subdiv="ENG", years=[2025, 2026, 2027])
    for day in ("2025-12-25", "2025-12-26", "2026-01-01", "2026-08-31", "2026-12-25", "2026-12-28",
                "2027-01-01"):
        assert date.fromisoformat(day) in eng, day
    assert date(2026, 12, 26) in eng  # Boxing Day itself falls on a Saturday in 2026
    assert date(2026, 12, 29) not in eng and date(2026, 11, 23) not in eng


@pytest.mark.parametrize("source, acknowledgement, decision", [
    # Saturday 21 Nov 2026: Mon 23 .. Fri 27 are working days 1..5; then 30 Nov, 1-4 Dec.
    ("SATURDAY", "2026-11-27", "2026-12-04"),
    # Mon 31 Aug 2026 is a bank holiday: 1-4 Sep, 7 Sep; then 8-11, 14 Sep.
    ("BANK-HOLIDAY", "2026-09-07", "2026-09-14"),
    # Thu 25 Dec 2025: 26 Dec and 1 Jan are holidays: 29, 30, 31 Dec, 2 Jan, 5 Jan; then 6-9, 12 Jan.
    ("CHRISTMAS-2025", "2026-01-05", "2026-01-12"),
])
def test_due_dates_count_working_days_strictly_after_receipt(variants, source, acknowledgement, decision):
    _, _, cases = variants
    assert cases[source]["due"]["acknowledgement"] == acknowledgement
    assert cases[source]["due"]["threshold_decision"] == decision
    assert cases[source]["threshold"]["met"] is True


def test_christmas_2026_due_dates(tmp_path):
    """Christmas 2026 is after the real today, so it goes through the same services in-process."""
    from app.services.cases.summaries import list_cases
    from app.services.intake.applications import import_applications
    apps = [made_up("XMAS-2026", "2026-12-25T10:00:00",
                    [incident("2026-12-01", "2026-12-02"), incident("2026-12-10", "2026-12-11"),
                     incident("2026-12-20", "2026-12-21")]),
            made_up("XMAS-EVE-2026", "2026-12-24T10:00:00",
                    [incident("2026-12-01", "2026-12-02"), incident("2026-12-10", "2026-12-11"),
                     incident("2026-12-20", "2026-12-21")])]
    path = write(tmp_path / "xmas.json", apps)
    ctx = make_context(f"sqlite:///{tmp_path / 'x.db'}", today=date(2027, 2, 1))
    try:
        report = import_applications(ctx, [path])
        assert report.ok, report.invalid
        cases = {c.source_reference: c.to_json() for c in list_cases(ctx)}
    finally:
        ctx.engine.dispose()
    # Fri 25 Dec: Sat 26, Sun 27, Mon 28 (Boxing Day substitute) don't count; Tue 29, Wed 30,
    # Thu 31 Dec; Fri 1 Jan is New Year's Day; Mon 4 Jan, Tue 5 Jan. Then 6, 7, 8, 11, 12 Jan.
    assert cases["XMAS-2026"]["due"] == {"acknowledgement": "2027-01-05", "threshold_decision": "2027-01-12"}
    # Thu 24 Dec: the same five working days follow it.
    assert cases["XMAS-EVE-2026"]["due"] == {"acknowledgement": "2027-01-05",
                                             "threshold_decision": "2027-01-12"}
