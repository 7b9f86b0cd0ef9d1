"""Forms for the council's letterhead details and a user's own contact details (settings and first run).

The forms are built empty and filled when their values have been read off the UI thread
(`show_council`, `show_details`); `edited()` says whether the user has typed since, so that a
refresh never puts saved values over typing.
"""
from __future__ import annotations

from PySide6.QtWidgets import QFormLayout, QGroupBox, QWidget

from app.domain.application import Problem
from app.domain.settings import CouncilDetails
from ui.views.intake.fields import Fields


class _Form(QGroupBox):
    fields: Fields
    _shown: dict[str, object] | None = None  # the values last put in the form (None: not yet)

    def values(self) -> dict[str, object]:
        return dict(self.fields.values())

    def edited(self) -> bool:
        """Typed in since the values were last shown (or saved)."""
        return self._shown is not None and self.values() != self._shown

    def mark_saved(self, values: dict[str, object]) -> None:
        """What was sent has been saved: typing after it still counts as edited."""
        self._shown = dict(values)

    def show_problems(self, problems: list[Problem]) -> None:
        self.fields.clear_errors()
        for p in problems:
            self.fields.show_error(p.field, p.message)


class CouncilForm(_Form):
    def __init__(self, council: CouncilDetails | None = None, parent: QWidget | None = None) -> None:
        super().__init__("Council and Community Safety Unit (the letterhead)", parent)
        self.fields = Fields()
        form = QFormLayout(self)
        for key, label in (("name", "Council name *"), ("unit", "Unit"), ("address_lines", "Address"),
                           ("postcode", "Postcode"), ("phone", "CSU phone *"), ("email", "CSU email *"),
                           ("website", "Website"), ("reference_prefix", "Case reference prefix")):
            widget = Fields.text_box(3) if key == "address_lines" else Fields.line()
            self.fields.add(form, key, label, widget)
        if council is not None:
            self.show_council(council)

    def show_council(self, council: CouncilDetails) -> None:
        for key in self.fields.widgets:
            value = getattr(council, key)
            self.fields.set_value(key, "\n".join(value) if key == "address_lines" else value)
        self._shown = self.values()


class MyDetailsForm(_Form):
    def __init__(self, name: str = "", phone: str = "", email: str = "", parent: QWidget | None = None,
                 job_title: str = "") -> None:
        super().__init__("Your details (letters name you as the contact officer)", parent)
        self.fields = Fields()
        form = QFormLayout(self)
        self.fields.add(form, "display_name", "Your name *", Fields.line("first name and surname"))
        self.fields.add(form, "job_title", "Your job title", Fields.line("printed under your name on letters"))
        self.fields.add(form, "phone", "Your phone *", Fields.line())
        self.fields.add(form, "email", "Your email *", Fields.line())
        if name or phone or email or job_title:
            self.show_details(name, phone, email, job_title)

    def show_details(self, name: str, phone: str, email: str, job_title: str = "") -> None:
        for key, value in (("display_name", name), ("job_title", job_title), ("phone", phone), ("email", email)):
            self.fields.set_value(key, value)
        self._shown = self.values()

    def values(self) -> dict[str, object]:
        return {k: str(v) for k, v in self.fields.values().items()}

    def text_values(self) -> dict[str, str]:
        """The values as the service takes them."""
        return {k: str(v) for k, v in self.fields.values().items()}
