"""A read-only table of already-formatted text, for the small lists on the case page."""
from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QObject, QModelIndex, QPersistentModelIndex, Qt

DISPLAY = Qt.ItemDataRole.DisplayRole
TOOLTIP = Qt.ItemDataRole.ToolTipRole
USER = Qt.ItemDataRole.UserRole
HORIZONTAL = Qt.Orientation.Horizontal
Index = QModelIndex | QPersistentModelIndex


class SimpleTableModel(QAbstractTableModel):
    def __init__(self, headers: list[str], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.headers = headers
        self.rows: list[list[str]] = []
        self.keys: list[Any] = []

    def set_rows(self, rows: list[list[str]], keys: list[Any] | None = None) -> None:
        self.beginResetModel()
        self.rows = rows
        self.keys = keys if keys is not None else list(range(len(rows)))
        self.endResetModel()

    def set_table(self, headers: list[str], rows: list[list[str]], keys: list[Any] | None = None) -> None:
        """New headings and rows together (a report's table, whose columns follow the period)."""
        self.beginResetModel()
        self.headers = headers
        self.rows = rows
        self.keys = keys if keys is not None else list(range(len(rows)))
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802 - Qt API
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802 - Qt API
        return 0 if parent.isValid() else len(self.headers)

    def data(self, index: Index, role: int = DISPLAY) -> Any:
        if not index.isValid():
            return None
        if role in (DISPLAY, TOOLTIP):
            return self.rows[index.row()][index.column()]
        if role == USER:
            return self.keys[index.row()]
        return None

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = DISPLAY) -> Any:  # noqa: N802
        if role == DISPLAY and orientation == HORIZONTAL:
            return self.headers[section]
        return None

    def key(self, row: int) -> Any:
        return self.keys[row] if 0 <= row < len(self.keys) else None
