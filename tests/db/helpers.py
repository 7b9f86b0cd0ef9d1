"""Small builders for database tests."""
from __future__ import annotations

from datetime import date, datetime

from app.domain.application import ApplicationData, Channel, IncidentData, OnBehalfData, PersonData

APPLICANT = PersonData(title="Ms", first_name="Asha", last_name="Patel",
                       address_lines=("12 Example Road", "Royal Tunbridge Wells"), postcode="TN1 1AA",
                       phone="01892 000000", preferred_contact="letter")


def incidents(*pairs: tuple[str, str], to: str = "Kent Police") -> tuple[IncidentData, ...]:
    return tuple(IncidentData(occurred_on=date.fromisoformat(a), reported_on=date.fromisoformat(b),
                              reported_to=to, description="Loud music") for a, b in pairs)


THREE = incidents(("2026-09-01", "2026-09-02"), ("2026-09-10", "2026-09-11"), ("2026-10-01", "2026-10-03"))


def application(received: str = "2026-11-02", *, consent: bool = True, on_behalf: bool = False,
                victim_consent: bool = True, source: str | None = None, items=THREE,
                applicant: PersonData = APPLICANT) -> ApplicationData:
    ob = None
    if on_behalf:
        ob = OnBehalfData(victim=PersonData(first_name="Lee", last_name="Reed"), relationship="carer",
                          victim_consent=victim_consent, consent_method="verbal" if victim_consent else None,
                          consent_given_on=date(2026, 11, 1) if victim_consent else None)
    return ApplicationData(channel=Channel.TELEPHONE, received_at=datetime.fromisoformat(received + "T10:00"),
                           applicant=applicant, incidents=items, source_reference=source,
                           on_behalf_of=ob, consent_to_share=consent, asb_types=("noise",),
                           problem_location="Example Road")


# The aliases the directory tests were written with; the shipped directory has none (see agencies.py).
TEST_ALIASES = {"Kent Police": ("Police", "Kent Constabulary"),
                "Tunbridge Wells Borough Council": ("TWBC", "Borough Council", "The council"),
                "Town and Country Housing": ("TCH",), "Clarion Housing": ("Clarion",),
                "NHS Kent and Medway": ("NHS", "Kent and Medway ICB"), "Kent County Council": ("KCC",),
                "Kent Fire and Rescue Service": ("KFRS",)}


def add_test_aliases(ctx) -> None:
    from app.db.models import Agency, AgencyAlias
    with ctx.unit_of_work() as session:
        for agency in session.query(Agency).all():
            have = {a.alias for a in agency.aliases}
            for alias in TEST_ALIASES.get(agency.name, ()):
                if alias not in have:
                    session.add(AgencyAlias(agency_id=agency.id, alias=alias))


def assessment(note: str = "Recorded for the test"):
    """A complete structured assessment, as every threshold decision records."""
    from app.domain.assessment import FACTORS, Assessment
    return Assessment.of({f.key: (f.ratings[0][0], note) for f in FACTORS})


ASSESSMENT = assessment()
