"""The statutory figures and the partnership summary on a hand-built database where every count is known."""
from __future__ import annotations

import io
import json
import random
from datetime import date, datetime, time, timedelta
from itertools import count

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from app.db.models import (Agency, AuditEntry, Case, CaseReview, Finding, PanelMeeting, Person, Recommendation,
                           SecondaryReview)
from app.domain.application import Channel
from app.domain.calendar import WorkingCalendar
from app.domain.settings import CouncilDetails
from app.reports.pdf import summary_pdf
from app.reports.tables import figures_csv
from app.services.panels import meetings as panels
from app.services.cases import steps as wf
from app.services.agencies.directory import list_agencies
from app.services.common.errors import PermissionDenied
from app.services.intake.applications import create_application
from app.services.reports.timeliness import WorkingDayTable
from app.services.reports.figures import financial_year, partnership_summary, statutory_figures
from tests.conftest import make_context
from tests.db.helpers import send_letter, application, incidents

START, END = date(2025, 4, 1), date(2026, 3, 31)
D = date.fromisoformat


class Builder:
    """Rows written directly, dated exactly; one case also goes through the real services."""

    def __init__(self, ctx) -> None:
        self.ctx = ctx
        self.numbers = count(1)
        with ctx.unit_of_work() as s:
            self.agency = {a.name: a.id for a in s.scalars(select(Agency))}

    def case(self, received: str, *, status: str = "closed", channel: str = "telephone", **dates: object) -> int:
        values = {k: (D(v) if isinstance(v, str) else v) for k, v in dates.items()}
        with self.ctx.unit_of_work() as s:
            case = Case(reference=f"T-{next(self.numbers):04d}", channel=channel, status=status,
                        received_at=datetime.combine(D(received), time(10)), received_on=D(received),
                        applicant=Person(last_name="Tester", search_key="tester"), **values)
            s.add(case)
            s.flush()
            return case.id

    def review(self, case_id: int, held: str, *, completes: bool = True, recommendations: int = 0,
               findings: tuple[tuple[str, bool], ...] = ()) -> None:
        with self.ctx.unit_of_work() as s:
            meeting = PanelMeeting(starts_at=datetime.combine(D(held), time(10)), place="Town Hall", state="held",
                                   held_on=D(held))
            s.add(meeting)
            s.flush()
            review = CaseReview(meeting_id=meeting.id, case_id=case_id, completes_review=completes)
            s.add(review)
            s.flush()
            for text, key in findings:
                s.add(Finding(review_id=review.id, text=text, key_finding=key))
            for _ in range(recommendations):
                s.add(Recommendation(case_id=case_id, review_id=review.id, agency_id=self.agency["Kent Police"],
                                     action="Joint visit"))
            if completes:
                s.get(Case, case_id).panel_completed_on = D(held)

    def secondary(self, case_id: int, requested: str, outcome: str, completed: str, *, recommendations: int = 0) -> None:
        with self.ctx.unit_of_work() as s:
            review = SecondaryReview(case_id=case_id, requested_on=D(requested), outcome=outcome,
                                     completed_on=D(completed))
            s.add(review)
            s.flush()
            for _ in range(recommendations):
                s.add(Recommendation(case_id=case_id, secondary_review_id=review.id,
                                     agency_id=self.agency["Clarion Housing"], action="Review the tenancy"))


def _two_meeting_review_through_the_services(ctx) -> int:
    """Received 1 May 2025; adjourned on 10 June, completed on 8 July with one recommendation."""
    items = incidents(("2025-03-01", "2025-03-02"), ("2025-03-10", "2025-03-11"), ("2025-04-01", "2025-04-03"))
    created = create_application(ctx, application("2025-05-01", items=items))
    step = send_letter(ctx, created.id, "acknowledgement", D("2025-05-02"), "post", version=created.version)
    wf.decide_threshold(ctx, created.id, step.version, met=True, decided_on=D("2025-05-09"))
    police = next(a.id for a in list_agencies(ctx) if a.name == "Kent Police")
    for held, completes in (("2025-06-10", False), ("2025-07-08", True)):
        meeting = panels.save_meeting(ctx, None, None, starts_at=datetime.combine(D(held), time(10)),
                                      place="Town Hall", chair="Sam Chair").id
        panels.add_case(ctx, meeting, created.id)
        item = panels.meeting_detail(ctx, meeting).agenda[0]
        review = panels.ReviewInput(
            completes_review=completes,
            findings=(panels.FindingInput("Nobody saw the pattern", key_finding=True),) if completes else
            (panels.FindingInput("Adjourned for the police logs"),),
            recommendations=(panels.RecommendationInput(police, "Joint visit", D("2025-09-01")),) if completes else ())
        panels.record_review(ctx, item.review_id, item.version, review)
        panels.mark_held(ctx, meeting, panels.meeting_detail(ctx, meeting).version, held_on=D(held))
    return created.id


def build_scenario(ctx) -> None:
    """Period 1 April 2025 to 31 March 2026. Letters name the cases in the comments of the tests."""
    b = Builder(ctx)
    b.case("2025-04-01", acknowledged_on="2025-04-08")  # A: first day
    b.case("2026-03-31", channel="email", status="received")  # B: last day
    b.case("2025-03-31")  # C: the day before
    b.case("2026-04-01", status="received")  # D: the day after
    b.case("2025-06-15", status="awaiting_consent", channel="online", acknowledged_on="2025-06-23")  # E
    b.case("2025-07-20", status="not_accepted", channel="post")  # F
    b.case("2025-08-01", status="withdrawn", channel="in_person", withdrawn_on="2025-08-10")  # G
    b.case("2025-03-01", threshold_met=False, threshold_decided_on="2025-04-01")  # H: not met on the first day
    b.case("2026-03-10", threshold_met=False, threshold_decided_on="2026-03-31")  # I: not met on the last day
    b.case("2025-03-01", threshold_met=False, threshold_decided_on="2025-03-31")  # J: the day before
    b.case("2026-03-20", threshold_met=False, threshold_decided_on="2026-04-01")  # K: the day after
    overturned = b.case("2025-05-05", threshold_met=False, threshold_decided_on="2025-05-20")  # L
    b.secondary(overturned, "2025-06-01", "upheld", "2025-06-25")
    kept = b.case("2025-05-06", threshold_met=False, threshold_decided_on="2025-05-21")  # M
    b.secondary(kept, "2025-06-02", "not_upheld", "2025-06-30")
    first_day = b.case("2025-02-01", threshold_met=True, threshold_decided_on="2025-02-20")  # N
    b.review(first_day, "2025-04-01", recommendations=1, findings=(("Agencies did not share information", True),))
    last_day = b.case("2026-02-01", threshold_met=True, threshold_decided_on="2026-02-15")  # O
    b.review(last_day, "2026-03-31", findings=(("The victim was not kept informed", False),))
    before = b.case("2025-01-01", threshold_met=True, threshold_decided_on="2025-01-20")  # P
    b.review(before, "2025-03-31", recommendations=2)
    after = b.case("2026-02-15", threshold_met=True, threshold_decided_on="2026-03-01")  # Q
    b.review(after, "2026-04-01", recommendations=1)
    _two_meeting_review_through_the_services(ctx)  # R
    secondary = b.case("2025-08-01", threshold_met=True, threshold_decided_on="2025-08-10")  # S
    b.review(secondary, "2025-09-12")
    b.secondary(secondary, "2025-10-01", "upheld", "2025-11-20", recommendations=2)
    spanning = b.case("2025-02-10", threshold_met=True, threshold_decided_on="2025-02-20")  # T
    b.review(spanning, "2025-03-20", completes=False, recommendations=1)
    b.review(spanning, "2025-04-15")
    unfinished = b.case("2026-02-20", threshold_met=True, threshold_decided_on="2026-03-01")  # U
    b.review(unfinished, "2026-03-20", completes=False)
    b.review(unfinished, "2026-04-10")


EXPECTED = {"applications_received": 14,  # A B E F G I K L M O Q R S U
            "threshold_not_met": 4,  # H I L M (L overturned still counts)
            "reviews_carried_out": 5,  # N O R S T (R and T over two meetings, once each)
            "reviews_with_recommendations": 3}  # N R T (S's came from the secondary review)


def _check_key_figures(ctx) -> None:
    build_scenario(ctx)
    figures = statutory_figures(ctx, START, END)
    assert {k: figures.value(k) for k in EXPECTED} == EXPECTED
    assert figures.threshold_not_met_overturned == 1  # L
    assert (figures.secondary_review_recommendation_cases, figures.secondary_review_recommendations) == (1, 2)
    before = statutory_figures(ctx, D("2024-04-01"), D("2025-03-31"))
    assert (before.applications_received, before.threshold_not_met, before.reviews_carried_out,
            before.reviews_with_recommendations) == (6, 1, 1, 1)  # C H J N P T; J; P; P
    assert json.loads(json.dumps(figures.to_json())) == {
        "from": "2025-04-01", "to": "2026-03-31", **EXPECTED, "threshold_not_met_overturned": 1,
        "secondary_review_recommendations": {"cases": 1, "recommendations": 2}}


def test_statutory_figures_count_exactly_to_the_definitions(ctx):
    _check_key_figures(ctx)


@pytest.mark.postgres
def test_statutory_figures_are_the_same_on_postgresql(pg_ctx):
    _check_key_figures(pg_ctx)


def test_a_single_day_period_counts_both_ends(ctx):
    build_scenario(ctx)
    day = statutory_figures(ctx, START, START)
    assert (day.applications_received, day.threshold_not_met, day.reviews_carried_out) == (1, 1, 1)  # A, H, N
    with pytest.raises(ValueError):
        statutory_figures(ctx, END, START)


def test_partnership_summary(ctx):
    build_scenario(ctx)
    s = partnership_summary(ctx, START, END)
    assert s.figures.applications_received == 14 and s.previous.statutory.applications_received == 6
    assert dict(s.current.channels) == {"telephone": 10, "post": 1, "online": 1, "email": 1, "in_person": 1}
    assert [c for c, _ in s.current.channels] == [c.value for c in Channel]
    assert (s.current.threshold_decisions, s.current.threshold_met) == (9, 5)  # H I L M; O Q R S U
    assert [(m.strftime("%Y-%m"), n) for m, n in s.by_month if n] == [
        ("2025-04", 1), ("2025-05", 3), ("2025-06", 1), ("2025-07", 1), ("2025-08", 2), ("2026-02", 3),
        ("2026-03", 3)]
    assert len(s.by_month) == 12
    by_agency = {a.agency: (a.total, a.from_panel, a.from_secondary_review) for a in s.recommendations}
    assert by_agency == {"Kent Police": (2, 2, 0), "Clarion Housing": (2, 0, 2)}  # N and R; S
    assert dict(s.recommendations[0].by_status)["open"] == 2
    assert dict(s.secondary_outcomes) == {"upheld": 2, "partly_upheld": 0, "not_upheld": 1, "referred_back": 0,
                                          None: 0}
    assert (s.current.secondary_reviews_requested, s.secondary_completed) == (3, 3)
    assert s.findings_marked and dict(s.key_findings) == {"Agencies did not share information": 1,
                                                          "Nobody saw the pattern": 1}
    ack = next(t for t in s.current.timeliness if t.clock == "acknowledgement")
    # A: 5 working days (on time); E: received on a Sunday, sent 6 working days later (late); R: 1.
    assert (ack.measured, ack.on_time, ack.median_working_days) == (3, 2, 5.0)
    decision = next(t for t in s.current.timeliness if t.clock == "threshold_decision")
    assert decision.measured == 9
    data = s.to_json()
    assert {"from", "to", *EXPECTED, "channels", "timeliness", "previous_period", "key_findings"} <= set(data)
    assert data["previous_period"]["applications_received"] == 6
    assert "statutory,applications_received,14,6" in figures_csv(s)


def test_every_finding_is_listed_when_none_is_marked_key(ctx):
    b = Builder(ctx)
    case = b.case("2025-05-01", threshold_met=True, threshold_decided_on="2025-05-10")
    b.review(case, "2025-06-01", findings=(("Logs were not shared", False), ("Late visit", False)))
    s = partnership_summary(ctx, START, END)
    assert not s.findings_marked and {t for t, _ in s.key_findings} == {"Logs were not shared", "Late visit"}
    assert "Logs were not shared" in s.findings_text()


def test_outcome_timeliness_uses_the_original_date_and_reports_the_revised_one(ctx):
    b = Builder(ctx)
    # Decided Monday 2 June 2025; 25 working days later is Monday 7 July.
    b.case("2025-05-20", threshold_met=True, threshold_decided_on="2025-06-02", outcome_sent_on="2025-07-07")
    b.case("2025-05-20", threshold_met=True, threshold_decided_on="2025-06-02", outcome_sent_on="2025-07-08",
           revised_outcome_due="2025-07-20")
    b.case("2025-05-20", threshold_met=True, threshold_decided_on="2025-06-02", outcome_sent_on="2025-07-30",
           revised_outcome_due="2025-07-20")
    outcome = next(t for t in partnership_summary(ctx, START, END).current.timeliness if t.clock == "outcome")
    assert (outcome.measured, outcome.on_time, outcome.revised, outcome.met_revised) == (3, 1, 2, 1)


def test_working_day_table_agrees_with_the_calendar():
    calendar = WorkingCalendar((D("2025-12-29"),))  # a council closure day
    table = WorkingDayTable(calendar, D("2024-12-01"), D("2025-01-10"))  # grows as it is asked
    rng = random.Random(7)
    for _ in range(300):
        start = D("2024-12-01") + timedelta(days=rng.randrange(500))
        end = start + timedelta(days=rng.randrange(-3, 90))
        n = rng.randrange(0, 30)
        if end >= D("2024-12-01"):
            assert table.between(start, end) == calendar.working_days_between(start, end)
        assert table.add(start, n) == calendar.add_working_days(start, n)


def test_pdf_and_csv(ctx):
    build_scenario(ctx)
    s = partnership_summary(ctx, START, END)
    pdf = summary_pdf(s, CouncilDetails(), edited_findings="• Share logs weekly\nPartners agreed.",
                      produced_on=D("2026-11-25"))
    reader = PdfReader(io.BytesIO(pdf))
    text = " ".join(" ".join(p.extract_text().split()) for p in reader.pages)
    assert "1 April 2025 to 31 March 2026" in text and "25 November 2026" in text
    for phrase in ("Applications received", "Case reviews carried out", "14", "of which 1 overturned on secondary "
                   "review", "whatever became of them later", "Share logs weekly", "Page 1 of"):
        assert phrase in text
    assert reader.metadata.title == "Community Trigger partnership summary, 1 April 2025 to 31 March 2026"
    fonts = {str(f["/BaseFont"]) for page in reader.pages
             for f in (page["/Resources"].get("/Font") or {}).values()}
    assert fonts and all("DejaVuSans" in f for f in fonts)  # embedded; no stray Helvetica


def test_exports_are_refused_to_a_read_only_user_and_logged_otherwise(sqlite_url):
    from app.services.reports.figures import record_export
    reader = make_context(sqlite_url, actor="reader", role="read_only")
    statutory_figures(reader, START, END)  # viewing is allowed
    with pytest.raises(PermissionDenied):
        record_export(reader, "partnership summary as PDF", START, END)
    officer = make_context(sqlite_url, actor="officer.two", role="officer")
    record_export(officer, "partnership summary as PDF", START, END)
    with officer.unit_of_work() as s:
        assert s.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "export")) == 1
    reader.engine.dispose()
    officer.engine.dispose()


def test_default_period_is_the_financial_year():
    assert financial_year(D("2026-11-25")) == (D("2026-04-01"), D("2027-03-31"))
    assert financial_year(D("2026-03-31")) == (D("2025-04-01"), D("2026-03-31"))
    assert financial_year(D("2026-04-01")) == (D("2026-04-01"), D("2027-03-31"))


def test_the_report_command(ctx, tmp_path, capsys):
    import argparse

    from app.cli_reports import HANDLERS, add_parsers
    parser = argparse.ArgumentParser()
    add_parsers(parser.add_subparsers(dest="command"))
    build_scenario(ctx)

    def run(*argv: str) -> int:
        args = parser.parse_args(list(argv))
        return HANDLERS[args.command](ctx, args)

    assert run("report", "--from", "01/04/2025", "--to", "31/03/2026") == 0
    data = json.loads(capsys.readouterr().out)
    assert {k: data[k] for k in ("from", "to", *EXPECTED)} == {"from": "2025-04-01", "to": "2026-03-31", **EXPECTED}
    assert run("report") == 0  # the financial year containing today (25/11/2026)
    assert json.loads(capsys.readouterr().out)["from"] == "2026-04-01"
    assert run("report", "--from", "01/04/2025", "--format", "csv") == 0
    assert "statutory,reviews_carried_out,5,1" in capsys.readouterr().out
    assert run("report", "--format", "pdf") == 1 and "--output" in capsys.readouterr().err
    assert run("report", "--from", "01/04/2025", "--format", "pdf", "--output", str(tmp_path / "r.pdf")) == 0
    assert (tmp_path / "r.pdf").read_bytes().startswith(b"%PDF")
    assert run("report", "--from", "31/04/2025") == 1 and "not a date" in capsys.readouterr().err
    register = tmp_path / "register.csv"
    register.write_text("reference,received_on,channel,applicant_name,postcode,threshold_decided_on,threshold_met,"
                        "panel_held_on,recommendations,outcome_sent_on,secondary_review_requested_on,"
                        "secondary_review_outcome,closed_on\nOLD-1,01/05/2025,post,Ann Lee,,,,,,,,,\n")
    assert run("import-register", str(register)) == 0 and "OLD-1" in capsys.readouterr().out
    assert run("import-register", str(register)) == 0
    assert "already imported as OLD-1; nothing new created" in capsys.readouterr().out
