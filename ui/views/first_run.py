"""The first start on an empty database: a short set-up, or demo data to explore.

The details are read off the UI thread, and "Save and start" is one operation (the council's
details, yours and the mark that set-up is done, all or nothing); the dialog stays open saying
"Saving…" until the answer comes, with every problem shown by its field.
"""
from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QPushButton, QVBoxLayout, QWidget

from app.domain.roles import Permission
from app.domain.settings import CouncilDetails
from app.services.admin import settings
from app.services.common.context import ServiceContext
from app.services.common.errors import ServiceError, ValidationFailed, in_words
from app.services.common.ops import CASE_PARTS, Changes, Done, Part
from ui.tasks import Tasks
from ui.views.settings_forms import CouncilForm, MyDetailsForm
from ui.style import look

DEMO_CASES = 300


@dataclass(frozen=True)
class SetUpShown:
    council: CouncilDetails
    me: tuple[str, str, str]
    job_title: str


def read_set_up(ctx: ServiceContext) -> SetUpShown:
    """On a worker: the council's details and the user's own, as they stand."""
    return SetUpShown(ctx.settings().council, settings.my_details(ctx), settings.my_job_title(ctx))


def load_demo_cases(ctx: ServiceContext, count: int) -> Done:
    """On a worker: made-up cases, saying that every list is stale (the demo returns only a count).

    Not a progress bar: the demo service reports progress by a plain callback, not `Progress`,
    and 300 cases are one batch.
    """
    from app.services.demo.generate import generate_demo_cases  # only when asked for: a large module
    made = generate_demo_cases(ctx, count)
    return Done(Changes(parts=CASE_PARTS | {Part.MEETINGS, Part.REPORTS}, all_cases=True),
                f"{made} made-up cases loaded.", made)


class FirstRunDialog(QDialog):
    def __init__(self, ctx: ServiceContext, parent: QWidget | None = None, *, tasks: Tasks | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.tasks = tasks or Tasks.instance()
        self.loaded_demo = False
        self.busy = False
        self.setWindowTitle("Welcome to Community Trigger Case Manager")
        layout = QVBoxLayout(self)
        intro = QLabel("This database is new. Check the council's details (they head every letter) and give "
                       "your own, or load made-up cases to explore the app first.")
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.message = QLabel()
        look(self.message, "fieldError")
        self.message.setWordWrap(True)
        self.message.setVisible(False)
        self.message.setAccessibleName("Set-up message")
        layout.addWidget(self.message)
        # Built empty and closed to typing until the details have been read, so nothing typed is put over.
        self.may_edit = ctx.may(Permission.EDIT_SETTINGS)
        self.council = CouncilForm()
        self.council.setEnabled(False)
        self.me = MyDetailsForm()
        self.me.setEnabled(False)
        layout.addWidget(self.council)
        layout.addWidget(self.me)
        buttons = QDialogButtonBox()
        self.save_button = buttons.addButton("&Save and start", QDialogButtonBox.ButtonRole.AcceptRole)
        self.demo_button = QPushButton(f"Load &demo data ({DEMO_CASES} made-up cases)")
        buttons.addButton(self.demo_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.later_button = buttons.addButton("&Later", QDialogButtonBox.ButtonRole.RejectRole)
        for b in (self.save_button, self.demo_button, self.later_button):
            b.setAccessibleName(b.text().replace("&", ""))
        self.save_button.clicked.connect(self.save)
        self.demo_button.clicked.connect(self.load_demo)
        self.later_button.clicked.connect(self.reject)
        self.save_button.setEnabled(False)
        layout.addWidget(buttons)
        self.tasks.query(read_set_up, ctx, on_done=self._show, on_error=self._failed_read, owner=self,
                         key=f"set-up-{id(self)}", what="read the council's details")

    def _show(self, shown: SetUpShown) -> None:
        name, phone, email = shown.me
        self.council.show_council(shown.council)
        self.me.show_details("" if name == self.ctx.actor else name, phone, email, shown.job_title)
        self.council.setEnabled(self.may_edit)
        self.me.setEnabled(True)
        self.save_button.setEnabled(not self.busy)

    def _failed_read(self, exc: BaseException) -> bool:
        self._say(f"⚠ {in_words(exc)}")
        return isinstance(exc, ServiceError)

    def _say(self, text: str, kind: str = "fieldError") -> None:
        self.message.setText(text)
        self.message.setObjectName(kind)
        self.message.style().unpolish(self.message)
        self.message.style().polish(self.message)
        self.message.setVisible(bool(text))

    # the operations ---------------------------------------------------------------------------------
    def show_working(self, text: str) -> None:
        """Called by the task runner: "Saving: …" while an operation waits; every button waits with it."""
        self.busy = bool(text)
        if text:
            self._say(text, "hint")
        elif self.message.text().startswith("Saving"):
            self._say("")  # the answer says what happened (or the error dialog does)
        for b in (self.save_button, self.demo_button, self.later_button):
            b.setEnabled(not text)
        if not text:
            self.save_button.setEnabled(self.me.isEnabled())
            self.demo_button.setEnabled(not self.loaded_demo)

    def reject(self) -> None:
        if self.busy:  # the operation is on its way: closing now would hide its answer
            return
        super().reject()

    def save(self) -> None:
        if self.busy or not self.me.isEnabled():
            return
        council = self.council.values() if self.council.isEnabled() else None
        self.council.show_problems([])
        self.me.show_problems([])
        self.tasks.op(settings.complete_set_up, self.ctx, council, self.me.text_values(), on_done=self._saved,
                      on_error=self._refused, owner=self, what="save the set-up")

    def _saved(self, _result: object) -> None:
        self._say("")
        self.accept()

    def _refused(self, exc: BaseException) -> bool:
        if isinstance(exc, ValidationFailed):
            mine = [p for p in exc.problems if p.field.startswith(settings.MY_FIELD)]
            theirs = [p for p in exc.problems if p.field.startswith(settings.COUNCIL_FIELD)]
            self.council.show_problems([type(p)(p.field.removeprefix(settings.COUNCIL_FIELD), p.message)
                                        for p in theirs])
            self.me.show_problems([type(p)(p.field.removeprefix(settings.MY_FIELD), p.message) for p in mine])
            others = [p.message for p in exc.problems if p not in mine and p not in theirs]
            self._say("⚠ Not saved yet: put right what is marked below. Nothing you typed is lost."
                      + "".join(f" {m[:1].upper()}{m[1:]}." for m in others))
            return True
        if isinstance(exc, ServiceError):
            self._say(f"⚠ {in_words(exc)}")
            return True
        return False

    def load_demo(self) -> None:
        if self.busy or self.loaded_demo:
            return
        self.tasks.op(load_demo_cases, self.ctx, DEMO_CASES, on_done=self._demo_loaded, on_error=self._refused,
                      owner=self, what="load the demo data")

    def _demo_loaded(self, _result: object) -> None:
        self.loaded_demo = True
        self._say(f"{DEMO_CASES} made-up cases loaded. You can still set up the details now, or later from "
                  "Settings.", "hint")
        self.demo_button.setEnabled(False)
