"""The Alt+letter keys a window offers right now, as Qt sees them: visible, enabled, in that window."""
from __future__ import annotations

from collections import defaultdict

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QAbstractButton, QDialogButtonBox, QGroupBox, QLabel, QMenuBar, QPushButton,
                               QTabBar, QWidget)

from ui.mnemonics import mnemonic


def _live(widget: QWidget, window: QWidget) -> bool:
    return widget.isVisible() and widget.isEnabled() and widget.window() is window


def keys(window: QWidget) -> dict[str, list[str]]:
    """Letter -> the texts that answer to Alt+letter in `window` (its own widgets, not other windows')."""
    found: dict[str, list[str]] = defaultdict(list)
    for widget in [window, *window.findChildren(QWidget)]:
        if not _live(widget, window):
            continue
        texts: list[str] = []
        if isinstance(widget, QAbstractButton):
            texts = [widget.text()]
        elif isinstance(widget, QLabel) and widget.buddy() is not None and widget.buddy().isEnabled():
            texts = [widget.text()]
        elif isinstance(widget, QTabBar):
            texts = [widget.tabText(i) for i in range(widget.count())
                     if widget.isTabVisible(i) and widget.isTabEnabled(i)]
        elif isinstance(widget, QMenuBar):
            texts = [a.text() for a in widget.actions() if a.isVisible() and a.isEnabled()]
        elif isinstance(widget, QGroupBox) and widget.isCheckable():
            texts = [widget.title()]
        for text in texts:
            letter = mnemonic(text)
            if letter:
                found[letter].append(text.replace("&", ""))
    return dict(found)


def clashes(window: QWidget) -> dict[str, list[str]]:
    """Letters that two or more controls answer to: Alt+letter then presses nothing."""
    return {letter: texts for letter, texts in keys(window).items() if len(texts) > 1}


def buttons_without_keys(window: QWidget) -> list[str]:
    """Tab-stop buttons with no Alt+letter of their own. Not counted: a dialog's Cancel (Escape does it)
    and a second button for what a visible button with the same name and a key already does."""
    with_keys = {b.accessibleName() for b in window.findChildren(QPushButton)
                 if _live(b, window) and mnemonic(b.text())}
    missing = []
    for b in window.findChildren(QPushButton):
        if not _live(b, window) or mnemonic(b.text()) or not b.focusPolicy() & Qt.FocusPolicy.TabFocus:
            continue
        box = b.parentWidget()
        if isinstance(box, QDialogButtonBox) and box.buttonRole(b) == QDialogButtonBox.ButtonRole.RejectRole:
            continue
        if b.accessibleName() and b.accessibleName() in with_keys:
            continue
        missing.append(b.text())
    return missing
