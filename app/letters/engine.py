"""The letter engine: an A4 letter as a PDF (ReportLab platypus), letterhead, window address, page numbers."""
from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date
from functools import partial
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import (BaseDocTemplate, Flowable, Frame, KeepTogether, NextPageTemplate,
                                PageBreak, PageTemplate, Paragraph, Spacer)

from app import APP_NAME
from app.domain.dates import long_form
from app.domain.settings import CouncilDetails
from app.letters.pdf_parts import DeferredPagesCanvas
from app.letters.fonts import BOLD, REGULAR, register_fonts
from app.letters.layout import (LATER_TOP, MARGIN_BOTTOM, MARGIN_LEFT, MARGIN_RIGHT, PAGE_HEIGHT,
                                PAGE_WIDTH, SIDE_COLUMN_LEFT, EnvelopeWindow, LetterStyles,
                                letter_styles)
from app.paths import resources_dir

LANGUAGE = "en-GB"


@dataclass(frozen=True)
class Contact:
    """The named officer the recipient deals with."""

    name: str
    phone: str
    email: str


@dataclass(frozen=True)
class Block:
    """One piece of the body. Text is ReportLab paragraph markup (already escaped)."""

    kind: str  # "paragraph", "heading" or "bullets"
    items: tuple[str, ...]


@dataclass(frozen=True)
class LetterContent:
    council: CouncilDetails
    reference: str
    letter_date: date
    recipient_lines: tuple[str, ...]  # name first, then the address, postcode last
    subject: str  # markup
    blocks: tuple[Block, ...]
    contact: Contact
    signatory: str
    signatory_role: str = ""
    sign_off: str = "Yours sincerely"
    marking: str | None = None  # e.g. OFFICIAL-SENSITIVE, printed at the top and foot of every page
    title: str = ""  # PDF title metadata
    large_print: bool = False
    logo: Path | None = field(default=None)
    enclosure_title: str | None = None  # markup: a page sent with the letter (a form to return)
    enclosure: tuple[Block, ...] = ()


def default_logo() -> Path | None:
    """resources/letters/logo.png (or .jpg) when the council has supplied one."""
    for name in ("logo.png", "logo.jpg"):
        path = resources_dir() / "letters" / name
        if path.is_file():
            return path
    return None


def render_letter(content: LetterContent, window: EnvelopeWindow | None = None) -> bytes:
    """The finished letter as PDF bytes.

    A letter that runs over a page is tried again with slightly closer spacing, and the closer one
    is kept when it saves a page: a last page holding only the closing lines reads as an afterthought.
    """
    register_fonts()
    window = window or EnvelopeWindow()
    pdf, pages = _render(content, window, tight=False)
    if pages == 2 and not content.enclosure_title:
        # A one-page letter prints no page number, so its text may come closer to the foot of the page
        # (the handling marking, when there is one, sits below it).
        closer, fewer = _render(content, window, tight=True, bottom=SHORT_BOTTOM)
        if fewer == 1:
            return closer
    if pages > 1:
        closer, fewer = _render(content, window, tight=True)
        if fewer < pages:
            return closer
    return pdf


SHORT_BOTTOM = 15 * mm


def _render(content: LetterContent, window: EnvelopeWindow, *, tight: bool,
            bottom: float = MARGIN_BOTTOM) -> tuple[bytes, int]:
    styles = letter_styles(content.large_print, tight)
    geometry = _first_page(content, styles, window)
    buffer = io.BytesIO()
    doc = BaseDocTemplate(
        buffer, pagesize=(PAGE_WIDTH, PAGE_HEIGHT), title=content.title or _plain(content.subject),
        author=content.council.name, subject=_plain(content.subject), creator=APP_NAME,
        lang=LANGUAGE, initialFontName=REGULAR, leftMargin=MARGIN_LEFT, rightMargin=MARGIN_RIGHT,
        topMargin=LATER_TOP, bottomMargin=bottom)
    width = PAGE_WIDTH - MARGIN_LEFT - MARGIN_RIGHT
    first = Frame(MARGIN_LEFT, bottom, width, geometry.body_top - bottom, id="first",
                  leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
    later = Frame(MARGIN_LEFT, MARGIN_BOTTOM, width, PAGE_HEIGHT - LATER_TOP - MARGIN_BOTTOM,
                  id="later", leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
    doc.addPageTemplates([
        PageTemplate("first", [first], onPage=partial(_draw_first, content, styles, window, geometry)),
        PageTemplate("later", [later], onPage=partial(_draw_later, content, styles)),
    ])
    doc.build(_story(content, styles),
              canvasmaker=partial(_NumberedCanvas, footer_size=styles.small.fontSize))
    return buffer.getvalue(), doc.page


# The story ---------------------------------------------------------------------------------------

def _story(content: LetterContent, styles: LetterStyles) -> list[Flowable]:
    story: list[Flowable] = [NextPageTemplate("later"), Paragraph(content.subject, styles.subject)]
    groups, pending = _groups(content.blocks, styles)
    signature: list[Flowable] = [
        Paragraph(content.sign_off + ",", styles.body),
        Spacer(1, styles.body.fontSize * 1.2),
        Paragraph(f"<b>{escape(content.signatory)}</b>", styles.body)]
    if content.signatory_role:
        signature.append(Paragraph(escape(content.signatory_role), styles.body))
    signature.append(Paragraph(escape(f"{content.council.unit}, {content.council.name}"), styles.body))
    # The closing paragraph travels with the signature, so a page never starts with a lone sign-off;
    # and a short paragraph before it goes too, so that a last page is more than a closing line.
    last = (groups.pop() if groups else []) + pending
    if groups and len(groups[-1]) == 1 and isinstance(groups[-1][0], Paragraph) \
            and groups[-1][0].style is styles.body:
        last = groups.pop() + last
    for group in groups:
        story.append(group[0] if len(group) == 1 else KeepTogether(group))
    story.append(KeepTogether([*last, *signature]))
    if content.enclosure_title:
        story += [PageBreak(), Paragraph(content.enclosure_title, styles.subject)]
        groups, pending = _groups(content.enclosure, styles)
        for group in groups + ([pending] if pending else []):
            story.append(group[0] if len(group) == 1 else KeepTogether(group))
    return story


def _groups(blocks: tuple[Block, ...], styles: LetterStyles) -> tuple[list[list[Flowable]], list[Flowable]]:
    """Groups that must not be split: a heading, or a paragraph ending in ':', goes with what follows."""
    groups: list[list[Flowable]] = []
    pending: list[Flowable] = []
    for block in blocks:
        if block.kind == "heading":
            pending.append(Paragraph(block.items[0], styles.heading))
            continue
        if block.kind == "bullets":
            items = [Paragraph(item, styles.bullet_last if n == len(block.items) - 1 else styles.bullet,
                               bulletText="•") for n, item in enumerate(block.items)]
        else:
            items = [Paragraph(item, styles.body) for item in block.items]
        for item in items:
            pending.append(item)
            if not (isinstance(item, Paragraph) and item.text.rstrip().endswith(":")):
                groups.append(pending)
                pending = []
    return groups, pending


def _plain(markup: str) -> str:
    text = markup.replace("<b>", "").replace("</b>", "")
    return text.replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">")


# The first page: letterhead, window address, reference block ----------------------------------------

@dataclass(frozen=True)
class _Placed:
    flowable: Paragraph
    x: float
    top: float  # PDF y of its top edge
    height: float


@dataclass(frozen=True)
class FirstPageGeometry:
    letterhead: tuple[_Placed, ...]
    side_block: tuple[_Placed, ...]
    logo: tuple[float, float, float, float] | None  # x, y, w, h
    body_top: float  # PDF y where the body frame starts


def _column(window: EnvelopeWindow) -> tuple[float, float]:
    """x and width of the column beside the window (letterhead and reference block)."""
    wx, _, ww, _ = window.rect()
    if wx > PAGE_WIDTH / 2:  # a right-hand window: the column goes on the left
        return MARGIN_LEFT, wx - 8 * mm - MARGIN_LEFT
    x = max(SIDE_COLUMN_LEFT, wx + ww + 6 * mm)
    return x, PAGE_WIDTH - MARGIN_RIGHT - x


def _stack(paragraphs: list[Paragraph], x: float, top: float, width: float) -> list[_Placed]:
    placed = []
    for para in paragraphs:
        _, height = para.wrap(width, PAGE_HEIGHT)
        placed.append(_Placed(para, x, top, height))
        top -= height + para.style.spaceAfter
    return placed


def _first_page(content: LetterContent, styles: LetterStyles, window: EnvelopeWindow) -> FirstPageGeometry:
    council = content.council
    col_x, col_w = _column(window)
    head = [Paragraph(escape(council.name), styles.letterhead_name),
            Paragraph(escape(council.unit), styles.letterhead)]
    # An address line, a phone number or an email is never broken across lines: one that does not fit
    # the column beside the window (large print, a long email) goes full width below the window.
    below: list[Paragraph] = []
    for line in (*council.address_lines, council.postcode, council.phone, council.email, council.website):
        if not line:
            continue
        para = Paragraph(escape(line), styles.letterhead)
        fits = stringWidth(line, styles.letterhead.fontName, styles.letterhead.fontSize) <= col_w
        (head if fits and not below else below).append(para)
    letterhead = _stack(head, col_x, PAGE_HEIGHT - 14 * mm, col_w)
    head_bottom = letterhead[-1].top - letterhead[-1].height
    wx, wy, ww, wh = window.rect()
    full_width = PAGE_WIDTH - MARGIN_LEFT - MARGIN_RIGHT
    c = content.contact
    side = [Paragraph(f"<b>{label}:</b> {_keep_whole(value)}", styles.side)
            for label, value in (("Our reference", content.reference), ("Date", long_form(content.letter_date)),
                                 ("Contact", c.name), ("Phone", c.phone), ("Email", c.email))]
    if styles.large_print or below:
        # Large type does not fit the narrow column: the rest of the letterhead and the reference block
        # go full width below the window.
        top = min(wy, head_bottom) - 6 * mm
        letterhead += _stack(below, MARGIN_LEFT, top, full_width)
        if below:
            top = letterhead[-1].top - letterhead[-1].height - 4 * mm
        if styles.large_print:
            side_block = _stack(side, MARGIN_LEFT, top, full_width)
        else:
            side_block = _stack(side, col_x, min(head_bottom - 5 * mm, wy + wh), col_w)
    else:
        side_block = _stack(side, col_x, min(head_bottom - 5 * mm, wy + wh), col_w)
    side_bottom = side_block[-1].top - side_block[-1].height
    logo = None
    if content.logo is not None:
        reader = ImageReader(str(content.logo))
        iw, ih = reader.getSize()
        room_w = (wx - 6 * mm - MARGIN_LEFT) if col_x < wx else (col_x - 6 * mm - MARGIN_LEFT)
        room_w = min(60 * mm, room_w if room_w > 20 * mm else 60 * mm)
        room_h = min(25 * mm, PAGE_HEIGHT - 12 * mm - (wy + wh) - 4 * mm)
        scale = min(room_w / iw, room_h / ih)
        logo = (MARGIN_LEFT, PAGE_HEIGHT - 12 * mm - ih * scale, iw * scale, ih * scale)
    head_low = min(p.top - p.height for p in letterhead)
    body_top = min(wy, side_bottom, head_low) - 8 * mm
    return FirstPageGeometry(tuple(letterhead), tuple(side_block), logo, body_top)


def _keep_whole(value: str) -> str:
    """A phone number or a date in the reference block stays on one line."""
    return escape(value).replace(" ", "\u00a0")


def address_layout(lines: tuple[str, ...], size: float, window: EnvelopeWindow) -> tuple[float, list[tuple[float, float, str]]]:
    """Font size and (x, y, text) for each address line, shrunk if needed to stay inside the window."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    ax, ay, aw, ah = window.address_area()
    lines = tuple(line for line in lines if line.strip()) or ("",)
    while size > 7:
        leading = size * 1.2
        widest = max(stringWidth(line, BOLD if n == 0 else REGULAR, size) for n, line in enumerate(lines))
        if widest <= aw and leading * (len(lines) - 1) + size <= ah:
            break
        size -= 0.5
    leading = size * 1.2
    top = ay + ah - size  # baseline of the first line
    return size, [(ax, top - n * leading, line) for n, line in enumerate(lines)]


def _draw_first(content: LetterContent, styles: LetterStyles, window: EnvelopeWindow,
                geometry: FirstPageGeometry, canv: Canvas, _doc: Any) -> None:
    canv.saveState()
    for placed in (*geometry.letterhead, *geometry.side_block):
        placed.flowable.drawOn(canv, placed.x, placed.top - placed.height)
    if geometry.logo is not None and content.logo is not None:
        x, y, w, h = geometry.logo
        canv.drawImage(str(content.logo), x, y, w, h, mask="auto")
    size, lines = address_layout(content.recipient_lines, styles.address_size, window)
    for n, (x, y, text) in enumerate(lines):
        canv.setFont(BOLD if n == 0 else REGULAR, size)
        canv.drawString(x, y, text)
    _draw_marking(content, styles, canv)
    canv.restoreState()


def _draw_later(content: LetterContent, styles: LetterStyles, canv: Canvas, _doc: Any) -> None:
    """Continuation header: who wrote, the reference and the date, so a loose page can be matched."""
    canv.saveState()
    size = styles.small.fontSize
    y = PAGE_HEIGHT - LATER_TOP + 8 * mm
    canv.setFont(REGULAR, size)
    canv.drawString(MARGIN_LEFT, y, f"Our reference: {content.reference}")
    canv.drawRightString(PAGE_WIDTH - MARGIN_RIGHT, y, long_form(content.letter_date))
    canv.setLineWidth(0.4)
    canv.line(MARGIN_LEFT, y - 2.5 * mm, PAGE_WIDTH - MARGIN_RIGHT, y - 2.5 * mm)
    _draw_marking(content, styles, canv)
    canv.restoreState()


def _draw_marking(content: LetterContent, styles: LetterStyles, canv: Canvas) -> None:
    if not content.marking:
        return
    canv.setFont(BOLD, styles.small.fontSize)
    canv.drawCentredString(PAGE_WIDTH / 2, PAGE_HEIGHT - 8 * mm, content.marking)
    canv.drawCentredString(PAGE_WIDTH / 2, 8 * mm, content.marking)


class _NumberedCanvas(DeferredPagesCanvas):
    """Adds "Page X of Y" when the letter has more than one page."""

    def __init__(self, *args: Any, footer_size: float = 8.5, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._footer_size = footer_size

    def mark_page(self, number: int, total: int) -> None:
        if total > 1:
            self.setFont(REGULAR, self._footer_size)
            self.drawCentredString(PAGE_WIDTH / 2, 13 * mm, f"Page {number} of {total}")
