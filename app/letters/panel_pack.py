"""The panel pack as an A4 PDF: a cover page, then each case's summary, threshold and chronology.

Plain data in, PDF bytes out (no database, no Qt). Every page is marked OFFICIAL-SENSITIVE in its
header and its footer, carries "Page X of Y", and uses only the embedded DejaVu Sans.
"""
from __future__ import annotations

import io
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.pdfencrypt import StandardEncryption
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import (BaseDocTemplate, Flowable, Frame, KeepTogether, PageBreak, PageTemplate,
                                Paragraph, Spacer, Table, TableStyle)

from app import APP_NAME
from app.domain.dates import long_form, uk
from app.letters.fonts import BOLD, REGULAR, register_fonts
from app.letters.pdf_parts import HEADER_FILL, RULE, DeferredPagesCanvas, grid_table

MARKING = "OFFICIAL-SENSITIVE"
PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN = 18 * mm
TOP = 26 * mm  # room for the marking and the running title above the text
BOTTOM = 24 * mm  # room for the page number and the marking below it
TEXT_WIDTH = PAGE_WIDTH - 2 * MARGIN
NOTE_FILL = colors.HexColor("#f3f5f7")
GREY = colors.HexColor("#333333")


@dataclass(frozen=True)
class PackMember:
    name: str
    role: str
    agency: str | None = None
    attendance: str = "invited"
    conflict: str | None = None  # the reference of the case the member declared a conflict with


@dataclass(frozen=True)
class PackEvent:
    """One row of the chronology: an incident the applicant reported, or an agency's action."""

    on: date | None
    source: str
    text: str
    counts: str = ""  # for an incident: whether it counts towards the threshold, and if not why


@dataclass(frozen=True)
class PackCase:
    reference: str
    received_on: date
    channel: str
    status: str
    problem_location: str | None
    asb_types: str
    threshold_met: bool | None
    threshold_decided_on: date | None
    threshold_decided_by: str | None
    threshold_reason: str | None
    qualifying_incidents: int
    incidents_needed: int
    chronology: tuple[PackEvent, ...]
    impact_statement: str = ""
    victim_invited: bool = False
    information_considered: str = ""
    findings: tuple[tuple[str, str], ...] = ()  # text, rationale
    recommendations: tuple[tuple[str, str, date | None, str], ...] = ()  # agency, action, due, rationale
    decision: str = ""
    links: tuple[tuple[str, str], ...] = ()  # every linked case: reference, why
    victim: str = ""  # the victim's name (the applicant, when they applied for themselves)
    applicant: str = ""  # who applied, and how they are related to the victim, when someone else did
    vulnerability: str | None = None
    desired_outcome: str | None = None
    perpetrators: tuple[str, ...] = ()
    tenure: str = ""


@dataclass(frozen=True)
class PanelPack:
    council: str
    unit: str
    starts_at: datetime
    place: str | None
    online_link: str | None
    chair: str | None
    members: tuple[PackMember, ...]
    cases: tuple[PackCase, ...]  # agenda order; linked cases are brought together when rendered
    produced_on: date
    produced_by: str  # a name, never a login
    member: str | None = None  # a member's own pack: the cases they declared a conflict in are left out
    left_out: tuple[str, ...] = ()  # references left out of this member's pack


def pack_title(pack: PanelPack) -> str:
    return f"Community Trigger panel pack: meeting of {long_form(pack.starts_at.date())}"


def pack_order(cases: Sequence[PackCase]) -> list[PackCase]:
    """Agenda order, except that cases linked to each other follow one another."""
    by_ref = {c.reference: c for c in cases}
    position = {c.reference: n for n, c in enumerate(cases)}
    seen: set[str] = set()
    out: list[PackCase] = []
    for case in cases:
        if case.reference in seen:
            continue
        group, stack = [], [case.reference]
        while stack:
            ref = stack.pop()
            if ref in seen or ref not in by_ref:
                continue
            seen.add(ref)
            group.append(by_ref[ref])
            stack.extend(r for r, _ in by_ref[ref].links)
        out.extend(sorted(group, key=lambda c: position[c.reference]))
    return out


def render_panel_pack(pack: PanelPack, *, password: str | None = None, owner_password: str | None = None) -> bytes:
    """The pack as PDF bytes; with a password it is encrypted (printing allowed, copying and changes not)."""
    register_fonts()
    title = pack_title(pack)
    encrypt = None
    if password:
        # Without a separate owner password the user's password would lift the restrictions too.
        encrypt = StandardEncryption(password, ownerPassword=owner_password or secrets.token_urlsafe(24),
                                     canPrint=1, canModify=0, canCopy=0, canAnnotate=0, strength=128)
    buffer = io.BytesIO()
    doc = BaseDocTemplate(buffer, pagesize=A4, title=title, author=pack.council,
                          subject=f"{MARKING}: papers for the Community Trigger (ASB Case Review) panel",
                          keywords=MARKING, creator=APP_NAME, lang="en-GB", initialFontName=REGULAR,
                          encrypt=encrypt, leftMargin=MARGIN, rightMargin=MARGIN, topMargin=TOP,
                          bottomMargin=BOTTOM)
    frame = Frame(MARGIN, BOTTOM, TEXT_WIDTH, PAGE_HEIGHT - TOP - BOTTOM, id="body",
                  leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
    doc.addPageTemplates([PageTemplate("page", [frame])])
    s = _styles()
    ordered = pack_order(pack.cases)
    story = _cover(pack, ordered, s)
    for n, case in enumerate(ordered, start=1):
        story += [PageBreak(), _p(f"Agenda item {n} of {len(ordered)}", s["note"]),
                  *_case(case, {c.reference for c in pack.cases}, s)]
    running = f"Panel pack, {long_form(pack.starts_at.date())}"
    doc.build(story, canvasmaker=lambda *a, **k: _MarkedCanvas(*a, running=running, council=pack.council, **k))
    return buffer.getvalue()


def _styles() -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("body", fontName=REGULAR, bulletFontName=REGULAR, fontSize=9.5, leading=12.5,
                          spaceAfter=4)
    return {
        "body": base,
        "title": ParagraphStyle("title", base, fontName=BOLD, fontSize=18, leading=22, spaceAfter=4),
        "subtitle": ParagraphStyle("subtitle", base, fontSize=11.5, leading=15, spaceAfter=2),
        "h1": ParagraphStyle("h1", base, fontName=BOLD, fontSize=15, leading=19, spaceAfter=6),
        "h2": ParagraphStyle("h2", base, fontName=BOLD, fontSize=12, leading=15, spaceBefore=10, spaceAfter=5),
        "cell": ParagraphStyle("cell", base, fontSize=8.5, leading=10.5, spaceAfter=0),
        "cell_head": ParagraphStyle("cell_head", base, fontName=BOLD, fontSize=8.5, leading=10.5, spaceAfter=0),
        "note": ParagraphStyle("note", base, fontSize=8.5, leading=11, textColor=GREY),
        "bullet": ParagraphStyle("bullet", base, leftIndent=12, bulletIndent=2, spaceAfter=3),
        "agenda": ParagraphStyle("agenda", base, leftIndent=18, bulletIndent=2, spaceAfter=3),
    }


def _p(text: str, style: ParagraphStyle) -> Paragraph:
    """A paragraph of plain text: markup characters are escaped and line breaks kept."""
    return Paragraph(escape(text).replace("\n", "<br/>"), style)


def _cover(pack: PanelPack, ordered: list[PackCase], s: dict[str, ParagraphStyle]) -> list[Flowable]:
    when = pack.starts_at
    rows = [("Date", f"{when:%A} {long_form(when.date())}"), ("Time", f"{when:%H:%M}")]
    if pack.place:
        rows.append(("Place", pack.place))
    if pack.online_link:
        rows.append(("Online link", pack.online_link))
    rows.append(("Chair", pack.chair or "not named yet"))
    story: list[Flowable] = [
        _p("Community Trigger (ASB Case Review)", s["subtitle"]),
        _p("Panel pack", s["title"]),
        _p(f"{pack.council}, {pack.unit}", s["subtitle"]), Spacer(1, 6),
        _boxed([_p(f"{MARKING}. This pack holds personal information shared for this case review under "
                   "Schedule 4 to the Anti-social Behaviour, Crime and Policing Act 2014. Share it only with "
                   "panel members who need it, keep it secure, and do not forward it. Declare any conflict "
                   "of interest to the chair before the meeting.", s["body"])], s),
        _p("The meeting", s["h2"]),
        _key_values(rows, s),
        _p("Panel members", s["h2"])]
    if pack.members:
        head = [_p(h, s["cell_head"]) for h in ("Name", "Role", "Agency", "Conflict of interest")]
        body = [[_p(m.name, s["cell"]), _p(m.role.capitalize(), s["cell"]), _p(m.agency or "none", s["cell"]),
                 _p(f"declared: {m.conflict}" if m.conflict else "none declared", s["cell"])] for m in pack.members]
        story.append(_grid([head, *body], [0.28, 0.24, 0.26, 0.22]))
    else:
        story.append(_p("No members have been added to the meeting yet.", s["body"]))
    story.append(_p("Agenda", s["h2"]))
    on_agenda = {c.reference for c in ordered}
    for n, case in enumerate(ordered, start=1):
        linked = [r for r, _ in case.links if r in on_agenda]
        words = case.reference + (f" (linked with {', '.join(linked)})" if linked else "")
        story.append(Paragraph(escape(words), s["agenda"], bulletText=f"{n}."))
    if not ordered:
        story.append(_p("No cases are on the agenda yet.", s["body"]))
    if pack.member:
        words = f"This pack is for {pack.member}."
        if pack.left_out:
            words += (f" It leaves out {', '.join(pack.left_out)}, in which {pack.member} declared a conflict of "
                      "interest.")
        story.append(Spacer(1, 4))
        story.append(_boxed([_p(words, s["body"])], s))
    story.append(Spacer(1, 8))
    story.append(_p(f"Produced on {long_form(pack.produced_on)} by {pack.produced_by}. Each case starts on a "
                    "new page; linked cases follow one another.", s["note"]))
    return story


def _case(case: PackCase, on_agenda: set[str], s: dict[str, ParagraphStyle]) -> list[Flowable]:
    story: list[Flowable] = [_p(f"Case {case.reference}", s["h1"])]
    together = [(r, why) for r, why in case.links if r in on_agenda]
    elsewhere = [(r, why) for r, why in case.links if r not in on_agenda]
    if together or elsewhere:
        lines = []
        if together:
            lines.append("Linked case: this case is linked with " + _refs(together) + ", also on this agenda. "
                         "The linked cases follow one another in this pack and may be reviewed together.")
        if elsewhere:
            lines.append("Also linked with " + _refs(elsewhere) + ", not on this agenda.")
        story += [_boxed([_p(line, s["body"]) for line in lines], s), Spacer(1, 4)]
    rows = [("Reference", case.reference),
            ("Received", f"{long_form(case.received_on)} by {case.channel.lower()}"),
            ("Status", case.status),
            ("The victim", case.victim or "not given")]
    if case.applicant:
        rows.append(("Applied for the victim by", case.applicant))
    if case.tenure:
        rows.append(("The victim's home", case.tenure))
    rows += [("Vulnerability", case.vulnerability or "none recorded"),
             ("Outcome wanted", case.desired_outcome or "not given"),
             ("Alleged perpetrators", "\n".join(case.perpetrators) or "none named"),
             ("Problem location", case.problem_location or "not given"),
             ("Type of ASB", case.asb_types or "not given"),
             ("Victim invited to the panel", "yes" if case.victim_invited else "no")]
    if not case.impact_statement:
        rows.append(("Victim's impact statement", "None given."))
    story += [_p("Case summary", s["h2"]), _key_values(rows, s)]
    story += [_p("Threshold decision", s["h2"]), _key_values(_threshold_rows(case), s)]
    story += _chronology(case, s)
    if case.impact_statement:
        story.append(KeepTogether([_p("Victim's impact statement", s["h2"]), _p(case.impact_statement, s["body"])]))
    story += _findings(case, s)
    return story


def _refs(links: list[tuple[str, str]]) -> str:
    return ", ".join(f"{r} ({why})" if why else r for r, why in links)


def _threshold_rows(case: PackCase) -> list[tuple[str, str]]:
    decision = {True: "Met", False: "Not met", None: "Not decided yet"}[case.threshold_met]
    rows = [("Decision", decision)]
    if case.threshold_decided_on:
        rows.append(("Decided on", long_form(case.threshold_decided_on)))
    if case.threshold_decided_by:
        rows.append(("Decided by", case.threshold_decided_by))
    rows.append(("Reason", case.threshold_reason or "none recorded"))
    rows.append(("Incidents that qualify", f"{case.qualifying_incidents} (the threshold is "
                                           f"{case.incidents_needed})"))
    return rows


def _chronology(case: PackCase, s: dict[str, ParagraphStyle]) -> list[Flowable]:
    heading = _p("Chronology", s["h2"])
    intro = _p("Incidents reported and the actions each agency returned, in date order. An incident is dated "
               "by when it was reported; the last column says whether it counts towards the threshold.", s["note"])
    if not case.chronology:
        return [KeepTogether([heading, _p("No incidents or agency actions are recorded.", s["body"])])]
    head = [_p(h, s["cell_head"]) for h in ("Date", "Source", "What happened", "Counts?")]
    body = [[_p(uk(e.on) or "not given", s["cell"]), _p(e.source, s["cell"]), _p(e.text, s["cell"]),
             _p(e.counts, s["cell"])] for e in case.chronology]
    return [KeepTogether([heading, intro]), _grid([head, *body], [0.12, 0.18, 0.48, 0.22])]


def _findings(case: PackCase, s: dict[str, ParagraphStyle]) -> list[Flowable]:
    heading = _p("Findings and recommendations so far", s["h2"])
    if not (case.findings or case.recommendations or case.decision or case.information_considered):
        return []  # before the meeting there is nothing to show: no heading over an empty last page
    out: list[Flowable] = [heading]
    if case.information_considered:
        out.append(_p(f"Information considered: {case.information_considered}", s["body"]))
    for text, rationale in case.findings:
        words = text + (f" (why: {rationale})" if rationale else "")
        out.append(Paragraph(escape(words), s["bullet"], bulletText="•"))
    if case.decision:
        out.append(_p(f"Panel's decision: {case.decision}", s["body"]))
    if case.recommendations:
        head = [_p(h, s["cell_head"]) for h in ("Agency", "Action", "By", "Rationale")]
        body = [[_p(a, s["cell"]), _p(act, s["cell"]), _p(uk(due) or "not set", s["cell"]), _p(why, s["cell"])]
                for a, act, due, why in case.recommendations]
        out += [Spacer(1, 2), _grid([head, *body], [0.2, 0.38, 0.12, 0.3])]
    return out


def _key_values(rows: list[tuple[str, str]], s: dict[str, ParagraphStyle]) -> Table:
    data = [[_p(k, s["cell_head"]), _p(v, s["cell"])] for k, v in rows]
    table = _grid(data, [0.26, 0.74], header=False)
    table.setStyle(TableStyle([("BACKGROUND", (0, 0), (0, -1), HEADER_FILL)]))
    return table


def _boxed(parts: list[Flowable], s: dict[str, ParagraphStyle]) -> Table:
    table = Table([[parts]], colWidths=[TEXT_WIDTH], hAlign="LEFT")
    table.setStyle(TableStyle([("FONTNAME", (0, 0), (-1, -1), REGULAR), ("BOX", (0, 0), (-1, -1), 0.8, RULE),
                               ("BACKGROUND", (0, 0), (-1, -1), NOTE_FILL), ("LEFTPADDING", (0, 0), (-1, -1), 6),
                               ("RIGHTPADDING", (0, 0), (-1, -1), 6), ("TOPPADDING", (0, 0), (-1, -1), 5),
                               ("BOTTOMPADDING", (0, 0), (-1, -1), 3)]))
    return table


def _grid(rows: list[list[Any]], widths: list[float], *, header: bool = True) -> Table:
    return grid_table(rows, [TEXT_WIDTH * w for w in widths], header=header, split_in_row=True)


class _MarkedCanvas(DeferredPagesCanvas):
    """Marks every page at the top and the bottom, with "Page X of Y"."""

    def __init__(self, *args: Any, running: str = "", council: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._running, self._council = running, council

    def mark_page(self, number: int, total: int) -> None:
        self.saveState()
        self.setFillColor(colors.black)
        self.setFont(BOLD, 9)
        self.drawCentredString(PAGE_WIDTH / 2, PAGE_HEIGHT - 11 * mm, MARKING)
        self.setFont(REGULAR, 8)
        self.setFillColor(GREY)
        self.drawString(MARGIN, PAGE_HEIGHT - 17 * mm, self._running)
        self.drawRightString(PAGE_WIDTH - MARGIN, PAGE_HEIGHT - 17 * mm, self._council)
        self.setStrokeColor(RULE)
        self.setLineWidth(0.5)
        self.line(MARGIN, PAGE_HEIGHT - 19 * mm, PAGE_WIDTH - MARGIN, PAGE_HEIGHT - 19 * mm)
        self.line(MARGIN, 18 * mm, PAGE_WIDTH - MARGIN, 18 * mm)
        self.drawString(MARGIN, 14 * mm, "Community Trigger panel pack")
        self.drawRightString(PAGE_WIDTH - MARGIN, 14 * mm, f"Page {number} of {total}")
        self.setFillColor(colors.black)
        self.setFont(BOLD, 9)
        self.drawCentredString(PAGE_WIDTH / 2, 9 * mm, MARKING)
        self.restoreState()
