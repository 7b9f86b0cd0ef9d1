"""Type-ahead as the user types: organisations by name, alias or initials; places, people, addresses.

The suggestions are worked out by the caller (the agency directory, or the database), so the list
shows exactly what matched (an alias or initials need not appear in the name); it shows whole names,
and what was typed stays as typed unless a suggestion is chosen (Down, then Enter or Tab).

Suggestions read from the database (`remote=True`) wait until typing pauses and run off the UI
thread as a query that a newer keystroke replaces: the text box never waits for the network. A
fixed list or the agency directory (plain data in memory) answers at once.
"""
from __future__ import annotations

import itertools
from collections.abc import Callable

import shiboken6
from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QStringListModel, Qt, QTimer
from PySide6.QtWidgets import QCompleter, QLineEdit, QStyledItemDelegate, QStyleOptionViewItem, QWidget

Fetch = Callable[[str], list[str]]
_POPUP_PADDING = 48  # the list's frame, margins and scroll bar
TYPE_AHEAD_DELAY_MS = 200  # a pause in typing, not every keystroke, asks the database
_keys = itertools.count(1)


def attach_live_completer(edit: QLineEdit, fetch: Fetch, *, remote: bool = False,
                          delay_ms: int = TYPE_AHEAD_DELAY_MS) -> QCompleter:
    model = QStringListModel(edit)
    completer = QCompleter(model, edit)
    completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
    # Unfiltered: `fetch` already chose the matches, which may not contain the typed text ("TWBC").
    completer.setCompletionMode(QCompleter.CompletionMode.UnfilteredPopupCompletion)
    completer.setMaxVisibleItems(10)
    edit.setCompleter(completer)
    key = f"type-ahead-{next(_keys)}"

    def show(text: str, found: list[str]) -> None:
        if not shiboken6.isValid(edit) or edit.text() != text or (remote and not edit.hasFocus()):
            return  # typed on, or gone elsewhere: an old answer is not shown
        model.setStringList(found)
        popup = completer.popup()
        if popup is None:
            return
        if found:
            metrics = popup.fontMetrics()
            popup.setMinimumWidth(max(metrics.horizontalAdvance(s) for s in found) + _POPUP_PADDING)
            completer.complete()
        else:
            popup.hide()

    def ask() -> None:
        if not shiboken6.isValid(edit):
            return
        text = edit.text()
        if not remote:
            try:
                found = fetch(text)
            except Exception:  # noqa: BLE001 - suggestions are a convenience; typing must go on
                found = []
            show(text, found)
            return
        from ui.tasks import Tasks
        Tasks.instance().query(fetch, text, on_done=lambda found: show(text, found),
                               on_error=lambda _exc: True,  # a convenience: a failed read says nothing
                               owner=edit, what="suggest earlier entries", key=key)

    if remote:
        timer = QTimer(edit)
        timer.setSingleShot(True)
        timer.setInterval(delay_ms)
        timer.timeout.connect(ask)
        edit.textEdited.connect(lambda _text: timer.start())
    else:
        edit.textEdited.connect(lambda _text: ask())
    return completer


def choices_fetch(choices: list[str]) -> Fetch:
    """Suggestions from a fixed list: those that start with the text first, then those containing it."""
    def fetch(text: str) -> list[str]:
        key = text.strip().casefold()
        if not key:
            return []
        starts = [c for c in choices if c.casefold().startswith(key)]
        return starts + [c for c in choices if key in c.casefold() and c not in starts]
    return fetch


class LiveCompleterDelegate(QStyledItemDelegate):
    """A grid cell editor with type-ahead (an organisation, 'how reported', a person, an address)."""

    def __init__(self, fetch: Fetch, parent: QWidget | None = None, *, remote: bool = False) -> None:
        super().__init__(parent)
        self.fetch = fetch
        self.remote = remote

    def createEditor(self, parent: QWidget, option: QStyleOptionViewItem,  # noqa: N802 - Qt API
                     index: QModelIndex | QPersistentModelIndex) -> QWidget:  # noqa: N802 - Qt API
        edit = QLineEdit(parent)
        edit.setAccessibleName(str(index.model().headerData(index.column(), Qt.Orientation.Horizontal)))
        attach_live_completer(edit, self.fetch, remote=self.remote)
        return edit
