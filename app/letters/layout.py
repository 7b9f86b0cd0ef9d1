"""Page geometry and type styles for letters: the envelope window, margins, normal and large print."""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm

from app.letters.fonts import BOLD, REGULAR

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN_LEFT = 20 * mm
MARGIN_RIGHT = 20 * mm
MARGIN_BOTTOM = 22 * mm  # leaves room for the page number and the handling marking
LATER_TOP = 28 * mm  # later pages start below the continuation header
SIDE_COLUMN_LEFT = 116 * mm  # letterhead and reference block, to the right of the window
ADDRESS_INSET = 3 * mm  # keeps the address clear of the window's edges when the letter shifts


@dataclass(frozen=True)
class EnvelopeWindow:
    """Where the envelope's window is, measured from the top-left corner of the folded A4 sheet.

    The default suits a DL envelope with a left window (left 20 mm, top 50 mm, 90 x 35 mm).
    """

    left_mm: float = 20.0
    top_mm: float = 50.0
    width_mm: float = 90.0
    height_mm: float = 35.0

    def rect(self) -> tuple[float, float, float, float]:
        """(x, y, width, height) in points, PDF coordinates (origin bottom-left)."""
        x = self.left_mm * mm
        y = PAGE_HEIGHT - (self.top_mm + self.height_mm) * mm
        return x, y, self.width_mm * mm, self.height_mm * mm

    def address_area(self) -> tuple[float, float, float, float]:
        """The part of the window the address is printed in (inset from every edge)."""
        x, y, w, h = self.rect()
        return x + ADDRESS_INSET, y + ADDRESS_INSET, w - 2 * ADDRESS_INSET, h - 2 * ADDRESS_INSET


@dataclass(frozen=True)
class LetterStyles:
    body: ParagraphStyle
    heading: ParagraphStyle
    bullet: ParagraphStyle
    bullet_last: ParagraphStyle  # the last bullet of a list: a paragraph's space after it
    subject: ParagraphStyle
    side: ParagraphStyle  # reference block beside the window (below it in large print)
    side_bold: ParagraphStyle
    letterhead: ParagraphStyle
    letterhead_name: ParagraphStyle
    small: ParagraphStyle  # continuation header, page numbers, marking
    address_size: float
    large_print: bool


@lru_cache(maxsize=4)
def letter_styles(large_print: bool = False, tight: bool = False) -> LetterStyles:
    """11 pt body for ordinary letters; 16 pt for large print (RNIB's clear print guidance), the
    letterhead and the reference block included. `tight` closes up the spacing a little, for a
    letter that would otherwise leave only its closing lines on a last page."""
    size = 16.0 if large_print else 11.0
    leading = size * (1.22 if tight else 1.35)
    gap = 0.4 if tight else 0.6
    side = 16.0 if large_print else 9.5  # large print: the reference block goes full width

    def style(name: str, font: str = REGULAR, font_size: float = size, **extra: object) -> ParagraphStyle:
        # No widows or orphans: a paragraph split over two pages keeps two lines on each.
        return ParagraphStyle(name, fontName=font, fontSize=font_size, allowWidows=0, allowOrphans=0,
                              leading=extra.pop("leading", font_size * 1.3),
                              **extra)

    bullet = style("bullet", leading=leading, leftIndent=size * 1.6, bulletIndent=size * 0.4,
                   spaceAfter=size * (0.25 if tight else 0.35), bulletFontName=REGULAR, bulletFontSize=size)
    return LetterStyles(
        body=style("body", leading=leading, spaceAfter=size * gap),
        heading=style("heading", BOLD, size + 1, spaceBefore=size * (0.3 if tight else 0.4),
                      spaceAfter=size * (0.3 if tight else 0.4), keepWithNext=1),
        bullet=bullet,
        bullet_last=ParagraphStyle("bullet_last", parent=bullet, spaceAfter=size * gap),
        subject=style("subject", BOLD, size + 1, leading=(size + 1) * 1.3, spaceAfter=size * 0.9),
        side=style("side", font_size=side),
        side_bold=style("side_bold", BOLD, font_size=side),
        letterhead=style("letterhead", font_size=16.0 if large_print else 9.0),
        letterhead_name=style("letterhead_name", BOLD, font_size=18.0 if large_print else 11.5, spaceAfter=2),
        small=style("small", font_size=14.0 if large_print else 8.5),
        address_size=16.0 if large_print else 11.0,
        large_print=large_print)
