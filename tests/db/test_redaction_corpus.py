"""Subject access redaction by every form a person's data takes: a corpus of the ways an officer or an
applicant writes a name, a phone number, an email, a postcode or an address in free text."""
from __future__ import annotations

import dataclasses
import io
import json
import re

import pypdf
import pytest
from sqlalchemy import select

from app.db.models import Case, Note, Perpetrator
from app.domain.application import IncidentData, PerpetratorData, PersonData
from app.services.intake.applications import create_application
from app.services.trust.subject_access import PERPETRATOR, PERSON, REDACTED, export_person, render_pdf
from tests.db.helpers import application

VICTIM = PersonData(title="Mrs", first_name="Zoë", last_name="Hartley-Mensah", organisation=None,
                    address_lines=("12 Example Road", "Royal Tunbridge Wells"), postcode="TN1 1AA",
                    phone="07700 900123", email="zoe.hartley@example.org", preferred_contact="letter")
PERPETRATOR_DATA = PerpetratorData(name="Dean Walsh", address="14 Example Road\nRoyal Tunbridge Wells TN1 1AB")

# Each line is how the victim's details might be written in an incident, a note or an impact statement.
VICTIM_VARIANTS = [
    "Zoë Hartley-Mensah", "Zoe Hartley-Mensah", "zoë hartley-mensah", "ZOË HARTLEY-MENSAH", "Hartley-Mensah",
    "Hartley", "Mensah", "Zoë", "Zoe", "Mrs Hartley-Mensah", "Mrs. Z. Hartley", "Hartley-Mensah's", "Zoë's",
    "07700 900123", "07700900123", "0770 0900 123", "+44 7700 900123", "+447700900123", "0044 7700 900123",
    "+44 (0)7700 900123", "07700-900-123", "(07700) 900123", "077 00 90 01 23",
    "zoe.hartley@example.org", "ZOE.HARTLEY@EXAMPLE.ORG",
    "TN1 1AA", "tn1 1aa", "TN11AA", "tn11aa", "TN1  1AA",
    "12 Example Road", "12, Example Road", "12 Example Rd", "12 example road", "12 EXAMPLE ROAD",
]
PERPETRATOR_VARIANTS = ["Dean Walsh", "dean walsh", "Walsh", "Dean", "Mr Walsh", "14 Example Road", "14 Example Rd",
                        "TN1 1AB", "tn11ab"]


def _digits(text: str) -> str:
    return "".join(ch for ch in text if ch.isdigit())


@pytest.fixture
def case(ctx) -> dict[str, int]:
    lines = [f"On the night {v} was shouted at." for v in VICTIM_VARIANTS]
    items = tuple(IncidentData(occurred_on=application().incidents[n % 3].occurred_on,
                               reported_on=application().incidents[n % 3].reported_on, reported_to="Kent Police",
                               description=line, location="Outside 12 Example Road")
                  for n, line in enumerate(lines))
    data = dataclasses.replace(application(applicant=VICTIM, items=items), alleged_perpetrators=(PERPETRATOR_DATA,),
                               impact="Zoë cannot sleep; call her on 07700900123 or +44 7700 900 123.",
                               problem_location="Example Road, outside numbers 10 to 16")
    created = create_application(ctx, data)
    with ctx.unit_of_work() as s:
        s.add(Note(case_id=created.id, text=" / ".join(f"{v} called" for v in PERPETRATOR_VARIANTS + VICTIM_VARIANTS),
                   created_by="officer.one"))
        return {"case": created.id, "victim": s.get(Case, created.id).applicant_id,
                "perp": s.scalar(select(Perpetrator.id).where(Perpetrator.name == "Dean Walsh"))}


def _texts(bundle) -> list[str]:
    pdf = pypdf.PdfReader(io.BytesIO(render_pdf(bundle)))
    return [json.dumps(bundle.data, ensure_ascii=False),
            " ".join(" ".join((page.extract_text() or "").split()) for page in pdf.pages)]


def test_the_alleged_perpetrators_export_holds_no_form_of_the_victims_details(ctx, case):
    bundle = export_person(ctx, PERPETRATOR, case["perp"], "SAR received 20/11/2026")
    for text in _texts(bundle):
        folded = text.casefold()
        left = [v for v in VICTIM_VARIANTS if v.casefold() in folded and not v.casefold().startswith("12 example")]
        assert left == []
        assert "7700900123" not in _digits(text)
        assert not re.search(r"\b12[ ,]+example", folded)  # the victim's house, in any spelling
        assert "Dean Walsh" in text or "dean walsh" in folded  # the subject's own name stays
    [out] = bundle.data["cases"]
    assert out["incidents"][0]["description"] == f"On the night {REDACTED} was shouted at."
    assert out["incidents"][0]["location"] == f"Outside {REDACTED}"


def test_the_victims_export_keeps_her_details_and_holds_no_form_of_the_perpetrators(ctx, case):
    bundle = export_person(ctx, PERSON, case["victim"], "SAR received 20/11/2026")
    for text in _texts(bundle):
        folded = text.casefold()
        assert [v for v in PERPETRATOR_VARIANTS if v.casefold() in folded] == []
        assert "hartley-mensah" in folded and "07700 900123" in text  # her own, as held


@pytest.mark.parametrize("written, expected", [
    ("Ring Zoe on 07700 900 123 today", f"Ring {REDACTED} on {REDACTED} today"),
    ("Zoë (tel +44 7700 900123) and her son", f"{REDACTED} (tel {REDACTED}) and her son"),
    ("Post to 12, Example Road, TN1 1AA please", f"Post to {REDACTED}, {REDACTED} please"),
    ("hartley-mensah@work.example was not used", "hartley-mensah@work.example was not used".replace(
        "hartley-mensah", REDACTED)),
    ("The Hartleys' garden", "The Hartleys' garden"),  # another word, not her name: left for the officer
    # Her street is his street too (neighbours): the subject's own, so it stays, and the README says so.
    ("a long time ago on Example Road", "a long time ago on Example Road"),
])
def test_free_text_examples(ctx, case, written, expected):
    with ctx.unit_of_work() as s:
        s.add(Note(case_id=case["case"], text=written, created_by="officer.one"))
    bundle = export_person(ctx, PERPETRATOR, case["perp"], "SAR")
    notes = [n["text"] for n in bundle.data["cases"][0]["notes"]]
    assert expected in notes
