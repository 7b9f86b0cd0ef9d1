"""The application form: awaiting consent, validation that loses nothing, the live threshold panel,
postal batches, the repeat check, drafts, online import and accessible names."""
from __future__ import annotations

import json
import shutil

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QAbstractButton, QAbstractItemView, QComboBox, QLineEdit, QPlainTextEdit,
                               QWidget)

from app.services.cases.summaries import list_cases
from app.services.intake.support import list_drafts
from tests.conftest import FIXTURES
from tests.ui.keyboard import fill

CTRL = Qt.KeyboardModifier.ControlModifier
INCIDENTS = [
    {"happened": "02/10/2026", "reported_on": "03/10/2026", "reported_to": "Kent Police", "description": "Music"},
    {"happened": "10/10/2026", "reported_on": "11/10/2026", "reported_to": "kent police", "description": "Abuse"},
    {"happened": "01/11/2026", "reported_on": "02/11/2026", "reported_to": "Clarion Housing", "description": "Door"},
]


def _fill_applicant(form, surname: str = "Patel", postcode: str = "TN1 1AA") -> None:
    for key, value in {"applicant.title": "Ms", "applicant.first_name": "Asha", "applicant.last_name": surname,
                       "applicant.address": "12 Example Road\nRoyal Tunbridge Wells",
                       "applicant.postcode": postcode, "applicant.phone": "01892 000000",
                       "consent_to_share": "yes"}.items():
        form.fields.set_value(key, value)


def test_on_behalf_without_victim_consent_is_saved_as_awaiting_consent(window, ctx, settle):
    form = window.new_telephone_application()
    _fill_applicant(form)
    form.fields.set_value("on_behalf", True)
    assert form.sections.victim_group.isVisibleTo(form)
    for key, value in {"victim.first_name": "Lee", "victim.last_name": "Reed", "relationship": "carer",
                       "victim_consent": "no"}.items():
        form.fields.set_value(key, value)
    form.sections.incidents.set_rows(INCIDENTS)
    assert form.save()
    settle()
    created = form.saved
    assert created is not None and created.status == "awaiting_consent"
    assert "awaiting consent" in form.banner.text()
    assert "the victim's consent to apply on their behalf" in form.banner.text()
    # Nothing typed is lost: the saved form still shows it, and the case holds it.
    assert form.fields.value("victim.last_name") == "Reed"
    [case] = list_cases(ctx)
    assert case.status == "awaiting_consent" and "threshold_decision" not in {c.value for c in case.due}


def test_validation_names_the_field_moves_focus_and_keeps_everything(window, ctx):
    form = window.new_telephone_application()
    form.fields.set_value("applicant.first_name", "Asha")  # no surname, no consent answer
    form.sections.incidents.set_rows([{"happened": "31/02/2026", "reported_on": "03/10/2026",
                                       "reported_to": "Kent Police"}])
    assert not form.save()  # checked on the spot: nothing goes to the database
    assert form.fields.errors["applicant.last_name"].isVisibleTo(form)
    assert "surname" in form.fields.errors["applicant.last_name"].text()
    assert form.fields.errors["consent_to_share"].isVisibleTo(form)
    assert "Incident 1, happened on" in form.sections.incidents_error.text()
    assert form.focusWidget() is form.fields.widgets["applicant.last_name"]
    assert "Nothing you typed has been lost" in form.banner.text()
    assert form.fields.value("applicant.first_name") == "Asha"
    assert form.sections.incidents.rows[0]["happened"] == "31/02/2026"
    assert list_cases(ctx) == []


def test_threshold_panel_changes_as_incidents_are_edited(window, settle):
    form = window.new_telephone_application()
    settle()  # the agency directory, read after the window was shown
    form.fields.set_value("received_at", "20/11/2026 10:00")
    model = form.sections.incidents
    model.set_rows(INCIDENTS[:2])
    assert "NOT MET: 2 of 3" in form.threshold_panel.headline.text()
    model.add_row(INCIDENTS[2])
    assert "MET: 3 of 3" in form.threshold_panel.headline.text()
    # Reported 37 days after it happened: no longer counts, and the panel says why in words.
    model.setData(model.index(2, 1), "08/12/2026" if False else "08/11/2026")
    model.setData(model.index(2, 0), "01/10/2026")
    assert "NOT MET: 2 of 3" in form.threshold_panel.headline.text()
    assert "reported 38 days after it happened" in form.threshold_panel.details.text()
    model.setData(model.index(0, 0), "10/2026")  # approximate: to confirm
    assert "to confirm" in form.threshold_panel.details.text()
    model.setData(model.index(1, 2), "My neighbour")
    assert "not matched to an agency" in form.threshold_panel.details.text()


def test_postal_batch_of_three_with_save_and_next(qtbot, window, ctx, tmp_path, dialogs, settle):
    from PySide6.QtTest import QTest
    QTest.keyClick(window, Qt.Key.Key_N, CTRL | Qt.KeyboardModifier.ShiftModifier)
    form = window.applications.forms()[-1]
    assert form.mode == "post" and form.fields.value("channel") == "post"
    assert form.fields.value("received_at") == ""  # the date the post arrived: never assumed
    assert form.focusWidget() is form.fields.widgets["received_at"]
    scan = tmp_path / "letter.pdf"
    scan.write_bytes(b"%PDF-1.4 scanned letter")
    fill("23/11/2026")
    for n, surname in enumerate(["Okoro", "Reed", "Hughes"]):
        _fill_applicant(form, surname=surname, postcode=f"TN4 0Z{n}")
        form.sections.incidents.set_rows(INCIDENTS)
        dialogs.files = [scan]
        form.attach_scan()
        assert form.save(then_next=True)
        settle()
        assert "Ready for the next application" in form.banner.text(), form.banner.text()
        assert form.last_saved is not None and form.last_saved.reference in form.banner.text()
        assert form.fields.value("received_at") == "23/11/2026"  # kept for the batch
        assert form.fields.value("applicant.last_name") == ""
    cases = list_cases(ctx)
    assert [c.applicant for c in cases] == ["Ms Asha Okoro", "Ms Asha Reed", "Ms Asha Hughes"]
    assert {c.channel for c in cases} == {"post"} and {str(c.received_on) for c in cases} == {"2026-11-23"}
    from sqlalchemy import func, select
    from app.db.models import Document
    with ctx.unit_of_work() as s:
        assert s.scalar(select(func.count()).select_from(Document)) == 3


def test_repeat_check_finds_an_earlier_application_and_links_it(qtbot, window, ctx, settle):
    first = window.new_telephone_application()
    _fill_applicant(first)
    first.sections.incidents.set_rows(INCIDENTS)
    assert first.save()
    settle()
    earlier = first.saved
    form = window.new_telephone_application()
    form.fields.widgets["applicant.postcode"].setFocus()
    qtbot.keyClicks(form.fields.widgets["applicant.postcode"], "tn1 1aa")
    with qtbot.waitSignal(form._repeat_timer.timeout, timeout=3000):  # the check waits for a pause in typing
        pass
    settle()  # then reads off the UI thread
    assert form.repeats_panel.list.count() == 1
    item = form.repeats_panel.list.item(0)
    assert earlier.reference in item.text() and "same postcode" in item.text()
    item.setCheckState(Qt.CheckState.Checked)
    _fill_applicant(form)
    form.sections.incidents.set_rows(INCIDENTS)
    assert form.save()
    settle()
    second = form.saved
    assert second is not None  # a repeat is linked, never blocked
    from sqlalchemy import select
    from app.db.models import CaseLink
    with ctx.unit_of_work() as s:
        link = s.scalars(select(CaseLink)).one()
        assert {link.case_id, link.linked_case_id} == {earlier.id, second.id}


def test_several_drafts_are_restored_one_form_per_turn_of_the_event_loop(window, ctx, qtbot, settle):
    """Each form takes a tenth of a second to build: built one per turn, the window answers between them."""
    from app.services.intake.support import save_draft
    for name in ("Patel", "Okafor", "Nowak"):
        save_draft(ctx, "application-telephone", {"applicant.last_name": name, "mode": "telephone"})
    before = len(window.applications.forms())
    turns: list[int] = []
    window.restore_drafts()
    qtbot.waitUntil(lambda: (turns.append(len(window.applications.forms()) - before) or  # type: ignore[func-returns-value]
                             len(window.applications.forms()) - before == 3), timeout=5000)
    settle()
    assert window.restored == 3
    assert 1 in turns or 2 in turns  # seen part-way: the forms did not all arrive in one callback
    names = sorted(f.fields.value("applicant.last_name") for f in window.applications.forms()[before:])
    assert names == ["Nowak", "Okafor", "Patel"]


def test_unsaved_application_is_autosaved_to_the_database_and_restored(window, ctx, settle):
    form = window.new_telephone_application()
    form.fields.set_value("applicant.last_name", "Patel")
    form._mark_dirty()
    form.autosave()
    settle()
    [draft] = list_drafts(ctx)
    assert draft.payload["applicant.last_name"] == "Patel" and form.draft_id == draft.id
    window.applications.removeTab(window.applications.indexOf(form))  # as if the app crashed
    window.restore_drafts()
    settle()
    assert window.restored == 1
    restored = window.applications.forms()[-1]
    assert restored.fields.value("applicant.last_name") == "Patel"
    assert "Restored" in restored.banner.text()


def test_save_and_acknowledge_queues_the_acknowledgement(window, ctx, settle):
    form = window.new_telephone_application()
    _fill_applicant(form)
    form.sections.incidents.set_rows(INCIDENTS)
    assert form.save(acknowledge=True)
    settle()
    created = form.saved
    assert "acknowledgement letter is on the list" in form.banner.text()
    from sqlalchemy import select
    from app.db.models import Letter
    with ctx.unit_of_work() as s:
        letter = s.scalars(select(Letter)).one()
        assert (letter.case_id, letter.template, letter.queued) == (created.id, "acknowledgement", True)


def test_import_preview_then_import(qtbot, window, ctx, dialogs, tmp_path, monkeypatch, settle):
    from ui.views.import_dialog import ImportDialog
    source = tmp_path / "online.json"
    shutil.copy(FIXTURES / "public-applications.json", source)
    dialog = ImportDialog(ctx, [source])
    qtbot.addWidget(dialog)
    settle()
    text = dialog.details.toPlainText()
    assert "To be created (3)" in text and "EXAMPLE-1" in text
    assert dialog.import_button.isEnabled()
    dialog.run_import()
    settle()
    assert len(dialog.result_report.created) == 3
    again = ImportDialog(ctx, [source])
    qtbot.addWidget(again)
    settle()
    assert "Already imported (3)" in again.details.toPlainText()
    assert not again.import_button.isEnabled()
    bad = json.loads(source.read_text())
    bad[0]["source_reference"] = "NEW-1"
    bad[0]["channel"] = "fax"
    source.write_text(json.dumps(bad))
    invalid = ImportDialog(ctx, [source])
    qtbot.addWidget(invalid)
    settle()
    assert "NEW-1: channel" in invalid.details.toPlainText()
    assert not invalid.import_button.isEnabled()
    assert len(list_cases(ctx)) == 3


def test_every_form_control_has_an_accessible_name(window):
    for form in (window.new_telephone_application(), window.new_postal_application()):
        form.sections.victim_group.setVisible(True)
        controls = [w for w in form.findChildren(QWidget)
                    if isinstance(w, (QLineEdit, QPlainTextEdit, QComboBox, QAbstractButton, QAbstractItemView))
                    and w.isVisibleTo(form) and w.focusPolicy() != Qt.FocusPolicy.NoFocus
                    and not isinstance(w.parentWidget(), QComboBox)]
        assert len(controls) > 35
        unnamed = [f"{type(w).__name__} {w.objectName()}" for w in controls if not w.accessibleName().strip()]
        assert unnamed == []
        # The accessible name is the label's own text.
        for key, widget in form.fields.widgets.items():
            assert widget.accessibleName() == form.fields.labels[key]


def test_main_window_shortcuts_sections_and_status_bar(window, ctx, settle):
    settle()  # the user's name, read after the window was shown
    assert "Signed in as officer.one" in window.user_label.text()
    assert "cases.db" in window.db_label.text()
    shortcuts = {a.text().replace("&", ""): a.shortcut().toString() for a in window.findChildren(
        type(window.new_phone_action))}
    assert shortcuts["New telephone application"] == "Ctrl+N"
    assert shortcuts["New postal application"] == "Ctrl+Shift+N"
    from ui.main_window import SECTIONS
    from ui.views.not_built import NotBuiltPage
    for index, section in enumerate(SECTIONS):  # every section is a real page now
        window.show_section(index)
        assert not isinstance(window.pages.currentWidget(), NotBuiltPage), section
    window.show_about()
    assert "Version" in window.dialogs.shown[-1][2]


def test_form_kept_locally_while_the_database_is_down_comes_back(window, ctx, monkeypatch, tmp_path, settle):
    from app.services.intake import support as intake_support
    from app.services.common.errors import DatabaseUnavailable
    import ui.views.intake.drafts as drafts_module
    import ui.views.intake.form as form_module
    monkeypatch.setattr(drafts_module, "local_drafts_dir", lambda: tmp_path / "unsaved")

    def down(*_args, **_kwargs):
        raise DatabaseUnavailable("The database cannot be reached just now")
    form = window.new_telephone_application()
    _fill_applicant(form)
    form.sections.incidents.set_rows(INCIDENTS)
    with monkeypatch.context() as m:
        m.setattr(intake_support, "save_draft", down)
        m.setattr(form_module, "save_application", down)
        assert form.save()
        settle()  # the save, the check that it is not there, and the copy kept on this computer
        assert form.saved is None
        assert window.dialogs.shown[-1][0] == "error" and "still in the form" in window.dialogs.shown[-1][2]
    [kept] = list((tmp_path / "unsaved").glob("*.json"))
    assert json.loads(kept.read_text())["applicant.last_name"] == "Patel"
    assert form.fields.value("applicant.last_name") == "Patel"  # nothing typed is lost
    window.applications.removeTab(window.applications.indexOf(form))
    window.restore_drafts()
    settle()  # found on the worker, restored, and moved into the database
    assert window.restored == 1
    restored = window.applications.forms()[-1]
    assert restored.fields.value("applicant.last_name") == "Patel"
    assert not kept.exists() and list_drafts(ctx)  # back in the database
    assert restored.save()
    settle()
    assert restored.saved is not None and list_drafts(ctx) == []


def test_saved_application_is_found_in_the_case_list_by_its_reference(qtbot, window, ctx, settle):
    form = window.new_telephone_application()
    _fill_applicant(form)
    form.sections.incidents.set_rows(INCIDENTS)
    assert form.save()
    settle()
    created = form.saved
    window.show_section(1)
    page = window.cases_page
    page.search.setFocus()
    qtbot.keyClicks(page.search, created.reference)
    qtbot.waitUntil(lambda: page.model.rowCount() == 1, timeout=3000)
    assert page.model.case_id(0) == created.id
    page = window.open_case(created.id)
    settle()
    assert page.detail.reference == created.reference
    assert window.cases_section.tabText(window.cases_section.currentIndex()) == created.reference
