"""What the intake form needs besides saving: repeat checks, suggestions, drafts, scans, links."""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Select, delete, func, or_, select

from app.db.models import Case, CaseLink, Document, Draft, Letter, Perpetrator, Person, ProblemLocation
from app.db.models.base import utcnow
from app.domain.workflow import Status
from app.services.common import audit
from app.domain.roles import Permission
from app.services.common.context import ServiceContext, retry_read
from app.services.common.ops import NOTHING, Changes, Part, Saved
from app.services.common.errors import NotFound

from app.services.intake.attachments import ATTACHMENT_TYPES, MAX_ATTACHMENT_BYTES, read_attachment  # noqa: F401


@dataclass(frozen=True)
class PossibleRepeat:
    case_id: int
    reference: str
    applicant: str
    postcode: str | None
    received_on: date
    status: str
    matched_on: str  # "name and postcode", "phone", ...


@dataclass(frozen=True)
class RepeatQuery:
    """One person's details as typed, to look for in earlier cases (the applicant's, or the victim's)."""

    surname: str = ""
    postcode: str = ""
    phone: str = ""
    address: str = ""  # the address as typed, one line per line: the first line is compared


def _first_line(address: str) -> str:
    line = next((part for part in address.splitlines() if part.strip()), "")
    return " ".join(line.lower().replace(",", " ").split())


def _person_tests(q: RepeatQuery) -> list[Any]:
    tests: list[Any] = []
    postcode_key = q.postcode.replace(" ", "").upper()
    digits = "".join(ch for ch in q.phone if ch.isdigit())
    surname = q.surname.strip()
    if len(postcode_key) >= 5:
        tests.append(func.replace(Person.postcode, " ", "") == postcode_key)
    if len(digits) >= 6:
        tests.append(func.replace(Person.phone, " ", "") == digits)
    outward = q.postcode.strip().upper().split(" ")[0] if " " in q.postcode.strip() else ""
    if len(surname) >= 2 and outward:
        # The same surname in the same postcode district: likely the same household or street.
        tests.append((func.lower(Person.last_name) == surname.lower()) & Person.postcode.like(f"{outward} %"))
    typed = next((part.strip() for part in q.address.splitlines() if part.strip()), "")
    if len(_first_line(typed)) >= 8:
        tests.append(func.lower(Person.address).startswith(typed.lower(), autoescape=True))
    return tests


def _reasons(person: Person, q: RepeatQuery) -> list[str]:
    reasons = []
    postcode_key = q.postcode.replace(" ", "").upper()
    digits = "".join(ch for ch in q.phone if ch.isdigit())
    if postcode_key and person.postcode and person.postcode.replace(" ", "").upper() == postcode_key:
        reasons.append("same postcode")
    if digits and person.phone and person.phone.replace(" ", "") == digits:
        reasons.append("same phone")
    if q.surname.strip() and (person.last_name or "").lower() == q.surname.strip().lower():
        reasons.append("same surname")
    line = _first_line(q.address)
    if len(line) >= 8 and _first_line(person.address or "") == line:
        reasons.append("same address")
    return reasons


@retry_read
def find_possible_repeats(ctx: ServiceContext, *, surname: str = "", postcode: str = "",
                          phone: str = "", address: str = "", victim: RepeatQuery | None = None,
                          limit: int = 20) -> list[PossibleRepeat]:
    """Earlier cases for the same person or address, the applicant's or (on an application made on
    someone's behalf) the victim's. A repeat is normal: it is linked, never blocked."""
    ctx.require(Permission.VIEW)
    queries = [("", RepeatQuery(surname, postcode, phone, address))]
    if victim is not None:
        queries.append(("victim's ", victim))
    tests = [t for _, q in queries for t in _person_tests(q)]
    if not tests:
        return []
    with ctx.reading() as session:
        people = select(Person.id).where(or_(*tests))
        rows = session.execute(
            select(Case.id, Case.reference, Case.received_on, Case.status, Person)
            .join(Person, or_(Case.applicant_id == Person.id, Case.victim_id == Person.id))
            .where(Person.id.in_(people)).order_by(Case.received_on.desc()).limit(limit * 3)).all()
        found: dict[int, tuple[str, str, date, str, Person, list[str]]] = {}
        for case_id, reference, received_on, status, person in rows:
            reasons = [f"{whose}{reason}" for whose, q in queries for reason in _reasons(person, q)]
            if not reasons:
                continue  # an address that only begins with the line typed ("12 Example Roadside")
            if case_id in found:
                found[case_id][5].extend(r for r in reasons if r not in found[case_id][5])
                continue
            found[case_id] = (reference, person.display_name, received_on, status, person, reasons)
        out = [PossibleRepeat(case_id, reference, name, person.postcode, received_on, status, ", ".join(reasons))
               for case_id, (reference, name, received_on, status, person, reasons) in list(found.items())[:limit]]
        searched = " | ".join(v for _, q in queries for v in (q.surname.strip(), q.postcode.strip(),
                                                               q.phone.strip(), _first_line(q.address)) if v)
        audit.record(session, ctx, "search", "people", None, reason=f"repeat check: {len(out)} earlier case(s)",
                     changes={"search": (None, searched)})
        return out


@retry_read
def suggest(ctx: ServiceContext, kind: str, text: str, limit: int = 10) -> list[str]:
    """Existing values offered while typing: 'location', 'perpetrator', 'address'."""
    ctx.require(Permission.VIEW)
    text = text.strip()
    if len(text) < 2:
        return []
    pattern = f"%{text.lower()}%"
    query: Select[str | None]
    with ctx.reading() as session:
        if kind == "location":
            query = select(ProblemLocation.description).where(ProblemLocation.search_key.like(pattern))
        elif kind == "perpetrator":
            query = select(func.coalesce(Perpetrator.name, Perpetrator.description)).where(
                or_(func.lower(Perpetrator.name).like(pattern), func.lower(Perpetrator.description).like(pattern)))
        elif kind == "address":
            query = select(Perpetrator.address).where(func.lower(Perpetrator.address).like(pattern))
        else:
            raise ValueError(kind)
        return sorted({v for v in session.scalars(query.limit(limit * 3)) if v})[:limit]


# Drafts ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class DraftInfo:
    id: int
    kind: str
    updated_at: datetime
    payload: dict[str, Any]


def save_draft(ctx: ServiceContext, kind: str, payload: dict[str, Any], draft_id: int | None = None) -> Saved:
    ctx.require(Permission.CHANGE_CASES)
    with ctx.unit_of_work() as session:
        draft = session.get(Draft, draft_id) if draft_id else None
        if draft is None:
            draft = Draft(owner=ctx.actor, kind=kind, payload="{}")
            session.add(draft)
        draft.payload = json.dumps(payload)
        draft.updated_at = utcnow()
        session.flush()
        return Saved(draft.id, Changes.of(Part.DRAFTS))


@retry_read
def list_drafts(ctx: ServiceContext, kind: str | None = None) -> list[DraftInfo]:
    ctx.require(Permission.VIEW)
    if not ctx.may(Permission.CHANGE_CASES):
        return []  # a user who may not create cases has no drafts
    with ctx.reading() as session:
        query = select(Draft).where(Draft.owner == ctx.actor).order_by(Draft.updated_at.desc())
        if kind:
            query = query.where(Draft.kind == kind)
        return [DraftInfo(d.id, d.kind, d.updated_at, json.loads(d.payload)) for d in session.scalars(query)]


def discard_draft(ctx: ServiceContext, draft_id: int) -> Changes:
    """A user's own draft only: nobody removes a colleague's unsaved work."""
    ctx.require(Permission.CHANGE_CASES)
    with ctx.unit_of_work() as session:
        session.execute(delete(Draft).where(Draft.id == draft_id, Draft.owner == ctx.actor))
        return Changes.of(Part.DRAFTS)


# Scans, links and the letter queue ------------------------------------------------------------------

def attach_document(ctx: ServiceContext, case_id: int, source: Path, title: str | None = None) -> Saved:
    """Copy a scan into the database; the user's path is only read, never stored or trusted."""
    ctx.require(Permission.CHANGE_CASES)
    scan = read_attachment(Path(source))
    with ctx.unit_of_work() as session:
        if session.get(Case, case_id) is None:
            raise NotFound("That case no longer exists.")
        doc = Document(case_id=case_id, title=(title or scan.name)[:300], media_type=scan.media_type,
                       size=len(scan.content), content=scan.content, added_by=ctx.actor)
        session.add(doc)
        session.flush()
        audit.record(session, ctx, "attach", "document", doc.id, case_id=case_id)
        return Saved(doc.id, Changes.of_case(case_id, Part.NOTES, Part.TIMELINE))


def link_cases(ctx: ServiceContext, case_id: int, other_id: int, reason: str) -> Changes:
    ctx.require(Permission.CHANGE_CASES)
    if case_id == other_id:
        return NOTHING
    low, high = sorted((case_id, other_id))
    with ctx.unit_of_work() as session:
        exists = session.scalar(select(CaseLink.id).where(CaseLink.case_id == low, CaseLink.linked_case_id == high))
        if exists:
            return NOTHING
        session.add(CaseLink(case_id=low, linked_case_id=high, reason=reason, created_by=ctx.actor))
        audit.record(session, ctx, "link", "case", case_id, case_id=case_id, reason=f"linked to case {other_id}")
        return Changes.of_cases([case_id, other_id], Part.RELATED, Part.TIMELINE)


def queue_letter(ctx: ServiceContext, case_id: int, template: str) -> Saved:
    """Put a letter on the case's list of letters to produce (the letters screen renders it)."""
    ctx.require(Permission.CHANGE_CASES)
    with ctx.unit_of_work() as session:
        case = session.get(Case, case_id)
        if case is None:
            raise NotFound("That case no longer exists.")
        letter = Letter(case_id=case_id, template=template, recipient=case.applicant.display_name,
                        pdf=None, produced_by=ctx.actor, queued=True)
        session.add(letter)
        session.flush()
        audit.record(session, ctx, "queue letter", "letter", letter.id, case_id=case_id, reason=template)
        return Saved(letter.id, Changes.of_case(case_id, Part.LETTERS, Part.TIMELINE))


@retry_read
def awaiting_consent_cases(ctx: ServiceContext) -> int:
    ctx.require(Permission.VIEW)
    with ctx.reading() as session:
        return session.scalar(select(func.count()).select_from(Case)
                              .where(Case.status == Status.AWAITING_CONSENT)) or 0


def document_content(ctx: ServiceContext, document_id: int) -> tuple[str, bytes]:
    """A stored document's title and exact bytes (saving a copy is a disclosure: it is audited)."""
    ctx.require(Permission.EXPORT)
    with ctx.unit_of_work() as session:
        doc = session.get(Document, document_id)
        if doc is None:
            raise NotFound("That document no longer exists.")
        audit.record(session, ctx, "export", "document", doc.id, case_id=doc.case_id, reason="copy saved")
        return doc.title, doc.content
