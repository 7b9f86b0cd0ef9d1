"""Round trips and wall time per user action on PostgreSQL, through a delay proxy, before and after.

    .venv/bin/python benchmarks/bench_round_trips.py [--database URL] [--delays 0,20] [--runs 3]
        [--baseline-ref 65346c8] [--no-baseline] [--json benchmarks/round_trips.json]

Run on demand; not part of the test suite. DATABASE is a PostgreSQL database that this benchmark may
write to (default postgresql+psycopg://postgres@127.0.0.1:5432/ct_bench): each run saves steps,
letters, a pack and a draft on cases it picks, as an officer would. When it holds fewer than
--cases cases (default 100,000), the missing ones are made first with `demo` (slow on a busy machine).

Every action runs in a child process that talks to the server only through benchmarks/delay_proxy.py
(127.0.0.1, `delay` added each way), once with the code of this checkout ("after") and once with the
code of --baseline-ref exported from git ("before"), in the same run and on the same database. The
figures for each action are: round trips counted on the wire by the proxy (see delay_proxy.py for
why on the wire), SQL statements (SQLAlchemy's before_cursor_execute), transactions begun, and the
median wall time of --runs runs. The actions are the service calls the app makes for them:

  start-up to the case list   open the database (schema check, defaults, sign-in), the directory, the
                              user's name, the counts and filter choices, the first screenful of cases,
                              the set-up check and the drafts; a new engine each run (connections too)
  open a case page            load_case
  save a workflow step        start the threshold check; then the page read again, the list's row and
                              counts (the operation alone is given in the note)
  refresh the case list       the counts, the filter choices, the ids and the first screenful
  produce one letter          an acknowledgement produced (rendered, kept, audited)
  acknowledgement batch (50)  50 due acknowledgements produced, their PDFs read and their printing
                              logged; before: the batch's own loop (letters_to_send, then
                              produce_letter per case) and the Letters page's letter_pdf and
                              record_disclosure per letter
  panel pack (8 cases)        build_panel_pack for a meeting with 8 cases on its agenda
  autosave                    save_draft of an application form (after the first save)
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
DEFAULT_DATABASE = "postgresql+psycopg://postgres@127.0.0.1:5432/ct_bench"
# The code before issue 12's round-trip work (main when it began): the baseline measured in the same run.
BASELINE_REF = "65346c8"
ACTOR = "bench.officer"
OFFICER = dict(display_name="Robin Bench", email="robin.bench@tunbridgewells.gov.uk", phone="01892 554001",
               job_title="Community Safety Officer")
COUNCIL = {"name": "Tunbridge Wells Borough Council", "unit": "Community Safety Unit",
           "address_lines": "Town Hall\nCivic Way\nRoyal Tunbridge Wells", "postcode": "TN1 1RS",
           "phone": "01892 526121", "email": "community.safety@tunbridgewells.gov.uk",
           "website": "www.tunbridgewells.gov.uk"}
ACTIONS = ("start-up to the case list", "open a case page", "save a workflow step", "refresh the case list",
           "produce one letter", "the acknowledgement batch of 50", "the panel pack of 8 cases",
           "autosave while typing")
# The figures of issue 12, measured before this work (20 ms each way, 100,000 cases).
ISSUE_FIGURES = {"start-up to the case list": (65, 2900), "open a case page": (22, 1100),
                 "save a workflow step": (54, 2400), "refresh the case list": (21, 1000),
                 "produce one letter": (23, 900), "the acknowledgement batch of 50": (1860, 76000),
                 "the panel pack of 8 cases": (225, 9200), "autosave while typing": (5, 200)}
TARGETS_MS = {"open a case page": 400, "save a workflow step": 400, "the acknowledgement batch of 50": 10000}
BATCH = 50
PACK_CASES = 8
SCREENFUL = 40


def _progress(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# --------------------------------------------------------------------------------------------------
# The parent: the database, the cases each child may use, the children, the table
# --------------------------------------------------------------------------------------------------

def _context(url: str) -> Any:
    sys.path.insert(0, str(ROOT))
    from app.db.location import DatabaseChoice, normalise_url
    from app.services.admin.database import open_database
    return open_database(DatabaseChoice(normalise_url(url), "benchmark"), sign_in=True, actor=ACTOR,
                         machine="bench-pc").context


def prepare(url: str, cases: int) -> dict[str, Any]:
    """The database at this checkout's schema, with enough cases, the council's details, the officer,
    the server's audit function, and a meeting of 8 cases. Returns what the children may use."""
    sys.path.insert(0, str(ROOT))
    from sqlalchemy import create_engine, func, select, text

    from app.db.location import DatabaseChoice, normalise_url
    from app.db.models import CaseReview, PanelMeeting, User
    from app.services.admin.database import migrate_server
    migrate_server(DatabaseChoice(normalise_url(url), "benchmark"))
    engine = create_engine(url)
    with engine.begin() as conn:
        have = conn.execute(text("SELECT count(*) FROM cases")).scalar_one()
    # The demo first: on a new SQLite file the one who runs it becomes its first user (the administrator),
    # which it could not once the benchmark's officer was added.
    if have < cases:
        _progress(f"{have:,} cases: making {cases - have:,} more with demo (slow on a busy machine)")
        subprocess.run([sys.executable, "-m", "ui.entry", "--database", url, "demo", "--cases", str(cases - have)],
                       check=True, cwd=str(ROOT), stdout=subprocess.DEVNULL,
                       env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    with engine.begin() as conn:
        if not conn.execute(select(User.id).where(User.login == ACTOR)).first():
            conn.execute(text("INSERT INTO users (login, display_name, role, active, email, phone, "
                              "job_title) VALUES (:l, :n, 'officer', true, :e, :p, :j)"),
                         {"l": ACTOR, "n": OFFICER["display_name"], "e": OFFICER["email"], "p": OFFICER["phone"],
                          "j": OFFICER["job_title"]})
        # The demo's officers sign letters too: each needs the phone, email and job title a letter shows.
        # (and so does whoever runs the benchmark, signed in as the app signs them in: the first user).
        conn.execute(text("UPDATE users SET job_title = coalesce(nullif(job_title, ''), :j), "
                          "phone = coalesce(nullif(phone, ''), :p), email = coalesce(nullif(email, ''), :e), "
                          "display_name = CASE WHEN coalesce(display_name, '') IN ('', login) THEN :n "
                          "ELSE display_name END"),
                     {"e": OFFICER["email"], "p": OFFICER["phone"], "j": OFFICER["job_title"],
                      "n": OFFICER["display_name"]})
    if url.startswith("postgresql"):  # SQLite has no server roles: the app writes its own audit there
        _server_functions(url)
    ctx = _context(url)
    from app.domain.roles import Role
    from app.services.admin.settings import save_council_details
    ctx.role = Role.ADMINISTRATOR  # set-up only (the owner's connection): the actions run as an officer
    save_council_details(ctx, dict(COUNCIL))
    ctx.role = Role.OFFICER
    with engine.begin() as conn:
        total = conn.execute(text("SELECT count(*) FROM cases")).scalar_one()
        meeting = conn.execute(
            select(CaseReview.meeting_id).join(PanelMeeting, PanelMeeting.id == CaseReview.meeting_id)
            .group_by(CaseReview.meeting_id).having(func.count() == PACK_CASES).limit(1)).scalar()
        page = conn.execute(text(
            "SELECT c.id FROM cases c JOIN incidents i ON i.case_id = c.id WHERE c.status = 'panel_scheduled' "
            "GROUP BY c.id ORDER BY count(*) DESC, c.id LIMIT 1")).scalar()
    if meeting is None:
        meeting = _meeting_of_eight(ctx)
    ctx.engine.dispose()
    engine.dispose()
    return {"cases": total, "meeting": meeting, "page_case": page}


def _server_functions(url: str) -> None:
    """The administrator's deploy/postgresql-roles.sql (the audit is written by its function), with group
    names of the benchmark's own so that no deployment's roles are touched."""
    from sqlalchemy.engine import make_url
    sys.path.insert(0, str(ROOT))
    from tests.db.pg_roles import ServerRoles
    ServerRoles(make_url(url), suffix="bench").apply()


def _meeting_of_eight(ctx: Any) -> int:
    from datetime import datetime, timedelta
    from app.services.panels import meetings
    ready = meetings.cases_ready_for_panel(ctx)[:PACK_CASES]
    saved = meetings.save_meeting(ctx, None, None, starts_at=datetime.combine(ctx.today() + timedelta(days=14),
                                                                              datetime.min.time()).replace(hour=10),
                                  place="Town Hall, Committee Room 1", chair="Alex Chair")
    for case_id, *_rest in ready:
        meetings.add_case(ctx, saved.id, case_id)
    return saved.id


_STEP_CASES = ("SELECT id, version FROM cases WHERE status = 'acknowledged' AND consent_to_share "
               "AND (victim_id IS NULL OR victim_consent) ORDER BY id DESC LIMIT :n")
_LETTER_CASES = ("SELECT c.id FROM cases c WHERE c.status = 'received' AND c.acknowledged_on IS NULL "
                 "AND NOT EXISTS (SELECT 1 FROM letters l WHERE l.case_id = c.id AND l.template = 'acknowledgement') "
                 "ORDER BY c.id DESC LIMIT :n")


def fresh_cases(url: str, steps: int, letters: int) -> None:
    """New applications where the demo's history has too few recent ones: received (for letters) and
    acknowledged through their letter (for the step). Made directly, not through the proxy."""
    from datetime import date
    from sqlalchemy import create_engine, text
    engine = create_engine(url)
    with engine.connect() as conn:
        have_steps = len(conn.execute(text(_STEP_CASES), {"n": steps}).all())
        have_letters = len(conn.execute(text(_LETTER_CASES), {"n": letters}).all())
    engine.dispose()
    if have_steps >= steps and have_letters >= letters:
        return
    sys.path.insert(0, str(ROOT))
    from app.services.intake.applications import create_application
    from app.services.letters.case_letters import produce_letter, record_sent
    from tests.db.helpers import application
    ctx = _context(url)
    today = ctx.today()
    received = date.fromordinal(today.toordinal() - 2).isoformat()
    _progress(f"making {max(0, steps - have_steps) + max(0, letters - have_letters):,} new applications")
    for _ in range(max(0, letters - have_letters)):
        create_application(ctx, application(received))
    for _ in range(max(0, steps - have_steps)):
        made = create_application(ctx, application(received))
        record_sent(ctx, produce_letter(ctx, made.id, "acknowledgement").id, today, "post")
    ctx.engine.dispose()


def pools(url: str, children: int, runs: int) -> list[dict[str, list[Any]]]:
    """Disjoint cases for each child: acknowledged ones for the step, received ones for letters."""
    from sqlalchemy import create_engine, text
    per_child_steps = runs + 1
    per_child_letters = runs + 1 + BATCH * runs
    fresh_cases(url, per_child_steps * children, per_child_letters * children)
    engine = create_engine(url)
    with engine.connect() as conn:
        steps = conn.execute(text(_STEP_CASES), {"n": per_child_steps * children}).all()
        letters = [r[0] for r in conn.execute(text(_LETTER_CASES), {"n": per_child_letters * children})]
    engine.dispose()
    if len(steps) < per_child_steps * children or len(letters) < per_child_letters * children:
        raise SystemExit(f"not enough fresh cases left for {children} children of {runs} runs "
                         f"({len(steps)} acknowledged, {len(letters)} received without an acknowledgement): "
                         "make more with demo, or fewer --runs")
    out = []
    for k in range(children):
        out.append({"steps": [list(r) for r in steps[k * per_child_steps:(k + 1) * per_child_steps]],
                    "letters": letters[k * per_child_letters:(k + 1) * per_child_letters]})
    return out


def export_baseline(ref: str, target: Path) -> Path:
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", ref, "app", "tests", "resources"], check=True,
                             capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(target)], input=archive, check=True)
    return target


def run_child(code: Path, url: str, delay: float, runs: int, pool: dict[str, Any], info: dict[str, Any],
              label: str) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="ct-rt-") as tmp:
        spec = Path(tmp) / "spec.json"
        spec.write_text(json.dumps({"url": url, "delay": delay, "runs": runs, "pool": pool, **info}))
        env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1", "QT_QPA_PLATFORM": "offscreen"}
        env.pop("PYTHONPATH", None)
        _progress(f"{label}: {delay:g} ms each way")
        proc = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--child", str(spec),
                               "--code", str(code)], capture_output=True, text=True, env=env, cwd=str(code),
                              timeout=3600)
        if proc.returncode != 0:
            raise RuntimeError(f"{label} at {delay} ms failed:\n{proc.stderr[-4000:]}")
        return json.loads(proc.stdout.strip().splitlines()[-1])


# --------------------------------------------------------------------------------------------------
# The child: one version of the code, one delay
# --------------------------------------------------------------------------------------------------

class Meter:
    def __init__(self, proxy: Any) -> None:
        self.proxy = proxy
        self.statements = 0

    def listen(self, engine: Any) -> None:
        from sqlalchemy import event

        def count(*_args: Any) -> None:
            self.statements += 1
        event.listen(engine, "before_cursor_execute", count)

    def measure(self, ctx_of: Any, fn: Any) -> dict[str, Any]:
        time.sleep(0.05)  # let the proxy settle, so that counts belong to this action only
        trips, statements = self.proxy.round_trips, self.statements
        ctx = ctx_of()
        transactions = ctx.transactions if ctx is not None else 0
        start = time.perf_counter()
        note = fn()
        ms = (time.perf_counter() - start) * 1000
        time.sleep(0.05)
        ctx = ctx_of()
        return {"ms": ms, "round_trips": self.proxy.round_trips - trips, "statements": self.statements - statements,
                "transactions": (ctx.transactions - transactions) if ctx is not None else None, "note": note}


def child(spec_path: str, code: str) -> int:
    sys.path.insert(0, code)
    sys.path.insert(1, str(HERE))
    from delay_proxy import DelayProxy
    spec = json.loads(Path(spec_path).read_text())
    from sqlalchemy.engine import make_url
    target = make_url(spec["url"])
    with DelayProxy(target.port or 5432, delay_ms=spec["delay"]) as proxy:
        url = target.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
        results = _actions(url, spec, proxy)
    print(json.dumps(results))
    return 0


def _actions(url: str, spec: dict[str, Any], proxy: Any) -> dict[str, Any]:
    import inspect

    import app.db.schema as schema
    from app.db.location import DatabaseChoice, normalise_url
    from app.services.admin.database import open_database
    from app.services.admin.settings import my_details, needs_set_up
    from app.services.agencies.directory import list_agencies
    from app.services.cases import steps as wf
    from app.services.cases.case_list import (CaseQuery, case_counts, fetch_rows, find_case_ids, officer_choices,
                                              received_years)
    from app.services.cases.case_page import load_case
    from app.services.intake.support import list_drafts, save_draft
    from app.services.letters import case_letters
    from app.services.letters.queue import letters_to_send, produce_due_acknowledgements
    from app.services.panels.pack import build_panel_pack

    # The baseline's code knows schemas up to its own head; the database's extra indexes change nothing
    # it reads, so it is told the database is current rather than refused.
    from app.db.schema import current_revision
    from app.db.engine import make_engine
    probe = make_engine(normalise_url(url))
    schema.SCHEMA_HEAD = current_revision(probe) or schema.SCHEMA_HEAD
    probe.dispose()

    meter = Meter(proxy)
    runs, pool = spec["runs"], spec["pool"]
    choice = DatabaseChoice(normalise_url(url), "benchmark")
    holder: dict[str, Any] = {}
    out: dict[str, Any] = {}

    def keep(name: str, samples: list[dict[str, Any]]) -> None:
        last = samples[-1]
        out[name] = {"ms": statistics.median(s["ms"] for s in samples), "runs_ms": [round(s["ms"], 1) for s in samples],
                     "round_trips": last["round_trips"], "statements": last["statements"],
                     "transactions": last["transactions"], "note": last["note"]}

    # --- start-up to the case list (a new engine, so new connections, each run)
    def start_up() -> str:
        ctx = open_database(choice, sign_in=True, actor=ACTOR, machine="bench-pc").context
        meter.listen(ctx.engine)
        holder["ctx"] = ctx
        list_agencies(ctx)
        my_details(ctx)
        case_counts(ctx)
        received_years(ctx)
        officer_choices(ctx)
        ids = find_case_ids(ctx, CaseQuery())
        fetch_rows(ctx, ids[:SCREENFUL])
        needs_set_up(ctx)
        list_drafts(ctx)
        return f"{len(ids):,} cases listed"

    samples = []
    for _ in range(runs):
        old = holder.pop("ctx", None)
        if old is not None:
            old.engine.dispose()
        samples.append(meter.measure(lambda: None, start_up))
    keep("start-up to the case list", samples)
    ctx = holder["ctx"]
    meter.listen(ctx.engine)  # counted from here on (start-up's listener counted the opening)
    meter.statements = 0
    current = lambda: ctx  # noqa: E731

    # --- open a case page
    page_case = spec["page_case"]
    load_case(ctx, page_case)  # warm: settings, calendar, SQLAlchemy's caches, as a second open is
    samples = [meter.measure(current, lambda: f"{len(load_case(ctx, page_case).incidents)} incidents")
               for _ in range(runs)]
    keep("open a case page", samples)

    # --- save a workflow step (then the page and the list's row and counts)
    steps = list(pool["steps"])
    first_id, first_version = steps.pop()
    wf.start_threshold_check(ctx, first_id, first_version)  # warm
    samples = []
    for _ in range(runs):
        case_id, version = steps.pop()
        op_ms: dict[str, float] = {}

        def step(case_id: int = case_id, version: int = version, op_ms: dict[str, float] = op_ms) -> str:
            t, trips = time.perf_counter(), proxy.round_trips
            wf.start_threshold_check(ctx, case_id, version)
            op_ms["op"] = (time.perf_counter() - t) * 1000
            op_ms["trips"] = proxy.round_trips - trips  # all answered before it returned: all counted
            load_case(ctx, case_id)
            fetch_rows(ctx, [case_id])
            case_counts(ctx)
            return "the operation alone"
        sample = meter.measure(current, step)
        sample["note"] = f"the operation alone {op_ms['op']:.0f} ms, {op_ms['trips']:.0f} round trips"
        samples.append(sample)
    keep("save a workflow step", samples)
    # --- refresh the case list
    def refresh() -> str:
        case_counts(ctx)
        received_years(ctx)
        officer_choices(ctx)
        ids = find_case_ids(ctx, CaseQuery())
        fetch_rows(ctx, ids[:SCREENFUL])
        return f"{len(ids):,} cases"
    refresh()
    keep("refresh the case list", [meter.measure(current, refresh) for _ in range(runs)])

    # --- produce one letter
    letters = list(pool["letters"])
    case_letters.produce_letter(ctx, letters.pop(), "acknowledgement")  # warm: templates, fonts
    samples = []
    for _ in range(runs):
        target = letters.pop()
        samples.append(meter.measure(current, lambda t=target: case_letters.produce_letter(
            ctx, t, "acknowledgement").template + " produced"))
    keep("produce one letter", samples)

    # --- the acknowledgement batch of 50
    new_batch = "case_ids" in inspect.signature(produce_due_acknowledgements).parameters
    samples = []
    for _ in range(runs):
        chosen = [letters.pop() for _ in range(BATCH)]

        def batch(chosen: list[int] = chosen) -> str:
            how = "print (batch of acknowledgements)"
            if new_batch:
                from app.services.common.ops import Progress
                result = produce_due_acknowledgements(ctx, case_ids=chosen, progress=Progress())
                pdfs = [result.pdfs[info.id] for info in result.produced]
                case_letters.record_disclosures(ctx, [info.id for info in result.produced], how)
                return f"{len(pdfs)} produced, {len(result.refused)} refused (one operation, then one log)"
            letters_to_send(ctx)  # the old batch read every waiting letter first
            produced = [case_letters.produce_letter(ctx, c, "acknowledgement") for c in chosen]
            pdfs = [case_letters.letter_pdf(ctx, info.id) for info in produced]
            for info in produced:
                case_letters.record_disclosure(ctx, info.id, how)
            return f"{len(pdfs)} produced (a unit of work each, then a PDF read and a log entry each)"
        samples.append(meter.measure(current, batch))
    keep("the acknowledgement batch of 50", samples)

    # --- the panel pack of 8 cases
    meeting = spec["meeting"]
    build_panel_pack(ctx, meeting)
    keep("the panel pack of 8 cases", [meter.measure(current, lambda: f"{len(build_panel_pack(ctx, meeting).pdf):,} bytes")
                                       for _ in range(runs)])

    # --- autosave while typing
    payload = {"channel": "telephone", "applicant": {"first_name": "Asha", "last_name": "Patel",
                                                     "postcode": "TN1 1AA", "phone": "01892 000000"},
               "incidents": [{"occurred_on": "2026-11-0%d" % k, "reported_to": "Kent Police",
                              "description": "Loud music late at night " * 4} for k in range(1, 6)],
               "impact": "We cannot sleep. " * 20}
    draft = save_draft(ctx, "application-telephone", payload).id
    keep("autosave while typing", [meter.measure(current, lambda: save_draft(ctx, "application-telephone", payload,
                                                                              draft) and "saved")
                                   for _ in range(runs)])
    ctx.engine.dispose()
    return out


# --------------------------------------------------------------------------------------------------
# Output
# --------------------------------------------------------------------------------------------------

def print_table(results: dict[str, Any], delays: list[float], info: dict[str, Any]) -> None:
    print()
    print(f"Database: {info['database']} ({info['cases']:,} cases); medians of {info['runs']} runs; "
          f"baseline: {info['baseline']}")
    head = ["action"]
    for d in delays:
        head += ["before RT", "after RT", f"before {d:g}ms", f"after {d:g}ms"] if d == delays[0] else \
                [f"before {d:g}ms", f"after {d:g}ms"]
    head += ["statements before/after", "target"]
    rows = []
    for action in ACTIONS:
        row = [action]
        for d in delays:
            before = results.get("before", {}).get(str(d), {}).get(action)
            after = results.get("after", {}).get(str(d), {}).get(action)
            if d == delays[0]:
                # Counted at the largest delay: there every count is a real wait (at 0 ms a message the
                # driver sends straight after another can land after the server's answer and count twice).
                slow = str(delays[-1])
                b = results.get("before", {}).get(slow, {}).get(action)
                a = results.get("after", {}).get(slow, {}).get(action)
                issue = ISSUE_FIGURES[action][0]
                row += [str(b["round_trips"]) if b else f"({issue})", str(a["round_trips"]) if a else "-"]
            row += [f"{before['ms']:.0f}" if before else "-", f"{after['ms']:.0f}" if after else "-"]
        b = results.get("before", {}).get(str(delays[-1]), {}).get(action)
        a = results.get("after", {}).get(str(delays[-1]), {}).get(action)
        row.append(f"{b['statements'] if b else '-'}/{a['statements'] if a else '-'}")
        target = TARGETS_MS.get(action)
        if target and a:
            row.append(f"<= {target} ms at {delays[-1]:g}: {'met' if a['ms'] <= target else 'MISSED'}")
        else:
            row.append("")
        rows.append(row)
    widths = [max(len(str(r[i])) for r in [head, *rows]) for i in range(len(head))]
    print("  ".join(h.ljust(w) if i == 0 else h.rjust(w) for i, (h, w) in enumerate(zip(head, widths))))
    for r in rows:
        print("  ".join(str(c).ljust(w) if i == 0 else str(c).rjust(w) for i, (c, w) in enumerate(zip(r, widths))))
    print(f"\nRT: round trips counted on the wire by the delay proxy at {delays[-1]:g} ms each way; times in ms.")
    for version in ("before", "after"):
        for d in delays:
            for action, figures in results.get(version, {}).get(str(d), {}).items():
                if figures.get("note"):
                    print(f"  {version:6} {d:>4g} ms  {action}: {figures['note']}; transactions "
                          f"{figures['transactions']}; runs {figures['runs_ms']} ms")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", default=DEFAULT_DATABASE)
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--delays", default="0,20", help="milliseconds added each way, comma-separated")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--baseline-ref", default=BASELINE_REF, help="git commit of the code before")
    parser.add_argument("--no-baseline", action="store_true", help="measure this checkout only")
    parser.add_argument("--json", type=Path, default=HERE / "round_trips.json")
    parser.add_argument("--table", type=Path, help="print the table of an earlier run's JSON and stop")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--code", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        return child(args.child, args.code)
    if args.table:
        saved = json.loads(args.table.read_text())
        print_table(saved["results"], saved["meta"]["delays_ms"], saved["meta"])
        return 0
    delays = [float(d) for d in args.delays.split(",")]
    info = prepare(args.database, args.cases)
    versions = [("after", ROOT)]
    with tempfile.TemporaryDirectory(prefix="ct-baseline-") as tmp:
        if not args.no_baseline:
            versions.insert(0, ("before", export_baseline(args.baseline_ref, Path(tmp))))
        children = pools(args.database, len(versions) * len(delays), args.runs)
        results: dict[str, Any] = {}
        k = 0
        for delay in delays:
            for label, code in versions:
                results.setdefault(label, {})[str(delay)] = run_child(
                    code, args.database, delay, args.runs, children[k],
                    {"meeting": info["meeting"], "page_case": info["page_case"]}, label)
                k += 1
    meta = {"database": args.database.split("@")[-1], "cases": info["cases"], "runs": args.runs,
            "baseline": "not measured (the issue's figures in brackets)" if args.no_baseline
            else f"commit {args.baseline_ref}, measured in this run", "delays_ms": delays,
            "measured_at": time.strftime("%Y-%m-%d %H:%M"), "load_average": " ".join(f"{x:.2f}" for x in os.getloadavg())}
    print_table(results, delays, meta)
    args.json.write_text(json.dumps({"meta": meta, "results": results}, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
