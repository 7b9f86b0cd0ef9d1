"""Labelled fields that carry their own error message, read and written by a key."""
from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import (QCheckBox, QComboBox, QFormLayout, QLabel, QLineEdit, QPlainTextEdit,
                               QVBoxLayout, QWidget)

from ui.views.type_ahead import TypeAheadCombo
from ui.style import look

Choice = tuple[str, str]  # (stored value, text shown)


class Fields:
    """Every input of a form by key, in paper-form order, with an error label under each."""

    def __init__(self) -> None:
        self.widgets: dict[str, QWidget] = {}
        self.errors: dict[str, QLabel] = {}
        self.labels: dict[str, str] = {}
        self.hints: dict[str, str] = {}
        self._lock = _Locked()

    # building ----------------------------------------------------------------------------------
    def add(self, form: QFormLayout, key: str, label: str, widget: QWidget, hint: str = "") -> QWidget:
        caption = QLabel(label)
        caption.setBuddy(widget)
        name = label.replace("&", "").rstrip(": *")
        widget.setAccessibleName(name)
        if hint:
            widget.setAccessibleDescription(hint)
            widget.setToolTip(hint)
        error = QLabel()
        look(error, "fieldError")
        error.setWordWrap(True)
        error.setVisible(False)
        error.setAccessibleName(f"{name}: problem")
        holder = QWidget()
        box = QVBoxLayout(holder)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(2)
        box.addWidget(widget)
        box.addWidget(error)
        form.addRow(caption, holder)
        self.widgets[key] = widget
        self.errors[key] = error
        self.labels[key] = name
        self.hints[key] = hint
        return widget

    @staticmethod
    def line(placeholder: str = "") -> QLineEdit:
        edit = QLineEdit()
        edit.setPlaceholderText(placeholder)
        return edit

    @staticmethod
    def text_box(lines: int = 3) -> QPlainTextEdit:
        edit = QPlainTextEdit()
        edit.setTabChangesFocus(True)  # Tab moves on, as in every other field
        edit.setFixedHeight(18 * lines + 14)
        return edit

    @staticmethod
    def choice(choices: list[Choice]) -> QComboBox:
        combo = TypeAheadCombo()
        for value, text in choices:
            combo.addItem(text, value)
        return combo

    # reading and writing -------------------------------------------------------------------------
    def value(self, key: str) -> object:
        w = self.widgets[key]
        if isinstance(w, QLineEdit):
            return w.text()
        if isinstance(w, QPlainTextEdit):
            return w.toPlainText()
        if isinstance(w, QComboBox):
            return w.currentData() if w.currentData() is not None else w.currentText()
        if isinstance(w, QCheckBox):
            return w.isChecked()
        raise TypeError(key)

    def set_value(self, key: str, value: object) -> None:
        w = self.widgets[key]
        if isinstance(w, QLineEdit):
            w.setText(str(value or ""))
        elif isinstance(w, QPlainTextEdit):
            w.setPlainText(str(value or ""))
        elif isinstance(w, QComboBox):
            index = w.findData(value)
            w.setCurrentIndex(index if index >= 0 else 0)
        elif isinstance(w, QCheckBox):
            w.setChecked(bool(value))

    def values(self) -> dict[str, object]:
        return {key: self.value(key) for key in self.widgets}

    def connect_changes(self, slot: Callable[[], None]) -> None:
        for w in self.widgets.values():
            if isinstance(w, QLineEdit):
                w.textEdited.connect(slot)
            elif isinstance(w, QPlainTextEdit):
                w.textChanged.connect(slot)
            elif isinstance(w, QComboBox):
                w.currentIndexChanged.connect(slot)
            elif isinstance(w, QCheckBox):
                w.toggled.connect(slot)

    # problems ------------------------------------------------------------------------------------
    def clear_errors(self) -> None:
        for key, label in self.errors.items():
            label.clear()
            label.setAccessibleName("")
            label.setVisible(False)
            self.widgets[key].setAccessibleDescription(self.hints.get(key, ""))

    def show_error(self, key: str, message: str) -> bool:
        label = self.errors.get(key)
        if label is None:
            return False
        text = f"⚠ {message[0].upper()}{message[1:]}" if message else ""
        label.setText(text if not label.text() else f"{label.text()}\n{text}")
        label.setVisible(True)
        # What a screen reader says: on the message itself, and with the field when it gets focus.
        problem = label.text().replace("⚠ ", "").replace("\n", "; ")
        label.setAccessibleName(f"{self.labels[key]}: {problem}")
        hint = self.hints.get(key, "")
        self.widgets[key].setAccessibleDescription(f"Problem: {problem}." + (f" {hint}" if hint else ""))
        return True

    def problem_text(self, key: str) -> str:
        return self.errors[key].accessibleName() if key in self.errors else ""

    def set_read_only(self, read_only: bool) -> None:
        """A saved form: still readable (and reachable by Tab), in full-contrast text, but unchangeable."""
        for w in self.widgets.values():
            if isinstance(w, (QLineEdit, QPlainTextEdit)):
                w.setReadOnly(read_only)
            elif read_only:
                w.installEventFilter(self._lock)
            else:
                w.removeEventFilter(self._lock)
            w.setProperty("locked", read_only)
            w.style().unpolish(w)
            w.style().polish(w)

    def order(self, key: str) -> int:
        keys = list(self.widgets)
        return keys.index(key) if key in keys else len(keys)


def set_visible_rows(form: QFormLayout, widgets: list[QWidget], visible: bool) -> None:
    for w in widgets:
        form.setRowVisible(_holder(w), visible)


def _holder(widget: QWidget) -> QWidget:
    parent = widget.parentWidget()
    return parent if parent is not None else widget



_PASS_KEYS = (Qt.Key.Key_Tab, Qt.Key.Key_Backtab)
_BLOCKED = (QEvent.Type.MouseButtonPress, QEvent.Type.MouseButtonRelease, QEvent.Type.MouseButtonDblClick,
            QEvent.Type.Wheel)


class _Locked(QObject):
    """Keeps a combo box or tick box as it is while still letting it take focus (a disabled control
    would be skipped by Tab and drawn in grey that fails the contrast rules)."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt API
        kind = event.type()
        if kind in _BLOCKED:
            return True
        if kind == QEvent.Type.KeyPress:
            return event.key() not in _PASS_KEYS  # type: ignore[attr-defined]
        return False
