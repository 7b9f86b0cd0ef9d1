"""Forms for the council's letterhead details and a user's own contact details (settings and first run)."""
from __future__ import annotations

from PySide6.QtWidgets import QFormLayout, QGroupBox, QWidget

from app.domain.application import Problem
from app.domain.settings import CouncilDetails
from ui.views.intake.fields import Fields


class CouncilForm(QGroupBox):
    def __init__(self, council: CouncilDetails, parent: QWidget | None = None) -> None:
        super().__init__("Council and Community Safety Unit (the letterhead)", parent)
        self.fields = Fields()
        form = QFormLayout(self)
        for key, label in (("name", "Council name *"), ("unit", "Unit"), ("address_lines", "Address"),
                           ("postcode", "Postcode"), ("phone", "CSU phone *"), ("email", "CSU email *"),
                           ("website", "Website"), ("reference_prefix", "Case reference prefix")):
            widget = Fields.text_box(3) if key == "address_lines" else Fields.line()
            self.fields.add(form, key, label, widget)
        for key in self.fields.widgets:
            value = getattr(council, key)
            self.fields.set_value(key, "\n".join(value) if key == "address_lines" else value)

    def values(self) -> dict[str, object]:
        return dict(self.fields.values())

    def show_problems(self, problems: list[Problem]) -> None:
        self.fields.clear_errors()
        for p in problems:
            self.fields.show_error(p.field, p.message)


class MyDetailsForm(QGroupBox):
    def __init__(self, name: str, phone: str, email: str, parent: QWidget | None = None,
                 job_title: str = "") -> None:
        super().__init__("Your details (letters name you as the contact officer)", parent)
        self.fields = Fields()
        form = QFormLayout(self)
        self.fields.add(form, "display_name", "Your name *", Fields.line("first name and surname"))
        self.fields.add(form, "job_title", "Your job title", Fields.line("printed under your name on letters"))
        self.fields.add(form, "phone", "Your phone *", Fields.line())
        self.fields.add(form, "email", "Your email *", Fields.line())
        for key, value in (("display_name", name), ("job_title", job_title), ("phone", phone), ("email", email)):
            self.fields.set_value(key, value)

    def values(self) -> dict[str, str]:
        return {k: str(v) for k, v in self.fields.values().items()}

    def show_problems(self, problems: list[Problem]) -> None:
        self.fields.clear_errors()
        for p in problems:
            self.fields.show_error(p.field, p.message)
