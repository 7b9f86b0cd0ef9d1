"""Pieces shared by the letters, the panel pack and the reports: ruled tables and numbered pages."""
from __future__ import annotations

from typing import Any

from reportlab.lib import colors
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Table, TableStyle

from app.letters.fonts import REGULAR

RULE = colors.HexColor("#8a96a3")
HEADER_FILL = colors.HexColor("#e4e9ee")


def grid_table(rows: list[list[Any]], col_widths: list[float], *, header: bool = True,
               split_in_row: bool = False) -> Table:
    """A ruled table in the embedded font, its first row a repeated heading when `header`."""
    # splitInRow: a very long entry may run on to the next page instead of failing to fit.
    table = Table(rows, colWidths=col_widths, repeatRows=1 if header else 0, hAlign="LEFT",
                  **({"splitInRow": 1} if split_in_row else {}))
    style = [("FONTNAME", (0, 0), (-1, -1), REGULAR),  # the cell default is an unembedded Helvetica
             ("GRID", (0, 0), (-1, -1), 0.4, RULE), ("VALIGN", (0, 0), (-1, -1), "TOP"),
             ("TOPPADDING", (0, 0), (-1, -1), 3), ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
             ("LEFTPADDING", (0, 0), (-1, -1), 4), ("RIGHTPADDING", (0, 0), (-1, -1), 4)]
    if header:
        style.append(("BACKGROUND", (0, 0), (-1, 0), HEADER_FILL))
    table.setStyle(TableStyle(style))
    return table


class DeferredPagesCanvas(Canvas):
    """Holds the pages back until the end, so that each can say "Page X of Y" (see `mark_page`)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._pages: list[dict[str, Any]] = []

    def showPage(self) -> None:  # noqa: N802 - ReportLab's name
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        total = len(self._pages)
        for state in self._pages:
            self.__dict__.update(state)
            self.mark_page(self._pageNumber, total)
            super().showPage()
        super().save()

    def mark_page(self, number: int, total: int) -> None:
        """Draw what every page carries (headers, footers, page numbers)."""
