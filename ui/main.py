"""Composition root: the QApplication, the window, then the database and the services behind it.

The window comes first. Only Qt and the light part of the app are imported before it is painted;
the database is chosen, opened (created or migrated if it is a local file) and signed in to on a
worker, with SQLAlchemy and the services imported there, while the window already shows "Opening
the database…". Then the case list is put in place (its first screenful is a query of its own), and
the set-up check, the drafts, the user's name and the agency directory follow as queries.
"""
from __future__ import annotations

import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

# No `Qt` at the top: its first use makes every enum of the Qt namespace (see ui/main_window.py).
from PySide6.QtCore import QCoreApplication, QLocale, QObject, Signal
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QWidget

from app import APP_NAME, APP_SLUG, __version__
from app.paths import resources_dir
from ui.painted import FirstPaint

if TYPE_CHECKING:
    from PySide6.QtCore import QSettings

    from app.services.admin.database import DatabaseChoice, OpenedDatabase
    from app.services.common.context import ServiceContext
    from ui.dialogs import DialogService
    from ui.freeze_watch import FreezeWatch
    from ui.main_window import MainWindow

# The service modules the pages use, imported on a worker, so that building the pages on the UI
# thread does not wait for them: the case list's before it is put in place (it is wanted first),
# the rest once its first read is on its way (the first form opened, the first case page).
FIRST_MODULES = ("app.services.cases.case_list", "app.csv_writer")
LATER_MODULES = ("app.services.cases.summaries", "app.services.intake.applications", "app.services.intake.support",
                 "app.services.agencies.directory", "app.services.admin.settings", "app.services.cases.others_changes",
                 "app.services.cases.case_page",
                 # The pages' own modules (class definitions only: no widget is made off the UI thread), so
                 # that the first form (Ctrl+N) and the first case are built, not imported first.
                 "ui.views.intake.form", "ui.views.case_page.page")


def keep_out_of_collections() -> None:
    """Move every object alive now (modules, classes, the window's widgets) out of the collector's
    reach. A full collection walks every tracked object while holding the interpreter: with the app
    loaded (some 165,000 objects) that is 40 to 100 ms, on whichever thread triggers it, during which
    no other thread runs, so a letter batch on a worker froze the window that long. What is loaded at
    start-up lives until the app ends; a collection now only walks what was made since."""
    import gc
    gc.freeze()


def warm(modules: tuple[str, ...]) -> int:
    """On a worker: import these modules (they make no Qt object when imported), so the UI thread finds
    them loaded."""
    import importlib
    for name in modules:
        importlib.import_module(name)
    return len(modules)


def make_application(argv: list[str] | None = None, *, guard: bool = True) -> QApplication:
    """The application, styled; `guard`: with the keyboard and wheel rules of ui.focus installed now
    (start-up installs them once the window is painted: until then nobody can type into it)."""
    QCoreApplication.setOrganizationName("CommunityTrigger")
    QCoreApplication.setApplicationName(APP_SLUG)
    QCoreApplication.setApplicationVersion(__version__)
    QLocale.setDefault(QLocale(QLocale.Language.English, QLocale.Country.UnitedKingdom))
    app = QApplication.instance() or QApplication(argv or sys.argv[:1])
    app.setApplicationDisplayName(APP_NAME)  # type: ignore[attr-defined]
    icon = resources_dir() / "icons" / "app.png"
    if icon.is_file():
        app.setWindowIcon(QIcon(str(icon)))  # type: ignore[attr-defined]
    from ui.style import apply_app_look
    apply_app_look(app)  # type: ignore[arg-type]  # font and palette: no application-wide style sheet (ui/style.py)
    if guard:
        from ui.focus import install
        install(app)  # type: ignore[arg-type]  # focus kept in view, the wheel never changes an answer
    return app  # type: ignore[return-value]


def case_list_factory() -> Callable[..., QWidget] | None:
    """The case list page's class (imported now)."""
    try:
        from ui.views.case_list import CaseListPage
    except ImportError:
        return None
    return CaseListPage


def lazy_case_list(*args: Any, **kwargs: Any) -> QWidget:
    """Makes the case list page, importing its module only when the database is open."""
    factory = case_list_factory()
    if factory is None:
        from ui.views.not_built import NotBuiltPage
        return NotBuiltPage("Cases", "The case list will appear here.")
    return factory(*args, **kwargs)


def _ask_password(question: str) -> str | None:
    from PySide6.QtWidgets import QInputDialog, QLineEdit
    text, ok = QInputDialog.getText(None, APP_NAME, question, QLineEdit.EchoMode.Password)
    return text if ok and text else None


class _PasswordQuestion(QObject):
    """The worker opening a server asks the user for its password on the UI thread, and waits."""

    asked = Signal(str, object)

    def __init__(self, ask: Callable[[str], str | None]) -> None:
        from PySide6.QtCore import Qt
        super().__init__()
        self._ask = ask
        self.asked.connect(self._on_ui_thread, Qt.ConnectionType.BlockingQueuedConnection)

    def _on_ui_thread(self, question: str, answer: list[str | None]) -> None:
        answer.append(self._ask(question))

    def __call__(self, question: str) -> str | None:
        answer: list[str | None] = []
        self.asked.emit(question, answer)
        return answer[0] if answer else None


def open_for_window(database: DatabaseChoice | str | None, ask_password: Callable[[str], str | None]
                    ) -> OpenedDatabase:
    """On a worker: choose the database, open it (migrating a local file), sign in (audited), and
    import what the case list will need."""
    from app.services.admin.database import DatabaseChoice, choose_database, open_with_credentials
    from app.services.common.errors import ServiceError
    try:
        choice = database if isinstance(database, DatabaseChoice) else choose_database(database)
    except Exception as exc:  # an unreadable URL or site setting: say which setting, not a traceback
        raise ServiceError(f"The database setting is not usable: {exc}") from exc
    opened = open_with_credentials(choice, ask_password)
    prepare_first_screen(opened.context)
    return opened


def prepare_first_screen(ctx: ServiceContext) -> None:
    """On the worker, once the database is open: what the UI thread would otherwise stop for."""
    ctx.settings()  # read once here, not by the first form on the UI thread
    warm(FIRST_MODULES)
    # The case list's module too: class definitions only (no widget is made off the UI thread), so that
    # the UI thread's turn goes on building the list, not on importing it.
    import ui.views.case_list  # noqa: F401


def _refusal(exc: BaseException) -> str:
    """Why the app cannot start, in words (the refusals it expects say so themselves)."""
    from app.credentials import PasswordNotGiven
    from app.services.admin.database import SchemaMismatch, UnsafeDatabaseLocation
    from app.services.common.errors import ServiceError, describe
    if isinstance(exc, (UnsafeDatabaseLocation, SchemaMismatch, ServiceError, PasswordNotGiven)):
        return str(exc)
    from app.diagnostics import log_failure
    log_failure(exc, operation="open the database")
    return f"The database could not be opened.\n\n{describe(exc)}"


class Start:
    """The window shown, the database on its way: what `run` waits on, and a test looks at."""

    def __init__(self, database: DatabaseChoice | str | None, *, dialogs: DialogService | None = None,
                 settings: QSettings | None = None, ask_password: Callable[[str], str | None] = _ask_password,
                 on_failed: Callable[[int], None] | None = None) -> None:
        self.app = make_application(guard=False)
        from ui.main_window import MainWindow
        self.window: MainWindow = MainWindow(None, None, dialogs=dialogs, settings=settings,
                                             case_list_factory=lazy_case_list)
        self.hook: Any = None
        self.freeze_watch: FreezeWatch | None = None
        self.window.show_window()
        self.opened: OpenedDatabase | None = None
        self.failed: str | None = None
        self._on_failed = on_failed
        self._ask_password = ask_password
        self._database = database
        # The database, SQLAlchemy and the services once the window is on screen: an import on the
        # worker would hold the interpreter while the window is being painted.
        self._painted = FirstPaint(self.window, self._open)

    def _open(self) -> None:
        from ui.error_hook import ErrorHook
        from ui.focus import install
        self.hook = ErrorHook(self.window.dialogs).install()  # nothing reaches the user as silence or a traceback
        from ui.freeze_watch import watch_if_asked
        self.freeze_watch = watch_if_asked(self.window.tasks, self.window)  # from the first paint on, if asked
        install(self.app)  # the keyboard and wheel rules, before anyone types
        self._question = _PasswordQuestion(self._ask_password)
        self.window.tasks.op(open_for_window, self._database, self._question, on_done=self._opened,
                             on_error=self._refused, owner=self.window, what="open the database")

    def _opened(self, opened: OpenedDatabase) -> None:
        self.opened = opened
        self.window.attach(opened.context, opened.choice)
        if opened.backup_made:
            self.window.statusBar().showMessage(
                f"Database upgraded; the old copy is kept at {opened.backup_made}", 15000)
        keep_out_of_collections()  # SQLAlchemy, the services and the models are in by now
        self.window.start_up()
        # The rest of the app once the first reads are in: imported beside them it would slow them.
        from ui.tasks import when_idle

        def load_the_rest() -> None:
            self.window.tasks.query(warm, LATER_MODULES, on_done=lambda _n: self._loaded(),
                                    on_error=lambda _exc: True,
                                    owner=self.window, what="load the rest of the app", key="warm")
        when_idle(self.window.tasks, load_the_rest)

    def _loaded(self) -> None:
        """The whole app is imported: out of the collector's sweeps, and the first form built ahead."""
        keep_out_of_collections()
        self.window.prepare_spare_form()

    def _refused(self, exc: BaseException) -> bool:
        self.failed = _refusal(exc)
        self.window.dialogs.error(APP_NAME, self.failed)
        if self._on_failed is not None:
            self._on_failed(1)
        return True

    def close(self) -> None:
        if self.freeze_watch is not None:
            self.freeze_watch.finish()
        if self.hook is not None:
            self.hook.uninstall()
        if self.opened is not None:
            self.opened.context.engine.dispose()


def run(database: DatabaseChoice | str | None = None) -> int:
    """The desktop app, as the user starts it: `database` is the --database given (or None for the
    usual choice: the environment variable, the site settings, the local file)."""
    start = Start(database, on_failed=lambda code: QApplication.exit(code))
    code = start.app.exec()
    start.close()
    return 1 if start.failed is not None else code
