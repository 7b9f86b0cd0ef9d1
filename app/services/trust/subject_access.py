"""Subject access requests: find a person, gather what is held about them, redact others, write it out."""
from __future__ import annotations

import functools
import json
import os
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from app.db.models import (Agency, AuditEntry, Case, CasePerpetrator, CaseReview, Document, Finding,
                           Letter, Note, Perpetrator, Person, Recommendation)
from app.domain.application import Problem
from app.domain.roles import Permission
from app.services.common import audit
from app.services.common.context import ServiceContext, retry_read
from app.services.common.errors import NotFound, ServiceError, ValidationFailed
from app.services.common.ops import NOTHING, Changes, Part, Progress, Run, each, stop_if_cancelled
from app.services.trust.redaction import REDACTED, Redactor, Tokens, tokens_of_perpetrator, tokens_of_person

PERSON, PERPETRATOR = "person", "perpetrator"
KINDS = (PERSON, PERPETRATOR)
NOTICE = ("Other people's names, addresses, telephone numbers and email addresses have been replaced by "
          "[redacted]. Free text was redacted automatically for the details the council holds about them; "
          "an officer must read the whole bundle before it is released. Scanned documents are listed, not "
          "included: review them separately.")
# Disclosures the person has a right to know about (who their data went to).
_SINGULAR = {"Your details": "Record", "Cases": "Case", "Incidents": "Incident", "Notes": "Note",
             "Letters to you": "Letter", "Other people": "Person", "Disclosures": "Disclosure",
             "Documents held": "Document", "Recommendations": "Recommendation"}
_LABELS = {"asb_types": "ASB types", "your_role": "Your role", "action_instead": "Action taken instead",
           "happened_between": "Happened between", "file": "File in this bundle"}
_DISCLOSURES = ("letter", "letter sent", "export", "confirmation requests", "information requests")


@dataclass(frozen=True)
class PersonMatch:
    kind: str
    id: int
    name: str
    address: str
    roles: tuple[str, ...]  # "applicant in CT-2026-0001"

    @property
    def roles_text(self) -> str:
        return "; ".join(self.roles) or "not in any case"


@dataclass(frozen=True)
class LetterFile:
    name: str
    pdf: bytes


@dataclass(frozen=True)
class SubjectAccessBundle:
    subject: str
    data: dict[str, Any]  # JSON-serialisable: plain dicts, lists, strings, numbers and booleans
    letters: tuple[LetterFile, ...] = field(default_factory=tuple)
    changes: Changes = NOTHING  # the disclosure is on each case's audit timeline

    @property
    def file_names(self) -> tuple[str, ...]:
        return (JSON_NAME, PDF_NAME, *(letter.name for letter in self.letters))


@dataclass(frozen=True)
class SubjectAccessExport:
    """A bundle exported to a folder: the files written (each whole) and, if stopped, those not started."""
    subject: str
    folder: Path
    written: tuple[Path, ...]
    not_started: tuple[str, ...]  # file names
    changes: Changes

    @property
    def cancelled(self) -> bool:
        return bool(self.not_started)

    def summary(self) -> str:
        return Run(tuple(p.name for p in self.written), self.not_started, self.changes, "files").summary()


def _like(text: str) -> str:
    escaped = text.casefold().strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


@retry_read
def find_people(ctx: ServiceContext, name: str, limit: int = 50) -> list[PersonMatch]:
    """Applicants, victims and alleged perpetrators whose name contains `name` (any case)."""
    ctx.require(Permission.VIEW)
    if len(name.strip()) < 2:
        return []
    pattern = _like(name)
    full = func.lower(func.coalesce(Person.first_name, "") + " " + func.coalesce(Person.last_name, ""))
    with ctx.reading() as session:
        people = session.scalars(select(Person).where(or_(
            full.like(pattern, escape="\\"), func.lower(Person.organisation).like(pattern, escape="\\")))
            .order_by(Person.last_name, Person.first_name, Person.id).limit(limit)).all()
        perps = session.scalars(select(Perpetrator).where(or_(
            func.lower(Perpetrator.name).like(pattern, escape="\\"),
            func.lower(Perpetrator.description).like(pattern, escape="\\")))
            .order_by(Perpetrator.name, Perpetrator.id).limit(limit)).all()
        roles: dict[tuple[str, int], list[str]] = {}
        ids = [p.id for p in people]
        if ids:
            for ref, applicant, victim in session.execute(
                    select(Case.reference, Case.applicant_id, Case.victim_id)
                    .where(or_(Case.applicant_id.in_(ids), Case.victim_id.in_(ids))).order_by(Case.reference)):
                if applicant in ids:
                    roles.setdefault((PERSON, applicant), []).append(f"applicant in {ref}")
                if victim in ids:
                    roles.setdefault((PERSON, victim), []).append(f"victim in {ref}")
        if perps:
            for ref, perp_id in session.execute(
                    select(Case.reference, CasePerpetrator.perpetrator_id).join(Case, Case.id == CasePerpetrator.case_id)
                    .where(CasePerpetrator.perpetrator_id.in_([p.id for p in perps])).order_by(Case.reference)):
                roles.setdefault((PERPETRATOR, perp_id), []).append(f"alleged perpetrator in {ref}")
        found = [PersonMatch(PERSON, p.id, p.display_name, ", ".join([*p.address_lines, p.postcode or ""]).strip(", "),
                             tuple(roles.get((PERSON, p.id), []))) for p in people]
        found += [PersonMatch(PERPETRATOR, p.id, p.name or p.description or "unknown",
                              " ".join((p.address or "").split()), tuple(roles.get((PERPETRATOR, p.id), [])))
                  for p in perps]
        # A search of personal data is a consultation (DPA 2018 s.62): logged, the text with the values.
        audit.record(session, ctx, "search", "people", None, reason=f"subject access search: {len(found)} found",
                     changes={"search": (None, name.strip())})
        return found


def _day(value: date | datetime | None) -> str | None:
    if isinstance(value, datetime):
        return value.isoformat(timespec="minutes")
    return value.isoformat() if value is not None else None


_ISO = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}:\d{2})(?::\d{2})?)?")


def _readable(text: str) -> str:
    """ISO dates in the JSON; dd/mm/yyyy (and hh:mm) on paper."""
    found = _ISO.fullmatch(text)
    if not found:
        return text
    year, month, day, time = found.groups()
    return f"{day}/{month}/{year}" + (f" {time}" if time else "")


def _person_details(p: Person) -> dict[str, Any]:
    return {"name": p.display_name, "title": p.title, "first_name": p.first_name, "last_name": p.last_name,
            "organisation": p.organisation, "address_lines": p.address_lines, "postcode": p.postcode,
            "phone": p.phone, "email": p.email, "preferred_contact": p.preferred_contact,
            "date_of_birth": _day(p.date_of_birth), "accessibility_needs": p.accessibility_needs}


def _perpetrator_details(p: Perpetrator) -> dict[str, Any]:
    return {"name": p.name, "description": p.description, "address": p.address}


def _other(role: str) -> dict[str, str]:
    return {"role": role, "name": REDACTED, "address": REDACTED, "phone": REDACTED, "email": REDACTED}


def export_person(ctx: ServiceContext, kind: str, person_id: int, reason: str, *,
                  same_person_ids: Sequence[int] = (), progress: Progress | None = None) -> SubjectAccessBundle:
    """Everything held about one person, other people redacted; the disclosure is audited with the reason.

    A repeat applicant has one record per application: `same_person_ids` are the other records the
    officer has confirmed are the same person (never matched automatically: a wrong match discloses
    a stranger's data). `progress` counts the cases gathered; a cancel stops before the next one,
    and nothing is disclosed or logged (`Cancelled` is raised).
    """
    ctx.require(Permission.EXPORT)
    problems = []
    if kind not in KINDS:
        problems.append(Problem("kind", f"choose one of {', '.join(KINDS)}"))
    if not (reason or "").strip():
        problems.append(Problem("reason", "give the reason for the export (for example: subject access "
                                "request received on 01/11/2026)"))
    if problems:
        raise ValidationFailed(problems)
    ids = list(dict.fromkeys([person_id, *same_person_ids]))
    council = ctx.settings().council.name
    with ctx.unit_of_work() as session:
        model = Person if kind == PERSON else Perpetrator
        records = session.scalars(select(model).where(model.id.in_(ids)).order_by(model.id)).all()
        if len(records) != len(ids):
            raise NotFound("That person is no longer on record (the case may have been deleted).")
        data, letters = _gather(session, ctx, council, kind, records, progress)
        for case in data["cases"]:
            audit.record(session, ctx, "export", kind, case["_subject_id"], case_id=case["_case_id"],
                         reason=reason.strip())
        if not data["cases"]:
            audit.record(session, ctx, "export", kind, person_id, reason=reason.strip())
        disclosed = [case["_case_id"] for case in data["cases"] if case["_case_id"] is not None]
        for case in data["cases"]:
            del case["_subject_id"], case["_case_id"]
        data["reason"] = reason.strip()
        return SubjectAccessBundle(data["subject"]["name"], data, tuple(letters),
                                   (Changes.of_cases(disclosed, Part.TIMELINE) if disclosed else NOTHING)
                                   | Changes.of(Part.REPORTS))


def _gather(session: Session, ctx: ServiceContext, council: str, kind: str,
            records: Sequence[Any], progress: Progress | None = None) -> tuple[dict, list[LetterFile]]:
    ids = [r.id for r in records]
    if kind == PERSON:
        cases = session.scalars(select(Case).where(or_(Case.applicant_id.in_(ids), Case.victim_id.in_(ids)))
                                .order_by(Case.received_on, Case.id)).all()
        details = [_person_details(r) for r in records]
        own = [tokens_of_person(r) for r in records]
        names = {r.display_name for r in records}
    else:
        cases = session.scalars(select(Case).join(CasePerpetrator, CasePerpetrator.case_id == Case.id)
                                .where(CasePerpetrator.perpetrator_id.in_(ids)).order_by(Case.received_on, Case.id)).all()
        details = [_perpetrator_details(r) for r in records]
        own = [tokens_of_perpetrator(r) for r in records]
        names = set()
    case_ids = [c.id for c in cases]
    perps: dict[int, list[Perpetrator]] = {}
    for case_id, perp in session.execute(select(CasePerpetrator.case_id, Perpetrator)
                                         .join(Perpetrator, Perpetrator.id == CasePerpetrator.perpetrator_id)
                                         .where(CasePerpetrator.case_id.in_(case_ids or [-1]))):
        perps.setdefault(case_id, []).append(perp)
    others: list[Tokens] = []
    for c in cases:
        for p in (c.applicant, c.victim):
            # For an alleged perpetrator every applicant and victim is someone else.
            if p is not None and (kind == PERPETRATOR or p.id not in ids):
                others.append(tokens_of_person(p))
        for perp in perps.get(c.id, []):
            if kind == PERSON or perp.id not in ids:
                others.append(tokens_of_perpetrator(perp))
    redact = Redactor(others, own)
    agencies = dict(session.execute(select(Agency.id, Agency.name)).all())
    letters: list[LetterFile] = []
    out_cases = [_case(session, c, kind, ids, perps.get(c.id, []), names, redact, agencies, letters)
                 for c in each(cases, progress, "cases gathered")]
    stop_if_cancelled(progress, "the subject access bundle", [c.reference for c in cases[:len(out_cases)]],
                      [c.reference for c in cases], "cases")
    data = {"title": "Subject access request", "council": council,
            "generated_at": ctx.now().isoformat(timespec="seconds"), "generated_by": ctx.actor,
            "notice": NOTICE, "subject": {"kind": kind, "name": details[0]["name"] or details[0].get("description"),
                                          "records": details},
            "cases": out_cases}
    return data, letters


def _case(session: Session, c: Case, kind: str, ids: list[int], perps: list[Perpetrator], names: set[str],
          redact: Redactor, agencies: dict[int, str], letters: list[LetterFile]) -> dict[str, Any]:
    if kind == PERSON:
        roles = [r for r, p in (("applicant", c.applicant_id), ("victim", c.victim_id)) if p in ids]
        subject_id = c.applicant_id if c.applicant_id in ids else c.victim_id
    else:
        roles = ["alleged perpetrator"]
        subject_id = next(p.id for p in perps if p.id in ids)
    out: dict[str, Any] = {
        "_case_id": c.id, "_subject_id": subject_id, "reference": c.reference, "your_role": ", ".join(roles),
        "received_on": _day(c.received_on), "channel": c.channel, "status": c.status,
        "asb_types": c.asb_types, "problem_location": redact(c.problem_location.description if c.problem_location else None),
        "threshold_met": c.threshold_met, "threshold_decided_on": _day(c.threshold_decided_on),
        "threshold_reason": redact(c.threshold_reason), "action_instead": redact(c.threshold_not_met_action),
        "not_accepted_reason": redact(c.not_accepted_reason), "withdrawn_on": _day(c.withdrawn_on),
        "panel_completed_on": _day(c.panel_completed_on), "outcome_sent_on": _day(c.outcome_sent_on),
        "closed_on": _day(c.closed_on)}
    if kind == PERSON:  # the applicant's own account; for an alleged perpetrator it is someone else's
        out.update(relationship_to_victim=c.relationship_to_victim, victim_consent=c.victim_consent,
                   consent_to_share=c.consent_to_share, impact=redact(c.impact),
                   vulnerability=redact(c.vulnerability), desired_outcome=redact(c.desired_outcome))
    out["other_people"] = (
        [_other(role) for role, p in (("applicant", c.applicant_id), ("victim", c.victim_id))
         if p is not None and (kind == PERPETRATOR or p not in ids)]
        + [_other("alleged perpetrator") for p in perps if kind == PERSON or p.id not in ids])
    out["incidents"] = [{
        "happened_on": _day(i.occurred_on), "happened_between": [_day(i.occurred_from), _day(i.occurred_to)]
        if i.occurred_from else None, "reported_on": _day(i.reported_on),
        "reported_to": (agencies.get(i.agency_id) if i.agency_id is not None else None) or redact(i.reported_to), "agency_reference": i.agency_reference,
        "how_reported": i.how_reported, "location": redact(i.location), "description": redact(i.description)}
        for i in c.incidents]
    out["notes"] = [{"written_at": n.created_at.isoformat(timespec="minutes"), "text": redact(n.text)}
                    for n in session.scalars(select(Note).where(Note.case_id == c.id).order_by(Note.created_at))]
    out["documents_held"] = [{"title": redact(t), "type": m, "added_at": a.isoformat(timespec="minutes")}
                             for t, m, a in session.execute(select(Document.title, Document.media_type, Document.added_at)
                                                            .where(Document.case_id == c.id).order_by(Document.added_at))]
    out["panel"] = _panel(session, c.id, redact, agencies)
    out["letters_to_you"] = []
    for letter in session.scalars(select(Letter).where(Letter.case_id == c.id, Letter.recipient.in_(names or {""}))
                                  .order_by(Letter.produced_at, Letter.id)):
        name = None
        if letter.pdf:
            name = f"letter-{len(letters) + 1:02d}-{c.reference}-{letter.template}.pdf"
            letters.append(LetterFile(re.sub(r"[^A-Za-z0-9._-]", "-", name), bytes(letter.pdf)))
        out["letters_to_you"].append({"template": letter.template, "produced_at": _day(letter.produced_at),
                                      "sent_on": _day(letter.sent_on), "sent_method": letter.sent_method,
                                      "file": letters[-1].name if name else None})
    out["disclosures"] = [{"at": at.isoformat(timespec="minutes"), "what": action, "details": redact(reason)}
                          for at, action, reason in session.execute(
                              select(AuditEntry.at, AuditEntry.action, AuditEntry.reason)
                              .where(AuditEntry.case_id == c.id, AuditEntry.action.in_(_DISCLOSURES))
                              .order_by(AuditEntry.at, AuditEntry.id))]
    return out


def _panel(session: Session, case_id: int, redact: Redactor, agencies: dict[int, str]) -> dict[str, Any] | None:
    reviews = select(CaseReview.id).where(CaseReview.case_id == case_id)
    findings = [redact(t) for t in session.scalars(select(Finding.text).where(Finding.review_id.in_(reviews))
                                                   .order_by(Finding.id))]
    recommendations = [{"agency": agencies.get(a, ""), "action": redact(t), "status": s}
                       for a, t, s in session.execute(select(Recommendation.agency_id, Recommendation.action,
                                                             Recommendation.status)
                                                      .where(Recommendation.case_id == case_id)
                                                      .order_by(Recommendation.id))]
    return {"findings": findings, "recommendations": recommendations} if findings or recommendations else None


JSON_NAME, PDF_NAME = "subject-access.json", "subject-access.pdf"


def write_bundle(bundle: SubjectAccessBundle, folder: Path) -> list[Path]:
    """subject-access.json, a readable subject-access.pdf, and each letter's PDF exactly as sent."""
    return list(_write_files(bundle, Path(folder), None))


def _write_files(bundle: SubjectAccessBundle, folder: Path, progress: Progress | None) -> Iterator[Path]:
    """Each file written beside its name and moved into place whole, so a stop never leaves half a file."""
    folder.mkdir(parents=True, exist_ok=True)
    contents: dict[str, Callable[[], bytes]] = {
        JSON_NAME: lambda: json.dumps(bundle.data, indent=2, ensure_ascii=False).encode("utf-8"),
        PDF_NAME: lambda: render_pdf(bundle)}
    for letter in bundle.letters:
        contents[letter.name] = functools.partial(bytes, letter.pdf)
    for name in each(list(contents), progress, "files written"):
        path, partial = folder / name, folder / (name + ".part")
        try:
            partial.write_bytes(contents[name]())
            os.replace(partial, path)
        finally:
            partial.unlink(missing_ok=True)
        yield path


def export_subject_access(ctx: ServiceContext, kind: str, person_id: int, reason: str, folder: Path, *,
                          same_person_ids: Sequence[int] = (),
                          progress: Progress | None = None) -> SubjectAccessExport:
    """The whole export as one action: the bundle gathered and its disclosure logged (one unit of work),
    then its files written one by one into `folder`.

    A stop while the cases are gathered discloses nothing (`Cancelled`); a stop while the files are
    written leaves each file whole or not started, and the result names those not started (the
    disclosure is logged: running the export again writes the whole bundle).
    """
    ctx.require(Permission.EXPORT)
    bundle = export_person(ctx, kind, person_id, reason, same_person_ids=same_person_ids, progress=progress)
    folder = Path(folder)
    try:
        written = tuple(_write_files(bundle, folder, progress))
    except OSError as exc:
        raise ServiceError(f"The export is recorded, but {folder} could not be written: "
                           f"{exc.strerror or exc}") from exc
    return SubjectAccessExport(bundle.subject, folder, written, bundle.file_names[len(written):], bundle.changes)


def render_pdf(bundle: SubjectAccessBundle) -> bytes:
    """The same data as the JSON, laid out for reading; drawn with the letters' embedded font."""
    import io
    from xml.sax.saxutils import escape

    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

    from app.letters.fonts import BOLD, REGULAR, register_fonts

    register_fonts()
    styles = getSampleStyleSheet()
    for style in styles.byName.values():
        style.fontName = BOLD if style.name.startswith(("Heading", "Title")) else REGULAR
    story: list[Any] = []

    def label(key: str) -> str:
        return _LABELS.get(key) or key.replace("_", " ").capitalize()

    def show(title: str, value: Any, level: int) -> None:
        if value in (None, "", [], {}):
            return
        heading = styles[f"Heading{min(level, 4)}"]
        if isinstance(value, dict):
            story.append(Paragraph(escape(title), heading))
            for k, v in value.items():
                show(label(k), v, level + 1)
        elif isinstance(value, list) and any(isinstance(v, dict) for v in value):
            story.append(Paragraph(escape(title), heading))
            one = _SINGULAR.get(title, "Item")
            for n, item in enumerate(value, start=1):
                show(f"{one} {item.get('reference') or n}" if isinstance(item, dict) else f"{one} {n}",
                     item, level + 1)
        else:
            text = ", ".join(_readable(str(v)) for v in value if v) if isinstance(value, list) else (
                "Yes" if value is True else "No" if value is False else _readable(str(value)))
            story.append(Paragraph(f"<b>{escape(title)}:</b> {escape(text)}".replace("\n", "<br/>"),
                                   styles["BodyText"]))

    data = bundle.data
    story += [Paragraph(escape(f"{data['title']}: {bundle.subject}"), styles["Title"]),
              Paragraph(escape(f"{data['council']}. Produced {_readable(data['generated_at'][:10])} by "
                               f"{data['generated_by']}."),
                        styles["BodyText"]),
              Paragraph(escape(data["notice"]), styles["Italic"]), Spacer(1, 4 * mm)]
    show("Your details", data["subject"]["records"], 1)
    show("Cases", data["cases"], 1)
    out = io.BytesIO()
    doc = SimpleDocTemplate(out, pagesize=A4, title=f"Subject access request: {bundle.subject}",
                            author=data["council"], leftMargin=20 * mm, rightMargin=20 * mm)
    doc.build(story)
    return out.getvalue()
