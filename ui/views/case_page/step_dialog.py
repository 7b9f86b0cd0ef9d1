"""A small keyboard-first form for one workflow step; service problems are shown next to the field."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (QCheckBox, QComboBox, QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit,
                               QPlainTextEdit, QVBoxLayout, QWidget)

from app.domain.dates import parse_uk_or_iso, uk
from app.services.common.errors import Conflict, ServiceError, ValidationFailed, in_words
from ui.focus import announce, show_message
from ui.mnemonics import with_mnemonic
from ui.screen import ContentScrollArea, fit_to_content
from ui.tasks import Tasks
from ui.views.type_ahead import TypeAheadCombo
from ui.style import look


# What a date field expects, shown under it (and said with it): dates are typed, never picked.
_FORMATS = {"date": "dd/mm/yyyy", "datetime": "dd/mm/yyyy hh:mm"}


@dataclass
class StepField:
    key: str
    label: str
    kind: str = "text"  # text, date, datetime, choice, long, tick
    choices: list[tuple[str, str]] = field(default_factory=list)
    default: Any = None
    required: bool = True
    hint: str = ""
    suggest: Callable[[str], list[str]] | None = None  # a choice's type-ahead beyond its text (initials)


class StepDialog(QDialog):
    """Collects values, runs `action(values)` as one operation off the UI thread.

    While it runs the dialog says "Saving…" and its buttons wait; on success it closes with the
    operation's result in `result_value`; on a problem it stays open with everything typed and the
    problem next to its field. `action` runs on a worker: it may use the values and the context,
    never a widget.
    """

    def __init__(self, title: str, intro: str, fields: list[StepField],
                 action: Callable[[dict[str, Any]], object], parent: QWidget | None = None, *,
                 tasks: Tasks | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.action = action
        self.tasks = tasks or Tasks.instance()
        self.busy = False
        self.result_value: object = None
        self.specs = {f.key: f for f in fields}
        self.inputs: dict[str, QWidget] = {}
        self.errors: dict[str, QLabel] = {}
        self.hints: dict[str, QLabel] = {}  # the format under a date, shown and said with the field
        layout = QVBoxLayout(self)
        # The problem with the whole step, or "Saving…": above the form, always in view.
        self.message = QLabel()
        look(self.message, "fieldError")
        self.message.setWordWrap(True)
        self.message.setVisible(False)
        layout.addWidget(self.message)
        # The intro and the form scroll (a long form on a laptop's screen is never cut off); the
        # focused field is kept in view by ui.focus, as in every scroll area of the app.
        body = QWidget()
        content = QVBoxLayout(body)
        content.setContentsMargins(0, 0, 0, 0)
        if intro:
            text = QLabel(intro)
            text.setWordWrap(True)
            content.addWidget(text)
        self.intro = intro
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        content.addLayout(form)
        content.addStretch(1)
        self.form_scroll = ContentScrollArea(body)
        self.form_scroll.setAccessibleName(title)
        layout.addWidget(self.form_scroll, 1)
        taken = {"r"}  # Alt+R records; Escape cancels
        for spec in fields:
            widget = self._make(spec)
            caption = QLabel("" if spec.kind == "tick" else with_mnemonic(spec.label, taken) + (" *" if spec.required else ""))
            caption.setBuddy(widget)
            widget.setAccessibleName(spec.label)
            holder = QWidget()
            box = QVBoxLayout(holder)
            box.setContentsMargins(0, 0, 0, 0)
            box.setSpacing(2)
            box.addWidget(widget)
            fmt = _FORMATS.get(spec.kind)
            if fmt:
                hint = QLabel(f"Format: {fmt}")
                look(hint, "hint")
                hint.setWordWrap(True)
                box.addWidget(hint)
                self.hints[spec.key] = hint
            description = self._description(spec)
            if description:
                widget.setToolTip(description)
                widget.setAccessibleDescription(description)
            error = QLabel()
            look(error, "fieldError")
            error.setVisible(False)
            error.setWordWrap(True)
            box.addWidget(error)
            form.addRow(caption, holder)
            self.inputs[spec.key] = widget
            self.errors[spec.key] = error
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("&Record")
        buttons.button(QDialogButtonBox.StandardButton.Ok).setAccessibleName("Record")
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("Cancel")  # Escape; no letter to clash
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setAccessibleName("Cancel")
        buttons.accepted.connect(self.submit)
        buttons.rejected.connect(self.reject)
        self.buttons = buttons
        layout.addWidget(buttons)
        if fields:
            self.inputs[fields[0].key].setFocus()
        fit_to_content(self, 600)
        self._measured_shown = False

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt API
        # Measured again as shown: until then Qt has not laid the form out with its style, and the form
        # can come out a few pixels taller than measured, enough for a scroll bar that hides nothing.
        super().showEvent(event)
        if not self._measured_shown:
            self._measured_shown = True
            fit_to_content(self, self.width())

    def _description(self, spec: StepField) -> str:
        """What a screen reader says with the field: its hint, then the format shown under a date."""
        parts = [spec.hint] if spec.hint and spec.hint != _FORMATS.get(spec.kind) else []
        if spec.key in self.hints:
            parts.append(self.hints[spec.key].text())
        return ". ".join(p.rstrip(".") for p in parts)

    def _make(self, spec: StepField) -> QWidget:
        if spec.kind == "tick":
            box = QCheckBox(spec.label)
            box.setChecked(bool(spec.default))
            return box
        if spec.kind == "choice":
            combo = TypeAheadCombo(suggest=spec.suggest)
            for value, text in spec.choices:
                combo.addItem(text, value)
            if spec.default is not None:
                combo.setCurrentIndex(max(combo.findData(spec.default), 0))
            return combo
        if spec.kind == "long":
            edit = QPlainTextEdit()
            edit.setTabChangesFocus(True)
            edit.setPlainText(str(spec.default or ""))
            edit.setFixedHeight(80)
            return edit
        line = QLineEdit()
        if spec.kind == "date":
            line.setPlaceholderText("dd/mm/yyyy")
            if isinstance(spec.default, date):
                line.setText(uk(spec.default))
        elif spec.default is not None:
            line.setText(str(spec.default))
        if spec.kind == "datetime":
            line.setPlaceholderText("dd/mm/yyyy hh:mm")
        return line

    def set_value(self, key: str, value: str) -> None:
        widget = self.inputs[key]
        if isinstance(widget, QCheckBox):
            widget.setChecked(value in ("yes", "true", "1"))
        elif isinstance(widget, QComboBox):
            widget.setCurrentIndex(max(widget.findData(value), 0))
        elif isinstance(widget, QPlainTextEdit):
            widget.setPlainText(value)
        elif isinstance(widget, QLineEdit):
            widget.setText(value)

    def values(self) -> tuple[dict[str, Any], dict[str, str]]:
        out: dict[str, Any] = {}
        problems: dict[str, str] = {}
        for key, widget in self.inputs.items():
            spec = self.specs[key]
            if isinstance(widget, QCheckBox):
                out[key] = widget.isChecked()
                continue
            if isinstance(widget, QComboBox):
                raw: str = widget.currentData() or ""
            elif isinstance(widget, QPlainTextEdit):
                raw = widget.toPlainText().strip()
            else:
                raw = widget.text().strip()  # type: ignore[attr-defined]
            if not raw:
                if spec.required:
                    problems[key] = f"enter {spec.label.lower()}"
                out[key] = None if spec.kind == "date" else ""
                continue
            if spec.kind == "date":
                try:
                    out[key] = parse_uk_or_iso(raw)
                except ValueError as exc:
                    problems[key] = str(exc)
            else:
                out[key] = raw
        return out, problems

    def submit(self) -> None:
        if self.busy:
            return
        for key, label in self.errors.items():
            label.setVisible(False)
            self.inputs[key].setAccessibleDescription(self._description(self.specs[key]))
        self.message.setVisible(False)
        values, problems = self.values()
        if problems:
            self.show_problems(problems)
            return
        self._set_busy(True)
        self.tasks.op(self.action, values, on_done=self._done, on_error=self._failed, owner=self,
                      what=self.windowTitle().lower() or "record the step")

    def reject(self) -> None:
        if self.busy:  # the operation is already on its way: closing now would hide its answer
            return
        super().reject()

    def _set_busy(self, busy: bool) -> None:
        self.busy = busy
        for button in self.buttons.buttons():
            button.setEnabled(not busy)
        if busy:
            show_message(self.message, "Saving…", urgent=False)
        else:
            self.message.setVisible(False)

    def _done(self, result: object) -> None:
        self._set_busy(False)
        self.result_value = result
        self.accept()

    def _failed(self, exc: BaseException) -> bool:
        """Every problem is shown here, in the dialog, with what was typed kept."""
        self._set_busy(False)
        if isinstance(exc, ValidationFailed):
            self.show_problems({p.field: p.message for p in exc.problems})
            return True
        if not isinstance(exc, (Conflict, ServiceError)):
            from app.diagnostics import log_failure
            log_failure(exc, where=self.windowTitle())
        show_message(self.message, f"⚠ {in_words(exc)}", urgent=True)
        fit_to_content(self, self.width())
        return True

    def show_problems(self, problems: dict[str, str]) -> None:
        first = None
        elsewhere: list[str] = []
        for key, message in problems.items():
            words = f"{message[0].upper()}{message[1:]}"
            label = self.errors.get(key)
            if label is None:
                elsewhere.append(f"⚠ {words}")
                continue
            label.setText(f"⚠ {words}")
            label.setAccessibleName(f"{self.specs[key].label}: {words}")
            label.setVisible(True)
            self.inputs[key].setAccessibleDescription(
                f"Problem: {words}. {self._description(self.specs[key])}".strip())
            first = first or key
        spoken = "; ".join([*(m.lstrip("⚠ ") for m in elsewhere),
                            *(self.errors[k].accessibleName() for k in problems if k in self.errors)])
        if elsewhere:
            show_message(self.message, "\n".join(elsewhere), urgent=True, spoken=f"Not recorded: {spoken}")
        else:
            announce(self, f"Not recorded: {spoken}", urgent=True)
        fit_to_content(self, self.width())
        if first:
            self.inputs[first].setFocus()
