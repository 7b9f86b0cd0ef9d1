"""The app on a council laptop's screen (1280 x 800 and 1366 x 768, less the taskbar): the lists' key
columns in view, every dialog of the case page on the screen with no wrapped text cut off, and a saved
(read-only) application still readable at WCAG 2.2 AA contrast."""
from __future__ import annotations

from datetime import date, datetime

import pytest
from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import (QAbstractItemView, QApplication, QCheckBox, QComboBox, QDialog, QLabel, QLineEdit,
                               QPlainTextEdit, QTableView, QWidget)

import ui.main_window
import ui.screen
from app.db.models import User
from app.domain.application import PersonData
from app.services.cases import steps as wf
from app.services.demo.generate import generate_demo_cases
from app.services.intake.applications import create_application
from app.services.panels import meetings as panels
from tests.db.helpers import ASSESSMENT, application, send_letter
from tests.db.letter_cases import ready
from tests.ui.test_every_screen import Always
from ui.models.case_table import COLUMNS
from ui.screen import FRAME

TASKBAR = 40  # the Windows taskbar along the bottom of the screen
SCREENS = [QSize(1280, 800), QSize(1366, 768)]
TOOLTIP = Qt.ItemDataRole.ToolTipRole
DISPLAY = Qt.ItemDataRole.DisplayRole
LONG_OFFICER = "Margaret-Anne Richardson-Featherstonehaugh"
LONG_SURNAME = "Montgomery-Fotheringham-Wolstenholme"
AA_TEXT = 4.5  # WCAG 2.2 success criterion 1.4.3, normal-sized text


@pytest.fixture(params=SCREENS, ids=lambda s: f"{s.width()}x{s.height()}")
def screen(request, monkeypatch) -> QSize:
    """A laptop's screen: what the app measures as the room on it (the test platform's own screen is
    800 x 800), the taskbar and a window's title bar and borders taken off as ui.screen does."""
    size: QSize = request.param
    room = QSize(size.width() - FRAME.width(), size.height() - TASKBAR - FRAME.height())
    for module in (ui.screen, ui.main_window):
        monkeypatch.setattr(module, "available", lambda _widget: QSize(room))
    return size


def _show_maximised(window, screen: QSize, settle) -> None:
    """The main window as it opens on that screen: maximised, under a title bar, above the taskbar."""
    window.resize(screen.width(), screen.height() - TASKBAR)
    window.show()
    settle()
    for _ in range(3):
        QApplication.processEvents()
    assert window.width() == screen.width()  # no minimum size pushes it wider than the screen


def _in_viewport(view: QTableView, column: int) -> tuple[int, int, int]:
    header = view.horizontalHeader()
    start = header.sectionViewportPosition(column)
    return start, start + header.sectionSize(column), view.viewport().width()


def _elided_with_whole_value_in_tooltip(view: QTableView, row: int, column: int) -> str:
    """The cell's text is longer than its column (so the view cuts it with "…") and the tooltip has it whole."""
    model = view.model()
    index = model.index(row, column)
    text = model.data(index, DISPLAY)
    width = view.horizontalHeader().sectionSize(column)
    assert view.fontMetrics().horizontalAdvance(text) > width, f"{text!r} fits its column: nothing to cut"
    assert view.textElideMode() == Qt.TextElideMode.ElideRight and not view.wordWrap()
    assert model.data(index, TOOLTIP) == text
    return text


# --- the lists ---------------------------------------------------------------------------------

@pytest.fixture
def long_names(ctx) -> int:
    """A case whose applicant and officer have long names (the officer is the signed-in user)."""
    with ctx.unit_of_work() as session:
        session.query(User).filter_by(login=ctx.actor).one().display_name = LONG_OFFICER
    applicant = PersonData(title="Mrs", first_name="Margaret", last_name=LONG_SURNAME,
                           address_lines=("1 Test Street",), postcode="TN1 1AA")
    create_application(ctx, application("2026-11-20"))
    return create_application(ctx, application("2026-11-02", applicant=applicant)).id


def test_the_case_list_keeps_the_indicator_and_the_officer_in_view(window, long_names, screen, settle):
    window.show_section(1)
    window.cases_page.refresh()
    _show_maximised(window, screen, settle)
    table = window.cases_page.table
    assert table.isVisible() and window.cases_page.model.rowCount() == 2
    for title in ("Indicator", "Officer"):
        start, end, room = _in_viewport(table, next(n for n, c in enumerate(COLUMNS) if c.title == title))
        assert 0 <= start and end <= room, f"{title}: {start}-{end} in a viewport {room} wide"
    row = window.cases_page.model.row_of(long_names)
    officer = _elided_with_whole_value_in_tooltip(table, row, next(n for n, c in enumerate(COLUMNS)
                                                                   if c.title == "Officer"))
    assert officer == LONG_OFFICER
    applicant = _elided_with_whole_value_in_tooltip(table, row, next(n for n, c in enumerate(COLUMNS)
                                                                     if c.title == "Applicant"))
    assert LONG_SURNAME in applicant


def _met(ctx) -> int:
    created = create_application(ctx, application("2026-10-20"))
    step = send_letter(ctx, created.id, "acknowledgement", date(2026, 10, 21), "post", version=created.version)
    wf.decide_threshold(ctx, created.id, step.version, met=True, assessment=ASSESSMENT, decided_on=date(2026, 10, 28))
    return created.id


def test_the_meetings_list_keeps_the_state_and_the_cases_in_view(window, ctx, screen, settle):
    saved = panels.save_meeting(ctx, None, None, starts_at=datetime(2026, 11, 30, 10),
                                place="Town Hall, Committee Room 2, Royal Tunbridge Wells",
                                chair="Professor Samantha Chairperson", chair_independent=True)
    for _ in range(4):  # a full agenda: its case references are longer than any column
        panels.add_case(ctx, saved.id, _met(ctx))
    window.show_section(2)
    _show_maximised(window, screen, settle)
    page = window.panels_page
    view = page.meetings
    assert page.meetings_model.rowCount() == 1
    headings = page.meetings_model.headers
    for title in ("State", "Cases"):
        start, end, room = _in_viewport(view, headings.index(title))
        assert 0 <= start and end <= room, f"{title}: {start}-{end} in a viewport {room} wide"
    cases = _elided_with_whole_value_in_tooltip(view, 0, headings.index("Cases"))
    assert cases.count("CT-") == 4


# --- the case page's dialogs -----------------------------------------------------------------------

def _does_not_fit(dialog: QWidget, screen: QSize) -> list[str]:
    """What is wrong with the dialog on that screen: too big for it, or a wrapped label cut off."""
    for _ in range(3):
        QApplication.processEvents()
    problems = []
    # The test platform draws no title bar: a real window manager's (ui.screen.FRAME) is added.
    outer = dialog.frameGeometry().size().expandedTo(dialog.size() + FRAME)
    if outer.width() > screen.width() or outer.height() > screen.height() - TASKBAR:
        problems.append(f"{outer.width()} x {outer.height()} on a screen {screen.width()} x "
                        f"{screen.height() - TASKBAR} above the taskbar")
    for label in dialog.findChildren(QLabel):
        if label.isVisible() and label.wordWrap() and label.height() < label.heightForWidth(label.width()):
            problems.append(f"label {label.text()[:40]!r} cut off: {label.height()} high, needs "
                            f"{label.heightForWidth(label.width())}")
    return problems


class Checker:
    def __init__(self, screen: QSize) -> None:
        self.screen = screen
        self.problems: dict[str, list[str]] = {}
        self.seen: set[str] = set()

    def check(self, where: str, dialog: QWidget) -> None:
        self.seen.add(dialog.windowTitle())
        if found := _does_not_fit(dialog, self.screen):
            self.problems[f"{where}: {dialog.windowTitle()}"] = found

    def hook(self, where: str) -> Always:
        """Each dialog the page runs: checked as it opens and with a long problem under every field
        (the tallest it gets), then closed unchanged."""
        def run(dialog: QDialog) -> None:
            dialog.show()
            self.check(where, dialog)
            inputs = getattr(dialog, "inputs", None)
            if inputs:
                # (Wording that wraps to three lines at these widths: a row laid out for two was seen.)
                dialog.show_problems({key: "this needs a much longer explanation of the problem that wraps "  # type: ignore[attr-defined]
                                      "over a line or two" for key in inputs})
                self.check(f"{where}, every field refused", dialog)
            dialog.reject()
        return Always(run)


@pytest.fixture
def demo(ctx):
    generate_demo_cases(ctx, 160, seed=7)
    return ctx


def test_every_dialog_of_the_case_page_fits_the_screen(window, demo, dialogs, screen, settle):
    from tests.ui.case_dialogs import a_case_page_of_each_status, open_every_dialog
    _show_maximised(window, screen, settle)
    checker = Checker(screen)
    for status, page in a_case_page_of_each_status(window, demo, settle):
        open_every_dialog(page, dialogs, checker.hook, status, settle)
    assert len(checker.seen) > 15 and {"Decide the threshold", "Write a letter"} <= checker.seen
    assert checker.problems == {}, "\n".join(f"{k}: {v}" for k, v in checker.problems.items())


def test_the_letter_check_and_its_preview_fit_the_screen(window, ctx, dialogs, screen, settle):
    ready(ctx)  # the council's details: an acknowledgement can be produced
    created = create_application(ctx, application("2026-11-02"))
    _show_maximised(window, screen, settle)
    page = window.open_case(created.id)
    settle()
    checker = Checker(screen)

    def choose(dialog) -> None:
        dialog.show()
        checker.check("the letter chosen", dialog)
        dialog.set_value("template", "acknowledgement")
        dialog.submit()

    def read_and_produce(dialog) -> None:
        dialog.show()
        checker.check("the letter's text", dialog)
        dialog.accept()
    dialogs.forms += [choose, read_and_produce]
    page.timeline.write("acknowledgement")
    settle()
    [preview] = dialogs.previews
    preview.show()
    checker.check("the letter produced", preview)
    preview.close()
    assert checker.seen == {"Write a letter", "Check the letter: Acknowledgement", "Letter preview"}, checker.seen
    assert checker.problems == {}, "\n".join(f"{k}: {v}" for k, v in checker.problems.items())


# --- a saved application, read-only ------------------------------------------------------------------

def _luminance(colour: QColor) -> float:
    """Relative luminance, as WCAG 2.2 defines it (sRGB)."""
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4
    return 0.2126 * channel(colour.red()) + 0.7152 * channel(colour.green()) + 0.0722 * channel(colour.blue())


def contrast(text: QColor, background: QColor) -> float:
    """The WCAG contrast ratio of `text` (drawn over `background`, as a translucent colour is) on it."""
    alpha = text.alphaF()
    seen = QColor.fromRgbF(*(alpha * t + (1 - alpha) * b for t, b in
                             zip(text.getRgbF()[:3], background.getRgbF()[:3])))
    lighter, darker = sorted((_luminance(seen), _luminance(background)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def test_contrast_is_computed_as_wcag_does():
    assert contrast(QColor("black"), QColor("white")) == pytest.approx(21.0)
    assert contrast(QColor("#767676"), QColor("white")) == pytest.approx(4.54, abs=0.01)
    assert contrast(QColor(0, 0, 0, 128), QColor("white")) == pytest.approx(4.0, abs=0.01)  # Qt's placeholder grey


def _colours(widget: QWidget) -> list[tuple[str, QPalette.ColorRole, QPalette.ColorRole]]:
    """The (what, text, background) roles the style paints the widget's words with."""
    role = QPalette.ColorRole
    if isinstance(widget, (QLineEdit, QPlainTextEdit)):
        out = [("text", role.Text, role.Base)]
        empty = not (widget.text() if isinstance(widget, QLineEdit) else widget.toPlainText())
        if empty and widget.placeholderText():
            out.append((f"placeholder {widget.placeholderText()!r}", role.PlaceholderText, role.Base))
        return out
    if isinstance(widget, QComboBox):
        return [("choice", role.ButtonText, role.Button)]
    if isinstance(widget, QCheckBox):
        return [("tick box", role.WindowText, role.Window)]
    if isinstance(widget, QAbstractItemView):
        return [("cell", role.Text, role.Base), ("other cell", role.Text, role.AlternateBase)]
    raise AssertionError(f"no colours known for {type(widget).__name__}")


def test_a_saved_read_only_application_meets_wcag_aa_contrast(window, settle):
    form = window.new_telephone_application()
    for key, value in {"applicant.title": "Ms", "applicant.first_name": "Asha", "applicant.last_name": "Patel",
                       "applicant.address": "12 Example Road", "applicant.postcode": "TN1 1AA",
                       "applicant.phone": "01892 000000", "consent_to_share": "yes"}.items():
        form.fields.set_value(key, value)
    form.sections.incidents.set_rows([{"happened": "02/10/2026", "reported_on": "03/10/2026",
                                       "reported_to": "Kent Police", "description": "Music"}])
    assert form.save()
    settle()
    assert form.saved is not None, form.banner.text()
    QApplication.processEvents()
    locked = [w for w in form.fields.widgets.values() if w.property("locked")]
    assert len(locked) == len(form.fields.widgets)  # the whole form is read-only now
    checked: list[str] = []
    failing: list[str] = []
    widgets = [*locked, form.sections.incidents_view, form.sections.perpetrators_view]
    for widget in widgets:
        palette = widget.palette()  # as polished: the style sheet's colours are in it
        for what, text, background in _colours(widget):
            for group in (QPalette.ColorGroup.Active, QPalette.ColorGroup.Inactive):
                ratio = contrast(palette.color(group, text), palette.color(group, background))
                checked.append(what)
                if ratio < AA_TEXT:
                    failing.append(f"{widget.accessibleName()} ({what}, {group.name}): "
                                   f"{palette.color(group, text).name()} on {palette.color(group, background).name()}"
                                   f" is {ratio:.2f}:1")
    assert any(w.startswith("placeholder") for w in checked)  # empty fields show their hint, read-only too
    assert failing == [], "\n".join(failing)
