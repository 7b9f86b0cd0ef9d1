"""Command-line handlers for the administrator and the information-governance officer.

`users`, `subject-access`, `retention` and `audit`: each is refused unless the signed-in user's role
allows it (checked here and again by the service), and each is audited by the service it calls.
Bad input exits 2 with a one-line reason; a refusal exits 1; `audit verify` exits 1 when the chain
is broken, naming the first broken entry. Retention runs and subject access exports stopped with
Ctrl+C exit 130 (app.cli_progress.STOPPED), saying what was done and what was not started.
"""
from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from app.cli_progress import long_work, stopped
from app.domain.dates import parse_uk_or_iso, uk
from app.domain.roles import Permission, Role
from app.services.common.context import ServiceContext
from app.services.common.errors import ValidationFailed

Handler = Callable[[ServiceContext, argparse.Namespace], int]
ROLES = tuple(r.value for r in Role)
SERVER_GROUPS = {Role.READ_ONLY: "ct_read_only", Role.OFFICER: "ct_officer", Role.PANEL_CHAIR: "ct_panel_chair",
                 Role.MANAGER: "ct_manager", Role.ADMINISTRATOR: "ct_admin"}  # deploy/postgresql-roles.sql


def add_parsers(subparsers: argparse._SubParsersAction) -> None:
    users = subparsers.add_parser("users", help="(administrator) list, add or change the app's users")
    u = users.add_subparsers(dest="users_command", metavar="ACTION", required=True)
    p = u.add_parser("list", help="every user, their role and whether they are switched on")
    p.add_argument("--format", choices=("table", "json"), default="table")
    p = u.add_parser("add", help="add a user (on the shared server, also create their login role: see README)")
    p.add_argument("login", metavar="LOGIN", help="their Windows login, or their login role on the server")
    p.add_argument("--name", required=True, help="their name as letters show it")
    p.add_argument("--role", required=True, choices=ROLES)
    _details(p)
    p = u.add_parser("set", help="change a user: only what is given changes")
    p.add_argument("login", metavar="LOGIN")
    p.add_argument("--name")
    p.add_argument("--role", choices=ROLES)
    _details(p)
    switch = p.add_mutually_exclusive_group()
    switch.add_argument("--active", dest="active", action="store_true", default=None, help="switch the user on")
    switch.add_argument("--inactive", dest="active", action="store_false", help="switch the user off")

    p = subparsers.add_parser("subject-access", help="export everything held about a person, others redacted "
                              "(the JSON, a readable PDF and the letters sent to them)")
    p.add_argument("name", metavar="NAME", help="part of the person's name (applicant, victim or alleged "
                                                "perpetrator)")
    p.add_argument("--output", type=Path, required=True, metavar="DIR")
    p.add_argument("--reason", default="subject access request", help="why (kept in the audit log)")
    p.add_argument("--id", dest="ids", action="append", metavar="KIND:ID",
                   help="choose among several matches, e.g. person:12 (repeat it for the same person's other "
                        "records)")

    retention = subparsers.add_parser("retention", help="(manager) cases due for review; anonymise or delete one")
    r = retention.add_subparsers(dest="retention_command", metavar="ACTION", required=True)
    r.add_parser("list", help="closed or withdrawn cases whose retention period has ended")
    for action, words in (("anonymise", "replace the personal data, keep the figures"),
                          ("delete", "remove the case and everything with it")):
        p = r.add_parser(action, help=f"{words} (one case, several, or every case due for review)")
        p.add_argument("references", nargs="*", metavar="REFERENCE")
        p.add_argument("--all-due", action="store_true", help="every case `retention list` shows")
        p.add_argument("--reason", required=True, metavar="TEXT")

    log = subparsers.add_parser("audit", help="(manager) check the audit log's hash chain, or export it")
    a = log.add_subparsers(dest="audit_command", metavar="ACTION", required=True)
    a.add_parser("verify", help="exit 0 if intact; exit 1 naming the first entry changed, inserted or removed")
    p = a.add_parser("export", help="the entries (no personal values) for a period, as CSV")
    p.add_argument("--from", dest="start", required=True, metavar="DATE")
    p.add_argument("--to", dest="end", required=True, metavar="DATE")
    p.add_argument("--reason", required=True, metavar="TEXT")
    p.add_argument("--output", type=Path, required=True, metavar="FILE")


def _details(p: argparse.ArgumentParser) -> None:
    p.add_argument("--phone")
    p.add_argument("--email")
    p.add_argument("--job-title", dest="job_title")


def _fail(message: str, code: int = 2) -> int:
    print(f"community-trigger: {message}", file=sys.stderr)
    return code


def _invalid(exc: ValidationFailed) -> int:
    return _fail("; ".join(f"{p.field}: {p.message}" for p in exc.problems))


def _table(header: Sequence[str], rows: list[list[str]]) -> None:
    widths = [max(len(str(r[i])) for r in [list(header), *rows]) for i in range(len(header))]
    for row in [list(header), *rows]:
        print("  ".join(str(v).ljust(w) for v, w in zip(row, widths)).rstrip())


# --- users ---------------------------------------------------------------------------------------------

def _users(ctx: ServiceContext, args: argparse.Namespace) -> int:
    from app.services.trust import users
    ctx.require(Permission.MANAGE_USERS)
    try:
        if args.users_command == "list":
            found = users.list_users(ctx)
            if args.format == "json":
                json.dump([u.to_json() for u in found], sys.stdout, indent=1, ensure_ascii=False)
                print()
            else:
                _table(("login", "name", "role", "active", "password", "email", "phone", "job title"),
                       [[u.login, u.display_name, u.role.value, "yes" if u.active else "no",
                         "yes" if u.has_password else "no", u.email or "", u.phone or "", u.job_title or ""]
                        for u in found])
                print(f"{len(found)} user(s)")
            return 0
        if args.users_command == "add":
            info = users.add_user(ctx, args.login, display_name=args.name, role=args.role, phone=args.phone,
                                  email=args.email, job_title=args.job_title)
            print(f"Added {info.login} ({info.display_name}) as {info.role.label.lower()}.")
        else:
            info = users.change_user(ctx, args.login, display_name=args.name, role=args.role, phone=args.phone,
                                     email=args.email, job_title=args.job_title, active=args.active)
            print(f"{info.login}: {info.display_name}, {info.role.label.lower()}, "
                  f"{'active' if info.active else 'switched off'}.")
    except ValidationFailed as exc:
        return _invalid(exc)
    if ctx.dialect == "postgresql" and (args.users_command == "add" or args.role):
        # The server must agree, or sign-in refuses them: its groups are set up by postgresql-roles.sql.
        print(f"On the server, their login role must be in {SERVER_GROUPS[info.role]} (and no other ct_ group), "
              f"for example:  CREATE ROLE \"{info.login}\" LOGIN IN ROLE {SERVER_GROUPS[info.role]};",
              file=sys.stderr)
    return 0


# --- subject access --------------------------------------------------------------------------------------

def _subject_access(ctx: ServiceContext, args: argparse.Namespace) -> int:
    from app.services.trust import subject_access as sar
    ctx.require(Permission.EXPORT)
    if len(args.name.strip()) < 2:
        return _fail("give at least two letters of the person's name")
    matches = sar.find_people(ctx, args.name)
    chosen: list[tuple[str, int]] = []
    for text in args.ids or []:
        kind, _, number = text.partition(":")
        if kind not in sar.KINDS or not number.isdigit():
            return _fail(f"--id {text}: use person:ID or perpetrator:ID, as listed")
        chosen.append((kind, int(number)))
    if not chosen:
        if not matches:
            return _fail(f"nobody on record matches '{args.name.strip()}'", 1)
        if len(matches) > 1:
            print(f"{len(matches)} records match '{args.name.strip()}'; choose with --id:", file=sys.stderr)
            for m in matches:
                print(f"  --id {m.kind}:{m.id}  {m.name}, {m.address or 'no address'} ({m.roles_text})",
                      file=sys.stderr)
            return 2
        chosen = [(matches[0].kind, matches[0].id)]
    kinds = {k for k, _ in chosen}
    if len(kinds) > 1:
        return _fail("the records chosen with --id must all be of one kind (person or perpetrator)")
    try:
        with long_work() as progress:  # a stop while gathering discloses nothing; while writing, whole files
            export = sar.export_subject_access(ctx, chosen[0][0], chosen[0][1], args.reason, args.output,
                                               same_person_ids=[i for _, i in chosen[1:]], progress=progress)
    except ValidationFailed as exc:
        return _invalid(exc)
    print(f"Subject access export for {export.subject}: {len(export.written)} file(s) in {args.output}")
    for path in export.written:
        print(f"  {path.name}")
    if export.cancelled:
        return stopped(export.summary(), "The export is recorded: run it again for the whole bundle.")
    print("Read the whole bundle before it is released: see the README for what is redacted and what is not.",
          file=sys.stderr)
    return 0


# --- retention ---------------------------------------------------------------------------------------------

def _retention(ctx: ServiceContext, args: argparse.Namespace) -> int:
    from app.services.trust import retention
    ctx.require(Permission.RETENTION)
    if args.retention_command == "list":
        due = retention.cases_due_for_review(ctx)
        _table(("reference", "status", "received", "ended", "review due", "applicant"),
               [[d.reference, d.status, uk(d.received_on), uk(d.ended_on), uk(d.review_due_on), d.applicant]
                for d in due])
        print(f"{len(due)} case(s) due for review")
        return 0
    if bool(args.references) == bool(args.all_due):
        return _fail("name the cases (REFERENCE ...) or give --all-due, not both")
    if args.all_due:
        case_ids = [d.id for d in retention.cases_due_for_review(ctx)]
        if not case_ids:
            print("0 case(s) due for review")
            return 0
    else:
        case_ids = [retention.case_id_for_reference(ctx, reference) for reference in args.references]
    try:
        with long_work() as progress:  # a stop takes effect between cases
            run = retention.run_retention(ctx, args.retention_command, case_ids, args.reason, progress=progress)
    except ValidationFailed as exc:
        return _invalid(exc)
    words = "anonymised" if args.retention_command == "anonymise" else "deleted"
    for reference in run.done:
        print(f"{reference} is {words}.")
    if run.cancelled:
        return stopped(run.summary())
    return 0


# --- audit ---------------------------------------------------------------------------------------------------

def _audit(ctx: ServiceContext, args: argparse.Namespace) -> int:
    ctx.require(Permission.VIEW_AUDIT)
    if args.audit_command == "verify":
        from app.services.trust.audit_integrity import verify_chain
        report = verify_chain(ctx)
        print(report.summary(), file=sys.stdout if report.intact else sys.stderr)
        return 0 if report.intact else 1
    from app.services.trust.audit_log import entries, export_audit
    try:
        start, end = parse_uk_or_iso(args.start), parse_uk_or_iso(args.end)
    except ValueError as exc:
        return _fail(f"--from/--to: {exc}")
    try:
        count = export_audit(ctx, args.output, reason=args.reason, date_from=start, date_to=end).count
    except ValidationFailed as exc:
        return _invalid(exc)
    print(f"{entries(count)} from {uk(start)} to {uk(end)} written to {args.output}")
    return 0


HANDLERS: dict[str, Handler] = {"users": _users, "subject-access": _subject_access, "retention": _retention,
                                "audit": _audit}
