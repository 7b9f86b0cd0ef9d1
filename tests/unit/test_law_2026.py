"""The law as it stands in 2026: the council's threshold within the Act's limits, the local routes, rules
by date, the decision's assessment, clocks as the council counts them, the published years."""
from __future__ import annotations

import json
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.domain.assessment import FACTORS, Assessment, check_assessment
from app.domain.calendar import WorkingCalendar
from app.domain.clocks import CaseClockFacts, Clock, ClockSettings, running_clocks, update_due
from app.domain.evaluation import ThresholdInputs, evaluate
from app.domain.settings import Settings
from app.domain.settings_keys import BY_KEY, KEYS, BadValue, all_threshold_fields_known, parse_assignment
from app.domain.threshold import Household, IncidentFacts, ThresholdRules, household_key
from app.domain.threshold_rules import LIMITS, RuleHistory, RuleVersion, check_rules
from app.domain.workflow import Status
from app.services.reports.publication import completed_years, year_label

RECEIVED = date(2026, 6, 1)
CAL = WorkingCalendar()


def inc(key: object, occurred: date, reported: date, **extra: object) -> IncidentFacts:
    return IncidentFacts(key=key, occurred_on=occurred, reported_on=reported, reported_to="Kent Police",
                         relevant_body=True, **extra)  # type: ignore[arg-type]


# The Act's limits ---------------------------------------------------------------------------------

INTEGER_KEYS = [k for k in KEYS if k.threshold_field in LIMITS]


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(INTEGER_KEYS), st.integers(min_value=-10, max_value=80))
def test_a_threshold_number_is_taken_exactly_when_the_act_allows_it(spec, value):
    limit = LIMITS[spec.threshold_field]
    if limit.low <= value <= limit.high:
        assert parse_assignment(f"{spec.key}={value}")[1] == value
        rules = ThresholdRules(**{spec.threshold_field: value})
        assert check_rules(rules) == []
    else:
        with pytest.raises(BadValue) as refused:
            parse_assignment(f"{spec.key}={value}")
        message = str(refused.value)
        assert message.startswith(f"{spec.key}: {value} is refused: ")
        assert (limit.why_low if value < limit.low else limit.why_high) in message
        [problem] = check_rules(ThresholdRules(**{spec.threshold_field: value}))
        assert problem.field == spec.threshold_field and "refused" in problem.message


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=8))
def test_anything_that_is_not_a_number_is_refused_with_a_reason(text):
    try:
        int(text.strip())
    except ValueError:
        with pytest.raises(BadValue, match="is not a whole number"):
            parse_assignment(f"threshold.incidents={text}")


@pytest.mark.parametrize(("assignment", "why"), [
    ("threshold.incidents=4", "no more than 3"),
    ("threshold.period_months=5", "six months before the application"),
    ("threshold.report_within_months=0", "one month of the behaviour"),
    ("threshold.hate_route=maybe", "is not on or off"),
    ("review.route=ombudsman", "is not one of senior_officer, opcc"),
    ("clock.threshold_decision.from=decision", "is not one of received, acknowledgement"),
    ("clock.panel.unit=weeks", "is not one of working, calendar"),
    ("council.email=nobody", "is not an email address"),
    ("no.such.key=1", "is not a setting"),
])
def test_stricter_or_unknown_values_are_refused_saying_why(assignment, why):
    with pytest.raises(BadValue, match=why):
        parse_assignment(assignment)


def test_more_generous_values_are_taken():
    for assignment in ("threshold.incidents=1", "threshold.period_months=12", "threshold.report_within_months=2",
                       "threshold.hate_period_months=3", "threshold.community_households=2"):
        parse_assignment(assignment)


def test_every_rule_has_a_key_and_every_key_a_default_and_limits():
    assert all_threshold_fields_known()
    assert all(k.default and k.limits and k.description for k in KEYS)
    defaults = Settings()
    for spec in KEYS:  # each default is what a fresh database holds
        assert spec.read(defaults, RECEIVED) == spec.default or spec.default == "(none)", spec.key
    assert {"threshold.incidents", "threshold.period_months", "threshold.report_within_months",
            "threshold.hate_route", "threshold.hate_incidents", "threshold.hate_period_months",
            "threshold.community_route", "threshold.community_households", "review.route",
            "clock.keep_informed", "clock.threshold_decision.from", "clock.outcome.unit"} <= set(BY_KEY)


# Rules by date ------------------------------------------------------------------------------------

def test_a_case_is_judged_by_the_rules_in_force_on_its_date_received():
    history = RuleHistory(ThresholdRules(), (RuleVersion(date(2026, 4, 1), ThresholdRules(incidents_needed=2)),))
    two = (inc("a", date(2026, 3, 1), date(2026, 3, 2)), inc("b", date(2026, 3, 10), date(2026, 3, 11)))
    before = evaluate(ThresholdInputs(date(2026, 3, 31), two), history)
    after = evaluate(ThresholdInputs(date(2026, 4, 1), two), history)
    assert (before.met, before.incidents_needed, before.rules_from) == (False, 3, None)
    assert (after.met, after.incidents_needed, after.rules_from) == (True, 2, date(2026, 4, 1))


def test_a_change_is_made_on_the_rules_in_force_on_its_own_date():
    history = RuleHistory(ThresholdRules(), (RuleVersion(date(2026, 1, 1), ThresholdRules(hate_incident_route=True)),
                                             RuleVersion(date(2026, 6, 1), ThresholdRules(incidents_needed=1))))
    version = history.with_change(date(2026, 3, 1), {"lookback_months": 12})
    assert version.rules == ThresholdRules(hate_incident_route=True, lookback_months=12)
    assert history.rules_on(date(2026, 7, 1)) == ThresholdRules(incidents_needed=1)


# The hate-incident route ----------------------------------------------------------------------------

def test_one_hate_incident_in_six_months():
    rules = ThresholdRules(hate_incident_route=True)
    result = evaluate(ThresholdInputs(RECEIVED, (inc("a", date(2026, 1, 5), date(2026, 1, 6), hate_incident=True),)),
                      RuleHistory(rules))
    assert result.met and result.routes == ("single hate incident route",) and result.hate_incidents == 1


def test_oxford_one_hate_incident_in_three_months():
    rules = ThresholdRules(hate_incident_route=True, hate_period_months=3)
    old = inc("a", date(2026, 1, 5), date(2026, 1, 6), hate_incident=True)  # within 6 months, not 3
    recent = inc("b", date(2026, 4, 5), date(2026, 4, 6), hate_incident=True)
    assert not evaluate(ThresholdInputs(RECEIVED, (old,)), RuleHistory(rules)).met
    assert evaluate(ThresholdInputs(RECEIVED, (recent,)), RuleHistory(rules)).met


def test_plymouth_two_incidents_one_of_them_a_hate_incident():
    rules = ThresholdRules(hate_incident_route=True, hate_total_incidents=2)
    hate = inc("a", date(2026, 4, 5), date(2026, 4, 6), hate_incident=True)
    other = inc("b", date(2026, 5, 5), date(2026, 5, 6))
    assert not evaluate(ThresholdInputs(RECEIVED, (hate,)), RuleHistory(rules)).met
    result = evaluate(ThresholdInputs(RECEIVED, (hate, other)), RuleHistory(rules))
    assert result.met and result.routes == ("hate incident route",)
    # The same hate incident reported twice is still one incident.
    twice = (hate, inc("c", date(2026, 4, 5), date(2026, 4, 7), hate_incident=True, duplicate_of="a"))
    assert not evaluate(ThresholdInputs(RECEIVED, twice), RuleHistory(rules)).met


def test_a_hate_incident_must_qualify_and_the_route_is_off_by_default():
    late = inc("a", date(2026, 3, 1), date(2026, 4, 20), hate_incident=True)
    assert not evaluate(ThresholdInputs(RECEIVED, (late,)), RuleHistory(ThresholdRules(hate_incident_route=True))).met
    hate = inc("b", date(2026, 4, 5), date(2026, 4, 6), hate_incident=True)
    assert not evaluate(ThresholdInputs(RECEIVED, (hate,)), RuleHistory()).met


# The community route ----------------------------------------------------------------------------

def _household(key: str, address: str, received: date, postcode: str = "TN1 1AA", accepted: bool = True) -> Household:
    return Household(key, key, household_key((address,), postcode), received, accepted)


def test_distinct_households_reporting_the_same_problem_within_the_period():
    rules = ThresholdRules(community_route=True, community_route_households=3)
    homes = (_household("CT-1", "1 Example Road", date(2026, 5, 1)),
             _household("CT-2", "3 Example Road", date(2026, 5, 20)),
             _household("CT-3", "3  example road,", date(2026, 5, 21)),  # the same household again
             _household("CT-4", "5 Example Road", date(2025, 10, 1)),  # more than 6 months before
             _household("CT-5", "7 Example Road", date(2026, 5, 2), accepted=False),
             _household("CT-6", "", date(2026, 5, 3), postcode=""))
    result = evaluate(ThresholdInputs(RECEIVED, (), homes), RuleHistory(rules))
    assert not result.met and result.households_counted == 2
    why = {h.reference: h.reason for h in result.households}
    assert why["CT-3"] == "the same household as CT-2" and why["CT-5"] == "not accepted"
    assert why["CT-6"] == "no address recorded" and "more than 6 months" in why["CT-4"]
    more = homes + (_household("CT-7", "9 Example Road", date(2026, 6, 30)),)  # after it, within the period
    assert evaluate(ThresholdInputs(RECEIVED, (), more), RuleHistory(rules)).routes == ("community route",)


def test_the_community_route_is_off_by_default():
    homes = tuple(_household(f"CT-{n}", f"{n} Example Road", RECEIVED) for n in range(10))
    assert not evaluate(ThresholdInputs(RECEIVED, (), homes), RuleHistory()).met


# Confirmed by the agencies --------------------------------------------------------------------------

def test_confirmed_qualifying_incidents_make_not_met_unlawful():
    three = [inc(n, date(2026, 5, n), date(2026, 5, n + 1), confirmed=n != 3) for n in (1, 2, 3)]
    result = evaluate(ThresholdInputs(RECEIVED, tuple(three)), RuleHistory())
    assert result.met and result.confirmed_qualifying == 2 and not result.confirmed_met
    three[2] = inc(3, date(2026, 5, 3), date(2026, 5, 4), confirmed=True)
    assert evaluate(ThresholdInputs(RECEIVED, tuple(three)), RuleHistory()).confirmed_met
    # A confirmation of an incident that does not qualify does not count.
    late = inc(4, date(2026, 1, 1), date(2026, 3, 1), confirmed=True)
    assert evaluate(ThresholdInputs(RECEIVED, (*three[:2], late)), RuleHistory()).confirmed_qualifying == 2


# The assessment ------------------------------------------------------------------------------------

def test_every_factor_needs_a_rating_and_a_note():
    assert {p.field for p in check_assessment(None)} == {f"{f.key}_{x}" for f in FACTORS for x in ("rating", "note")}
    partial = Assessment.of({"persistence": ("high", "Months of it"), "harm": ("extreme", "")})
    fields = {p.field for p in check_assessment(partial)}
    assert "persistence_rating" not in fields and {"harm_rating", "harm_note", "response_rating"} <= fields
    whole = Assessment.of({f.key: (f.ratings[1][0], "Because") for f in FACTORS})
    assert check_assessment(whole) == []
    assert Assessment.from_json(json.loads(json.dumps(whole.to_json()))) == whole


def test_the_letter_says_the_assessment_in_plain_words():
    items = Assessment.of({"response": ("inadequate", "the landlord has not replied"),
                           "persistence": ("high", "every night since May")}).letter_items()
    assert items[0] == {"factor": "How long and how often it has happened",
                        "words": "The behaviour has gone on for a long time, or happens often.",
                        "note": "Every night since May."}
    assert items[1]["words"] == "The response from the agencies so far has not been adequate."


# Clocks as the council counts them ------------------------------------------------------------------

def test_default_clocks_are_unchanged():
    facts = CaseClockFacts(status=Status.RECEIVED, received_on=date(2026, 6, 1))
    due = running_clocks(facts, CAL)
    assert due[Clock.ACKNOWLEDGEMENT].due == date(2026, 6, 8) and due[Clock.THRESHOLD_DECISION].due == date(2026, 6, 15)


def test_calendar_days_and_anchors_are_settings():
    wales = ClockSettings(outcome=28, units={"outcome": "calendar"}, anchors={"threshold_decision": "acknowledgement"})
    facts = CaseClockFacts(status=Status.RECEIVED, received_on=date(2026, 6, 1))
    assert Clock.THRESHOLD_DECISION not in running_clocks(facts, CAL, wales)  # waits for the acknowledgement
    acked = CaseClockFacts(status=Status.ACKNOWLEDGED, received_on=date(2026, 6, 1), acknowledged_on=date(2026, 6, 3))
    assert running_clocks(acked, CAL, wales)[Clock.THRESHOLD_DECISION].due == date(2026, 6, 17)
    met = CaseClockFacts(status=Status.THRESHOLD_MET, received_on=date(2026, 6, 1), threshold_decided_on=date(2026, 6, 10),
                         threshold_met=True)
    assert running_clocks(met, CAL, wales)[Clock.OUTCOME].due == date(2026, 7, 8)  # 28 calendar days
    from_receipt = ClockSettings(anchors={"panel": "received"})
    assert running_clocks(met, CAL, from_receipt)[Clock.PANEL].due == CAL.add_working_days(date(2026, 6, 1), 20)


def test_the_keep_informed_clock_runs_from_the_last_update_while_the_review_is_under_way():
    assert update_due(Status.RECEIVED, None, None, CAL) is None
    assert update_due(Status.ACKNOWLEDGED, date(2026, 6, 1), None, CAL) == date(2026, 6, 15)
    assert update_due(Status.INFORMATION_GATHERING, date(2026, 6, 1), date(2026, 6, 10), CAL) == date(2026, 6, 24)
    assert update_due(Status.CLOSED, date(2026, 6, 1), date(2026, 6, 10), CAL) is None
    assert update_due(Status.ACKNOWLEDGED, date(2026, 6, 1), None, CAL,
                      ClockSettings(keep_informed=14, units={"keep_informed": "calendar"})) == date(2026, 6, 15)


def test_clock_settings_survive_the_settings_file():
    s = Settings(clocks=ClockSettings(keep_informed=5, units={"outcome": "calendar"},
                                      anchors={"threshold_decision": "acknowledgement"}), review_route="opcc")
    again = Settings.from_json(json.loads(json.dumps(s.to_json())))
    assert again == s and again.clocks.unit("outcome") == "calendar" and again.review_by_opcc


# The published years --------------------------------------------------------------------------------

def test_the_published_years_are_those_ended():
    assert completed_years("financial", 2, date(2026, 11, 25)) == [(date(2024, 4, 1), date(2025, 3, 31)),
                                                                   (date(2025, 4, 1), date(2026, 3, 31))]
    assert completed_years("financial", 1, date(2026, 3, 31)) == [(date(2024, 4, 1), date(2025, 3, 31))]
    assert completed_years("calendar", 1, date(2026, 1, 1)) == [(date(2025, 1, 1), date(2025, 12, 31))]
    assert year_label("financial", date(2025, 4, 1)) == "2025/26" and year_label("financial", date(1999, 4, 1)) == "1999/00"
    assert year_label("calendar", date(2025, 1, 1)) == "2025"
