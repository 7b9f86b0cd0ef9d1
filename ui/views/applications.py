"""The Applications section: start a telephone or postal application, import online ones; open forms as tabs.

The form's module (and the services it uses) is imported when the first form opens, not at start-up.
"""
from __future__ import annotations

import sys
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QLabel, QPushButton, QTabWidget, QVBoxLayout, QWidget

if TYPE_CHECKING:
    from ui.views.intake.form import ApplicationForm


def is_form(widget: object) -> bool:
    """Whether a widget is an application form (without importing the form's module to ask)."""
    module = sys.modules.get("ui.views.intake.form")
    return module is not None and isinstance(widget, module.ApplicationForm)


class ApplicationsPage(QTabWidget):
    new_telephone_requested = Signal()
    new_postal_requested = Signal()
    import_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Applications")
        self.setTabsClosable(True)
        self.setDocumentMode(True)
        start = QWidget()
        layout = QVBoxLayout(start)  # at the top: a stretch follows (no Qt enum before the first paint)
        # Plain labels, not rich text: this page is on screen at start-up, before the text engine is wanted.
        title = QLabel("Take an application")
        title.setStyleSheet("font-size: 15pt; font-weight: 700;")
        intro = QLabel("Use the telephone form while the caller talks, the postal form to key in letters and "
                       "forms (with the date the post arrived), or import submissions from the online form.")
        intro.setWordWrap(True)
        layout.addWidget(title)
        layout.addWidget(intro)
        self.buttons: list[QPushButton] = []
        for text, tip, signal in (
                ("New &telephone application  (Ctrl+N)", "Start a telephone application", self.new_telephone_requested),
                ("New &postal application  (Ctrl+Shift+N)", "Key in a postal application", self.new_postal_requested),
                ("&Import online applications…", "Import files from the online form", self.import_requested)):
            button = QPushButton(text)
            button.setAccessibleName(tip)
            button.setMinimumHeight(36)
            button.clicked.connect(signal.emit)
            layout.addWidget(button)
            self.buttons.append(button)
        self.drafts_label = QLabel()
        self.drafts_label.setWordWrap(True)
        layout.addWidget(self.drafts_label)
        layout.addStretch(1)
        self.addTab(start, "Start")
        self.tabBar().setTabButton(0, self.tabBar().ButtonPosition.RightSide, None)
        self.tabCloseRequested.connect(self._close_requested)
        self.close_form_check: Callable[[ApplicationForm], bool] | None = None  # set by the main window

    def add_form(self, form: ApplicationForm, show: bool = True) -> None:
        """A form in a tab of its own; `show`: brought forward with focus on its first field (a form
        restored at start-up is added behind, and the focus stays where the officer is)."""
        index = self.addTab(form, form.default_title())
        form.title_changed.connect(lambda title, f=form: self.setTabText(self.indexOf(f), title))
        if show:
            self.setCurrentIndex(index)
            form.focus_first_field()

    def forms(self) -> list[ApplicationForm]:
        return [w for i in range(self.count()) if is_form(w := self.widget(i))]  # type: ignore[misc]

    def _close_requested(self, index: int) -> None:
        form = self.widget(index)
        if form is not None and is_form(form):
            if self.close_form_check is not None and not self.close_form_check(form):  # type: ignore[arg-type]
                return
            self.removeTab(index)
            form.deleteLater()
