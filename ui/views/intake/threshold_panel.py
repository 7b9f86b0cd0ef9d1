"""The live threshold indicator: the count against the number needed, and a reason per incident."""
from __future__ import annotations

from html import escape

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QLabel, QScrollArea, QVBoxLayout, QWidget

from app.domain.application import IncidentData
from app.domain.dates import describe_occurred
from app.domain.threshold import ThresholdResult
from ui.style import look


class ThresholdPanel(QFrame):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        look(self, "thresholdPanel")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAccessibleName("Threshold indicator")
        layout = QVBoxLayout(self)
        self.headline = QLabel()
        look(self.headline, "thresholdHeadline")
        self.headline.setWordWrap(True)
        self.details = QLabel()
        self.details.setWordWrap(True)
        self.details.setTextFormat(Qt.TextFormat.RichText)
        # Text, not a control: it takes no Tab stop (a screen reader reads it, and the headline is
        # announced when it changes).
        self.details.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.note = QLabel("This is an indicator. The officer decides the threshold after the agencies "
                           "confirm each incident.")
        self.note.setWordWrap(True)
        look(self.note, "hint")
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        scroll.setWidget(self.details)
        self.details.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self.headline)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.note)
        self.show_empty()

    def show_empty(self) -> None:
        self.headline.setText("Threshold: no incidents yet")
        self.details.setText("Add each incident the applicant reported: when it happened, when and to whom "
                             "it was reported.")
        self.setProperty("verdict", "none")
        self._restyle()

    def show_result(self, result: ThresholdResult, incidents: list[tuple[int, IncidentData]]) -> None:
        if not incidents:
            self.show_empty()
            return
        verdict = "MET" if result.met else "NOT MET"
        self.headline.setText(f"Threshold {verdict}: {result.qualifying_incidents} of "
                              f"{result.incidents_needed} qualifying incidents")
        self.headline.setAccessibleName(self.headline.text())
        lines = []
        for (row, item), v in zip(incidents, result.verdicts):
            when = describe_occurred(item.occurred_on, item.occurred_from, item.occurred_to) or "date not given"
            where = item.reported_to or "not said"
            mark = "✔ counts" if v.qualifies else "✘ does not count: " + v.reason
            lines.append(f"<p><b>Incident {row + 1}</b> ({escape(when)}, reported to {escape(where)})<br>"
                         f"{escape(mark)}</p>")
        self.details.setText("".join(lines))
        self.details.setAccessibleName("Reasons per incident")
        self.setProperty("verdict", "met" if result.met else "notmet")
        self._restyle()

    def _restyle(self) -> None:
        self.style().unpolish(self)
        self.style().polish(self)
