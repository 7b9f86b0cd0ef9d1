"""A drop-down list that is chosen from by typing, as people type: whole words, spaces included."""
from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QComboBox, QWidget

Suggest = Callable[[str], list[str]]
_PLAIN = (Qt.KeyboardModifier.NoModifier, Qt.KeyboardModifier.ShiftModifier, Qt.KeyboardModifier.KeypadModifier)


class TypeAheadCombo(QComboBox):
    """Typing chooses the first entry that starts with what was typed (then one with a word that starts
    with it, then one containing it; `suggest` may rank entries first, such as an agency's initials).

    Qt's own list takes Space to open the list, so "Kent Police" stopped at "Kent" and the rest of the
    typing went into the open list and was lost; here Space while typing is part of the text, and opens
    the list only when nothing is being typed."""

    def __init__(self, parent: QWidget | None = None, suggest: Suggest | None = None) -> None:
        super().__init__(parent)
        self.suggest = suggest
        self._typed = ""
        self._last = 0.0

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt API
        text = event.text()
        if self.isEditable() or event.modifiers() not in _PLAIN or not text or not text.isprintable():
            self._typed = ""
            super().keyPressEvent(event)
            return
        now = time.monotonic()
        if (now - self._last) * 1000 > QApplication.keyboardInputInterval():
            self._typed = ""
        if text == " " and not self._typed:
            super().keyPressEvent(event)  # Space on its own opens the list, as usual
            return
        self._typed += text
        self._last = now
        index = self.find_typed(self._typed)
        if index >= 0:
            self.setCurrentIndex(index)
        event.accept()

    def find_typed(self, typed: str) -> int:
        key = " ".join(typed.casefold().split())
        if not key:
            return -1
        texts = [self.itemText(i).casefold() for i in range(self.count())]
        if self.suggest is not None:
            for name in self.suggest(typed):
                if name.casefold() in texts:
                    return texts.index(name.casefold())
        for test in (lambda t: t.startswith(key),
                     lambda t: any(word.startswith(key) for word in t.split()),
                     lambda t: key in t):
            for n, t in enumerate(texts):
                if test(t):
                    return n
        return -1
