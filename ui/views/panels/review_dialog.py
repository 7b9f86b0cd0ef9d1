"""The panel's record for one case: victim's part, information considered, findings, recommendations.

Saved as one operation off the UI thread; the dialog stays open with the problem if it is refused."""
from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (QCheckBox, QComboBox, QDialog, QDialogButtonBox, QFormLayout, QFrame, QLabel,
                               QLineEdit, QPlainTextEdit, QScrollArea, QVBoxLayout, QWidget)

from app.domain.application import Problem
from app.domain.dates import parse_uk_or_iso, uk
from app.services.panels import meetings as panels
from app.services.agencies.directory import AgencyInfo
from app.services.agencies.matching import AgencyDirectory
from app.services.panels.victim import VICTIM_PARTS
from app.services.common.context import ServiceContext
from app.services.common.errors import ServiceError, ValidationFailed, in_words
from ui.focus import show_message
from ui.tasks import Tasks
from ui.screen import fit_to_screen
from ui.views.intake.rows_model import RowsModel
from ui.views.intake.completion import LiveCompleterDelegate
from ui.views.intake.rows_view import RowsView
from ui.style import look

FINDING_COLUMNS = [("text", "Finding", "in plain words, as the applicant will read it"),
                   ("rationale", "Rationale", "what the panel saw that supports it"),
                   ("key?", "Key finding", "include in the partnership summary")]
RECOMMENDATION_COLUMNS = [("agency", "Agency", "which agency"), ("action", "Action", "what it will do"),
                          ("due", "Due by", "dd/mm/yyyy"), ("rationale", "Rationale", "why")]


def _text_box(height: int = 54) -> QPlainTextEdit:
    box = QPlainTextEdit()
    box.setTabChangesFocus(True)
    box.setFixedHeight(height)
    return box


class ReviewDialog(QDialog):
    def __init__(self, ctx: ServiceContext, item: panels.AgendaItem, agencies: list[AgencyInfo],
                 parent: QWidget | None = None, *, tasks: Tasks | None = None) -> None:
        super().__init__(parent)
        self.ctx, self.item = ctx, item
        self.tasks = tasks or Tasks.instance()
        self.busy = False
        self.result_value: object = None
        self.agencies = {a.name: a.id for a in agencies}
        self.directory = AgencyDirectory(agencies)  # "TWBC" or an alias finds the agency too
        self.setWindowTitle(f"Review record: {item.reference}")
        outer = QVBoxLayout(self)
        self.message = QLabel()
        look(self.message, "fieldError")
        self.message.setWordWrap(True)
        self.message.setVisible(False)
        outer.addWidget(self.message)
        # The record is longer than a 768-pixel laptop screen: it scrolls, and the buttons stay in view.
        body = QWidget()
        layout = QVBoxLayout(body)
        layout.setContentsMargins(0, 0, 0, 0)
        self.form_scroll = QScrollArea()
        self.form_scroll.setWidgetResizable(True)
        self.form_scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.form_scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.form_scroll.setWidget(body)
        outer.addWidget(self.form_scroll, 1)
        form = QFormLayout()
        layout.addLayout(form)
        self.victim_part = QComboBox()
        self.victim_part.addItem("— not recorded yet —", "")
        for value, label in VICTIM_PARTS.items():
            self.victim_part.addItem(label, value)
        self.victim_part_reason = QLineEdit()
        part_fields: tuple[tuple[str, QWidget], ...] = (("The &victim's part", self.victim_part),
                                                        ("Why not invited", self.victim_part_reason))
        for label, widget in part_fields:
            caption = QLabel(label)
            caption.setBuddy(widget)
            widget.setAccessibleName(label.replace("&", ""))
            form.addRow(caption, widget)
        self.invited = QCheckBox("The victim was &invited")
        self.attended = QCheckBox("The victim a&ttended (for part of the meeting)")
        self.completes = QCheckBox("This meeting &completes the review (untick if it continues at another "
                                   "meeting)")
        for box in (self.invited, self.attended, self.completes):
            box.setAccessibleName(box.text().replace("&", ""))
            form.addRow(box)
        self.impact = _text_box()
        self.adjustments = _text_box(40)
        self.considered = _text_box()
        self.decision = _text_box()
        for label, widget in (("Im&pact statement", self.impact), ("Reasonable a&djustments", self.adjustments),
                              ("Information c&onsidered", self.considered), ("D&ecision", self.decision)):
            caption = QLabel(label)
            caption.setBuddy(widget)
            widget.setAccessibleName(label.replace("&", ""))
            form.addRow(caption, widget)
        self.findings = RowsModel(FINDING_COLUMNS, "Finding")
        self.findings_view = RowsView(self.findings, "Findings")
        self.recommendations = RowsModel(RECOMMENDATION_COLUMNS, "Recommendation")
        self.recommendations_view = RowsView(self.recommendations, "Recommendations")
        self.recommendations_view.setItemDelegateForColumn(
            0, LiveCompleterDelegate(self.directory.suggest, self.recommendations_view))
        for title, view in (("&Findings (Tab past the last cell adds a row)", self.findings_view),
                            ("Recomme&ndations: which agency, what action, by when, and why",
                             self.recommendations_view)):
            caption = QLabel(title)
            caption.setBuddy(view)
            layout.addWidget(caption)
            view.setMinimumHeight(130)
            layout.addWidget(view)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        save = buttons.button(QDialogButtonBox.StandardButton.Save)
        save.setText("&Save")  # the generic platform theme gives the button no Alt key of its own
        save.setAccessibleName("Save")
        cancel = buttons.button(QDialogButtonBox.StandardButton.Cancel)
        cancel.setText("Cancel")
        cancel.setAccessibleName("Cancel")
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        outer.addWidget(buttons)
        self.buttons = buttons
        QShortcut(QKeySequence("Ctrl+S"), self).activated.connect(self.save)  # from inside a grid cell too
        self._fill()
        fit_to_screen(self, 900, 760)

    def _fill(self) -> None:
        item = self.item
        self.victim_part.setCurrentIndex(max(self.victim_part.findData(item.victim_part), 0))
        self.victim_part_reason.setText(item.victim_part_reason)
        self.invited.setChecked(item.victim_invited)
        self.attended.setChecked(item.victim_attended)
        self.completes.setChecked(item.completes_review)
        self.impact.setPlainText(item.impact_statement)
        self.considered.setPlainText(item.information_considered)
        self.decision.setPlainText(item.decision)
        self.findings.set_rows([{"text": t, "rationale": r, "key": False} for t, r in item.findings] or [{}])
        self.recommendations.set_rows([{"agency": a, "action": act, "due": uk(due), "rationale": why}
                                       for a, act, due, why in item.recommendations] or [{}])

    def review_input(self) -> panels.ReviewInput:
        problems: list[str] = []
        findings = tuple(panels.FindingInput(r.get("text", ""), r.get("rationale", ""), bool(r.get("key", False)))
                         for r in self.findings.values() if str(r.get("text", "")).strip() or str(r.get("rationale", "")).strip())
        recs = []
        for n, row in enumerate(self.recommendations.values(), start=1):
            if not any(str(row.get(k, "")).strip() for k in ("agency", "action", "due", "rationale")):
                continue
            written = str(row.get("agency", "")).strip()
            found = self.directory.match(written)
            agency_id = self.agencies.get(written) or (found.id if found else None)
            if agency_id is None:
                problems.append(f"Recommendation {n}: choose an agency from the directory")
                continue
            due: date | None = None
            if str(row.get("due", "")).strip():
                try:
                    due = parse_uk_or_iso(str(row["due"]))
                except ValueError as exc:
                    problems.append(f"Recommendation {n}, due by: {exc}")
            recs.append(panels.RecommendationInput(agency_id, str(row.get("action", "")), due,
                                                   str(row.get("rationale", ""))))
        if problems:
            raise ValidationFailed([Problem("recommendations", p) for p in problems])
        return panels.ReviewInput(
            victim_invited=self.invited.isChecked(), victim_attended=self.attended.isChecked(),
            victim_part=self.victim_part.currentData() or "", victim_part_reason=self.victim_part_reason.text(),
            impact_statement=self.impact.toPlainText(), reasonable_adjustments=self.adjustments.toPlainText(),
            information_considered=self.considered.toPlainText(), decision=self.decision.toPlainText(),
            completes_review=self.completes.isChecked(), findings=findings, recommendations=tuple(recs))

    def save(self) -> None:
        """Check what can be checked here, then save as one operation off the UI thread.

        While it runs the dialog says so and its buttons wait; a problem keeps it open with
        everything typed, the problem shown at the top.
        """
        if self.busy:
            return
        for view in (self.findings_view, self.recommendations_view):
            view.commit_edit()
        try:
            review = self.review_input()
        except ValidationFailed as exc:
            self._show(self._problems(exc))
            return
        self._set_busy(True)
        self.tasks.op(panels.record_review, self.ctx, self.item.review_id, self.item.version, review,
                      on_done=self._done, on_error=self._failed, owner=self, what="save the review record")

    def reject(self) -> None:
        if self.busy:  # the save is on its way: closing now would hide its answer
            return
        super().reject()

    def _set_busy(self, busy: bool) -> None:
        self.busy = busy
        for b in self.buttons.buttons():
            b.setEnabled(not busy)
        if busy:
            show_message(self.message, "Saving…")
        else:
            self.message.setVisible(False)

    def _done(self, result: object) -> None:
        self._set_busy(False)
        self.result_value = result
        self.accept()

    def _failed(self, exc: BaseException) -> bool:
        self._set_busy(False)
        if isinstance(exc, ValidationFailed):
            self._show(self._problems(exc))
            return True
        if not isinstance(exc, ServiceError):
            from app.diagnostics import log_failure
            log_failure(exc, where=self.windowTitle())
        self._show(f"⚠ {in_words(exc)}\nWhat you typed is still here.")
        return True

    @staticmethod
    def _problems(exc: ValidationFailed) -> str:
        return "\n".join(f"⚠ {p.message if p.field == 'recommendations' else p}" for p in exc.problems)

    def _show(self, text: str) -> None:
        show_message(self.message, text, urgent=True)
