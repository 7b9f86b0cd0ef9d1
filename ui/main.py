"""Composition root: the QApplication, the database, the services and the main window."""
from __future__ import annotations

import sys

from PySide6.QtCore import QCoreApplication, QLocale
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QInputDialog, QLineEdit, QMessageBox

from app import APP_NAME, APP_SLUG, __version__
from app.db.location import DatabaseChoice, UnsafeDatabaseLocation
from app.db.schema import SchemaMismatch
from app.paths import resources_dir
from app.credentials import PasswordNotGiven
from app.services.admin.database import open_with_credentials
from app.services.common.errors import ServiceError


def make_application(argv: list[str] | None = None) -> QApplication:
    QCoreApplication.setOrganizationName("CommunityTrigger")
    QCoreApplication.setApplicationName(APP_SLUG)
    QCoreApplication.setApplicationVersion(__version__)
    QLocale.setDefault(QLocale(QLocale.Language.English, QLocale.Country.UnitedKingdom))
    app = QApplication.instance() or QApplication(argv or sys.argv[:1])
    app.setApplicationDisplayName(APP_NAME)
    icon = resources_dir() / "icons" / "app.png"
    if icon.is_file():
        app.setWindowIcon(QIcon(str(icon)))
    style = resources_dir() / "style.qss"
    if style.is_file():
        app.setStyleSheet(style.read_text(encoding="utf-8"))
    from ui.focus import install
    install(app)  # focus kept in view, the wheel never changes an answer: in every window
    return app  # type: ignore[return-value]


def case_list_factory():
    try:
        from ui.views.case_list import CaseListPage
    except ImportError:
        return None
    return CaseListPage


def _ask_password(question: str) -> str | None:
    text, ok = QInputDialog.getText(None, APP_NAME, question, QLineEdit.EchoMode.Password)
    return text if ok and text else None


def run(choice: DatabaseChoice) -> int:
    app = make_application()
    try:
        opened = open_with_credentials(choice, _ask_password)
    except (UnsafeDatabaseLocation, SchemaMismatch, ServiceError, PasswordNotGiven) as exc:
        QMessageBox.critical(None, APP_NAME, str(exc))
        return 1
    except Exception as exc:  # noqa: BLE001 - the user needs to know why the app cannot start
        from app.diagnostics import log_failure
        from app.services.common.errors import describe
        log_failure(exc, operation="open the database")
        QMessageBox.critical(None, APP_NAME, f"The database could not be opened:\n{choice.describe()}\n\n"
                                             f"{describe(exc)}")
        return 1
    from ui.main_window import MainWindow
    factory = case_list_factory()
    window = MainWindow(opened.context, choice, case_list_factory=factory)
    from ui.error_hook import ErrorHook
    hook = ErrorHook(window.dialogs).install()  # nothing reaches the user as silence or a traceback
    window.show()
    if opened.backup_made:
        window.statusBar().showMessage(f"Database upgraded; the old copy is kept at {opened.backup_made}", 15000)
    window.offer_set_up()
    window.restore_drafts()
    code = app.exec()
    hook.uninstall()
    opened.context.engine.dispose()
    return code
