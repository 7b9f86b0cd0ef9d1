"""Letters through the services on SQLite: every template for a realistic case, produced, approved, sent."""
from __future__ import annotations

import io
from datetime import date, datetime, timedelta

import pypdf
import pytest
from sqlalchemy import select

from app.cli import main as cli_main
from app.db.models import (Agency, AuditEntry, Case, CaseReview, Finding, Letter, PanelAttendee,
                           PanelMeeting, Recommendation, SecondaryReview, User)
from app.domain.application import IncidentData, PersonData
from app.domain.clocks import Clock
from app.domain.dates import long_form
from app.identity import os_login
from app.letters import TEMPLATE_NAMES
from app.services.letters import case_letters as L
from app.services.cases import steps as wf
from app.services.cases.summaries import list_cases
from app.services.common.errors import PermissionDenied, ValidationFailed
from app.services.intake.applications import create_application
from app.services.intake.support import queue_letter
from tests.conftest import FIXED_TODAY, make_context
from tests.db.helpers import send_letter, APPLICANT, application

TODAY_LONG = "25 November 2026"  # FIXED_TODAY, as letters print it
OFFICER = dict(login="officer.one", display_name="Jane Smith", email="jane.smith@example.gov.uk",
               phone="01892 554000")


def text_of(pdf: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    return " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)


def add_officer(ctx, login: str = OFFICER["login"]) -> None:
    """Give the case officer's user entry a name, phone and email (the letters' named contact)."""
    with ctx.unit_of_work() as s:
        user = s.scalar(select(User).where(User.login == login))
        if user is None:
            user = User(login=login, role="officer")
            s.add(user)
        user.display_name, user.email, user.phone = OFFICER["display_name"], OFFICER["email"], OFFICER["phone"]


def day(text: str) -> date:
    return date.fromisoformat(text)


def incidents_before(received: date) -> tuple[IncidentData, ...]:
    """Three that count (police, police, a housing association), one reported too late."""
    def item(back: int, delay: int, to: str, ref: str | None, what: str) -> IncidentData:
        happened = received - timedelta(days=back)
        return IncidentData(occurred_on=happened, reported_on=happened + timedelta(days=delay), reported_to=to,
                            agency_reference=ref, description=what)
    return (item(50, 1, "Kent Police", "KP/2026/1101", "Loud music until 3am"),
            item(30, 1, "Kent Police", "KP/2026/1422", "Shouting and banging on the door"),
            item(12, 2, "Clarion Housing", "CH-55102", "Rubbish dumped in the shared hallway"),
            item(120, 45, "Kent Police", None, "Car alarm left sounding"))


def new_case(ctx, received: str = "2026-11-23", *, consent: bool = True, applicant: PersonData = APPLICANT,
             items: tuple[IncidentData, ...] | None = None):
    add_officer(ctx)
    items = items if items is not None else incidents_before(day(received))
    return create_application(ctx, application(received, consent=consent, items=items, applicant=applicant))


def acknowledged(ctx, received: str = "2026-11-23"):
    case = new_case(ctx, received)
    step = send_letter(ctx, case.id, "acknowledgement", day(received), "post", version=case.version)
    return case, step


def decided(ctx, *, met: bool, received: str = "2026-11-09", decided_on: str = "2026-11-20") -> int:
    items = incidents_before(day(received))
    if not met:  # the second police report came 40 days late: two incidents count, not three
        late = items[1]
        items = (items[0], IncidentData(occurred_on=late.occurred_on - timedelta(days=40),
                                        reported_on=late.reported_on, reported_to=late.reported_to,
                                        agency_reference=late.agency_reference,
                                        description=late.description), *items[2:])
    case = new_case(ctx, received, items=items)
    step = send_letter(ctx, case.id, "acknowledgement", day(received), "post", version=case.version)
    step = wf.start_threshold_check(ctx, case.id, step.version)
    if met:
        wf.decide_threshold(ctx, case.id, step.version, met=True, decided_on=day(decided_on))
    else:
        wf.decide_threshold(ctx, case.id, step.version, met=False, decided_on=day(decided_on),
                            action_instead="Clarion Housing will visit your neighbour within 10 working days, "
                                           "and the police will add your street to their patrols.")
    return case.id


def add_panel(ctx, case_id: int, *, starts_at: datetime, held: bool) -> int:
    """A panel meeting with this case on its agenda; when held, its findings and recommendations."""
    with ctx.unit_of_work() as s:
        ids = {a.name: a.id for a in s.scalars(select(Agency))}
        meeting = PanelMeeting(starts_at=starts_at, place="Committee Room 2, Town Hall, Royal Tunbridge Wells",
                               chair="Sam Okoro", state="held" if held else "planned",
                               held_on=starts_at.date() if held else None, updated_by="test")
        s.add(meeting)
        s.flush()
        for name, agency, role in (("Sam Okoro", None, "chair"), ("Pat Lee", "Kent Police", "agency representative"),
                                   ("Ruth Evans", "Clarion Housing", "agency representative"),
                                   ("Dev Shah", "Tunbridge Wells Borough Council", "agency representative")):
            s.add(PanelAttendee(meeting_id=meeting.id, name=name, agency_id=ids.get(agency or ""), role=role,
                                attendance="attended" if held else "invited"))
        review = CaseReview(meeting_id=meeting.id, case_id=case_id, victim_invited=True, updated_by="test",
                            impact_statement="We cannot sleep." if held else None,
                            information_considered=("The incident logs from Kent Police and Clarion Housing, "
                                                    "the council's noise records and your impact statement.")
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
                                      action="Name a single point of contact for the applicant",
                                      rationale="Reports were handled by different officers each time.",
                                      due_on=date(2026, 12, 18), updated_by="test")])
        return meeting.id


def add_secondary(ctx, case_id: int, *, outcome: str | None) -> None:
    with ctx.unit_of_work() as s:
        s.add(SecondaryReview(case_id=case_id, requested_on=date(2026, 11, 16), requested_by="Ms Asha Patel",
                              grounds="You said the agencies had not acted on the panel's recommendations.",
                              reviewer="Morgan Price, Head of Community Services", due_on=date(2026, 12, 14),
                              outcome=outcome, completed_on=date(2026, 11, 24) if outcome else None,
                              outcome_reasons=("The recommendations were sound but two were late. We have "
                                               "asked both agencies for a date.") if outcome else None,
                              updated_by="test"))


def reviewed_case(ctx) -> int:
    case_id = decided(ctx, met=True, received="2026-09-14", decided_on="2026-09-25")
    add_panel(ctx, case_id, starts_at=datetime(2026, 11, 12, 10, 0), held=True)
    return case_id


def agency_id(ctx, name: str) -> int:
    with ctx.unit_of_work() as s:
        return s.scalar(select(Agency.id).where(Agency.name == name))


# Each template: how to build a case it fits, the produce arguments, and what the letter must say.
def _build(ctx, template: str) -> tuple[int, dict, list[str]]:
    police = lambda: agency_id(ctx, "Kent Police")  # noqa: E731
    if template == "cannot-proceed":
        case = new_case(ctx, consent=False)
        return case.id, {}, ["23 November 2026", "share your details"]
    if template == "not-accepted":
        case = new_case(ctx)
        wf.not_accept(ctx, case.id, case.version, reason_code="outside_area", details="the address is in Sevenoaks")
        return case.id, {}, ["outside the area", "The address is in Sevenoaks.", "secondary review", "23 December 2026"]
    if template == "withdrawal":
        case = new_case(ctx)
        wf.withdraw(ctx, case.id, case.version, withdrawn_on=date(2026, 11, 24))
        return case.id, {}, ["24 November 2026", "apply again"]
    if template == "acknowledgement":
        case = new_case(ctx)
        return case.id, {}, ["23 November 2026 by telephone", "Jane Smith", "7 December 2026", "999", "101",
                             "reported to Kent Police on"]
    if template == "threshold-met":
        return decided(ctx, met=True), {}, ["threshold for a case review is met", "20 November 2026",
                                            "18 December 2026", "impact statement"]
    if template == "threshold-not-met":
        return decided(ctx, met=False), {}, ["is not met", "We counted 2 of the 4 incidents", "this counts",
                                             "this does not count: reported 41 days after it happened",
                                             "Clarion Housing will visit", "23 December 2026", "apply again"]
    if template == "incident-confirmation-request":
        case, _ = acknowledged(ctx)
        return case.id, {"agency_id": police()}, ["KP/2026/1101", "OFFICIAL-SENSITIVE", "9 December 2026"]
    if template == "information-request":
        return decided(ctx, met=True), {"agency_id": police()}, ["Schedule 4", "OFFICIAL-SENSITIVE",
                                                                  "9 December 2026", "current risk"]
    if template == "agency-reminder":
        case_id = decided(ctx, met=True)
        from app.db.models import AgencyRequest
        with ctx.unit_of_work() as s:
            s.add(AgencyRequest(case_id=case_id, agency_id=police(), kind="information", sent_on=date(2026, 11, 6),
                                due_on=date(2026, 11, 20), created_by="test"))
        return case_id, {"agency_id": police()}, ["6 November 2026", "20 November 2026", "2 December 2026"]
    if template in ("panel-member-invitation", "panel-invitation"):
        case_id = decided(ctx, met=True)
        add_panel(ctx, case_id, starts_at=datetime(2026, 12, 10, 14, 30), held=False)
        args = {"recipient": "Pat Lee"} if template == "panel-member-invitation" else {}
        return case_id, args, ["10 December 2026", "2:30pm", "Committee Room 2", "7 December 2026"]
    if template == "findings":
        return reviewed_case(ctx), {}, ["12 November 2026", "Install a door entry system at the block",
                                        "29 January 2027", "Name a single point of contact", "18 December 2026",
                                        "Local Government and Social Care Ombudsman", "Independent Office for "
                                        "Police Conduct", "Housing Ombudsman"]
    if template == "delay":
        return decided(ctx, met=True), {"extra_text": {"delay_reason": "Kent Police have not yet sent their records.",
                                                       "new_date": "15/01/2027"}}, \
            ["15 January 2027", "have not yet sent their records", "25 working days"]
    if template == "recommendation-notice":
        case_id = reviewed_case(ctx)
        return case_id, {"agency_id": agency_id(ctx, "Clarion Housing")}, [
            "Install a door entry system", "29 January 2027", "have regard", "9 December 2026"]
    if template == "secondary-review-acknowledgement":
        case_id = reviewed_case(ctx)
        add_secondary(ctx, case_id, outcome=None)
        return case_id, {}, ["16 November 2026", "Morgan Price", "14 December 2026"]
    if template == "secondary-review-outcome":
        case_id = reviewed_case(ctx)
        add_secondary(ctx, case_id, outcome="partly_upheld")
        return case_id, {}, ["partly upheld", "last step", "Local Government and Social Care Ombudsman"]
    raise AssertionError(template)


@pytest.mark.parametrize("template", TEMPLATE_NAMES)
def test_every_template_renders_for_a_realistic_case(ctx, template):
    case_id, args, expected = _build(ctx, template)
    fits = {f.name: f for f in L.available_templates(ctx, case_id)}
    assert fits[template].available, fits[template].reason
    info = L.produce_letter(ctx, case_id, template, **args)
    text = text_of(L.letter_pdf(ctx, info.id))
    with ctx.unit_of_work() as s:
        reference = s.get(Case, case_id).reference
    assert reference in text and TODAY_LONG in text and "Jane Smith" in text
    assert info.recipient.split(",")[0] in text  # the addressee
    for phrase in expected:
        assert phrase in text, f"{template}: {phrase!r} missing"
    assert "{" not in text and "None" not in text


def test_findings_letter_names_only_the_routes_that_apply(ctx):
    case_id = reviewed_case(ctx)
    not_tenant = text_of(L.letter_pdf(ctx, L.produce_letter(ctx, case_id, "findings", applicant_is_tenant=False).id))
    assert "Housing Ombudsman" not in not_tenant and "Independent Office for Police Conduct" in not_tenant
    # No police and no housing association involved: only the council's route.
    council_only = (IncidentData(occurred_on=date(2026, 9, 1), reported_on=date(2026, 9, 2),
                                 reported_to="Tunbridge Wells Borough Council"),) * 3
    other = new_case(ctx, "2026-09-14", items=council_only)
    step = send_letter(ctx, other.id, "acknowledgement", date(2026, 9, 15), "post", version=other.version)
    wf.decide_threshold(ctx, other.id, step.version, met=True, decided_on=date(2026, 9, 25))
    add_panel(ctx, other.id, starts_at=datetime(2026, 11, 12, 10), held=True)
    with ctx.unit_of_work() as s:  # only the council's recommendation is left
        for rec in s.scalars(select(Recommendation).where(Recommendation.case_id == other.id)):
            rec.agency_id = s.scalar(select(Agency.id).where(Agency.name == "Tunbridge Wells Borough Council"))
    text = text_of(L.letter_pdf(ctx, L.produce_letter(ctx, other.id, "findings").id))
    assert "Local Government and Social Care Ombudsman" in text
    assert "Police Conduct" not in text and "Housing Ombudsman" not in text


def test_findings_before_any_panel_is_refused_saying_why(ctx):
    case_id = decided(ctx, met=True)
    fit = {f.name: f for f in L.available_templates(ctx, case_id)}["findings"]
    assert not fit.available and "no panel has reviewed this case" in fit.reason
    with pytest.raises(L.LetterRefused, match="no panel has reviewed this case"):
        L.produce_letter(ctx, case_id, "findings")


def test_letter_missing_data_is_refused_naming_it(ctx):
    case_id = decided(ctx, met=True)
    with pytest.raises(L.LetterRefused, match="'delay_reason'"):
        L.produce_letter(ctx, case_id, "delay", extra_text={"new_date": "15/01/2027"})
    with pytest.raises(L.LetterRefused, match="Choose the agency"):
        L.produce_letter(ctx, case_id, "information-request")
    with pytest.raises(L.LetterRefused, match="comes from the case record"):
        L.produce_letter(ctx, case_id, "delay", extra_text={"reference": "X", "delay_reason": "r",
                                                             "new_date": "15/01/2027"})


def test_contact_officer_must_be_named(ctx, sqlite_url):
    case = new_case(ctx)
    stranger = make_context(sqlite_url, actor="temp.worker", role="officer")  # a user with no name yet
    with stranger.unit_of_work() as s:
        s.get(Case, case.id).officer = "temp.worker"
    with pytest.raises(L.LetterRefused, match="'contact_name'.*temp.worker"):
        L.produce_letter(stranger, case.id, "acknowledgement")
    info = L.produce_letter(stranger, case.id, "acknowledgement", extra_text={
        "contact_name": "Alex Green", "contact_phone": "01892 554111", "contact_email": "alex@example.gov.uk"})
    assert "Alex Green" in text_of(L.letter_pdf(stranger, info.id))
    stranger.engine.dispose()


def test_agency_letters_need_consent_to_share(ctx):
    case = new_case(ctx, consent=False)
    fit = {f.name: f for f in L.available_templates(ctx, case.id)}["incident-confirmation-request"]
    assert not fit.available and "shared" in fit.reason


def _clock_due(ctx, case_id):
    return {c.id: c for c in list_cases(ctx)}[case_id].due


def test_acknowledgement_stops_the_clock_on_the_date_sent_not_produced(sqlite_url):
    produced_day, sent_day = date(2026, 11, 23), date(2026, 11, 25)
    monday = make_context(sqlite_url, today=produced_day)
    case = new_case(monday, "2026-11-20")
    info = L.produce_letter(monday, case.id, "acknowledgement")
    assert Clock.ACKNOWLEDGEMENT in _clock_due(monday, case.id)  # produced, not sent: still running
    with monday.unit_of_work() as s:
        assert s.get(Case, case.id).acknowledged_on is None
    wednesday = make_context(sqlite_url, today=sent_day)
    sent = L.record_sent(wednesday, info.id, sent_day, "post")
    assert (sent.sent_on, sent.sent_method, sent.sent_by) == (sent_day, "post", "officer.one")
    with wednesday.unit_of_work() as s:
        row = s.get(Case, case.id)
        assert (row.acknowledged_on, row.status) == (sent_day, "acknowledged")
    assert Clock.ACKNOWLEDGEMENT not in _clock_due(wednesday, case.id)
    with pytest.raises(ValidationFailed, match="already sent"):
        L.record_sent(wednesday, info.id, sent_day, "post")
    monday.engine.dispose()
    wednesday.engine.dispose()


def test_sent_date_checks(ctx):
    case = new_case(ctx)
    info = L.produce_letter(ctx, case.id, "acknowledgement")
    with pytest.raises(ValidationFailed) as refused:
        L.record_sent(ctx, info.id, FIXED_TODAY + timedelta(days=1), "pigeon")
    assert {p.field for p in refused.value.problems} == {"sent_on", "method"}
    with pytest.raises(ValidationFailed, match="before it was produced"):
        L.record_sent(ctx, info.id, FIXED_TODAY - timedelta(days=1), "post")


def test_findings_must_be_approved_then_sending_stops_the_outcome_clock(ctx):
    case_id = reviewed_case(ctx)
    info = L.produce_letter(ctx, case_id, "findings")
    assert info.needs_approval
    with pytest.raises(ValidationFailed, match="approved"):
        L.record_sent(ctx, info.id, FIXED_TODAY, "email")
    approved = L.approve_letter(ctx, info.id)
    assert approved.approved_by == "officer.one" and approved.approved_at is not None
    L.record_sent(ctx, info.id, FIXED_TODAY, "email")
    with ctx.unit_of_work() as s:
        case = s.get(Case, case_id)
        assert (case.outcome_sent_on, case.status) == (FIXED_TODAY, "outcome_sent")
        assert s.scalar(select(Letter.meeting_id).where(Letter.id == info.id)) is not None
    assert Clock.OUTCOME not in _clock_due(ctx, case_id)


def test_decision_letter_sent_starts_the_secondary_review_window(ctx):
    case_id = decided(ctx, met=False)
    info = L.produce_letter(ctx, case_id, "threshold-not-met")
    L.record_sent(ctx, info.id, FIXED_TODAY, "post")
    with ctx.unit_of_work() as s:
        assert s.get(Case, case_id).decision_letter_sent_on == FIXED_TODAY
    assert Clock.SECONDARY_REVIEW_REQUEST in _clock_due(ctx, case_id)


def test_delay_letter_sent_moves_the_outcome_date(ctx):
    case_id = decided(ctx, met=True)
    info = L.produce_letter(ctx, case_id, "delay", extra_text={"delay_reason": "Waiting for records.",
                                                                "new_date": "2027-01-15"})
    assert info.revised_outcome_date == date(2027, 1, 15)
    assert _clock_due(ctx, case_id)[Clock.OUTCOME].due != date(2027, 1, 15)  # not until it is sent
    L.record_sent(ctx, info.id, FIXED_TODAY, "email")
    due = _clock_due(ctx, case_id)[Clock.OUTCOME]
    assert due.due == date(2027, 1, 15) and due.revised


def test_pdf_is_kept_exactly_and_listed_with_audit(ctx):
    case = new_case(ctx)
    queued = queue_letter(ctx, case.id, "acknowledgement").id
    info = L.produce_letter(ctx, case.id, "acknowledgement")
    assert info.id == queued and not info.queued  # the queued letter is filled in, not duplicated
    with ctx.unit_of_work() as s:
        stored = s.scalar(select(Letter.pdf).where(Letter.id == info.id))
        actions = set(s.scalars(select(AuditEntry.action).where(AuditEntry.entity == "letter")))
    assert L.letter_pdf(ctx, info.id) == stored and stored.startswith(b"%PDF")
    assert [x.id for x in L.list_letters(ctx, case.id)] == [info.id]
    assert {"queue letter", "letter"} <= actions
    with ctx.unit_of_work() as s:
        assert "view letter" in set(s.scalars(select(AuditEntry.action)))


def test_large_print_when_the_applicant_needs_it(ctx):
    person = PersonData(title="Mr", first_name="Tomos", last_name="Rhys", address_lines=("Tŷ Gwyn", "Heol yr Ŵyn"),
                        postcode="TN2 3PQ", accessibility_needs="Large print please; poor eyesight")
    case = new_case(ctx, applicant=person)
    pdf = L.letter_pdf(ctx, L.produce_letter(ctx, case.id, "acknowledgement").id)
    sizes = set()
    page = pypdf.PdfReader(io.BytesIO(pdf)).pages[0]
    page.extract_text(visitor_text=lambda text, cm, tm, font, size: sizes.add(round(size * tm[0], 1))
                      if "Thank you" in text else None)
    assert sizes == {16.0}
    assert "Tŷ Gwyn" in text_of(pdf) and "Heol yr Ŵyn" in text_of(pdf)
    normal = L.letter_pdf(ctx, L.produce_letter(ctx, case.id, "acknowledgement", large_print=False).id)
    assert len(pypdf.PdfReader(io.BytesIO(normal)).pages) < len(pypdf.PdfReader(io.BytesIO(pdf)).pages)


def test_cli_letter_produces_a_file_and_refuses_findings_before_a_panel(ctx, sqlite_url, tmp_path, capsys):
    case = new_case(ctx, "2026-11-20")
    met_id = decided(ctx, met=True)
    with ctx.unit_of_work() as s:
        met_reference = s.get(Case, met_id).reference
    with ctx.unit_of_work() as s:  # the command line signs in as the operating-system login
        s.add(User(login=os_login(), display_name=os_login(), role="officer"))
    out = tmp_path / "ack.pdf"
    today = date.today()  # the command line runs on the real clock
    code = cli_main(["--database", sqlite_url, "letter", case.reference, "acknowledgement", "--output", str(out),
                     "--sent-on", today.strftime("%d/%m/%Y"), "--method", "post"])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert case.reference in text_of(out.read_bytes())
    assert f"Recorded as sent by post on {long_form(today)}" in captured.out
    with ctx.unit_of_work() as s:
        assert s.get(Case, case.id).acknowledged_on == today
    refused = tmp_path / "findings.pdf"
    code = cli_main(["--database", sqlite_url, "letter", met_reference, "findings", "--output", str(refused)])
    assert code != 0 and not refused.exists()
    assert "no panel has reviewed this case" in capsys.readouterr().err
    code = cli_main(["--database", sqlite_url, "letter", met_reference, "information-request", "--agency", "Kent Police",
                     "--output", str(tmp_path / "info.pdf")])
    assert code == 0 and "Kent Police" in text_of((tmp_path / "info.pdf").read_bytes())


def test_acknowledgement_while_waiting_for_consent_says_what_is_awaited(ctx):
    case = new_case(ctx, consent=False)
    text = text_of(L.letter_pdf(ctx, L.produce_letter(ctx, case.id, "acknowledgement").id))
    assert "We cannot check the incidents until we have your agreement to share your details" in text
    assert "within 10 working days" in text


def test_roles_are_enforced(ctx, sqlite_url):
    case_id = reviewed_case(ctx)
    info = L.produce_letter(ctx, case_id, "findings")
    officer = make_context(sqlite_url, actor="officer.two", role="officer")
    with pytest.raises(PermissionDenied, match="approve the findings letter"):
        L.approve_letter(officer, info.id)
    chair = make_context(sqlite_url, actor="sam.okoro", role="panel_chair")
    assert L.approve_letter(chair, info.id).approved_by == "sam.okoro"
    reader_only = make_context(sqlite_url, actor="auditor", role="read_only")
    with pytest.raises(PermissionDenied):
        L.produce_letter(reader_only, case_id, "delay")
    assert [x.id for x in L.list_letters(reader_only, case_id) if x.template == "findings"] == [info.id]
    for c in (officer, chair, reader_only):
        c.engine.dispose()
