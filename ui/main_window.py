"""The main window: menu, toolbar, left navigation, pages, status bar and remembered geometry.

Start-up shows the window first. This module imports nothing that reads the database (no service
module, no SQLAlchemy): the window can be built and painted before the database is opened
(`attach` comes when it is). Then every read it needs is a query on a worker, in this order: the
first screenful of cases (the case list's own), the user's name and the agency directory, and, when
`start_up` is called (by ui/main.py), the set-up check and the drafts to restore.

The services are reached through the small functions below, which import them on the worker that
calls them: the import costs nothing on the UI thread, and a test can hold one (`ui.main_window.
needs_set_up`) to show what the window does meanwhile.
"""
from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Any

# No `Qt` here: the first use of the Qt namespace makes all its enums (tens of milliseconds), so
# the code that runs before the window is painted does without it; methods import it when needed.
import shiboken6
from PySide6.QtCore import QByteArray, QEvent, QSettings, QTimer
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (QLabel, QListWidget, QMainWindow, QSplitter, QStackedWidget,
                               QTabWidget, QToolBar, QWidget)

from app import APP_NAME, __version__
from ui.screen import SMALL_SCREEN, available, fit_to_screen
from ui.views.applications import ApplicationsPage, is_form
from ui.views.not_built import NotBuiltPage, WaitingPage
from ui.style import look

if TYPE_CHECKING:
    # Imported where they are used, not here: the window is painted before they are needed.
    from app.services.admin.database import DatabaseChoice
    from app.services.common.ops import Changes
    from ui.dialogs import DialogService
    from ui.tasks import Tasks
    from app.services.agencies.directory import AgencyInfo
    from app.services.agencies.matching import AgencyDirectory
    from app.services.cases.others_changes import OthersChanges
    from app.services.common.context import ServiceContext
    from app.services.intake.support import DraftInfo
    from ui.views.intake.drafts import FoundDrafts
    from ui.views.intake.form import ApplicationForm

SECTIONS = ["Applications", "Cases", "Panel meetings", "Letters", "Reports", "Agencies", "Data protection",
            "Settings"]
NOT_BUILT: dict[str, str] = {}  # every section is built; kept for sections added later
OPENING = "Opening the database…"


# --- the services, imported on the worker that calls them ---------------------------------------------

def needs_set_up(ctx: ServiceContext) -> bool:
    from app.services.admin.settings import needs_set_up as check
    return check(ctx)


def list_drafts(ctx: ServiceContext) -> list[DraftInfo]:
    from app.services.intake.support import list_drafts as drafts
    return drafts(ctx)


def my_details(ctx: ServiceContext) -> tuple[str, str, str]:
    from app.services.admin.settings import my_details as details
    return details(ctx)


def list_agencies(ctx: ServiceContext) -> list[AgencyInfo]:
    from app.services.agencies.directory import list_agencies as agencies
    return agencies(ctx)


def changes_since(ctx: ServiceContext, last_seen: int | None) -> OthersChanges:
    from app.services.cases.others_changes import changes_since as since
    return since(ctx, last_seen)


def find_drafts(ctx: ServiceContext) -> FoundDrafts:
    """The unsaved applications of this user, in the database and on this computer (on the worker)."""
    from ui.views.intake.drafts import find_drafts as find
    found = find(ctx, list_drafts)
    if found.drafts or found.local:
        # Each comes back as a form: its module is imported here (definitions only, no widget is made
        # off the UI thread), so that the UI thread spends its turn building the form, not importing.
        import ui.views.intake.form  # noqa: F401
    return found


def _directory(agencies: list[AgencyInfo]) -> AgencyDirectory:
    from app.services.agencies.matching import AgencyDirectory
    return AgencyDirectory(agencies)


class MainWindow(QMainWindow):
    """The window. Given a context it is ready at once (tests, the self-test); given None it is the
    frame painted at start-up, and `attach` fills it in when the database is open."""

    def __init__(self, ctx: ServiceContext | None, choice: DatabaseChoice | None,
                 dialogs: DialogService | None = None, settings: QSettings | None = None,
                 case_list_factory: Callable[..., QWidget] | None = None) -> None:
        super().__init__()
        self.ctx: ServiceContext = None  # type: ignore[assignment]  # set by attach(), before any page needs it
        self.choice = choice
        self._dialogs = dialogs
        self._tasks: Tasks | None = None
        self.qsettings = settings or QSettings()
        self.setWindowTitle(APP_NAME)
        self._last_seen: int | None = None  # the newest audit entry this window has looked at
        self._checking = False
        self.directory: AgencyDirectory | None = None  # read after the window is shown
        self._case_list_factory = case_list_factory
        self._quiet = False
        self.maximised = False  # opens maximised (a laptop's screen): `show_window` does so
        self._build()
        self._restore_geometry(now=ctx is not None)
        if ctx is not None:
            self.attach(ctx, choice)

    @property
    def dialogs(self) -> DialogService:
        """Message boxes, dialogs and files (a test's recorder, or the real service, made when first wanted)."""
        if self._dialogs is None:
            from ui.dialogs import DialogService
            self._dialogs = DialogService(self)
        return self._dialogs

    @property
    def tasks(self) -> Tasks:
        """The application's task runner: every view runs its database work through it, and what an
        operation changed comes back here and goes to each view that shows it."""
        if self._tasks is None:
            from ui.tasks import Tasks
            self._tasks = Tasks.instance()
            self._tasks.dialogs = self.dialogs
            self._tasks.changed.connect(self.apply_changes)
            self._tasks.pending_changed.connect(self._show_pending)
        return self._tasks

    # building ----------------------------------------------------------------------------------
    def _build(self) -> None:
        self.navigation = QListWidget()
        look(self.navigation, "navigation")
        self.navigation.setAccessibleName("Sections")
        self.navigation.addItems(SECTIONS)
        self.navigation.setMaximumWidth(170)  # narrow: on a laptop the pages need the width
        self.pages = QStackedWidget()
        self.applications = ApplicationsPage()
        self.applications.close_form_check = self._may_close_form
        self.applications.new_telephone_requested.connect(self.new_telephone_application)
        self.applications.new_postal_requested.connect(self.new_postal_application)
        self.applications.import_requested.connect(self.import_online_applications)
        self.pages.addWidget(self.applications)
        # Until the database is open the list's place says so; attach() puts the list there.
        self.cases_page: QWidget = WaitingPage("Cases", OPENING)
        # The list stays as the first tab; each opened case gets its own closable tab.
        self.cases_section = QTabWidget()
        self.cases_section.setAccessibleName("Cases")
        self.cases_section.setDocumentMode(True)
        self.cases_section.setTabsClosable(True)
        self.cases_section.addTab(self.cases_page, "Case list")
        self.cases_section.tabBar().setTabButton(0, self.cases_section.tabBar().ButtonPosition.RightSide, None)
        self.cases_section.tabCloseRequested.connect(self._close_case_tab)
        self.cases_section.currentChanged.connect(self._case_tab_changed)
        self.pages.addWidget(self.cases_section)
        # The other sections are built the first time they are opened: start-up shows the case
        # list without importing or querying for pages nobody has looked at yet.
        self._sections: dict[str, QWidget] = {}
        for section in SECTIONS[2:]:
            self.pages.addWidget(QWidget())
        self.navigation.currentRowChanged.connect(self._show_page)
        self.navigation.itemActivated.connect(lambda _item: self._focus_section())  # Enter: into the page
        splitter = QSplitter()  # side by side (horizontal, its default)
        splitter.addWidget(self.navigation)
        splitter.addWidget(self.pages)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([160, 1120])
        self.setCentralWidget(splitter)
        self._quiet = True  # building: nothing to focus yet
        self.navigation.setCurrentRow(0)
        self._quiet = False
        self._build_actions()
        self.db_label = QLabel(OPENING)
        self.db_label.setAccessibleName("Database in use")
        self.user_label = QLabel()
        self.user_label.setAccessibleName("Signed-in user")
        self.working_label = QLabel()
        self.working_label.setAccessibleName("Work in progress")
        self.statusBar().addWidget(self.db_label, 1)
        self.statusBar().addPermanentWidget(self.working_label)
        self.statusBar().addPermanentWidget(self.user_label)

    # the database ---------------------------------------------------------------------------------
    def attach(self, ctx: ServiceContext, choice: DatabaseChoice | None = None) -> None:
        """The database is open and the user signed in: the case list in its place, the actions on,
        and the reads that follow (the user's name, the agency directory, others' changes) on their way."""
        from PySide6.QtCore import Qt
        self.ctx = ctx
        if choice is not None:
            self.choice = choice
        # Words on the toolbar (the actions have no icons, so they already show their text).
        self.toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.db_label.setText(f"Database: {self.choice.describe()}" if self.choice is not None else "Database")
        if self.choice is not None:  # which database is open, at a glance (a training copy, the live one)
            self.setWindowTitle(f"{self.choice.short_name()} \N{EM DASH} {APP_NAME}")
        self._show_user(ctx.actor)
        self._place_case_list()
        for action in self._needs_database:
            action.setEnabled(True)
        for button in self.applications.buttons:
            button.setEnabled(True)
        self.tasks.query(my_details, ctx, on_done=lambda found: self._show_user(found[0] or ctx.actor),
                         on_error=lambda _exc: True,  # the login stays shown: nothing to tell
                         owner=self, what="read your details", key="my-details")
        self._reload_directory()
        if self.pages.currentIndex() >= 2:  # the officer went to a section while the database was opened
            self._show_page(self.pages.currentIndex())
        QTimer.singleShot(0, self.check_others)  # where the audit log stands: the mark for "since"

    def _show_user(self, name: str) -> None:
        about = [self.ctx.actor] if name != self.ctx.actor else []  # the name the user gave, and the login
        if self.ctx.role:
            about.append(self.ctx.role.label.lower())
        self.user_label.setText(f"Signed in as {name}" + (f" ({', '.join(about)})" if about else ""))

    def _place_case_list(self) -> None:
        factory = self._case_list_factory
        placeholder = self.cases_page
        current = self.cases_section.currentIndex()
        self.cases_page = (factory(self.ctx, ask_save_path=self._ask_csv_path, settings=self.qsettings)
                           if factory is not None else NotBuiltPage("Cases", "The case list will appear here."))
        open_requested = getattr(self.cases_page, "open_case_requested", None)
        if open_requested is not None:
            open_requested.connect(self.open_case)
        had_focus = placeholder.isAncestorOf(self.focusWidget()) if self.focusWidget() else False
        self.cases_section.insertTab(0, self.cases_page, "Case list")
        self.cases_section.tabBar().setTabButton(0, self.cases_section.tabBar().ButtonPosition.RightSide, None)
        self.cases_section.removeTab(1)
        placeholder.deleteLater()
        self.cases_section.setCurrentIndex(max(current, 0))
        if had_focus or (self.pages.currentIndex() == 1 and self.cases_section.currentIndex() == 0
                         and self.isActiveWindow() and self.focusWidget() in (None, self.navigation)):
            self.find_case()  # the officer was waiting on the list: its search box, as Ctrl+F gives

    def start_up(self) -> None:
        """After the window is shown (ui/main.py): the set-up check, then the drafts to restore."""
        self.tasks.query(needs_set_up, self.ctx, on_done=self._set_up_checked,
                         on_error=self._set_up_unknown,
                         owner=self, what="check whether the database is set up", key="set-up")

    def _set_up_checked(self, needed: bool) -> None:
        def then() -> None:
            if needed:
                self._offer_set_up()
            self.restore_drafts()
        # From the event loop, not inside the query's callback: the dialog runs an event loop of its own.
        QTimer.singleShot(0, then)

    def _set_up_unknown(self, _exc: BaseException) -> bool:
        self._set_up_checked(False)  # the drafts matter more than the offer of a set-up
        return False  # and the officer is told the check failed, in words

    def offer_set_up(self) -> None:
        """On an empty database: the short set-up, or demo data to explore (asked off the UI thread first)."""
        self.tasks.query(needs_set_up, self.ctx, on_done=lambda needed: needed and QTimer.singleShot(
            0, self._offer_set_up), owner=self, what="check whether the database is set up", key="set-up")

    def _offer_set_up(self) -> bool:
        from ui.views.first_run import FirstRunDialog
        dialog = FirstRunDialog(self.ctx, self)
        self.dialogs.run(dialog)
        if getattr(dialog, "loaded_demo", False):
            # The demo's own operation says what it added; a dialog that ran it directly did not.
            from app.services.common.ops import Changes, Part
            self.apply_changes(Changes(all_cases=True, parts=frozenset({Part.LIST})))
        return True

    def _action(self, text: str, slot: Callable[[], object],
                shortcut: str | QKeySequence | QKeySequence.StandardKey | None = None, tip: str = "") -> QAction:
        action = QAction(text, self)
        # setShortcuts, not setShortcut: choosing among setShortcut's overloads makes the whole Qt
        # namespace of enums, which would come before the window's first paint.
        if isinstance(shortcut, (str, QKeySequence)):
            action.setShortcuts([QKeySequence(shortcut)])
        elif shortcut is not None:
            action.setShortcuts(shortcut)
        action.setStatusTip(tip or text.replace("&", "").rstrip("…"))
        action.triggered.connect(lambda _checked=False: slot())
        return action

    def _build_actions(self) -> None:
        self.new_phone_action = self._action("New &telephone application", self.new_telephone_application,
                                             "Ctrl+N")
        self.new_post_action = self._action("New &postal application", self.new_postal_application,
                                            "Ctrl+Shift+N")
        self.import_action = self._action("&Import online applications…", self.import_online_applications,
                                          "Ctrl+I")
        self.agency_started_action = self._action("Review started by an &agency…", self.new_agency_started_review)
        quit_action = self._action("&Quit", self.close, QKeySequence.StandardKey.Quit)
        self.close_tab_action = self._action("&Close tab", self.close_current_tab, "Ctrl+W",
                                             "Close the current application or case")
        self.find_action = self._action("&Find a case", self.find_case, "Ctrl+F",
                                        "Search the case list")
        self.refresh_action = self._action("&Refresh", self.refresh_current, "F5",
                                           "Read what this view shows again")
        self.shortcuts_action = self._action("&Keyboard shortcuts", self.show_shortcuts, "F1")
        about = self._action("&About", self.show_about)
        file_menu = self.menuBar().addMenu("&File")
        for a in (self.new_phone_action, self.new_post_action, self.import_action, self.agency_started_action):
            file_menu.addAction(a)
        file_menu.addSeparator()
        file_menu.addAction(self.close_tab_action)
        file_menu.addAction(quit_action)
        view_menu = self.menuBar().addMenu("&View")
        view_menu.addAction(self.find_action)
        view_menu.addAction(self.refresh_action)
        view_menu.addSeparator()
        for n, section in enumerate(SECTIONS, start=1):
            view_menu.addAction(self._action(f"&{n} {section}", partial(self.show_section, n - 1), f"Ctrl+{n}"))
        help_menu = self.menuBar().addMenu("&Help")
        help_menu.addAction(self.shortcuts_action)
        help_menu.addAction(about)
        # Nothing to open a form or a dialog on until the database is open.
        self._needs_database = [self.new_phone_action, self.new_post_action, self.import_action,
                                self.agency_started_action]
        for action in self._needs_database:
            action.setEnabled(False)
        for button in self.applications.buttons:
            button.setEnabled(False)
        self.toolbar = toolbar = QToolBar("Main toolbar")
        toolbar.setObjectName("mainToolbar")  # words, not icons: see attach()
        for a in (self.new_phone_action, self.new_post_action, self.import_action):
            toolbar.addAction(a)
        self.addToolBar(toolbar)

    # sections ------------------------------------------------------------------------------------
    def show_section(self, index: int) -> None:
        """Ctrl+1 to Ctrl+8 (and every other way in): the section, with focus on its first control."""
        self.navigation.setCurrentRow(index)
        self._focus_section()

    def _show_page(self, index: int) -> None:
        if index >= 2 and self.ctx is not None:  # before the database is open a section stays blank
            self.section_page(SECTIONS[index])
        self.pages.setCurrentIndex(index)
        if not self.navigation.hasFocus() and not self._quiet:  # arrowing through the sections stays there
            self._focus_section()

    def _focus_section(self) -> None:
        if self.pages.currentIndex() == 1 and self.cases_section.currentIndex() == 0:
            self.find_case()  # the case list opens ready to type a name or reference
        else:
            from ui.focus import focus_first
            focus_first(self.pages.currentWidget())

    # keys for the whole window -------------------------------------------------------------------
    def current_view(self) -> QWidget | None:
        """What F5 refreshes and Ctrl+W closes: the current tab of a section, or the section's page."""
        page = self.pages.currentWidget()
        if page in (self.applications, self.cases_section):
            return page.currentWidget()
        return page

    def find_case(self) -> None:
        from PySide6.QtCore import Qt
        if self.pages.currentIndex() != 1:
            self.navigation.setCurrentRow(1)
        self.cases_section.setCurrentIndex(0)
        search = getattr(self.cases_page, "search", None)
        if isinstance(search, QWidget):
            search.setFocus(Qt.FocusReason.ShortcutFocusReason)
            search.selectAll()  # type: ignore[attr-defined]

    def refresh_current(self) -> None:
        """F5: the current view read again, and whatever other users saved meanwhile picked up."""
        view = self.current_view()
        refresh = getattr(view, "refresh", None)
        if callable(refresh):
            refresh()
            self.statusBar().showMessage("Refreshed.", 3000)
        self.check_others()

    # what changed ---------------------------------------------------------------------------------
    def views(self) -> list[QWidget]:
        """Every view that is built: the case list, open case pages and forms, the sections opened."""
        found: list[QWidget] = [self.cases_page]
        found += [w for i in range(1, self.cases_section.count()) if (w := self.cases_section.widget(i)) is not None]
        found += list(self._sections.values())
        return found

    def apply_changes(self, changes: Changes) -> None:
        """Each view that shows something an operation changed refreshes that, and nothing more."""
        for view in self.views():
            apply = getattr(view, "apply_changes", None)
            if callable(apply):
                apply(changes)
        from app.services.common.ops import Part
        if changes.touches(Part.AGENCIES):
            self._reload_directory()
        if changes.touches(Part.SETTINGS) and self._spare_form is not None:
            self._spare_form.deleteLater()  # built under the old settings: the next form is built anew
            self._spare_form = None

    def check_others(self) -> None:
        """Ask the server what was saved since this window last looked (F5, and on regaining focus)."""
        if self._checking or self.ctx is None:
            return
        self._checking = True
        self.tasks.query(changes_since, self.ctx, self._last_seen, on_done=self._others_changed,
                         on_error=self._others_unknown, owner=self, what="check for changes by others",
                         key="others-changes")

    def _others_changed(self, found: OthersChanges) -> None:
        self._checking = False
        first = self._last_seen is None
        self._last_seen = found.last_seen
        if not first and found.changes:
            self.apply_changes(found.changes)

    def _others_unknown(self, _exc: BaseException) -> bool:
        self._checking = False
        return True  # a check nobody asked for in words: the next one will try again

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt API
        if event.type() == QEvent.Type.ActivationChange and self.isActiveWindow():
            self.check_others()  # back from another window: what colleagues saved meanwhile
        super().changeEvent(event)

    def _show_pending(self, pending: int) -> None:
        if pending:
            self.working_label.setText("Working…")
        else:
            self.working_label.clear()

    def close_current_tab(self) -> bool:
        """Ctrl+W: the current application form or case page; False if there is nothing to close."""
        page = self.pages.currentWidget()
        if page is self.applications and is_form(self.applications.currentWidget()):
            self.applications.tabCloseRequested.emit(self.applications.currentIndex())
            return True
        if page is self.cases_section and self.cases_section.currentIndex() > 0:
            self._close_case_tab(self.cases_section.currentIndex())
            return True
        self.statusBar().showMessage("There is no application or case tab open here to close.", 4000)
        return False

    def show_shortcuts(self) -> None:
        from ui.views.shortcuts_dialog import ShortcutsDialog
        self.dialogs.show(ShortcutsDialog(self))

    def section_page(self, section: str) -> QWidget:
        """The page of a section, built (and its module imported) the first time it is wanted."""
        if section in self._sections:
            return self._sections[section]
        page = self._build_section(section)
        index = SECTIONS.index(section)
        placeholder = self.pages.widget(index)
        self.pages.insertWidget(index, page)
        if placeholder is not None:
            self.pages.removeWidget(placeholder)
            placeholder.deleteLater()
        self._sections[section] = page
        return page

    def _build_section(self, section: str) -> QWidget:
        # What a page's operations change reaches every view through apply_changes: no page tells
        # the case list to refresh itself any more.
        if section == "Panel meetings":
            from ui.views.panels.page import PanelsPage
            return PanelsPage(self.ctx, self.dialogs)
        if section == "Letters":
            from ui.views.letters_page import LettersPage
            letters = LettersPage(self.ctx, self.dialogs)
            letters.open_case = self.open_case
            return letters
        if section == "Reports":
            from ui.views.reports import ReportsPage
            return ReportsPage(self.ctx, self.dialogs)
        if section == "Agencies":
            from ui.views.agencies import AgenciesPage
            agencies = AgenciesPage(self.ctx, self.dialogs)
            edited = getattr(agencies, "directory_changed", None)  # a page whose edits are not operations yet
            if edited is not None:
                edited.connect(self._reload_directory)
            return agencies
        if section == "Data protection":
            from ui.views.data_protection import DataProtectionPage
            return DataProtectionPage(self.ctx, self.dialogs)
        if section == "Settings":
            from ui.views.settings_page import SettingsPage
            return SettingsPage(self.ctx, self.dialogs)
        return NotBuiltPage(section, NOT_BUILT.get(section, ""))

    @property
    def panels_page(self) -> Any:  # the page classes are imported lazily, so their types are not known here
        return self.section_page("Panel meetings")

    @property
    def letters_page(self) -> Any:
        return self.section_page("Letters")

    @property
    def reports_page(self) -> Any:
        return self.section_page("Reports")

    @property
    def agencies_page(self) -> Any:
        return self.section_page("Agencies")

    @property
    def data_protection_page(self) -> Any:
        return self.section_page("Data protection")

    @property
    def settings_page(self) -> Any:
        return self.section_page("Settings")

    def new_telephone_application(self) -> ApplicationForm:
        return self._open_form("telephone")

    def new_postal_application(self) -> ApplicationForm:
        return self._open_form("post")

    def _open_form(self, mode: str, *, quiet: bool = False) -> ApplicationForm:
        """A new form in its own tab; `quiet`: added behind whatever the officer is doing (a restore)."""
        form = None if quiet else self._take_spare_form(mode)
        if form is None:
            from ui.views.intake.form import ApplicationForm
            # Before the directory has been read the form matches nothing; it is given it when it is.
            form = ApplicationForm(self.ctx, self.dialogs, self.directory or _directory([]), mode)
        if quiet:
            self.applications.add_form(form, show=False)
            return form
        self._quiet = True  # focus goes straight to the form's first field, not first to the section
        try:
            self.navigation.setCurrentRow(0)
        finally:
            self._quiet = False
        self.applications.add_form(form)
        return form

    _spare_form: ApplicationForm | None = None  # a telephone form built ahead, while nothing else ran

    def prepare_spare_form(self) -> None:
        """Build a telephone form now, while no worker is busy, for the first Ctrl+N of the session.

        A form is some 70 ms of Python on the UI thread, and twice that beside a worker reading the
        case list (they share the interpreter): measured at 118 ms when an officer answering a call
        pressed Ctrl+N while the window was still reading its first screenful. The spare is built once,
        when the start-up's reads are over; later forms are built when asked for, as before.
        """
        from ui.tasks import when_idle

        def build() -> None:
            if self._spare_form is not None or self.ctx is None:
                return
            if not self.tasks.is_idle:
                when_idle(self.tasks, build)
                return
            from ui.views.intake.form import ApplicationForm
            self._spare_form = ApplicationForm(self.ctx, self.dialogs, self.directory or _directory([]), "telephone")
        when_idle(self.tasks, build)

    def _take_spare_form(self, mode: str) -> ApplicationForm | None:
        form, self._spare_form = self._spare_form, None
        if form is None or not shiboken6.isValid(form):
            return None
        if form.ctx is not self.ctx:  # another database since: of no use
            form.deleteLater()
            return None
        if form.mode != mode:
            self._spare_form = form  # kept for the next telephone application
            return None
        if self.directory is not None:
            form.set_directory(self.directory)
        form.reset()  # received now, and a submission id of its own
        return form

    def restore_drafts(self) -> None:
        """Open every autosaved application of this user, so that a crash loses nothing.

        The drafts (and copies kept on this computer while the database could not be reached) are
        read off the UI thread; each comes back as a form of its own. Restoring never moves the
        focus from where the officer has gone meanwhile.
        """
        self.tasks.query(find_drafts, self.ctx, on_done=self._drafts_found, owner=self,
                         what="look for unsaved applications", key="drafts")

    def _drafts_found(self, found: FoundDrafts) -> None:
        if not found.drafts and not found.local:
            return
        from app.domain.dates import uk_time
        from ui.tasks import when_idle

        def from_database(draft: Any) -> None:
            form = self._open_form(draft.kind.removeprefix("application-"), quiet=True)
            form.restore(draft.payload)
            form.draft_id = draft.id
            form.show_banner(f"Restored an application that was not saved (last autosaved "
                             f"{uk_time(draft.updated_at)}). Save it, or close the tab to discard it.",
                             "warn")

        def from_this_computer(copy: Any) -> None:
            # Written while the database could not be reached: back into a form, then the database.
            form = self._open_form(str(copy.payload.get("mode") or "telephone"), quiet=True)
            form.restore(copy.payload)
            form.local_draft = copy.path
            form.autosave(force=True)  # moves it into the database when it can be reached
            form.show_banner("Restored an application that was kept on this computer while the database "
                             "could not be reached. Save it, or close the tab to discard it.", "warn")

        waiting: list[Callable[[], None]] = [partial(from_database, d) for d in found.drafts]
        waiting += [partial(from_this_computer, c) for c in found.local]
        total = len(waiting)
        self.restored = 0
        self.restoring = True

        def next_form() -> None:
            # One form per turn of the event loop, and only while no worker is busy: a form is a few
            # dozen milliseconds of Python, which take two or three times as long beside a worker's
            # Python (they share the interpreter), and the window answers the officer between forms.
            if not self.tasks.is_idle:
                when_idle(self.tasks, next_form)
                return
            waiting.pop(0)()
            self.restored += 1
            if waiting:
                QTimer.singleShot(0, next_form)
            else:
                self.restoring = False
                self.statusBar().showMessage(f"{total} unsaved application(s) restored: they are open under "
                                             "Applications.", 15000)
        next_form()

    restored = 0  # how many applications the last restore brought back
    restoring = False  # still bringing them back, one form per turn of the event loop

    def import_online_applications(self) -> None:
        from ui.views.import_dialog import ImportDialog
        files = self.dialogs.open_files("Import online applications", "Application files (*.json)")
        if not files:
            return
        dialog = ImportDialog(self.ctx, files, self)
        if self.dialogs.run(dialog) and dialog.result_report:
            self.dialogs.info("Imported", f"{len(dialog.result_report.created)} application(s) imported:\n"
                              + dialog.created_text())
            # An import run by the dialog itself as an operation has already said what it added.
            from app.services.common.ops import changes_of
            changes = changes_of(dialog.result_report)
            if changes:
                self.apply_changes(changes)

    def _reload_directory(self) -> None:
        """Forms match 'reported to' against the directory as read (at start-up, and after it is edited)."""
        self.tasks.query(list_agencies, self.ctx, on_done=self._directory_read, owner=self,
                         what="read the agency directory", key="directory")

    def _directory_read(self, agencies: list[AgencyInfo]) -> None:
        self.directory = _directory(agencies)
        for form in self.applications.forms():
            form.set_directory(self.directory)

    def _ask_csv_path(self, suggested: str) -> str | None:
        path = self.dialogs.save_file("Export view to CSV", suggested, "CSV files (*.csv)")
        return str(path) if path else None

    def new_agency_started_review(self) -> None:
        from ui.views.agency_started_dialog import start_agency_review
        start_agency_review(self.ctx, self.dialogs, self, self.open_case, tasks=self.tasks)

    def open_case(self, case_id: int) -> QWidget:
        """Open (or bring forward) the case page, from which the whole review is run."""
        from ui.views.case_page.page import CasePage
        self._quiet = True  # focus goes straight to the case page, not first to the list's search box
        try:
            self.navigation.setCurrentRow(1)
        finally:
            self._quiet = False
        for index in range(1, self.cases_section.count()):
            page = self.cases_section.widget(index)
            if isinstance(page, CasePage) and page.case_id == case_id:
                self.cases_section.setCurrentIndex(index)
                page.reload()
                page.tabs.setFocus()
                return page
        page = CasePage(self.ctx, self.dialogs, case_id)
        page.open_case_requested.connect(self.open_case)
        index = self.cases_section.addTab(page, page.detail.reference if page.detail else "Case")
        page.title_changed.connect(lambda title, p=page: self.cases_section.setTabText(self.cases_section.indexOf(p), title))
        self.cases_section.setCurrentIndex(index)
        page.tabs.setFocus()
        return page

    def _close_case_tab(self, index: int) -> None:
        if index > 0:
            page = self.cases_section.widget(index)
            unsaved = getattr(page, "unsaved_changes", None)
            if callable(unsaved) and unsaved() and not self.dialogs.ask(
                    "Close without saving?", "The case's details were changed and not saved. Close the case "
                    "and throw the changes away?", yes="Close without saving", no="Keep it open"):
                return
            self.cases_section.removeTab(index)
            if page is not None:
                page.deleteLater()
            if self.cases_section.currentIndex() == 0:
                self.find_case()

    def _case_tab_changed(self, index: int) -> None:
        if index == 0 and self.pages.currentIndex() == 1 and not self.cases_section.tabBar().hasFocus():
            self.find_case()

    def _may_close_form(self, form: ApplicationForm) -> bool:
        if form.saving:  # closing it now would leave the officer not knowing whether it was saved
            self.statusBar().showMessage("This application is being saved: close it when it says it is saved.", 6000)
            return False
        if form.saved is not None or not form.has_content():
            form.discard()
            return True
        if self.dialogs.ask("Discard this application?", "This application has not been saved. Close it "
                            "and throw away what was typed?", yes="Discard", no="Keep it"):
            form.discard()
            return True
        return False

    def show_about(self) -> None:
        self.dialogs.info(f"About {APP_NAME}",
                          f"{APP_NAME}\nVersion {__version__}\n\nFor the Community Trigger (ASB Case Review) "
                          "under the Anti-social Behaviour, Crime and Policing Act 2014.\n\n"
                          f"Database: {self.choice.describe() if self.choice is not None else OPENING}")

    # geometry ------------------------------------------------------------------------------------
    def _restore_geometry(self, now: bool = True) -> None:
        """As the user left it; a first start fits the screen, maximised on a laptop (at once if `now`,
        else by `show_window`: setting the state by its Qt enum costs the start a good part of a
        bare window, for the whole Qt namespace of enums is made on first use)."""
        geometry = self.qsettings.value("main/geometry")
        if isinstance(geometry, QByteArray) and not geometry.isEmpty():
            self.restoreGeometry(geometry)
        else:
            room = available(self)
            fit_to_screen(self, 1280, 800)
            self.maximised = room.width() <= SMALL_SCREEN.width() or room.height() <= SMALL_SCREEN.height()
            if self.maximised and now:
                from PySide6.QtCore import Qt
                self.setWindowState(Qt.WindowState.WindowMaximized)  # a laptop: every pixel counts
        state = self.qsettings.value("main/state")
        if isinstance(state, QByteArray):
            self.restoreState(state)

    def show_window(self) -> None:
        """Show it for the first time: maximised on a laptop's screen, as `_restore_geometry` found."""
        if self.maximised:
            self.showMaximized()
        else:
            self.show()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt API
        for form in self.applications.forms():
            form.autosave(force=True)  # unsaved applications come back next time (on the worker, finished below)
        self.tasks.shutdown(wait=True)  # a save on its way lands before the window goes
        self.qsettings.setValue("main/geometry", self.saveGeometry())
        self.qsettings.setValue("main/state", self.saveState())
        super().closeEvent(event)
