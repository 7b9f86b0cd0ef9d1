"""The letter's filled text before the PDF is made: the officer reads it and may change any paragraph."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QLabel, QLineEdit, QPlainTextEdit, QScrollArea,
                               QVBoxLayout, QWidget)

from app.services.letters.case_letters import LetterDraft, TextEdit
from ui.screen import fit_to_screen
from ui.style import look

KIND_NAMES = {"subject": "Heading of the letter", "heading": "Section heading", "paragraph": "Paragraph",
              "bullet": "List item"}


class LetterEditDialog(QDialog):
    """One box per part of the letter, in the letter's order; **bold** stays bold, an emptied box is left
    out. Produce makes the PDF from the text as it stands; the template itself is not changed."""

    def __init__(self, draft: LetterDraft, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.draft = draft
        self.setWindowTitle(f"Check the letter: {draft.label}")
        fit_to_screen(self, 820, 860)  # a laptop's screen is shorter: the letter's parts scroll
        layout = QVBoxLayout(self)
        intro = QLabel(f"To {draft.recipient}{' (large print)' if draft.large_print else ''}. Read the letter and "
                       "change any part that needs it. Text between ** and ** prints in bold; empty a box to leave "
                       "that part out. Your changes are kept with the letter and noted in the case's history; the "
                       "template is not changed.")
        intro.setWordWrap(True)
        layout.addWidget(intro)
        body = QWidget()
        form = QVBoxLayout(body)
        self.boxes: dict[str, QLineEdit | QPlainTextEdit] = {}
        counts: dict[str, int] = {}
        for part in draft.parts:
            counts[part.kind] = counts.get(part.kind, 0) + 1
            name = KIND_NAMES.get(part.kind, part.kind) + (f" {counts[part.kind]}" if part.kind != "subject" else "")
            caption = QLabel(name)
            look(caption, "hint")
            box: QLineEdit | QPlainTextEdit
            if part.kind in ("subject", "heading"):
                box = QLineEdit(part.text)
            else:
                box = QPlainTextEdit(part.text)
                box.setTabChangesFocus(True)
                lines = max(2, min(8, len(part.text) // 80 + 1 + part.text.count("\n")))
                box.setFixedHeight(box.fontMetrics().lineSpacing() * lines + 14)
            box.setAccessibleName(name)
            caption.setBuddy(box)
            form.addWidget(caption)
            form.addWidget(box)
            self.boxes[part.key] = box
        form.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # a frame, not a control: Tab goes to the boxes in it
        scroll.setWidget(body)
        layout.addWidget(scroll, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText("&Produce the letter")
        ok.setAccessibleName("Produce the letter")
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setAccessibleName("Cancel")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        if self.boxes:
            next(iter(self.boxes.values())).setFocus()

    def set_text(self, key: str, text: str) -> None:
        box = self.boxes[key]
        if isinstance(box, QLineEdit):
            box.setText(text)
        else:
            box.setPlainText(text)

    def edits(self) -> list[TextEdit]:
        """The parts the officer changed, each with the text it replaced."""
        out = []
        for part in self.draft.parts:
            box = self.boxes[part.key]
            text = box.text() if isinstance(box, QLineEdit) else box.toPlainText()
            if text.strip() != part.text.strip():
                out.append(TextEdit(part.key, part.text, text))
        return out
