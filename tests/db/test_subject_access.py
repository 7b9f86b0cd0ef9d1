"""Subject access: finding a person, exporting what is held about them, redacting everyone else."""
from __future__ import annotations

import dataclasses
import io
import json
from datetime import date

import pypdf
import pytest
from sqlalchemy import select

from app.db.models import AuditEntry, Case, Letter, Note, Perpetrator
from app.domain.application import OnBehalfData, PerpetratorData, PersonData
from app.services.common.errors import PermissionDenied, ValidationFailed
from app.services.intake.applications import create_application
from app.services.trust.subject_access import PERPETRATOR, PERSON, REDACTED, export_person, find_people, write_bundle
from tests.conftest import make_context
from tests.db.helpers import APPLICANT, application

DAVID = PersonData(title="Mr", first_name="David", last_name="Okoro", address_lines=("3 Sample Close", "Southborough"),
                   postcode="TN4 0ZZ", phone="01892 111111", email="david.okoro@example.org",
                   preferred_contact="letter")
LETTER = b"%PDF-1.4 the acknowledgement sent to Ms Asha Patel"
STRANGERS = ("Okoro", "Sample Close", "TN4 0ZZ", "01892 111111", "david.okoro@example.org", "Sam Jones",
             "14 Example Road", "Lee Reed", "Priya")


@pytest.fixture
def cases(ctx) -> dict[str, int]:
    return sar_cases(ctx)


def sar_cases(ctx) -> dict[str, int]:
    """Asha applies about Sam Jones (case A); David applies for Asha as the victim (case B)."""
    a = create_application(ctx, dataclasses.replace(application(), alleged_perpetrators=(
        PerpetratorData(name="Sam Jones", address="14 Example Road"),)))
    b = create_application(ctx, dataclasses.replace(application(), applicant=DAVID, on_behalf_of=OnBehalfData(
        victim=APPLICANT, relationship="family", victim_consent=True, consent_method="verbal",
        consent_given_on=date(2026, 11, 1))))
    other = create_application(ctx, application(applicant=PersonData(first_name="Priya", last_name="Shah")))
    with ctx.unit_of_work() as s:
        case_a, case_b = s.get(Case, a.id), s.get(Case, b.id)
        case_a.incidents[0].description = "Sam Jones played loud music at 14 Example Road"
        case_a.impact = "Asha cannot sleep"
        s.add(Note(case_id=b.id, text="David Okoro (01892 111111) says Asha is frightened of Sam Jones"))
        s.add(Letter(case_id=a.id, template="acknowledgement", recipient="Ms Asha Patel", pdf=LETTER,
                     produced_by="officer.one", sent_on=date(2026, 11, 3), sent_method="post"))
        s.add(Letter(case_id=b.id, template="acknowledgement", recipient="Mr David Okoro", pdf=b"%PDF David",
                     produced_by="officer.one"))
        return {"a": a.id, "b": b.id, "other": other.id, "asha_a": case_a.applicant_id,
                "asha_b": case_b.victim_id, "david": case_b.applicant_id,
                "sam": s.scalar(select(Perpetrator.id).where(Perpetrator.name == "Sam Jones"))}


def test_people_are_found_by_any_part_of_their_name_in_any_case(ctx, cases):
    found = find_people(ctx, "PATEL")
    assert [(m.kind, m.id, m.roles) for m in found] == [
        (PERSON, cases["asha_a"], ("applicant in CT-2026-0001",)),
        (PERSON, cases["asha_b"], ("victim in CT-2026-0002",))]
    assert [m.id for m in find_people(ctx, "asha pat")] == [cases["asha_a"], cases["asha_b"]]
    [sam] = find_people(ctx, "jones")
    assert (sam.kind, sam.name, sam.roles_text) == (PERPETRATOR, "Sam Jones", "alleged perpetrator in CT-2026-0001")
    assert find_people(ctx, "%") == [] and find_people(ctx, "a_b") == []  # wildcards are taken literally


def test_export_for_an_applicant_who_is_also_a_victim_redacts_everyone_else(ctx, cases, tmp_path):
    bundle = export_person(ctx, PERSON, cases["asha_a"], "SAR received 20/11/2026",
                           same_person_ids=[cases["asha_b"]])
    text = json.dumps(bundle.data)  # JSON-serialisable as it stands
    assert bundle.subject == "Ms Asha Patel"
    assert [(c["reference"], c["your_role"]) for c in bundle.data["cases"]] == [
        ("CT-2026-0001", "applicant"), ("CT-2026-0002", "victim")]
    assert "12 Example Road" in text and "Asha cannot sleep" in text
    for stranger in STRANGERS:
        assert stranger not in text, stranger
    case_a, case_b = bundle.data["cases"]
    assert case_a["other_people"] == [{"role": "alleged perpetrator", "name": REDACTED, "address": REDACTED,
                                       "phone": REDACTED, "email": REDACTED}]
    assert [p["role"] for p in case_b["other_people"]] == ["applicant"]
    assert case_a["incidents"][0]["description"] == f"{REDACTED} played loud music at {REDACTED}"
    assert case_b["notes"][0]["text"] == f"{REDACTED} ({REDACTED}) says Asha is frightened of {REDACTED}"
    assert [(l["template"], l["sent_on"]) for l in case_a["letters_to_you"]] == [("acknowledgement", "2026-11-03")]
    assert case_b["letters_to_you"] == []  # the letter to David is not Asha's

    written = write_bundle(bundle, tmp_path / "sar")
    assert [p.name for p in written] == ["subject-access.json", "subject-access.pdf",
                                         "letter-01-CT-2026-0001-acknowledgement.pdf"]
    assert json.loads(written[0].read_text(encoding="utf-8")) == bundle.data
    assert written[2].read_bytes() == LETTER
    pdf = pypdf.PdfReader(io.BytesIO(written[1].read_bytes()))
    words = " ".join(" ".join((page.extract_text() or "").split()) for page in pdf.pages)
    assert "Subject access request: Ms Asha Patel" in words and "Case CT-2026-0002" in words
    assert "Okoro" not in words and REDACTED in words

    with ctx.unit_of_work() as s:
        logged = s.execute(select(AuditEntry.action, AuditEntry.entity, AuditEntry.entity_id, AuditEntry.case_id,
                                  AuditEntry.reason).where(AuditEntry.action == "export")
                           .order_by(AuditEntry.id)).all()
    assert logged == [("export", PERSON, cases["asha_a"], cases["a"], "SAR received 20/11/2026"),
                      ("export", PERSON, cases["asha_b"], cases["b"], "SAR received 20/11/2026")]


def test_export_for_an_alleged_perpetrator(ctx, cases):
    bundle = export_person(ctx, PERPETRATOR, cases["sam"], "SAR from Mr Jones")
    text = json.dumps(bundle.data)
    [case] = bundle.data["cases"]
    assert (case["reference"], case["your_role"]) == ("CT-2026-0001", "alleged perpetrator")
    assert case["incidents"][0]["description"] == "Sam Jones played loud music at 14 Example Road"
    assert "impact" not in case and "Patel" not in text and "12 Example Road" not in text
    assert case["letters_to_you"] == [] and [p["role"] for p in case["other_people"]] == ["applicant"]


def test_export_needs_a_reason_and_a_known_kind(ctx, cases):
    with pytest.raises(ValidationFailed) as refused:
        export_person(ctx, "neighbour", cases["asha_a"], "  ")
    assert sorted(p.field for p in refused.value.problems) == ["kind", "reason"]
    with ctx.unit_of_work() as s:
        assert s.scalar(select(AuditEntry.id).where(AuditEntry.action == "export")) is None


def test_a_read_only_user_cannot_export(ctx, cases, sqlite_url):
    reader = make_context(sqlite_url, actor="viewer", role="read_only")
    with pytest.raises(PermissionDenied):
        export_person(reader, PERSON, cases["asha_a"], "curious")
    reader.engine.dispose()
