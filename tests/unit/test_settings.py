"""Council settings: defaults of domain.md, stored as JSON, unknown keys ignored."""
from __future__ import annotations

import json
from datetime import date

from app.domain.clocks import ClockSettings
from app.domain.settings import (CONSENT_TO_SHARE_SCRIPT, NOT_EMERGENCY_SCRIPT, ON_BEHALF_SCRIPT,
                                 CouncilDetails, Settings)
from app.domain.threshold import ThresholdRules


def custom() -> Settings:
    return Settings(
        council=CouncilDetails(name="Sevenoaks District Council", unit="Community Safety",
                               address_lines=("Council Offices", "Argyle Road", "Sevenoaks"),
                               postcode="TN13 1HG", phone="01732 227000",
                               email="csu@example.gov.uk", website="www.example.gov.uk",
                               reference_prefix="ASB"),
        threshold=ThresholdRules(incidents_needed=2, lookback_months=12, community_route=True,
                                 community_route_households=4, hate_incident_route=True),
        clocks=ClockSettings(acknowledgement=3, threshold_decision=15, due_soon=5),
        closure_days=(date(2026, 12, 24), date(2026, 12, 29)),
        retention_years=7,
        consent_to_share_script="Do you agree that we share your details?",
    )


def test_defaults_follow_domain_md() -> None:
    s = Settings()
    assert s.threshold == ThresholdRules()
    assert s.clocks == ClockSettings()
    assert s.retention_years == 6
    assert s.closure_days == ()
    assert s.council.reference_prefix == "CT"
    assert s.consent_to_share_script.startswith("To review your case we need to share")
    assert s.on_behalf_script.startswith("Has the person you are calling about agreed")
    assert s.not_emergency_script == ("If a crime is happening now, please hang up and call 999. "
                                      "To report a new incident, call 101.")
    assert (s.consent_to_share_script, s.on_behalf_script, s.not_emergency_script) == \
        (CONSENT_TO_SHARE_SCRIPT, ON_BEHALF_SCRIPT, NOT_EMERGENCY_SCRIPT)


def test_to_json_is_plain_json() -> None:
    data = custom().to_json()
    text = json.dumps(data)  # no dates or dataclasses left
    again = json.loads(text)
    assert again["closure_days"] == ["2026-12-24", "2026-12-29"]
    assert again["threshold"]["incidents_needed"] == 2
    assert again["clocks"]["acknowledgement"] == 3
    assert again["council"]["name"] == "Sevenoaks District Council"
    assert again["retention_years"] == 7


def test_round_trip_through_json_text() -> None:
    original = custom()
    loaded = Settings.from_json(json.loads(json.dumps(original.to_json())))
    assert loaded == original
    assert loaded.council.address_lines == ("Council Offices", "Argyle Road", "Sevenoaks")
    assert isinstance(loaded.council.address_lines, tuple)
    assert loaded.closure_days == (date(2026, 12, 24), date(2026, 12, 29))


def test_round_trip_of_defaults() -> None:
    assert Settings.from_json(json.loads(json.dumps(Settings().to_json()))) == Settings()


def test_empty_json_gives_defaults() -> None:
    assert Settings.from_json({}) == Settings()


def test_unknown_keys_are_ignored_at_every_level() -> None:
    data = json.loads(json.dumps(custom().to_json()))
    data["colour_scheme"] = "dark"
    data["council"]["mayor"] = "Cllr Smith"
    data["threshold"]["old_rule"] = True
    data["clocks"]["removed_clock"] = 9
    assert Settings.from_json(data) == custom()


def test_missing_keys_take_defaults() -> None:
    loaded = Settings.from_json({"threshold": {"incidents_needed": 4},
                                 "council": {"name": "Example Council"}})
    assert loaded.threshold.incidents_needed == 4
    assert loaded.threshold.lookback_months == 6
    assert loaded.council.name == "Example Council"
    assert loaded.council.postcode == CouncilDetails().postcode
    assert loaded.clocks == ClockSettings()
    assert loaded.retention_years == 6
    assert loaded.on_behalf_script == ON_BEHALF_SCRIPT


def test_null_sections_take_defaults() -> None:
    loaded = Settings.from_json({"council": None, "threshold": None, "clocks": None})
    assert loaded == Settings()
