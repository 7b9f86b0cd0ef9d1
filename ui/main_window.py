"""The main window: menu, toolbar, left navigation, pages, status bar and remembered geometry."""
from __future__ import annotations

import json
from collections.abc import Callable

from PySide6.QtCore import QByteArray, QEvent, QSettings, Qt, QTimer
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (QLabel, QListWidget, QMainWindow, QSplitter, QStackedWidget,
                               QTabWidget, QToolBar, QWidget)

from app import APP_NAME, __version__
from app.domain.roles import Permission
from app.db.location import DatabaseChoice
from app.services.agencies.directory import AgencyDirectory, list_agencies
from app.services.common.context import ServiceContext
from app.domain.dates import uk_time
from app.services.intake.support import list_drafts
from app.services.admin.settings import my_details, needs_set_up
from app.services.common.errors import ServiceError
from ui.views.first_run import FirstRunDialog
from ui.dialogs import DialogService
from ui.tasks import Tasks
from app.services.cases.others_changes import OthersChanges, changes_since
from app.services.common.ops import Changes, Part
from ui.focus import focus_first
from ui.screen import SMALL_SCREEN, available, fit_to_screen
from ui.views.applications import ApplicationsPage
from ui.views.import_dialog import ImportDialog
from ui.views.intake.form import ApplicationForm, local_drafts_dir
from ui.views.not_built import NotBuiltPage

SECTIONS = ["Applications", "Cases", "Panel meetings", "Letters", "Reports", "Agencies", "Data protection",
            "Settings"]
NOT_BUILT: dict[str, str] = {}  # every section is built; kept for sections added later


class MainWindow(QMainWindow):
    def __init__(self, ctx: ServiceContext, choice: DatabaseChoice, dialogs: DialogService | None = None,
                 settings: QSettings | None = None,
                 case_list_factory: Callable[..., QWidget] | None = None) -> None:
        super().__init__()
        self.ctx, self.choice = ctx, choice
        self.dialogs = dialogs or DialogService(self)
        self.qsettings = settings or QSettings()
        self.setWindowTitle(APP_NAME)
        # Every view runs its database work through the one task runner; what an operation
        # changed comes back here and goes to each view that shows it.
        self.tasks = Tasks.instance()
        self.tasks.dialogs = self.dialogs
        self.tasks.changed.connect(self.apply_changes)
        self.tasks.pending_changed.connect(self._show_pending)
        self._last_seen: int | None = None  # the newest audit entry this window has looked at
        self._checking = False
        self.directory = AgencyDirectory(list_agencies(ctx))
        self._quiet = False
        self._build(case_list_factory)
        self._restore_geometry()
        QTimer.singleShot(0, self.check_others)  # where the audit log stands: the mark for "since"

    # building ----------------------------------------------------------------------------------
    def _build(self, case_list_factory: Callable[..., QWidget] | None) -> None:
        self.navigation = QListWidget()
        self.navigation.setObjectName("navigation")
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
        self.cases_page = (case_list_factory(self.ctx, ask_save_path=self._ask_csv_path, settings=self.qsettings)
                           if case_list_factory else NotBuiltPage("Cases", "The case list will appear here."))
        open_requested = getattr(self.cases_page, "open_case_requested", None)
        if open_requested is not None:
            open_requested.connect(self.open_case)
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
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.navigation)
        splitter.addWidget(self.pages)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([160, 1120])
        self.setCentralWidget(splitter)
        self.navigation.setCurrentRow(0)
        self._build_actions()
        self.db_label = QLabel(f"Database: {self.choice.describe()}")
        self.db_label.setAccessibleName("Database in use")
        try:
            name = my_details(self.ctx)[0] or self.ctx.actor  # the name the user gave, not the login
        except ServiceError:
            name = self.ctx.actor
        about = [self.ctx.actor] if name != self.ctx.actor else []
        if self.ctx.role:
            about.append(self.ctx.role.label.lower())
        self.user_label = QLabel(f"Signed in as {name}" + (f" ({', '.join(about)})" if about else ""))
        self.user_label.setAccessibleName("Signed-in user")
        self.working_label = QLabel()
        self.working_label.setAccessibleName("Work in progress")
        self.statusBar().addWidget(self.db_label, 1)
        self.statusBar().addPermanentWidget(self.working_label)
        self.statusBar().addPermanentWidget(self.user_label)

    def _action(self, text: str, slot: Callable[[], object], shortcut: str | QKeySequence | None = None,
                tip: str = "") -> QAction:
        action = QAction(text, self)
        if shortcut:
            action.setShortcut(QKeySequence(shortcut))
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
            view_menu.addAction(self._action(f"&{n} {section}", lambda n=n: self.show_section(n - 1), f"Ctrl+{n}"))
        help_menu = self.menuBar().addMenu("&Help")
        help_menu.addAction(self.shortcuts_action)
        help_menu.addAction(about)
        toolbar = QToolBar("Main toolbar")
        toolbar.setObjectName("mainToolbar")
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        for a in (self.new_phone_action, self.new_post_action, self.import_action):
            toolbar.addAction(a)
        self.addToolBar(toolbar)

    # sections ------------------------------------------------------------------------------------
    def show_section(self, index: int) -> None:
        """Ctrl+1 to Ctrl+8 (and every other way in): the section, with focus on its first control."""
        self.navigation.setCurrentRow(index)
        self._focus_section()

    def _show_page(self, index: int) -> None:
        if index >= 2:
            self.section_page(SECTIONS[index])
        self.pages.setCurrentIndex(index)
        if not self.navigation.hasFocus() and not self._quiet:  # arrowing through the sections stays there
            self._focus_section()

    def _focus_section(self) -> None:
        if self.pages.currentIndex() == 1 and self.cases_section.currentIndex() == 0:
            self.find_case()  # the case list opens ready to type a name or reference
        else:
            focus_first(self.pages.currentWidget())

    # keys for the whole window -------------------------------------------------------------------
    def current_view(self) -> QWidget | None:
        """What F5 refreshes and Ctrl+W closes: the current tab of a section, or the section's page."""
        page = self.pages.currentWidget()
        if page in (self.applications, self.cases_section):
            return page.currentWidget()  # type: ignore[attr-defined]
        return page

    def find_case(self) -> None:
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
        found += [self.cases_section.widget(i) for i in range(1, self.cases_section.count())]
        found += list(self._sections.values())
        return found

    def apply_changes(self, changes: Changes) -> None:
        """Each view that shows something an operation changed refreshes that, and nothing more."""
        for view in self.views():
            apply = getattr(view, "apply_changes", None)
            if callable(apply):
                apply(changes)
        if changes.touches(Part.AGENCIES):
            self._reload_directory()

    def check_others(self) -> None:
        """Ask the server what was saved since this window last looked (F5, and on regaining focus)."""
        if self._checking:
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
        if page is self.applications and isinstance(self.applications.currentWidget(), ApplicationForm):
            self.applications.tabCloseRequested.emit(self.applications.currentIndex())
            return True
        if page is self.cases_section and self.cases_section.currentIndex() > 0:
            self._close_case_tab(self.cases_section.currentIndex())
            return True
        self.statusBar().showMessage("There is no application or case tab open here to close.", 4000)
        return False

    def show_shortcuts(self) -> None:
        from ui.views.shortcuts_dialog import ShortcutsDialog
        ShortcutsDialog(self).exec()

    def section_page(self, section: str) -> QWidget:
        """The page of a section, built (and its module imported) the first time it is wanted."""
        if section in self._sections:
            return self._sections[section]
        page = self._build_section(section)
        index = SECTIONS.index(section)
        placeholder = self.pages.widget(index)
        self.pages.insertWidget(index, page)
        self.pages.removeWidget(placeholder)
        placeholder.deleteLater()
        self._sections[section] = page
        return page

    def _build_section(self, section: str) -> QWidget:
        if section == "Panel meetings":
            from ui.views.panels.page import PanelsPage
            panels = PanelsPage(self.ctx, self.dialogs)
            panels.cases_changed.connect(self._refresh_cases)
            return panels
        if section == "Letters":
            from ui.views.letters_page import LettersPage
            letters = LettersPage(self.ctx, self.dialogs)
            letters.open_case = self.open_case
            return letters
        if section == "Reports":
            from ui.views.reports import ReportsPage
            reports = ReportsPage(self.ctx, self.dialogs)
            reports.cases_changed.connect(self._refresh_cases)
            return reports
        if section == "Agencies":
            from ui.views.agencies import AgenciesPage
            agencies = AgenciesPage(self.ctx, self.dialogs)
            agencies.directory_changed.connect(self._reload_directory)
            agencies.cases_changed.connect(self._refresh_cases)
            return agencies
        if section == "Data protection":
            from ui.views.data_protection import DataProtectionPage
            protection = DataProtectionPage(self.ctx, self.dialogs)
            protection.cases_changed.connect(self._refresh_cases)
            return protection
        if section == "Settings":
            from ui.views.settings_page import SettingsPage
            return SettingsPage(self.ctx, self.dialogs)
        return NotBuiltPage(section, NOT_BUILT.get(section, ""))

    @property
    def panels_page(self):  # noqa: ANN201 - the page classes are imported lazily
        return self.section_page("Panel meetings")

    @property
    def letters_page(self):  # noqa: ANN201
        return self.section_page("Letters")

    @property
    def reports_page(self):  # noqa: ANN201
        return self.section_page("Reports")

    @property
    def agencies_page(self):  # noqa: ANN201
        return self.section_page("Agencies")

    @property
    def data_protection_page(self):  # noqa: ANN201
        return self.section_page("Data protection")

    @property
    def settings_page(self):  # noqa: ANN201
        return self.section_page("Settings")

    def new_telephone_application(self) -> ApplicationForm:
        return self._open_form("telephone")

    def new_postal_application(self) -> ApplicationForm:
        return self._open_form("post")

    def _open_form(self, mode: str) -> ApplicationForm:
        form = ApplicationForm(self.ctx, self.dialogs, self.directory, mode)
        form.case_saved.connect(self._case_saved)
        self._quiet = True  # focus goes straight to the form's first field, not first to the section
        try:
            self.navigation.setCurrentRow(0)
        finally:
            self._quiet = False
        self.applications.add_form(form)
        return form

    def offer_set_up(self) -> bool:
        """On an empty database: the short set-up, or demo data to explore."""
        if not needs_set_up(self.ctx):
            return False
        dialog = FirstRunDialog(self.ctx, self)
        dialog.exec()
        if dialog.loaded_demo:
            self._refresh_cases()
        return True

    def restore_drafts(self) -> int:
        """Open every autosaved application of this user, so that a crash loses nothing."""
        restored = 0
        for draft in list_drafts(self.ctx):
            if not draft.kind.startswith("application-"):
                continue
            form = self._open_form(draft.kind.removeprefix("application-"))
            form.restore(draft.payload)
            form.draft_id = draft.id
            form.show_banner(f"Restored an application that was not saved (last autosaved "
                             f"{uk_time(draft.updated_at)}). Save it, or close the tab to discard it.",
                             "warn")
            restored += 1
        # Copies written while the database could not be reached: back into forms, then the database
        # (not for a user who may not create cases: they make no drafts and are shown none).
        local = sorted(local_drafts_dir().glob("application-*.json")) if self.ctx.may(Permission.CHANGE_CASES) else []
        for path in local:
            try:
                payload = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                continue
            form = self._open_form(str(payload.get("mode") or "telephone"))
            form.restore(payload)
            form.local_draft = path
            form.autosave(force=True)  # moves it into the database when it can be reached
            form.show_banner("Restored an application that was kept on this computer while the database "
                             "could not be reached. Save it, or close the tab to discard it.", "warn")
            restored += 1
        return restored

    def import_online_applications(self) -> None:
        files = self.dialogs.open_files("Import online applications", "Application files (*.json)")
        if not files:
            return
        dialog = ImportDialog(self.ctx, files, self)
        if dialog.exec() and dialog.result_report:
            self.dialogs.info("Imported", f"{len(dialog.result_report.created)} application(s) imported:\n"
                              + dialog.created_text())
            self._refresh_cases()

    def _reload_directory(self) -> None:
        """New application forms match 'reported to' against the edited directory."""
        self.directory = AgencyDirectory(list_agencies(self.ctx))

    def _ask_csv_path(self, suggested: str) -> str | None:
        path = self.dialogs.save_file("Export view to CSV", suggested, "CSV files (*.csv)")
        return str(path) if path else None

    def new_agency_started_review(self) -> None:
        from ui.views.agency_started_dialog import agency_started_dialog
        dialog = agency_started_dialog(self.ctx, self)
        if dialog.exec() and dialog.result_value is not None:
            self.open_case(dialog.result_value.id)  # type: ignore[attr-defined]

    def open_case(self, case_id: int) -> QWidget:
        """Open (or bring forward) the case page, from which the whole review is run."""
        from ui.views.case_page.page import CasePage
        self.show_section(1)
        for index in range(1, self.cases_section.count()):
            page = self.cases_section.widget(index)
            if isinstance(page, CasePage) and page.case_id == case_id:
                self.cases_section.setCurrentIndex(index)
                page.reload()
                return page
        page = CasePage(self.ctx, self.dialogs, case_id)
        page.case_changed.connect(lambda _id: self._refresh_cases())
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
            page.deleteLater()
            if self.cases_section.currentIndex() == 0:
                self.find_case()

    def _case_tab_changed(self, index: int) -> None:
        if index == 0 and self.pages.currentIndex() == 1 and not self.cases_section.tabBar().hasFocus():
            self.find_case()

    def _case_saved(self, _case_id: int, _reference: str) -> None:
        self._refresh_cases()

    def _refresh_cases(self) -> None:
        refresh = getattr(self.cases_page, "refresh", None)
        if callable(refresh):
            refresh()

    def _may_close_form(self, form: ApplicationForm) -> bool:
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
                          f"Database: {self.choice.describe()}")

    # geometry ------------------------------------------------------------------------------------
    def _restore_geometry(self) -> None:
        geometry = self.qsettings.value("main/geometry")
        if isinstance(geometry, QByteArray) and not geometry.isEmpty():
            self.restoreGeometry(geometry)
        else:
            room = available(self)
            fit_to_screen(self, 1280, 800)
            if room.width() <= SMALL_SCREEN.width() or room.height() <= SMALL_SCREEN.height():
                self.setWindowState(Qt.WindowState.WindowMaximized)  # a laptop: every pixel counts
        state = self.qsettings.value("main/state")
        if isinstance(state, QByteArray):
            self.restoreState(state)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt API
        for form in self.applications.forms():
            form.autosave(force=True)  # unsaved applications come back next time
        self.tasks.shutdown(wait=True)  # a save on its way lands before the window goes
        self.qsettings.setValue("main/geometry", self.saveGeometry())
        self.qsettings.setValue("main/state", self.saveState())
        super().closeEvent(event)
