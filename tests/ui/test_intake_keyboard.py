"""Taking applications without the mouse: telephone form, postal batch, awaiting consent."""
from __future__ import annotations

from PySide6.QtCore import Qt

from app.services.cases.summaries import list_cases
from tests.ui.keyboard import fill, focused, press, tab, type_text

CTRL = Qt.KeyboardModifier.ControlModifier


def _incident(happened: str, reported: str, to: str, what: str) -> None:
    # Happened, Reported on, Reported to, Reported by, Contact, Agency ref, How, Where, What, Same problem,
    # Hate incident
    fill(happened, reported, to, "applicant", "", "", "phone", "Example Road", what)
    tab(2)  # past the "same problem" and "hate incident" tick boxes: a new row


def test_telephone_application_entirely_from_the_keyboard(qtbot, window, ctx):
    QTest = __import__("PySide6.QtTest", fromlist=["QTest"]).QTest
    QTest.keyClick(window, Qt.Key.Key_N, CTRL)
    form = window.applications.forms()[-1]
    assert focused() is form.fields.widgets["applicant.title"]
    # Title, first name, surname, organisation, address, postcode, phone, email
    fill("Ms", "Asha", "Patel", "", "12 Example Road", "TN1 1AA", "01892 000000", "")
    type_text("L")  # preferred contact: Letter
    tab()
    fill("", "Large print letters")  # date of birth, accessibility needs
    tab()  # "on behalf" tick box left unticked
    type_text("Y")  # consent to share: Yes
    tab()
    assert focused() is form.sections.incidents_view
    _incident("02/10/2026", "03/10/2026", "Kent Police", "Loud music until 3am")
    assert "1 of 3" in form.threshold_panel.headline.text()
    _incident("10/10/2026", "11/10/2026", "Kent Police", "Shouting in the street")
    _incident("01/11/2026", "02/11/2026", "Town and Country Housing", "Door kicked")
    assert "Threshold MET: 3 of 3" in form.threshold_panel.headline.text()
    tab()  # leave the empty fourth row
    press(Qt.Key.Key_S, CTRL)
    assert form.saved is not None, form.banner.text()
    assert form.saved.reference.startswith("CT-2026-")
    assert form.saved.reference in form.banner.text()
    [case] = list_cases(ctx)
    assert (case.reference, case.applicant, case.qualifying_incidents, case.status) == (
        form.saved.reference, "Ms Asha Patel", 3, "received")
