"""Keyboard and pointer rules for the whole app: focus kept in view, a wheel that never changes an answer.

Installed once on the QApplication (ui.main.make_application), so every form and dialog, present and
future, behaves the same way without each view remembering to.
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from PySide6.QtCore import QEvent, QObject, QRect, Qt, QTimer
from PySide6.QtGui import QAccessible, QAccessibleAnnouncementEvent
from PySide6.QtWidgets import (QAbstractItemView, QAbstractScrollArea, QAbstractSpinBox, QApplication,
                               QComboBox, QLabel, QScrollArea, QTabBar, QWidget)
from shiboken6 import isValid

_WHEEL = QEvent.Type.Wheel
_POLISH = QEvent.Type.Polish
_MARGIN = 24  # room around the focused control so its label and error line show too
_VALUE_WIDGETS = (QComboBox, QAbstractSpinBox)  # QDateEdit and QTimeEdit are spin boxes


def _value_widget(obj: QObject) -> QWidget | None:
    """The combo box or spin box a wheel event is for (its own line edit passes the event up)."""
    if isinstance(obj, _VALUE_WIDGETS):
        return obj
    parent = obj.parent() if isinstance(obj, QWidget) else None
    return parent if isinstance(parent, _VALUE_WIDGETS) else None


def _scroll_area_around(widget: QWidget) -> QAbstractScrollArea | None:
    parent = widget.parentWidget()
    while parent is not None:
        if isinstance(parent, QAbstractScrollArea) and not isinstance(parent.parentWidget(), QComboBox):
            return parent
        parent = parent.parentWidget()
    return None


def _target_rect(widget: QWidget) -> QRect:
    """The part of `widget` the user is on: a grid's current cell, or the whole control."""
    if isinstance(widget, QAbstractItemView):
        index = widget.currentIndex()
        if index.isValid():
            cell = widget.visualRect(index)
            if cell.isValid():
                top_left = widget.viewport().mapTo(widget, cell.topLeft())
                return QRect(top_left, cell.size()).intersected(widget.rect())
    return widget.rect()


def reveal(widget: QWidget) -> None:
    """Scroll every scroll area around `widget` so that it (or a grid's current cell) is in view."""
    if not isValid(widget) or not widget.isVisible():
        return
    rect = _target_rect(widget)
    inner: QWidget = widget
    parent = widget.parentWidget()
    while parent is not None:
        content = parent.widget() if isinstance(parent, QScrollArea) else None
        if isinstance(parent, QScrollArea) and content is not None and content.isAncestorOf(inner):
            centre = inner.mapTo(content, rect.center())
            parent.ensureVisible(centre.x(), centre.y(), rect.width() // 2 + _MARGIN,
                                 rect.height() // 2 + _MARGIN)
            # Outer scroll areas then bring this one (the part now showing) into their view.
            rect = parent.rect()
            inner = parent
        parent = parent.parentWidget()


def reveal_soon(widget: QWidget) -> None:
    """Reveal once the layout has settled (a section just shown, a row just added); runs once."""
    QTimer.singleShot(0, lambda: reveal(widget))


def focus_first(container: QWidget | None) -> None:
    """Put focus on the first control of a page that was just shown (in Tab order)."""
    current = QApplication.focusWidget()
    if container is None or (current is not None and container.isAncestorOf(current)):
        return
    tab_bar = None  # a page's own tabs only when it has nothing else to offer
    widget = container.nextInFocusChain()
    while widget is not None and widget is not container and container.isAncestorOf(widget):
        if widget.focusPolicy() & Qt.FocusPolicy.TabFocus and widget.isVisible() and widget.isEnabled():
            if not isinstance(widget, QTabBar):
                widget.setFocus(Qt.FocusReason.OtherFocusReason)
                return
            tab_bar = tab_bar or widget
        widget = widget.nextInFocusChain()
    if tab_bar is not None:
        tab_bar.setFocus(Qt.FocusReason.OtherFocusReason)


def announce(widget: QWidget, text: str, *, urgent: bool = False) -> None:
    """Have a screen reader say `text` now (a save refused, a message that appeared)."""
    if not text or not QAccessible.isActive():
        return
    event = QAccessibleAnnouncementEvent(widget, text)
    event.setPoliteness(QAccessible.AnnouncementPoliteness.Assertive if urgent
                        else QAccessible.AnnouncementPoliteness.Polite)
    QAccessible.updateAccessibility(event)


def show_message(label: QLabel, text: str, *, urgent: bool = False, spoken: str | None = None) -> None:
    """Put a message in a label so that assistive technology reads the message itself, and say it
    (or `spoken`, when more should be said than is shown)."""
    label.setText(text)
    label.setAccessibleName(text.replace("\n", " "))
    label.setVisible(bool(text))
    announce(label, (spoken or text).replace("\n", " "), urgent=urgent)


class KeyboardGuard(QObject):
    """The application-wide event filter behind the rules above."""

    def __init__(self, app: QApplication) -> None:
        super().__init__(app)
        app.installEventFilter(self)
        app.focusChanged.connect(self._focus_changed)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt API
        kind = event.type()
        if kind == _POLISH and isinstance(watched, _VALUE_WIDGETS):
            _no_wheel_focus(watched)
        elif kind == _WHEEL:
            control = _value_widget(watched)
            if control is not None and not control.hasFocus() and not _popup_open(control):
                # The wheel scrolls the form under the pointer instead of changing the answer.
                area = _scroll_area_around(control)
                if area is not None:
                    QApplication.sendEvent(area.viewport(), event)
                return True
        return False

    @staticmethod
    def _focus_changed(_old: QWidget | None, new: QWidget | None) -> None:
        if new is not None:
            reveal(new)
            reveal_soon(new)  # again once a layout that changed with the focus has settled


def _popup_open(control: QWidget) -> bool:
    return isinstance(control, QComboBox) and control.view().isVisible()


@contextmanager
def building(root: QWidget) -> Iterator[None]:
    """Around building a large widget tree in one go (a form, a page): the guard steps aside.

    An application-wide filter written in Python is called for every event, and building a form sends
    thousands (children added, layouts asked to recompute) that the guard has no business with: about
    a third of the time a telephone form takes to build. No input can arrive while the tree is built
    synchronously, so nothing is missed; the focus policy the guard sets on polishing is set here for
    any control polished meanwhile.
    """
    app = QApplication.instance()
    guard = app.findChild(KeyboardGuard) if isinstance(app, QApplication) else None
    if app is None or guard is None:
        yield
        return
    app.removeEventFilter(guard)
    try:
        yield
    finally:
        app.installEventFilter(guard)
        for kind in _VALUE_WIDGETS:
            for control in root.findChildren(kind):
                _no_wheel_focus(control)


def _no_wheel_focus(control: QWidget) -> None:
    # A wheel passing over a control must not give it focus (Qt's default for combo and spin boxes).
    if control.focusPolicy() == Qt.FocusPolicy.WheelFocus:
        control.setFocusPolicy(Qt.FocusPolicy.StrongFocus)


def install(app: QApplication) -> KeyboardGuard:
    guard = app.findChild(KeyboardGuard)
    return guard if guard is not None else KeyboardGuard(app)
