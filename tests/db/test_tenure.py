"""The victim's tenure, recorded at intake or on the case page, never guessed."""
from __future__ import annotations

from datetime import datetime

import pytest

from app.services.cases.case_page import load_case
from app.services.cases.tenure import record_tenure, tenure_words
from app.services.common.errors import ValidationFailed
from app.services.intake.form_input import application_from_form
from tests.db.letter_cases import agency_id, new_case


def test_tenure_is_recorded_at_intake_with_the_provider_from_the_directory(ctx):
    case = new_case(ctx, tenure="registered_provider", landlord="clarion housing")
    detail = load_case(ctx, case.id)
    assert (detail.victim_tenure, detail.victim_landlord) == ("registered_provider", "Clarion Housing")
    # Kent Police is no landlord: the tenure is kept, the provider is not guessed.
    other = load_case(ctx, new_case(ctx, tenure="registered_provider", landlord="Kent Police").id)
    assert (other.victim_tenure, other.victim_landlord_id) == ("registered_provider", None)
    assert load_case(ctx, new_case(ctx).id).victim_tenure is None


def test_the_form_asks_which_provider_and_the_case_page_corrects_it(ctx):
    payload = {"received_at": "20/11/2026", "channel": "telephone", "applicant.last_name": "Patel",
               "consent_to_share": "yes", "victim_tenure": "registered_provider",
               "incidents": [{"happened": "01/11/2026", "reported_on": "02/11/2026", "reported_to": "Kent Police"}]}
    refused = application_from_form(payload, datetime(2026, 11, 25, 12))
    assert [p.field for p in refused.problems] == ["victim_landlord"]
    payload["victim_landlord"] = "Town and Country Housing"
    data = application_from_form(payload, datetime(2026, 11, 25, 12)).data
    assert data is not None and (data.victim_tenure, data.victim_landlord) == ("registered_provider",
                                                                               "Town and Country Housing")
    case = new_case(ctx)
    with pytest.raises(ValidationFailed, match="choose the registered provider"):
        record_tenure(ctx, case.id, case.version, tenure="registered_provider", landlord_id=agency_id(ctx, "Kent Police"))
    saved = record_tenure(ctx, case.id, case.version, tenure="registered_provider",
                          landlord_id=agency_id(ctx, "Town and Country Housing"))
    assert saved.changes.touches_case(case.id)
    detail = load_case(ctx, case.id)
    assert tenure_words(detail.victim_tenure, detail.victim_landlord) == \
        "Rents from a registered provider (social housing): Town and Country Housing"
    record_tenure(ctx, case.id, saved.version, tenure="owner", landlord_id=agency_id(ctx, "Clarion Housing"))
    assert load_case(ctx, case.id).victim_landlord_id is None  # an owner has no landlord
