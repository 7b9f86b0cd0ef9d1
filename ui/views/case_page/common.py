"""Small building blocks shared by the case page's tabs."""
from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import (QAbstractItemView, QHBoxLayout, QHeaderView, QLabel, QPushButton,
                               QTableView, QWidget)

from ui.models.simple_table import SimpleTableModel
from ui.style import look


def table(headers: list[str], name: str) -> tuple[QTableView, SimpleTableModel]:
    model = SimpleTableModel(headers)
    view = QTableView()
    view.setModel(model)
    view.setAccessibleName(name)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setTabKeyNavigation(False)  # Tab leaves the table; arrows move within it
    view.setWordWrap(True)
    view.horizontalHeader().setStretchLastSection(True)
    view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    view.verticalHeader().setVisible(False)
    return view, model


def fit_columns(view: QTableView, stretch: list[int]) -> None:
    """Columns as wide as their values, except `stretch`, which share the rest and cut long values
    with "…" (the whole value is in the tooltip): nothing is pushed off the right-hand side."""
    view.setWordWrap(False)
    header = view.horizontalHeader()
    header.setStretchLastSection(False)
    for column in range(view.model().columnCount()):
        header.setSectionResizeMode(column, QHeaderView.ResizeMode.Stretch if column in stretch
                                    else QHeaderView.ResizeMode.ResizeToContents)


def button(text: str, slot: Callable[[], object], name: str | None = None) -> QPushButton:
    b = QPushButton(text)
    b.setAccessibleName(name or text.replace("&", "").rstrip("…"))
    b.clicked.connect(lambda _checked=False: slot())
    return b


def button_row(*buttons: QPushButton) -> QWidget:
    row = QWidget()
    layout = QHBoxLayout(row)
    layout.setContentsMargins(0, 0, 0, 0)
    for b in buttons:
        layout.addWidget(b)
    layout.addStretch(1)
    return row


def heading(text: str) -> QLabel:
    label = QLabel(text)
    look(label, "sectionTitle")
    return label


def selected_key(view: QTableView) -> object:
    index = view.currentIndex()
    model = view.model()
    return model.key(index.row()) if index.isValid() and isinstance(model, SimpleTableModel) else None
