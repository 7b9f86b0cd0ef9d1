"""The repeat check on an application made on someone's behalf: the victim's own earlier cases are found
by the victim's details, not only the applicant's (a carer applying now for someone who applied before)."""
from __future__ import annotations

from dataclasses import replace

import pytest

from app.domain.application import PersonData
from app.services.intake.applications import create_application
from app.services.intake.support import RepeatQuery, find_possible_repeats
from tests.db.helpers import application

LEE = PersonData(title="Mx", first_name="Lee", last_name="Reed", address_lines=("4 Hill Street", "Southborough"),
                 postcode="TN4 0AB", phone="01892 111222")
# Who applies now: a carer whose own details match no earlier case.
CARER = {"surname": "Carver", "postcode": "TN2 5XY", "phone": "07700 900123", "address": "9 Other Road\nPembury"}


@pytest.fixture
def earlier(ctx) -> dict[str, str]:
    """Lee applied for themselves; someone else applied once on Lee's behalf; and an unrelated case."""
    own = create_application(ctx, application("2026-11-02", applicant=LEE, source="own"))
    for_lee = application("2026-11-03", on_behalf=True, source="for-lee",
                          applicant=PersonData(first_name="Pat", last_name="Okoro", postcode="TN3 9PQ"))
    assert for_lee.on_behalf_of is not None
    for_lee = replace(for_lee, on_behalf_of=replace(for_lee.on_behalf_of, victim=LEE))
    behalf = create_application(ctx, for_lee)
    create_application(ctx, application("2026-11-04", source="other"))  # Ms Asha Patel, TN1 1AA
    return {"own": own.reference, "for lee": behalf.reference}


def _found(ctx, victim: RepeatQuery | None) -> dict[str, str]:
    return {r.reference: r.matched_on for r in find_possible_repeats(ctx, **CARER, victim=victim)}


def test_the_applicants_details_alone_find_nothing(ctx, earlier):
    assert _found(ctx, None) == {}


def test_the_victims_phone_finds_their_earlier_cases(ctx, earlier):
    found = _found(ctx, RepeatQuery(phone="01892 111222"))
    assert found == {earlier["own"]: "victim's same phone", earlier["for lee"]: "victim's same phone"}


def test_the_victims_address_finds_their_earlier_cases(ctx, earlier):
    found = _found(ctx, RepeatQuery(address="4 Hill Street\nSouthborough"))
    assert found == {earlier["own"]: "victim's same address", earlier["for lee"]: "victim's same address"}


def test_the_victims_surname_in_the_same_postcode_district_finds_their_earlier_cases(ctx, earlier):
    found = _found(ctx, RepeatQuery(surname="Reed", postcode="TN4 7QQ"))  # moved within the district
    assert found == {earlier["own"]: "victim's same surname", earlier["for lee"]: "victim's same surname"}
    assert _found(ctx, RepeatQuery(surname="Reed", postcode="TN9 7QQ")) == {}  # another district: not a guess


def test_everything_that_matched_is_said(ctx, earlier):
    found = _found(ctx, RepeatQuery(surname="Reed", postcode="TN4 0AB", phone="01892111222",
                                    address="4 hill street"))
    assert found[earlier["own"]] == "victim's same postcode, victim's same phone, victim's same surname, " \
                                    "victim's same address"
