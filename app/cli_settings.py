"""Command-line handlers for `settings show` and `settings set KEY=VALUE ... [--effective-from DATE]`."""
from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable

from app.domain.dates import parse_uk_or_iso
from app.services.common.context import ServiceContext
from app.services.common.errors import ValidationFailed

Handler = Callable[[ServiceContext, argparse.Namespace], int]
BAD_INPUT = 2


def add_parsers(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "settings", help="(administrator) show or change the council's settings by name",
        description="Every key, its limits and its default are listed by `settings show` and in the README. "
                    "Threshold keys (threshold.*) take effect from today, or from --effective-from; each case "
                    "is judged by the rules in force on its date received.")
    sub = p.add_subparsers(dest="settings_command", metavar="show|set")
    show = sub.add_parser("show", help="every setting with its value, default and limits")
    show.add_argument("--format", choices=("table", "json"), default="table")
    change = sub.add_parser("set", help="change one or more settings (all or none), audited")
    change.add_argument("assignments", nargs="+", metavar="KEY=VALUE")
    change.add_argument("--effective-from", metavar="DATE",
                        help="the date a change of the threshold rules takes effect (dd/mm/yyyy; default today)")


def _say_bad(message: str) -> int:
    print(f"community-trigger: {message}", file=sys.stderr)
    return BAD_INPUT


def _settings(ctx: ServiceContext, args: argparse.Namespace) -> int:
    from app.services.admin.named_settings import set_settings, show_settings, threshold_history
    if args.settings_command == "show":
        values = show_settings(ctx)
        if args.format == "json":
            json.dump({"settings": [v.to_json() for v in values], "threshold_rules": threshold_history(ctx)},
                      sys.stdout, indent=1, ensure_ascii=False)
            print()
            return 0
        width = max(len(v.key) for v in values)
        for v in values:
            print(f"{v.key.ljust(width)}  {v.value or '(none)'}")
        print("\nThreshold rules over time:")
        for line in threshold_history(ctx):
            print(f"  {line}")
        return 0
    if args.settings_command != "set":
        return _say_bad("say `settings show` or `settings set KEY=VALUE ...`")
    try:
        when = parse_uk_or_iso(args.effective_from) if args.effective_from else None
    except ValueError as exc:
        return _say_bad(f"--effective-from: {exc}")
    try:
        result = set_settings(ctx, args.assignments, effective_from=when)
    except ValidationFailed as exc:
        # One line per refusal, each saying which key and why; nothing was changed.
        for problem in exc.problems:
            print(f"community-trigger: {problem.field}: {problem.message}", file=sys.stderr)
        print("community-trigger: nothing was changed", file=sys.stderr)
        return BAD_INPUT
    if not result.changed:
        print("Nothing changed: every value was already as given.")
        return 0
    for key, before, after in result.changed:
        print(f"{key}: {before or '(none)'} -> {after or '(none)'}")
    if result.effective_from:
        print(f"Threshold rules in force from {result.effective_from:%d/%m/%Y}.")
    if result.recalculated:
        print(f"Worked out again for {result.recalculated} case(s); {result.indicators_moved} indicator(s) moved. "
              "Decisions already recorded keep the rules they were made under.")
    return 0


HANDLERS: dict[str, Handler] = {"settings": _settings}
