"""File → Import online applications: the preview is read off the UI thread, the import is one operation."""
from __future__ import annotations

import json
import shutil

from app.services.cases.summaries import list_cases
from app.services.common.ops import Part
from tests.conftest import FIXTURES
from tests.ui.conftest import FakeDialogs
from ui.views.import_dialog import ImportDialog


def test_import_preview_then_import(qtbot, ctx, tmp_path, tasks, settle):
    source = tmp_path / "online.json"
    shutil.copy(FIXTURES / "public-applications.json", source)
    dialog = ImportDialog(ctx, [source])
    qtbot.addWidget(dialog)
    assert "reading the files" in dialog.summary.text() and not dialog.import_button.isEnabled()
    settle()
    text = dialog.details.toPlainText()
    assert "To be created (3)" in text and "EXAMPLE-1" in text
    assert dialog.import_button.isEnabled()
    with qtbot.waitSignal(tasks.changed) as changed:
        dialog.run_import()
    settle()
    assert len(dialog.result_report.created) == 3 and dialog.result() == dialog.DialogCode.Accepted
    assert changed.args[0].created == {c.id for c in dialog.result_report.created}  # the list adds these rows
    assert changed.args[0].touches(Part.LIST)
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
    invalid.run_import()  # Enter on a disabled Import does nothing
    assert tasks.is_idle
    assert len(list_cases(ctx)) == 3


def test_the_dialog_service_runs_the_import_as_the_user_would(qtbot, ctx, tmp_path, settle):
    source = tmp_path / "online.json"
    shutil.copy(FIXTURES / "public-applications.json", source)
    dialogs = FakeDialogs()
    dialog = ImportDialog(ctx, [source])
    qtbot.addWidget(dialog)

    def press_import(d: ImportDialog) -> None:
        settle()  # the preview
        d.import_button.click()

    dialogs.forms.append(press_import)
    assert dialogs.run(dialog)  # completed: the import's answer came back and closed it
    assert "EXAMPLE-1" in dialog.created_text() and len(list_cases(ctx)) == 3
