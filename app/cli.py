"""The `community-trigger` command line: import, cases, demo, migrate, backup; no command starts the app."""
from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from sqlalchemy.exc import ArgumentError, DBAPIError

from app import APP_NAME, __version__
from app.cli_admin import HANDLERS as ADMIN_HANDLERS
from app.cli_admin import add_parsers as add_admin_parsers
from app.cli_letters import HANDLERS as LETTER_HANDLERS
from app.cli_letters import add_parsers as add_letter_parsers
from app.cli_reports import HANDLERS as REPORT_HANDLERS
from app.cli_reports import add_parsers as add_report_parsers
from app.cli_settings import HANDLERS as SETTINGS_HANDLERS
from app.cli_settings import add_parsers as add_settings_parsers
from app.cli_progress import STOPPED, long_work, stopped
from app.credentials import PasswordNotGiven
from app.db.location import DatabaseChoice, UnsafeDatabaseLocation, choose_database
from app.db.schema import SchemaMismatch, backup_sqlite
from app.domain.dates import uk
from app.services.common.context import ServiceContext
from app.services.common.errors import ServiceError
from app.services.common.ops import Cancelled, Run

GuiStarter = Callable[[DatabaseChoice], int]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="community-trigger", description=f"{APP_NAME}. With no "
                                     "command, starts the desktop app.")
    parser.add_argument("--version", action="version", version=f"{APP_NAME} {__version__}")
    parser.add_argument("--self-test", action="store_true",
                        help="check that this installation works (database, deadlines, letters, window)")
    parser.add_argument("--database", metavar="URL",
                        help="sqlite:///path/file.db or postgresql://user@host/db (default: the "
                             "COMMUNITY_TRIGGER_DATABASE variable, the site settings, or a local file)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    p = sub.add_parser("import", help="import applications from JSON files (all or nothing)")
    p.add_argument("files", nargs="+", type=Path, metavar="FILE")
    p.add_argument("--dry-run", action="store_true", help="check and say what would happen; save nothing")
    p = sub.add_parser("cases", help="list every case")
    p.add_argument("--format", choices=("table", "json", "csv"), default="table")
    p = sub.add_parser("demo", help="fill the database with made-up cases for trying the app out")
    p.add_argument("--cases", type=int, default=200, metavar="N")
    p.add_argument("--seed", type=int, default=2014)
    add_letter_parsers(sub)
    sub.add_parser("migrate", help="(administrator) upgrade the database schema to this version")
    add_report_parsers(sub)
    add_admin_parsers(sub)
    add_settings_parsers(sub)
    p = sub.add_parser("backup", help="copy an SQLite database safely, even while the app is open")
    p.add_argument("file", type=Path, metavar="FILE")
    return parser


def main(argv: Sequence[str] | None = None, start_gui: GuiStarter | None = None) -> int:
    for stream in (sys.stdout, sys.stderr):  # a broken character in a file must not become a traceback
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="replace")
    args = build_parser().parse_args(argv)
    try:
        choice = choose_database(args.database)
    except Exception as exc:  # an unreadable URL
        return _fail(f"The database setting is not usable: {exc}")
    try:
        if args.command is None:
            if start_gui is None:
                return _fail("The desktop app is not available in this installation.")
            return start_gui(choice)
        if args.command == "migrate":
            from app.services.admin.database import migrate_server
            print(migrate_server(choice))
            return 0
        if args.command == "backup":
            return _backup(choice, args.file)
        import getpass

        from app.services.admin.database import open_with_credentials
        ctx = open_with_credentials(choice, lambda question: getpass.getpass(question + " ")).context
        try:
            return COMMANDS[args.command](ctx, args)
        finally:
            ctx.engine.dispose()
    except Cancelled as exc:  # the first Ctrl+C, in work that makes one thing: nothing was made
        return _fail(str(exc), STOPPED)
    except (UnsafeDatabaseLocation, SchemaMismatch, ServiceError, PasswordNotGiven) as exc:
        return _fail(str(exc))
    except (DBAPIError, ArgumentError) as exc:
        # A server that cannot be reached, or a URL that names no known database.
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        return _fail(f"cannot use the database {choice.describe()}: {reason}")
    except KeyboardInterrupt:  # outside long work, or a second Ctrl+C: the item in hand was rolled back
        return _fail("stopped; nothing more was changed.", STOPPED)
    except Exception as exc:  # noqa: BLE001 - the last resort: words for the user, the details in the log
        from app.diagnostics import log_failure
        from app.services.common.errors import describe
        log_failure(exc, operation=f"cli.{args.command}")
        return _fail(describe(exc))


def _fail(message: str, code: int = 1) -> int:
    print(f"community-trigger: {message}", file=sys.stderr)
    return code


def _import(ctx: ServiceContext, args: argparse.Namespace) -> int:
    from app.services.intake.applications import import_applications
    missing = [str(f) for f in args.files if not f.is_file()]
    if missing:
        return _fail(f"no such file: {', '.join(missing)}")
    with long_work() as progress:
        report = import_applications(ctx, args.files, dry_run=args.dry_run, progress=progress)
    if report.invalid:
        print(f"Nothing imported: {len({label for label, _ in report.invalid})} application(s) have "
              "problems. Correct them and import the file again.", file=sys.stderr)
        for label, problem in report.invalid:
            print(f"  {label}: {problem.field}: {problem.message}", file=sys.stderr)
        return 1
    for source, reference in report.already_imported:
        print(f"{source}: already imported as {reference}; nothing new created")
    if args.dry_run:
        for label in report.to_create:
            print(f"{label}: would be created")
        return 0
    for created in report.created:
        line = f"{created.reference}\t{created.source_reference or ''}"
        notes = []
        if created.waiting_for:
            notes.append("awaiting " + " and ".join(created.waiting_for))
        if created.unmatched_agencies:
            notes.append("check 'reported to': " + ", ".join(sorted(set(created.unmatched_agencies))))
        print(line + (f"\t({'; '.join(notes)})" if notes else ""))
    if report.cancelled:
        return stopped(Run(tuple(c.source_reference or c.reference for c in report.created), report.not_started,
                           report.changes, "applications").summary(),
                       "Import the same files again to add those not started: those imported are recognised.")
    return 0


def _cases(ctx: ServiceContext, args: argparse.Namespace) -> int:
    from app.services.cases.case_list import CaseQuery, record_export
    from app.services.cases.summaries import list_cases, next_action
    cases = list_cases(ctx)
    # Personal data leaving the app: refused without the export permission, logged before printing.
    record_export(ctx, len(cases), CaseQuery(), how=f"command line cases --format {args.format}")
    if args.format == "json":
        json.dump([c.to_json() for c in cases], sys.stdout, indent=1)
        print()
        return 0
    rows = []
    for c in cases:
        action = next_action(c)
        rows.append([c.reference, c.source_reference or "", c.channel, uk(c.received_on), c.status,
                     c.applicant, f"{c.qualifying_incidents} ({'met' if c.threshold_met else 'not met'})",
                     action.clock.value if action else "", uk(action.due) if action else "",
                     c.indicator.value])
    header = ["reference", "source_reference", "channel", "received", "status", "applicant",
              "threshold", "next_clock", "next_due", "indicator"]
    if args.format == "csv":
        from app.csv_writer import to_text
        sys.stdout.write(to_text(header, rows))
        return 0
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    for row in [header, *rows]:
        print("  ".join(str(v).ljust(w) for v, w in zip(row, widths)).rstrip())
    print(f"{len(rows)} case(s)")
    return 0


def _demo(ctx: ServiceContext, args: argparse.Namespace) -> int:
    from app.services.demo.generate import generate_demo_cases
    if args.cases < 1:
        return _fail("--cases must be at least 1")
    with long_work() as progress:
        loaded = generate_demo_cases(ctx, args.cases, seed=args.seed, progress=progress)
    print(f"Created {loaded.made} demo cases.")
    if loaded.cancelled:
        return stopped(loaded.summary())
    return 0


def _backup(choice: DatabaseChoice, target: Path) -> int:
    if not choice.is_sqlite or choice.sqlite_path is None:
        return _fail("backup copies a local SQLite file. For the shared PostgreSQL database use the "
                     "server's own tool, for example: pg_dump --format=custom --file=backup.dump DBNAME")
    if not choice.sqlite_path.exists():
        return _fail(f"there is no database at {choice.sqlite_path}")
    backup_sqlite(choice.sqlite_path, target)
    print(f"Backed up {choice.sqlite_path} to {target}")
    return 0


COMMANDS: dict[str, Callable[..., int]] = {"import": _import, "cases": _cases, "demo": _demo,
                                           **LETTER_HANDLERS, **REPORT_HANDLERS,
                                           **ADMIN_HANDLERS, **SETTINGS_HANDLERS}
