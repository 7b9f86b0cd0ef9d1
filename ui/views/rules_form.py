"""Settings: the threshold rules (dated, checked against the Act) and the review-of-the-review route,
through the same service as `community-trigger settings set`.

The rules are read off the UI thread; the change runs as one operation from its dialog.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from PySide6.QtWidgets import QGroupBox, QLabel, QVBoxLayout, QWidget

from app.domain.application import Problem
from app.domain.roles import Permission
from app.domain.settings import REVIEW_ROUTES, Settings
from app.domain.settings_keys import KEYS
from app.services.admin.named_settings import SettingsChanged, set_settings, threshold_history
from app.services.common.context import ServiceContext
from app.services.common.errors import ServiceError, ValidationFailed, in_words
from app.services.common.ops import Changes, Part
from ui.dialogs import DialogService
from ui.tasks import Tasks
from ui.views.case_page.common import button, button_row
from ui.views.case_page.step_dialog import StepDialog, StepField

_ON_OFF = [("on", "On"), ("off", "Off")]


def _field_name(key: str) -> str:
    return key.replace(".", "_")


@dataclass(frozen=True)
class Rules:
    settings: Settings
    history: list[str]
    today: date


def read_rules(ctx: ServiceContext) -> Rules:
    """On a worker: the settings and the rules over time, in words."""
    return Rules(ctx.settings(), threshold_history(ctx), ctx.today())


def apply_rules(ctx: ServiceContext, values: dict[str, Any]) -> SettingsChanged:
    """On a worker: the dialog's values as one change of the named settings."""
    assignments = [f"{spec.key}={values[_field_name(spec.key)]}" for spec in KEYS if _field_name(spec.key) in values]
    try:
        return set_settings(ctx, assignments, effective_from=values["effective_from"])
    except ValidationFailed as exc:  # shown beside the field the key belongs to
        raise ValidationFailed([Problem(_field_name(p.field), p.message) for p in exc.problems]) from None


def rule_fields(settings: Settings, today: date) -> list[StepField]:
    out = [StepField("effective_from", "In force from", "date", default=today,
                     hint="cases received on or after this date are judged by the new rules")]
    for spec in KEYS:
        if not (spec.threshold_field or spec.key == "review.route"):
            continue
        value = spec.read(settings, today)
        label = f"{spec.description} ({spec.limits}; default {spec.default})"
        if spec.limits == "on or off":
            out.append(StepField(_field_name(spec.key), label, "choice", _ON_OFF, default=value))
        elif spec.key == "review.route":
            out.append(StepField(_field_name(spec.key), spec.description, "choice",
                                 [(k, v[:1].upper() + v[1:]) for k, v in REVIEW_ROUTES.items()], default=value))
        else:
            out.append(StepField(_field_name(spec.key), label, default=value))
    return out


class RulesForm(QGroupBox):
    def __init__(self, ctx: ServiceContext, dialogs: DialogService, parent: QWidget | None = None, *,
                 tasks: Tasks | None = None) -> None:
        super().__init__("The threshold and the review of the review (as the council sets them)", parent)
        self.ctx, self.dialogs = ctx, dialogs
        self.tasks = tasks or Tasks.instance()
        self.rules: Rules | None = None
        layout = QVBoxLayout(self)
        self.history = QLabel("Loading…")
        self.history.setWordWrap(True)
        self.history.setAccessibleName("Threshold rules over time")
        layout.addWidget(self.history)
        self.change_button = button("Change the &threshold rules or review route…", self.change,
                                    "Change the threshold rules or review route")
        self.change_button.setEnabled(False)  # until the rules it starts from have been read
        layout.addWidget(button_row(self.change_button))
        self.refresh()

    def refresh(self) -> None:
        self.tasks.query(read_rules, self.ctx, on_done=self._show, on_error=self._failed, owner=self,
                         key=f"rules-{id(self)}", what="read the threshold rules")

    def apply_changes(self, changes: Changes) -> None:
        if changes.touches(Part.SETTINGS):
            self.refresh()

    def _show(self, rules: Rules) -> None:
        self.rules = rules
        route = REVIEW_ROUTES[rules.settings.review_route]
        self.history.setText("Threshold rules (each case is judged by those in force on its date received):\n"
                             + "\n".join(f"• {line}" for line in rules.history) + f"\nReview of the review: {route}.")
        self.change_button.setEnabled(self.ctx.may(Permission.EDIT_SETTINGS))

    def _failed(self, exc: BaseException) -> bool:
        if isinstance(exc, ServiceError):
            self.history.setText(in_words(exc))
            return True
        return False

    def fields(self) -> list[StepField]:
        return rule_fields(self.rules.settings, self.rules.today) if self.rules else []

    def change(self) -> None:
        if self.rules is None:
            return
        ctx = self.ctx  # the action runs on a worker: plain values only
        dialog = StepDialog("Threshold rules and review route", "A council may be more generous than the Act, "
                            "never stricter: more than 3 incidents, a period shorter than 6 months or a reporting "
                            "window shorter than a month is refused. Decisions already recorded keep the rules they "
                            "were made under.", self.fields(), lambda values: apply_rules(ctx, values), self,
                            tasks=self.tasks)
        self.dialogs.run(dialog)  # done: its changes (Part.SETTINGS) bring the new rules here
