"""The panel pack: what it says about each case, its marking and font, its password, and its audit trail."""
from __future__ import annotations

import io
from dataclasses import replace
from datetime import date, datetime

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from app.db.models import AuditEntry, AuditValue, Letter
from app.services.cases import agency_requests as agency_work
from app.services.panels import meetings as panels
from app.services.cases import steps as wf
from app.services.agencies.directory import list_agencies
from app.services.cases.case_page import load_case
from app.services.common.errors import PermissionDenied, ValidationFailed
from app.services.intake.applications import create_application
from app.services.intake.support import link_cases
from app.services.panels.pack import build_panel_pack, pack_history, record_pack_sent
from tests.conftest import make_context
from tests.db.helpers import ASSESSMENT, send_letter, THREE, application


def _met_case(ctx, words: str, reason: str = "") -> int:
    items = tuple(replace(i, description=f"{words} {n}") for n, i in enumerate(THREE, start=1))
    created = create_application(ctx, application("2026-10-20", items=items))
    step = send_letter(ctx, created.id, "acknowledgement", date(2026, 10, 21), "post", version=created.version)
    wf.decide_threshold(ctx, created.id, step.version, met=True, assessment=ASSESSMENT, decided_on=date(2026, 10, 28), reason=reason)
    return created.id


def _agency(ctx, name: str) -> int:
    return next(a.id for a in list_agencies(ctx) if a.name == name)


@pytest.fixture
def meeting(ctx):
    return pack_meeting(ctx)


def pack_meeting(ctx):
    """Two cases on the agenda; the first has agency actions and an impact statement."""
    first = _met_case(ctx, "Shouting in the stairwell", reason="Three incidents confirmed by the police")
    second = _met_case(ctx, "Bins set alight")
    police = _agency(ctx, "Kent Police")
    agency_work.add_agency_action(ctx, first, agency_id=police, action_on=date(2026, 10, 5),
                                  description="Warning letter delivered to the flat", source_document="PNC log 44")
    meeting_id = panels.save_meeting(ctx, None, None, starts_at=datetime(2026, 12, 2, 10, 30),
                                     place="Town Hall, Committee Room 2", chair="Sam Chair", chair_independent=True).id
    panels.add_case(ctx, meeting_id, first)
    panels.add_case(ctx, meeting_id, second)
    panels.add_attendee(ctx, meeting_id, name="Sam Chair", role="chair")
    panels.add_attendee(ctx, meeting_id, name="PC Jones", role="agency representative", agency_id=police)
    item = next(a for a in panels.meeting_detail(ctx, meeting_id).agenda if a.case_id == first)
    panels.record_review(ctx, item.review_id, item.version, panels.ReviewInput(
        victim_part="impact_statement",
        victim_invited=True, impact_statement="I have not slept properly since August.",
        findings=(panels.FindingInput("Reports were not shared between agencies", "Logs"),)))
    return meeting_id, first, second


def _built(built) -> tuple[int, bytes]:
    return built.letter_id, built.pdf


def _text(pdf: bytes, password: str | None = None) -> list[str]:
    reader = PdfReader(io.BytesIO(pdf))
    if password is not None:
        reader.decrypt(password)
    return [" ".join(page.extract_text().split()) for page in reader.pages]  # lines wrap anywhere


def _fonts(pdf: bytes) -> set[tuple[str, bool]]:
    """(base font name, embedded?) of every font the pages use."""
    found = set()
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descendants = font.get("/DescendantFonts")
            target = descendants[0].get_object() if descendants else font
            descriptor = target.get("/FontDescriptor")
            embedded = bool(descriptor) and any(k in descriptor.get_object() for k in
                                                ("/FontFile", "/FontFile2", "/FontFile3"))
            found.add((str(font["/BaseFont"]), embedded))
    return found


def test_the_pack_holds_each_case_and_is_marked_on_every_page(ctx, meeting):
    meeting_id, first, second = meeting
    letter_id, pdf = _built(build_panel_pack(ctx, meeting_id))
    pages = _text(pdf)
    whole = "\n".join(pages)
    one, two = load_case(ctx, first), load_case(ctx, second)
    for case in (one, two):
        assert case.reference in pages[0] and case.reference in whole
        for incident in case.incidents:
            assert incident.description in whole
    assert "Warning letter delivered to the flat" in whole and "PNC log 44" in whole
    assert "Three incidents confirmed by the police" in whole and "Met" in whole
    assert "28 October 2026" in whole  # the decision's date
    assert "I have not slept properly since August." in whole
    assert "None given." in whole  # the second case has no impact statement
    assert "Reports were not shared between agencies" in whole
    assert "Town Hall, Committee Room 2" in pages[0] and "PC Jones" in pages[0] and "Sam Chair" in pages[0]
    assert "Page 1 of" in pages[0]
    for page in pages:
        assert page.count("OFFICIAL-SENSITIVE") >= 2, page  # header and footer
    assert f"Page {len(pages)} of {len(pages)}" in pages[-1]
    fonts = _fonts(pdf)
    assert fonts and all("DejaVuSans" in name and embedded for name, embedded in fonts), fonts
    assert "panel pack" in PdfReader(io.BytesIO(pdf)).metadata.title.lower()
    assert letter_id


def test_the_pack_is_kept_and_its_disclosure_audited(ctx, meeting):
    meeting_id, first, second = meeting
    letter_id, pdf = _built(build_panel_pack(ctx, meeting_id))
    with ctx.unit_of_work() as session:
        letter = session.get(Letter, letter_id)
        assert (letter.template, letter.recipient, letter.meeting_id, letter.case_id) == \
            ("panel-pack", "Panel members", meeting_id, None)
        assert bytes(letter.pdf) == pdf
        exports = session.execute(select(AuditEntry.case_id, AuditEntry.reason).where(
            AuditEntry.action == "export", AuditEntry.entity_id == letter_id)).all()
    assert sorted(exports) == sorted([(first, "panel pack"), (second, "panel pack")])
    [record] = pack_history(ctx, meeting_id)
    assert (record.letter_id, record.password_protected, record.sendings) == (letter_id, False, ())


def test_a_password_encrypts_the_pack(ctx, meeting):
    meeting_id, first, _ = meeting
    letter_id, pdf = _built(build_panel_pack(ctx, meeting_id, password="correct horse"))
    reader = PdfReader(io.BytesIO(pdf))
    assert reader.is_encrypted
    assert reader.decrypt("wrong").name == "NOT_DECRYPTED"
    pages = _text(pdf, "correct horse")
    assert load_case(ctx, first).reference in pages[0] and "OFFICIAL-SENSITIVE" in pages[-1]
    assert pack_history(ctx, meeting_id)[0].password_protected
    with ctx.unit_of_work() as session:
        assert bytes(session.get(Letter, letter_id).pdf) == pdf  # the exact (encrypted) pack is kept


def test_recording_who_the_pack_went_to(ctx, meeting):
    meeting_id, first, _ = meeting
    letter_id, _pdf = _built(build_panel_pack(ctx, meeting_id))
    with pytest.raises(ValidationFailed) as refused:
        record_pack_sent(ctx, letter_id, sent_to=[" "], sent_on=date(2026, 11, 26), method="pigeon")
    assert {p.field for p in refused.value.problems} == {"sent_to", "method", "sent_on"}
    record_pack_sent(ctx, letter_id, sent_to=["Sam Chair", "PC Jones"], sent_on=date(2026, 11, 25), method="email")
    record_pack_sent(ctx, letter_id, sent_to=["Late Member"], sent_on=date(2026, 11, 25), method="hand")
    with ctx.unit_of_work() as session:
        letter = session.get(Letter, letter_id)
        assert (letter.sent_on, letter.sent_method, letter.sent_by) == (date(2026, 11, 25), "email", "officer.one")
        values = set(session.execute(select(AuditValue.field, AuditValue.after)).all())
        on_case = session.scalars(select(AuditEntry.reason).where(AuditEntry.case_id == first,
                                                                  AuditEntry.action == "letter sent")).all()
    assert ("sent_to", "Sam Chair, PC Jones") in values
    assert any("email" in r for r in on_case)
    [record] = pack_history(ctx, meeting_id)
    assert [(s.sent_on, s.method, s.sent_to) for s in record.sendings] == [
        (date(2026, 11, 25), "email", "Sam Chair, PC Jones"), (date(2026, 11, 25), "hand", "Late Member")]


def test_linked_cases_follow_one_another(ctx):
    ids = [_met_case(ctx, f"Case {n} noise") for n in range(3)]
    link_cases(ctx, ids[0], ids[2], "same block of flats")
    meeting_id = panels.save_meeting(ctx, None, None, starts_at=datetime(2026, 12, 2, 10), online_link="https://x.test",
                                     chair_independent=True).id
    for case_id in ids:
        panels.add_case(ctx, meeting_id, case_id)
    refs = [load_case(ctx, i).reference for i in ids]
    whole = "\n".join(_text(build_panel_pack(ctx, meeting_id).pdf))
    assert whole.index(f"Case {refs[0]}") < whole.index(f"Case {refs[2]}") < whole.index(f"Case {refs[1]}")
    assert "same block of flats" in whole and "linked with" in whole.lower()


def test_an_empty_agenda_and_a_read_only_user_are_refused(ctx, sqlite_url, meeting):
    meeting_id, _, _ = meeting
    empty = panels.save_meeting(ctx, None, None, starts_at=datetime(2026, 12, 9, 10), place="Town Hall",
                                 chair_independent=True).id
    with pytest.raises(ValidationFailed):
        build_panel_pack(ctx, empty)
    letter_id, _pdf = _built(build_panel_pack(ctx, meeting_id))
    reader = make_context(sqlite_url, actor="viewer", role="read_only")
    try:
        with pytest.raises(PermissionDenied):
            build_panel_pack(reader, meeting_id)
        with pytest.raises(PermissionDenied):
            record_pack_sent(reader, letter_id, sent_to=["Sam Chair"], sent_on=date(2026, 11, 25), method="email")
    finally:
        reader.engine.dispose()
    with ctx.unit_of_work() as session:
        assert session.scalars(select(Letter.id).where(Letter.template == "panel-pack")).all() == [letter_id]


def test_the_pack_names_people_shows_who_is_who_and_what_counted(ctx):
    from tests.db.letter_cases import add_panel, decided
    first = decided(ctx, met=True, third_party=True)  # decided by officer.one, named Jane Smith
    second = decided(ctx, met=True, received="2026-11-10")
    meeting = add_panel(ctx, first, starts_at=datetime(2026, 12, 10, 14, 30), held=False)
    panels.add_case(ctx, meeting, second)
    whole = " ".join(_text(build_panel_pack(ctx, meeting).pdf))
    assert "Decided by Jane Smith" in whole and "officer.one" not in whole  # names, not logins
    assert "Produced on 25 November 2026 by Jane Smith" in whole
    for words in ("The victim Mr Tom Marchbank", "Applied for the victim by Cllr Joan Hartley, a councillor",
                  "Vulnerability Lives alone; recent surgery.", "Outcome wanted The noise to stop.",
                  "Alleged perpetrators Kyle Norris, of Flat 4, 10 Sandrock Road", "Counts",
                  "Does not count: reported 45 days after it happened"):
        assert words in whole, words
    assert "None recorded yet" not in whole  # before the meeting: no empty findings section


def test_a_members_own_pack_leaves_out_the_case_of_their_conflict(ctx):
    from tests.db.letter_cases import add_panel, decided
    first = decided(ctx, met=True, third_party=True)
    second = decided(ctx, met=True, received="2026-11-10")
    meeting = add_panel(ctx, first, starts_at=datetime(2026, 12, 10, 14, 30), held=False)  # Sam Hale: conflict
    panels.add_case(ctx, meeting, second)
    hale = next(a for a in panels.meeting_detail(ctx, meeting).attendees if a.name == "Sam Hale")
    built = build_panel_pack(ctx, meeting, member_id=hale.id)
    one, two = load_case(ctx, first), load_case(ctx, second)
    assert built.left_out == (one.reference,)
    pages = _text(built.pdf)
    whole = " ".join(pages)
    assert "Mr Tom Marchbank" not in whole and f"Case {two.reference}" in whole and f"Case {one.reference}" not in whole
    assert f"It leaves out {one.reference}, in which Sam Hale declared a conflict of interest" in whole
    with ctx.reading() as s:  # only the case in the pack has the disclosure on its record
        exported = set(s.scalars(select(AuditEntry.case_id).where(AuditEntry.entity_id == built.letter_id,
                                                                  AuditEntry.action == "export")))
        recipient = s.scalar(select(Letter.recipient).where(Letter.id == built.letter_id))
    assert exported == {second} and recipient == "Sam Hale"
