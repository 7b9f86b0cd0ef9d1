"""The look is set widget by widget: no application-wide style sheet slows every widget made."""
from __future__ import annotations

from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QApplication, QLabel

from ui.style import PLACEHOLDER, ROLES, look


def test_the_application_has_no_style_sheet_and_its_own_font_and_placeholder_grey(window):
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    assert app.styleSheet() == ""  # a sheet here would make Qt style every widget through its engine
    assert app.font().pointSize() == 10
    assert app.palette().color(QPalette.ColorRole.PlaceholderText).name() == PLACEHOLDER


def test_a_role_styles_its_widget_and_names_it(qtbot):
    label = look(QLabel("Saved."), "banner")
    qtbot.addWidget(label)
    assert label.objectName() == "banner" and label.styleSheet() == ROLES["banner"]


def test_every_styled_widget_of_the_form_has_a_known_role(window):
    form = window.new_telephone_application()
    styled = [w for w in form.findChildren(QLabel) if w.styleSheet()]
    assert styled and all(w.objectName() in ROLES and w.styleSheet() == ROLES[w.objectName()] for w in styled)
    assert form.banner.objectName() == "banner" and form.threshold_panel.objectName() == "thresholdPanel"
