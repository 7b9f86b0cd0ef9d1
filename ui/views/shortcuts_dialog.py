"""Help → Keyboard shortcuts: every key the app answers to, in one list a screen reader can read."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QAbstractItemView, QDialog, QDialogButtonBox, QHeaderView, QLabel, QTableWidget,
                               QTableWidgetItem, QVBoxLayout, QWidget)

from ui.screen import fit_to_screen

# (keys, what they do) in the order an officer meets them; the window's own actions come first.
EVERYWHERE: list[tuple[str, str]] = [
    ("Ctrl+F", "Find a case: the case list's search box"),
    ("Down (in the search box)", "Move into the list of cases"),
    ("Enter (in the case list)", "Open the selected case"),
    ("Alt+B, Alt+D, then Up or Down", "Choose the column the case list is sorted by, and the order"),
    ("Ctrl+W", "Close the current application or case tab (asks first if something is not saved)"),
    ("F5", "Refresh what the current view shows"),
    ("Ctrl+1 … Ctrl+8", "Go to a section (Applications, Cases, Panel meetings, Letters, Reports, Agencies, "
                        "Data protection, Settings)"),
    ("Ctrl+Tab, Ctrl+Shift+Tab", "Next or previous tab within a page"),
    ("Alt+1 … Alt+8 (on a case)", "A tab of the case page: summary, people, incidents, agencies, chronology, "
                                  "related, notes, letters"),
    ("Alt + the underlined letter", "Go to that field, or press that button"),
    ("Ctrl+N", "New telephone application"),
    ("Ctrl+Shift+N", "New postal application"),
    ("Ctrl+I", "Import online applications"),
    ("F1", "This list of keys"),
    ("Ctrl+Q", "Quit (unsaved applications are kept and come back next time)"),
]
IN_FORMS: list[tuple[str, str]] = [
    ("Tab, Shift+Tab", "Next or previous field (in a grid: next or previous cell)"),
    ("Ctrl+S", "Save the application, or the agency being edited"),
    ("Ctrl+Shift+S", "Save and start the next postal application with the same date received"),
    ("Ctrl+Enter (in a grid)", "Add a row (an incident, a person, a contact)"),
    ("Ctrl+Delete (in a grid)", "Remove the current row"),
    ("Tab on an empty row", "Leave the grid for the next field"),
    ("Arrow keys (in a grid)", "Move between cells without leaving the grid"),
    ("Space (in a tick box or a grid's tick cell)", "Tick or untick"),
    ("Typing in a list (a combo box)", "Choose the entry that starts with what you type"),
    ("Enter, Escape (in a dialog)", "Record, or cancel"),
]


def all_shortcuts() -> list[tuple[str, str, str]]:
    """(where, keys, what) for the table and for tests."""
    return [("Everywhere", k, w) for k, w in EVERYWHERE] + [("In forms and grids", k, w) for k, w in IN_FORMS]


class ShortcutsDialog(QDialog):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Keyboard shortcuts")
        layout = QVBoxLayout(self)
        intro = QLabel("Everything can be done from the keyboard. These keys work throughout the app.")
        intro.setWordWrap(True)
        layout.addWidget(intro)
        rows = all_shortcuts()
        self.table = QTableWidget(len(rows), 3)
        self.table.setHorizontalHeaderLabels(["Where", "Keys", "What it does"])
        self.table.setAccessibleName("Keyboard shortcuts")
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setTabKeyNavigation(False)
        self.table.verticalHeader().setVisible(False)
        self.table.setWordWrap(True)
        for n, values in enumerate(rows):
            for column, value in enumerate(values):
                item = QTableWidgetItem(value)
                item.setToolTip(value)
                self.table.setItem(n, column, item)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.table.resizeRowsToContents()
        layout.addWidget(self.table, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close = buttons.button(QDialogButtonBox.StandardButton.Close)
        close.setText("&Close")
        close.setAccessibleName("Close")
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.table.setFocus(Qt.FocusReason.OtherFocusReason)
        fit_to_screen(self, 860, 620)
