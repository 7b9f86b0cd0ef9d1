"""A plain page for a section that is not in this version yet, saying so rather than showing nothing."""
from __future__ import annotations

from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget


class NotBuiltPage(QWidget):
    def __init__(self, section: str, what: str, parent: QWidget | None = None) -> None:
        from PySide6.QtCore import Qt
        super().__init__(parent)
        self.setAccessibleName(section)
        layout = QVBoxLayout(self)
        title = QLabel(f"<h2>{section}</h2>")
        body = QLabel(f"This section is not available in this version yet.<br><br>{what}")
        body.setWordWrap(True)
        body.setTextFormat(Qt.TextFormat.RichText)
        for label in (title, body):
            label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
            layout.addWidget(label)
        layout.addStretch(1)


class WaitingPage(QWidget):
    """The place of a page that is on its way (the case list while the database is being opened)."""

    def __init__(self, section: str, text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName(section)
        layout = QVBoxLayout(self)
        self.label = QLabel(text)  # at the top: the stretch below (no Qt enum before the first paint)
        self.label.setAccessibleName(text)
        layout.addWidget(self.label)
        layout.addStretch(1)
