"""Case page tabs: the summary with every deadline and the editable details; people and consent."""
from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (QComboBox, QFormLayout, QGroupBox, QLabel, QLineEdit, QPlainTextEdit,
                               QVBoxLayout, QWidget)

from app.domain.dates import uk
from ui.views.case_page.common import button, button_row, heading, table

if TYPE_CHECKING:
    from app.services.cases.case_page import CaseDetail, PersonView

DETAIL_FIELDS = [("asb_types", "Type of ASB", False), ("officer", "Case officer", False),
                 ("impact", "Impact on the victim", True), ("vulnerability", "Vulnerability", True),
                 ("desired_outcome", "Outcome wanted", True)]


def _state(days_left: int) -> str:
    if days_left < 0:
        return f"Overdue by {-days_left} working day{'s' if days_left != -1 else ''}"
    if days_left <= 3:
        return "Due soon"
    return "On track"


class SummaryTab(QWidget):
    save_requested = Signal(dict)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        self.status_line = QLabel()
        self.status_line.setWordWrap(True)
        self.status_line.setAccessibleName("Case status")
        layout.addWidget(self.status_line)
        layout.addWidget(heading("Deadlines"))
        self.deadlines, self.deadlines_model = table(
            ["What is due", "Due", "Original due date", "Working days left", "State"], "Deadlines")
        self.deadlines.setMaximumHeight(190)
        layout.addWidget(self.deadlines)
        box = QGroupBox("Details")
        form = QFormLayout(box)
        self.edits: dict[str, QLineEdit | QPlainTextEdit | QComboBox] = {}
        self.shown: dict[str, str] = {}
        for key, label, long in DETAIL_FIELDS:
            edit: QLineEdit | QPlainTextEdit | QComboBox
            if key == "officer":
                edit = QComboBox()  # the people who use the app, by name (the case keeps the login)
            elif long:
                edit = QPlainTextEdit()
                edit.setTabChangesFocus(True)
                edit.setFixedHeight(60)
            else:
                edit = QLineEdit()
            edit.setAccessibleName(label)
            caption = QLabel(label)
            caption.setBuddy(edit)
            form.addRow(caption, edit)
            self.edits[key] = edit
        self.save_button = button("&Save details", self._save, "Save details")
        form.addRow(button_row(self.save_button))
        layout.addWidget(box)
        layout.addStretch(1)
        # The empty form counts as shown: anything typed before the case arrives is kept when it does.
        self.shown = self.typed()

    def typed(self) -> dict[str, str]:
        out = {}
        for key, edit in self.edits.items():
            if isinstance(edit, QComboBox):
                out[key] = str(edit.currentData() or "")
            else:
                out[key] = (edit.toPlainText() if isinstance(edit, QPlainTextEdit) else edit.text()).strip()
        return out

    def changed(self) -> bool:
        """Details typed and not saved."""
        return self.typed() != self.shown

    def put(self, values: dict[str, str]) -> None:
        for key, value in values.items():
            edit = self.edits[key]
            if isinstance(edit, QPlainTextEdit):
                edit.setPlainText(value)
            elif isinstance(edit, QComboBox):
                index = edit.findData(value)
                if index < 0:  # someone no longer in the user list: shown as recorded
                    edit.addItem(value or "— not assigned —", value)
                    index = edit.count() - 1
                edit.setCurrentIndex(index)
            else:
                edit.setText(value)

    def edited(self) -> dict[str, str]:
        """The fields typed into and not saved, with what they hold now."""
        return {key: value for key, value in self.typed().items() if value != self.shown.get(key)}

    def _officers(self, d: CaseDetail) -> None:
        combo = self.edits["officer"]
        assert isinstance(combo, QComboBox)
        choices = [("— not assigned —", ""), *((name, login) for login, name in d.officer_choices)]
        if d.officer and all(login != d.officer for _name, login in choices):
            # Someone no longer active (or not a user now): still named, and said to be so.
            choices.append((f"{d.officer_name or d.officer} (no longer an active user)", d.officer))
        if [(combo.itemText(i), combo.itemData(i)) for i in range(combo.count())] == choices:
            return  # the same people: the list (and an open drop-down) stays as it is
        current = combo.currentData()
        combo.clear()
        for name, login in choices:
            combo.addItem(name, login)
        if current is not None:
            self.put({"officer": str(current)})

    def _save(self) -> None:
        self.save_requested.emit(self.typed())

    def show_case(self, d: CaseDetail) -> None:
        decision = ("not decided yet" if d.threshold_decided_on is None else
                    f"{'met' if d.threshold_met else 'not met'} on {uk(d.threshold_decided_on)} by {d.threshold_decided_by}")
        self.status_line.setText(
            f"<b>{d.status.label}</b>. Received {d.received_at:%d/%m/%Y %H:%M} by {d.channel.replace('_', ' ')}"
            f"{' (' + d.source_reference + ')' if d.source_reference else ''}. Threshold indicator: "
            f"{d.qualifying_incidents} of {d.incidents_needed} ({'met' if d.threshold_met_indicator else 'not met'}); "
            f"decision: {decision}. Last changed by {d.updated_by or 'unknown'}.")
        self.deadlines_model.set_rows([[c.label, uk(c.due), uk(c.original_due) if c.due != c.original_due else "",
                                        str(c.working_days_left), _state(c.working_days_left)] for c in d.clocks]
                                      or [["Nothing is due", "", "", "", "Stopped"]])
        # A refresh (after a save anywhere, or someone else's) never overwrites what the officer has typed
        # and not saved: those fields keep their text (and cursor); the others show the case as it is now.
        edited = self.edited()
        self._officers(d)
        now = {k: str(getattr(d, k) or "") for k, _, _ in DETAIL_FIELDS}
        self.put({k: v for k, v in now.items() if k not in edited})
        if "officer" in edited:
            self.put({"officer": edited["officer"]})
        self.shown = now


def _person_text(p: PersonView) -> str:
    lines = [f"<b>{p.name}</b>", *p.address_lines, p.postcode or ""]
    if p.phone:
        lines.append(f"Phone: {p.phone}")
    if p.email:
        lines.append(f"Email: {p.email}")
    if p.preferred_contact:
        lines.append(f"Prefers: {p.preferred_contact}")
    if p.accessibility_needs:
        lines.append(f"Accessibility needs: {p.accessibility_needs}")
    return "<br>".join(line for line in lines if line)


class PeopleTab(QWidget):
    def __init__(self, record_consent: Callable[[], None], record_disclosure: Callable[[], None],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        self.applicant = QLabel()
        self.victim = QLabel()
        self.consent = QLabel()
        for title, label in (("Applicant", self.applicant), ("Victim", self.victim), ("Consent", self.consent)):
            layout.addWidget(heading(title))
            label.setWordWrap(True)
            label.setAccessibleName(title)
            layout.addWidget(label)
        # The step of the same name (above the tabs) carries Alt+C; one key can press one button only.
        self.consent_button = button("Record consent…", record_consent, "Record consent")
        self.disclosure_button = button("Consent to d&isclose the findings…", record_disclosure,
                                        "Consent to disclose the findings")
        layout.addWidget(button_row(self.consent_button, self.disclosure_button))
        layout.addStretch(1)

    def show_case(self, d: CaseDetail) -> None:
        self.applicant.setText(_person_text(d.applicant))
        if d.victim:
            consent = ("given" + (f" ({d.victim_consent_method}" + (f", {uk(d.victim_consent_given_on)})"
                                                                  if d.victim_consent_given_on else ")"))
                       if d.victim_consent else "NOT given yet: the case cannot go to a threshold decision")
            self.victim.setText(f"{_person_text(d.victim)}<br>Relationship of the applicant: "
                                f"{d.relationship or 'not recorded'}<br>Victim's consent to the application: {consent}")
        else:
            self.victim.setText("The applicant is the victim.")
        share = "given" if d.consent_to_share else "NOT given: the case cannot proceed until it is"
        recorded = (f" Recorded by {d.consent_recorded_by} at {d.consent_recorded_at:%d/%m/%Y %H:%M}."
                    if d.consent_recorded_at else "")
        disclosure = ""
        if d.victim:
            disclosure = (" The victim agrees that the findings may be sent to the applicant." if d.disclosure_consent
                          else " The victim has NOT agreed (yet) that the findings may be sent to the applicant.")
        self.consent.setText(f"Consent to share with the agencies: {share}.{recorded}{disclosure}")
        self.consent_button.setVisible(d.status == "awaiting_consent")
        self.disclosure_button.setVisible(d.victim is not None)
