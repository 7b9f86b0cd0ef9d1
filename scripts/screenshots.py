"""Take the README's screenshots from the real app, offscreen, on a small demo database.

    .venv/bin/python scripts/screenshots.py [OUTPUT_FOLDER]
"""
from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from PySide6.QtCore import QSettings  # noqa: E402

from app.db.location import DatabaseChoice, normalise_url  # noqa: E402
from app.services.admin.database import open_database  # noqa: E402
from app.services.demo.generate import generate_demo_cases  # noqa: E402
from ui.main import case_list_factory, make_application  # noqa: E402
from ui.main_window import SECTIONS, MainWindow  # noqa: E402

INCIDENTS = [
    {"happened": "02/10/2026", "reported_on": "03/10/2026", "reported_to": "Kent Police",
     "reported_by": "applicant", "agency_reference": "KP/26/4411", "how_reported": "phone",
     "location": "Outside 14 Example Road", "description": "Loud music and shouting until 3am"},
    {"happened": "10/2026", "reported_on": "21/10/2026", "reported_to": "Town and Country Housing",
     "reported_by": "applicant", "how_reported": "online", "location": "Stairwell",
     "description": "Abuse shouted at the applicant"},
    {"happened": "01/09/2026", "reported_on": "02/11/2026", "reported_to": "Kent Police",
     "reported_by": "applicant", "how_reported": "101", "description": "Front door kicked"},
    {"happened": "12/11/2026", "reported_on": "12/11/2026", "reported_to": "Clarion Housing",
     "reported_by": "neighbour", "how_reported": "phone", "description": "Graffiti on the door"},
    {"happened": "18/11/2026", "reported_on": "19/11/2026", "reported_to": "TWBC",
     "reported_by": "applicant", "how_reported": "email", "description": "Music until 4am"},
]


def main() -> None:
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs" / "screenshots"
    out.mkdir(parents=True, exist_ok=True)
    app = make_application()
    folder = Path(tempfile.mkdtemp())
    choice = DatabaseChoice(normalise_url(f"sqlite:///{folder / 'screens.db'}"), "demo")
    ctx = open_database(choice, actor="j.smith").context
    generate_demo_cases(ctx, 400, seed=7)
    window = MainWindow(ctx, choice, settings=QSettings(str(folder / "ui.ini"), QSettings.Format.IniFormat),
                        case_list_factory=case_list_factory())
    window.resize(1400, 880)
    window.show()
    window.show_section(1)
    app.processEvents()
    window.grab().save(str(out / "case-list.png"))
    form = window.new_telephone_application()
    for key, value in {"applicant.title": "Ms", "applicant.first_name": "Asha", "applicant.last_name": "Patel",
                       "applicant.address": "12 Example Road\nRoyal Tunbridge Wells", "applicant.postcode": "TN1 1AA",
                       "applicant.phone": "01892 000000", "applicant.preferred_contact": "letter",
                       "consent_to_share": "yes"}.items():
        form.fields.set_value(key, value)
    form.sections.incidents.set_rows(INCIDENTS)
    form.check_repeats()
    app.processEvents()
    window.grab().save(str(out / "telephone-form.png"))
    form.content.parentWidget().parentWidget().ensureWidgetVisible(form.sections.incidents_view)
    app.processEvents()
    window.grab().save(str(out / "telephone-form-incidents.png"))
    postal = window.new_postal_application()
    postal.fields.set_value("received_at", "23/11/2026")
    postal.fields.set_value("applicant.first_name", "David")
    postal.save()  # shows the validation messages next to the fields
    app.processEvents()
    window.grab().save(str(out / "postal-form-validation.png"))
    window.show_section(0)
    window.applications.setCurrentIndex(0)
    app.processEvents()
    window.grab().save(str(out / "main-window.png"))
    from app.services.cases.case_list import CaseQuery, find_case_ids
    [case_id, *_] = find_case_ids(ctx, CaseQuery(status="information_gathering"))
    page = window.open_case(case_id)
    page.tabs.setCurrentIndex(2)
    app.processEvents()
    window.grab().save(str(out / "case-page.png"))
    page.tabs.setCurrentIndex(3)
    app.processEvents()
    window.grab().save(str(out / "case-page-agencies.png"))
    window.show_section(2)
    window.panels_page.meetings.selectRow(0)
    app.processEvents()
    window.grab().save(str(out / "panel-meetings.png"))
    window.show_section(3)
    app.processEvents()
    window.grab().save(str(out / "letters.png"))
    window.show_section(4)
    app.processEvents()
    window.grab().save(str(out / "reports.png"))
    window.show_section(5)
    app.processEvents()
    window.grab().save(str(out / "agencies.png"))
    window.show_section(len(SECTIONS) - 1)
    app.processEvents()
    window.grab().save(str(out / "settings.png"))
    print(f"Screenshots written to {out}")


if __name__ == "__main__":
    main()
