"""Take the reference telephone call and a postal batch of five in the REAL window, from outside, with
keys only, and count the keys that are not data and the mouse actions.

    .venv/bin/python scripts/keyboard_session.py [--display :13] [--start-x] [--size 1280x800]
                                                 [--screenshots FOLDER]
                                                 [--server postgresql+psycopg://postgres@127.0.0.1:5432/ct_keys
                                                  --cases 100000 --delay-ms 20]

The app runs as it is installed (`community-trigger`) under an X server with a window manager (Xvfb
and openbox: `--start-x` starts both on the display given); keys are sent with xdotool to whatever has
focus, as an officer's keyboard would. Afterwards the database is read to check that every answer
landed in its own field. Nothing here moves or clicks the mouse. The keys start once the window's
title names the database (it does once the database is open and the user signed in).

The database is a fresh SQLite file, or with --server a PostgreSQL database prepared as the freeze
benchmark prepares it (--cases demo cases, the server's audit function) and reached through the
loopback delay proxy (benchmarks/delay_proxy.py, --delay-ms each way). The app runs with its freeze
log on (COMMUNITY_TRIGGER_FREEZE_LOG_MS, ui/freeze_watch.py): the longest freeze of the window while
it was used, and every freeze over 100 ms with the work then waiting, are printed at the end.
"""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

TITLE = "Community Trigger Case Manager"
KEY_PAUSE = 0.12  # after each key: the app handles it (and any timer it starts) before the next
TYPE_DELAY_MS = 25

# The reference call: the applicant's 8 answers (title, first name, surname, address, postcode, phone,
# email, consent), 3 incidents of 4 answers (happened, reported on, reported to, what happened), and the
# problem's 3 answers (type of ASB, location, impact).
APPLICANT = ("Ms", "Asha", "Patel", "12 Example Road", "TN1 1AA", "01892 000000", "asha@example.org")
INCIDENTS = (("02/10/2026", "03/10/2026", "Kent Police", "Loud music until 3am"),
             ("10/10/2026", "11/10/2026", "Kent Police", "Shouting in the street"),
             ("01/11/2026", "02/11/2026", "Town and Country Housing", "Door kicked"))
PROBLEM = ("noise, verbal abuse", "Example Road", "Cannot sleep")
CALL_ANSWERS = len(APPLICANT) + 1 + 4 * len(INCIDENTS) + len(PROBLEM)
POSTAL = ("Okoro", "Reed", "Hughes", "Banks", "Ahmed")
POSTAL_ANSWERS = 7 + 4 * len(INCIDENTS)  # title, first name, surname, address, postcode, consent, type


@dataclass
class Tally:
    """What was sent: keys that are not data, characters typed, mouse actions (none are sent)."""

    non_data: int = 0
    characters: int = 0
    mouse: int = 0
    keys: list[str] = field(default_factory=list)


class Keyboard:
    def __init__(self, display: str, tally: Tally) -> None:
        self.env = {**os.environ, "DISPLAY": display}
        self.tally = tally

    def _run(self, *args: str) -> None:
        subprocess.run(["xdotool", *args], env=self.env, check=True)
        time.sleep(KEY_PAUSE)

    def key(self, name: str) -> None:
        """One key or chord that is not data (Tab, alt+d, ctrl+s...)."""
        self.tally.non_data += 1
        self.tally.keys.append(name)
        self._run("key", "--clearmodifiers", name)

    def type(self, text: str) -> None:
        """Data: the characters of an answer."""
        self.tally.characters += len(text)
        self._run("type", "--delay", str(TYPE_DELAY_MS), text)


def _start_x(display: str, size: str) -> list[subprocess.Popen]:
    xvfb = subprocess.Popen(["Xvfb", display, "-screen", "0", f"{size}x24", "-nolisten", "tcp"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(1.0)
    # A window manager: without one, X gives a window no input focus after a dialog closes (traps.md).
    wm = subprocess.Popen(["openbox"], env={**os.environ, "DISPLAY": display},
                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(1.0)
    return [wm, xvfb]


FREEZE_LOG_MS = int(os.environ.get("COMMUNITY_TRIGGER_FREEZE_LOG_MS", "") or 100)  # the threshold logged


def _prepare_database(url: str) -> None:
    """A new database with the set-up done, so that the app opens on its main window."""
    from app.db.location import DatabaseChoice, normalise_url
    from app.services.admin.database import open_database
    from app.services.admin.settings import mark_set_up, save_my_details
    ctx = open_database(DatabaseChoice(normalise_url(url), "session")).context
    save_my_details(ctx, display_name="Jo Smith", phone="01892 526121", email="jo.smith@example.gov.uk")
    mark_set_up(ctx)
    ctx.engine.dispose()


def _prepare_server(url: str, cases: int) -> None:
    """A server database as the freeze benchmark has it (cases, the officer's details, the audit function)."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from bench_round_trips import prepare
    prepare(url, cases)


def _freezes(data_home: Path) -> tuple[int | None, list[str]]:
    """The session's longest freeze and the freezes over the threshold, from the app's diagnostics log."""
    longest, over = None, []
    for log in sorted(data_home.rglob("community-trigger.log*")):
        for line in log.read_text(encoding="utf-8", errors="replace").splitlines():
            if "window-freeze-summary" in line:
                longest = max(longest or 0, int(line.split("longest_ms=")[1].split()[0]))
            elif "window-freeze ms=" in line:
                over.append(line.split("window-freeze ", 1)[1])
    return longest, over


def _wait_for_window(env: dict[str, str], timeout: float = 30) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        found = subprocess.run(["xdotool", "search", "--onlyvisible", "--name", TITLE], env=env,
                               capture_output=True, text=True)
        if found.stdout.strip():
            window = found.stdout.split()[0]
            name = subprocess.run(["xdotool", "getwindowname", window], env=env, capture_output=True, text=True)
            if "\N{EM DASH}" not in name.stdout:  # the title names the database once it is open
                time.sleep(0.3)
                continue
            subprocess.run(["xdotool", "windowactivate", "--sync", window], env=env, capture_output=True)
            time.sleep(1.5)  # the first screenful of the case list
            return
        time.sleep(0.3)
    raise SystemExit("The app's window did not appear.")


def _screenshot(folder: Path | None, name: str, env: dict[str, str]) -> None:
    if folder is not None and shutil.which("import"):
        subprocess.run(["import", "-window", "root", str(folder / f"{name}.png")], env=env, check=False)


def reference_call(k: Keyboard) -> None:
    k.key("ctrl+n")  # open the form: focus on the title
    title, first, surname, address, postcode, phone, email = APPLICANT
    for value, then in ((title, "Tab"), (first, "Tab"), (surname, "alt+d"),  # past the organisation
                        (address, "Tab"), (postcode, "Tab"), (phone, "Tab"),
                        (email, "alt+g")):  # straight to the consent question
        k.type(value)
        k.key(then)
    k.type("Y")  # consent to share: Yes
    k.key("Tab")  # into the incidents grid, at its first cell
    for n, (happened, reported, to, what) in enumerate(INCIDENTS):
        for value in (happened, reported, to):
            k.type(value)
            k.key("Tab")
        k.type(what)
        k.key("ctrl+Return" if n < len(INCIDENTS) - 1 else "alt+y")  # next incident; or out, to the problem
    asb, location, impact = PROBLEM
    k.type(asb)
    k.key("Tab")
    k.type(location)
    k.key("alt+m")  # the impact, past the perpetrators grid
    k.type(impact)
    k.key("ctrl+s")
    time.sleep(1.5)


def postal_batch(k: Keyboard) -> None:
    k.key("ctrl+shift+n")  # focus on the date received
    k.type("23/11/2026")
    k.key("alt+t")  # the title (the form already says "post")
    for n, surname in enumerate(POSTAL):
        for value, then in (("Mr", "Tab"), ("Sam", "Tab"), (surname, "alt+d"), (f"{n + 1} Example Road", "Tab"),
                            (f"TN4 0Z{n}", "alt+g"), ("Y", "Tab")):
            k.type(value)
            k.key(then)
        for m, (happened, reported, to, what) in enumerate(INCIDENTS):
            for value in (happened, reported, to):
                k.type(value)
                k.key("Tab")
            k.type(what)
            k.key("ctrl+Return" if m < len(INCIDENTS) - 1 else "alt+y")
        k.type("noise")
        k.key("ctrl+shift+s")  # Save and next: the title again, the date kept
        time.sleep(1.5)


def _last_case_id(url: str) -> int:
    """The highest case id before the session: what it saves comes after (a server database has others)."""
    from sqlalchemy import create_engine, text
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return int(conn.execute(text("SELECT coalesce(max(id), 0) FROM cases")).scalar_one())
    finally:
        engine.dispose()


def _check(url: str, after: int = 0) -> list[str]:
    """Every answer in its own field: read back what was saved (the session's own applications, the
    cases after `after`, among whatever else the database holds)."""
    from app.db.location import DatabaseChoice, normalise_url
    from app.services.admin.database import open_database
    from app.services.cases.case_page import load_case
    from app.services.cases.summaries import list_cases
    ctx = open_database(DatabaseChoice(normalise_url(url), "session")).context
    problems = []
    cases = [c for c in list_cases(ctx) if c.id > after]
    phone = [c for c in cases if c.channel == "telephone"]
    post = [c for c in cases if c.channel == "post"]
    if len(phone) != 1:
        problems.append(f"{len(phone)} telephone applications saved, not 1")
    else:
        d = load_case(ctx, phone[0].id, record_view=False)
        got = (d.applicant.name, d.applicant.postcode, d.applicant.phone, d.applicant.email, d.consent_to_share,
               [(i.reported_to, i.description) for i in d.incidents], d.asb_types, d.problem_location, d.impact)
        want = ("Ms Asha Patel", "TN1 1AA", "01892 000000", "asha@example.org", True,
                [(to, what) for _h, _r, to, what in INCIDENTS], PROBLEM[0], PROBLEM[1], PROBLEM[2])
        if got != want:
            problems.append(f"the call was saved as {got}, not {want}")
        if d.qualifying_incidents != 3:
            problems.append(f"{d.qualifying_incidents} qualifying incidents, not 3")
    names = sorted(c.applicant for c in post)
    if names != sorted(f"Mr Sam {s}" for s in POSTAL):
        problems.append(f"the postal batch was saved as {names}")
    if {str(c.received_on) for c in post} != {"2026-11-23"}:
        problems.append("the postal batch did not keep its date received")
    ctx.engine.dispose()
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--display", default=":13")
    parser.add_argument("--start-x", action="store_true", help="start Xvfb and openbox on the display")
    parser.add_argument("--size", default="1280x800", help="the screen, for --start-x (1366x768 too)")
    parser.add_argument("--screenshots", type=Path, help="save a screenshot after each part here")
    parser.add_argument("--server", help="a PostgreSQL database URL to use instead of a fresh SQLite file "
                                         "(its cases are kept; the session's are found by name)")
    parser.add_argument("--cases", type=int, default=100_000, help="demo cases the server database holds")
    parser.add_argument("--delay-ms", type=float, default=20.0, help="added each way to the server's traffic")
    args = parser.parse_args()
    for tool in ("xdotool", *(("Xvfb", "openbox") if args.start_x else ())):
        if shutil.which(tool) is None:
            print(f"keyboard_session: {tool} is not installed", file=sys.stderr)
            return 2
    started = _start_x(args.display, args.size) if args.start_x else []
    folder = Path(tempfile.mkdtemp(prefix="keyboard-session-"))
    url = args.server or f"sqlite:///{folder / 'session.db'}"
    app_url, proxy = url, None
    app = None
    try:
        if args.server:
            _prepare_server(url, args.cases)
            sys.path.insert(0, str(ROOT / "benchmarks"))
            from delay_proxy import DelayProxy
            proxy = DelayProxy(delay_ms=args.delay_ms).start()
            app_url = url.replace("127.0.0.1:5432", f"127.0.0.1:{proxy.port}").replace(
                "localhost:5432", f"127.0.0.1:{proxy.port}")
        else:
            _prepare_database(url)
        after = _last_case_id(url)
        env = {**os.environ, "DISPLAY": args.display, "XDG_CONFIG_HOME": str(folder / "config"),
               "XDG_DATA_HOME": str(folder / "data"), "COMMUNITY_TRIGGER_FREEZE_LOG_MS": str(FREEZE_LOG_MS)}
        env.pop("QT_QPA_PLATFORM", None)
        command = [str(Path(sys.executable).with_name("community-trigger")), "--database", app_url]
        app = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        _wait_for_window(env)
        if args.screenshots:
            args.screenshots.mkdir(parents=True, exist_ok=True)
        call, batch = Tally(), Tally()
        reference_call(Keyboard(args.display, call))
        _screenshot(args.screenshots, "reference-call-saved", env)
        postal_batch(Keyboard(args.display, batch))
        _screenshot(args.screenshots, "postal-batch-saved", env)
        Keyboard(args.display, Tally()).key("ctrl+q")
        app.wait(timeout=20)
        problems = _check(url, after)
        longest, over = _freezes(folder / "data")
    finally:
        if app is not None and app.poll() is None:
            app.terminate()
            app.wait(timeout=10)
        if proxy is not None:
            proxy.stop()
        for process in started:
            process.terminate()
            process.wait(timeout=10)
        shutil.rmtree(folder, ignore_errors=True)
    call_target = CALL_ANSWERS + 6
    print(f"Reference telephone call ({CALL_ANSWERS} answers): {call.non_data} keys that are not data "
          f"(target at most {call_target}), {call.characters} characters typed, {call.mouse} mouse actions.")
    print(f"  {' '.join(call.keys)}")
    per = batch.non_data / len(POSTAL)
    print(f"Postal batch of {len(POSTAL)} ({POSTAL_ANSWERS} answers each): {batch.non_data} keys that are not data "
          f"({per:.1f} an application, target at most {POSTAL_ANSWERS + 6}), {batch.characters} characters "
          f"typed, {batch.mouse} mouse actions.")
    where = f"PostgreSQL through the delay proxy, {args.delay_ms:g} ms each way" if args.server else "SQLite"
    print(f"Longest freeze of the window while it was used ({where}): "
          f"{'not logged' if longest is None else f'{longest} ms'}; over {FREEZE_LOG_MS} ms: {len(over)}.")
    for line in over:
        print(f"  {line}")
    if problems:
        print("Not saved as typed:\n  " + "\n  ".join(problems))
        return 1
    print("Every answer was saved in its own field.")
    return 0 if call.non_data <= call_target and per <= POSTAL_ANSWERS + 6 else 1


if __name__ == "__main__":
    sys.exit(main())
