"""A grid that is driven from the keyboard: Tab through cells, a new row past the last one."""
from __future__ import annotations

from PySide6.QtCore import QModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (QAbstractItemView, QCompleter, QHeaderView, QLineEdit,
                               QStyledItemDelegate, QTableView, QWidget)

from ui.views.intake.rows_model import RowsModel


class RowsView(QTableView):
    """Ctrl+Enter adds a row, Ctrl+Delete removes the current one, Tab past the end adds one."""

    rows_changed = Signal()

    def __init__(self, model: RowsModel, accessible_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setModel(model)
        self.setAccessibleName(accessible_name)
        self.setTabKeyNavigation(True)
        # Typing (or F2) starts editing; merely arriving on a cell does not, so Tab can pass through.
        self.setEditTriggers(QAbstractItemView.EditTrigger.AnyKeyPressed
                             | QAbstractItemView.EditTrigger.EditKeyPressed
                             | QAbstractItemView.EditTrigger.DoubleClicked)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.horizontalHeader().setStretchLastSection(True)
        self.verticalHeader().setDefaultSectionSize(26)
        for keys, action in (("Ctrl+Return", self.add_row), ("Ctrl+Enter", self.add_row),
                             ("Ctrl+Del", self.remove_current_row)):
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(action)

    @property
    def rows_model(self) -> RowsModel:
        return self.model()  # type: ignore[return-value]

    def add_row(self) -> None:
        row = self.rows_model.add_row()
        self.setCurrentIndex(self.rows_model.index(row, 0))
        self.setFocus()
        self.rows_changed.emit()

    def remove_current_row(self) -> None:
        index = self.currentIndex()
        if index.isValid():
            self.rows_model.remove_row(index.row())
            self.rows_changed.emit()

    def _row_empty(self, row: int) -> bool:
        values = self.rows_model.rows[row] if 0 <= row < len(self.rows_model.rows) else {}
        return not any(str(v).strip() for v in values.values() if not isinstance(v, bool))

    def moveCursor(self, action: QAbstractItemView.CursorAction,  # noqa: N802 - Qt API
                   modifiers: Qt.KeyboardModifier) -> QModelIndex:
        """Tab past the last cell of a filled row adds a row; Tab on an empty last row leaves the grid."""
        model = self.rows_model
        index = self.currentIndex()
        last_row = model.rowCount() - 1
        if action == QAbstractItemView.CursorAction.MoveNext and index.isValid() and index.row() == last_row:
            if self._row_empty(last_row):
                QTimer.singleShot(0, self._leave_forwards)
                return QModelIndex()
            if index.column() == model.columnCount() - 1:
                row = model.add_row()
                self.rows_changed.emit()
                return model.index(row, 0)
        if action == QAbstractItemView.CursorAction.MovePrevious and index.isValid() \
                and index.row() == 0 and index.column() == 0:
            QTimer.singleShot(0, self._leave_backwards)
            return QModelIndex()
        return super().moveCursor(action, modifiers)

    def _leave_forwards(self) -> None:
        self.focusNextChild()

    def _leave_backwards(self) -> None:
        self.focusPreviousChild()


class ChoiceDelegate(QStyledItemDelegate):
    """A text cell with type-ahead from a fixed list (agencies, 'how reported'); free text allowed."""

    def __init__(self, choices: list[str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.choices = choices

    def createEditor(self, parent: QWidget, option, index: QModelIndex) -> QWidget:  # noqa: N802
        edit = QLineEdit(parent)
        completer = QCompleter(self.choices, edit)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        edit.setCompleter(completer)
        edit.setAccessibleName(str(index.model().headerData(index.column(), Qt.Orientation.Horizontal)))
        return edit
