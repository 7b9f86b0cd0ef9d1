"""Type-ahead fed from the database as the user types (locations, people, addresses)."""
from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QStringListModel, Qt
from PySide6.QtWidgets import QCompleter, QLineEdit, QStyledItemDelegate, QWidget

Fetch = Callable[[str], list[str]]


def attach_live_completer(edit: QLineEdit, fetch: Fetch) -> QCompleter:
    model = QStringListModel(edit)
    completer = QCompleter(model, edit)
    completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
    completer.setFilterMode(Qt.MatchFlag.MatchContains)
    edit.setCompleter(completer)

    def refresh(text: str) -> None:
        try:
            model.setStringList(fetch(text))
        except Exception:  # noqa: BLE001 - suggestions are a convenience; typing must go on
            model.setStringList([])
    edit.textEdited.connect(refresh)
    return completer


class LiveCompleterDelegate(QStyledItemDelegate):
    """A grid cell editor with the same database type-ahead."""

    def __init__(self, fetch: Fetch, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.fetch = fetch

    def createEditor(self, parent: QWidget, option, index) -> QWidget:  # noqa: N802 - Qt API
        edit = QLineEdit(parent)
        edit.setAccessibleName(str(index.model().headerData(index.column(), Qt.Orientation.Horizontal)))
        attach_live_completer(edit, self.fetch)
        return edit
