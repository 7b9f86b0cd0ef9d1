"""Reading application JSON (application-format.md): valid files parse, invalid ones name every problem."""
from __future__ import annotations

import copy
import json
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest

from app.domain.application import Channel
from app.interchange import ParsedApplication, parse_application, parse_applications, read_application_file

# Copies of /work/shared/examples/{applications,expected}.json kept with the tests.
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
NOW = datetime(2026, 3, 10, 12, 0)

# The example object of application-format.md.
FORMAT_EXAMPLE: dict[str, Any] = {
    "source_reference": "WEB-2026-00017",
    "channel": "online",
    "received_at": "2026-03-02T14:05:00",
    "applicant": {
        "title": "Ms", "first_name": "Asha", "last_name": "Patel", "organisation": None,
        "address_lines": ["12 Example Road", "Royal Tunbridge Wells"], "postcode": "TN1 1AA",
        "phone": "01892 000000", "email": "asha@example.org", "preferred_contact": "email",
        "date_of_birth": None, "accessibility_needs": "Large print letters",
    },
    "on_behalf_of": None,
    "consent_to_share": True,
    "asb_types": ["noise", "verbal abuse"],
    "problem_location": "Example Road, outside numbers 10 to 16",
    "alleged_perpetrators": [{"name": None, "description": "Occupants of number 14",
                              "address": "14 Example Road"}],
    "impact": "Cannot sleep; afraid to use the garden.",
    "desired_outcome": "The noise at night to stop.",
    "incidents": [{
        "occurred_on": "2026-01-10", "reported_on": "2026-01-12", "reported_to": "Kent Police",
        "reported_by": "applicant", "contact_name": "PC Jones", "agency_reference": "KP/2026/0113",
        "how_reported": "phone", "location": "Outside 14 Example Road",
        "description": "Loud music and shouting until 3am.",
    }],
}


def app(**changes: Any) -> dict[str, Any]:
    raw = copy.deepcopy(FORMAT_EXAMPLE)
    raw.update(changes)
    return raw


def with_incident(**changes: Any) -> dict[str, Any]:
    raw = app()
    raw["incidents"][0].update(changes)
    for key, value in changes.items():
        if value is ...:
            del raw["incidents"][0][key]
    return raw


def parse(raw: Any, now: datetime = NOW) -> ParsedApplication:
    return parse_application(raw, "application 1 in test.json", now)


def fields(result: ParsedApplication) -> list[str]:
    return [p.field for p in result.problems]


class TestValid:
    def test_format_example_parses(self) -> None:
        result = parse(app())
        assert result.problems == ()
        assert result.label == "WEB-2026-00017"
        data = result.data
        assert data is not None
        assert data.channel is Channel.ONLINE
        assert data.received_at == datetime(2026, 3, 2, 14, 5)
        assert data.received_on == date(2026, 3, 2)
        assert data.source_reference == "WEB-2026-00017"
        assert data.applicant.last_name == "Patel"
        assert data.applicant.address_lines == ("12 Example Road", "Royal Tunbridge Wells")
        assert data.applicant.organisation is None
        assert data.consent_to_share is True
        assert data.asb_types == ("noise", "verbal abuse")
        assert data.problem_location == "Example Road, outside numbers 10 to 16"
        assert len(data.alleged_perpetrators) == 1
        assert data.alleged_perpetrators[0].description == "Occupants of number 14"
        assert data.alleged_perpetrators[0].name is None
        assert data.on_behalf_of is None
        (incident,) = data.incidents
        assert incident.occurred_on == date(2026, 1, 10)
        assert incident.reported_on == date(2026, 1, 12)
        assert incident.reported_to == "Kent Police"
        assert incident.agency_reference == "KP/2026/0113"
        assert incident.same_problem is True
        assert incident.hate_incident is False

    def test_public_example_file_parses_with_no_problems(self) -> None:
        results = read_application_file(FIXTURES / "public-applications.json",
                                        datetime(2026, 6, 15, 9, 0))
        assert [r.label for r in results] == ["EXAMPLE-1", "EXAMPLE-2", "EXAMPLE-3"]
        for r in results:
            assert r.problems == (), r.problems
            assert r.data is not None
        one, two, three = (r.data for r in results)
        assert one is not None and two is not None and three is not None
        assert (one.channel, two.channel, three.channel) == (Channel.TELEPHONE, Channel.POST,
                                                             Channel.ONLINE)
        assert [len(one.incidents), len(two.incidents), len(three.incidents)] == [4, 3, 3]
        assert two.on_behalf_of is not None
        assert two.on_behalf_of.victim.last_name == "Okoro"
        assert two.on_behalf_of.relationship == "family"
        assert two.on_behalf_of.victim_consent is True
        assert two.on_behalf_of.consent_method == "signed"
        assert two.on_behalf_of.consent_given_on == date(2026, 4, 1)
        assert two.incidents[2].reported_to == "My neighbour"
        # Example 3 is imported awaiting the victim's consent.
        assert three.on_behalf_of is not None
        assert three.on_behalf_of.victim_consent is False
        assert three.waiting_for == ("the victim's consent to apply on their behalf",)
        assert three.received_at == datetime(2026, 3, 28, 21, 15)

    def test_a_single_object_file(self, tmp_path: Path) -> None:
        path = tmp_path / "one.json"
        path.write_text(json.dumps(app()), encoding="utf-8")
        results = read_application_file(path, NOW)
        assert len(results) == 1
        assert results[0].problems == ()

    def test_a_file_saved_with_a_byte_order_mark(self, tmp_path: Path) -> None:
        path = tmp_path / "bom.json"
        path.write_bytes(b"\xef\xbb\xbf" + json.dumps([app()]).encode("utf-8"))
        (result,) = read_application_file(path, NOW)
        assert result.problems == ()

    def test_received_date_without_a_time(self) -> None:
        result = parse(app(received_at="2026-03-02"))
        assert result.problems == ()
        assert result.data is not None and result.data.received_at == datetime(2026, 3, 2, 0, 0)

    def test_received_with_an_offset_is_converted_to_uk_time(self) -> None:
        # 1 June 2026 is British Summer Time: 09:00 UTC is 10:00 in the UK.
        result = parse(app(received_at="2026-06-01T09:00:00+00:00"), now=datetime(2026, 6, 2))
        assert result.problems == ()
        assert result.data is not None and result.data.received_at == datetime(2026, 6, 1, 10, 0)

    def test_approximate_date(self) -> None:
        result = parse(with_incident(occurred_on=..., occurred_approx={"from": "2026-01-01",
                                                                       "to": "2026-01-31"},
                                     reported_on="2026-02-02"))
        assert result.problems == ()
        assert result.data is not None
        incident = result.data.incidents[0]
        assert incident.occurred_on is None
        assert (incident.occurred_from, incident.occurred_to) == (date(2026, 1, 1), date(2026, 1, 31))

    def test_flags_on_incidents(self) -> None:
        result = parse(with_incident(same_problem=False, hate_incident=True))
        assert result.data is not None
        assert result.data.incidents[0].same_problem is False
        assert result.data.incidents[0].hate_incident is True

    def test_organisation_applicant(self) -> None:
        applicant = {"organisation": "Example Road Residents' Association",
                     "address_lines": ["1 Example Road"], "preferred_contact": "letter"}
        result = parse(app(applicant=applicant))
        assert result.problems == ()

    def test_label_without_a_source_reference(self) -> None:
        raw = app()
        del raw["source_reference"]
        results = parse_applications([app(), raw], "batch.json", NOW)
        assert [r.label for r in results] == ["WEB-2026-00017", "application 2 in batch.json"]


class TestInvalid:
    def test_impossible_occurred_date(self) -> None:
        result = parse(with_incident(occurred_on="2026-02-30"))
        assert result.data is None
        assert fields(result) == ["incidents[0].occurred_on"]
        assert "'2026-02-30' is not a real date" in result.problems[0].message
        assert result.label == "WEB-2026-00017"

    def test_impossible_reported_date(self) -> None:
        result = parse(with_incident(reported_on="2026-02-30"))
        assert result.data is None
        assert fields(result) == ["incidents[0].reported_on"]

    def test_impossible_received_date(self) -> None:
        result = parse(app(received_at="2026-02-30T10:00:00"))
        assert result.data is None
        assert fields(result) == ["received_at"]
        assert "2026-02-30" in result.problems[0].message

    def test_missing_received_date(self) -> None:
        raw = app()
        del raw["received_at"]
        result = parse(raw)
        assert result.data is None
        assert result.problems[0].field == "received_at"
        assert "missing" in result.problems[0].message

    def test_date_that_is_not_text(self) -> None:
        result = parse(with_incident(occurred_on=20260110))
        assert result.data is None
        assert fields(result) == ["incidents[0].occurred_on"]

    def test_uk_style_date_is_refused(self) -> None:
        result = parse(with_incident(occurred_on="10/01/2026"))
        assert result.data is None
        assert fields(result) == ["incidents[0].occurred_on"]

    def test_missing_occurred_date(self) -> None:
        result = parse(with_incident(occurred_on=...))
        assert result.data is None
        assert fields(result) == ["incidents[0].occurred_on"]

    def test_received_in_the_future(self) -> None:
        result = parse(app(received_at="2026-03-11T09:00:00"))
        assert result.data is None
        assert fields(result) == ["received_at"]
        assert "in the future" in result.problems[0].message

    def test_reported_before_it_happened(self) -> None:
        result = parse(with_incident(occurred_on="2026-01-12", reported_on="2026-01-10"))
        assert result.data is None
        assert fields(result) == ["incidents[0].reported_on"]
        assert "before it happened" in result.problems[0].message

    def test_no_surname_or_organisation(self) -> None:
        raw = app()
        raw["applicant"]["last_name"] = None
        result = parse(raw)
        assert result.data is None
        assert fields(result) == ["applicant.last_name"]

    def test_blank_surname(self) -> None:
        raw = app()
        raw["applicant"]["last_name"] = "   "
        assert fields(parse(raw)) == ["applicant.last_name"]

    def test_missing_applicant(self) -> None:
        raw = app()
        del raw["applicant"]
        result = parse(raw)
        assert result.data is None
        assert "applicant" in fields(result)

    @pytest.mark.parametrize("channel", ["fax", "Online", "phone", "", 3])
    def test_unknown_channel(self, channel: Any) -> None:
        result = parse(app(channel=channel))
        assert result.data is None
        assert fields(result) == ["channel"]
        assert "not a known channel" in result.problems[0].message
        assert "telephone, post, online, email, in_person" in result.problems[0].message

    def test_missing_channel(self) -> None:
        raw = app()
        del raw["channel"]
        result = parse(raw)
        assert fields(result) == ["channel"]
        assert "missing" in result.problems[0].message

    def test_unhashable_channel(self) -> None:
        result = parse(app(channel=["online"]))
        assert result.data is None
        assert fields(result) == ["channel"]

    @pytest.mark.parametrize("incidents", [[], None])
    def test_no_incidents(self, incidents: Any) -> None:
        result = parse(app(incidents=incidents))
        assert result.data is None
        assert fields(result) == ["incidents"]
        assert result.problems[0].message == "at least one incident is needed"

    def test_incidents_key_missing(self) -> None:
        raw = app()
        del raw["incidents"]
        assert fields(parse(raw)) == ["incidents"]

    def test_incidents_not_a_list(self) -> None:
        result = parse(app(incidents={"occurred_on": "2026-01-10"}))
        assert result.data is None
        assert fields(result) == ["incidents"]
        assert result.problems[0].message == "should be a list"

    def test_null_incident(self) -> None:
        result = parse(app(incidents=[None]))
        assert result.data is None
        assert fields(result) == ["incidents[0]"]

    def test_approximate_date_missing_an_end(self) -> None:
        result = parse(with_incident(occurred_on=..., occurred_approx={"from": "2026-01-01"}))
        assert result.data is None
        assert fields(result) == ["incidents[0].occurred_approx"]

    def test_approximate_date_impossible(self) -> None:
        result = parse(with_incident(occurred_on=..., occurred_approx={"from": "2026-02-01",
                                                                       "to": "2026-02-30"}))
        assert result.data is None
        # The impossible end date is named; so is the (real) report before the range began.
        assert fields(result)[0] == "incidents[0].occurred_approx.to"
        assert "incidents[0].occurred_approx" not in fields(result)

    def test_approximate_date_backwards(self) -> None:
        result = parse(with_incident(occurred_on=..., occurred_approx={"from": "2026-01-31",
                                                                       "to": "2026-01-01"},
                                     reported_on="2026-02-02"))
        assert result.data is None
        assert fields(result) == ["incidents[0].occurred_approx"]

    def test_approximate_date_not_an_object(self) -> None:
        result = parse(with_incident(occurred_on=..., occurred_approx="January 2026"))
        assert result.data is None
        assert "incidents[0].occurred_approx" in fields(result)

    def test_consent_that_is_not_true_or_false(self) -> None:
        result = parse(app(consent_to_share="yes"))
        assert result.data is None
        assert fields(result) == ["consent_to_share"]

    def test_unknown_relationship_is_kept_not_refused(self) -> None:
        # Only what application-format.md lists makes a file invalid; the officer follows this up.
        on_behalf = {"victim": {"first_name": "Grace", "last_name": "Okoro",
                                "preferred_contact": "letter"},
                     "relationship": "landlord", "victim_consent": False}
        result = parse(app(on_behalf_of=on_behalf))
        assert result.problems == () and result.data.on_behalf_of.relationship == "landlord"

    def test_the_second_incident_is_named(self) -> None:
        raw = app()
        raw["incidents"].append(dict(raw["incidents"][0], reported_on="2026-01-01"))
        result = parse(raw)
        assert fields(result) == ["incidents[1].reported_on"]

    def test_not_an_object(self) -> None:
        (result,) = parse_applications(["WEB-1"], "bad.json", NOW)
        assert result.data is None
        assert fields(result) == ["(application)"]
        assert result.label == "application 1 in bad.json"

    def test_empty_list(self) -> None:
        (result,) = parse_applications([], "empty.json", NOW)
        assert result.data is None
        assert fields(result) == ["(file)"]
        assert result.problems[0].message == "holds no applications"

    def test_one_bad_application_in_a_file(self) -> None:
        bad = app(source_reference="WEB-2026-00018", channel="fax")
        results = parse_applications([app(), bad], "batch.json", NOW)
        assert results[0].problems == ()
        assert results[1].label == "WEB-2026-00018"
        assert fields(results[1]) == ["channel"]

    def test_unknown_channel_and_no_incidents_both_named(self) -> None:
        result = parse(app(channel="fax", incidents=[]))
        assert sorted(fields(result)) == ["channel", "incidents"]

    def test_every_problem_is_named_even_with_a_bad_channel(self) -> None:
        # application-format.md: "every problem named with the source_reference and the field".
        raw = app(channel="fax")
        raw["applicant"]["last_name"] = None
        raw["incidents"][0].update(occurred_on="2026-01-12", reported_on="2026-01-10")
        result = parse(raw)
        assert result.data is None
        assert sorted(fields(result)) == ["applicant.last_name", "channel",
                                          "incidents[0].reported_on"]


class TestFiles:
    def test_malformed_json(self, tmp_path: Path) -> None:
        path = tmp_path / "broken.json"
        path.write_text('[{"source_reference": "WEB-1", "channel": "online",}\n', encoding="utf-8")
        (result,) = read_application_file(path, NOW)
        assert result.data is None
        assert fields(result) == ["(file)"]
        assert result.problems[0].message.startswith("is not valid JSON (line 1, column")
        assert result.label == str(path)

    def test_missing_file(self, tmp_path: Path) -> None:
        (result,) = read_application_file(tmp_path / "nowhere.json", NOW)
        assert result.data is None
        assert fields(result) == ["(file)"]
        assert "cannot be read" in result.problems[0].message

    def test_not_utf8(self, tmp_path: Path) -> None:
        path = tmp_path / "latin1.json"
        path.write_bytes(json.dumps(app()).replace("Patel", "Pat\u00e9l").encode("latin-1"))
        (result,) = read_application_file(path, NOW)
        assert result.data is None
        assert fields(result) == ["(file)"]

    def test_labels_use_the_file_name(self, tmp_path: Path) -> None:
        raw = app()
        del raw["source_reference"]
        path = tmp_path / "from-web.json"
        path.write_text(json.dumps([raw, "junk"]), encoding="utf-8")
        results = read_application_file(path, NOW)
        assert [r.label for r in results] == ["application 1 in from-web.json",
                                              "application 2 in from-web.json"]
        assert results[0].problems == ()
        assert fields(results[1]) == ["(application)"]


class TestOnlyTheDocumentedFaultsRefuseAFile:
    """application-format.md lists what is invalid; other gaps are kept for the officer to follow up."""

    def test_gaps_a_form_would_question_do_not_refuse_an_import(self) -> None:
        raw = app(applicant={"last_name": "Patel", "preferred_contact": "email", "email": None},
                  on_behalf_of={"victim": {"first_name": "Lee"}, "relationship": "carer",
                                "victim_consent": True})
        raw["incidents"][0]["reported_to"] = None
        result = parse(raw)
        assert result.problems == () and result.data is not None
        assert result.data.incidents[0].reported_to == ""

    def test_the_same_gaps_are_questioned_on_the_form(self) -> None:
        from app.domain.application import check_application
        raw = app(applicant={"last_name": "Patel", "preferred_contact": "email", "email": None})
        data = parse(raw).data
        assert {p.field for p in check_application(data, NOW)} == {"applicant.email"}
