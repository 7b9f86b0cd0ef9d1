"""The OPCC referral pack as an A4 PDF: the request for review on its own page, then the case as the
panel pack shows it (summary, decision with its assessment, chronology, findings, recommendations).

Plain data in, PDF bytes out; every page marked OFFICIAL-SENSITIVE with "Page X of Y".
"""
from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date
from typing import Any

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, PageBreak, PageTemplate, Paragraph

from app import APP_NAME
from app.domain.dates import long_form
from app.letters.fonts import BOLD, REGULAR, register_fonts
from app.letters.panel_pack import (BOTTOM, GREY, MARGIN, MARKING, PAGE_HEIGHT, PAGE_WIDTH, TEXT_WIDTH, TOP,
                                    PackCase, _boxed, _case, _key_values, _p, _styles)
from app.letters.pdf_parts import RULE, DeferredPagesCanvas


@dataclass(frozen=True)
class ReferralRequest:
    requested_on: date
    requested_by: str
    on_behalf_of: str | None  # the victim, when someone else asked for them
    decision_queried: str  # in words
    grounds: tuple[str, ...]  # the set grounds, in words
    grounds_text: str
    review_due: date | None


@dataclass(frozen=True)
class ReferralPack:
    council: str
    unit: str
    opcc: str
    request: ReferralRequest
    case: PackCase
    produced_on: date
    produced_by: str


def render_referral_pack(pack: ReferralPack) -> bytes:
    register_fonts()
    title = f"Community Trigger referral to the {pack.opcc}: {pack.case.reference}"
    buffer = io.BytesIO()
    doc = BaseDocTemplate(buffer, pagesize=A4, title=title, author=pack.council,
                          subject=f"{MARKING}: a request for review of a Community Trigger decision",
                          keywords=MARKING, creator=APP_NAME, lang="en-GB", initialFontName=REGULAR,
                          leftMargin=MARGIN, rightMargin=MARGIN, topMargin=TOP, bottomMargin=BOTTOM)
    frame = Frame(MARGIN, BOTTOM, TEXT_WIDTH, PAGE_HEIGHT - TOP - BOTTOM, id="body",
                  leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
    doc.addPageTemplates([PageTemplate("page", [frame])])
    s = _styles()
    story: list[Flowable] = [
        _p("Community Trigger (ASB Case Review)", s["subtitle"]),
        _p("Referral pack: request for review", s["title"]),
        _p(f"From {pack.council}, {pack.unit}, to the {pack.opcc}", s["subtitle"]),
        _boxed([_p(f"{MARKING}. This pack holds personal information shared for the review of a Community "
                   "Trigger decision under Schedule 4 to the Anti-social Behaviour, Crime and Policing Act 2014 "
                   "and the council's procedure. Share it only with those who need it for the review and keep "
                   "it secure.", s["body"])], s),
        _p("The request", s["h2"]), _key_values(_request_rows(pack.request), s),
        _p("Grounds", s["h2"])]
    story += [Paragraph(g, s["bullet"], bulletText="•") for g in pack.request.grounds] or [
        _p("No set grounds were chosen.", s["body"])]
    if pack.request.grounds_text:
        story.append(_p(pack.request.grounds_text, s["body"]))
    story.append(_p(f"Produced on {long_form(pack.produced_on)} by {pack.produced_by}.", s["note"]))
    story += [PageBreak(), *_case(pack.case, {pack.case.reference}, s)]
    running = f"Referral pack, {pack.case.reference}"
    doc.build(story, canvasmaker=lambda *a, **k: _Marked(*a, running=running, council=pack.council, **k))
    return buffer.getvalue()


def _request_rows(r: ReferralRequest) -> list[tuple[str, str]]:
    rows = [("Asked on", long_form(r.requested_on)), ("Asked by", r.requested_by)]
    if r.on_behalf_of:
        rows.append(("On behalf of", r.on_behalf_of))
    rows.append(("Decision queried", r.decision_queried))
    if r.review_due:
        rows.append(("Outcome due", long_form(r.review_due)))
    return rows


class _Marked(DeferredPagesCanvas):
    def __init__(self, *args: Any, running: str = "", council: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._running, self._council = running, council

    def mark_page(self, number: int, total: int) -> None:
        self.saveState()
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
        self.drawString(MARGIN, 14 * mm, "Community Trigger referral pack")
        self.drawRightString(PAGE_WIDTH - MARGIN, 14 * mm, f"Page {number} of {total}")
        self.setFillColor(colors.black)
        self.setFont(BOLD, 9)
        self.drawCentredString(PAGE_WIDTH / 2, 9 * mm, MARKING)
        self.restoreState()
