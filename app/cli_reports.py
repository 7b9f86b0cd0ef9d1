"""Command-line handlers for `report` (the statutory figures and partnership summary) and `import-register`."""
from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

from app.cli_progress import STOPPED, long_work
from app.domain.dates import add_months, parse_uk_or_iso, uk
from app.services.common.context import ServiceContext

Handler = Callable[[ServiceContext, argparse.Namespace], int]


def add_parsers(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "report", help="the statutory figures and the partnership summary for a period",
        description="Prints the figures the council must publish, with the partnership summary and the "
                    "previous year beside them. The period defaults to the financial year (1 April to "
                    "31 March) containing today; both days count.")
    p.add_argument("--from", dest="start", metavar="DATE", help="first day of the period (dd/mm/yyyy)")
    p.add_argument("--to", dest="end", metavar="DATE", help="last day of the period (dd/mm/yyyy)")
    p.add_argument("--format", choices=("json", "csv", "pdf", "html"), default=None,
                   help="json (default), csv or pdf for a period; html or csv for the published table (--years)")
    p.add_argument("--output", type=Path, metavar="FILE", help="write to FILE (needed for pdf); "
                   "otherwise printed")
    p.add_argument("--year-type", choices=("financial", "calendar"),
                   help="the published table: the four figures for each year, by financial or calendar year "
                        "(default: the publication.year_type setting)")
    p.add_argument("--years", type=int, metavar="N", help="the published table for the N most recent years ended")
    p.add_argument("--published-on", metavar="DATE",
                   help="with the published table: record that the latest year's figures were published on DATE")
    p = subparsers.add_parser(
        "import-register", help="import the council's historical register from a CSV file (all or nothing)",
        description="Columns: reference, received_on, channel, applicant_name, postcode, threshold_decided_on, "
                    "threshold_met (yes/no), panel_held_on, recommendations (a count), outcome_sent_on, "
                    "secondary_review_requested_on, secondary_review_outcome, closed_on. Dates dd/mm/yyyy or "
                    "yyyy-mm-dd; leave a cell empty for a step not reached.")
    p.add_argument("file", type=Path, metavar="FILE.csv")
    p.add_argument("--dry-run", action="store_true", help="check and say what would happen; save nothing")


def _fail(message: str) -> int:
    print(f"community-trigger: {message}", file=sys.stderr)
    return 1


def report_period(today: date, start: str | None, end: str | None) -> tuple[date, date]:
    """The dates asked for; a missing end makes a year from the start (and the reverse)."""
    from app.services.reports.figures import financial_year
    if start is None and end is None:
        return financial_year(today)
    first = parse_uk_or_iso(start) if start else None
    last = parse_uk_or_iso(end) if end else None
    if first is None:
        assert last is not None
        first = add_months(last + timedelta(days=1), -12)
    if last is None:
        last = add_months(first, 12) - timedelta(days=1)
    if last < first:
        raise ValueError(f"the period ends ({uk(last)}) before it starts ({uk(first)})")
    return first, last


def _say_bad(message: str) -> int:
    print(f"community-trigger: {message}", file=sys.stderr)
    return 2


def _publication(ctx: ServiceContext, args: argparse.Namespace) -> int:
    """The four figures for each year, in the words councils publish them (an HTML fragment or a CSV)."""
    from app.services.common.errors import ValidationFailed
    from app.services.reports.figures import record_export
    from app.services.reports.publication import publication_table, record_published
    if args.start or args.end:
        return _say_bad("--years gives whole years; leave out --from and --to")
    if (args.format or "html") not in ("html", "csv"):
        return _say_bad("the published table is html or csv")
    try:
        published_on = parse_uk_or_iso(args.published_on) if args.published_on else None
        with long_work() as progress:
            table = publication_table(ctx, year_type=args.year_type, years=args.years if args.years is not None else 5,
                                      progress=progress)
    except ValueError as exc:
        return _say_bad(f"--published-on: {exc}")
    except ValidationFailed as exc:
        return _say_bad("; ".join(f"--{p.field.replace('_', '-')}: {p.message}" for p in exc.problems))
    latest = table.years[-1]
    record_export(ctx, f"published figures as {(args.format or 'html').upper()}", table.years[0].start, latest.end)
    text = table.csv() if args.format == "csv" else table.html(ctx.settings().council.name)
    if args.output is None:
        sys.stdout.write(text)
    else:
        try:
            args.output.write_text(text, encoding="utf-8")
        except OSError as exc:
            return _fail(f"{args.output} could not be written: {exc.strerror}")
        print(f"Figures for {table.years[0].label} to {latest.label} written to {args.output}", file=sys.stderr)
    if published_on is not None:
        try:
            done = record_published(ctx, year_type=table.year_type, period_end=latest.end, published_on=published_on)
        except ValidationFailed as exc:
            return _say_bad("; ".join(f"--published-on: {p.message}" for p in exc.problems))
        print(done.message, file=sys.stderr)
    return 0


def _report(ctx: ServiceContext, args: argparse.Namespace) -> int:
    if args.years is not None or args.year_type is not None or args.format == "html" or args.published_on:
        return _publication(ctx, args)
    args.format = args.format or "json"
    from app.reports.tables import figures_csv
    from app.services.reports.figures import partnership_summary, record_export
    try:
        start, end = report_period(ctx.today(), args.start, args.end)
    except ValueError as exc:
        return _fail(f"--from/--to: {exc}")
    if args.format == "pdf" and args.output is None:
        return _fail("a PDF needs --output FILE.pdf")
    with long_work() as progress:  # a stop raises Cancelled: nothing recorded, nothing written
        summary = partnership_summary(ctx, start, end, progress=progress)
    record_export(ctx, f"partnership summary as {args.format.upper()}", start, end)  # refused before writing
    if args.format == "pdf":
        from app.reports.pdf import summary_pdf
        data: bytes = summary_pdf(summary, ctx.settings().council, produced_on=ctx.today())
    elif args.format == "csv":
        data = figures_csv(summary).encode("utf-8")
    else:
        data = (json.dumps(summary.to_json(), indent=1, ensure_ascii=False) + "\n").encode("utf-8")
    if args.output is None:
        sys.stdout.write(data.decode("utf-8"))
        sys.stdout.flush()
    else:
        try:
            args.output.write_bytes(data)
        except OSError as exc:
            return _fail(f"{args.output} could not be written: {exc.strerror}")
        print(f"Partnership summary for {uk(start)} to {uk(end)} written to {args.output}", file=sys.stderr)
    return 0


def _import_register(ctx: ServiceContext, args: argparse.Namespace) -> int:
    from app.services.reports.register_import import import_register
    if not args.file.is_file():
        return _fail(f"no such file: {args.file}")
    with long_work() as progress:
        report = import_register(ctx, args.file, dry_run=args.dry_run, progress=progress)
    if report.problems:
        print(report.summary(), file=sys.stderr)
        for problem in report.problems:
            print(f"  {problem}", file=sys.stderr)
        return 1
    for source, reference in report.already_imported:
        print(f"{source}: already imported as {reference}; nothing new created")
    if args.dry_run:
        for source in report.to_create:
            print(f"{source}: would be created")
        return 0
    for source, reference in report.created:
        print(f"{reference}\t{source}" if reference != source else reference)
    print(report.summary(), file=sys.stderr)
    return STOPPED if report.cancelled else 0


HANDLERS: dict[str, Handler] = {"report": _report, "import-register": _import_register}
