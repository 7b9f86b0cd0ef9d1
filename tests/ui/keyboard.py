"""Typing as an officer does: into whatever has focus, Tab to move on, with the event loop running.

Every key goes to the widget that has focus, and events are let run after it, so that timers and
deferred work (the scroll into view, a grid leaving itself) happen as in the real window. Keys that
are not data (Tab, Alt+letter, Ctrl+S...) are counted for the keyboard targets.
"""
from __future__ import annotations

from PySide6.QtCore import QPoint, QPointF, QRect, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QAbstractItemView, QApplication, QScrollArea, QWidget

NO_MODIFIER = Qt.KeyboardModifier.NoModifier
ALT = Qt.KeyboardModifier.AltModifier
CTRL = Qt.KeyboardModifier.ControlModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier


class Keys:
    """Counts the keys that are not data: Tab, Enter, arrows, Alt+ and Ctrl+ chords."""
    non_data = 0


def settle() -> None:
    """Let posted events and zero-time timers run (what follows a key press in the real window)."""
    for _ in range(3):
        QApplication.processEvents()


def focused() -> QWidget:
    widget = QApplication.focusWidget()
    assert widget is not None, "nothing has keyboard focus"
    return widget


def type_text(text: str) -> None:
    for ch in text:
        QTest.keyClick(focused(), ch)
        settle()


def press(key: Qt.Key | str, modifier: Qt.KeyboardModifier = NO_MODIFIER, times: int = 1) -> None:
    for _ in range(times):
        QTest.keyClick(focused(), key, modifier)
        Keys.non_data += 1
        settle()


def tab(times: int = 1) -> None:
    press(Qt.Key.Key_Tab, times=times)


def back_tab(times: int = 1) -> None:
    press(Qt.Key.Key_Backtab, SHIFT, times=times)


def alt(letter: str) -> None:
    """Alt+letter, as a mnemonic is pressed (sent to the focused widget; Qt's shortcut map routes it)."""
    press(letter, ALT)


def fill(*values: str) -> None:
    """Type each value into the focused field and Tab to the next ('' leaves a field empty)."""
    for value in values:
        if value:
            type_text(value)
        tab()


def _scroll_area(widget: QWidget) -> QScrollArea | None:
    parent = widget.parentWidget()
    while parent is not None:
        if isinstance(parent, QScrollArea) and parent.widget() is not None and parent.widget().isAncestorOf(widget):
            return parent
        parent = parent.parentWidget()
    return None


def in_view(widget: QWidget | None = None) -> bool:
    """Whether the focused widget (a grid: its current cell) lies inside the visible part of its scroll area."""
    widget = widget or focused()
    area = _scroll_area(widget)
    if area is None:
        return widget.isVisible()
    rect = widget.rect()
    if isinstance(widget, QAbstractItemView) and widget.currentIndex().isValid():
        cell = widget.visualRect(widget.currentIndex())
        rect = QRect(widget.viewport().mapTo(widget, cell.topLeft()), cell.size())
    top_left = widget.mapTo(area.viewport(), rect.topLeft())
    return area.viewport().rect().contains(QRect(top_left, rect.size()))


def wheel(widget: QWidget, notches: int = -1) -> None:
    """Turn the mouse wheel with the pointer over the middle of `widget` (negative: towards the user,
    scrolling down). The event goes to what is under the pointer there, as Qt sends it: a spin box's
    text box, which passes it on to the spin box."""
    centre = widget.rect().center()
    target = widget.childAt(centre) or widget
    at = QPointF(target.mapFrom(widget, centre))
    event = QWheelEvent(at, QPointF(target.mapToGlobal(at.toPoint())), QPoint(0, 0), QPoint(0, 120 * notches),
                        Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier, Qt.ScrollPhase.NoScrollPhase,
                        False)
    QApplication.sendEvent(target, event)
    settle()
