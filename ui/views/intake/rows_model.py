"""An editable table of plain dicts (incidents, alleged perpetrators) that never loses typed text."""
from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QObject, QModelIndex, QPersistentModelIndex, Qt

DISPLAY = Qt.ItemDataRole.DisplayRole
EDIT = Qt.ItemDataRole.EditRole
CHECK = Qt.ItemDataRole.CheckStateRole
TOOLTIP = Qt.ItemDataRole.ToolTipRole
ACCESSIBLE = Qt.ItemDataRole.AccessibleTextRole
HORIZONTAL = Qt.Orientation.Horizontal
CHECKED = Qt.CheckState.Checked
UNCHECKED = Qt.CheckState.Unchecked
Index = QModelIndex | QPersistentModelIndex


class RowsModel(QAbstractTableModel):
    """Columns are (key, heading, hint); a key ending in '?' is a tick box, ticked unless its key is in
    `unticked` (a hate-incident flag starts off; "same problem" starts on)."""

    def __init__(self, columns: list[tuple[str, str, str]], row_label: str, parent: QObject | None = None,
                 unticked: frozenset[str] = frozenset()) -> None:
        super().__init__(parent)
        self.columns = columns
        self.row_label = row_label
        self.unticked = unticked
        self.rows: list[dict[str, Any]] = []

    def ticked(self, row: dict[str, Any], key: str) -> bool:
        return bool(row.get(key, key not in self.unticked))

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802 - Qt API
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802 - Qt API
        return 0 if parent.isValid() else len(self.columns)

    def key(self, column: int) -> str:
        return self.columns[column][0].rstrip("?")

    def is_tick(self, column: int) -> bool:
        return self.columns[column][0].endswith("?")

    def data(self, index: Index, role: int = DISPLAY) -> Any:
        if not index.isValid():
            return None
        row = self.rows[index.row()]
        key = self.key(index.column())
        if self.is_tick(index.column()):
            if role == CHECK:
                return CHECKED if self.ticked(row, key) else UNCHECKED
            if role == DISPLAY:
                return "Yes" if self.ticked(row, key) else "No"
            if role == ACCESSIBLE:
                return f"{self.columns[index.column()][1]}: {'yes' if self.ticked(row, key) else 'no'}"
            if role == TOOLTIP:
                return self.columns[index.column()][2]
            return None
        if role in (DISPLAY, EDIT):
            return row.get(key, "")
        if role == TOOLTIP:
            return self.columns[index.column()][2]
        if role == ACCESSIBLE:
            return f"{self.columns[index.column()][1]}: {row.get(key, '') or 'empty'}"
        return None

    def setData(self, index: Index, value: Any, role: int = EDIT) -> bool:  # noqa: N802 - Qt API
        if not index.isValid():
            return False
        key = self.key(index.column())
        if self.is_tick(index.column()) and role == CHECK:
            self.rows[index.row()][key] = Qt.CheckState(value) == CHECKED
        elif role == EDIT and not self.is_tick(index.column()):
            self.rows[index.row()][key] = "" if value is None else str(value)
        else:
            return False
        self.dataChanged.emit(index, index, [role])
        return True

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        base = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if self.is_tick(index.column()):
            return base | Qt.ItemFlag.ItemIsUserCheckable
        return base | Qt.ItemFlag.ItemIsEditable

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = DISPLAY) -> Any:  # noqa: N802
        if role == DISPLAY:
            return self.columns[section][1] if orientation == HORIZONTAL else f"{self.row_label} {section + 1}"
        if role == TOOLTIP and orientation == HORIZONTAL:
            return self.columns[section][2]
        return None

    def add_row(self, values: dict[str, Any] | None = None) -> int:
        row = len(self.rows)
        self.beginInsertRows(QModelIndex(), row, row)
        self.rows.append(dict(values or {}))
        self.endInsertRows()
        return row

    def remove_row(self, row: int) -> None:
        if 0 <= row < len(self.rows):
            self.beginRemoveRows(QModelIndex(), row, row)
            del self.rows[row]
            self.endRemoveRows()

    def set_rows(self, rows: list[dict[str, Any]]) -> None:
        self.beginResetModel()
        self.rows = [dict(r) for r in rows]
        self.endResetModel()

    def values(self) -> list[dict[str, Any]]:
        return [dict(r) for r in self.rows]
