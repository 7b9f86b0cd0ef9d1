"""Type-ahead as the user types: organisations by name, alias or initials; places, people, addresses.

The suggestions are worked out by the caller (the agency directory, or the database), so the list
shows exactly what matched (an alias or initials need not appear in the name); it shows whole names,
and what was typed stays as typed unless a suggestion is chosen (Down, then Enter or Tab).
"""
from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QStringListModel, Qt
from PySide6.QtWidgets import QCompleter, QLineEdit, QStyledItemDelegate, QWidget

Fetch = Callable[[str], list[str]]
_POPUP_PADDING = 48  # the list's frame, margins and scroll bar


def attach_live_completer(edit: QLineEdit, fetch: Fetch) -> QCompleter:
    model = QStringListModel(edit)
    completer = QCompleter(model, edit)
    completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
    # Unfiltered: `fetch` already chose the matches, which may not contain the typed text ("TWBC").
    completer.setCompletionMode(QCompleter.CompletionMode.UnfilteredPopupCompletion)
    completer.setMaxVisibleItems(10)
    edit.setCompleter(completer)

    def refresh(text: str) -> None:
        try:
            found = fetch(text)
        except Exception:  # noqa: BLE001 - suggestions are a convenience; typing must go on
            found = []
        model.setStringList(found)
        popup = completer.popup()
        if popup is None:
            return
        if found:
            metrics = popup.fontMetrics()
            popup.setMinimumWidth(max(metrics.horizontalAdvance(s) for s in found) + _POPUP_PADDING)
            completer.complete()
        else:
            popup.hide()
    edit.textEdited.connect(refresh)
    return completer


def choices_fetch(choices: list[str]) -> Fetch:
    """Suggestions from a fixed list: those that start with the text first, then those containing it."""
    def fetch(text: str) -> list[str]:
        key = text.strip().casefold()
        if not key:
            return []
        starts = [c for c in choices if c.casefold().startswith(key)]
        return starts + [c for c in choices if key in c.casefold() and c not in starts]
    return fetch


class LiveCompleterDelegate(QStyledItemDelegate):
    """A grid cell editor with type-ahead (an organisation, 'how reported', a person, an address)."""

    def __init__(self, fetch: Fetch, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.fetch = fetch

    def createEditor(self, parent: QWidget, option, index) -> QWidget:  # noqa: N802 - Qt API
        edit = QLineEdit(parent)
        edit.setAccessibleName(str(index.model().headerData(index.column(), Qt.Orientation.Horizontal)))
        attach_live_completer(edit, self.fetch)
        return edit
