"""Erasure that erases: after anonymising or deleting, the values are nowhere in the SQLite file or its WAL,
and the panel packs that held the case are removed with a note on their meeting."""
from __future__ import annotations

import dataclasses
from datetime import date, datetime
from pathlib import Path

import pytest
from sqlalchemy import event, select, update

import app.services.admin.database as opening
from app.db.models import Case, Document, Letter, Note
from app.domain.application import IncidentData, PerpetratorData, PersonData
from app.services.cases import steps as wf
from app.services.cases.case_list import CaseQuery, find_case_ids
from app.services.intake.applications import create_application
from app.services.panels import meetings as panels
from app.services.panels.pack import build_panel_pack, pack_history, record_pack_sent
from app.services.common.errors import ValidationFailed
from app.services.trust.retention import anonymise_case, delete_case
from tests.conftest import make_context
from tests.db.helpers import application

# Values no other record holds, so that finding any of them in the file's bytes means it was not erased.
SECRETS = ["Quixotewellby", "Zenobia", "07700 900999", "zenobia@example.org", "TN4 9ZZ", "77 Quillback Lane",
           "Crumbleton", "threw bricks at the greenhouse", "Zenobia rang back at noon"]


@pytest.fixture
def upstream_sqlite(monkeypatch):
    """SQLite as built upstream (secure_delete off), which Debian's build hides: the app must turn it on."""
    real = opening.make_engine

    def make(url, **kwargs):
        engine = real(url, **kwargs)
        event.listen(engine, "connect", lambda conn, _r: conn.execute("PRAGMA secure_delete=OFF"), insert=True)
        return engine

    monkeypatch.setattr(opening, "make_engine", make)


def _secret_case(ctx) -> int:
    person = PersonData(title="Ms", first_name="Zenobia", last_name="Quixotewellby",
                        address_lines=("77 Quillback Lane", "Royal Tunbridge Wells"), postcode="TN4 9ZZ",
                        phone="07700 900999", email="zenobia@example.org", preferred_contact="letter")
    items = tuple(IncidentData(occurred_on=date(2026, 9, d), reported_on=date(2026, 9, d + 1), reported_to="Kent Police",
                               description="Crumbleton threw bricks at the greenhouse") for d in (1, 10, 20))
    data = dataclasses.replace(application("2026-10-20", applicant=person, items=items),
                               alleged_perpetrators=(PerpetratorData(name="Barnaby Crumbleton"),))
    created = create_application(ctx, data)
    wf.update_case_details(ctx, created.id, created.version, {"impact": "Quixotewellby cannot sleep."})
    find_case_ids(ctx, CaseQuery(text="Quixotewellby"))  # the search is audited, the text kept with the values
    with ctx.unit_of_work() as s:
        s.add(Note(case_id=created.id, text="Zenobia rang back at noon", created_by="officer.one"))
        s.add(Document(case_id=created.id, title="Quixotewellby statement.pdf", media_type="application/pdf",
                       size=40, content=b"%PDF-1.4 statement by Zenobia Quixotewellby", added_by="officer.one"))
    return created.id


def _with_pack(ctx, case_id: int) -> tuple[int, int]:
    """The case on a meeting's agenda, and the meeting's pack produced (and sent)."""
    with ctx.unit_of_work() as s:
        s.execute(update(Case).where(Case.id == case_id).values(status="threshold_met", threshold_met=True,
                                                                threshold_decided_on=date(2026, 10, 28)))
    meeting = panels.save_meeting(ctx, None, None, starts_at=datetime(2026, 11, 20, 10), place="Town Hall").id
    panels.add_case(ctx, meeting, case_id)
    letter_id = build_panel_pack(ctx, meeting).letter_id
    record_pack_sent(ctx, letter_id, sent_to=["Sam Chair"], sent_on=date(2026, 11, 25), method="email")
    return meeting, letter_id


def _closed(ctx, case_id: int) -> None:
    with ctx.unit_of_work() as s:
        s.execute(update(Case).where(Case.id == case_id).values(status="closed", closed_on=date(2026, 11, 24)))


def _found(path: Path) -> dict[str, list[str]]:
    """Each secret found in the database file or its WAL (in UTF-8, as SQLite stores text)."""
    found: dict[str, list[str]] = {}
    for part in (path, Path(str(path) + "-wal")):
        data = part.read_bytes() if part.exists() else b""
        hits = [s for s in SECRETS if s.encode() in data or s.casefold().encode() in data]
        if hits:
            found[part.name] = hits
    return found


@pytest.mark.parametrize("erase", ["anonymise", "delete"])
def test_no_erased_value_is_left_in_the_file_or_the_wal(upstream_sqlite, sqlite_url, erase):
    ctx = make_context(sqlite_url)
    path = Path(ctx.engine.url.database)
    try:
        case_id = _secret_case(ctx)
        meeting, pack = _with_pack(ctx, case_id)
        assert _found(path)  # the values are there to start with (in the WAL while the app is open)
        _closed(ctx, case_id)
        if erase == "anonymise":
            anonymise_case(ctx, case_id, "retention period ended")
        else:
            delete_case(ctx, case_id, "opened in error")
        assert _found(path) == {}  # searched while the app still has the database open
        with ctx.reading() as s:
            assert s.scalar(select(Letter.pdf).where(Letter.id == pack)) is None
            assert s.scalars(select(Document.id).where(Document.case_id == case_id)).all() == []
        [record] = pack_history(ctx, meeting)
        assert record.removed and f"was {erase}d" in record.removed and "produce the pack again" in record.label
        with pytest.raises(ValidationFailed, match="removed"):
            record_pack_sent(ctx, pack, sent_to=["Sam Chair"], sent_on=date(2026, 11, 25), method="email")
    finally:
        ctx.engine.dispose()
