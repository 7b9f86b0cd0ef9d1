"""Running a case from its page: agencies confirm, the threshold is decided, information is gathered."""
from __future__ import annotations

from datetime import date

import pytest

from app.services.cases import agency_requests as work
from app.services.cases import steps as wf
from app.services.cases.case_page import load_case
from app.services.common.errors import ValidationFailed
from app.services.intake.applications import create_application
from tests.db.helpers import send_letter, application, incidents
from tests.db.letter_cases import ready


def _acknowledged(ctx):
    ready(ctx)  # the requests' letters need the council's details and the agencies' addresses
    created = create_application(ctx, application("2026-11-02"))
    step = send_letter(ctx, created.id, "acknowledgement", date(2026, 11, 3), "post", version=created.version)
    return created.id, step.version


def test_case_page_shows_incidents_reasons_clocks_and_a_timeline(ctx):
    items = incidents(("2026-09-01", "2026-09-02"), ("2026-09-10", "2026-10-30"), ("2026-10-01", "2026-10-03"))
    created = create_application(ctx, application("2026-11-02", items=items))
    detail = load_case(ctx, created.id)
    assert detail.reference == created.reference and detail.version == created.version
    assert [i.qualifies for i in detail.incidents] == [True, False, True]
    assert "reported 50 days after it happened" in detail.incidents[1].reason
    assert (detail.qualifying_incidents, detail.threshold_met_indicator) == (2, False)
    assert [c.key for c in detail.clocks] == ["acknowledgement", "threshold_decision"]
    assert detail.clocks[0].due == date(2026, 11, 9) and detail.clocks[0].working_days_left == -12
    assert [t.action for t in detail.timeline] == ["create"]
    assert detail.incidents[0].confirmation == "not asked"
    from app.domain.workflow import Status
    assert Status.ACKNOWLEDGED in detail.next_steps and Status.CLOSED not in detail.next_steps


def test_from_received_to_information_gathering_with_confirmations(ctx):
    case_id, version = _acknowledged(ctx)
    sent = work.send_confirmation_requests(ctx, case_id, version, sent_on=date(2026, 11, 4))
    assert sent.agencies == ("Kent Police",) and len(sent.letters) == 1 and sent.changes.touches_case(case_id)
    detail = load_case(ctx, case_id)
    assert detail.status == "threshold_check"
    assert [r.kind for r in detail.requests] == ["confirmation"]
    assert detail.requests[0].due_on == date(2026, 11, 18)
    assert {c.key for c in detail.clocks} == {"threshold_decision", "agency_information"}
    first, second, third = detail.incidents
    work.record_confirmation(ctx, first.id, found=True, reported_on=first.reported_on)
    work.record_confirmation(ctx, second.id, found=True, reported_on=second.reported_on)
    work.record_confirmation(ctx, third.id, found=False)
    detail = load_case(ctx, case_id)
    assert [i.confirmation for i in detail.incidents] == ["confirmed", "confirmed", "not found"]
    assert detail.requests[0].answered_on == date(2026, 11, 25)  # every incident answered
    assert "agency_information" not in {c.key for c in detail.clocks}
    step = wf.decide_threshold(ctx, case_id, detail.version, met=True, decided_on=date(2026, 11, 20),
                               reason="Persistent over two months; the victim is vulnerable")
    sent = work.send_information_requests(ctx, case_id, step.version, sent_on=date(2026, 11, 23))
    detail = load_case(ctx, case_id)
    assert detail.status == "information_gathering" and sent.version == detail.version
    assert {c.key for c in detail.clocks} >= {"agency_information", "panel", "outcome", "delay_letter"}


def test_agency_confirms_a_later_report_date_and_the_indicator_follows(ctx):
    case_id, version = _acknowledged(ctx)
    detail = load_case(ctx, case_id)
    first = detail.incidents[0]
    work.record_confirmation(ctx, first.id, found=True, reported_on=date(2026, 10, 15))  # 44 days late
    detail = load_case(ctx, case_id)
    assert not detail.incidents[0].qualifies and detail.qualifying_incidents == 2


def test_officer_judgements_on_incidents_update_the_indicator(ctx):
    case_id, _ = _acknowledged(ctx)
    detail = load_case(ctx, case_id)
    a, b, c = detail.incidents
    work.update_incident(ctx, b.id, b.version, duplicate_of=a.id)
    assert load_case(ctx, case_id).qualifying_incidents == 2
    work.update_incident(ctx, c.id, c.version, same_problem=False)
    detail = load_case(ctx, case_id)
    assert detail.qualifying_incidents == 1
    assert "not part of the same problem" in detail.incidents[2].reason
    with pytest.raises(ValidationFailed):
        work.update_incident(ctx, a.id, a.version, duplicate_of=a.id)


def test_chasing_gives_a_new_return_date_and_keeps_the_original(ctx):
    case_id, version = _acknowledged(ctx)
    work.send_confirmation_requests(ctx, case_id, version, sent_on=date(2026, 11, 4))
    request = load_case(ctx, case_id).requests[0]
    work.chase_request(ctx, request.id, chased_on=date(2026, 11, 19), new_due=date(2026, 11, 26))
    detail = load_case(ctx, case_id)
    clock = next(c for c in detail.clocks if c.key == "agency_information")
    assert (clock.due, clock.original_due) == (date(2026, 11, 26), date(2026, 11, 18))
    assert detail.requests[0].state == "chased"


def test_agency_return_csv_is_checked_whole(ctx, tmp_path):
    case_id, _ = _acknowledged(ctx)
    good = tmp_path / "return.csv"
    good.write_text(work.return_template_csv() + "20/10/2026,Clarion Housing,Warning letter sent,CH/77\n"
                    "14/10/2026,kent police,Officer visited and gave words of advice,Log 123\n")
    assert work.import_agency_return(ctx, case_id, good).count == 2
    bad = tmp_path / "bad.csv"
    bad.write_text(work.return_template_csv() + "31/02/2026,Nobody Housing,,\n")
    with pytest.raises(ValidationFailed) as refused:
        work.import_agency_return(ctx, case_id, bad)
    assert {p.field for p in refused.value.problems} == {"row 2, date", "row 2, agency", "row 2, what was done"}
    detail = load_case(ctx, case_id)
    assert [e.source for e in detail.actions] == ["Kent Police", "Clarion Housing"]  # by date
    assert [e.source for e in detail.chronology][:3] == ["incident", "incident", "incident"]


def test_notes_and_related_cases(ctx):
    case_id, _ = _acknowledged(ctx)
    other = create_application(ctx, application("2026-11-03"))  # same problem location
    work.add_note(ctx, case_id, "Spoke to the applicant; will send photos.")
    detail = load_case(ctx, case_id)
    assert detail.notes[0][2] == "Spoke to the applicant; will send photos."
    assert [(r.reference, r.why) for r in detail.related] == [(other.reference, "same problem location")]
