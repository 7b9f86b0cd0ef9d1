"""`community-trigger --self-test`: proves an installed bundle works end to end, offscreen.

Opens a fresh database, computes a deadline, renders a letter with the bundled fonts and templates,
and shows the main window; prints one line per check and exits non-zero on the first failure.
"""
from __future__ import annotations

import os
import sys
import tempfile
import time
from datetime import date
from pathlib import Path


def run() -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    started = time.perf_counter()
    folder = Path(tempfile.mkdtemp(prefix="ct-self-test-"))
    try:
        from app.domain.calendar import WorkingCalendar
        from app.services.admin.database import DatabaseChoice, normalise_url, open_database
        choice = DatabaseChoice(normalise_url(f"sqlite:///{folder / 'self-test.db'}"), "self-test")
        opened = open_database(choice, network_check=lambda _p: False)
        _ok(f"database created and migrated ({opened.context.dialect})")
        due = WorkingCalendar().add_working_days(date(2026, 12, 24), 5)
        if due != date(2027, 1, 5):
            return _fail(f"deadline: 5 working days after 24/12/2026 gave {due:%d/%m/%Y}, expected 05/01/2027")
        _ok("deadline: 5 working days after 24/12/2026 is 05/01/2027 (bank holidays loaded)")
        pdf = _sample_letter()
        if not pdf.startswith(b"%PDF") or b"DejaVu" not in pdf:
            return _fail("letter: the PDF was not produced with the embedded font")
        _ok(f"letter rendered ({len(pdf):,} bytes, embedded font)")
        from ui.main import make_application
        from ui.main_window import MainWindow
        from PySide6.QtCore import QSettings
        app = make_application([sys.argv[0]])
        window = MainWindow(opened.context, choice,
                            settings=QSettings(str(folder / "ui.ini"), QSettings.Format.IniFormat))
        window.show()
        app.processEvents()
        shot = window.grab()
        if shot.width() < 400:
            return _fail("main window: nothing was drawn")
        _ok(f"main window shown ({shot.width()}x{shot.height()})")
        window.close()
        opened.context.engine.dispose()
    except Exception as exc:  # noqa: BLE001 - the point is to report any failure plainly
        return _fail(f"{type(exc).__name__}: {exc}")
    print(f"self-test passed in {time.perf_counter() - started:.1f} s")
    return 0


def _sample_letter() -> bytes:
    """A letter through the real engine, with the bundled fonts and a bundled template read."""
    from app.domain.settings import CouncilDetails
    from app.letters import Block, Contact, LetterContent, TEMPLATE_NAMES, load_template, render_letter
    for name in TEMPLATE_NAMES:
        load_template(name)  # every template file is present and readable
    return render_letter(LetterContent(
        council=CouncilDetails(), reference="CT-2026-0001", letter_date=date(2026, 6, 4),
        recipient_lines=("Mr Tomos Rhys", "Tŷ Gwyn", "Royal Tunbridge Wells", "TN2 3PQ"),
        subject="Self-test letter", blocks=(Block("paragraph", ("Dear Mr Rhys,",)),
                                            Block("paragraph", ("This letter checks the bundle.",))),
        contact=Contact("Jane Smith", "01892 554000", "jane.smith@example.gov.uk"), signatory="Jane Smith"))


def _ok(text: str) -> None:
    print(f"ok    {text}", flush=True)


def _fail(text: str) -> int:
    print(f"FAIL  {text}", flush=True)
    return 1
