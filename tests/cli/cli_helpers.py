"""Helpers shared by the command-line tests: run the real command in a subprocess, read its cases, build files.

`public_db` is a module-scoped fixture: each test module that imports it gets the public examples imported once.
"""
from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import FIXTURES

PUBLIC = FIXTURES / "public-applications.json"


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["QT_QPA_PLATFORM"] = "offscreen"
    # Never let the developer's own settings pick the database.
    env.pop("COMMUNITY_TRIGGER_DATABASE", None)
    return env


def run_raw(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "ui.entry", *args], capture_output=True, text=True,
                          env=_env(), cwd=cwd or Path(__file__).resolve().parents[2], timeout=120)


def db_url(db: Path) -> str:
    return f"sqlite:///{db}"


def run(db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return run_raw("--database", db_url(db), *args)


def cases_json(db: Path) -> list[dict[str, Any]]:
    result = run(db, "cases", "--format", "json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def by_source(db: Path) -> dict[str, dict[str, Any]]:
    return {c["source_reference"]: c for c in cases_json(db)}


def public() -> list[dict[str, Any]]:
    return json.loads(PUBLIC.read_text(encoding="utf-8"))


def example(n: int) -> dict[str, Any]:
    """A fresh deep copy of the public example EXAMPLE-n."""
    found = [a for a in public() if a["source_reference"] == f"EXAMPLE-{n}"]
    assert len(found) == 1
    return copy.deepcopy(found[0])


def write(path: Path, content: Any) -> Path:
    path.write_text(content if isinstance(content, str) else json.dumps(content, indent=1),
                    encoding="utf-8")
    return path


def incident(occurred: str | None, reported: str, to: str = "Kent Police") -> dict[str, Any]:
    return {"occurred_on": occurred, "reported_on": reported, "reported_to": to,
            "reported_by": "applicant", "contact_name": None, "agency_reference": None,
            "how_reported": "phone", "location": "Example Road", "description": "Loud music."}


def made_up(source: str, received_at: str, incidents: list[dict[str, Any]]) -> dict[str, Any]:
    app = example(1)
    app["source_reference"] = source
    app["received_at"] = received_at
    app["incidents"] = incidents
    return app


@pytest.fixture(scope="module")
def public_db(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, subprocess.CompletedProcess[str]]:
    db = tmp_path_factory.mktemp("public") / "x.db"
    result = run(db, "import", str(PUBLIC))
    return db, result
