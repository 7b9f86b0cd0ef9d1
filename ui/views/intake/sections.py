"""The form's sections in the order of the paper form; widgets only, no behaviour."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QCheckBox, QFormLayout, QGroupBox, QHBoxLayout, QLabel, QPushButton,
                               QVBoxLayout, QWidget)

from app.domain.application import CONSENT_METHODS, RELATIONSHIPS, TENURES, Channel
from app.domain.settings import Settings
from ui.views.intake.fields import Fields
from ui.views.intake.rows_model import RowsModel
from ui.views.intake.rows_view import KEYS_HINT, RowsView
from ui.style import look

TENURE_WORDS = {"registered_provider": "Rents from a registered provider (social housing)",
                "private_rented": "Rents from a private landlord", "owner": "Owns their home", "other": "Other"}
# What every incident needs comes first (when, when reported, to whom, what happened: what the threshold
# counts and what the caller says), so a call fills four cells a row; the optional details follow.
INCIDENT_COLUMNS = [
    ("happened", "Happened on", "dd/mm/yyyy; or a month (03/2026) or a range (01/03/2026 - 15/03/2026) "
                                "when the caller cannot say: shown as 'to confirm'"),
    ("reported_on", "Reported on", "dd/mm/yyyy"),
    ("reported_to", "Reported to", "the organisation: pick from the directory or type the name as said"),
    ("description", "What happened", "in the caller's words"),
    ("reported_by", "Reported by", "who reported it (the applicant, a neighbour...)"),
    ("contact_name", "Contact name", "who they spoke to, if known"),
    ("agency_reference", "Agency's reference", "the organisation's reference number, if known"),
    ("how_reported", "How reported", "phone, online, in person, email..."),
    ("location", "Where", "where it happened"),
    ("same_problem?", "Same problem", "untick if this incident is not part of the same problem"),
    ("hate_incident?", "Hate incident", "tick if the caller feels it was motivated by hostility to a protected "
                                        "characteristic (it counts for a hate-incident route)"),
]
UNTICKED = frozenset({"hate_incident"})
PERPETRATOR_COLUMNS = [
    ("name", "Name", "if known"),
    ("description", "Description", "when the name is not known"),
    ("address", "Address", "if known"),
]
HOW_REPORTED = ["phone", "online", "in person", "email", "letter", "101", "999"]
YES_NO: list[tuple[str, str]] = [("", "— not answered —"), ("yes", "Yes"), ("no", "No")]
PREFERRED = [("", "— choose —"), ("letter", "Letter"), ("email", "Email"), ("phone", "Phone")]


def script_label(text: str, title: str) -> QLabel:
    label = QLabel(f"<b>{title}</b><br>“{text}”")
    look(label, "script")
    label.setWordWrap(True)
    label.setAccessibleName(f"{title}: {text}")
    return label


def person_rows(fields: Fields, form: QFormLayout, prefix: str, with_extras: bool) -> None:
    """A person's rows. Only the applicant's labels carry Alt+letter keys: the victim's repeat the
    same words, and a key used twice in a window does nothing."""
    keys = with_extras

    def text(with_key: str) -> str:
        return with_key if keys else with_key.replace("&", "")
    fields.add(form, f"{prefix}.title", text("&Title"), Fields.line("Ms, Mr, Mx, Dr..."))
    fields.add(form, f"{prefix}.first_name", "First name", Fields.line())
    fields.add(form, f"{prefix}.last_name", text("S&urname *"), Fields.line(),
               "surname, or leave blank and give an organisation name")
    fields.add(form, f"{prefix}.organisation", text("&Organisation"), Fields.line("business or community group"))
    fields.add(form, f"{prefix}.address", text("A&ddress"), Fields.text_box(3), "one line per address line")
    fields.add(form, f"{prefix}.postcode", text("&Postcode"), Fields.line("TN1 1AA"))
    fields.add(form, f"{prefix}.phone", "Phone", Fields.line())
    fields.add(form, f"{prefix}.email", "Email", Fields.line())
    if with_extras:
        fields.add(form, f"{prefix}.preferred_contact", "Preferred &contact", Fields.choice(PREFERRED))
        fields.add(form, f"{prefix}.date_of_birth", "Date of birth", Fields.line("dd/mm/yyyy (optional)"))
        fields.add(form, f"{prefix}.accessibility_needs", "Accessibility needs",
                   Fields.line("large print, interpreter, BSL..."))


class FormSections:
    """Builds every section into `layout` and keeps references the behaviour needs."""

    def __init__(self, layout: QVBoxLayout, fields: Fields, settings: Settings, postal: bool,
                 agency_names: list[str]) -> None:
        self.fields = fields
        group, form = _group("Application", layout)
        fields.add(form, "received_at", "Dat&e received *", Fields.line("dd/mm/yyyy"),
                   "the date the post arrived" if postal else "dd/mm/yyyy hh:mm")
        fields.add(form, "channel", "Received by", Fields.choice([(c.value, c.label) for c in Channel]))
        self.attach_button = QPushButton("&Attach scanned letter or form…")
        self.attach_button.setAccessibleName("Attach scanned letter or form")
        self.attachments_label = QLabel("No scan attached")
        row = QWidget()
        row_layout = QHBoxLayout(row)
        row_layout.setContentsMargins(0, 0, 0, 0)
        row_layout.addWidget(self.attach_button)
        row_layout.addWidget(self.attachments_label, 1)
        scan_caption = QLabel("Scan")
        scan_caption.setBuddy(self.attach_button)
        form.addRow(scan_caption, row)
        form.setRowVisible(row, postal)
        self.scan_row = row
        if not postal:
            form.addRow(script_label(settings.not_emergency_script, "Read out"))

        group, form = _group("Applicant", layout)
        person_rows(fields, form, "applicant", with_extras=True)

        group, form = _group("Applying for someone else", layout)
        self.on_behalf = QCheckBox("The applicant is applying on &behalf of the victim")
        fields.widgets["on_behalf"] = self.on_behalf
        self.on_behalf.setAccessibleName("Applying on behalf of someone else")
        fields.labels["on_behalf"] = "Applying on behalf of someone else"
        form.addRow(self.on_behalf)
        self.victim_group = QGroupBox("The victim")
        victim_form = QFormLayout(self.victim_group)
        if not postal:
            victim_form.addRow(script_label(settings.on_behalf_script, "Ask"))
        person_rows(fields, victim_form, "victim", with_extras=False)
        fields.add(victim_form, "relationship", "Relationship to victim *",
                   Fields.choice([("", "— choose —")] + [(r, _relationship(r)) for r in RELATIONSHIPS]))
        fields.add(victim_form, "victim_consent", "Victim has agreed *", Fields.choice(YES_NO))
        fields.add(victim_form, "consent_method", "How consent was given",
                   Fields.choice([("", "— choose —")] + [(m, m.capitalize()) for m in CONSENT_METHODS]))
        fields.add(victim_form, "consent_given_on", "Date consent given", Fields.line("dd/mm/yyyy"))
        form.addRow(self.victim_group)
        self.victim_group.setVisible(False)

        group, form = _group("Consent to share", layout)
        form.addRow(script_label(settings.consent_to_share_script,
                                 "The form asks" if postal else "Read out"))
        fields.add(form, "consent_to_share", "Applicant a&grees to share *", Fields.choice(YES_NO))

        group = QGroupBox("Incidents")
        box = QVBoxLayout(group)
        hint = QLabel(KEYS_HINT)
        look(hint, "hint")
        hint.setWordWrap(True)
        self.incidents = RowsModel(INCIDENT_COLUMNS, "Incident", unticked=UNTICKED)
        self.incidents_view = RowsView(self.incidents, "Incidents")
        self.incidents_view.setMinimumHeight(170)
        for key, width in (("happened", 120), ("reported_on", 100), ("reported_to", 210), ("description", 260),
                           ("reported_by", 110), ("contact_name", 110), ("agency_reference", 130),
                           ("how_reported", 100), ("location", 150)):
            self.incidents_view.setColumnWidth([c[0] for c in INCIDENT_COLUMNS].index(key), width)
        self.incidents_error = QLabel()
        look(self.incidents_error, "fieldError")
        self.incidents_error.setWordWrap(True)
        self.incidents_error.setVisible(False)
        buttons = QHBoxLayout()
        self.add_incident = QPushButton("Add inc&ident")
        self.remove_incident = QPushButton("Remove incident")
        self.add_incident.setAccessibleName("Add incident")
        self.remove_incident.setAccessibleName("Remove incident")
        for b in (self.add_incident, self.remove_incident):
            # Not Tab stops: Tab goes from the grid straight on to the problem (Ctrl+Enter and
            # Ctrl+Delete do the same from the keyboard, and the grid's description says so).
            b.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        buttons.addWidget(self.add_incident)
        buttons.addWidget(self.remove_incident)
        buttons.addStretch(1)
        for w in (hint, self.incidents_view, self.incidents_error):
            box.addWidget(w)
        box.addLayout(buttons)
        layout.addWidget(group)
        self.agency_names = agency_names

        group, form = _group("The problem", layout)
        fields.add(form, "asb_types", "T&ype of ASB", Fields.line("noise, verbal abuse, vandalism..."),
                   "separate types with commas")
        fields.add(form, "problem_location", "Problem &location", Fields.line("street or estate"))
        self.perpetrators = RowsModel(PERPETRATOR_COLUMNS, "Person")
        self.perpetrators_view = RowsView(self.perpetrators, "Alleged perpetrators")
        self.perpetrators_view.setMinimumHeight(90)
        self.perpetrators.add_row()
        caption = QLabel("Alleged pe&rpetrators")
        caption.setBuddy(self.perpetrators_view)
        form.addRow(caption, self.perpetrators_view)
        fields.add(form, "impact", "I&mpact on the victim", Fields.text_box(3))
        fields.add(form, "vulnerability", "Vulnerability", Fields.text_box(2),
                   "age, disability, health, isolation, repeat victimisation...")
        fields.add(form, "desired_outcome", "Outcome &wanted", Fields.text_box(2))
        # Asked last: it matters only for which Ombudsman the letters name, and a caller may not know.
        fields.add(form, "victim_tenure", "The victim's home", Fields.choice([("", "— not asked —")] + [
            (t, TENURE_WORDS[t]) for t in TENURES]), "does the victim rent from a registered provider "
                   "(a housing association)? Letters name the Housing Ombudsman only for its tenants")
        fields.add(form, "victim_landlord", "Their landlord", Fields.choice(
            [("", "— none —")] + [(n, n) for n in agency_names]), "the registered provider the victim rents from")


def _group(title: str, layout: QVBoxLayout) -> tuple[QGroupBox, QFormLayout]:
    group = QGroupBox(title)
    form = QFormLayout(group)
    form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
    layout.addWidget(group)
    return group, form


def _relationship(value: str) -> str:
    return {"mp": "MP", "professional": "Other professional"}.get(value, value.capitalize())
