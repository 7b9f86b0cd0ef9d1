"""The Applications section: start a telephone or postal application, import online ones; open forms as tabs."""
from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLabel, QPushButton, QTabWidget, QVBoxLayout, QWidget

from ui.views.intake.form import ApplicationForm


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
        layout = QVBoxLayout(start)
        layout.setAlignment(Qt.AlignmentFlag.AlignTop)
        intro = QLabel("<h2>Take an application</h2><p>Use the telephone form while the caller talks, "
                       "the postal form to key in letters and forms (with the date the post arrived), "
                       "or import submissions from the online form.</p>")
        intro.setWordWrap(True)
        layout.addWidget(intro)
        for text, tip, signal in (
                ("New &telephone application  (Ctrl+N)", "Start a telephone application", self.new_telephone_requested),
                ("New &postal application  (Ctrl+Shift+N)", "Key in a postal application", self.new_postal_requested),
                ("&Import online applications…", "Import files from the online form", self.import_requested)):
            button = QPushButton(text)
            button.setAccessibleName(tip)
            button.setMinimumHeight(36)
            button.clicked.connect(signal.emit)
            layout.addWidget(button)
        self.drafts_label = QLabel()
        self.drafts_label.setWordWrap(True)
        layout.addWidget(self.drafts_label)
        self.addTab(start, "Start")
        self.tabBar().setTabButton(0, self.tabBar().ButtonPosition.RightSide, None)
        self.tabCloseRequested.connect(self._close_requested)
        self.close_form_check = None  # set by the main window: asks before losing a draft

    def add_form(self, form: ApplicationForm) -> None:
        index = self.addTab(form, form.default_title())
        form.title_changed.connect(lambda title, f=form: self.setTabText(self.indexOf(f), title))
        self.setCurrentIndex(index)
        form.focus_first_field()

    def forms(self) -> list[ApplicationForm]:
        return [w for i in range(self.count()) if isinstance(w := self.widget(i), ApplicationForm)]

    def _close_requested(self, index: int) -> None:
        form = self.widget(index)
        if isinstance(form, ApplicationForm):
            if self.close_form_check is not None and not self.close_form_check(form):
                return
            self.removeTab(index)
            form.deleteLater()
