"""The Settings section: letterhead details, your own details, deadlines and closure days, users.

What the page shows is read off the UI thread (`ui.tasks`) and each Save is one operation. A
refresh after a change (the page's own or another user's) fills only the parts nobody has typed
in since they were shown, so that saving one part never throws away typing in another.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QFormLayout, QGroupBox, QHBoxLayout, QLabel, QPlainTextEdit, QPushButton, QScrollArea,
                               QSpinBox, QVBoxLayout, QWidget)

from app.domain.clocks import CLOCK_LABELS, ClockSettings, Clock
from app.domain.dates import parse_uk_or_iso, uk
from app.domain.roles import Permission, Role
from app.domain.settings import Settings
from app.services.admin import settings
from app.services.common.context import ServiceContext
from app.services.common.errors import ServiceError, ValidationFailed, in_words
from app.services.common.ops import Changes, Part
from app.services.trust import users
from app.services.trust.users import UserInfo
from ui.dialogs import DialogService
from ui.tasks import Tasks
from ui.views.case_page.common import button, button_row, heading, selected_key, table
from ui.views.case_page.step_dialog import StepDialog, StepField
from ui.views.rules_form import RulesForm
from ui.views.settings_forms import CouncilForm, MyDetailsForm

_CLOCK_KEYS: dict[str, str] = {c.value: CLOCK_LABELS[c] for c in Clock if c.value in asdict(ClockSettings())}
_OTHER_CLOCKS = {"delay_prompt": "Prompt for a delay letter (days before)",
                 "keep_informed": "Update the applicant at least every", "due_soon": "'Due soon' within"}


@dataclass(frozen=True)
class SettingsShown:
    """What the page shows, read in one go on a worker."""
    settings: Settings
    me: tuple[str, str, str]  # name, phone, email
    job_title: str
    users: list[UserInfo]


def read_settings(ctx: ServiceContext) -> SettingsShown:
    """On a worker: the settings as saved now (another user may have changed them), your details, the users."""
    return SettingsShown(ctx.reload_settings(), settings.my_details(ctx), settings.my_job_title(ctx), users.list_users(ctx))


class SettingsPage(QScrollArea):
    def __init__(self, ctx: ServiceContext, dialogs: DialogService, parent: QWidget | None = None, *,
                 tasks: Tasks | None = None) -> None:
        super().__init__(parent)
        self.ctx, self.dialogs = ctx, dialogs
        self.tasks = tasks or Tasks.instance()
        self.setAccessibleName("Settings")
        self.setWidgetResizable(True)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # a frame: Tab goes to the fields
        self.may_edit = ctx.may(Permission.EDIT_SETTINGS)
        self._users: list[UserInfo] = []
        self._deadlines_shown: tuple[dict[str, int], str] | None = None
        self._working_label: QLabel | None = None  # beside the button whose operation waits
        self._free = True  # no operation of the page is waiting
        self.loaded = False
        body = QWidget()
        layout = QVBoxLayout(body)
        layout.addWidget(heading("Settings"))
        self.loading = QLabel("Loading…")
        self.loading.setAccessibleName("Settings status")
        layout.addWidget(self.loading)
        # Built empty and filled once read; closed to typing until then, so nothing typed is put over.
        self.council = CouncilForm()
        self.council.setEnabled(False)
        layout.addWidget(self.council)
        self.council_button = button("Save council &details", self.save_council, "Save council details")
        layout.addWidget(self._row(self.council_button))
        self.me = MyDetailsForm()
        self.me.setEnabled(False)
        layout.addWidget(self.me)
        self.me_button = button("Save &your details", self.save_me, "Save your details")
        layout.addWidget(self._row(self.me_button))
        self.deadlines = QGroupBox("Deadlines (working days) and closure days")
        form = QFormLayout(self.deadlines)
        self.spins: dict[str, QSpinBox] = {}
        for key, value in asdict(ClockSettings()).items():
            if not isinstance(value, int):
                continue  # what a clock runs from and its unit are set by name (`settings set`)
            spin = QSpinBox()
            spin.setRange(1, 60)
            label = _CLOCK_KEYS.get(key) or _OTHER_CLOCKS.get(key, key)
            caption = QLabel(label)
            caption.setBuddy(spin)
            spin.setAccessibleName(label)
            form.addRow(caption, spin)
            self.spins[key] = spin
        self.closures = QPlainTextEdit()
        self.closures.setTabChangesFocus(True)
        self.closures.setFixedHeight(80)
        self.closures.setAccessibleName("Closure days")
        caption = QLabel("Closure days (one dd/mm/yyyy per line)")
        caption.setBuddy(self.closures)
        form.addRow(caption, self.closures)
        self.deadlines.setEnabled(False)
        layout.addWidget(self.deadlines)
        self.deadlines_button = button("Save dead&lines", self.save_deadlines, "Save deadlines")
        layout.addWidget(self._row(self.deadlines_button))
        self.rules = RulesForm(ctx, dialogs, tasks=self.tasks)
        layout.addWidget(self.rules)
        layout.addWidget(heading("Users"))
        self.users, self.users_model = table(["Login", "Name", "Role", "Active"], "Users")
        layout.addWidget(self.users)
        self.user_button = button("&Add or change a user…", self.edit_user, "Add or change a user")
        layout.addWidget(self._row(self.user_button))
        layout.addStretch(1)
        self.setWidget(body)
        self._buttons = [self.council_button, self.me_button, self.deadlines_button, self.user_button]
        self._enable_buttons(True)
        self.refresh()

    def _row(self, save: QPushButton) -> QWidget:
        row = button_row(save)
        working = QLabel()
        working.setAccessibleName(f"{save.accessibleName()}: progress")
        save.setProperty("working_label", working)
        row_layout = row.layout()
        if isinstance(row_layout, QHBoxLayout):
            row_layout.insertWidget(1, working)
        return row

    # reading ----------------------------------------------------------------------------------------
    def refresh(self) -> None:
        """Read what the page shows; parts typed in since they were shown are left as they are."""
        self.tasks.query(read_settings, self.ctx, on_done=self._show, on_error=self._read_failed, owner=self,
                         key=f"settings-{id(self)}", what="read the settings")

    def apply_changes(self, changes: Changes) -> None:
        """After any operation: read again what it made stale (settings, users), and nothing otherwise."""
        if changes.touches(Part.SETTINGS, Part.USERS):
            self.refresh()
        self.rules.apply_changes(changes)

    def _show(self, shown: SettingsShown) -> None:
        first = not self.loaded
        self.loaded = True
        self.loading.setVisible(False)
        current = shown.settings
        if first or not self.council.edited():
            self.council.show_council(current.council)
        name, phone, email = shown.me
        if first or not self.me.edited():
            self.me.show_details(name, phone, email, shown.job_title)
        if first or not self._deadlines_edited():
            clocks = asdict(current.clocks)
            for key, spin in self.spins.items():
                spin.setValue(int(clocks[key]))
            self.closures.setPlainText("\n".join(uk(d) for d in current.closure_days))
            self._deadlines_shown = self._deadline_values()
        self.council.setEnabled(self.may_edit)
        self.deadlines.setEnabled(self.may_edit)
        self.me.setEnabled(True)
        self._enable_buttons(self._free)
        self._users = shown.users
        self.users_model.set_rows([[u.login, u.display_name, u.role.label, "Yes" if u.active else "No"]
                                   for u in shown.users], [u.login for u in shown.users])

    def _read_failed(self, exc: BaseException) -> bool:
        if isinstance(exc, ServiceError):
            self.loading.setText(f"⚠ {in_words(exc)}")
            self.loading.setVisible(True)
            return True
        return False

    def _deadline_values(self) -> tuple[dict[str, int], str]:
        return {k: s.value() for k, s in self.spins.items()}, self.closures.toPlainText()

    def _deadlines_edited(self) -> bool:
        return self._deadlines_shown is not None and self._deadline_values() != self._deadlines_shown

    # saving -----------------------------------------------------------------------------------------
    def show_working(self, text: str) -> None:
        """Called by the task runner: "Saving: …" beside the button pressed while its operation waits.

        Every Save waits with it (they write the same settings); the fields stay open for typing.
        """
        if self._working_label is not None:
            self._working_label.setText(text)
        self._enable_buttons(not text)

    def _enable_buttons(self, free: bool) -> None:
        self._free = free
        shown = free and self.loaded  # a form is saved only once what it shows has been read
        self.council_button.setEnabled(shown and self.may_edit)
        self.deadlines_button.setEnabled(shown and self.may_edit)
        self.me_button.setEnabled(shown)
        self.user_button.setEnabled(free and self.ctx.may(Permission.MANAGE_USERS))

    def _op(self, pressed: QPushButton, fn: Callable[..., object], *args: Any, what: str,
            on_done: Callable[[Any], None], on_error: Callable[[BaseException], bool], **kwargs: Any) -> None:
        label = pressed.property("working_label")
        self._working_label = label if isinstance(label, QLabel) else None
        self.tasks.op(fn, self.ctx, *args, on_done=on_done, on_error=on_error, owner=self, what=what, **kwargs)

    def _refused(self, exc: BaseException, form: CouncilForm | MyDetailsForm | None = None) -> bool:
        if isinstance(exc, ValidationFailed) and form is not None:
            form.show_problems(exc.problems)
            return True
        if isinstance(exc, ServiceError):
            self.dialogs.error("Not saved", in_words(exc))
            return True
        return False

    def save_council(self) -> None:
        if not self.council_button.isEnabled():
            return
        values = self.council.values()

        def saved(_result: object) -> None:
            self.council.show_problems([])
            self.council.mark_saved(values)
            self.dialogs.info("Saved", "The council's details are saved; new letters use them.")

        self._op(self.council_button, settings.save_council_details, values, what="save the council details",
                 on_done=saved, on_error=lambda exc: self._refused(exc, self.council))

    def save_me(self) -> None:
        if not self.me_button.isEnabled():
            return
        values = self.me.text_values()

        def saved(_result: object) -> None:
            self.me.show_problems([])
            self.me.mark_saved(dict(values))
            self.dialogs.info("Saved", "Your details are saved.")

        self._op(self.me_button, settings.save_my_details, what="save your details", on_done=saved,
                 on_error=lambda exc: self._refused(exc, self.me), **values)

    def save_deadlines(self) -> None:
        if not self.deadlines_button.isEnabled():
            return
        closures, bad = [], []
        for line in self.closures.toPlainText().splitlines():
            if line.strip():
                try:
                    closures.append(parse_uk_or_iso(line))
                except ValueError as exc:
                    bad.append(str(exc))
        if bad:
            self.dialogs.error("Not saved", "Closure days: " + "; ".join(bad))
            return
        shown = self._deadline_values()

        def saved(_result: object) -> None:
            self._deadlines_shown = shown
            self.dialogs.info("Saved", "Deadlines saved. Due dates of open cases are recalculated as they change.")

        self._op(self.deadlines_button, settings.save_deadlines, dict(shown[0]), closures, what="save the deadlines",
                 on_done=saved, on_error=lambda exc: self._refused(exc))

    def edit_user(self) -> None:
        if not self.user_button.isEnabled():
            return
        login = selected_key(self.users)
        user = next((u for u in self._users if u.login == login), None)
        ctx = self.ctx  # the action runs on a worker: plain values only
        dialog = StepDialog("Add or change a user", "Users sign in with their Windows login.", [
            StepField("login", "Login", default=login or ""),
            StepField("name", "Name", required=False, default=user.display_name if user else None),
            StepField("role", "Role", "choice", [(r.value, r.label) for r in Role],
                      default=(user.role if user else Role.OFFICER).value),
            StepField("active", "Active", "choice", [("yes", "Yes"), ("no", "No")],
                      default="yes" if user is None or user.active else "no")],
            lambda v: users.save_user(ctx, v["login"], display_name=v["name"], role=v["role"],
                                      active=v["active"] == "yes"), self, tasks=self.tasks)
        self.dialogs.run(dialog)  # done: its changes (Part.USERS) bring the list up to date
