"""The installed `community-trigger` command: the command line, which starts the app when asked.

Started with no command (the way an officer starts it: the shortcut, or `--database URL` alone), it
goes straight to the window without importing the command line's modules or SQLAlchemy: the
database is chosen and opened after the window is painted (ui/main.py). Anything else is the
command line's (app/cli.py), which starts the window the same way when it finds no command.
"""
from __future__ import annotations

import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from app.services.admin.database import DatabaseChoice


def _start_gui(choice: DatabaseChoice | str | None) -> int:
    from ui.platform_check import problem
    missing = problem()  # before Qt: a missing system library would abort inside Qt with exit 134
    if missing:
        print(missing, file=sys.stderr)
        return 1
    from ui.main import run  # Qt is imported only when the window is wanted
    return run(choice)


def window_only(argv: list[str]) -> tuple[bool, str | None]:
    """Whether the arguments ask for nothing but the window (and which --database, if one is given)."""
    if not argv:
        return True, None
    if len(argv) == 2 and argv[0] == "--database" and argv[1] and not argv[1].startswith("-"):
        return True, argv[1]
    if len(argv) == 1 and argv[0].startswith("--database=") and len(argv[0]) > len("--database="):
        return True, argv[0].split("=", 1)[1]
    return False, None


def main() -> int:
    args = sys.argv[1:]
    if "--self-test" in args:
        from ui.self_test import run
        return run()
    window, database = window_only(args)
    if window:
        return _start_gui(database)
    from app.cli import main as cli_main
    return cli_main(args, start_gui=_start_gui)


if __name__ == "__main__":
    sys.exit(main())
