"""Every letter for an ordinary case and a third-party case, read back from the PDF: who is named where."""
from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select

from app.db.models import Case, Letter, User
from app.letters import TEMPLATE_NAMES, load_template
from app.services.letters import case_letters as L
from tests.conftest import FIXED_TODAY
from tests.db.letter_cases import (APPLICANT_DETAILS, COUNCILLOR_DETAILS, OFFICER, acknowledged, add_panel,
                                   add_secondary, agency_id, decided, new_case, open_request, reviewed_case,
                                   text_of)
from app.services.cases import steps as wf
from tests.db.helpers import ASSESSMENT, send_letter

TODAY_LONG = "25 November 2026"  # FIXED_TODAY, as letters print it
AGENCY_LETTERS = ("incident-confirmation-request", "information-request", "agency-reminder", "recommendation-notice")


def _build(ctx, template: str, third: bool) -> tuple[int, dict, list[str]]:
    """A case the template fits, the produce arguments, and phrases the letter must hold."""
    kw = {"third_party": third}
    if template == "cannot-proceed":
        case = new_case(ctx, consent=False, **kw)
        return case.id, {}, ["23 November 2026", "share your details"]
    if template == "victim-consent-request":
        case = new_case(ctx, victim_consent=False, third_party=True)
        return case.id, {}, ["Cllr Joan Hartley, a councillor", "Nothing goes ahead until you agree",
                             "9 December 2026", "Do you agree that Cllr Joan Hartley may apply",
                             "Your answer", "☐ Yes"]
    if template == "not-accepted":
        case = new_case(ctx, **kw)
        wf.not_accept(ctx, case.id, case.version, reason_code="outside_area", details="the address is in Sevenoaks")
        return case.id, {}, ["outside the area", "The address is in Sevenoaks.", "secondary review", "23 December 2026"]
    if template == "withdrawal":
        case = new_case(ctx, **kw)
        wf.withdraw(ctx, case.id, case.version, withdrawn_on=date(2026, 11, 24))
        return case.id, {}, ["24 November 2026", "apply again"]
    if template == "acknowledgement":
        case = new_case(ctx, **kw)
        return case.id, {}, ["23 November 2026 by telephone", "7 December 2026", "999", "101",
                             "reported to Kent Police on"]
    if template == "threshold-met":
        return decided(ctx, met=True, **kw), {}, ["threshold for a case review is met", "20 November 2026",
                                                  "18 December 2026", "impact statement"]
    if template == "threshold-not-met":
        return decided(ctx, met=False, **kw), {}, ["is not met", "We counted 2 of the 4 incidents", "this counts",
                                                   "this does not count: reported 41 days after it happened",
                                                   "Clarion Housing will visit", "23 December 2026", "apply again"]
    if template == "incident-confirmation-request":
        case, _ = acknowledged(ctx, **kw)
        return case.id, {"agency_id": agency_id(ctx, "Kent Police")}, ["KP/2026/1101", "OFFICIAL-SENSITIVE",
                                                                        "9 December 2026", "Dear Inspector Lee"]
    if template == "information-request":
        return decided(ctx, met=True, **kw), {"agency_id": agency_id(ctx, "Kent Police")}, [
            "paragraph 7 of Schedule 4", "public functions", "OFFICIAL-SENSITIVE", "9 December 2026", "current risk"]
    if template == "agency-reminder":
        case_id = decided(ctx, met=True, **kw)
        open_request(ctx, case_id, "Kent Police")
        return case_id, {"agency_id": agency_id(ctx, "Kent Police")}, ["6 November 2026", "20 November 2026",
                                                                       "2 December 2026"]
    if template in ("panel-member-invitation", "panel-invitation"):
        case_id = decided(ctx, met=True, **kw)
        add_panel(ctx, case_id, starts_at=datetime(2026, 12, 10, 14, 30), held=False)
        args = {"recipient": "Inspector Pat Lee"} if template == "panel-member-invitation" else {}
        return case_id, args, ["10 December 2026", "2:30pm", "Committee Room 2", "7 December 2026"]
    if template == "findings":
        return reviewed_case(ctx, **kw), {}, [
            "12 November 2026", "chaired by Sam Okoro", "Install a door entry system at the block", "29 January 2027",
            "Name a single point of contact", "18 December 2026", "Local Government and Social Care Ombudsman",
            "make a complaint to Kent Police first", "Police and Crime Commissioner", "Housing Ombudsman",
            "An independent member of the panel"]
    if template == "delay":
        return decided(ctx, met=True, **kw), {"extra_text": {"delay_reason": "Kent Police have not yet sent their "
                                                             "records.", "new_date": "15/01/2027"}}, \
            ["15 January 2027", "have not yet sent their records", "25 working days"]
    if template == "recommendation-notice":
        case_id = reviewed_case(ctx, **kw)
        return case_id, {"agency_id": agency_id(ctx, "Clarion Housing")}, [
            "Install a door entry system", "29 January 2027", "have regard", "9 December 2026",
            "the review panel that met on 12 November 2026, chaired by Sam Okoro", "Dear Ruth Evans"]
    if template == "secondary-review-acknowledgement":
        case_id = reviewed_case(ctx, **kw)
        add_secondary(ctx, case_id, outcome=None)
        return case_id, {}, ["16 November 2026", "Morgan Price", "14 December 2026"]
    if template == "secondary-review-outcome":
        case_id = reviewed_case(ctx, **kw)
        add_secondary(ctx, case_id, outcome="partly_upheld")
        return case_id, {}, ["partly upheld", "last step", "Local Government and Social Care Ombudsman",
                             "Morgan Price"]
    from tests.db.law_letter_cases import LAW_TEMPLATES, build_law_letter
    if template in LAW_TEMPLATES:
        return build_law_letter(ctx, template, third)
    raise AssertionError(template)


CASES = [(t, third) for t in TEMPLATE_NAMES for third in (False, True)
         if not (t == "victim-consent-request" and not third)]


@pytest.mark.parametrize("template, third", CASES, ids=[f"{t}-{'third-party' if x else 'ordinary'}" for t, x in CASES])
def test_every_letter_names_the_right_people(ctx, template, third):
    case_id, args, expected = _build(ctx, template, third)
    fits = {f.name: f for f in L.available_templates(ctx, case_id)}
    assert fits[template].available, fits[template].reason
    info = L.produce_letter(ctx, case_id, template, **args)
    text = text_of(L.letter_pdf(ctx, info.id))
    with ctx.unit_of_work() as s:
        reference = s.get(Case, case_id).reference
    if template == "panel-member-invitation":  # a meeting letter: the meeting's reference, the agenda's cases
        assert "CT-PANEL-20261210" in text
    assert reference in text and TODAY_LONG in text and "Jane Smith" in text and OFFICER["job_title"] in text
    assert info.recipient.split(",")[0] in text  # the addressee
    for phrase in expected:
        assert phrase in text, f"{template}: {phrase!r} missing"
    assert "{" not in text and "None" not in text and "colleague" not in text
    to = load_template(template).to
    if to == "agency":
        # The subject is the victim and the victim's address; the alleged perpetrator is named.
        victim, address = ("Mr Tom Marchbank", "Flat 3, 10 Sandrock Road") if third else \
            ("Ms Asha Patel", "12 Example Road")
        assert victim in text and address in text and "Kyle Norris" in text, text
        for detail in (COUNCILLOR_DETAILS if third else APPLICANT_DETAILS):
            assert detail not in text, f"{template} discloses {detail!r}"
        if third:
            assert "Cllr Joan Hartley, a councillor" in text  # who applied: name and relationship only
        assert "the applicant" not in text.replace("the applicant's", "")  # the victim by name, never "the applicant"
    elif third and to in ("applicant", "applicant or victim") and template not in ("not-accepted", "withdrawal"):
        assert "Marchbank" in text  # the victim by name in a letter to the councillor
        for wrong in ("your impact statement", "how the ASB affects you", "made by Cllr"):
            assert wrong not in text, f"{template}: {wrong!r}"
    if to in ("applicant", "applicant or victim", "victim"):
        assert "Kyle Norris" not in text  # an alleged perpetrator is no business of the applicant's letter


def test_third_party_letters_to_the_victim_say_who_applied_and_never_give_the_applicants_details(ctx):
    case = new_case(ctx, victim_consent=False, third_party=True)
    info = L.produce_letter(ctx, case.id, "victim-consent-request")
    assert info.recipient == "Mr Tom Marchbank"
    text = text_of(L.letter_pdf(ctx, info.id))
    assert "Dear Mr Marchbank" in text and "Flat 3, 10 Sandrock Road" in text
    for detail in COUNCILLOR_DETAILS:
        assert detail not in text
    # The cannot-proceed letter is the applicant's: sending it to the victim is refused, saying what to use.
    with pytest.raises(L.LetterRefused, match="asking the victim for consent"):
        L.produce_letter(ctx, case.id, "cannot-proceed", recipient="Mr Tom Marchbank")
    councillor = text_of(L.letter_pdf(ctx, L.produce_letter(ctx, case.id, "cannot-proceed").id))
    assert "Dear Cllr Hartley" in councillor and "Mr Tom Marchbank's consent for you to apply" in councillor


def test_panel_invitation_goes_to_the_victim_in_their_own_words(ctx):
    case_id = decided(ctx, met=True, third_party=True)
    add_panel(ctx, case_id, starts_at=datetime(2026, 12, 10, 14, 30), held=False)
    to_victim = text_of(L.letter_pdf(ctx, L.produce_letter(ctx, case_id, "panel-invitation",
                                                            recipient="Mr Tom Marchbank").id))
    assert "the application Cllr Joan Hartley made on your behalf" in to_victim
    assert "how the ASB affects you" in to_victim and "your application" not in to_victim
    to_councillor = text_of(L.letter_pdf(ctx, L.produce_letter(ctx, case_id, "panel-invitation").id))
    assert "the application you made on behalf of Mr Tom Marchbank" in to_councillor
    assert "Mr Marchbank is welcome to attend" in to_councillor
    assert "an independent member of the panel" in to_councillor and "a independent" not in to_councillor


def test_findings_lists_only_the_organisations_represented_for_this_case(ctx):
    case_id = reviewed_case(ctx)  # Town and Country Housing's officer declared a conflict in this case
    text = text_of(L.letter_pdf(ctx, L.produce_letter(ctx, case_id, "findings").id))
    block = text[text.index("represented for this case"):text.index("What the panel looked at")]
    assert "Kent Police" in block and "Clarion Housing" in block and "Tunbridge Wells Borough Council" in block
    assert "Town and Country Housing" not in block
    assert "An independent member of the panel, who does not work for any of these organisations" in block
    assert "The panel read your impact statement" in text


def test_findings_for_a_councillor_thank_the_victim_not_the_councillor(ctx):
    case_id = reviewed_case(ctx, third_party=True)
    text = text_of(L.letter_pdf(ctx, L.produce_letter(ctx, case_id, "findings").id))
    assert "The panel read Mr Marchbank's impact statement" in text
    assert "Mr Marchbank has agreed that we may tell you what the panel found" in text
    assert "as Mr Marchbank's landlord" in text and "If you, or Mr Marchbank, are still unhappy" in text


def test_the_housing_ombudsman_only_for_the_tenant_of_a_provider_involved(ctx):
    case_id = reviewed_case(ctx)
    with ctx.unit_of_work() as s:
        version = s.get(Case, case_id).version
    from app.services.cases.tenure import record_tenure
    step = record_tenure(ctx, case_id, version, tenure="owner")
    owner = text_of(L.letter_pdf(ctx, L.produce_letter(ctx, case_id, "findings").id))
    assert "Housing Ombudsman" not in owner and "Independent Office for Police Conduct" in owner
    # A tenant of a provider that played no part in the case: no Housing Ombudsman either.
    record_tenure(ctx, case_id, step.version, tenure="registered_provider",
                  landlord_id=agency_id(ctx, "Town and Country Housing"))
    other = text_of(L.letter_pdf(ctx, L.produce_letter(ctx, case_id, "findings").id))
    assert "Housing Ombudsman" not in other


def test_findings_wait_for_the_tenure_when_a_provider_is_involved(ctx):
    case_id = decided(ctx, met=True, received="2026-09-14", decided_on="2026-09-25")
    add_panel(ctx, case_id, starts_at=datetime(2026, 11, 12, 10, 0), held=True)
    fit = {f.name: f for f in L.available_templates(ctx, case_id)}["findings"]
    assert not fit.available and "record the tenure under People and consent" in fit.reason


def test_council_only_case_names_only_the_councils_route(ctx):
    from app.domain.application import IncidentData
    council_only = tuple(IncidentData(occurred_on=date(2026, 9, d), reported_on=date(2026, 9, d + 1),
                                      reported_to="Tunbridge Wells Borough Council") for d in (1, 5, 9))
    other = new_case(ctx, "2026-09-14", items=council_only)
    step = send_letter(ctx, other.id, "acknowledgement", date(2026, 9, 15), "post", version=other.version)
    wf.decide_threshold(ctx, other.id, step.version, met=True, assessment=ASSESSMENT, decided_on=date(2026, 9, 25))
    add_panel(ctx, other.id, starts_at=datetime(2026, 11, 12, 10), held=True)
    from app.db.models import Agency, Recommendation
    with ctx.unit_of_work() as s:  # only the council's recommendation is left
        for rec in s.scalars(select(Recommendation).where(Recommendation.case_id == other.id)):
            rec.agency_id = s.scalar(select(Agency.id).where(Agency.name == "Tunbridge Wells Borough Council"))
    text = text_of(L.letter_pdf(ctx, L.produce_letter(ctx, other.id, "findings").id))
    assert "Local Government and Social Care Ombudsman" in text
    assert "Police Conduct" not in text and "Housing Ombudsman" not in text


def test_incidents_are_listed_in_date_order(ctx):
    case = new_case(ctx)
    text = text_of(L.letter_pdf(ctx, L.produce_letter(ctx, case.id, "acknowledgement").id))
    dates = ["26 July 2026", "4 October 2026", "24 October 2026", "11 November 2026"]  # typed out of order
    assert [text.index(d) for d in dates] == sorted(text.index(d) for d in dates)


def test_findings_before_any_panel_is_refused_saying_why(ctx):
    case_id = decided(ctx, met=True)
    fit = {f.name: f for f in L.available_templates(ctx, case_id)}["findings"]
    assert not fit.available and "no panel has reviewed this case" in fit.reason
    with pytest.raises(L.LetterRefused, match="no panel has reviewed this case"):
        L.produce_letter(ctx, case_id, "findings")


def test_threshold_met_letter_from_the_decision_until_the_outcome(ctx):
    case_id = decided(ctx, met=True)
    add_panel(ctx, case_id, starts_at=datetime(2026, 12, 10, 14, 30), held=False)  # the panel date is set
    text = text_of(L.letter_pdf(ctx, L.produce_letter(ctx, case_id, "threshold-met").id))
    assert "The panel will meet on 10 December 2026" in text
    held = reviewed_case(ctx)
    text = text_of(L.letter_pdf(ctx, L.produce_letter(ctx, held, "threshold-met").id))
    assert "met on 12 November 2026 to look at the case" in text and "We are asking each agency" not in text


def test_letter_missing_data_is_refused_in_the_users_words(ctx):
    case_id = decided(ctx, met=True)
    with pytest.raises(L.LetterRefused, match="it needs the reason for the delay. Please type it"):
        L.produce_letter(ctx, case_id, "delay", extra_text={"new_date": "15/01/2027"})
    with pytest.raises(L.LetterRefused, match="Choose the agency"):
        L.produce_letter(ctx, case_id, "information-request")
    with pytest.raises(L.LetterRefused, match="comes from the case record"):
        L.produce_letter(ctx, case_id, "delay", extra_text={"reference": "X", "delay_reason": "r",
                                                             "new_date": "15/01/2027"})


def test_letters_are_refused_while_the_councils_details_are_the_examples(ctx):
    case = new_case(ctx)
    from app.services.admin.settings import save_council_details
    save_council_details(ctx, {"name": "Tunbridge Wells Borough Council", "phone": "01892 526121",
                               "email": "community.safety@example.gov.uk", "website": "www.example.gov.uk"})
    with pytest.raises(L.LetterRefused) as refused:
        L.produce_letter(ctx, case.id, "acknowledgement")
    message = str(refused.value)
    assert "example.gov.uk" in message and "Settings" in message and "settings set council." in message


def test_an_agency_letter_needs_an_address_and_a_named_contact(ctx):
    case, _ = acknowledged(ctx)
    from app.services.agencies.directory import get_agency, save_agency
    from dataclasses import replace
    police = get_agency(ctx, agency_id(ctx, "Kent Police"))
    save_agency(ctx, police.id, police.version, replace(police.as_input(), address="", postcode="", contacts=()))
    with pytest.raises(L.LetterRefused) as refused:
        L.produce_letter(ctx, case.id, "incident-confirmation-request", agency_id=police.id)
    message = str(refused.value)
    assert "its postal address, its postcode and a named contact" in message and "agencies set" in message


def test_confirmation_is_asked_only_of_relevant_bodies(ctx):
    from app.domain.application import IncidentData
    items = (*__import__("tests.db.letter_cases", fromlist=["x"]).incidents_before(date(2026, 11, 23)),
             IncidentData(occurred_on=date(2026, 11, 1), reported_on=date(2026, 11, 2),
                          reported_to="Kent Fire and Rescue Service", description="Fire in the bin store"))
    case, _ = acknowledged(ctx, items=items)
    fire = agency_id(ctx, "Kent Fire and Rescue Service")
    with pytest.raises(L.LetterRefused, match="not a relevant body"):
        L.produce_letter(ctx, case.id, "incident-confirmation-request", agency_id=fire)


def test_contact_officer_must_be_named_with_a_job_title(ctx, sqlite_url):
    from tests.conftest import make_context
    case = new_case(ctx)
    stranger = make_context(sqlite_url, actor="temp.worker", role="officer")  # a user with no name yet
    with stranger.unit_of_work() as s:
        s.get(Case, case.id).officer = "temp.worker"
    with pytest.raises(L.LetterRefused, match="named contact officer.*temp.worker"):
        L.produce_letter(stranger, case.id, "acknowledgement")
    with pytest.raises(L.LetterRefused, match="no job title is recorded for Alex Green"):
        L.produce_letter(stranger, case.id, "acknowledgement", extra_text={
            "contact_name": "Alex Green", "contact_phone": "01892 554111", "contact_email": "alex@example.gov.uk"})
    info = L.produce_letter(stranger, case.id, "acknowledgement", extra_text={
        "contact_name": "Alex Green", "contact_phone": "01892 554111", "contact_email": "alex@example.gov.uk",
        "contact_job_title": "Community Safety Assistant"})
    assert "Alex Green Community Safety Assistant" in text_of(L.letter_pdf(stranger, info.id))
    stranger.engine.dispose()


def test_agency_letters_need_consent_to_share(ctx):
    case = new_case(ctx, consent=False)
    fit = {f.name: f for f in L.available_templates(ctx, case.id)}["incident-confirmation-request"]
    assert not fit.available and "shared" in fit.reason


def test_the_officer_edits_a_paragraph_and_the_pdf_is_made_from_the_edit(ctx):
    case = new_case(ctx)
    draft = L.draft_letter(ctx, case.id, "acknowledgement")
    before = load_template("acknowledgement")
    part = next(p for p in draft.parts if p.kind == "paragraph" and p.text.startswith("Your contact officer"))
    edit = L.TextEdit(part.key, part.text, "Your contact officer is Jane Smith. She works **Monday to Wednesday**.")
    info = L.produce_letter(ctx, case.id, "acknowledgement", edits=[edit])
    text = text_of(L.letter_pdf(ctx, info.id))
    assert "She works Monday to Wednesday." in text and "You can call them on" not in text
    assert info.edited and load_template("acknowledgement") == before  # the template is untouched
    from app.db.models import AuditEntry
    with ctx.unit_of_work() as s:
        kept = s.scalar(select(Letter.edits).where(Letter.id == info.id))
        note = s.scalar(select(AuditEntry.reason).where(AuditEntry.entity == "letter",
                                                        AuditEntry.entity_id == info.id, AuditEntry.action == "letter"))
    assert "Monday to Wednesday" in kept and f"edited by the officer (1 part: {part.key})" in note
    stale = L.TextEdit(part.key, "a text the officer never saw", "x")
    with pytest.raises(L.LetterRefused, match="has changed since you opened it"):
        L.produce_letter(ctx, case.id, "acknowledgement", edits=[stale])


def _clock_due(ctx, case_id):
    from app.services.cases.summaries import list_cases
    return {c.id: c for c in list_cases(ctx)}[case_id].due


def test_acknowledgement_stops_the_clock_on_the_date_sent_not_produced(sqlite_url):
    from app.domain.clocks import Clock
    from tests.conftest import make_context
    produced_day, sent_day = date(2026, 11, 23), date(2026, 11, 25)
    monday = make_context(sqlite_url, today=produced_day)
    case = new_case(monday, "2026-11-20")
    info = L.produce_letter(monday, case.id, "acknowledgement")
    assert Clock.ACKNOWLEDGEMENT in _clock_due(monday, case.id)  # produced, not sent: still running
    wednesday = make_context(sqlite_url, today=sent_day)
    sent = L.record_sent(wednesday, info.id, sent_day, "post")
    assert (sent.sent_on, sent.sent_method, sent.sent_by) == (sent_day, "post", "officer.one")
    assert sent.changes.touches_case(case.id)
    with wednesday.unit_of_work() as s:
        row = s.get(Case, case.id)
        assert (row.acknowledged_on, row.status) == (sent_day, "acknowledged")
    assert Clock.ACKNOWLEDGEMENT not in _clock_due(wednesday, case.id)
    from app.services.common.errors import ValidationFailed
    with pytest.raises(ValidationFailed, match="already sent"):
        L.record_sent(wednesday, info.id, sent_day, "post")
    monday.engine.dispose()
    wednesday.engine.dispose()


def test_a_reminder_recorded_as_sent_gives_the_request_its_new_return_date(ctx):
    case_id = decided(ctx, met=True)
    request_id = open_request(ctx, case_id, "Kent Police")
    info = L.produce_letter(ctx, case_id, "agency-reminder", agency_id=agency_id(ctx, "Kent Police"))
    L.record_sent(ctx, info.id, FIXED_TODAY, "email")
    from app.db.models import AgencyRequest
    with ctx.unit_of_work() as s:
        request = s.get(AgencyRequest, request_id)
        assert (request.chased_on, request.revised_due_on) == (FIXED_TODAY, date(2026, 12, 2))


def test_findings_approved_by_the_chair_after_reading_it_with_their_name(ctx, sqlite_url):
    from app.services.common.errors import PermissionDenied, ValidationFailed
    from tests.conftest import make_context
    case_id = reviewed_case(ctx)
    info = L.produce_letter(ctx, case_id, "findings")
    assert info.needs_approval
    with pytest.raises(ValidationFailed, match="approved by the panel chair"):
        L.record_sent(ctx, info.id, FIXED_TODAY, "email")
    with pytest.raises(PermissionDenied, match="approved by the panel chair"):  # an administrator is not the chair
        L.approve_letter(ctx, info.id)
    chair = make_context(sqlite_url, actor="sam.okoro", role="panel_chair")
    with chair.unit_of_work() as s:
        s.scalar(select(User).where(User.login == "sam.okoro")).display_name = "Sam Okoro"
    with pytest.raises(L.ReadFirst):
        L.approve_letter(chair, info.id)
    L.letter_pdf(chair, info.id)  # the chair reads it
    approved = L.approve_letter(chair, info.id)
    assert (approved.approved_by, approved.approver_name) == ("sam.okoro", "Sam Okoro")
    L.record_sent(ctx, info.id, FIXED_TODAY, "email")
    with ctx.unit_of_work() as s:
        case = s.get(Case, case_id)
        assert (case.outcome_sent_on, case.status) == (FIXED_TODAY, "outcome_sent")
    officer = make_context(sqlite_url, actor="officer.two", role="officer")
    with pytest.raises(PermissionDenied, match="approve the findings letter"):
        L.approve_letter(officer, info.id)
    for c in (chair, officer):
        c.engine.dispose()


def test_secondary_review_recommendations_are_notified_saying_who_made_them(ctx):
    case_id = reviewed_case(ctx)
    add_secondary(ctx, case_id, outcome="partly_upheld", with_recommendation=True)
    info = L.produce_letter(ctx, case_id, "recommendation-notice",
                            agency_id=agency_id(ctx, "Tunbridge Wells Borough Council"))
    text = text_of(L.letter_pdf(ctx, info.id))
    assert ("the secondary review carried out by Morgan Price, Head of Community Services, completed on "
            "24 November 2026") in text
    assert "Why: The victim was not kept informed." in text


def test_delay_letter_sent_moves_the_outcome_date(ctx):
    from app.domain.clocks import Clock
    case_id = decided(ctx, met=True)
    info = L.produce_letter(ctx, case_id, "delay", extra_text={"delay_reason": "Waiting for records.",
                                                                "new_date": "2027-01-15"})
    assert info.revised_outcome_date == date(2027, 1, 15)
    L.record_sent(ctx, info.id, FIXED_TODAY, "email")
    due = _clock_due(ctx, case_id)[Clock.OUTCOME]
    assert due.due == date(2027, 1, 15) and due.revised


def test_large_print_reaches_the_letterhead_and_breaks_no_email(ctx):
    import io
    import pypdf
    from app.domain.application import PersonData
    person = PersonData(title="Mr", first_name="Tomos", last_name="Rhys", address_lines=("Tŷ Gwyn", "Heol yr Ŵyn"),
                        postcode="TN2 3PQ", accessibility_needs="Large print please; poor eyesight")
    case = new_case(ctx, applicant=person)
    pdf = L.letter_pdf(ctx, L.produce_letter(ctx, case.id, "acknowledgement").id)
    sizes: dict[str, float] = {}
    page = pypdf.PdfReader(io.BytesIO(pdf)).pages[0]
    page.extract_text(visitor_text=lambda text, cm, tm, font, size: sizes.setdefault(text.strip(), round(size * tm[0], 1))
                      if text.strip() else None)
    assert sizes["Community Safety Unit"] >= 16 and sizes["Civic Way"] >= 16
    assert all(size >= 16 for text, size in sizes.items() if "Thank you" in text)
    lines = [" ".join(line.split()) for line in page.extract_text().splitlines()]
    assert "community.safety@tunbridgewells.gov.uk" in lines  # the email whole, on a line of its own
    assert any("jane.smith@tunbridgewells.gov.uk" in line for line in lines)
    assert "Tŷ Gwyn" in text_of(pdf) and "Heol yr Ŵyn" in text_of(pdf)


def test_roles_are_enforced(ctx, sqlite_url):
    from app.services.common.errors import PermissionDenied
    from tests.conftest import make_context
    case_id = reviewed_case(ctx)
    info = L.produce_letter(ctx, case_id, "findings")
    reader_only = make_context(sqlite_url, actor="auditor", role="read_only")
    with pytest.raises(PermissionDenied):
        L.produce_letter(reader_only, case_id, "delay")
    with pytest.raises(PermissionDenied):
        L.draft_letter(reader_only, case_id, "acknowledgement")
    assert [x.id for x in L.list_letters(reader_only, case_id) if x.template == "findings"] == [info.id]
    reader_only.engine.dispose()


def test_pdf_is_kept_exactly_and_listed_with_audit(ctx):
    from app.db.models import AuditEntry
    from app.services.intake.support import queue_letter
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


def test_a_short_letter_keeps_to_one_page_with_its_signature(ctx):
    import io
    import pypdf
    case_id = decided(ctx, met=True)
    pdf = L.letter_pdf(ctx, L.produce_letter(ctx, case_id, "threshold-met").id)
    pages = [p.extract_text() for p in pypdf.PdfReader(io.BytesIO(pdf)).pages]
    last = pages[-1]
    # Wherever the letter ends, its last paragraph, the closing and the signature are on one page.
    assert "call 999" in last and "Yours sincerely" in last and "Community Safety Officer" in last
    assert len(pages) == 1 or len(last.split()) > 60


def test_acknowledgement_while_waiting_for_consent_says_what_is_awaited(ctx):
    case = new_case(ctx, consent=False)
    text = text_of(L.letter_pdf(ctx, L.produce_letter(ctx, case.id, "acknowledgement").id))
    assert "We cannot check the incidents until we have your agreement to share your details" in text
    assert "within 10 working days" in text


def test_sent_date_checks(ctx):
    from app.services.common.errors import ValidationFailed
    case = new_case(ctx)
    info = L.produce_letter(ctx, case.id, "acknowledgement")
    with pytest.raises(ValidationFailed) as refused:
        L.record_sent(ctx, info.id, FIXED_TODAY + timedelta(days=1), "pigeon")
    assert {p.field for p in refused.value.problems} == {"sent_on", "method"}
    with pytest.raises(ValidationFailed, match="before it was produced"):
        L.record_sent(ctx, info.id, FIXED_TODAY - timedelta(days=1), "post")
