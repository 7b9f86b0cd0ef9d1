"""Every screen and dialog, walked as a keyboard user meets them: no Alt+letter used twice, a key for
every button, a name for every Tab stop, and nothing that is not a control taking focus."""
from __future__ import annotations

from collections.abc import Callable

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QAbstractButton, QAbstractItemView, QAbstractSpinBox, QApplication, QComboBox,
                               QLineEdit, QPlainTextEdit, QTabBar, QTextEdit, QWidget)

from app.services.demo.generate import generate_demo_cases
from tests.ui.case_dialogs import a_case_page_of_each_status, open_every_dialog
from tests.ui.mnemonics import buttons_without_keys, clashes
from ui.pdf_view import PdfPagesView

# A letter's pages are a control too: a keyboard user scrolls them (a form's scroll area is only a frame).
CONTROLS = (QAbstractButton, QLineEdit, QPlainTextEdit, QTextEdit, QComboBox, QAbstractSpinBox, QAbstractItemView,
            QTabBar, PdfPagesView)


def _sections() -> dict[str, int]:
    from ui.main_window import SECTIONS
    return {name: n for n, name in enumerate(SECTIONS)}


SECTION = _sections()


def _tab_stops(window: QWidget) -> list[QWidget]:
    # A widget with a focus proxy hands focus on (a tab widget to its tabs, an editable combo box to its
    # text box, which the combo box names).
    return [w for w in window.findChildren(QWidget) if w.isVisible() and w.isEnabled() and w.window() is window
            and w.focusPolicy() & Qt.FocusPolicy.TabFocus and w.focusProxy() is None
            and not isinstance(w.parentWidget(), QComboBox)]


class Always(list):
    """The dialog service's fillers for a walk: the same one for every dialog the pages run."""

    def __init__(self, filler: Callable[[QWidget], None]) -> None:
        super().__init__([filler])

    def pop(self, index: int = -1) -> Callable[[QWidget], None]:  # type: ignore[override]
        return self[0]


class Walk:
    """Collects what is wrong on each screen, so that one run lists every problem."""

    def __init__(self) -> None:
        self.problems: dict[str, object] = {}
        self.screens = 0

    def check(self, where: str, window: QWidget) -> None:
        QApplication.processEvents()
        self.screens += 1
        if found := clashes(window):
            self.problems[f"{where}: the same Alt+letter twice"] = found
        if found := buttons_without_keys(window):
            self.problems[f"{where}: buttons without an Alt+letter"] = found
        stops = _tab_stops(window)
        if found := [f"{type(w).__name__} {w.objectName()}" for w in stops if not isinstance(w, CONTROLS)]:
            self.problems[f"{where}: focus on something that is not a control"] = found
        if found := [f"{type(w).__name__} {getattr(w, 'text', lambda: '')()}" for w in stops
                     if not isinstance(w, QTabBar) and not w.accessibleName().strip()]:
            self.problems[f"{where}: Tab stops without a name"] = found

    def dialog(self, where: str) -> Always:
        """For the dialog service (`dialogs.forms`): each dialog a page runs is shown, checked and
        closed unchanged."""
        def hook(dialog: QWidget) -> None:
            dialog.show()
            self.check(where, dialog)
            dialog.reject()  # type: ignore[attr-defined]
        return Always(hook)


@pytest.fixture
def demo(ctx):
    generate_demo_cases(ctx, 160, seed=7)
    return ctx


def test_every_section_form_and_case_page_has_unique_keys_and_named_controls(qtbot, window, demo, dialogs,
                                                                            settle):
    from ui.main_window import SECTIONS
    walk = Walk()
    window.cases_page.refresh()  # the demo cases were made behind the window's back
    settle()
    for n, section in enumerate(SECTIONS):
        window.show_section(n)
        settle()
        page = window.pages.currentWidget()
        tabs = getattr(page, "tabs", page) if section != "Cases" else None
        count = tabs.count() if hasattr(tabs, "count") and section not in ("Applications",) else 1
        for t in range(count):
            if count > 1:
                tabs.setCurrentIndex(t)
                settle()
            walk.check(f"{section} (tab {t + 1})", window)

    form = window.new_telephone_application()
    settle()
    walk.check("telephone form", window)
    form.sections.on_behalf.setChecked(True)
    walk.check("telephone form, on behalf of the victim", window)
    postal = window.new_postal_application()
    walk.check("postal form", window)
    assert not postal.save()
    walk.check("postal form showing its problems", window)
    for key, value in {"received_at": "23/11/2026", "applicant.last_name": "Reed", "consent_to_share": "yes"}.items():
        postal.fields.set_value(key, value)
    postal.sections.incidents.set_rows([{"happened": "02/10/2026", "reported_on": "03/10/2026",
                                         "reported_to": "Kent Police"}])
    assert postal.save(), postal.banner.text()
    walk.check("postal form, saving", window)
    settle()
    assert postal.saved is not None, postal.banner.text()
    walk.check("postal form, saved", window)

    for status, page in a_case_page_of_each_status(window, demo, settle):
        for t in range(page.tabs.count()):
            page.tabs.setCurrentIndex(t)
            settle()
            walk.check(f"case page, {status}, tab {t + 1}", window)
        open_every_dialog(page, dialogs, walk.dialog, f"case page, {status}", settle)
    assert walk.screens > 150
    assert walk.problems == {}, "\n".join(f"{k}: {v}" for k, v in walk.problems.items())


def test_every_panel_and_data_protection_dialog_has_unique_keys(qtbot, window, demo, dialogs, settle):
    walk = Walk()
    panels = window.panels_page
    window.show_section(2)
    settle()
    dialogs.forms = walk.dialog("panel meetings: a dialog")
    panels.new_meeting()
    settle()
    panels.meetings.selectRow(0)
    settle()
    for run in (panels.edit_meeting, panels.add_case, panels.add_member, panels.mark_held, panels.panel_pack,
                panels.record_pack_sent):
        run()
        settle()
    if panels.detail and panels.detail.agenda:
        panels.agenda.selectRow(0)
        panels.record_review()
        settle()
    if panels.detail and panels.detail.attendees:
        panels.members.selectRow(0)
        panels.set_attendance()
        settle()
    protection = window.data_protection_page
    window.show_section(6)
    settle()
    dialogs.forms = walk.dialog("data protection: a dialog")
    if protection.due_model.rowCount():
        protection.due_view.selectRow(0)
        protection.anonymise()
        settle()
        protection.delete()
        settle()
    dialogs.forms = []
    assert walk.screens >= 8
    assert walk.problems == {}, "\n".join(f"{k}: {v}" for k, v in walk.problems.items())


def test_the_app_wide_dialogs_have_unique_keys(qtbot, window, ctx, tmp_path, dialogs, settle):
    walk = Walk()
    window.show_shortcuts()  # F1: shown to read
    [shortcuts] = dialogs.previews
    qtbot.addWidget(shortcuts)
    walk.dialog("ShortcutsDialog")[0](shortcuts)
    dialogs.forms = walk.dialog("FirstRunDialog")
    window.start_up()  # a database never set up: the set-up is offered, through the dialog service
    settle()
    assert [type(d).__name__ for d in dialogs.ran] == ["FirstRunDialog"]
    assert walk.problems == {}


def test_the_letter_import_audit_agency_and_publication_dialogs_have_unique_keys(qtbot, window, ctx, dialogs,
                                                                                  settle):
    """The dialogs the walks above do not reach by rejecting the first form: checked as they are met."""
    from app.services.cases import steps as wf
    from app.services.intake.applications import create_application
    from tests.conftest import FIXTURES
    from tests.db.helpers import application
    from tests.db.letter_cases import ready
    walk = Walk()
    ready(ctx)  # a letter needs the council's details and the officer's
    created = create_application(ctx, application("2026-11-02"))
    wf.update_case_details(ctx, created.id, created.version, {"impact": "Cannot sleep"})  # a change with values

    # The letter: its form, then its text to check, then the letter as stored.
    page = window.open_case(created.id)
    settle()

    def choose_letter(dialog) -> None:
        dialog.show()
        dialog.set_value("template", "acknowledgement")
        walk.check("write a letter", dialog)
        dialog.submit()

    def check_text(dialog) -> None:
        dialog.show()
        walk.check(type(dialog).__name__, dialog)
        dialog.accept()  # produced as it stands
    dialogs.forms = [choose_letter, check_text]
    page.timeline.write()
    settle()
    assert [type(d).__name__ for d in dialogs.ran] == ["StepDialog", "LetterEditDialog"]
    [preview] = dialogs.previews  # the case page's child: it goes with the page
    walk.dialog(type(preview).__name__)[0](preview)
    window.close_current_tab()

    # File > Import online applications, once its preview has been read (Import is live then).
    def check_import(dialog) -> None:
        dialog.show()
        settle()
        assert dialog.import_button.isEnabled()
        walk.check(type(dialog).__name__, dialog)
        dialog.reject()
    dialogs.files = [FIXTURES / "public-applications.json"]
    dialogs.forms = [check_import]
    window.import_online_applications()
    settle()

    # Cases > a review started by an agency.
    dialogs.forms = walk.dialog("a review started by an agency")
    window.new_agency_started_review()
    settle()

    # Reports > Record as published.
    reports = window.reports_page
    window.show_section(SECTION["Reports"])
    settle()
    dialogs.forms = walk.dialog("record the figures as published")
    reports.publication.record()
    settle()

    # Data protection > Audit log > the values of a change.
    protection = window.data_protection_page
    window.show_section(SECTION["Data protection"])
    settle()
    protection.tabs.setCurrentWidget(protection.audit_view)
    settle()
    audit = protection.audit_view
    audit.view.selectRow(next(i for i, r in enumerate(audit.model.rows) if r[4] == "change"))
    audit.show_values()
    settle()
    values = dialogs.previews[-1]
    walk.dialog(type(values).__name__)[0](values)
    dialogs.forms = []

    checked = [type(d).__name__ for d in dialogs.ran] + [type(d).__name__ for d in dialogs.previews]
    assert checked == ["StepDialog", "LetterEditDialog", "ImportDialog", "StepDialog", "StepDialog",
                       "LetterPreview", "ValuesDialog"]
    assert walk.screens == 7
    assert walk.problems == {}, "\n".join(f"{k}: {v}" for k, v in walk.problems.items())


def test_the_walk_sees_a_letter_used_twice_and_a_button_without_one(qtbot):
    from PySide6.QtWidgets import QLabel, QMenuBar, QPushButton, QVBoxLayout
    window = QWidget()
    layout = QVBoxLayout(window)
    menu = QMenuBar()
    menu.addMenu("&Help")
    edit = QLineEdit()
    edit.setAccessibleName("Date held")
    label = QLabel("Date &held")
    label.setBuddy(edit)
    for w in (menu, label, edit, QPushButton("&Save"), QPushButton("&Send"), QPushButton("Remove")):
        layout.addWidget(w)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    assert clashes(window) == {"h": ["Help", "Date held"], "s": ["Save", "Send"]}
    assert buttons_without_keys(window) == ["Remove"]
