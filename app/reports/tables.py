"""The report's tables as rows of text, shared by the screen, the PDF and the CSV so they never disagree."""
from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass

from app import csv_writer
from app.domain.application import Channel
from app.domain.dates import long_form
from app.services.reports.figures import (DEFINITIONS, FIGURE_TITLES, RECOMMENDATION_STATUSES, SECONDARY_LABELS,
                                  STATUTORY_KEYS, PartnershipSummary, PeriodFigures)


@dataclass(frozen=True)
class Table:
    title: str
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    note: str = ""


def channel_label(key: str) -> str:
    try:
        return Channel(key).label
    except ValueError:
        return key.replace("_", " ").capitalize()


def percent(share: float | None) -> str:
    return "none measured" if share is None else f"{share * 100:.0f}%"


def period_words(summary: PartnershipSummary) -> str:
    return f"{long_form(summary.start)} to {long_form(summary.end)}"


def previous_words(summary: PartnershipSummary) -> str:
    p = summary.previous.statutory
    return f"{long_form(p.start)} to {long_form(p.end)}"


def _change(now: float | None, before: float | None, points: bool = False) -> str:
    if now is None or before is None:
        return "not comparable"
    if points:
        diff = (now - before) * 100
        return "no change" if round(diff) == 0 else f"{diff:+.0f} points"
    diff = now - before
    if diff == 0:
        return "no change"
    share = f" ({diff / before * 100:+.1f}%)" if before else ""
    return f"{diff:+.0f}{share}"


@dataclass(frozen=True)
class FigureRow:
    key: str
    title: str
    number: int
    beside: str  # reported beside the figure ("of which 2 overturned on secondary review")
    definition: str


def statutory_rows(summary: PartnershipSummary) -> list[FigureRow]:
    """The four published figures with their definitions, and what goes beside them."""
    f = summary.figures
    beside = {"threshold_not_met": f"of which {f.threshold_not_met_overturned} overturned on secondary review"}
    return [FigureRow(key, FIGURE_TITLES[key], f.value(key), beside.get(key, ""), DEFINITIONS[key])
            for key in STATUTORY_KEYS]


def secondary_recommendations_note(summary: PartnershipSummary) -> str:
    f = summary.figures
    return (f"Reported separately: {f.secondary_review_recommendations} recommendation(s) made on secondary "
            f"review in the period, for {f.secondary_review_recommendation_cases} case(s).")


def comparison_table(summary: PartnershipSummary) -> Table:
    now, before = summary.current, summary.previous
    rows: list[tuple[str, str, str, str]] = []

    def add(label: str, get: Callable[[PeriodFigures], float | None], shares: bool = False) -> None:
        a, b = get(now), get(before)
        text = percent if shares else (lambda v: "none" if v is None else f"{v:.0f}")
        rows.append((label, text(a), text(b), _change(a, b, shares)))

    def statutory(key: str) -> Callable[[PeriodFigures], float | None]:
        return lambda p: p.statutory.value(key)

    def on_time(n: int) -> Callable[[PeriodFigures], float | None]:
        return lambda p: p.timeliness[n].share

    for key in STATUTORY_KEYS:
        add(FIGURE_TITLES[key], statutory(key))
    add("Not met decisions overturned on secondary review", lambda p: p.statutory.threshold_not_met_overturned)
    add("Threshold decisions made", lambda p: p.threshold_decisions)
    add("Threshold met rate", lambda p: p.threshold_met_rate, shares=True)
    add("Secondary reviews requested", lambda p: p.secondary_reviews_requested)
    add("Recommendations made", lambda p: p.recommendations_made)
    for n, clock in enumerate(now.timeliness):
        add(f"{clock.label} on time", on_time(n), shares=True)
    return Table("Compared with the previous year", ("Figure", "This period", "Previous period", "Change"),
                 tuple(rows), f"This period: {period_words(summary)}. Previous period: {previous_words(summary)}.")


def channels_table(summary: PartnershipSummary) -> Table:
    total = sum(n for _, n in summary.current.channels)
    before = dict(summary.previous.channels)
    rows = tuple((channel_label(key), str(n), percent(n / total if total else None), str(before.get(key, 0)))
                 for key, n in summary.current.channels)
    return Table("Channels used", ("Channel", "Applications", "Share", "Previous period"), rows,
                 f"{total} application(s) received in the period.")


def threshold_note(summary: PartnershipSummary) -> str:
    c = summary.current
    return (f"{c.threshold_decisions} threshold decision(s) were made in the period: {c.threshold_met} met and "
            f"{c.threshold_decisions - c.threshold_met} not met (met rate {percent(c.threshold_met_rate)}).")


def timeliness_table(summary: PartnershipSummary) -> Table:
    rows = []
    for t in summary.current.timeliness:
        median = "none measured" if t.median_working_days is None else f"{t.median_working_days:g}"
        revised = f"{t.met_revised} of {t.revised} met a revised date" if t.revised else "none"
        rows.append((t.label, t.rule, str(t.measured), str(t.on_time), percent(t.share), median, revised))
    return Table("Timeliness", ("Step", "Deadline", "Done in period", "On time", "Share on time",
                                "Median working days", "Late with a revised date"), tuple(rows),
                 "Measured against the original due date, for the steps done in the period; where a delay "
                 "letter (or an agency reminder) gave a revised date, that is reported beside it.")


def recommendations_table(summary: PartnershipSummary) -> Table:
    headers = ("Agency", "Made", *(s.capitalize() for s in RECOMMENDATION_STATUSES), "From secondary review")
    rows = []
    totals = [0] * (len(RECOMMENDATION_STATUSES) + 2)
    for a in summary.recommendations:
        values = [a.total, *(n for _, n in a.by_status), a.from_secondary_review]
        totals = [t + v for t, v in zip(totals, values)]
        rows.append((a.agency, *(str(v) for v in values)))
    if rows:
        rows.append(("All agencies", *(str(v) for v in totals)))
    return Table("Recommendations by agency", headers, tuple(rows),
                 "Recommendations made in the period (at a panel meeting held, or a secondary review completed, "
                 "in it), with each one's status today." if rows else "No recommendations were made in the period.")


def secondary_table(summary: PartnershipSummary) -> Table:
    rows = tuple((SECONDARY_LABELS.get(k, str(k)), str(n)) for k, n in summary.secondary_outcomes)
    c = summary.current
    return Table("Secondary reviews", ("Outcome of the reviews requested in the period", "Reviews"), rows,
                 f"{c.secondary_reviews_requested} secondary review(s) requested in the period "
                 f"({summary.previous.secondary_reviews_requested} in the previous period); "
                 f"{summary.secondary_completed} completed in the period.")


def months_table(summary: PartnershipSummary) -> Table:
    rows = tuple((f"{m:%B %Y}", str(n)) for m, n in summary.by_month)
    return Table("Applications by month", ("Month", "Applications"), rows)


def figures_csv(summary: PartnershipSummary) -> str:
    """Every figure of the report as CSV: section, figure, this period, previous period."""
    out = io.StringIO()
    w = csv_writer.writer(out)
    w.writerow(["section", "figure", "this period", "previous period", "notes"])
    w.writerow(["period", "from", summary.start.isoformat(), summary.previous.statutory.start.isoformat(), ""])
    w.writerow(["period", "to", summary.end.isoformat(), summary.previous.statutory.end.isoformat(), ""])
    now, before = summary.current.statutory, summary.previous.statutory
    for key in STATUTORY_KEYS:
        w.writerow(["statutory", key, now.value(key), before.value(key), DEFINITIONS[key]])
    w.writerow(["statutory", "threshold_not_met_overturned", now.threshold_not_met_overturned,
                before.threshold_not_met_overturned, "not met decisions overturned on secondary review"])
    w.writerow(["statutory", "secondary_review_recommendations", now.secondary_review_recommendations,
                before.secondary_review_recommendations, "recommendations made on secondary review"])
    w.writerow(["statutory", "secondary_review_recommendation_cases", now.secondary_review_recommendation_cases,
                before.secondary_review_recommendation_cases, "cases given recommendations on secondary review"])
    prev_channels = dict(summary.previous.channels)
    for key, n in summary.current.channels:
        w.writerow(["channel", key, n, prev_channels.get(key, 0), channel_label(key)])
    c, p = summary.current, summary.previous
    w.writerow(["threshold", "decisions", c.threshold_decisions, p.threshold_decisions, ""])
    w.writerow(["threshold", "met", c.threshold_met, p.threshold_met, ""])
    for t, tp in zip(c.timeliness, p.timeliness):
        w.writerow(["timeliness", f"{t.clock} measured", t.measured, tp.measured, t.rule])
        w.writerow(["timeliness", f"{t.clock} on time", t.on_time, tp.on_time, "against the original due date"])
        w.writerow(["timeliness", f"{t.clock} median working days", _blank(t.median_working_days),
                    _blank(tp.median_working_days), ""])
        w.writerow(["timeliness", f"{t.clock} late with a revised date met", t.met_revised, tp.met_revised,
                    f"of {t.revised} late with a revised date"])
    for a in summary.recommendations:
        for status, n in a.by_status:
            w.writerow(["recommendations", f"{a.agency}: {status}", n, "", ""])
    w.writerow(["secondary reviews", "requested", c.secondary_reviews_requested, p.secondary_reviews_requested, ""])
    w.writerow(["secondary reviews", "completed", summary.secondary_completed, "", ""])
    for k, n in summary.secondary_outcomes:
        w.writerow(["secondary reviews", f"outcome: {k or 'awaiting'}", n, "", "of the reviews requested in the period"])
    for m, n in summary.by_month:
        w.writerow(["applications by month", m.strftime("%Y-%m"), n, "", ""])
    return out.getvalue()


def _blank(value: float | None) -> str:
    return "" if value is None else f"{value:g}"
