"""Typing as an officer does: into whatever has focus, Tab to move on."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QWidget


def focused() -> QWidget:
    widget = QApplication.focusWidget()
    assert widget is not None, "nothing has keyboard focus"
    return widget


def type_text(text: str) -> None:
    for ch in text:
        QTest.keyClick(focused(), ch)


def press(key: Qt.Key, modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier, times: int = 1) -> None:
    for _ in range(times):
        QTest.keyClick(focused(), key, modifier)


def tab(times: int = 1) -> None:
    press(Qt.Key.Key_Tab, times=times)


def fill(*values: str) -> None:
    """Type each value into the focused field and Tab to the next ('' leaves a field empty)."""
    for value in values:
        if value:
            type_text(value)
        tab()
