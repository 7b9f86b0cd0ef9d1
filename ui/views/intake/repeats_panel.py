"""Earlier cases for the same person or address, offered for linking while the applicant is typed."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QLabel, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from app.domain.dates import uk
from app.domain.workflow import Status
from app.services.intake.support import PossibleRepeat
from ui.style import look

CASE_ID = Qt.ItemDataRole.UserRole


class RepeatsPanel(QFrame):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        layout = QVBoxLayout(self)
        self.title = QLabel("Earlier applications")
        look(self.title, "sectionTitle")
        self.hint = QLabel("Cases for the same person or address appear here as you type. A repeat "
                           "application is normal: tick a case to link this application to it.")
        self.hint.setWordWrap(True)
        look(self.hint, "hint")
        self.list = QListWidget()
        self.list.setAccessibleName("Earlier applications to link")
        self.list.setWordWrap(True)
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.title.setBuddy(self.list)
        for w in (self.title, self.hint, self.list):
            layout.addWidget(w)

    def show_matches(self, matches: list[PossibleRepeat]) -> None:
        ticked = set(self.linked_case_ids())
        self.list.clear()
        for m in matches:
            status = Status(m.status).label if m.status in Status._value2member_map_ else m.status
            item = QListWidgetItem(f"{m.reference} – {m.applicant}, {m.postcode or 'no postcode'}; received "
                                   f"{uk(m.received_on)}; {status} ({m.matched_on})")
            item.setData(CASE_ID, m.case_id)
            item.setToolTip(item.text())
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if m.case_id in ticked else Qt.CheckState.Unchecked)
            self.list.addItem(item)
        self.title.setText(f"Earlier applications ({len(matches)} found)" if matches else "Earlier applications")

    def linked_case_ids(self) -> list[int]:
        return [self.list.item(i).data(CASE_ID) for i in range(self.list.count())
                if self.list.item(i).checkState() == Qt.CheckState.Checked]
