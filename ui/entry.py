"""The installed `community-trigger` command: the command line, which starts the app when asked."""
from __future__ import annotations

import sys

from app.cli import main as cli_main
from app.db.location import DatabaseChoice


def _start_gui(choice: DatabaseChoice) -> int:
    from ui.platform_check import problem
    missing = problem()  # before Qt: a missing system library would abort inside Qt with exit 134
    if missing:
        print(missing, file=sys.stderr)
        return 1
    from ui.main import run  # Qt is imported only when the window is wanted
    return run(choice)


def main() -> int:
    if "--self-test" in sys.argv[1:]:
        from ui.self_test import run
        return run()
    return cli_main(sys.argv[1:], start_gui=_start_gui)


if __name__ == "__main__":
    sys.exit(main())
