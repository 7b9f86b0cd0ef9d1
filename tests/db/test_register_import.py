"""Importing the historical register: exact figures from a valid file; any wrong row imports nothing."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.db.models import AuditEntry, Case, Person, Recommendation
from app.services.intake.applications import create_application
from app.services.reports.register_import import import_register
from app.services.reports.register_rows import split_name
from app.services.reports.figures import statutory_figures
from tests.db.helpers import application, incidents

HEADER = ("reference,received_on,channel,applicant_name,postcode,threshold_decided_on,threshold_met,panel_held_on,"
          "recommendations,outcome_sent_on,secondary_review_requested_on,secondary_review_outcome,closed_on")
# Hand count for 1 April 2025 to 31 March 2026 in the comment at the end of each row.
VALID = [
    "ASB/2025/001,01/04/2025,telephone,Mrs Jane Smith,tn1 1aa,10/04/2025,yes,20/05/2025,2,30/05/2025,,,30/06/2025",  # R A W
    'ASB/2025/002,2025-05-02,Online form,"Smith, John",TN2 3BB,12/05/2025,no,,,15/05/2025,01/06/2025,upheld,'
    "30/06/2025",  # R N (overturned)
    "ASB/2025/003,31/03/2026,post,Hill Street Residents Association,,,,,,,,,",  # R (still received)
    "ASB/2024/090,31/03/2025,email,Alex Person,,01/04/2025,no,,,,,,",  # N
    "ASB/2024/091,15/02/2025,in person,Bo Person,,01/03/2025,yes,01/04/2025,0,10/04/2025,,,",  # A
    "ASB/2026/004,01/03/2026,telephone,Cy Person,,15/03/2026,yes,01/04/2026,1,,,,",  # R
    "ASB/2024/092,01/01/2025,telephone,Di Person,,10/01/2025,yes,31/03/2025,3,,,,",  # nothing
    "CT-2025-0042,10/10/2025,telephone,Dr E F Person,,20/10/2025,yes,30/10/2025,0,05/11/2025,10/11/2025,"
    "not upheld,",  # R A
]
# R: received (5), N: not met (2), A: review carried out (3), W: with recommendations (1).
HAND_COUNT = {"applications_received": 5, "threshold_not_met": 2, "reviews_carried_out": 3,
              "reviews_with_recommendations": 1}


def _write(tmp_path: Path, rows: list[str], header: str = HEADER, name: str = "register.csv") -> Path:
    path = tmp_path / name
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


def _cases(ctx) -> int:
    with ctx.unit_of_work() as s:
        return s.scalar(select(func.count()).select_from(Case)) or 0


def test_a_valid_register_gives_the_hand_counted_figures(ctx, tmp_path):
    report = import_register(ctx, _write(tmp_path, VALID))
    assert report.ok and len(report.created) == 8
    figures = statutory_figures(ctx, date(2025, 4, 1), date(2026, 3, 31))
    assert {k: figures.value(k) for k in HAND_COUNT} == HAND_COUNT
    assert figures.threshold_not_met_overturned == 1
    with ctx.unit_of_work() as s:
        states = dict(s.execute(select(Case.source_reference, Case.status)).all())
        assert states == {"ASB/2025/001": "closed", "ASB/2025/002": "closed", "ASB/2025/003": "received",
                          "ASB/2024/090": "threshold_not_met", "ASB/2024/091": "outcome_sent",
                          "ASB/2026/004": "reviewed", "ASB/2024/092": "reviewed",
                          "CT-2025-0042": "secondary_review_completed"}
        refs = dict(s.execute(select(Case.source_reference, Case.reference)).all())
        assert refs["ASB/2025/001"] == "ASB/2025/001"  # the register's reference kept
        jane = s.scalar(select(Person).join(Case, Case.applicant_id == Person.id)
                        .where(Case.source_reference == "ASB/2025/001"))
        assert (jane.title, jane.first_name, jane.last_name, jane.postcode) == ("Mrs", "Jane", "Smith", "TN1 1AA")
        assert s.scalar(select(func.count()).select_from(Recommendation)) == 6
        assert s.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "import")) == 1
    # A reference in the app's own form moves the counter on: the next 2025 case is not a duplicate.
    items = incidents(("2025-10-01", "2025-10-02"), ("2025-10-05", "2025-10-06"), ("2025-10-08", "2025-10-09"))
    assert create_application(ctx, application("2025-10-20", items=items)).reference == "CT-2025-0043"


def test_importing_the_same_references_again_creates_nothing(ctx, tmp_path):
    import_register(ctx, _write(tmp_path, VALID))
    again = import_register(ctx, _write(tmp_path, VALID[:3], name="again.csv"))
    assert again.ok and again.created == () and len(again.already_imported) == 3
    assert "3 already imported" in again.summary()
    assert _cases(ctx) == len(VALID)


def test_a_reference_too_long_for_a_case_is_kept_as_the_source_reference(ctx, tmp_path):
    long_reference = "TUNBRIDGE-WELLS-ASB-REGISTER-2025-0001"
    report = import_register(ctx, _write(tmp_path, [f"{long_reference},01/05/2025,email,Lee,,,,,,,,,"]))
    assert report.created == ((long_reference, "CT-2025-0001"),)


BAD_ROWS = [
    ("threshold met without its date", "X1,01/04/2025,telephone,Ann Lee,,,yes,,,,,,", "threshold_decided_on",
     "no date"),
    ("a panel without the threshold met", "X1,01/04/2025,telephone,Ann Lee,,10/04/2025,no,20/05/2025,,,,,",
     "panel_held_on", "only once the threshold is met"),
    ("the outcome before the panel", "X1,01/04/2025,telephone,Ann Lee,,10/04/2025,yes,20/05/2025,1,19/05/2025,,,",
     "outcome_sent_on", "before the panel"),
    ("a date before the date received", "X1,01/04/2025,telephone,Ann Lee,,31/03/2025,yes,,,,,,",
     "threshold_decided_on", "before the date received"),
    ("an unknown channel", "X1,01/04/2025,carrier pigeon,Ann Lee,,,,,,,,,", "channel", "is not a channel"),
    ("a date in the future", "X1,01/12/2026,telephone,Ann Lee,,,,,,,,,", "received_on", "in the future"),
    ("a recommendation count that is not a number", "X1,01/04/2025,telephone,Ann Lee,,10/04/2025,yes,"
     "20/05/2025,two,,,,", "recommendations", "not a number"),
    ("an impossible date", "X1,30/02/2025,telephone,Ann Lee,,,,,,,,,", "received_on", "not a date"),
    ("no applicant", "X1,01/04/2025,telephone,,,,,,,,,,", "applicant_name", "applicant"),
    ("an unknown secondary review outcome", "X1,01/04/2025,telephone,Ann Lee,,10/04/2025,no,,,11/04/2025,"
     "01/05/2025,maybe,", "secondary_review_outcome", "not an outcome"),
    ("closed before the outcome", "X1,01/04/2025,telephone,Ann Lee,,10/04/2025,yes,20/05/2025,1,30/05/2025,,,"
     "29/05/2025", "closed_on", "before the outcome letter"),
    ("the same reference twice in the file", VALID[0], "reference", "also on row 2"),
]


@pytest.mark.parametrize("why,row,column,words", BAD_ROWS, ids=[b[0] for b in BAD_ROWS])
def test_a_wrong_row_imports_nothing_and_names_its_row_and_column(ctx, tmp_path, why, row, column, words):
    report = import_register(ctx, _write(tmp_path, [VALID[0], row]))
    assert not report.ok and report.created == ()
    problem = next(p for p in report.problems if p.column == column)
    assert problem.row == 3 and str(problem).startswith(f"Row 3, column {column}: ")
    assert words in problem.message
    assert _cases(ctx) == 0  # not even the good row on line 2


def test_a_missing_column_is_named(ctx, tmp_path):
    report = import_register(ctx, _write(tmp_path, ["X1,01/04/2025,telephone,Ann Lee"],
                                         header="reference,received_on,channel,applicant_name"))
    assert {p.column for p in report.problems} >= {"postcode", "closed_on"}
    assert all(p.row == 1 for p in report.problems) and _cases(ctx) == 0


def test_a_dry_run_saves_nothing(ctx, tmp_path):
    report = import_register(ctx, _write(tmp_path, VALID), dry_run=True)
    assert report.ok and len(report.to_create) == len(VALID) and _cases(ctx) == 0


@pytest.mark.parametrize("text,parts", [
    ("Mrs Jane Smith", ("Mrs", "Jane", "Smith", None)),
    ("Smith, John", (None, "John", "Smith", None)),
    ("Smith, Dr Ann", ("Dr", "Ann", "Smith", None)),
    ("J. A. van der Berg", (None, "J. A.", "van der Berg", None)),
    ("Lee", (None, None, "Lee", None)),
    ("Hill Street Residents Association", (None, None, None, "Hill Street Residents Association")),
])
def test_names_are_split_sensibly(text, parts):
    name = split_name(text)
    assert (name.title, name.first_name, name.last_name, name.organisation) == parts


def test_a_quoted_newline_stays_in_its_cell_and_unicode_separators_do_not_split_rows(ctx, tmp_path):
    rows = ['ASB/2025/010,01/04/2025,telephone,"Hill Street\nResidents Association",TN1 1AA,,,,,,,,',
            "ASB/2025/011,02/04/2025,telephone,Mrs Jane\u2028Smith,TN1 1AB,,,,,,,,",
            "ASB/2025/012,03/04/2025,post,Mr Paul\u2029Jones\u0085,TN1 1AC,,,,,,,,"]
    report = import_register(ctx, _write(tmp_path, rows))
    assert report.problems == () and len(report.created) == 3
    with ctx.reading() as s:
        names = sorted((p.organisation or "", p.first_name or "", p.last_name or "") for p in s.scalars(select(Person)))
    assert names == [("", "Jane", "Smith"), ("", "Paul", "Jones"), ("Hill Street Residents Association", "", "")]


@pytest.mark.parametrize("cell, column, words", [
    ("recommendations=100000", "recommendations", "more recommendations than a panel makes"),
    ("recommendations=" + "9" * 5001, "recommendations", "is not a number"),
    ("received_on=01/01/0001", "received_on", "before the Community Trigger came into force"),
    ("received_on=19/10/2014", "received_on", "before the Community Trigger came into force"),
    ("applicant_name=" + "x" * 121, "applicant_name", "at most 120 characters"),
    ("applicant_name=Jane\x00Smith", "applicant_name", "NUL"),
])
def test_counts_dates_and_lengths_are_bounded(ctx, tmp_path, cell, column, words):
    name, value = cell.split("=", 1)
    row = {"reference": "ASB/2025/020", "received_on": "01/04/2025", "channel": "post", "applicant_name": "Jo Bloggs",
           "postcode": "", "threshold_decided_on": "10/04/2025", "threshold_met": "yes", "panel_held_on": "20/05/2025",
           "recommendations": "1", "outcome_sent_on": "", "secondary_review_requested_on": "",
           "secondary_review_outcome": "", "closed_on": ""}
    row[name] = value
    report = import_register(ctx, _write(tmp_path, [",".join(row.values())]))
    assert any(p.column == column and words in p.message for p in report.problems), report.problems
    assert _cases(ctx) == 0
