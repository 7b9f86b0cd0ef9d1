"""Panel meetings, review records, recommendations and the secondary review, through the services."""
from __future__ import annotations

from datetime import date, datetime

import pytest

from app.services.cases import secondary_review
from app.services.panels import recommendations as recs
from app.services.panels import meetings as panels
from app.services.cases import steps as wf
from app.services.agencies.directory import list_agencies
from app.services.cases.case_page import load_case
from app.services.common.errors import TransitionRefused, ValidationFailed
from app.services.intake.applications import create_application
from app.services.letters.case_letters import LetterRefused, produce_letter
from tests.db.helpers import ASSESSMENT, send_letter, application


def _met_case(ctx, received="2026-10-20"):
    created = create_application(ctx, application(received))
    step = send_letter(ctx, created.id, "acknowledgement", date(2026, 10, 21), "post", version=created.version)
    step = wf.decide_threshold(ctx, created.id, step.version, met=True, assessment=ASSESSMENT, decided_on=date(2026, 10, 28))
    return created.id


def _police(ctx) -> int:
    return next(a.id for a in list_agencies(ctx) if a.name == "Kent Police")


def _review(ctx, police, *, findings=1, recommendations=1):
    return panels.ReviewInput(
        victim_part="impact_statement",
        victim_invited=True, impact_statement="I cannot sleep.", information_considered="Police and housing logs",
        decision="The agencies' response was not co-ordinated.",
        findings=tuple(panels.FindingInput(f"Finding {n}", "Logs show repeat calls") for n in range(findings)),
        recommendations=tuple(panels.RecommendationInput(police, "Joint visit with housing", date(2026, 12, 31),
                                                         "No joint action so far") for _ in range(recommendations)))


def test_meeting_lifecycle_with_two_cases(ctx):
    first, second = _met_case(ctx), _met_case(ctx)
    meeting = panels.save_meeting(ctx, None, None, starts_at=datetime(2026, 11, 20, 10), place="Town Hall, Room 2").id
    with pytest.raises(TransitionRefused):
        panels.add_case(ctx, meeting, create_application(ctx, application("2026-11-02")).id)  # not met yet
    panels.add_case(ctx, meeting, first)
    panels.add_case(ctx, meeting, second)
    assert load_case(ctx, first).status == "panel_scheduled"
    detail = panels.meeting_detail(ctx, meeting)
    with pytest.raises(ValidationFailed) as refused:
        panels.mark_held(ctx, meeting, detail.version, held_on=date(2026, 11, 20))
    fields = [p.field for p in refused.value.problems]
    assert fields == ["chair", "findings", "victim_part", "findings", "victim_part"]
    panels.add_attendee(ctx, meeting, name="Sam Chair", role="chair")
    with pytest.raises(ValidationFailed) as refused:
        panels.mark_held(ctx, meeting, panels.meeting_detail(ctx, meeting).version, held_on=date(2026, 11, 20))
    assert refused.value.problems[0].field == "chair_independent"
    detail = panels.meeting_detail(ctx, meeting)
    panels.save_meeting(ctx, meeting, detail.version, starts_at=detail.starts_at, place=detail.place or "",
                        chair="Sam Chair", chair_independent=True)
    panels.add_attendee(ctx, meeting, name="PC Jones", role="agency representative", agency_id=_police(ctx),
                        attendance="attended", conflict_case_id=second)
    police = _police(ctx)
    for item in panels.meeting_detail(ctx, meeting).agenda:
        panels.record_review(ctx, item.review_id, item.version, _review(ctx, police))
    detail = panels.meeting_detail(ctx, meeting)
    assert detail.chair == "Sam Chair"
    assert [a.conflict_reference for a in detail.attendees] == [None, load_case(ctx, second).reference]
    panels.mark_held(ctx, meeting, detail.version, held_on=date(2026, 11, 20))
    case = load_case(ctx, first)
    assert case.status == "reviewed" and "panel" not in {c.key for c in case.clocks}
    assert "outcome" in {c.key for c in case.clocks}
    summary = panels.list_meetings(ctx)[0]
    assert summary.state == "held" and len(summary.cases) == 2


def test_recommendations_are_followed_to_completion(ctx):
    case_id = _met_case(ctx)
    meeting = panels.save_meeting(ctx, None, None, starts_at=datetime(2026, 11, 20, 10), place="Online",
                                  chair="Sam Chair", chair_independent=True).id
    panels.add_case(ctx, meeting, case_id)
    item = panels.meeting_detail(ctx, meeting).agenda[0]
    panels.record_review(ctx, item.review_id, item.version, _review(ctx, _police(ctx), recommendations=2))
    panels.mark_held(ctx, meeting, panels.meeting_detail(ctx, meeting).version, held_on=date(2026, 11, 20))
    first, second = recs.recommendations(ctx)
    assert (first.agency, first.status, first.overdue) == ("Kent Police", "open", False)
    with pytest.raises(ValidationFailed):
        recs.respond(ctx, first.id, first.version, status="declined", on=date(2026, 11, 23))
    recs.respond(ctx, first.id, first.version, status="declined", response="No resources until April",
                      on=date(2026, 11, 23))
    recs.respond(ctx, second.id, second.version, status="accepted", on=date(2026, 11, 23))
    [still_open] = recs.recommendations(ctx)
    assert still_open.id == second.id
    recs.respond(ctx, second.id, still_open.version, status="completed", on=date(2026, 11, 24))
    assert recs.recommendations(ctx) == []


def test_outcome_delay_and_secondary_review_to_closure(ctx):
    case_id = _met_case(ctx)
    case = load_case(ctx, case_id)
    outcome = next(c for c in case.clocks if c.key == "outcome")
    send_letter(ctx, case_id, "delay", date(2026, 11, 24), version=case.version,
                extra_text={"new_date": "15/01/2027", "delay_reason": "an agency's records are late"})
    moved = next(c for c in load_case(ctx, case_id).clocks if c.key == "outcome")
    assert (moved.due, moved.original_due) == (date(2027, 1, 15), outcome.original_due)
    with pytest.raises(LetterRefused):  # no findings letter, so no outcome, before the panel has met
        produce_letter(ctx, case_id, "findings")
    meeting = panels.save_meeting(ctx, None, None, starts_at=datetime(2026, 11, 20, 10), place="Town Hall",
                                  chair="Sam Chair", chair_independent=True).id
    panels.add_case(ctx, meeting, case_id)
    panels.add_attendee(ctx, meeting, name="PC Jones", role="agency representative", agency_id=_police(ctx),
                        attendance="attended")
    item = panels.meeting_detail(ctx, meeting).agenda[0]
    panels.record_review(ctx, item.review_id, item.version, _review(ctx, _police(ctx)))
    panels.mark_held(ctx, meeting, panels.meeting_detail(ctx, meeting).version, held_on=date(2026, 11, 20))
    version = send_letter(ctx, case_id, "findings", date(2026, 11, 24),
                          version=load_case(ctx, case_id).version).version
    case = load_case(ctx, case_id)
    assert case.status == "outcome_sent"
    assert [c.key for c in case.clocks] == ["secondary_review_request"]
    review_id = secondary_review.request_secondary_review(ctx, case_id, version, requested_on=date(2026, 11, 25),
                                                   requested_by="Ms Asha Patel", grounds="Nothing has changed").id
    case = load_case(ctx, case_id)
    assert [(c.key, c.due) for c in case.clocks] == [("secondary_review", date(2026, 12, 23))]
    review = secondary_review.latest_secondary_review(ctx, case_id)
    assert review.id == review_id
    with pytest.raises(ValidationFailed) as refused:
        secondary_review.complete_secondary_review(ctx, review.id, review.version, reviewer="officer.one",
                                            outcome="upheld", reasons="x", completed_on=date(2026, 11, 25))
    assert "not" in refused.value.problems[0].message  # the officer who decided it cannot review it
    secondary_review.complete_secondary_review(ctx, review.id, review.version, reviewer="Director of Communities",
                                        outcome="partly_upheld", reasons="Housing should have acted sooner",
                                        completed_on=date(2026, 11, 25),
                                        new_recommendations=((_police(ctx), "Review the log", date(2027, 1, 31),
                                                              "Two reports were never logged"),))
    send_letter(ctx, case_id, "secondary-review-outcome", date(2026, 11, 25), "email")
    case = load_case(ctx, case_id)
    assert case.status == "secondary_review_completed" and case.clocks == ()
    assert any(r.from_secondary_review for r in recs.recommendations(ctx, case_id=case_id))
    wf.close_case(ctx, case_id, case.version, closed_on=date(2026, 11, 25))
    assert load_case(ctx, case_id).status == "closed"


def test_overdue_recommendations_show_on_the_case_list(ctx):
    from app.services.cases.case_list import OVERDUE_RECOMMENDATIONS, CaseQuery, case_counts, find_case_ids
    case_id = _met_case(ctx)
    meeting = panels.save_meeting(ctx, None, None, starts_at=datetime(2026, 11, 2, 10), place="Town Hall",
                                  chair="Sam Chair", chair_independent=True).id
    panels.add_case(ctx, meeting, case_id)
    item = panels.meeting_detail(ctx, meeting).agenda[0]
    review = panels.ReviewInput(victim_part="declined", findings=(panels.FindingInput("Finding"),), recommendations=(
        panels.RecommendationInput(_police(ctx), "Visit", date(2026, 11, 20)),))  # due before 25/11/2026
    panels.record_review(ctx, item.review_id, item.version, review)
    assert case_counts(ctx).recommendations_overdue == 1
    assert find_case_ids(ctx, CaseQuery(status=OVERDUE_RECOMMENDATIONS)) == [case_id]
    [rec] = recs.recommendations(ctx)
    assert rec.overdue
    recs.respond(ctx, rec.id, rec.version, status="completed", on=date(2026, 11, 24))
    assert case_counts(ctx).recommendations_overdue == 0


def test_a_meeting_is_not_held_before_its_date_or_in_the_future_and_has_one_chair(ctx):
    case_id = _met_case(ctx)
    meeting = panels.save_meeting(ctx, None, None, starts_at=datetime(2026, 11, 20, 10), place="Town Hall",
                                  chair_independent=True).id
    panels.add_attendee(ctx, meeting, name="Sam Chair", role="chair")
    with pytest.raises(ValidationFailed) as second_chair:
        panels.add_attendee(ctx, meeting, name="Alex Other", role="chair")
    assert [(p.field, p.message) for p in second_chair.value.problems] == [
        ("role", "Sam Chair is already the chair of this meeting; a meeting has one chair")]
    assert [a.role for a in panels.meeting_detail(ctx, meeting).attendees] == ["chair"]
    panels.add_case(ctx, meeting, case_id)
    item = panels.meeting_detail(ctx, meeting).agenda[0]
    panels.record_review(ctx, item.review_id, item.version, _review(ctx, _police(ctx)))
    version = panels.meeting_detail(ctx, meeting).version
    for held_on, words in ((date(2026, 11, 13), "planned for 20/11/2026"),  # a week before its date
                           (date(2026, 11, 26), "in the future")):  # today is 25/11/2026
        with pytest.raises(ValidationFailed) as refused:
            panels.mark_held(ctx, meeting, version, held_on=held_on)
        assert [p.field for p in refused.value.problems] == ["held_on"]
        assert words in refused.value.problems[0].message
    assert panels.meeting_detail(ctx, meeting).state == "planned"
    panels.mark_held(ctx, meeting, version, held_on=date(2026, 11, 20))
    assert panels.meeting_detail(ctx, meeting).state == "held"
