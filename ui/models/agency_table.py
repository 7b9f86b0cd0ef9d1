"""The Agencies page's directory table model: one row per agency, inactive ones greyed and saying so."""
from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor

from app.services.agencies.directory import AgencyInfo

Index = QModelIndex | QPersistentModelIndex
DISPLAY, TOOLTIP = Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole
ACCESSIBLE, FOREGROUND = Qt.ItemDataRole.AccessibleTextRole, Qt.ItemDataRole.ForegroundRole


class AgencyTableModel(QAbstractTableModel):
    """The directory as a small table; inactive agencies say so in words and are greyed."""

    HEADINGS = ("Name", "Kind", "Relevant body", "Aliases", "Active")

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.rows: list[AgencyInfo] = []

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802 - Qt API
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802 - Qt API
        return 0 if parent.isValid() else len(self.HEADINGS)

    def data(self, index: Index, role: int = DISPLAY) -> Any:
        if not index.isValid():
            return None
        a = self.rows[index.row()]
        text = (a.name, a.kind, "Yes" if a.relevant_body else "No", ", ".join(a.aliases),
                "Yes" if a.active else "No")[index.column()]
        if role in (DISPLAY, TOOLTIP):
            return text
        if role == ACCESSIBLE:
            return f"{self.HEADINGS[index.column()]}: {text or 'none'}"
        return QColor("#5f6b76") if role == FOREGROUND and not a.active else None

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = DISPLAY) -> Any:  # noqa: N802
        return self.HEADINGS[section] if role == DISPLAY and orientation == Qt.Orientation.Horizontal else None

    def set_rows(self, rows: list[AgencyInfo]) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.endResetModel()

    def row_of(self, agency_id: int | None) -> int:
        return next((n for n, a in enumerate(self.rows) if a.id == agency_id), -1)
