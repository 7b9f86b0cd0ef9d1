"""The first start on an empty database: a short set-up, or demo data to explore."""
from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QPushButton, QVBoxLayout, QWidget

from app.domain.roles import Permission
from app.services.admin import settings
from app.services.common.context import ServiceContext
from app.services.common.errors import ServiceError, ValidationFailed
from ui.views.settings_forms import CouncilForm, MyDetailsForm

DEMO_CASES = 300


class FirstRunDialog(QDialog):
    def __init__(self, ctx: ServiceContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.loaded_demo = False
        self.setWindowTitle("Welcome to Community Trigger Case Manager")
        layout = QVBoxLayout(self)
        intro = QLabel("This database is new. Check the council's details (they head every letter) and give "
                       "your own, or load made-up cases to explore the app first.")
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.message = QLabel()
        self.message.setObjectName("fieldError")
        self.message.setWordWrap(True)
        self.message.setVisible(False)
        layout.addWidget(self.message)
        self.council = CouncilForm(ctx.settings().council)
        self.council.setEnabled(ctx.may(Permission.EDIT_SETTINGS))
        name, phone, email = settings.my_details(ctx)
        self.me = MyDetailsForm("" if name == ctx.actor else name, phone, email, job_title=settings.my_job_title(ctx))
        layout.addWidget(self.council)
        layout.addWidget(self.me)
        buttons = QDialogButtonBox()
        self.save_button = buttons.addButton("&Save and start", QDialogButtonBox.ButtonRole.AcceptRole)
        self.demo_button = QPushButton(f"Load &demo data ({DEMO_CASES} made-up cases)")
        buttons.addButton(self.demo_button, QDialogButtonBox.ButtonRole.ActionRole)
        later = buttons.addButton("&Later", QDialogButtonBox.ButtonRole.RejectRole)
        for b in (self.save_button, self.demo_button, later):
            b.setAccessibleName(b.text().replace("&", ""))
        self.save_button.clicked.connect(self.save)
        self.demo_button.clicked.connect(self.load_demo)
        later.clicked.connect(self.reject)
        layout.addWidget(buttons)

    def save(self) -> bool:
        problems = []
        try:
            if self.council.isEnabled():
                settings.save_council_details(self.ctx, self.council.values())
        except ValidationFailed as exc:
            self.council.show_problems(exc.problems)
            problems += exc.problems
        try:
            settings.save_my_details(self.ctx, **self.me.values())
        except ValidationFailed as exc:
            self.me.show_problems(exc.problems)
            problems += exc.problems
        except ServiceError as exc:
            self.message.setText(f"⚠ {exc}")
            self.message.setVisible(True)
            return False
        if problems:
            self.message.setText("⚠ Not saved yet: put right what is marked below. Nothing you typed is lost.")
            self.message.setVisible(True)
            return False
        settings.mark_set_up(self.ctx)
        self.accept()
        return True

    def load_demo(self) -> None:
        from app.services.demo.generate import generate_demo_cases
        generate_demo_cases(self.ctx, DEMO_CASES)
        self.loaded_demo = True
        self.message.setText(f"{DEMO_CASES} made-up cases loaded. You can still set up the details now, or later "
                             "from Settings.")
        self.message.setObjectName("hint")
        self.message.setVisible(True)
        self.demo_button.setEnabled(False)
