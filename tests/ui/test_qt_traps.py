"""Guards for known PySide6 traps (see the project's traps notes)."""
from __future__ import annotations

import sys

from importlib.metadata import version

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
