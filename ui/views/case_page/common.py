"""Small building blocks shared by the case page's tabs."""
from __future__ import annotations

from PySide6.QtWidgets import (QAbstractItemView, QHBoxLayout, QHeaderView, QLabel, QPushButton,
                               QTableView, QWidget)

from ui.models.simple_table import SimpleTableModel


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


def button(text: str, slot, name: str | None = None) -> QPushButton:
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
    label.setObjectName("sectionTitle")
    return label


def selected_key(view: QTableView) -> object:
    index = view.currentIndex()
    model = view.model()
    return model.key(index.row()) if index.isValid() and isinstance(model, SimpleTableModel) else None
