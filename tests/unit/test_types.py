"""`mypy` reports no errors in app/ and ui/ (its settings are in pyproject.toml): run with the suite, so CI runs it."""
from __future__ import annotations

from pathlib import Path

from mypy import api

ROOT = Path(__file__).resolve().parents[2]


def test_mypy_finds_no_errors_in_app_and_ui() -> None:
    out, err, status = api.run(["--config-file", str(ROOT / "pyproject.toml"), str(ROOT / "app"), str(ROOT / "ui")])
    assert status == 0, out + err
    assert "Success: no issues found" in out


def test_mypy_would_catch_a_wrong_type(tmp_path: Path) -> None:
    """The check can fail: the same settings find an error planted in a scratch module."""
    planted = tmp_path / "planted.py"
    planted.write_text("def reference(number: int) -> str:\n    return number\n")
    out, _err, status = api.run(["--config-file", str(ROOT / "pyproject.toml"), str(planted)])
    assert status == 1 and "Incompatible return value" in out
