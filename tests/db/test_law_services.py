"""The law in 2026 through the services, on SQLite and on the real PostgreSQL server: the council's rules
by date, the lawful decision, the victim's part, keeping informed, the OPCC route, agency-started reviews."""
from __future__ import annotations

import io
import json
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date, datetime

import pypdf
import pytest
from sqlalchemy import select, text

from app.db.models import AuditEntry, AuditValue, Case
from app.domain.application import PersonData
from app.services.admin.named_settings import set_settings, show_settings
from app.services.agencies.directory import list_agencies
from app.services.cases import agency_requests as work
from app.services.cases import secondary_review as follow_up
from app.services.panels.recommendations import recommendations
from app.services.cases import steps as wf
from app.services.cases.case_list import UPDATES_DUE, CaseQuery, case_counts, find_case_ids
from app.services.cases.case_page import load_case
from app.services.cases.updates import list_updates, record_update
from app.services.common.context import ServiceContext
from app.services.common.errors import PermissionDenied, ValidationFailed
from app.services.intake.agency_started import AgencyStartedReview, start_review
from app.services.intake.applications import create_application
from app.services.intake.support import link_cases
from app.services.letters.case_letters import available_templates
from app.services.letters.referral import build_referral_pack
from app.services.panels import meetings as panels
from app.services.panels import victim
from app.services.reports.figures import statutory_figures
from app.services.reports.publication import publication_reminder, publication_table, record_published
from tests.conftest import make_context
from tests.db.letter_cases import ready
from tests.db.helpers import ASSESSMENT, APPLICANT, application, incidents, send_letter

OPCC = ["review.route=opcc", "opcc.name=Office of the Kent Police and Crime Commissioner",
        "opcc.address=Sessions House|County Road|Maidstone", "opcc.postcode=ME14 1XQ"]


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def ctx(request, sqlite_url) -> Iterator[ServiceContext]:
    if request.param == "postgres":
        pg = request.getfixturevalue("pg_ctx")
        ready(pg)  # the council's details and the agencies' addresses: letters go out with the steps
        yield pg
        with pg.engine.begin() as conn:  # the settings are not case tables: put them back too
            conn.execute(text("TRUNCATE settings, threshold_rule_versions, publications RESTART IDENTITY"))
        return
    context = make_context(sqlite_url)
    ready(context)
    yield context
    context.engine.dispose()


@dataclass(frozen=True)
class Step:
    case_id: int
    version: int


def _acknowledged(ctx, received: str = "2026-11-02", items=None, **kwargs) -> Step:
    created = create_application(ctx, application(received, items=items or incidents(
        ("2026-09-01", "2026-09-02"), ("2026-09-10", "2026-09-11"), ("2026-10-01", "2026-10-03")), **kwargs))
    sent = send_letter(ctx, created.id, "acknowledgement", date.fromisoformat(received))
    return Step(created.id, sent.version)


def _confirm_all(ctx, case_id: int) -> None:
    detail = load_case(ctx, case_id, record_view=False)
    work.send_confirmation_requests(ctx, case_id, detail.version, sent_on=date(2026, 11, 4))
    for i in load_case(ctx, case_id, record_view=False).incidents:
        work.record_confirmation(ctx, i.id, found=True, reported_on=i.reported_on)


# The council's rules, by date ---------------------------------------------------------------------

def test_rules_are_set_by_name_within_the_acts_limits_and_audited(ctx, sqlite_url):
    with pytest.raises(ValidationFailed) as refused:
        set_settings(ctx, ["threshold.incidents=4", "threshold.period_months=3", "council.name=Somewhere"])
    assert [p.field for p in refused.value.problems] == ["threshold.incidents", "threshold.period_months"]
    assert {v.key: v.value for v in show_settings(ctx)}["council.name"] == "Tunbridge Wells Borough Council"
    done = set_settings(ctx, ["threshold.incidents=2", "clock.keep_informed=15"])
    assert dict((k, a) for k, _b, a in done.changed) == {"threshold.incidents": "2", "clock.keep_informed": "15"}
    assert done.effective_from == date(2026, 11, 25)
    with ctx.reading() as s:
        entry = s.scalars(select(AuditEntry).where(AuditEntry.entity == "settings")).all()[-1]
        values = {v.field: (v.before, v.after) for v in s.scalars(select(AuditValue).where(AuditValue.audit_id == entry.id))}
    assert values == {"threshold.incidents": ("3", "2"), "clock.keep_informed": ("10", "15")}
    with pytest.raises(ValidationFailed, match="no threshold key"):
        set_settings(ctx, ["clock.keep_informed=12"], effective_from=date(2026, 1, 1))
    if ctx.dialect == "sqlite":  # an officer may not change the rules
        officer = make_context(sqlite_url, actor="officer.two", role="officer")
        with pytest.raises(PermissionDenied):
            set_settings(officer, ["threshold.incidents=1"])
        officer.engine.dispose()


def test_a_change_from_a_date_recalculates_cases_received_since_and_leaves_decisions_as_made(ctx):
    old = incidents(("2026-03-01", "2026-03-02"), ("2026-09-10", "2026-09-11"), ("2026-10-01", "2026-10-03"))
    before = _acknowledged(ctx, "2026-10-20", items=old)  # received before the change
    since = _acknowledged(ctx, "2026-11-02", items=old)
    wf.decide_threshold(ctx, before.case_id, before.version, met=False, decided_on=date(2026, 11, 2),
                        action_instead="Housing will visit", assessment=ASSESSMENT)
    assert load_case(ctx, since.case_id).qualifying_incidents == 2
    done = set_settings(ctx, ["threshold.period_months=12"], effective_from=date(2026, 11, 1))
    assert done.recalculated >= 1 and done.indicators_moved == 1
    assert load_case(ctx, since.case_id).qualifying_incidents == 3
    with ctx.reading() as s:
        assert s.get(Case, since.case_id).qualifying_incidents == 3  # the list's column too
    earlier = load_case(ctx, before.case_id)
    assert earlier.qualifying_incidents == 2 and earlier.threshold_met is False
    assert "6 months before the application" in (earlier.decision_rules or "")
    assert "12 months" in load_case(ctx, since.case_id).rules_in_force


# The decision follows the law ---------------------------------------------------------------------

def test_not_met_is_refused_once_the_agencies_confirm_the_number(ctx):
    step = _acknowledged(ctx)
    _confirm_all(ctx, step.case_id)
    detail = load_case(ctx, step.case_id)
    assert detail.confirmed_qualifying == 3 and detail.confirmed_met
    with pytest.raises(ValidationFailed) as refused:
        wf.decide_threshold(ctx, step.case_id, detail.version, met=False, decided_on=date(2026, 11, 20),
                            reason="Not persistent enough", action_instead="Advice letter", assessment=ASSESSMENT)
    assert [p.field for p in refused.value.problems] == ["met"]
    assert "not a lawful decision" in refused.value.problems[0].message
    first = detail.incidents[0]
    with pytest.raises(ValidationFailed, match="say why"):
        work.update_incident(ctx, first.id, first.version, same_problem=False)
    work.update_incident(ctx, first.id, first.version, same_problem=False, reason="A different neighbour's party")
    detail = load_case(ctx, step.case_id)
    assert detail.confirmed_qualifying == 2 and not detail.confirmed_met
    assert detail.incidents[0].judgement_note == "A different neighbour's party"
    with pytest.raises(ValidationFailed) as refused:
        wf.decide_threshold(ctx, step.case_id, detail.version, met=False, decided_on=date(2026, 11, 20),
                            action_instead="Advice letter")
    assert {p.field for p in refused.value.problems} == {f"{k}_{x}" for k in ("persistence", "harm", "vulnerability",
                                                                              "response") for x in ("rating", "note")}
    wf.decide_threshold(ctx, step.case_id, detail.version, met=False, decided_on=date(2026, 11, 20),
                        action_instead="Advice letter", assessment=ASSESSMENT)
    decided = load_case(ctx, step.case_id)
    assert decided.status == "threshold_not_met" and len(decided.assessment) == 4
    assert decided.decision_rules and "3 qualifying incidents" in decided.decision_rules


def test_a_confirmation_that_does_not_stand_needs_a_reason_and_changes_the_count(ctx):
    step = _acknowledged(ctx)
    _confirm_all(ctx, step.case_id)
    first = load_case(ctx, step.case_id).incidents[0]
    with pytest.raises(ValidationFailed):
        work.mark_unconfirmed(ctx, first.id, reason="  ")
    work.mark_unconfirmed(ctx, first.id, reason="The police log is about another address")
    detail = load_case(ctx, step.case_id)
    assert detail.incidents[0].confirmation == "unconfirmed" and detail.confirmed_qualifying == 2


# The victim involved ------------------------------------------------------------------------------

def _met_on_panel(ctx) -> tuple[int, int]:
    step = _acknowledged(ctx)
    wf.decide_threshold(ctx, step.case_id, step.version, met=True, decided_on=date(2026, 11, 10), assessment=ASSESSMENT)
    meeting = panels.save_meeting(ctx, None, None, starts_at=datetime(2026, 11, 20, 10), place="Town Hall",
                                  chair="Sam Chair").id
    panels.add_case(ctx, meeting, step.case_id)
    return step.case_id, meeting


def test_a_meeting_is_held_only_with_the_victims_part_and_the_chairs_independence_recorded(ctx):
    case_id, meeting = _met_on_panel(ctx)
    police = next(a.id for a in list_agencies(ctx) if a.name == "Kent Police")
    item = panels.meeting_detail(ctx, meeting).agenda[0]
    findings = (panels.FindingInput("The agencies did not share information"),)
    with pytest.raises(ValidationFailed, match="why the victim was not invited"):
        panels.record_review(ctx, item.review_id, item.version,
                             panels.ReviewInput(victim_part="not_invited", findings=findings))
    panels.record_review(ctx, item.review_id, item.version, panels.ReviewInput(findings=findings, recommendations=(
        panels.RecommendationInput(police, "Joint visit", date(2026, 12, 31)),)))
    detail = panels.meeting_detail(ctx, meeting)
    with pytest.raises(ValidationFailed) as refused:
        panels.mark_held(ctx, meeting, detail.version, held_on=date(2026, 11, 20))
    assert [p.field for p in refused.value.problems] == ["chair_independent", "victim_part"]
    with pytest.raises(ValidationFailed, match="how the chair is connected"):
        panels.save_meeting(ctx, meeting, detail.version, starts_at=detail.starts_at, place="Town Hall",
                            chair="Sam Chair", chair_independent=False)
    panels.save_meeting(ctx, meeting, detail.version, starts_at=detail.starts_at, place="Town Hall", chair="Sam Chair",
                        chair_independent=False, chair_independence_note="Head of the council's housing team; "
                        "no other chair was free")
    item = panels.meeting_detail(ctx, meeting).agenda[0]
    victim.share_draft(ctx, item.review_id, item.version, shared_on=date(2026, 11, 20))
    item = panels.meeting_detail(ctx, meeting).agenda[0]
    victim.record_victim_comments(ctx, item.review_id, item.version, comments="Wants the visit before Christmas",
                                  on=date(2026, 11, 23))
    item = panels.meeting_detail(ctx, meeting).agenda[0]
    assert (item.draft_shared_on, item.victim_comments) == (date(2026, 11, 20), "Wants the visit before Christmas")
    panels.record_review(ctx, item.review_id, item.version, panels.ReviewInput(
        victim_part="not_invited", victim_part_reason="In hospital on the day; sent a statement through the officer",
        findings=findings, recommendations=(panels.RecommendationInput(police, "Joint visit", date(2026, 12, 31)),)))
    detail = panels.meeting_detail(ctx, meeting)
    panels.mark_held(ctx, meeting, detail.version, held_on=date(2026, 11, 20))
    assert load_case(ctx, case_id).status == "reviewed"
    held = panels.meeting_detail(ctx, meeting)
    assert held.chair_independent is False and held.agenda[0].victim_part == "not_invited"


def test_the_applicant_is_kept_informed_and_the_list_shows_who_is_due(ctx):
    step = _acknowledged(ctx)  # acknowledged on 02/11/2026: the first update is due 10 working days later
    detail = load_case(ctx, step.case_id)
    assert detail.update_due_on == date(2026, 11, 16)
    assert find_case_ids(ctx, CaseQuery(status=UPDATES_DUE)) == [step.case_id] and case_counts(ctx).updates_due == 1
    with pytest.raises(ValidationFailed):
        record_update(ctx, step.case_id, detail.version, given_on=date(2026, 11, 24), method="pigeon", summary="")
    done = record_update(ctx, step.case_id, detail.version, given_on=date(2026, 11, 24), method="phone",
                         summary="The agencies are confirming the incidents; decision by 16/11")
    assert done.next_due == date(2026, 12, 8)
    assert find_case_ids(ctx, CaseQuery(status=UPDATES_DUE)) == []
    # The acknowledgement letter, once sent, was the first update.
    assert [(u.method, u.given_on) for u in list_updates(ctx, step.case_id)] == [
        ("phone", date(2026, 11, 24)), ("letter", date(2026, 11, 2))]
    assert load_case(ctx, step.case_id).updates[0][2].startswith("The agencies are confirming")


def test_closing_records_why_and_the_closure_letter_fits(ctx):
    step = _acknowledged(ctx)
    wf.withdraw(ctx, step.case_id, step.version, withdrawn_on=date(2026, 11, 20))
    detail = load_case(ctx, step.case_id)
    wf.close_case(ctx, step.case_id, detail.version, closed_on=date(2026, 11, 24), note="Moved away")
    closed = load_case(ctx, step.case_id)
    assert closed.closure_reason == "the application was withdrawn at the applicant's request: Moved away"
    assert {f.name: f.available for f in available_templates(ctx, step.case_id)}["closure"]


# The review of the review, as the council runs it --------------------------------------------------

def test_the_opcc_route_from_request_to_outcome(ctx):
    set_settings(ctx, OPCC)
    case_id, meeting = _met_on_panel(ctx)
    police = next(a.id for a in list_agencies(ctx) if a.name == "Kent Police")
    item = panels.meeting_detail(ctx, meeting).agenda[0]
    panels.record_review(ctx, item.review_id, item.version, panels.ReviewInput(
        victim_part="attended", information_considered="Police and housing logs",
        findings=(panels.FindingInput("No lead agency"),),
        recommendations=(panels.RecommendationInput(police, "Name a single point of contact", date(2026, 12, 31)),)))
    panels.add_attendee(ctx, meeting, name="PC Jones", role="agency representative", agency_id=police,
                        attendance="attended")
    detail = panels.meeting_detail(ctx, meeting)
    panels.save_meeting(ctx, meeting, detail.version, starts_at=detail.starts_at, place="Town Hall", chair="Sam Chair",
                        chair_independent=True)
    panels.mark_held(ctx, meeting, panels.meeting_detail(ctx, meeting).version, held_on=date(2026, 11, 20))
    version = send_letter(ctx, case_id, "findings", date(2026, 11, 23)).version
    with pytest.raises(ValidationFailed, match="set grounds"):
        follow_up.request_secondary_review(ctx, case_id, version, requested_on=date(2026, 11, 24),
                                           requested_by="Ms Asha Patel", grounds="Not listened to")
    review_id = follow_up.request_secondary_review(ctx, case_id, version, requested_on=date(2026, 11, 24),
                                                   requested_by="Ms Asha Patel", grounds="Not listened to",
                                                   grounds_codes=("process", "facts")).id
    fits = {f.name: f for f in available_templates(ctx, case_id)}
    assert fits["opcc-acknowledgement"].available and fits["opcc-referral"].available
    assert not fits["secondary-review-acknowledgement"].available
    produced = build_referral_pack(ctx, case_id)
    pack = "\n".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(produced.pdf)).pages)
    for words in ("OFFICIAL-SENSITIVE", "Facts that were not considered", "No lead agency",
                  "Name a single point of contact", "Assessment", "Not listened to", "Chronology"):
        assert words in pack, words
    review = follow_up.latest_secondary_review(ctx, case_id)
    assert review is not None and (review.route, review.grounds_codes, review.decision_queried) == (
        "opcc", "process,facts", "outcome")
    follow_up.record_opcc_referral(ctx, review_id, review.version, referred_on=date(2026, 11, 25))
    review = follow_up.latest_secondary_review(ctx, case_id)
    follow_up.complete_secondary_review(ctx, review_id, review.version, reviewer="Office of the Kent PCC",
                                        outcome="partly_upheld", reasons="The police response was slow",
                                        completed_on=date(2026, 11, 25),
                                        new_recommendations=((police, "Review the call handling", date(2027, 1, 31),
                                                              "Calls were not logged"),))
    recs = recommendations(ctx, case_id=case_id)
    assert [r.from_secondary_review for r in recs].count(True) == 1


def test_a_threshold_not_met_decision_can_be_queried_by_the_same_route(ctx):
    set_settings(ctx, OPCC)
    step = _acknowledged(ctx, items=incidents(("2026-09-01", "2026-09-02")))
    step = wf.decide_threshold(ctx, step.case_id, step.version, met=False, decided_on=date(2026, 11, 10),
                               action_instead="Mediation offered", assessment=ASSESSMENT)
    sent = send_letter(ctx, step.case_id, "threshold-not-met", date(2026, 11, 11))
    follow_up.request_secondary_review(ctx, step.case_id, sent.version, requested_on=date(2026, 11, 20),
                                       requested_by="Ms Asha Patel", grounds="Incidents were missed",
                                       grounds_codes=("facts",))
    review = follow_up.latest_secondary_review(ctx, step.case_id)
    assert review is not None and (review.route, review.decision_queried) == ("opcc", "threshold_not_met")


# Reviews started by an agency ----------------------------------------------------------------------

def test_an_agency_started_review_waits_for_consent_and_is_reported_beside_the_four(ctx):
    police = next(a.id for a in list_agencies(ctx) if a.name == "Kent Police")
    victim_person = PersonData(title="Mr", first_name="Tom", last_name="Marchbank", address_lines=("4 Hill Rise",),
                               postcode="TN2 3AB")
    with pytest.raises(ValidationFailed, match="why the agency started"):
        start_review(ctx, AgencyStartedReview(police, " ", date(2026, 11, 20), victim_person))
    created = start_review(ctx, AgencyStartedReview(police, "Six calls in three months; threshold reached",
                                                    date(2026, 11, 20), victim_person))
    assert created.status == "awaiting_consent" and created.waiting_for == ("the victim's consent to the review",)
    detail = load_case(ctx, created.id)
    assert (detail.started_by, detail.channel, detail.applicant.name) == ("Kent Police", "agency", "Mr Tom Marchbank")
    wf.record_consent(ctx, created.id, detail.version, consent_to_share=True)
    assert load_case(ctx, created.id).status == "received"
    create_application(ctx, application("2026-11-20"))
    figures = statutory_figures(ctx, date(2026, 4, 1), date(2027, 3, 31))
    assert figures.applications_received == 1 and figures.agency_started == 1
    assert figures.to_json()["started_by_an_agency"] == {"started": 1, "reviews_carried_out": 0}


# The community route and the hate route on saved cases ----------------------------------------------

def test_the_community_route_counts_households_at_the_same_problem_location(ctx):
    set_settings(ctx, ["threshold.community_route=on", "threshold.community_households=3"],
                 effective_from=date(2026, 1, 1))  # the cases are received after it
    one = incidents(("2026-10-01", "2026-10-03"))
    ids = []
    for n in (1, 3, 3, 5):  # two applications from number 3: one household
        person = PersonData(title="Ms", first_name="A", last_name=f"Neighbour{n}",
                            address_lines=(f"{n} Example Road",), postcode="TN1 1AA")
        ids.append(create_application(ctx, application("2026-11-02", items=one, applicant=person)).id)
    detail = load_case(ctx, ids[0])
    assert detail.threshold_met_indicator and detail.routes == ("community route",)
    assert sum(1 for _r, counted, _w in detail.households if counted) == 3
    assert any("the same household as" in why for _r, _c, why in detail.households)
    far = application("2026-11-02", items=one, applicant=PersonData(
        last_name="Far", address_lines=("9 Other Street",), postcode="TN4 9ZZ"))
    other = create_application(ctx, replace(far, problem_location="Other Street"))
    assert load_case(ctx, other.id).routes == ()  # another location: only its own household
    link_cases(ctx, other.id, ids[0], "same problem")  # a linked case counts; its neighbours do not
    linked = load_case(ctx, other.id)
    assert [(ref, counted) for ref, counted, _w in linked.households] == [
        (load_case(ctx, ids[0]).reference, True), (linked.reference, True)]
    assert linked.routes == ()


def test_an_imported_hate_incident_counts_for_the_hate_route(ctx, tmp_path):
    from app.services.intake.applications import import_applications
    set_settings(ctx, ["threshold.hate_route=on"], effective_from=date(2026, 1, 1))
    raw = {"source_reference": "WEB-HATE-1", "channel": "online", "received_at": "2026-11-02T10:00:00",
           "applicant": {"last_name": "Patel", "address_lines": ["12 Example Road"], "postcode": "TN1 1AA"},
           "consent_to_share": True, "incidents": [
               {"occurred_on": "2026-10-10", "reported_on": "2026-10-11", "reported_to": "Kent Police",
                "hate_incident": True, "description": "Abuse shouted about my religion"}]}
    path = tmp_path / "hate.json"
    path.write_text(json.dumps(raw))
    [created] = import_applications(ctx, [path]).created
    detail = load_case(ctx, created.id)
    assert detail.threshold_met_indicator and detail.routes == ("single hate incident route",)
    assert detail.incidents[0].hate_incident


# Publication ----------------------------------------------------------------------------------------

def test_the_published_table_and_the_reminder(ctx):
    create_application(ctx, application("2025-06-02", items=incidents(("2025-05-01", "2025-05-02"))))
    table = publication_table(ctx, year_type="financial", years=2)
    assert [y.label for y in table.years] == ["2024/25", "2025/26"]
    assert [y.figures.applications_received for y in table.years] == [0, 1]
    assert "<th scope=\"row\">2025/26</th><td>1</td>" in table.html("Tunbridge Wells Borough Council")
    assert table.csv().splitlines()[0].startswith("Year,From,To,Applications received,Number of times the threshold")
    reminder = publication_reminder(ctx)
    assert reminder.due and "2025/26" in reminder.text
    with pytest.raises(ValidationFailed):
        record_published(ctx, year_type="financial", period_end=date(2026, 3, 31), published_on=date(2026, 3, 1))
    record_published(ctx, year_type="financial", period_end=date(2026, 3, 31), published_on=date(2026, 5, 12))
    assert not publication_reminder(ctx).due
    assert publication_table(ctx, year_type="financial", years=1).years[0].published_on == date(2026, 5, 12)


def test_the_applicant_address_is_the_household(ctx):
    created = create_application(ctx, application("2026-11-02", applicant=APPLICANT))
    assert load_case(ctx, created.id).households == ()  # the route is off: nothing is read
