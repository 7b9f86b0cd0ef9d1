"""A grid that is driven from the keyboard: Tab through cells, a new row past the last one."""
from __future__ import annotations

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtGui import QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (QAbstractItemView, QComboBox, QCompleter, QHeaderView,
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
        self.setEditTriggers(QAbstractItemView.EditTrigger.AllEditTriggers)
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

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt API
        index = self.currentIndex()
        model = self.rows_model
        at_end = (not index.isValid() or
                  (index.row() == model.rowCount() - 1 and index.column() == model.columnCount() - 1))
        if event.key() == Qt.Key.Key_Tab and event.modifiers() == Qt.KeyboardModifier.NoModifier and at_end:
            # Past the last cell: a filled last row gets a new one; an empty one lets focus leave.
            last = model.rows[-1] if model.rows else {}
            if any(str(v).strip() for k, v in last.items() if not isinstance(v, bool)):
                self.add_row()
            else:
                self.focusNextChild()
            return
        if event.key() == Qt.Key.Key_Backtab and index.isValid() and index.row() == 0 and index.column() == 0:
            self.focusPreviousChild()
            return
        super().keyPressEvent(event)


class ChoiceDelegate(QStyledItemDelegate):
    """An editable combo with type-ahead for one column (agencies, 'how reported', ...)."""

    def __init__(self, choices: list[str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.choices = choices

    def createEditor(self, parent: QWidget, option, index: QModelIndex) -> QWidget:  # noqa: N802
        combo = QComboBox(parent)
        combo.setEditable(True)
        combo.addItems(self.choices)
        combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        completer = QCompleter(self.choices, combo)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        combo.setCompleter(completer)
        combo.setAccessibleName(str(index.model().headerData(index.column(), Qt.Orientation.Horizontal)))
        return combo

    def setEditorData(self, editor: QWidget, index: QModelIndex) -> None:  # noqa: N802
        assert isinstance(editor, QComboBox)
        editor.setEditText(str(index.data(Qt.ItemDataRole.EditRole) or ""))

    def setModelData(self, editor: QWidget, model, index: QModelIndex) -> None:  # noqa: N802
        assert isinstance(editor, QComboBox)
        model.setData(index, editor.currentText(), Qt.ItemDataRole.EditRole)
