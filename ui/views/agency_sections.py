"""Sections of the Agencies page: the contacts grid, the names not matched to an agency, widget helpers."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QAbstractItemView, QHBoxLayout, QHeaderView, QLabel, QPushButton, QTableWidget,
                               QTableWidgetItem, QVBoxLayout, QWidget)

from app.services.agencies.directory import Contact
from ui.views.intake.rows_model import RowsModel
from ui.views.intake.rows_view import RowsView

CONTACT_COLUMNS = [("name", "Name", "the person's name (needed)"), ("role", "Role", "their job title"),
                   ("email", "Email", "their email address"), ("phone", "Phone", "their telephone number"),
                   ("panel_member?", "Panel member", "sits on the case review panel for this agency"),
                   ("receives_letters?", "Letters go to", "agency letters are addressed to this person (one only)")]


# --- widget helpers ----------------------------------------------------------------------------------

def list_view(view: QAbstractItemView) -> None:
    """A read-only list of rows: one selected at a time, Tab leaves it."""
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setTabKeyNavigation(False)
    view.verticalHeader().setVisible(False)  # type: ignore[attr-defined]


def label(text: str, name: str, buddy: QWidget | None = None) -> QLabel:
    widget = QLabel(text)
    widget.setObjectName(name)
    widget.setWordWrap(name != "sectionTitle")
    if buddy is not None:  # the label's Alt+letter moves to the control, and names it
        widget.setBuddy(buddy)
        buddy.setAccessibleName(text.replace("&", "").rstrip(":"))
    return widget


def button(text: str, slot: Callable[[], object], tip: str) -> QPushButton:
    widget = QPushButton(text)
    widget.setAccessibleName(text.replace("&", ""))
    widget.setToolTip(tip)
    widget.clicked.connect(lambda _checked=False: slot())
    return widget


# --- the contacts grid -------------------------------------------------------------------------------

class ContactsModel(RowsModel):
    def add_row(self, values: dict[str, Any] | None = None) -> int:
        # Not on the panel, and not the addressee of letters, unless ticked.
        return super().add_row({"panel_member": False, "receives_letters": False, **(values or {})})


def contacts_grid(parent: QWidget) -> tuple[ContactsModel, RowsView]:
    """The agency's contacts as an editable grid, sized for the edit panel."""
    model = ContactsModel(CONTACT_COLUMNS, "Contact", parent)
    view = RowsView(model, "Contacts")
    view.setMinimumHeight(110)
    view.setMaximumHeight(170)
    view.verticalHeader().setVisible(False)  # width for the columns; cells name their column
    header = view.horizontalHeader()
    header.setMinimumSectionSize(60)
    header.setStretchLastSection(False)
    for column in range(4):
        header.setSectionResizeMode(column, QHeaderView.ResizeMode.Stretch)
    header.setSectionResizeMode(4, QHeaderView.ResizeMode.ResizeToContents)
    header.setSectionResizeMode(5, QHeaderView.ResizeMode.ResizeToContents)
    return model, view


def contact_rows(contacts: tuple[Contact, ...]) -> list[dict[str, Any]]:
    """Saved contacts as the grid's rows."""
    return [{"id": c.id, "name": c.name, "role": c.role, "email": c.email, "phone": c.phone,
             "panel_member": c.panel_member, "receives_letters": c.receives_letters} for c in contacts]


def typed_contacts(model: ContactsModel) -> tuple[list[Contact], list[int]]:
    """The contacts typed, and for each the grid row it came from (blank rows are skipped)."""
    contacts, rows = [], []
    for n, r in enumerate(model.values()):
        text = {k: str(r.get(k, "")) for k in ("name", "role", "email", "phone")}
        if any(v.strip() for v in text.values()):
            contacts.append(Contact(**text, panel_member=bool(r.get("panel_member")), id=r.get("id"),
                                    receives_letters=bool(r.get("receives_letters"))))
            rows.append(n)
    return contacts, rows


def contact_problem(field: str, message: str, rows: list[int]) -> tuple[int, str]:
    """A problem with contacts[n].field as the grid row it is on and words naming row and column."""
    headings = {c[0].rstrip("?"): c[1].lower() for c in CONTACT_COLUMNS}
    row = rows[int(field[len("contacts["):field.index("]")])]
    return row, f"contact {row + 1}, {headings[field.split('.', 1)[1]]}: {message}"


# --- names not matched to an agency ------------------------------------------------------------------

def unmatched_table() -> QTableWidget:
    table = QTableWidget(0, 2)
    table.setHorizontalHeaderLabels(["Name as written", "Incidents"])
    list_view(table)
    table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
    return table


def show_unmatched(table: QTableWidget, unmatched: list[tuple[str, int]]) -> None:
    """Each name as written with how many incidents use it."""
    table.setRowCount(len(unmatched))
    for n, (name, count) in enumerate(unmatched):
        table.setItem(n, 0, QTableWidgetItem(name))
        table.setItem(n, 1, item := QTableWidgetItem(str(count)))
        item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)


def add_unmatched_section(layout: QVBoxLayout, table: QTableWidget, link_button: QPushButton) -> None:
    """The list's title, what linking does, the list, and the button that links."""
    layout.addWidget(label("Na&mes not matched to an agency:", "sectionTitle", table))
    layout.addWidget(label("Incidents whose “reported to” matches no agency do not count until the name is "
                           "linked. Select a name here and the agency above, then link them: the name becomes "
                           "another name (alias) of the agency and the cases are re-assessed.", "hint"))
    layout.addWidget(table, 2)
    link_row = QHBoxLayout()
    link_row.addWidget(link_button)
    link_row.addStretch(1)
    layout.addLayout(link_row)
