"""The partnership summary as an A4 PDF (ReportLab platypus, embedded DejaVu Sans), and its CSV twin."""
from __future__ import annotations

import io
from datetime import date
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import (BaseDocTemplate, CondPageBreak, Flowable, Frame, KeepTogether, PageTemplate,
                                Paragraph, Spacer, Table as PdfTable)

from app import APP_NAME
from app.domain.dates import long_form
from app.domain.settings import CouncilDetails
from app.letters.fonts import BOLD, REGULAR, register_fonts
from app.letters.pdf_parts import DeferredPagesCanvas, grid_table
from app.reports.charts import summary_charts
from app.reports.tables import (Table, channels_table, comparison_table, figures_csv, months_table,
                                period_words, recommendations_table, secondary_recommendations_note,
                                secondary_table, statutory_rows, threshold_note, timeliness_table)
from app.services.reports.figures import PartnershipSummary

__all__ = ["figures_csv", "summary_pdf", "report_title"]

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN = 18 * mm
TEXT_WIDTH = PAGE_WIDTH - 2 * MARGIN


def _styles() -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("body", fontName=REGULAR, bulletFontName=REGULAR, fontSize=9.5, leading=12.5,
                          spaceAfter=4)
    return {
        "body": base,
        "title": ParagraphStyle("title", base, fontName=BOLD, fontSize=18, leading=22, spaceAfter=4),
        "subtitle": ParagraphStyle("subtitle", base, fontSize=11.5, leading=15, spaceAfter=2),
        "h2": ParagraphStyle("h2", base, fontName=BOLD, fontSize=12.5, leading=16, spaceBefore=10, spaceAfter=5),
        "cell": ParagraphStyle("cell", base, fontSize=8.5, leading=10.5, spaceAfter=0),
        "cell_head": ParagraphStyle("cell_head", base, fontName=BOLD, fontSize=8.5, leading=10.5, spaceAfter=0),
        "figure": ParagraphStyle("figure", base, fontName=BOLD, fontSize=16, leading=19, alignment=TA_RIGHT,
                                 spaceAfter=0),
        "note": ParagraphStyle("note", base, fontSize=8.5, leading=11, textColor=colors.HexColor("#333333")),
        "bullet": ParagraphStyle("bullet", base, leftIndent=12, bulletIndent=2, spaceAfter=3),
    }


def report_title(summary: PartnershipSummary) -> str:
    return f"Community Trigger partnership summary, {period_words(summary)}"


def summary_pdf(summary: PartnershipSummary, council: CouncilDetails, *, edited_findings: str | None = None,
                produced_on: date | None = None) -> bytes:
    """The report for the Community Safety Partnership chairs and the PCC, as PDF bytes.

    `edited_findings` is the key findings text as the CSU edited it on screen; None prints the
    findings recorded by the panels.
    """
    register_fonts()
    styles = _styles()
    title = report_title(summary)
    buffer = io.BytesIO()
    doc = BaseDocTemplate(buffer, pagesize=A4, title=title, author=council.name, subject=title,
                          creator=APP_NAME, lang="en-GB", initialFontName=REGULAR, leftMargin=MARGIN,
                          rightMargin=MARGIN, topMargin=MARGIN, bottomMargin=MARGIN + 6 * mm)
    frame = Frame(MARGIN, MARGIN + 6 * mm, TEXT_WIDTH, PAGE_HEIGHT - 2 * MARGIN - 6 * mm, id="body",
                  leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
    doc.addPageTemplates([PageTemplate("page", [frame])])
    story = _story(summary, council, styles, edited_findings, produced_on or date.today())
    doc.build(story, canvasmaker=lambda *a, **k: _NumberedCanvas(*a, footer=title, **k))
    return buffer.getvalue()


def _story(summary: PartnershipSummary, council: CouncilDetails, s: dict[str, ParagraphStyle],
           edited_findings: str | None, produced_on: date) -> list[Flowable]:
    charts = {c.key: c.drawing for c in summary_charts(summary)}
    story: list[Flowable] = [
        Paragraph("Community Trigger (ASB Case Review): partnership summary", s["title"]),
        Paragraph(escape(f"{council.name}, {council.unit}"), s["subtitle"]),
        Paragraph(escape(f"Period: {period_words(summary)} (both days included)"), s["subtitle"]),
        Paragraph(escape(f"Produced on {long_form(produced_on)}. Figures published under the Anti-social "
                         "Behaviour, Crime and Policing Act 2014, section 104."), s["note"]),
        Paragraph("The statutory figures", s["h2"])]
    rows = [[Paragraph("<b>Figure and how it is counted</b>", s["cell"]), Paragraph("<b>Number</b>", s["cell"])]]
    beside_style = ParagraphStyle("beside", s["cell"], alignment=TA_RIGHT)
    for row in statutory_rows(summary):
        cell = [Paragraph(f"<b>{escape(row.title)}</b>", s["cell"]), Paragraph(escape(row.definition), s["cell"])]
        figure = [Paragraph(str(row.number), s["figure"])]
        if row.beside:
            figure.append(Paragraph(escape(row.beside), beside_style))
        rows.append([cell, figure])
    story += [_grid(rows, [TEXT_WIDTH * 0.74, TEXT_WIDTH * 0.26], header=True),
              Spacer(1, 3), Paragraph(escape(secondary_recommendations_note(summary)), s["note"])]
    story += _table_section(comparison_table(summary), s, [0.46, 0.17, 0.17, 0.20])
    story += _table_section(channels_table(summary), s, [0.34, 0.22, 0.2, 0.24], chart=charts["channels"])
    story += [KeepTogether([Paragraph("Threshold decisions", s["h2"]),
                            Paragraph(escape(threshold_note(summary)), s["body"])])]
    story += _table_section(timeliness_table(summary), s, [0.2, 0.24, 0.1, 0.08, 0.09, 0.11, 0.18],
                            chart=charts["timeliness"])
    story += _table_section(recommendations_table(summary), s, [0.27, 0.09, 0.09, 0.12, 0.12, 0.13, 0.18])
    story += _table_section(secondary_table(summary), s, [0.7, 0.3])
    story += [CondPageBreak(40 * mm), Paragraph("Key findings", s["h2"])]
    story += _findings(summary, edited_findings, s)
    story += _table_section(months_table(summary), s, [0.5, 0.5], chart=charts["months"], table_first=False)
    return story


def _findings(summary: PartnershipSummary, edited: str | None, s: dict[str, ParagraphStyle]) -> list[Flowable]:
    text = summary.findings_text() if edited is None else edited
    out: list[Flowable] = []
    if edited is None and not summary.findings_marked and summary.key_findings:
        out.append(Paragraph("No finding was marked as a key finding, so every finding recorded by the panels "
                             "in the period is listed.", s["note"]))
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        if line[0] in "•-*":
            out.append(Paragraph(escape(line[1:].strip()), s["bullet"], bulletText="•"))
        else:
            out.append(Paragraph(escape(line), s["body"]))
    return out or [Paragraph("No key findings were given.", s["body"])]


def _table_section(table: Table, s: dict[str, ParagraphStyle], widths: list[float], *,
                   chart: Flowable | None = None, table_first: bool = True) -> list[Flowable]:
    head = [Paragraph(escape(h), s["cell_head"]) for h in table.headers]
    body = [[Paragraph(escape(v), s["cell"]) for v in row] for row in table.rows]
    grid = _grid([head, *body], [TEXT_WIDTH * w for w in widths], header=True) if body else None
    note = Paragraph(escape(table.note), s["note"]) if table.note else None
    parts: list[Flowable] = [p for p in (grid, note) if p is not None]
    if chart is not None:
        parts = [*parts, Spacer(1, 4), chart] if table_first else [chart, Spacer(1, 4), *parts]
    heading = Paragraph(escape(table.title), s["h2"])
    # The heading never sits alone at the foot of a page.
    return [KeepTogether([heading, parts[0]]), *parts[1:]] if parts else [heading]


def _grid(rows: list[list[Any]], widths: list[float], *, header: bool) -> PdfTable:
    return grid_table(rows, widths, header=header)


class _NumberedCanvas(DeferredPagesCanvas):
    """Prints the report's title and "Page X of Y" on each page."""

    def __init__(self, *args: Any, footer: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._footer = footer

    def mark_page(self, number: int, total: int) -> None:
        self.setFont(REGULAR, 8)
        self.setFillColor(colors.HexColor("#333333"))
        self.drawString(MARGIN, 10 * mm, self._footer)
        self.drawRightString(PAGE_WIDTH - MARGIN, 10 * mm, f"Page {number} of {total}")
