"""Command-line handlers for `letter`, `panel-pack` and `agencies` (the directory's addresses and contacts)."""
from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path

from app.cli_progress import long_work
from app.domain.dates import long_form, parse_uk_or_iso
from app.services.common.context import ServiceContext

Handler = Callable[[ServiceContext, argparse.Namespace], int]


def add_parsers(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "letter", help="produce a case's letter as a PDF, kept with the case (approve it; record it as sent)",
        description="Produces exactly the letter the app would and keeps it with the case. A letter that does "
                    "not fit the case's state, or lacks what it needs, is refused saying what to do.")
    p.add_argument("reference", metavar="REFERENCE", help="the case reference, e.g. CT-2026-0007")
    p.add_argument("template", metavar="TEMPLATE", help="the letter, e.g. acknowledgement, findings")
    p.add_argument("--recipient", metavar="NAME", help="the victim, a panel member or a named person at an agency")
    p.add_argument("--agency", metavar="NAME", help="the agency an agency letter is for")
    p.add_argument("--output", type=Path, metavar="FILE.pdf", help="where to write the PDF (needed, except to "
                   "approve a letter already read)")
    p.add_argument("--large-print", action="store_true", help="16 pt large print (otherwise as the recipient's "
                   "accessibility needs say)")
    p.add_argument("--extra", action="append", default=[], metavar="KEY=VALUE",
                   help="a free-text part of the letter, e.g. delay_reason=\"...\" new_date=15/01/2027 (repeat "
                        "for each)")
    p.add_argument("--approve", action="store_true", help="(panel chair) approve the findings letter already "
                   "produced, once you have read it")
    p.add_argument("--sent-on", metavar="DATE", help="record the letter as sent on this date (dd/mm/yyyy)")
    p.add_argument("--method", choices=("post", "email", "hand"), help="how it was sent (with --sent-on)")

    p = subparsers.add_parser("panel-pack", help="the OFFICIAL-SENSITIVE pack of the panel meeting on a date",
                              description="Produces the pack of the meeting on DATE, keeps it with the meeting "
                                          "and audits it on every case in it.")
    p.add_argument("date", metavar="DATE", help="the meeting's date (dd/mm/yyyy)")
    p.add_argument("--output", type=Path, required=True, metavar="FILE.pdf")
    p.add_argument("--member", metavar="NAME", help="a member's own pack: leaves out the cases in which the member "
                   "declared a conflict of interest")
    p.add_argument("--password", action="store_true", help="protect the PDF with a password (asked for)")

    p = subparsers.add_parser("agencies", help="the agency directory: list it, or set an agency's address and "
                              "the named contact letters go to")
    sub = p.add_subparsers(dest="agencies_command", metavar="ACTION", required=True)
    q = sub.add_parser("list", help="every agency with its address and contacts")
    q.add_argument("--format", choices=("table", "json"), default="table")
    q = sub.add_parser("set", help="(administrator or manager) change one agency, audited",
                       description="With --contact, --email and --phone are that person's and agency letters "
                                   "go to them; without it they are the agency's own.")
    q.add_argument("name", metavar="NAME", help="the agency, by name or alias")
    q.add_argument("--address", metavar="LINE|LINE", help="the postal address, lines separated by |")
    q.add_argument("--postcode", metavar="P")
    q.add_argument("--contact", metavar="NAME", help="the named person agency letters go to")
    q.add_argument("--contact-role", metavar="ROLE", help="their job title, printed under their name")
    q.add_argument("--email", metavar="E")
    q.add_argument("--phone", metavar="P")
    q.add_argument("--alias", nargs="+", default=[], metavar="ALIAS", help="other names applicants use for it")


def _fail(message: str, code: int = 1) -> int:
    print(f"community-trigger: {message}", file=sys.stderr)
    return code


def _extra(pairs: list[str]) -> dict[str, str] | None:
    out: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise ValueError(f"'{pair}' is not KEY=VALUE (for example delay_reason=\"Waiting for the police\")")
        out[key.strip()] = value.strip()
    return out or None


def _write(path: Path, pdf: bytes, kept: str) -> str | None:
    try:
        path.write_bytes(pdf)
    except OSError as exc:
        return f"{kept} but {path} could not be written: {exc.strerror or exc}"
    return None


def _letter(ctx: ServiceContext, args: argparse.Namespace) -> int:
    from app.services.letters.case_letters import ReadFirst, letter_for_reference, letter_pdf
    try:
        sent_on = parse_uk_or_iso(args.sent_on) if args.sent_on else None
    except ValueError as exc:
        return _fail(f"--sent-on: {exc}", 2)
    try:
        extra = _extra(args.extra)
    except ValueError as exc:
        return _fail(f"--extra: {exc}", 2)
    if args.output is None and not args.approve:
        return _fail("give --output FILE.pdf for the letter", 2)
    if args.approve and (extra or args.large_print or args.recipient or args.agency):
        return _fail("--approve approves the letter already produced; it takes no --extra, --large-print, "
                     "--recipient or --agency", 2)
    try:
        info, pdf = letter_for_reference(ctx, args.reference, args.template, recipient=args.recipient,
                                         agency_name=args.agency, sent_on=sent_on, method=args.method,
                                         extra_text=extra, large_print=True if args.large_print else None,
                                         approve=args.approve)
    except ReadFirst as exc:
        if args.output is None:
            return _fail(f"{exc} Give --output FILE.pdf to write it out and read it, then approve.")
        problem = _write(args.output, letter_pdf(ctx, exc.letter_id), "the letter is kept with the case")
        if problem:
            return _fail(problem)
        return _fail(f"the letter is written to {args.output}: read it, then run the same command again to "
                     "approve it.")
    if args.output is not None:
        problem = _write(args.output, pdf, f"the letter is kept with the case (letter {info.id})")
        if problem:
            return _fail(problem)
    where = f" written to {args.output}" if args.output is not None else ""
    print(f"{args.reference.upper()}: {info.label} to {info.recipient}{where} (letter {info.id})")
    if args.approve:
        print(f"Approved by {info.approver_name}, panel chair.")
    if info.sent_on:
        print(f"Recorded as sent by {info.sent_method} on {long_form(info.sent_on)}.")
    return 0


def _panel_pack(ctx: ServiceContext, args: argparse.Namespace) -> int:
    from app.services.panels import meetings as panels
    from app.services.panels.pack import build_panel_pack, meeting_on
    try:
        day = parse_uk_or_iso(args.date)
    except ValueError as exc:
        return _fail(f"DATE: {exc}", 2)
    meeting_id = meeting_on(ctx, day)
    member_id = None
    if args.member:
        members = panels.meeting_detail(ctx, meeting_id).attendees
        found = [m for m in members if m.name.casefold() == args.member.strip().casefold()]
        if not found:
            names = ", ".join(m.name for m in members) or "nobody yet"
            return _fail(f"--member: {args.member} is not on the meeting's list (members: {names})", 2)
        member_id = found[0].id
    password = None
    if args.password:
        import getpass
        password = getpass.getpass("Password for the pack: ")
        if not password:
            return _fail("--password: no password given", 2)
    with long_work() as progress:  # a stop raises Cancelled: no pack kept, nothing audited
        built = build_panel_pack(ctx, meeting_id, password=password, member_id=member_id, progress=progress)
    problem = _write(args.output, built.pdf, f"the pack is kept with the meeting (letter {built.letter_id})")
    if problem:
        return _fail(problem)
    print(f"Panel pack for the meeting of {long_form(day)} written to {args.output} (letter {built.letter_id})")
    if built.left_out:
        print(f"Left out (conflict of interest declared by {args.member}): {', '.join(built.left_out)}")
    return 0


def _agencies(ctx: ServiceContext, args: argparse.Namespace) -> int:
    from app.services.agencies.directory import list_agency_details, set_agency_details
    if args.agencies_command == "list":
        rows = list_agency_details(ctx)
        if args.format == "json":
            json.dump([r.to_json() for r in rows], sys.stdout, indent=1, ensure_ascii=False)
            print()
            return 0
        header = ["name", "kind", "relevant", "address", "postcode", "letters to"]
        table = [header]
        for r in rows:
            contact = r.letters_contact
            table.append([r.name + ("" if r.active else " (inactive)"), r.kind, "yes" if r.relevant_body else "no",
                          ", ".join(line for line in r.address.splitlines() if line.strip()) or "-",
                          r.postcode or "-",
                          f"{contact.name}{', ' + contact.role if contact.role else ''}" if contact else "-"])
        widths = [max(len(row[i]) for row in table) for i in range(len(header))]
        for row in table:
            print("  ".join(v.ljust(w) for v, w in zip(row, widths)).rstrip())
        print(f"{len(rows)} agencies")
        return 0
    lines = [line.strip() for line in args.address.split("|")] if args.address is not None else None
    if lines is not None and not any(lines):
        return _fail("--address: give the lines, separated by |", 2)
    detail = set_agency_details(ctx, args.name, address_lines=lines, postcode=args.postcode,
                                contact=args.contact, contact_role=args.contact_role, email=args.email,
                                phone=args.phone, aliases=args.alias)
    contact = detail.letters_contact
    print(f"{detail.name}: saved (version {detail.version}). Letters go to "
          f"{contact.name if contact else 'nobody named yet'}"
          f"{', ' + ', '.join(line for line in detail.address.splitlines() if line) if detail.address else ''}"
          f"{', ' + detail.postcode if detail.postcode else ''}.")
    return 0


HANDLERS: dict[str, Handler] = {"letter": _letter, "panel-pack": _panel_pack, "agencies": _agencies}
