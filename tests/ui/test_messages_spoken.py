"""What a screen reader is given when a save is refused: the banner and each problem next to its field
expose the message itself (not just "problem"), and the refusal is announced as it appears."""
from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtGui import QAccessible, QAccessibleAnnouncementEvent
from PySide6.QtWidgets import QWidget

from app.domain.application import Problem
from app.services.cases.summaries import list_cases
from app.services.common.errors import ValidationFailed

NAME, DESCRIPTION = QAccessible.Text.Name, QAccessible.Text.Description
ASSERTIVE = QAccessible.AnnouncementPoliteness.Assertive


def accessible(widget: QWidget, which: QAccessible.Text = NAME) -> str:
    """What assistive technology reads for `widget`, through Qt's own accessibility interface."""
    interface = QAccessible.queryAccessibleInterface(widget)
    assert interface is not None
    return interface.text(which)


class Announcements:
    """Stands in for the platform's accessibility bridge (none under the offscreen platform): a screen
    reader is running, and each announcement sent is kept."""

    AnnouncementPoliteness = QAccessible.AnnouncementPoliteness

    def __init__(self) -> None:
        self.said: list[tuple[QWidget, str, Any]] = []

    @staticmethod
    def isActive() -> bool:
        return True

    def updateAccessibility(self, event: QAccessibleAnnouncementEvent) -> None:
        self.said.append((event.object(), event.message(), event.politeness()))


@pytest.fixture
def spoken(monkeypatch) -> Announcements:
    import ui.focus
    recorder = Announcements()
    monkeypatch.setattr(ui.focus, "QAccessible", recorder)
    return recorder


def test_a_refused_save_is_announced_and_each_problem_reads_out_its_message(window, ctx, spoken):
    form = window.new_telephone_application()
    form.fields.set_value("applicant.first_name", "Asha")  # no surname, no answer about consent
    form.sections.incidents.set_rows([{"happened": "31/02/2026", "reported_on": "03/10/2026",
                                       "reported_to": "Kent Police"}])
    assert not form.save()  # checked on the spot: nothing goes to the database
    assert list_cases(ctx) == []

    banner = form.banner.text()
    assert banner.startswith("Not saved yet: ") and form.banner.isVisibleTo(form)
    assert accessible(form.banner) == banner

    surname = form.fields.errors["applicant.last_name"]
    message = surname.text().removeprefix("⚠ ")
    assert surname.isVisibleTo(form) and "surname" in message
    assert accessible(surname) == f"Surname: {message}"  # the field's name, then the message
    field = form.fields.widgets["applicant.last_name"]
    assert f"Problem: {message}" in accessible(field, DESCRIPTION)  # said again when the field has focus
    consent = form.fields.errors["consent_to_share"]
    assert consent.text().removeprefix("⚠ ") in accessible(consent)
    grid = form.sections.incidents_error
    assert "Incident 1, happened on" in accessible(grid) and "⚠" not in accessible(grid)

    [(where, words, politeness)] = spoken.said
    assert where is form.banner and politeness == ASSERTIVE
    assert words.startswith(banner) and f"First: Surname: {message}" in words


def test_a_problem_cleared_on_the_next_save_is_no_longer_read_out(window, ctx, spoken):
    form = window.new_telephone_application()
    form.fields.set_value("applicant.first_name", "Asha")
    assert not form.save()
    surname = form.fields.errors["applicant.last_name"]
    assert "surname" in accessible(surname)
    form.fields.set_value("applicant.last_name", "Patel")
    spoken.said.clear()
    assert not form.save()  # still refused, for other reasons
    assert not surname.isVisibleTo(form) and "surname" not in accessible(surname).lower()
    assert "Problem" not in accessible(form.fields.widgets["applicant.last_name"], DESCRIPTION)
    assert [where for where, _words, _p in spoken.said] == [form.banner]


def test_a_steps_form_announces_what_it_refused_and_names_the_field(qtbot, ctx, spoken, settle):
    from ui.views.case_page.step_dialog import StepDialog, StepField

    def refuse(values: dict[str, Any]) -> object:
        raise ValidationFailed([Problem("when", "the date cannot be in the future"),
                                Problem("elsewhere", "the case was closed meanwhile")])

    dialog = StepDialog("Record something", "", [StepField("reason", "Reason"), StepField("when", "Date", "date")],
                        refuse)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.submit()  # nothing typed: refused on the spot
    reason = dialog.errors["reason"]
    assert reason.isVisibleTo(dialog) and accessible(reason) == f"Reason: {reason.text().removeprefix('⚠ ')}"
    [(where, words, politeness)] = spoken.said
    assert where is dialog and politeness == ASSERTIVE and words.startswith("Not recorded: Reason: ")
    assert "Problem: " in accessible(dialog.inputs["reason"], DESCRIPTION)

    spoken.said.clear()
    dialog.set_value("reason", "Because")
    dialog.set_value("when", "01/01/2030")
    dialog.submit()  # refused by the service, on the worker
    settle()
    when = dialog.errors["when"]
    assert accessible(when) == "Date: The date cannot be in the future"
    assert accessible(dialog.message) == "⚠ The case was closed meanwhile"  # not next to a field: at the top
    [(where, words, _p)] = [s for s in spoken.said if "Saving" not in s[1]]
    assert where is dialog.message
    assert words == "Not recorded: The case was closed meanwhile; Date: The date cannot be in the future"
