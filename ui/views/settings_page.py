"""The Settings section: letterhead details, your own details, deadlines and closure days, users."""
from __future__ import annotations

from dataclasses import asdict

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QFormLayout, QGroupBox, QLabel, QPlainTextEdit, QScrollArea, QSpinBox,
                               QVBoxLayout, QWidget)

from app.domain.clocks import CLOCK_LABELS, Clock
from app.domain.dates import parse_uk_or_iso, uk
from app.domain.roles import Permission, Role
from app.services.admin import settings
from app.services.trust import users
from app.services.common.context import ServiceContext
from app.services.common.errors import ServiceError, ValidationFailed
from ui.dialogs import DialogService
from ui.views.case_page.common import button, button_row, heading, selected_key, table
from ui.views.case_page.step_dialog import StepDialog, StepField
from ui.views.rules_form import RulesForm
from ui.views.settings_forms import CouncilForm, MyDetailsForm

_CLOCK_KEYS = {c.value: CLOCK_LABELS[c] for c in Clock if c.value in asdict(settings.ClockSettings())}


class SettingsPage(QScrollArea):
    def __init__(self, ctx: ServiceContext, dialogs: DialogService, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx, self.dialogs = ctx, dialogs
        self.setAccessibleName("Settings")
        self.setWidgetResizable(True)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # a frame: Tab goes to the fields
        body = QWidget()
        layout = QVBoxLayout(body)
        layout.addWidget(heading("Settings"))
        self.council = CouncilForm(ctx.settings().council)
        self.council.setEnabled(ctx.may(Permission.EDIT_SETTINGS))
        layout.addWidget(self.council)
        layout.addWidget(button_row(button("Save council &details", self.save_council, "Save council details")))
        name, phone, email = settings.my_details(ctx)
        self.me = MyDetailsForm(name, phone, email, job_title=settings.my_job_title(ctx))
        layout.addWidget(self.me)
        layout.addWidget(button_row(button("Save &your details", self.save_me, "Save your details")))
        deadlines = QGroupBox("Deadlines (working days) and closure days")
        form = QFormLayout(deadlines)
        clocks = asdict(ctx.settings().clocks)
        self.spins: dict[str, QSpinBox] = {}
        for key, value in clocks.items():
            if not isinstance(value, int):
                continue  # what a clock runs from and its unit are set by name (`settings set`)
            spin = QSpinBox()
            spin.setRange(1, 60)
            spin.setValue(int(value))
            label = _CLOCK_KEYS.get(key) or {"delay_prompt": "Prompt for a delay letter (days before)",
                                               "keep_informed": "Update the applicant at least every",
                                               "due_soon": "'Due soon' within"}.get(key, key)
            caption = QLabel(label)
            caption.setBuddy(spin)
            spin.setAccessibleName(label)
            form.addRow(caption, spin)
            self.spins[key] = spin
        self.closures = QPlainTextEdit("\n".join(uk(d) for d in ctx.settings().closure_days))
        self.closures.setTabChangesFocus(True)
        self.closures.setFixedHeight(80)
        self.closures.setAccessibleName("Closure days")
        caption = QLabel("Closure days (one dd/mm/yyyy per line)")
        caption.setBuddy(self.closures)
        form.addRow(caption, self.closures)
        deadlines.setEnabled(ctx.may(Permission.EDIT_SETTINGS))
        layout.addWidget(deadlines)
        layout.addWidget(button_row(button("Save dead&lines", self.save_deadlines, "Save deadlines")))
        self.rules = RulesForm(ctx, dialogs)
        layout.addWidget(self.rules)
        layout.addWidget(heading("Users"))
        self.users, self.users_model = table(["Login", "Name", "Role", "Active"], "Users")
        layout.addWidget(self.users)
        layout.addWidget(button_row(button("&Add or change a user…", self.edit_user, "Add or change a user")))
        layout.addStretch(1)
        self.setWidget(body)
        self.refresh_users()

    def refresh_users(self) -> None:
        rows = users.list_users(self.ctx)
        self.users_model.set_rows([[u.login, u.display_name, u.role.label, "Yes" if u.active else "No"] for u in rows],
                                  [u.login for u in rows])

    def save_council(self) -> None:
        try:
            settings.save_council_details(self.ctx, self.council.values())
        except ValidationFailed as exc:
            self.council.show_problems(exc.problems)
            return
        except ServiceError as exc:
            self.dialogs.error("Not saved", str(exc))
            return
        self.council.show_problems([])
        self.dialogs.info("Saved", "The council's details are saved; new letters use them.")

    def save_me(self) -> None:
        try:
            settings.save_my_details(self.ctx, **self.me.values())
        except ValidationFailed as exc:
            self.me.show_problems(exc.problems)
            return
        self.me.show_problems([])
        self.refresh_users()
        self.dialogs.info("Saved", "Your details are saved.")

    def save_deadlines(self) -> None:
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
        try:
            settings.save_deadlines(self.ctx, {k: s.value() for k, s in self.spins.items()}, closures)
        except ServiceError as exc:
            self.dialogs.error("Not saved", str(exc))
            return
        self.dialogs.info("Saved", "Deadlines saved. Due dates of open cases are recalculated as they change.")

    def edit_user(self) -> None:
        login = selected_key(self.users)
        dialog = StepDialog("Add or change a user", "Users sign in with their Windows login.", [
            StepField("login", "Login", default=login or ""), StepField("name", "Name", required=False),
            StepField("role", "Role", "choice", [(r.value, r.label) for r in Role], default=Role.OFFICER.value),
            StepField("active", "Active", "choice", [("yes", "Yes"), ("no", "No")])],
            lambda v: users.save_user(self.ctx, v["login"], display_name=v["name"], role=v["role"],
                                      active=v["active"] == "yes"), self)
        if dialog.exec():
            self.refresh_users()
