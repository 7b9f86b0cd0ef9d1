"""The report's charts, drawn once with ReportLab graphics: embedded in the PDF, shown on screen as SVG."""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from reportlab import rl_config
from reportlab.graphics import renderSVG
from reportlab.graphics.charts.barcharts import HorizontalBarChart, VerticalBarChart
from reportlab.graphics.shapes import Drawing, Group, Rect, String
from reportlab.lib import colors

from app.letters.fonts import BOLD, REGULAR, register_fonts
from app.reports.tables import channel_label, percent
from app.services.reports.figures import PartnershipSummary

WIDTH, HEIGHT = 480.0, 230.0  # points: the PDF's text width
BAR = colors.HexColor("#1d5c8f")  # dark enough for white page contrast; the values are printed too
INK = colors.HexColor("#1b1b1b")
GRID = colors.HexColor("#c8ced4")


@dataclass(frozen=True)
class Chart:
    key: str
    title: str
    drawing: Drawing
    description: str  # the same information in words, for screen readers


def use_embedded_font() -> None:
    """Text widths are measured with the embedded font, and graphics default to it rather than an
    unembedded Helvetica (traps.md)."""
    register_fonts()
    rl_config.defaultGraphicsFontName = REGULAR


def _frame(title: str, width: float = WIDTH, height: float = HEIGHT) -> Drawing:
    use_embedded_font()
    drawing = Drawing(width, height)
    # A white ground: dark text stays readable when the app uses a dark palette.
    drawing.add(Rect(0, 0, width, height, fillColor=colors.white, strokeColor=None))
    drawing.add(String(width / 2, height - 14, title, fontName=BOLD, fontSize=11, fillColor=INK,
                       textAnchor="middle"))
    return drawing


def _style_axes(chart: VerticalBarChart | HorizontalBarChart) -> None:
    for axis in (chart.categoryAxis, chart.valueAxis):
        axis.labels.fontName = REGULAR
        axis.labels.fontSize = 8
        axis.labels.fillColor = INK
        axis.strokeColor = INK
    chart.valueAxis.visibleGrid = True
    chart.valueAxis.gridStrokeColor = GRID
    chart.valueAxis.gridStrokeWidth = 0.5
    chart.bars[0].fillColor = BAR
    chart.bars[0].strokeColor = None
    chart.barLabels.fontName = REGULAR
    chart.barLabels.fontSize = 8
    chart.barLabels.fillColor = INK


def _value_axis(chart: VerticalBarChart | HorizontalBarChart, top: float, shares: bool) -> None:
    chart.valueAxis.valueMin = 0
    if shares:
        chart.valueAxis.valueMax, chart.valueAxis.valueStep = 100, 20
        chart.valueAxis.labelTextFormat = "%d%%"
        return
    step = _nice_step(top)
    chart.valueAxis.valueMax = max(step, -(-top // step) * step) * (1.15 if top else 1)
    chart.valueAxis.valueStep = step
    chart.valueAxis.labelTextFormat = "%d"


def _nice_step(top: float) -> float:
    if top <= 5:
        return 1
    raw = top / 5
    magnitude = 10 ** (len(str(int(raw))) - 1)
    for m in (1, 2, 5, 10):
        if raw <= m * magnitude:
            return m * magnitude
    return 10 * magnitude


def bar_chart(title: str, categories: Sequence[str], values: Sequence[float], *, value_title: str,
              category_title: str, labels: Callable[[int], str], shares: bool = False,
              horizontal: bool = False, label_every: int = 1) -> Drawing:
    """One series of bars with each bar's value printed at its end, so colour carries nothing alone."""
    drawing = _frame(title)
    chart = HorizontalBarChart() if horizontal else VerticalBarChart()
    left = 150 if horizontal else 52
    bottom = 42 if horizontal else 58
    chart.x, chart.y = left, bottom
    # Room on the right of horizontal bars for their labels ("91% (42168 of 46167)").
    chart.width, chart.height = WIDTH - left - (118 if horizontal else 28), HEIGHT - bottom - 34
    chart.data = [list(values) or [0]]
    chart.categoryAxis.categoryNames = [c if n % label_every == 0 else "" for n, c in enumerate(categories)] or [""]
    _style_axes(chart)
    _value_axis(chart, max(values, default=0), shares)
    chart.barLabelArray = [[labels(n) for n in range(len(values))]]
    chart.barLabelFormat = "values"
    chart.barLabels.boxAnchor = "w" if horizontal else "s"
    chart.barLabels.nudge = 4 if horizontal else 6
    chart.barSpacing = 1
    if horizontal:
        chart.categoryAxis.reverseDirection = True  # the first category at the top, as it is read
        chart.categoryAxis.labels.boxAnchor = "e"
        chart.categoryAxis.labels.dx = -4
    elif len(categories) > 6:
        chart.categoryAxis.labels.angle = 45
        chart.categoryAxis.labels.boxAnchor = "ne"
        chart.categoryAxis.labels.dy = -2
    drawing.add(chart)
    # Axis titles, in words.
    drawing.add(String(left + chart.width / 2, 6, value_title if horizontal else category_title,
                       fontName=REGULAR, fontSize=8.5, fillColor=INK, textAnchor="middle"))
    side = String(0, 0, category_title if horizontal else value_title, fontName=REGULAR, fontSize=8.5,
                  fillColor=INK, textAnchor="middle")
    if horizontal:
        side.x, side.y = 8, HEIGHT - 28
        side.textAnchor = "start"
    else:
        group = Group(side)
        group.translate(12, bottom + chart.height / 2)
        group.rotate(90)
        drawing.add(group)
        return drawing
    drawing.add(side)
    return drawing


def applications_by_month(summary: PartnershipSummary) -> Drawing:
    months = [m for m, _ in summary.by_month]
    values = [n for _, n in summary.by_month]
    every = max(1, -(-len(months) // 18))  # at most 18 month names along the axis
    return bar_chart("Applications received by month", [f"{m:%b %Y}" for m in months], values,
                     value_title="Applications received", category_title="Month received",
                     labels=lambda n: str(values[n]) if len(values) <= 36 else "", label_every=every)


def applications_by_channel(summary: PartnershipSummary) -> Drawing:
    values = [n for _, n in summary.current.channels]
    total = sum(values)
    return bar_chart("Applications by channel", [channel_label(k) for k, _ in summary.current.channels], values,
                     value_title="Applications received", category_title="Channel", horizontal=True,
                     labels=lambda n: f"{values[n]} ({percent(values[n] / total) if total else '0%'})")


def on_time_by_clock(summary: PartnershipSummary) -> Drawing:
    clocks = summary.current.timeliness
    values = [round((t.share or 0) * 100, 1) for t in clocks]
    return bar_chart("Share of each deadline met", [t.label for t in clocks], values,
                     value_title="Share done by the original due date", category_title="Step",
                     horizontal=True, shares=True,
                     labels=lambda n: (f"{percent(clocks[n].share)} ({clocks[n].on_time} of {clocks[n].measured})"
                                       if clocks[n].measured else "none measured"))


def summary_charts(summary: PartnershipSummary) -> list[Chart]:
    month_words = "; ".join(f"{m:%B %Y}: {n}" for m, n in summary.by_month)
    channel_words = "; ".join(f"{channel_label(k)}: {n}" for k, n in summary.current.channels)
    clock_words = "; ".join(f"{t.label}: {percent(t.share)} on time" for t in summary.current.timeliness)
    return [Chart("months", "Applications received by month", applications_by_month(summary), month_words),
            Chart("channels", "Applications by channel", applications_by_channel(summary), channel_words),
            Chart("timeliness", "Share of each deadline met", on_time_by_clock(summary), clock_words)]


def svg_bytes(drawing: Drawing) -> bytes:
    """The drawing as SVG for QtSvg, the font named as systems know it (with a generic fallback)."""
    text = renderSVG.drawToString(drawing)
    text = text.replace(f"font-family: {BOLD};", "font-family: 'DejaVu Sans', sans-serif; font-weight: bold;")
    text = text.replace(f"font-family: {REGULAR};", "font-family: 'DejaVu Sans', sans-serif;")
    return text.encode("utf-8")
