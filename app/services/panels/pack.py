"""The panel pack: produced for a meeting, kept exactly as produced, its disclosure and sending audited."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select

from app.db.models import AuditEntry, AuditValue, Letter, PanelMeeting, User
from app.domain.application import Channel, Problem
from app.domain.dates import long_form
from app.domain.roles import Permission
from app.letters.panel_pack import PackCase, PackEvent, PackMember, PanelPack, render_panel_pack
from app.services.common import audit
from app.services.panels import meetings as panels
from app.services.cases.case_page import CaseDetail, load_case
from app.services.common.context import ServiceContext, retry_read
from app.services.common.errors import NotFound, ValidationFailed
from app.services.common.ops import Changes, Done, Part, Progress, each, stop_if_cancelled
from app.services.common.names import UserNames
from app.services.cases.steps import SEND_METHODS
from app.services.cases.tenure import tenure_words
from app.services.letters.parties import RELATIONSHIP_PHRASES

TEMPLATE = "panel-pack"
RECIPIENT = "Panel members"
REASON = "panel pack"
_PRODUCED = "panel-pack produced"
_PROTECTED = "panel-pack produced, password protected"
PACK_REMOVED = "pack removed"  # written by retention (app/services/trust/retention.py) when a case in it is erased


@dataclass(frozen=True)
class PackSending:
    sent_on: date
    method: str
    sent_to: str  # the names, comma-separated, as recorded
    recorded_by: str
    recorded_at: datetime


@dataclass(frozen=True)
class PackRecord:
    letter_id: int
    produced_at: datetime
    produced_by: str
    password_protected: bool
    sendings: tuple[PackSending, ...]
    removed: str | None = None  # why the PDF is gone (a case in it was anonymised or deleted)

    @property
    def label(self) -> str:
        words = f"Produced {self.produced_at:%d/%m/%Y %H:%M} by {self.produced_by}"
        words += ", password protected" if self.password_protected else ""
        return words + (f"; removed: {self.removed}" if self.removed else "")


@dataclass(frozen=True)
class PackBuilt:
    letter_id: int
    pdf: bytes
    left_out: tuple[str, ...]  # references left out of a member's own pack (conflict of interest)
    changes: Changes


def build_panel_pack(ctx: ServiceContext, meeting_id: int, *, password: str | None = None,
                     member_id: int | None = None, progress: Progress | None = None) -> PackBuilt:
    """Render the meeting's pack, keep it as a letter of the meeting, audit it per case (one unit of work).

    With `member_id`, the pack is that member's own: the cases in which they declared a conflict of
    interest are left out (and not disclosed to them). `progress` counts the cases gathered; a
    cancel stops before the next case and nothing is kept or audited (`Cancelled` is raised).
    """
    ctx.require(Permission.MANAGE_PANELS)
    with ctx.unit_of_work() as session:
        detail = panels.meeting_detail(ctx, meeting_id)
        if not detail.agenda:
            raise ValidationFailed([Problem("agenda", "there are no cases on the agenda, so there is no pack to "
                                                      "produce")])
        member = None
        if member_id is not None:
            member = next((a for a in detail.attendees if a.id == member_id), None)
            if member is None:
                raise NotFound("That member is not on this meeting's list.")
        left_out = tuple(sorted({a.conflict_reference for a in detail.attendees
                                 if member is not None and a.id == member.id and a.conflict_reference}))
        agenda = [item for item in detail.agenda if item.reference not in left_out]
        if not agenda:
            raise ValidationFailed([Problem("member", f"{member.name if member else 'This member'} declared a "
                                                      "conflict in every case on the agenda: there is no pack for them")])
        names = {login.casefold(): name for login, name in session.execute(select(User.login, User.display_name))
                 if name and name.strip()}
        cases = [(item, load_case(ctx, item.case_id, record_view=False))
                 for item in each(agenda, progress, "cases gathered for the pack")]
        stop_if_cancelled(progress, "the panel pack", [item.reference for item, _case in cases],
                          [item.reference for item in agenda], "cases")
        council = ctx.settings().council
        pack = PanelPack(
            council=council.name, unit=council.unit, starts_at=detail.starts_at, place=detail.place,
            online_link=detail.online_link, chair=detail.chair,
            members=tuple(PackMember(a.name, a.role, a.agency, a.attendance, a.conflict_reference)
                          for a in detail.attendees),
            cases=tuple(_pack_case(item, case, names) for item, case in cases), produced_on=ctx.today(),
            produced_by=names.get(ctx.actor.casefold(), ctx.actor), member=member.name if member else None,
            left_out=left_out)
        pdf = render_panel_pack(pack, password=password or None)
        letter = Letter(case_id=None, meeting_id=meeting_id, template=TEMPLATE,
                        recipient=member.name if member else RECIPIENT, pdf=pdf,
                        produced_at=ctx.now(), produced_by=ctx.actor, queued=False)
        session.add(letter)
        session.flush()
        note = _PROTECTED if password else _PRODUCED
        audit.record(session, ctx, "letter", "letter", letter.id,
                     reason=note + (f", for one member, {len(left_out)} case(s) left out (conflict of interest)"
                                    if member else ""))
        for item, _case in cases:  # each case's record shows that its details went into the pack
            audit.record(session, ctx, "export", "letter", letter.id, case_id=item.case_id, reason=REASON)
        # The meeting's pack history, and the audit timeline of every case in the pack.
        changed = (Changes.of(Part.MEETINGS, meetings=[meeting_id])
                   | Changes.of_cases([item.case_id for item, _case in cases], Part.TIMELINE))
        return PackBuilt(letter.id, pdf, left_out, changed)


def meeting_on(ctx: ServiceContext, day: date) -> int:
    """The meeting held (or planned) on a date, for the command line's `panel-pack DATE`."""
    ctx.require(Permission.VIEW)
    start = datetime.combine(day, datetime.min.time())
    with ctx.reading() as session:
        ids = list(session.scalars(select(PanelMeeting.id).where(
            PanelMeeting.starts_at >= start, PanelMeeting.starts_at < start + timedelta(days=1))
            .order_by(PanelMeeting.starts_at)))
    if not ids:
        raise NotFound(f"There is no panel meeting on {long_form(day)}.")
    if len(ids) > 1:
        raise ValidationFailed([Problem("date", f"there are {len(ids)} panel meetings on {long_form(day)}; "
                                                "produce the pack from the Panel meetings section")])
    return ids[0]


def _pack_case(item: panels.AgendaItem, case: CaseDetail, names: dict[str, str]) -> PackCase:
    incidents = [PackEvent(i.reported_on, i.agency_name or i.reported_to or "not given",
                           _incident_text(i.number, i.happened, i.description, i.location, i.confirmation),
                           "Counts" if i.qualifies else f"Does not count: {i.reason}")
                 for i in case.incidents]
    actions = [PackEvent(a.on, a.source, a.text) for a in case.actions]
    # Same order as the case page's chronology: by date, incidents before actions on the same day.
    chronology = sorted(incidents + actions, key=lambda e: e.on or date.min)
    links = tuple((r.reference, r.why.removeprefix("linked").lstrip(": ").strip())
                  for r in case.related if r.why.startswith("linked"))
    return PackCase(
        reference=case.reference, received_on=case.received_at.date(), channel=_channel(case.channel),
        status=case.status.label, problem_location=case.problem_location, asb_types=case.asb_types,
        threshold_met=case.threshold_met, threshold_decided_on=case.threshold_decided_on,
        threshold_decided_by=names.get((case.threshold_decided_by or "").casefold(), case.threshold_decided_by),
        threshold_reason=case.threshold_reason,
        qualifying_incidents=case.qualifying_incidents, incidents_needed=case.incidents_needed,
        chronology=tuple(chronology), impact_statement=item.impact_statement, victim_invited=item.victim_invited,
        information_considered=item.information_considered, findings=item.findings,
        recommendations=item.recommendations, decision=item.decision, links=links,
        victim=(case.victim or case.applicant).name,
        applicant=(f"{case.applicant.name}, {RELATIONSHIP_PHRASES.get(case.relationship or '', 'someone acting for the victim')}"
                   if case.victim else ""),
        vulnerability=case.vulnerability, desired_outcome=case.desired_outcome,
        perpetrators=tuple(f"{who}, of {address}" if address else who for who, address, _refs in case.perpetrators),
        tenure=tenure_words(case.victim_tenure, case.victim_landlord) if case.victim_tenure else "",
        assessment=case.assessment, decision_rules=case.decision_rules or "",
        victim_part=victim_part_words(item.victim_part, item.victim_part_reason))


def victim_part_words(part: str, reason: str) -> str:
    from app.services.panels.victim import VICTIM_PARTS
    if not part:
        return ""
    words = VICTIM_PARTS.get(part, part).replace(" (say why)", "")
    return f"{words}: {reason}" if part == "not_invited" and reason else words


def _incident_text(number: int, happened: str, description: str | None, location: str | None,
                   confirmation: str) -> str:
    text = f"Incident {number} (happened {happened}): {description or 'no description'}"
    if location:
        text += f" Location: {location}."
    checked = {"confirmed": "the agency confirmed the report", "not found": "the agency found no record",
               "awaiting": "awaiting the agency's confirmation"}.get(confirmation)
    return text + (f" ({checked})" if checked else "")


def _channel(value: str) -> str:
    try:
        return Channel(value).label
    except ValueError:
        return value


def record_pack_sent(ctx: ServiceContext, letter_id: int, *, sent_to: list[str], sent_on: date,
                     method: str) -> Done:
    """Who the pack went to, when and how. A pack may go out more than once (a member added late)."""
    ctx.require(Permission.MANAGE_PANELS)
    names = [n.strip() for n in sent_to if n.strip()]
    problems = [] if names else [Problem("sent_to", "say who the pack was sent to")]
    if method not in SEND_METHODS:
        problems.append(Problem("method", f"choose how it was sent: {', '.join(SEND_METHODS)}"))
    if sent_on > ctx.today():
        problems.append(Problem("sent_on", "the date sent cannot be in the future"))
    with ctx.unit_of_work() as session:
        letter = session.get(Letter, letter_id)
        if letter is None or letter.template != TEMPLATE:
            raise NotFound("That panel pack no longer exists.")
        if session.scalar(select(Letter.pdf.is_(None)).where(Letter.id == letter_id)):
            raise ValidationFailed([Problem("pack", "this pack was removed because a case in it was anonymised or "
                                                    "deleted: produce the pack again")])
        if sent_on < letter.produced_at.date():
            problems.append(Problem("sent_on", "the pack cannot be sent before it was produced "
                                               f"({long_form(letter.produced_at.date())})"))
        if problems:
            raise ValidationFailed(problems)
        if letter.sent_on is None:  # the letter keeps its first sending; every sending is in the log
            letter.sent_on, letter.sent_method, letter.sent_by = sent_on, method, ctx.actor
        audit.record(session, ctx, "letter sent", "letter", letter.id, reason=REASON,
                     changes={"sent_to": (None, ", ".join(names)), "sent_on": (None, sent_on),
                              "sent_method": (None, method)})
        case_ids = sorted(case_id for case_id in session.scalars(select(AuditEntry.case_id).where(
            AuditEntry.entity == "letter", AuditEntry.entity_id == letter.id, AuditEntry.action == "export",
            AuditEntry.case_id.is_not(None)).distinct()) if case_id is not None)
        for case_id in case_ids:  # the disclosure shows on each case (subject access lists it)
            audit.record(session, ctx, "letter sent", "letter", letter.id, case_id=case_id,
                         reason=f"{REASON} sent by {method} on {sent_on.isoformat()} to {len(names)} "
                                f"{'person' if len(names) == 1 else 'people'}")
        meetings = [letter.meeting_id] if letter.meeting_id is not None else []
        return Done(Changes.of_cases(case_ids, Part.TIMELINE) | Changes.of(Part.MEETINGS, meetings=meetings),
                    f"Recorded as sent to {', '.join(names)}.")


@retry_read
def pack_history(ctx: ServiceContext, meeting_id: int) -> list[PackRecord]:
    """The packs produced for a meeting, newest first, each with every sending recorded (three queries)."""
    ctx.require(Permission.VIEW)
    with ctx.reading() as session:
        letters = list(session.execute(
            select(Letter.id, Letter.produced_at, Letter.produced_by)
            .where(Letter.meeting_id == meeting_id, Letter.template == TEMPLATE)
            .order_by(Letter.produced_at.desc(), Letter.id.desc())))
        ids = [row.id for row in letters]
        entries = list(session.scalars(select(AuditEntry).where(
            AuditEntry.entity == "letter", AuditEntry.entity_id.in_(ids), AuditEntry.case_id.is_(None),
            AuditEntry.action.in_(("letter", "letter sent", PACK_REMOVED))).order_by(AuditEntry.at, AuditEntry.id))) if ids else []
        removed = {e.entity_id: e.reason for e in entries if e.action == PACK_REMOVED}
        values: dict[int, dict[str, str | None]] = {}
        sent_ids = [e.id for e in entries if e.action == "letter sent"]
        if sent_ids:
            for v in session.scalars(select(AuditValue).where(AuditValue.audit_id.in_(sent_ids))):
                values.setdefault(v.audit_id, {})[v.field] = v.after
        protected = {e.entity_id for e in entries if e.action == "letter" and e.reason == _PROTECTED}
        name = UserNames(session)
        sendings: dict[int, list[PackSending]] = {}
        for e in entries:
            got = values.get(e.id, {})
            if e.action != "letter sent" or not got.get("sent_on"):
                continue
            sendings.setdefault(e.entity_id or 0, []).append(PackSending(
                date.fromisoformat(got["sent_on"] or ""), got.get("sent_method") or "", got.get("sent_to") or "",
                name(e.actor), e.at))
        return [PackRecord(row.id, row.produced_at, name(row.produced_by), row.id in protected,
                           tuple(sendings.get(row.id, ())), removed.get(row.id)) for row in letters]
