"""Cases for the letter tests: an ordinary one (the victim applied) and a third-party one (a councillor
applied for the victim), with the council's details, the officer and the agencies' addresses set."""
from __future__ import annotations

import io
from datetime import date, datetime, timedelta

import pypdf
from sqlalchemy import select

from app.db.models import (Agency, AgencyRequest, Case, CaseReview, Finding, PanelAttendee, PanelMeeting,
                           Recommendation, SecondaryReview, User)
from app.domain.application import (ApplicationData, Channel, IncidentData, OnBehalfData, PerpetratorData,
                                    PersonData)
from app.services.admin.settings import save_council_details
from app.services.agencies.directory import set_agency_details
from app.services.cases import steps as wf
from app.services.cases.tenure import record_tenure
from app.services.intake.applications import create_application
from tests.db.helpers import send_letter

OFFICER = dict(login="officer.one", display_name="Jane Smith", email="jane.smith@tunbridgewells.gov.uk",
               phone="01892 554000", job_title="Community Safety Officer")
COUNCIL = {"name": "Tunbridge Wells Borough Council", "unit": "Community Safety Unit",
           "address_lines": "Town Hall\nCivic Way\nRoyal Tunbridge Wells", "postcode": "TN1 1RS",
           "phone": "01892 526121", "email": "community.safety@tunbridgewells.gov.uk",
           "website": "www.tunbridgewells.gov.uk"}
# Made-up addresses for the tests (the shipped directory has none).
AGENCY_ADDRESSES = {
    "Kent Police": (["Tunbridge Wells Police Station", "Crescent Road", "Royal Tunbridge Wells"], "TN1 2LU",
                    "Inspector Pat Lee", "Community Safety Inspector"),
    "Clarion Housing": (["Clarion House", "2 Harbour Exchange Square", "London"], "E14 9GE",
                        "Ruth Evans", "ASB Case Manager"),
    "Town and Country Housing": (["Monson House", "Monson Way", "Royal Tunbridge Wells"], "TN1 1LQ",
                                 "Sam Hale", "Neighbourhood Officer"),
    "Tunbridge Wells Borough Council": (["Town Hall", "Civic Way", "Royal Tunbridge Wells"], "TN1 1RS",
                                        "Dev Shah", "Environmental Protection Manager"),
    "NHS Kent and Medway": (["Kent and Medway ICB", "Gillingham Business Park", "Gillingham"], "ME8 0NZ",
                            "Dr Amir Khan", "Safeguarding Lead"),
    "Kent Fire and Rescue Service": (["The Godlands", "Straw Mill Hill", "Maidstone"], "ME15 6XB",
                                     "Chris Dunn", "Community Safety Manager"),
}

APPLICANT = PersonData(title="Ms", first_name="Asha", last_name="Patel",
                       address_lines=("12 Example Road", "Royal Tunbridge Wells"), postcode="TN1 1AA",
                       phone="01892 000000", email="asha.patel@example.org", preferred_contact="letter")
COUNCILLOR = PersonData(title="Cllr", first_name="Joan", last_name="Hartley",
                        address_lines=("Members' Room, Town Hall", "Civic Way", "Royal Tunbridge Wells"),
                        postcode="TN1 1RS", phone="07700 900123", email="cllr.hartley@example.org",
                        preferred_contact="email")
VICTIM = PersonData(title="Mr", first_name="Tom", last_name="Marchbank",
                    address_lines=("Flat 3, 10 Sandrock Road", "Royal Tunbridge Wells"), postcode="TN2 3PR",
                    phone="01892 111222")
PERPETRATOR = PerpetratorData(name="Kyle Norris", address="Flat 4, 10 Sandrock Road")
# Words of the applicant's contact details that an agency letter must never carry in a third-party case.
COUNCILLOR_DETAILS = ("Members' Room", "07700 900123", "cllr.hartley@example.org")
APPLICANT_DETAILS = ("01892 000000", "asha.patel@example.org")


def text_of(pdf: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    return " ".join(" ".join((page.extract_text() or "").replace("\u00a0", " ").split()) for page in reader.pages)


def pages_of(pdf: bytes) -> list[str]:
    return [page.extract_text() or "" for page in pypdf.PdfReader(io.BytesIO(pdf)).pages]


def day(text: str) -> date:
    return date.fromisoformat(text)


def ready(ctx) -> None:
    """The council's real details, the officer's name and job title, and the agencies' addresses."""
    save_council_details(ctx, dict(COUNCIL))
    with ctx.unit_of_work() as s:
        user = s.scalar(select(User).where(User.login == OFFICER["login"]))
        if user is None:
            user = User(login=OFFICER["login"], role="officer")
            s.add(user)
        user.display_name, user.email, user.phone = OFFICER["display_name"], OFFICER["email"], OFFICER["phone"]
        user.job_title = OFFICER["job_title"]
    for name, (lines, postcode, contact, role) in AGENCY_ADDRESSES.items():
        set_agency_details(ctx, name, address_lines=lines, postcode=postcode, contact=contact, contact_role=role)


def incidents_before(received: date) -> tuple[IncidentData, ...]:
    """Three that count (police, police, a housing association), one reported too late; typed out of
    date order (letters list them in date order)."""
    def item(back: int, delay: int, to: str, ref: str | None, what: str) -> IncidentData:
        happened = received - timedelta(days=back)
        return IncidentData(occurred_on=happened, reported_on=happened + timedelta(days=delay), reported_to=to,
                            agency_reference=ref, description=what)
    return (item(30, 1, "Kent Police", "KP/2026/1422", "Shouting and banging on the door"),
            item(50, 1, "Kent Police", "KP/2026/1101", "Loud music until 3am"),
            item(12, 2, "Clarion Housing", "CH-55102", "Rubbish dumped in the shared hallway"),
            item(120, 45, "Kent Police", None, "Car alarm left sounding"))


def new_case(ctx, received: str = "2026-11-23", *, third_party: bool = False, consent: bool = True,
             victim_consent: bool = True, applicant: PersonData = APPLICANT,
             items: tuple[IncidentData, ...] | None = None, tenure: str | None = None,
             landlord: str | None = None):
    ready(ctx)
    on_behalf = None
    if third_party:
        applicant = COUNCILLOR
        on_behalf = OnBehalfData(victim=VICTIM, relationship="councillor", victim_consent=victim_consent,
                                 consent_method="verbal" if victim_consent else None,
                                 consent_given_on=day(received) if victim_consent else None)
    data = ApplicationData(channel=Channel.TELEPHONE, received_at=datetime.fromisoformat(received + "T10:00"),
                           applicant=applicant, on_behalf_of=on_behalf, consent_to_share=consent,
                           incidents=items if items is not None else incidents_before(day(received)),
                           asb_types=("noise", "rubbish"), problem_location="Sandrock Road, outside number 10",
                           alleged_perpetrators=(PERPETRATOR,), impact="Cannot sleep.",
                           vulnerability="Lives alone; recent surgery.", desired_outcome="The noise to stop.",
                           victim_tenure=tenure, victim_landlord=landlord)
    return create_application(ctx, data)


def acknowledged(ctx, received: str = "2026-11-23", **kw):
    case = new_case(ctx, received, **kw)
    step = send_letter(ctx, case.id, "acknowledgement", day(received), "post", version=case.version)
    return case, step


def decided(ctx, *, met: bool, received: str = "2026-11-09", decided_on: str = "2026-11-20", **kw) -> int:
    items = incidents_before(day(received))
    if not met:  # the second police report came 40 days late: two incidents count, not three
        late = items[0]
        items = (IncidentData(occurred_on=late.occurred_on - timedelta(days=40), reported_on=late.reported_on,
                              reported_to=late.reported_to, agency_reference=late.agency_reference,
                              description=late.description), *items[1:])
    case = new_case(ctx, received, items=items, **kw)
    step = send_letter(ctx, case.id, "acknowledgement", day(received), "post", version=case.version)
    step = wf.start_threshold_check(ctx, case.id, step.version)
    if met:
        wf.decide_threshold(ctx, case.id, step.version, met=True, decided_on=day(decided_on))
    else:
        wf.decide_threshold(ctx, case.id, step.version, met=False, decided_on=day(decided_on),
                            action_instead="Clarion Housing will visit the neighbour within 10 working days, "
                                           "and the police will add the street to their patrols.")
    return case.id


def agency_id(ctx, name: str) -> int:
    with ctx.unit_of_work() as s:
        return s.scalar(select(Agency.id).where(Agency.name == name))


def add_panel(ctx, case_id: int, *, starts_at: datetime, held: bool, other_case: int | None = None) -> int:
    """A panel meeting with this case on its agenda; when held, its findings and recommendations.

    The members: the chair, an independent member, the police, Clarion and the council, and a Town and
    Country Housing officer who attends only for `other_case` (or declared a conflict in this case).
    """
    with ctx.unit_of_work() as s:
        ids = {a.name: a.id for a in s.scalars(select(Agency))}
        meeting = PanelMeeting(starts_at=starts_at, place="Committee Room 2, Town Hall, Royal Tunbridge Wells",
                               chair="Sam Okoro", state="held" if held else "planned",
                               held_on=starts_at.date() if held else None, updated_by="test")
        s.add(meeting)
        s.flush()
        for name, agency, role in (("Sam Okoro", None, "chair"), ("Inspector Pat Lee", "Kent Police", "agency representative"),
                                   ("Ruth Evans", "Clarion Housing", "agency representative"),
                                   ("Dev Shah", "Tunbridge Wells Borough Council", "agency representative"),
                                   ("Alex Moore", None, "independent member")):
            s.add(PanelAttendee(meeting_id=meeting.id, name=name, agency_id=ids.get(agency or ""), role=role,
                                attendance="attended" if held else "invited"))
        s.add(PanelAttendee(meeting_id=meeting.id, name="Sam Hale", agency_id=ids["Town and Country Housing"],
                            role="agency representative", attendance="attended" if held else "invited",
                            for_case_id=other_case, conflict_case_id=None if other_case else case_id))
        review = CaseReview(meeting_id=meeting.id, case_id=case_id, victim_invited=True, updated_by="test",
                            impact_statement="We cannot sleep." if held else None,
                            information_considered=("The incident logs from Kent Police and Clarion Housing, "
                                                    "the council's noise records and the impact statement.")
                            if held else None, completes_review=held)
        s.add(review)
        s.flush()
        case = s.get(Case, case_id)
        case.status = "reviewed" if held else "panel_scheduled"
        if held:
            case.panel_completed_on = starts_at.date()
            s.add_all([Finding(review_id=review.id, text="The police and the housing association did not "
                               "share what they knew about the same address", key_finding=True),
                       Finding(review_id=review.id, text="No one agency took the lead")])
            s.add_all([Recommendation(case_id=case_id, review_id=review.id, agency_id=ids["Clarion Housing"],
                                      action="Install a door entry system at the block",
                                      rationale="The hallway is open to anyone.", due_on=date(2027, 1, 29),
                                      updated_by="test"),
                       Recommendation(case_id=case_id, review_id=review.id, agency_id=ids["Kent Police"],
                                      action="Name a single point of contact for the victim",
                                      rationale="Reports were handled by different officers each time.",
                                      due_on=date(2026, 12, 18), updated_by="test")])
        return meeting.id


def add_secondary(ctx, case_id: int, *, outcome: str | None, with_recommendation: bool = False) -> None:
    with ctx.unit_of_work() as s:
        review = SecondaryReview(case_id=case_id, requested_on=date(2026, 11, 16), requested_by="the applicant",
                                 grounds="The agencies had not acted on the panel's recommendations.",
                                 reviewer="Morgan Price, Head of Community Services", due_on=date(2026, 12, 14),
                                 outcome=outcome, completed_on=date(2026, 11, 24) if outcome else None,
                                 outcome_reasons=("The recommendations were sound but two were late. We have "
                                                  "asked both agencies for a date.") if outcome else None,
                                 updated_by="test")
        s.add(review)
        s.flush()
        if with_recommendation:
            s.add(Recommendation(case_id=case_id, secondary_review_id=review.id,
                                 agency_id=s.scalar(select(Agency.id).where(Agency.name == "Tunbridge Wells Borough Council")),
                                 action="Write to the victim every two weeks until the door entry system is in",
                                 rationale="The victim was not kept informed.", due_on=date(2027, 2, 26),
                                 updated_by="test"))


def reviewed_case(ctx, **kw) -> int:
    case_id = decided(ctx, met=True, received="2026-09-14", decided_on="2026-09-25", **kw)
    add_panel(ctx, case_id, starts_at=datetime(2026, 11, 12, 10, 0), held=True)
    with ctx.unit_of_work() as s:
        case = s.get(Case, case_id)
        version = case.version
        third = case.victim_id is not None
    if third:
        wf.record_disclosure_consent(ctx, case_id, version, given=True, on=date(2026, 11, 20))
    with ctx.unit_of_work() as s:
        version = s.get(Case, case_id).version
    record_tenure(ctx, case_id, version, tenure="registered_provider", landlord_id=agency_id(ctx, "Clarion Housing"))
    return case_id


def open_request(ctx, case_id: int, agency: str, *, kind: str = "information", sent: str = "2026-11-06",
                 due: str = "2026-11-20") -> int:
    with ctx.unit_of_work() as s:
        request = AgencyRequest(case_id=case_id, agency_id=s.scalar(select(Agency.id).where(Agency.name == agency)),
                                kind=kind, sent_on=day(sent), due_on=day(due), created_by="test")
        s.add(request)
        s.flush()
        return request.id
