"""The deadline clocks of domain.md: which are running for a case, when each is due, the indicator."""
from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from app.domain.calendar import WorkingCalendar
from app.domain.clocks import (CLOCK_LABELS, AgencyRequestFacts, CaseClockFacts, Clock, ClockDue,
                               ClockSettings, Indicator, indicator, next_due, running_clocks)
from app.domain.workflow import Status

S = Status
CAL = WorkingCalendar()
# Copies of /work/shared/examples/{applications,expected}.json kept with the tests.
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def clocks(facts: CaseClockFacts, calendar: WorkingCalendar = CAL,
           settings: ClockSettings | None = None) -> dict[Clock, ClockDue]:
    return running_clocks(facts, calendar, settings)


def due_dates(result: dict[Clock, ClockDue]) -> dict[str, str]:
    return {c.value: d.due.isoformat() for c, d in result.items()}


def test_clock_keys_match_the_interchange_format() -> None:
    assert [c.value for c in Clock] == [
        "acknowledgement", "threshold_decision", "agency_information", "panel", "outcome",
        "delay_letter", "secondary_review_request", "secondary_review"]
    assert set(CLOCK_LABELS) == set(Clock)
    assert Clock.OUTCOME.label == "Send the findings letter"


def test_default_settings_are_domain_md() -> None:
    s = ClockSettings()
    assert (s.acknowledgement, s.threshold_decision, s.agency_information, s.panel, s.outcome,
            s.secondary_review_request, s.secondary_review, s.delay_prompt, s.due_soon) == \
        (5, 10, 10, 20, 25, 20, 20, 3, 3)


class TestPublicExamples:
    def expected(self) -> dict:
        return json.loads((FIXTURES / "public-expected.json").read_text())

    def test_example_1_received_monday_1_june_2026(self) -> None:
        result = clocks(CaseClockFacts(S.RECEIVED, date(2026, 6, 1)))
        exp = self.expected()["EXAMPLE-1"]
        assert due_dates(result) == {"acknowledgement": exp["acknowledgement"],
                                     "threshold_decision": exp["threshold_decision"]}
        assert due_dates(result) == {"acknowledgement": "2026-06-08",
                                     "threshold_decision": "2026-06-15"}

    def test_example_2_received_tuesday_after_easter(self) -> None:
        result = clocks(CaseClockFacts(S.RECEIVED, date(2026, 4, 7)))
        exp = self.expected()["EXAMPLE-2"]
        assert due_dates(result) == {"acknowledgement": exp["acknowledgement"],
                                     "threshold_decision": exp["threshold_decision"]}
        assert due_dates(result) == {"acknowledgement": "2026-04-14",
                                     "threshold_decision": "2026-04-21"}

    def test_example_3_received_saturday_before_easter_awaiting_consent(self) -> None:
        result = clocks(CaseClockFacts(S.AWAITING_CONSENT, date(2026, 3, 28)))
        exp = self.expected()["EXAMPLE-3"]
        assert exp["status"] == "awaiting_consent"
        assert due_dates(result) == {"acknowledgement": exp["acknowledgement"]}
        assert result[Clock.ACKNOWLEDGEMENT].due == date(2026, 4, 7)
        assert Clock.THRESHOLD_DECISION not in result


class TestAcknowledgementAndThreshold:
    def test_acknowledged_stops_the_acknowledgement_clock(self) -> None:
        result = clocks(CaseClockFacts(S.ACKNOWLEDGED, date(2026, 6, 1),
                                       acknowledged_on=date(2026, 6, 3)))
        assert due_dates(result) == {"threshold_decision": "2026-06-15"}

    def test_acknowledged_on_recorded_while_still_received(self) -> None:
        result = clocks(CaseClockFacts(S.RECEIVED, date(2026, 6, 1),
                                       acknowledged_on=date(2026, 6, 2)))
        assert Clock.ACKNOWLEDGEMENT not in result
        assert Clock.THRESHOLD_DECISION in result

    def test_threshold_clock_runs_from_consent_when_the_case_waited(self) -> None:
        # Received Saturday 28 March 2026, consent recorded Friday 10 April.
        result = clocks(CaseClockFacts(S.RECEIVED, date(2026, 3, 28),
                                       consent_recorded_on=date(2026, 4, 10)))
        assert result[Clock.THRESHOLD_DECISION].due == date(2026, 4, 24)
        assert result[Clock.THRESHOLD_DECISION].original_due == date(2026, 4, 24)
        # The acknowledgement clock still runs from the date received.
        assert result[Clock.ACKNOWLEDGEMENT].due == date(2026, 4, 7)

    def test_threshold_clock_after_consent_once_acknowledged(self) -> None:
        result = clocks(CaseClockFacts(S.ACKNOWLEDGED, date(2026, 3, 28),
                                       consent_recorded_on=date(2026, 4, 10),
                                       acknowledged_on=date(2026, 4, 1)))
        assert due_dates(result) == {"threshold_decision": "2026-04-24"}

    def test_threshold_clock_waits_while_awaiting_consent_even_if_consent_date_set(self) -> None:
        result = clocks(CaseClockFacts(S.AWAITING_CONSENT, date(2026, 6, 1),
                                       consent_recorded_on=date(2026, 6, 2),
                                       acknowledged_on=date(2026, 6, 2)))
        assert result == {}

    def test_threshold_check_keeps_the_threshold_clock(self) -> None:
        result = clocks(CaseClockFacts(S.THRESHOLD_CHECK, date(2026, 6, 1),
                                       acknowledged_on=date(2026, 6, 2)))
        assert due_dates(result) == {"threshold_decision": "2026-06-15"}

    def test_settings_change_the_periods(self) -> None:
        settings = ClockSettings(acknowledgement=3, threshold_decision=15)
        result = clocks(CaseClockFacts(S.RECEIVED, date(2026, 6, 1)), settings=settings)
        assert due_dates(result) == {"acknowledgement": "2026-06-04",
                                     "threshold_decision": "2026-06-22"}

    def test_closure_days_move_due_dates(self) -> None:
        closed = WorkingCalendar([date(2026, 6, 3)])
        result = clocks(CaseClockFacts(S.RECEIVED, date(2026, 6, 1)), calendar=closed)
        assert due_dates(result) == {"acknowledgement": "2026-06-09",
                                     "threshold_decision": "2026-06-16"}

    def test_received_before_christmas_2026(self) -> None:
        # 25 and 28 December 2026 and 1 January 2027 are bank holidays.
        result = clocks(CaseClockFacts(S.RECEIVED, date(2026, 12, 23)))
        assert due_dates(result) == {"acknowledgement": "2027-01-04",
                                     "threshold_decision": "2027-01-11"}


class TestAgencyInformation:
    def facts(self, *requests: AgencyRequestFacts) -> CaseClockFacts:
        return CaseClockFacts(S.THRESHOLD_CHECK, date(2026, 6, 1), acknowledged_on=date(2026, 6, 2),
                              agency_requests=requests)

    def test_ten_working_days_from_the_request(self) -> None:
        result = clocks(self.facts(AgencyRequestFacts(sent_on=date(2026, 6, 10))))
        c = result[Clock.AGENCY_INFORMATION]
        assert (c.due, c.original_due, c.revised) == (date(2026, 6, 24), date(2026, 6, 24), False)

    def test_the_earliest_open_request_is_shown(self) -> None:
        result = clocks(self.facts(AgencyRequestFacts(sent_on=date(2026, 6, 12)),
                                   AgencyRequestFacts(sent_on=date(2026, 6, 10))))
        assert result[Clock.AGENCY_INFORMATION].due == date(2026, 6, 24)

    def test_answered_requests_stop(self) -> None:
        result = clocks(self.facts(
            AgencyRequestFacts(sent_on=date(2026, 6, 10), answered_on=date(2026, 6, 11)),
            AgencyRequestFacts(sent_on=date(2026, 6, 12))))
        assert result[Clock.AGENCY_INFORMATION].due == date(2026, 6, 26)

    def test_all_answered_means_no_clock(self) -> None:
        result = clocks(self.facts(
            AgencyRequestFacts(sent_on=date(2026, 6, 10), answered_on=date(2026, 6, 11))))
        assert Clock.AGENCY_INFORMATION not in result

    def test_revised_due_overrides_but_original_is_kept(self) -> None:
        result = clocks(self.facts(AgencyRequestFacts(sent_on=date(2026, 6, 10),
                                                      revised_due=date(2026, 6, 30))))
        c = result[Clock.AGENCY_INFORMATION]
        assert c.due == date(2026, 6, 30)
        assert c.original_due == date(2026, 6, 24)
        assert c.revised is True

    def test_a_revised_request_gives_way_to_one_due_sooner(self) -> None:
        result = clocks(self.facts(
            AgencyRequestFacts(sent_on=date(2026, 6, 10), revised_due=date(2026, 6, 30)),
            AgencyRequestFacts(sent_on=date(2026, 6, 12))))
        c = result[Clock.AGENCY_INFORMATION]
        assert (c.due, c.original_due) == (date(2026, 6, 26), date(2026, 6, 26))

    def test_information_gathering_after_threshold_met(self) -> None:
        facts = CaseClockFacts(S.INFORMATION_GATHERING, date(2026, 6, 1),
                               acknowledged_on=date(2026, 6, 2),
                               threshold_decided_on=date(2026, 6, 15), threshold_met=True,
                               agency_requests=(AgencyRequestFacts(sent_on=date(2026, 6, 16)),))
        assert due_dates(clocks(facts)) == {"agency_information": "2026-06-30",
                                            "panel": "2026-07-13", "outcome": "2026-07-20",
                                            "delay_letter": "2026-07-20"}


def met_case(status: Status = S.THRESHOLD_MET, **extra: object) -> CaseClockFacts:
    return CaseClockFacts(status, date(2026, 6, 1), acknowledged_on=date(2026, 6, 2),
                          threshold_decided_on=date(2026, 6, 15), threshold_met=True,
                          **extra)  # type: ignore[arg-type]


class TestReviewClocks:
    def test_threshold_met_starts_panel_outcome_and_delay_letter(self) -> None:
        result = clocks(met_case())
        assert due_dates(result) == {"panel": "2026-07-13", "outcome": "2026-07-20",
                                     "delay_letter": "2026-07-20"}
        assert Clock.THRESHOLD_DECISION not in result

    def test_panel_completed_stops_the_panel_clock(self) -> None:
        result = clocks(met_case(S.REVIEWED, panel_completed_on=date(2026, 7, 8)))
        assert due_dates(result) == {"outcome": "2026-07-20", "delay_letter": "2026-07-20"}

    def test_a_delay_letter_revises_the_outcome_date_but_keeps_the_original(self) -> None:
        result = clocks(met_case(S.REVIEWED, panel_completed_on=date(2026, 7, 8),
                                 revised_outcome_due=date(2026, 8, 14)))
        outcome = result[Clock.OUTCOME]
        assert outcome.due == date(2026, 8, 14)
        assert outcome.original_due == date(2026, 7, 20)
        assert outcome.revised is True
        assert result[Clock.DELAY_LETTER].due == date(2026, 8, 14)

    def test_outcome_sent_opens_the_secondary_review_window(self) -> None:
        result = clocks(met_case(S.OUTCOME_SENT, panel_completed_on=date(2026, 7, 8),
                                 outcome_sent_on=date(2026, 7, 17)))
        assert due_dates(result) == {"secondary_review_request": "2026-08-14"}

    def test_secondary_review_requested(self) -> None:
        # Requested Monday 3 August 2026: 20 working days, skipping 31 August.
        result = clocks(met_case(S.SECONDARY_REVIEW_REQUESTED, panel_completed_on=date(2026, 7, 8),
                                 outcome_sent_on=date(2026, 7, 17),
                                 secondary_review_requested_on=date(2026, 8, 3)))
        assert due_dates(result) == {"secondary_review": "2026-09-01"}

    def test_secondary_review_completed(self) -> None:
        result = clocks(met_case(S.SECONDARY_REVIEW_COMPLETED, panel_completed_on=date(2026, 7, 8),
                                 outcome_sent_on=date(2026, 7, 17),
                                 secondary_review_requested_on=date(2026, 8, 3),
                                 secondary_review_outcome_sent_on=date(2026, 8, 20)))
        assert result == {}

    def test_threshold_not_met_letter_opens_the_window(self) -> None:
        facts = CaseClockFacts(S.THRESHOLD_NOT_MET, date(2026, 6, 1),
                               acknowledged_on=date(2026, 6, 2),
                               threshold_decided_on=date(2026, 6, 15), threshold_met=False,
                               decision_letter_sent_on=date(2026, 6, 16))
        assert due_dates(clocks(facts)) == {"secondary_review_request": "2026-07-14"}

    def test_threshold_not_met_before_the_letter_goes(self) -> None:
        facts = CaseClockFacts(S.THRESHOLD_NOT_MET, date(2026, 6, 1),
                               acknowledged_on=date(2026, 6, 2),
                               threshold_decided_on=date(2026, 6, 15), threshold_met=False)
        assert clocks(facts) == {}

    def test_secondary_review_after_threshold_not_met(self) -> None:
        facts = CaseClockFacts(S.SECONDARY_REVIEW_REQUESTED, date(2026, 6, 1),
                               acknowledged_on=date(2026, 6, 2),
                               threshold_decided_on=date(2026, 6, 15), threshold_met=False,
                               decision_letter_sent_on=date(2026, 6, 16),
                               secondary_review_requested_on=date(2026, 7, 1))
        assert due_dates(clocks(facts)) == {"secondary_review": "2026-07-29"}

    def test_custom_review_periods(self) -> None:
        settings = ClockSettings(panel=10, outcome=15)
        result = clocks(met_case(), settings=settings)
        assert due_dates(result) == {"panel": "2026-06-29", "outcome": "2026-07-06",
                                     "delay_letter": "2026-07-06"}


class TestNotAccepted:
    def test_not_accepted_letter_opens_the_window(self) -> None:
        facts = CaseClockFacts(S.NOT_ACCEPTED, date(2026, 6, 1),
                               decision_letter_sent_on=date(2026, 6, 16))
        assert due_dates(clocks(facts)) == {"secondary_review_request": "2026-07-14"}

    def test_not_accepted_before_the_letter_goes(self) -> None:
        assert clocks(CaseClockFacts(S.NOT_ACCEPTED, date(2026, 6, 1))) == {}

    def test_secondary_review_of_a_case_not_accepted(self) -> None:
        # Not accepted (no threshold decision was ever due), letter sent, then the applicant
        # asks for a secondary review: only the secondary review clock should run.
        facts = CaseClockFacts(S.SECONDARY_REVIEW_REQUESTED, date(2026, 6, 1),
                               decision_letter_sent_on=date(2026, 6, 16),
                               secondary_review_requested_on=date(2026, 7, 1))
        assert due_dates(clocks(facts)) == {"secondary_review": "2026-07-29"}


class TestEnded:
    @pytest.mark.parametrize("status", [S.WITHDRAWN, S.CLOSED])
    def test_no_clocks(self, status: Status) -> None:
        facts = CaseClockFacts(status, date(2026, 6, 1), threshold_decided_on=date(2026, 6, 15),
                               threshold_met=True,
                               agency_requests=(AgencyRequestFacts(sent_on=date(2026, 6, 16)),),
                               secondary_review_requested_on=date(2026, 8, 3))
        assert clocks(facts) == {}


class TestIndicator:
    def received(self) -> dict[Clock, ClockDue]:
        # acknowledgement due Monday 8 June 2026, threshold decision Monday 15 June.
        return clocks(CaseClockFacts(S.RECEIVED, date(2026, 6, 1)))

    def test_next_due_is_the_earliest(self) -> None:
        first = next_due(self.received())
        assert first is not None
        assert first.clock == Clock.ACKNOWLEDGEMENT
        assert first.due == date(2026, 6, 8)

    def test_next_due_ties_follow_clock_order(self) -> None:
        result = clocks(met_case())
        first = next_due({c: d for c, d in result.items() if c != Clock.PANEL})
        assert first is not None and first.clock == Clock.OUTCOME

    @pytest.mark.parametrize(("today", "expected"), [
        (date(2026, 6, 1), Indicator.ON_TRACK),
        (date(2026, 6, 2), Indicator.ON_TRACK),   # 4 working days to go
        (date(2026, 6, 3), Indicator.DUE_SOON),   # 3 working days to go
        (date(2026, 6, 5), Indicator.DUE_SOON),
        (date(2026, 6, 6), Indicator.DUE_SOON),   # Saturday: 1 working day to go
        (date(2026, 6, 8), Indicator.DUE_SOON),   # due today is not yet overdue
        (date(2026, 6, 9), Indicator.OVERDUE),
        (date(2026, 6, 20), Indicator.OVERDUE),
    ])
    def test_indicator(self, today: date, expected: Indicator) -> None:
        assert indicator(self.received(), today, CAL) == expected

    def test_due_soon_counts_working_days_not_calendar_days(self) -> None:
        # Due Tuesday 7 April 2026; on Tuesday 31 March that is only 3 working days away
        # (1 April, 2 April, then Good Friday and Easter Monday skipped, 7 April).
        result = clocks(CaseClockFacts(S.AWAITING_CONSENT, date(2026, 3, 28)))
        assert indicator(result, date(2026, 3, 30), CAL) == Indicator.ON_TRACK
        assert indicator(result, date(2026, 3, 31), CAL) == Indicator.DUE_SOON

    def test_due_soon_setting(self) -> None:
        settings = ClockSettings(due_soon=5)
        assert indicator(self.received(), date(2026, 6, 1), CAL, settings) == Indicator.DUE_SOON
        assert indicator(self.received(), date(2026, 5, 29), CAL, settings) == Indicator.ON_TRACK

    def test_nothing_running_is_stopped(self) -> None:
        assert indicator({}, date(2026, 6, 1), CAL) == Indicator.STOPPED
        assert next_due({}) is None

    def test_the_applicants_own_window_never_makes_a_case_late(self) -> None:
        result = clocks(met_case(S.OUTCOME_SENT, panel_completed_on=date(2026, 7, 8),
                                 outcome_sent_on=date(2026, 7, 17)))
        assert set(result) == {Clock.SECONDARY_REVIEW_REQUEST}
        assert next_due(result) is None
        assert indicator(result, date(2026, 12, 1), CAL) == Indicator.STOPPED

    def test_a_revised_outcome_date_is_what_the_indicator_watches(self) -> None:
        result = clocks(met_case(S.REVIEWED, panel_completed_on=date(2026, 7, 8),
                                 revised_outcome_due=date(2026, 8, 14)))
        # After the original 20 July but well before the revised 14 August.
        assert indicator(result, date(2026, 7, 27), CAL) == Indicator.ON_TRACK
        assert indicator(result, date(2026, 8, 17), CAL) == Indicator.OVERDUE

    def test_indicator_values_are_words(self) -> None:
        assert [i.value for i in Indicator] == ["overdue", "due soon", "on track", "stopped"]
