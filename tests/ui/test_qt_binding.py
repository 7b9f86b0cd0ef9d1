"""Guards for known PySide6 traps (see the project's traps notes)."""
from __future__ import annotations

import ast
import sys
from pathlib import Path

from importlib.metadata import version

ROOT = Path(__file__).resolve().parents[2]


def test_qt_calls_returning_nothing_do_not_leak_references_to_none(qapp):
    """PySide6 6.12.0 on Python < 3.12 drops a reference to None on each such call and aborts."""
    from PySide6.QtWidgets import QTableWidgetItem
    item = QTableWidgetItem()
    before = sys.getrefcount(None)
    for n in range(20_000):
        item.setText(str(n))
    assert sys.getrefcount(None) >= before


def test_the_pinned_qt_is_not_the_broken_one_on_this_python():
    installed = tuple(int(p) for p in version("PySide6-Essentials").split(".")[:2])
    if sys.version_info < (3, 12):
        assert installed < (6, 12)


def test_app_never_imports_qt_or_ui():
    offenders = []
    for path in (ROOT / "app").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            elif isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "import_module":
                names = [a.value for a in node.args if isinstance(a, ast.Constant)]
            for name in names:
                if name.split(".")[0] in ("PySide6", "shiboken6", "ui", "PyQt5", "PyQt6"):
                    offenders.append(f"{path.relative_to(ROOT)}: {name}")
    assert offenders == []
