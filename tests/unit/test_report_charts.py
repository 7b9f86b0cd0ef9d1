"""The report's charts: one ReportLab drawing each, rendered to SVG with titles, axis words and values."""
from __future__ import annotations

from datetime import date

from reportlab.graphics.shapes import Drawing

from app.reports.charts import (applications_by_channel, applications_by_month, on_time_by_clock, summary_charts,
                                svg_bytes)
from app.reports.tables import comparison_table, figures_csv, timeliness_table
from app.services.reports.timeliness import CLOCKS, ClockTimeliness
from app.services.reports.figures import PartnershipSummary, PeriodFigures, StatutoryFigures


def _period(start: date, end: date, scale: int = 1) -> PeriodFigures:
    statutory = StatutoryFigures(start, end, 30 * scale, 7, 1, 12, 9, 1, 2)
    timeliness = tuple(ClockTimeliness(key, label, rule.format(n=5), 5, 11, 8 if key != "panel" else 0,
                                       4.0, 0, 0) for key, label, rule in CLOCKS)
    channels = (("telephone", 12 * scale), ("post", 3), ("online", 9), ("email", 4), ("in_person", 2))
    return PeriodFigures(statutory, channels, 20, 13, timeliness, 3, 15)


def summary() -> PartnershipSummary:
    months = tuple((date(2025 + (m + 3) // 12, (m + 3) % 12 + 1, 1), m + 1) for m in range(12))
    return PartnershipSummary(_period(date(2025, 4, 1), date(2026, 3, 31)),
                              _period(date(2024, 4, 1), date(2025, 3, 31)), months, (),
                              (("upheld", 1), ("not_upheld", 2), (None, 0)), 3, (("Logs not shared", 2),), True)


def test_each_chart_is_a_drawing_and_renders_to_svg_with_its_words():
    s = summary()
    expected = {
        applications_by_month: ("Applications received by month", "Month received", "Applications received",
                                "Apr 2025", "Mar 2026", ">12<"),
        applications_by_channel: ("Applications by channel", "Channel", "Telephone", "In person", "12 (40%)"),
        on_time_by_clock: ("Share of each deadline met", "Share done by the original due date",
                           "Acknowledgement sent", "73% (8 of 11)", "0% (0 of 11)", "100%"),
    }
    for build, words in expected.items():
        drawing = build(s)
        assert isinstance(drawing, Drawing)
        svg = svg_bytes(drawing).decode("utf-8")
        assert svg.startswith("<?xml") and "<svg" in svg
        for word in words:
            assert word in svg, (build.__name__, word)
        assert "DejaVu Sans" in svg  # named as installed fonts are, not by ReportLab's internal name


def test_summary_charts_describe_themselves_in_words():
    charts = summary_charts(summary())
    assert [c.key for c in charts] == ["months", "channels", "timeliness"]
    assert "April 2025: 1" in charts[0].description
    assert "Telephone: 12" in charts[1].description
    assert "Review panel held: 0% on time" in charts[2].description


def test_a_period_with_nothing_in_it_still_draws():
    s = summary()
    empty = PartnershipSummary(
        PeriodFigures(StatutoryFigures(s.start, s.end, 0, 0, 0, 0, 0, 0, 0), tuple((k, 0) for k, _ in
                      s.current.channels), 0, 0,
                      tuple(ClockTimeliness(k, label, rule, 5, 0, 0, None, 0, 0) for k, label, rule in CLOCKS), 0, 0),
        s.previous, tuple((m, 0) for m, _ in s.by_month), (), (), 0, (), False)
    for chart in summary_charts(empty):
        assert b"<svg" in svg_bytes(chart.drawing)
    assert "none measured" in svg_bytes(on_time_by_clock(empty)).decode()
    assert "No findings were recorded" in empty.findings_text()


def test_tables_and_csv_share_the_figures():
    s = summary()
    rows = {r[0]: r for r in comparison_table(s).rows}
    assert rows["Applications received"][1:] == ("30", "30", "no change")
    assert timeliness_table(s).rows[0][4] == "73%"
    assert "statutory,applications_received,30,30" in figures_csv(s)
