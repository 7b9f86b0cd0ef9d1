"""Publishing the statutory figures: the four figures for each year, in the words councils publish them,
as a web-ready HTML table or a CSV; the date each year was last published; when the next is due."""
from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date
from html import escape

from sqlalchemy import select

from app import csv_writer
from app.db.models import Publication
from app.domain.application import Problem
from app.domain.dates import long_form
from app.domain.roles import Permission
from app.domain.settings import YEAR_TYPES
from app.services.common import audit
from app.services.common.context import ServiceContext, retry_read
from app.services.common.errors import ValidationFailed
from app.services.common.ops import Changes, Done, Part, Progress, each, stop_if_cancelled
from app.services.reports.figures import StatutoryFigures, _statutory

# The words councils publish the figures in (domain.md, "Publication").
COLUMNS = (("applications_received", "Applications received"),
           ("threshold_not_met", "Number of times the threshold was not met"),
           ("reviews_carried_out", "Number of ASB case reviews carried out"),
           ("reviews_with_recommendations", "Number of reviews resulting in recommendations"))
AGENCY_COLUMN = "Reviews started by an agency (not an application), of those carried out"
MAX_YEARS = 20


@dataclass(frozen=True)
class PublishedYear:
    label: str  # "2025/26" or "2025"
    start: date
    end: date
    figures: StatutoryFigures
    published_on: date | None  # last recorded as published


@dataclass(frozen=True)
class PublicationTable:
    year_type: str
    years: tuple[PublishedYear, ...]  # oldest first

    def html(self, council: str) -> str:
        """An HTML fragment to paste into the council's web page (no styles, no scripts)."""
        kind = "financial year (1 April to 31 March)" if self.year_type == "financial" else "calendar year"
        head = "".join(f'<th scope="col">{escape(t)}</th>' for t in ("Year", *(c for _k, c in COLUMNS), AGENCY_COLUMN))
        rows = []
        for y in self.years:
            cells = "".join(f"<td>{y.figures.value(k)}</td>" for k, _c in COLUMNS)
            rows.append(f'<tr><th scope="row">{escape(y.label)}</th>{cells}<td>{y.figures.agency_started_reviews}</td></tr>')
        return ("<table>\n"
                f"<caption>Community Trigger (ASB Case Review): {escape(council)}, by {kind}</caption>\n"
                f"<thead><tr>{head}</tr></thead>\n<tbody>\n" + "\n".join(rows) + "\n</tbody>\n</table>\n")

    def csv(self) -> str:
        out = io.StringIO()
        writer = csv_writer.writer(out)
        writer.writerow(["Year", "From", "To", *(c for _k, c in COLUMNS), AGENCY_COLUMN])
        for y in self.years:
            writer.writerow([y.label, y.start.isoformat(), y.end.isoformat(),
                             *(y.figures.value(k) for k, _c in COLUMNS), y.figures.agency_started_reviews])
        return out.getvalue()


def year_label(year_type: str, start: date) -> str:
    return f"{start.year}/{(start.year + 1) % 100:02d}" if year_type == "financial" else str(start.year)


def completed_years(year_type: str, count: int, today: date) -> list[tuple[date, date]]:
    """The `count` most recent years that have ended by `today`, oldest first."""
    if year_type == "financial":
        last_start = today.year - 1 if today >= date(today.year, 4, 1) else today.year - 2
        starts = [date(last_start - n, 4, 1) for n in range(count)]
        spans = [(s, date(s.year + 1, 3, 31)) for s in starts]
    else:
        spans = [(date(today.year - 1 - n, 1, 1), date(today.year - 1 - n, 12, 31)) for n in range(count)]
    return sorted(spans)


def _check(year_type: str, years: int) -> None:
    problems = []
    if year_type not in YEAR_TYPES:
        problems.append(Problem("year_type", f"choose {' or '.join(YEAR_TYPES)}"))
    if not 1 <= years <= MAX_YEARS:
        problems.append(Problem("years", f"give between 1 and {MAX_YEARS} years"))
    if problems:
        raise ValidationFailed(problems)


@retry_read
def publication_table(ctx: ServiceContext, *, year_type: str | None = None, years: int = 5,
                      progress: Progress | None = None) -> PublicationTable:
    """The published table, counted a year at a time (a cancel raises `Cancelled`: no table, nothing written)."""
    ctx.require(Permission.VIEW)
    year_type = year_type or ctx.settings().publication_year_type
    _check(year_type, years)
    spans = completed_years(year_type, years, ctx.today())
    labels = [year_label(year_type, s) for s, _e in spans]
    with ctx.reading() as session:
        published = _published(session, year_type)
        rows = tuple(PublishedYear(year_label(year_type, s), s, e, _statutory(session, s, e), published.get(e))
                     for s, e in each(spans, progress, "years"))
        stop_if_cancelled(progress, "the published table", labels[:len(rows)], labels, "years")
    return PublicationTable(year_type, rows)


def _published(session, year_type: str) -> dict[date, date]:  # type: ignore[no-untyped-def]
    out: dict[date, date] = {}
    for end, on in session.execute(select(Publication.period_end, Publication.published_on)
                                   .where(Publication.year_type == year_type).order_by(Publication.published_on)):
        out[end] = on  # the latest publication of each year
    return out


def record_published(ctx: ServiceContext, *, year_type: str, period_end: date, published_on: date) -> Done:
    """The year ending `period_end` was published on the council's website on `published_on`."""
    ctx.require(Permission.EXPORT)
    _check(year_type, 1)
    problems = []
    if published_on > ctx.today():
        problems.append(Problem("published_on", "the date cannot be in the future"))
    if published_on <= period_end:
        problems.append(Problem("published_on", "a year's figures are published after the year has ended"))
    if problems:
        raise ValidationFailed(problems)
    start = date(period_end.year - 1, 4, 1) if year_type == "financial" else date(period_end.year, 1, 1)
    with ctx.unit_of_work() as session:
        session.add(Publication(year_type=year_type, period_start=start, period_end=period_end,
                                published_on=published_on, recorded_by=ctx.actor))
        audit.record(session, ctx, "published", "report", None,
                     reason=f"statutory figures {year_label(year_type, start)} published {published_on.isoformat()}")
    return Done(Changes.of(Part.REPORTS), f"The figures for {year_label(year_type, start)} are recorded as published "
                                          f"on {published_on:%d/%m/%Y}.")


@dataclass(frozen=True)
class Reminder:
    due: bool
    text: str


@retry_read
def publication_reminder(ctx: ServiceContext) -> Reminder:
    """Whether the latest year's figures are due for publication (the council publishes at least every
    12 months, after each year ends), and when they were last published."""
    ctx.require(Permission.VIEW)
    year_type = ctx.settings().publication_year_type
    start, end = completed_years(year_type, 1, ctx.today())[0]
    with ctx.reading() as session:
        published = _published(session, year_type)
    label = year_label(year_type, start)
    last = max(published.values()) if published else None
    since = f" They were last published on {long_form(last)}." if last else " No publication has been recorded yet."
    if end in published:
        return Reminder(False, f"The figures for {label} were published on {long_form(published[end])}.")
    return Reminder(True, f"The figures for {label} ({long_form(start)} to {long_form(end)}) are due to be "
                          f"published on the council's website.{since}")
