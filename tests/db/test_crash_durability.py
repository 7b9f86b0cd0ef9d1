"""A process killed in the middle of saving loses nothing it reported as saved, and the file stays whole."""
from __future__ import annotations

import os
import selectors
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from sqlalchemy import select

from app.db.models import Case
from tests.conftest import make_context

ROOT = Path(__file__).resolve().parents[2]
REPORTED_BEFORE_KILL = 20

# The child saves applications as fast as it can and reports each reference once the call returned.
CHILD = textwrap.dedent("""
    import sys
    from datetime import datetime
    from app.db.location import DatabaseChoice, normalise_url
    from app.services.admin.database import open_database
    from app.services.intake.applications import create_application
    from tests.db.helpers import application

    now = datetime(2026, 11, 25, 12, 0)
    opened = open_database(DatabaseChoice(normalise_url(sys.argv[1]), "test"), network_check=lambda _p: False,
                           actor="officer.one", machine="test-pc", today=now.date, now=lambda: now)
    for _ in range(5000):  # bounded: the parent kills it long before
        print(create_application(opened.context, application()).reference, flush=True)
""")


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="SIGKILL is POSIX only")
def test_every_reported_save_survives_sigkill(tmp_path: Path):
    path = tmp_path / "cases.db"
    url = f"sqlite:///{path}"
    make_context(url).engine.dispose()  # create the file and its first (signed-in) user beforehand
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    child = subprocess.Popen([sys.executable, "-c", CHILD, url], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
    reported: list[str] = []
    try:
        selector = selectors.DefaultSelector()
        selector.register(child.stdout, selectors.EVENT_READ)  # type: ignore[arg-type]
        deadline = time.monotonic() + 60
        while len(reported) < REPORTED_BEFORE_KILL and time.monotonic() < deadline:
            if selector.select(timeout=1) and (line := child.stdout.readline()):  # type: ignore[union-attr]
                reported.append(line.strip())
            elif child.poll() is not None:
                break
        assert len(reported) == REPORTED_BEFORE_KILL, child.stderr.read() if child.poll() is not None else "too slow"
        child.send_signal(signal.SIGKILL)  # mid-burst: it is inside another save right now
    finally:
        if child.poll() is None:
            child.kill()
        out, _err = child.communicate(timeout=30)
    reported += [line.strip() for line in out.splitlines() if line.strip()]  # printed before the kill
    assert child.returncode == -signal.SIGKILL

    ctx = make_context(url)  # reopening runs the normal start-up on the killed file
    try:
        with ctx.unit_of_work() as s:
            stored = set(s.scalars(select(Case.reference)))
    finally:
        ctx.engine.dispose()
    assert set(reported) <= stored
    assert len(stored) - len(reported) <= 1  # at most the save that was committing when killed
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
