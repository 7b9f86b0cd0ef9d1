"""Scenarios: letters and panel meetings."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select

from app.db.models import Case, PanelAttendee
from app.services.letters import case_letters as L
from app.services.panels import meetings as panels
from tests.db.law_letter_cases import opcc_request, opcc_route
from tests.db.letter_cases import add_panel, decided, reviewed_case
from tests.db.scenarios import scenario
from tests.db.scenarios.builders import _case, _version, _agency, _meeting, _agenda_item, _reviewed_item, _item, _held_meeting, _recommendation, _letter


# --- letters -----------------------------------------------------------------------------------------------

@scenario("letters.case_letters.approve_letter")
def _(ctx, tmp):
    from tests.db.helpers import chair_who_read
    case_id = reviewed_case(ctx)
    info = L.produce_letter(ctx, case_id, "findings")
    chair, letter_id = chair_who_read(ctx, info.id)
    return chair, lambda: L.approve_letter(chair, letter_id)


@scenario("letters.case_letters.draft_letter", transactions=0)
def _(ctx, tmp):
    case_id, _letter_id = _letter(ctx)
    return lambda: L.draft_letter(ctx, case_id, "acknowledgement")


@scenario("letters.case_letters.letter_for_reference")
def _(ctx, tmp):
    case_id, _letter_id = _letter(ctx)
    with ctx.reading() as s:
        reference = s.get(Case, case_id).reference
    return lambda: L.letter_for_reference(ctx, reference, "acknowledgement", sent_on=date(2026, 11, 25),
                                          method="post")


@scenario("letters.case_letters.letter_pdf")
def _(ctx, tmp):
    _case_id, letter_id = _letter(ctx)
    return lambda: L.letter_pdf(ctx, letter_id)


@scenario("letters.case_letters.produce_letter")
def _(ctx, tmp):
    case_id, _letter_id = _letter(ctx)
    return lambda: L.produce_letter(ctx, case_id, "acknowledgement")


@scenario("letters.case_letters.record_disclosure")
def _(ctx, tmp):
    _case_id, letter_id = _letter(ctx)
    return lambda: L.record_disclosure(ctx, letter_id, "printed")


@scenario("letters.case_letters.record_disclosures")
def _(ctx, tmp):
    _case_id, letter_id = _letter(ctx)
    return lambda: L.record_disclosures(ctx, [letter_id], "print (batch of acknowledgements)")


@scenario("letters.batch_print.record_printed")
def _(ctx, tmp):
    from app.services.letters.batch_print import record_printed
    _case_id, letter_id = _letter(ctx)
    return lambda: record_printed(ctx, [letter_id], "print (batch of acknowledgements)")


@scenario("letters.batch_print.record_batch_sent")
def _(ctx, tmp):
    from app.services.letters.batch_print import record_batch_sent
    _case_id, letter_id = _letter(ctx)
    return lambda: record_batch_sent(ctx, [letter_id], date(2026, 11, 25), "post")


@scenario("admin.settings.complete_set_up")
def _(ctx, tmp):
    from app.services.admin.settings import complete_set_up
    council = {"name": "Pembury Borough Council", "phone": "01892 554000", "email": "csu@pembury.gov.uk"}
    me = {"display_name": "Jo Smith", "phone": "01892 554001", "email": "jo.smith@pembury.gov.uk", "job_title": ""}
    return lambda: complete_set_up(ctx, council, me)


@scenario("letters.case_letters.record_sent")
def _(ctx, tmp):
    case_id, letter_id = _letter(ctx)
    version = _version(ctx, case_id)
    return lambda: L.record_sent(ctx, letter_id, date(2026, 11, 25), "post", expected_version=version)


@scenario("letters.queue.produce_due_acknowledgements")
def _(ctx, tmp):
    from app.services.letters.queue import produce_due_acknowledgements
    _letter(ctx)  # the officer and the council set up
    _case(ctx, "2026-11-24")
    return lambda: produce_due_acknowledgements(ctx)  # one letter due: one transaction (one each, beyond)


@scenario("letters.referral.build_referral_pack")
def _(ctx, tmp):
    from app.services.letters.referral import build_referral_pack
    opcc_route(ctx)
    case_id = reviewed_case(ctx)
    opcc_request(ctx, case_id)
    return lambda: build_referral_pack(ctx, case_id)


# --- panels --------------------------------------------------------------------------------------------------

@scenario("panels.meetings.add_attendee")
def _(ctx, tmp):
    meeting_id, _case_id = _meeting(ctx)
    return lambda: panels.add_attendee(ctx, meeting_id, name="PC Jones", role="agency representative",
                                       agency_id=_agency(ctx, "Kent Police"))


@scenario("panels.meetings.add_case")
def _(ctx, tmp):
    meeting_id, _case_id = _meeting(ctx)
    other = decided(ctx, met=True, received="2026-11-10")
    return lambda: panels.add_case(ctx, meeting_id, other)


@scenario("panels.meetings.approve_minutes")
def _(ctx, tmp):
    meeting_id = _held_meeting(ctx)
    return lambda: panels.approve_minutes(ctx, meeting_id, panels.meeting_detail(ctx, meeting_id).version)


@scenario("panels.meetings.mark_held")
def _(ctx, tmp):
    case_id = decided(ctx, met=True)
    meeting_id = add_panel(ctx, case_id, starts_at=datetime(2026, 11, 24, 10), held=False)
    detail = panels.meeting_detail(ctx, meeting_id)
    panels.save_meeting(ctx, meeting_id, detail.version, starts_at=detail.starts_at, place="Town Hall",
                        chair="Sam Okoro", chair_independent=True)
    _reviewed_item(ctx, meeting_id, panels.meeting_detail(ctx, meeting_id).agenda[0])
    return lambda: panels.mark_held(ctx, meeting_id, panels.meeting_detail(ctx, meeting_id).version,
                                    held_on=date(2026, 11, 24))


@scenario("panels.meetings.record_review")
def _(ctx, tmp):
    _meeting_id, item = _agenda_item(ctx)
    return lambda: panels.record_review(ctx, item.review_id, item.version, panels.ReviewInput(
        victim_part="impact_statement", victim_invited=True, impact_statement="I have not slept since August.",
        findings=(panels.FindingInput("Reports were not shared between agencies", "Logs"),)))


@scenario("panels.meetings.remove_case")
def _(ctx, tmp):
    meeting_id, case_id = _meeting(ctx)
    return lambda: panels.remove_case(ctx, meeting_id, case_id)


@scenario("panels.meetings.save_meeting")
def _(ctx, tmp):
    return lambda: panels.save_meeting(ctx, None, None, starts_at=datetime(2026, 12, 2, 10, 30), place="Town Hall")


@scenario("panels.meetings.set_attendance")
def _(ctx, tmp):
    meeting_id, _case_id = _meeting(ctx)
    with ctx.reading() as s:
        attendee = s.scalar(select(PanelAttendee.id).where(PanelAttendee.meeting_id == meeting_id))
    return lambda: panels.set_attendance(ctx, attendee, "apologies")


@scenario("panels.pack.build_panel_pack")
def _(ctx, tmp):
    from app.services.panels.pack import build_panel_pack
    meeting_id, _case_id = _meeting(ctx)
    return lambda: build_panel_pack(ctx, meeting_id)


@scenario("panels.pack.record_pack_sent")
def _(ctx, tmp):
    from app.services.panels.pack import build_panel_pack, record_pack_sent
    meeting_id, _case_id = _meeting(ctx)
    letter_id = build_panel_pack(ctx, meeting_id).letter_id
    return lambda: record_pack_sent(ctx, letter_id, sent_to=["Sam Okoro"], sent_on=date(2026, 11, 25), method="email")


@scenario("panels.recommendations.chase")
def _(ctx, tmp):
    from app.services.panels import recommendations as recs
    rec = _recommendation(ctx)
    return lambda: recs.chase(ctx, rec.id, chased_on=date(2026, 11, 24))


@scenario("panels.recommendations.respond")
def _(ctx, tmp):
    from app.services.panels import recommendations as recs
    rec = _recommendation(ctx)
    return lambda: recs.respond(ctx, rec.id, rec.version, status="accepted", response="Work starts in January",
                                on=date(2026, 11, 24))


@scenario("panels.victim.record_victim_comments")
def _(ctx, tmp):
    from app.services.panels import victim
    meeting_id, item = _agenda_item(ctx)
    item = _reviewed_item(ctx, meeting_id, item)
    victim.share_draft(ctx, item.review_id, item.version, shared_on=date(2026, 11, 20))
    item = _item(ctx, meeting_id, item.review_id)
    return lambda: victim.record_victim_comments(ctx, item.review_id, item.version, comments="Wants a visit",
                                                 on=date(2026, 11, 24))


@scenario("panels.victim.share_draft")
def _(ctx, tmp):
    from app.services.panels import victim
    meeting_id, item = _agenda_item(ctx)
    item = _reviewed_item(ctx, meeting_id, item)
    return lambda: victim.share_draft(ctx, item.review_id, item.version, shared_on=date(2026, 11, 24))
