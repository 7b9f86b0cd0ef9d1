"""A grid that is driven from the keyboard: Tab through cells, a new row past the last one."""
from __future__ import annotations

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtGui import QFocusEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import QAbstractItemDelegate, QAbstractItemView, QHeaderView, QTableView, QWidget

from ui.focus import reveal_soon
from ui.views.intake.completion import LiveCompleterDelegate, choices_fetch
from ui.views.intake.rows_model import RowsModel

KEYS_HINT = ("Tab moves between cells (the arrow keys too); Tab after the last cell adds a row; Tab on an empty "
             "row leaves the grid. Ctrl+Enter adds a row, Ctrl+Delete removes the current one.")


class RowsView(QTableView):
    """Ctrl+Enter adds a row, Ctrl+Delete removes the current one, Tab past the end adds one.

    Tab moves from cell to cell; Tab on an empty last row (from its first or last cell), or Shift+Tab
    on the first cell, moves focus out of the grid, once, to the next (previous) control. Tab into the grid starts at the first cell
    of the current row.
    """

    rows_changed = Signal()

    def __init__(self, model: RowsModel, accessible_name: str, parent: QWidget | None = None,
                 description: str = "") -> None:
        super().__init__(parent)
        self.setModel(model)
        self.setAccessibleName(accessible_name)
        self.setAccessibleDescription(description or KEYS_HINT)
        self.setTabKeyNavigation(True)
        # Typing (or F2) starts editing; merely arriving on a cell does not, so Tab can pass through.
        self.default_triggers = (QAbstractItemView.EditTrigger.AnyKeyPressed
                                 | QAbstractItemView.EditTrigger.EditKeyPressed
                                 | QAbstractItemView.EditTrigger.DoubleClicked)
        self.setEditTriggers(self.default_triggers)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.horizontalHeader().setStretchLastSection(True)
        self.verticalHeader().setDefaultSectionSize(26)
        for keys, action in (("Ctrl+Return", self.add_row), ("Ctrl+Enter", self.add_row),
                             ("Ctrl+Del", self.remove_current_row)):
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(action)
        # A row added at the bottom of a long form is scrolled into view with the cell.
        self.selectionModel().currentChanged.connect(lambda *_: reveal_soon(self))

    @property
    def rows_model(self) -> RowsModel:
        return self.model()  # type: ignore[return-value]

    def add_row(self) -> None:
        self.commit_edit()
        row = self.rows_model.add_row()
        self.setCurrentIndex(self.rows_model.index(row, 0))
        self.setFocus()
        self.rows_changed.emit()

    def remove_current_row(self) -> None:
        index = self.currentIndex()
        if index.isValid():
            self.rows_model.remove_row(index.row())
            self.rows_changed.emit()

    def commit_edit(self) -> None:
        """Write the text of a cell being edited into the model (before a save, say)."""
        index = self.currentIndex()
        editor = self.indexWidget(index) if index.isValid() else None
        if editor is not None:
            self.commitData(editor)

    def _row_empty(self, row: int) -> bool:
        values = self.rows_model.rows[row] if 0 <= row < len(self.rows_model.rows) else {}
        return not any(str(v).strip() for v in values.values() if not isinstance(v, bool))

    def _leaves(self, forwards: bool) -> bool:
        """Whether Tab (forwards) or Shift+Tab from the current cell goes out of the grid: Tab on the
        first or the last cell of an empty last row (in between, Tab passes a column that is not known,
        such as a perpetrator's name); Shift+Tab on the very first cell."""
        index = self.currentIndex()
        if not index.isValid():
            return True
        if forwards:
            return (index.row() == self.rows_model.rowCount() - 1 and self._row_empty(index.row())
                    and index.column() in (0, self.rows_model.columnCount() - 1))
        return index.row() == 0 and index.column() == 0

    def _move_out(self, forwards: bool) -> bool:
        # QWidget's own implementation moves focus once along the window's focus chain. The item
        # view's would turn the Tab into a key press for this grid again (which is how focus used to
        # loop round the form for ever).
        return QWidget.focusNextPrevChild(self, forwards)

    def focusNextPrevChild(self, next: bool) -> bool:  # noqa: N802, A002 - Qt API
        if self._leaves(next):
            return self._move_out(next)
        return super().focusNextPrevChild(next)

    def closeEditor(self, editor: QWidget, hint: QAbstractItemDelegate.EndEditHint) -> None:  # noqa: N802
        forwards = hint == QAbstractItemDelegate.EndEditHint.EditNextItem
        backwards = hint == QAbstractItemDelegate.EndEditHint.EditPreviousItem
        if (forwards or backwards) and self._leaves(forwards):
            super().closeEditor(editor, QAbstractItemDelegate.EndEditHint.NoHint)
            self._move_out(forwards)
            return
        super().closeEditor(editor, hint)

    def focusInEvent(self, event: QFocusEvent) -> None:  # noqa: N802 - Qt API
        reason = event.reason()
        if reason in (Qt.FocusReason.TabFocusReason, Qt.FocusReason.BacktabFocusReason) \
                and self.rows_model.rowCount():
            row = max(self.currentIndex().row(), 0)
            column = 0 if reason == Qt.FocusReason.TabFocusReason else self.rows_model.columnCount() - 1
            self.setCurrentIndex(self.rows_model.index(row, column))
        super().focusInEvent(event)

    def moveCursor(self, action: QAbstractItemView.CursorAction,  # noqa: N802 - Qt API
                   modifiers: Qt.KeyboardModifier) -> QModelIndex:
        """Tab past the last cell of a filled last row adds a row."""
        model = self.rows_model
        index = self.currentIndex()
        if action == QAbstractItemView.CursorAction.MoveNext and index.isValid() \
                and index.row() == model.rowCount() - 1 and index.column() == model.columnCount() - 1 \
                and not self._row_empty(index.row()):
            row = model.add_row()
            self.rows_changed.emit()
            return model.index(row, 0)
        return super().moveCursor(action, modifiers)


class ChoiceDelegate(LiveCompleterDelegate):
    """A text cell with type-ahead from a fixed list ('how reported'); free text allowed."""

    def __init__(self, choices: list[str], parent: QWidget | None = None) -> None:
        super().__init__(choices_fetch(choices), parent)
        self.choices = choices
