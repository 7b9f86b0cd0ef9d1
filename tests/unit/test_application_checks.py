"""The checks every application must pass, whichever way it arrived (form, post, import)."""
from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime

import pytest

from app.domain.application import (ApplicationData, Channel, IncidentData, OnBehalfData,
                                    PersonData, Problem, check_application)

NOW = datetime(2026, 3, 10, 12, 0)

APPLICANT = PersonData(title="Ms", first_name="Asha", last_name="Patel",
                       address_lines=("12 Example Road", "Royal Tunbridge Wells"),
                       postcode="TN1 1AA", phone="01892 000000", email="asha@example.org",
                       preferred_contact="email", accessibility_needs="Large print letters")

INCIDENT = IncidentData(occurred_on=date(2026, 1, 10), reported_on=date(2026, 1, 12),
                        reported_to="Kent Police", reported_by="applicant", contact_name="PC Jones",
                        agency_reference="KP/2026/0113", how_reported="phone",
                        location="Outside 14 Example Road",
                        description="Loud music and shouting until 3am.")


def application(**changes: object) -> ApplicationData:
    base = ApplicationData(channel=Channel.ONLINE, received_at=datetime(2026, 3, 2, 14, 5),
                           applicant=APPLICANT, incidents=(INCIDENT,),
                           source_reference="WEB-2026-00017", consent_to_share=True,
                           asb_types=("noise", "verbal abuse"))
    return replace(base, **changes)  # type: ignore[arg-type]


def problems(app: ApplicationData, now: datetime = NOW) -> dict[str, str]:
    found = check_application(app, now)
    assert all(isinstance(p, Problem) for p in found)
    return {p.field: p.message for p in found}


def fields_of(app: ApplicationData, now: datetime = NOW) -> list[str]:
    return [p.field for p in check_application(app, now)]


def test_a_good_application_has_no_problems() -> None:
    assert check_application(application(), NOW) == []


def test_problem_text_names_the_field() -> None:
    assert str(Problem("channel", "'fax' is not a known channel")) == \
        "channel: 'fax' is not a known channel"


class TestReceived:
    def test_received_in_the_future(self) -> None:
        found = problems(application(received_at=datetime(2026, 3, 11, 9, 0)))
        assert list(found) == ["received_at"]
        assert found["received_at"] == "the date received (11/03/2026) is in the future"

    def test_received_later_today_is_in_the_future(self) -> None:
        assert fields_of(application(received_at=datetime(2026, 3, 10, 12, 1))) == ["received_at"]

    def test_received_just_now_is_fine(self) -> None:
        assert fields_of(application(received_at=NOW)) == []

    def test_received_on_is_the_date(self) -> None:
        assert application().received_on == date(2026, 3, 2)


class TestPeople:
    def test_no_surname_and_no_organisation(self) -> None:
        app = application(applicant=replace(APPLICANT, last_name=None))
        found = problems(app)
        assert list(found) == ["applicant.last_name"]
        assert "anonymous applications are not accepted" in found["applicant.last_name"]

    def test_blank_surname_is_no_surname(self) -> None:
        assert fields_of(application(applicant=replace(APPLICANT, last_name="   "))) == \
            ["applicant.last_name"]

    def test_an_organisation_is_enough(self) -> None:
        business = PersonData(organisation="Example Road Residents' Association",
                              address_lines=("1 Example Road",), preferred_contact="letter")
        assert fields_of(application(applicant=business)) == []
        assert business.display_name == "Example Road Residents' Association"

    def test_display_name(self) -> None:
        assert APPLICANT.display_name == "Ms Asha Patel"
        contact = PersonData(first_name="Jo", last_name="Bloggs", organisation="Corner Shop Ltd")
        assert contact.display_name == "Jo Bloggs (Corner Shop Ltd)"

    def test_unknown_preferred_contact(self) -> None:
        found = problems(application(applicant=replace(APPLICANT, preferred_contact="pigeon")))
        assert list(found) == ["applicant.preferred_contact"]
        assert "'pigeon'" in found["applicant.preferred_contact"]

    def test_email_preferred_without_an_address(self) -> None:
        assert fields_of(application(applicant=replace(APPLICANT, email=None))) == ["applicant.email"]

    def test_email_without_at_sign(self) -> None:
        found = problems(application(applicant=replace(APPLICANT, email="asha.example.org")))
        assert found == {"applicant.email": "'asha.example.org' is not an email address"}

    def test_date_of_birth_in_the_future(self) -> None:
        app = application(applicant=replace(APPLICANT, date_of_birth=date(2026, 3, 11)))
        assert fields_of(app) == ["applicant.date_of_birth"]


class TestOnBehalf:
    VICTIM = PersonData(title="Mrs", first_name="Grace", last_name="Okoro",
                        address_lines=("3 Sample Close", "Southborough"), postcode="TN4 0ZZ",
                        preferred_contact="letter")

    def on_behalf(self, **changes: object) -> OnBehalfData:
        base = OnBehalfData(victim=self.VICTIM, relationship="family", victim_consent=True,
                            consent_method="signed", consent_given_on=date(2026, 3, 1))
        return replace(base, **changes)  # type: ignore[arg-type]

    def test_good_on_behalf(self) -> None:
        app = application(on_behalf_of=self.on_behalf())
        assert fields_of(app) == []
        assert app.waiting_for == ()

    def test_unknown_relationship(self) -> None:
        assert fields_of(application(on_behalf_of=self.on_behalf(relationship="landlord"))) == \
            ["on_behalf_of.relationship"]

    def test_consent_needs_a_method(self) -> None:
        assert fields_of(application(on_behalf_of=self.on_behalf(consent_method=None))) == \
            ["on_behalf_of.consent_method"]
        assert fields_of(application(on_behalf_of=self.on_behalf(consent_method="telepathy"))) == \
            ["on_behalf_of.consent_method"]

    def test_no_consent_yet_needs_no_method(self) -> None:
        app = application(on_behalf_of=self.on_behalf(victim_consent=False, consent_method=None,
                                                      consent_given_on=None))
        assert fields_of(app) == []
        assert app.waiting_for == ("the victim's consent to apply on their behalf",)

    def test_consent_given_in_the_future(self) -> None:
        app = application(on_behalf_of=self.on_behalf(consent_given_on=date(2026, 3, 12)))
        assert fields_of(app) == ["on_behalf_of.consent_given_on"]

    def test_anonymous_victim(self) -> None:
        victim = replace(self.VICTIM, last_name=None)
        assert fields_of(application(on_behalf_of=self.on_behalf(victim=victim))) == \
            ["on_behalf_of.victim.last_name"]


class TestWaitingFor:
    def test_consent_to_share_missing(self) -> None:
        assert application(consent_to_share=False).waiting_for == \
            ("consent to share details with the other agencies",)


class TestIncidents:
    def one(self, **changes: object) -> ApplicationData:
        return application(incidents=(replace(INCIDENT, **changes),))  # type: ignore[arg-type]

    def test_no_incidents(self) -> None:
        found = problems(application(incidents=()))
        assert found == {"incidents": "at least one incident is needed"}

    def test_reported_before_it_happened(self) -> None:
        found = problems(self.one(occurred_on=date(2026, 1, 12), reported_on=date(2026, 1, 10)))
        assert found == {"incidents[0].reported_on":
                         "reported (10/01/2026) before it happened (12/01/2026)"}

    def test_reported_the_same_day_is_fine(self) -> None:
        assert fields_of(self.one(occurred_on=date(2026, 1, 12), reported_on=date(2026, 1, 12))) == []

    def test_the_field_names_which_incident(self) -> None:
        bad = replace(INCIDENT, reported_on=date(2026, 1, 1))
        app = application(incidents=(INCIDENT, INCIDENT, bad))
        assert fields_of(app) == ["incidents[2].reported_on"]

    def test_missing_date_it_happened(self) -> None:
        assert fields_of(self.one(occurred_on=None)) == ["incidents[0].occurred_on"]

    def test_missing_date_reported(self) -> None:
        assert fields_of(self.one(reported_on=None)) == ["incidents[0].reported_on"]

    def test_happened_after_the_application(self) -> None:
        found = problems(self.one(occurred_on=date(2026, 3, 3), reported_on=date(2026, 3, 3)))
        assert found == {"incidents[0].occurred_on": "it happened after the application was received"}

    def test_no_organisation(self) -> None:
        assert fields_of(self.one(reported_to="  ")) == ["incidents[0].reported_to"]

    def test_approximate_range_is_accepted(self) -> None:
        app = self.one(occurred_on=None, occurred_from=date(2026, 1, 1), occurred_to=date(2026, 1, 31),
                       reported_on=date(2026, 2, 3))
        assert fields_of(app) == []

    def test_approximate_needs_both_ends(self) -> None:
        found = problems(self.one(occurred_on=None, occurred_from=date(2026, 1, 1)))
        assert found == {"incidents[0].occurred_approx": "an approximate date needs both 'from' and 'to'"}
        assert fields_of(self.one(occurred_on=None, occurred_to=date(2026, 1, 31))) == \
            ["incidents[0].occurred_approx"]

    def test_approximate_from_after_to(self) -> None:
        found = problems(self.one(occurred_on=None, occurred_from=date(2026, 1, 31),
                                  occurred_to=date(2026, 1, 1), reported_on=date(2026, 2, 3)))
        assert found == {"incidents[0].occurred_approx": "'from' is after 'to'"}

    def test_reported_before_an_approximate_range_began(self) -> None:
        app = self.one(occurred_on=None, occurred_from=date(2026, 1, 15), occurred_to=date(2026, 1, 31),
                       reported_on=date(2026, 1, 12))
        assert fields_of(app) == ["incidents[0].reported_on"]

    def test_every_problem_is_listed(self) -> None:
        app = application(received_at=datetime(2026, 4, 1, 9, 0),
                          applicant=replace(APPLICANT, last_name=None, preferred_contact="fax"),
                          incidents=(replace(INCIDENT, reported_on=date(2026, 1, 1), reported_to=""),))
        assert sorted(fields_of(app)) == sorted([
            "received_at", "applicant.last_name", "applicant.preferred_contact",
            "incidents[0].reported_on", "incidents[0].reported_to"])


@pytest.mark.parametrize(("channel", "label"), [
    (Channel.TELEPHONE, "Telephone"), (Channel.POST, "Post"), (Channel.ONLINE, "Online form"),
    (Channel.EMAIL, "Email"), (Channel.IN_PERSON, "In person")])
def test_channel_labels(channel: Channel, label: str) -> None:
    assert channel.label == label


def test_channel_values_match_the_format() -> None:
    assert [c.value for c in Channel] == ["telephone", "post", "online", "email", "in_person"]
