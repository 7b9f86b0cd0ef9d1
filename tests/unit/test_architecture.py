"""The house rules that keep the layers apart, checked on the source:

- nothing under app/ imports Qt or the ui package (the core stays headless);
- nothing under ui/ imports app.db or SQLAlchemy (the interface reaches the database only through
  the services, which run off the UI thread and return plain values);
- every service lives in a package under app/services named for its capability (no flat modules);
- no test hook is left in a production class of ui/ (tests go through the dialog service).
"""
from __future__ import annotations

import ast
from collections.abc import Iterable, Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
QT = ("PySide6", "shiboken6", "ui", "PyQt5", "PyQt6")
DATABASE = ("app.db", "sqlalchemy", "alembic")
HOOKS = ("dialog_hook", "print_hook", "step_dialog_hook", "edit_hook")


def imported_names(tree: ast.AST) -> Iterator[tuple[int, str]]:
    """Every module a file imports, with its line: import, from-import (a relative one made absolute
    is not needed here: the packages import absolutely) and importlib.import_module("...")."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            yield node.lineno, node.module
            for alias in node.names:  # "from app import db" imports app.db
                yield node.lineno, f"{node.module}.{alias.name}"
        elif isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", "")) in (
                "import_module", "__import__"):
            for arg in node.args[:1]:
                if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                    yield node.lineno, arg.value


def _matches(name: str, banned: Iterable[str]) -> bool:
    return any(name == b or name.startswith(b + ".") for b in banned)


def offenders(files: Iterable[Path], banned: Iterable[str], root: Path = ROOT) -> list[str]:
    banned = tuple(banned)
    found = []
    for path in files:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        lines: dict[int, str] = {}
        for line, name in imported_names(tree):
            if _matches(name, banned):
                lines.setdefault(line, name)  # one finding a line: the module, before what is taken from it
        found += [f"{path.relative_to(root)}:{line}: {name}" for line, name in sorted(lines.items())]
    return found


def test_app_never_imports_qt_or_ui():
    assert offenders((ROOT / "app").rglob("*.py"), QT) == []


def test_ui_never_imports_the_database_layer():
    assert offenders((ROOT / "ui").rglob("*.py"), DATABASE) == []


def test_the_scans_find_a_planted_import(tmp_path):
    """The checks above can fail: each way of importing is seen, and a lookalike name is not."""
    planted = tmp_path / "ui" / "views" / "planted.py"
    planted.parent.mkdir(parents=True)
    planted.write_text(
        "import sqlalchemy.orm\n"
        "from app.db.models import Case\n"
        "from app import db\n"
        "def later():\n"
        "    import importlib\n"
        "    importlib.import_module('app.db.location')\n"
        "from app.dbx import fine\n"          # a lookalike: not app.db
        "import PySide6.QtWidgets\n", encoding="utf-8")
    assert offenders([planted], DATABASE, root=tmp_path) == [
        "ui/views/planted.py:1: sqlalchemy.orm", "ui/views/planted.py:2: app.db.models",
        "ui/views/planted.py:3: app.db", "ui/views/planted.py:6: app.db.location"]
    assert offenders([planted], QT, root=tmp_path) == ["ui/views/planted.py:8: PySide6.QtWidgets"]


def flat_service_modules(services: Path) -> list[str]:
    """Modules directly in app/services (only the package's __init__ belongs there), and packages
    under it that are not packages (no __init__.py)."""
    flat = [p.name for p in services.glob("*.py") if p.name != "__init__.py"]
    flat += [f"{p.name}/ (no __init__.py)" for p in services.iterdir()
             if p.is_dir() and p.name != "__pycache__" and not (p / "__init__.py").exists()]
    return sorted(flat)


def test_services_live_in_packages_by_capability():
    services = ROOT / "app" / "services"
    assert flat_service_modules(services) == []
    packages = {p.name for p in services.iterdir() if (p / "__init__.py").exists()}
    assert {"intake", "cases", "agencies", "panels", "letters", "reports", "trust", "admin", "demo"} <= packages


def test_the_services_check_finds_a_flat_module(tmp_path):
    (tmp_path / "__init__.py").write_text("")
    (tmp_path / "cases").mkdir()
    (tmp_path / "cases" / "__init__.py").write_text("")
    (tmp_path / "letters").mkdir()
    (tmp_path / "letters_old.py").write_text("")
    assert flat_service_modules(tmp_path) == ["letters/ (no __init__.py)", "letters_old.py"]


def hooks_in(files: Iterable[Path], root: Path = ROOT) -> list[str]:
    """Attributes named as the old test hooks, set or read anywhere in the given files."""
    found = []
    for path in files:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and node.attr in HOOKS:
                found.append(f"{path.relative_to(root)}:{node.lineno}: {node.attr}")
            elif isinstance(node, ast.Name) and node.id in HOOKS:
                found.append(f"{path.relative_to(root)}:{node.lineno}: {node.id}")
    return sorted(set(found))


def test_no_test_hooks_in_the_interface():
    """Tests fill dialogs through the dialog service (`dialogs.forms`), print to `dialogs.printed`:
    production classes carry no hook for them."""
    assert hooks_in((ROOT / "ui").rglob("*.py")) == []


def test_the_hooks_check_finds_one(tmp_path):
    page = tmp_path / "page.py"
    page.write_text("class Page:\n    def __init__(self):\n        self.print_hook = None\n"
                    "    def go(self):\n        if self.step_dialog_hook:\n            pass\n", encoding="utf-8")
    assert hooks_in([page], root=tmp_path) == ["page.py:3: print_hook", "page.py:5: step_dialog_hook"]
