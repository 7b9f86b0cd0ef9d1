"""One CSV writer for every CSV the app writes, neutralising cells a spreadsheet would run as formulas."""
from __future__ import annotations

import ast
import csv
import io
from pathlib import Path

import pytest

from app.csv_writer import safe_cell, to_text

ROOT = Path(__file__).resolve().parents[2]
HOSTILE = ["=HYPERLINK(\"http://x\",\"y\")", "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)", "\tTab", "\rReturn",
           "\n=1", "＝1+1", "＋1", "－1", "＠A1"]


@pytest.mark.parametrize("cell", HOSTILE)
def test_a_formula_start_is_written_as_text(cell):
    assert safe_cell(cell) == "'" + cell
    [row] = list(csv.reader(io.StringIO(to_text(None, [[cell]]))))
    assert row == ["'" + cell]


@pytest.mark.parametrize("value, written", [(-3, -3), ("-3", "-3"), ("12.5", "12.5"), (None, ""), (True, "yes"),
                                            ("Asha Patel", "Asha Patel"), ("a=b", "a=b")])
def test_ordinary_values_are_left_alone(value, written):
    assert safe_cell(value) == written


def test_no_module_writes_csv_but_the_one_writer():
    """A csv.writer anywhere else would bypass the neutralising: the architecture says no."""
    offenders = []
    for folder in ("app", "ui"):
        for path in (ROOT / folder).rglob("*.py"):
            if path == ROOT / "app" / "csv_writer.py":
                continue
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                if isinstance(node, ast.Attribute) and node.attr in ("writer", "DictWriter") and \
                        isinstance(node.value, ast.Name) and node.value.id == "csv":
                    offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert offenders == []
