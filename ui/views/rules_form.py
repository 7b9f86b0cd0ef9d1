"""Settings: the threshold rules (dated, checked against the Act) and the review-of-the-review route,
through the same service as `community-trigger settings set`."""
from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QGroupBox, QLabel, QVBoxLayout, QWidget

from app.domain.roles import Permission
from app.domain.settings import REVIEW_ROUTES
from app.domain.settings_keys import KEYS
from app.services.admin.named_settings import set_settings, threshold_history
from app.services.common.context import ServiceContext
from app.domain.application import Problem
from app.services.common.errors import ServiceError, ValidationFailed
from ui.dialogs import DialogService
from ui.views.case_page.common import button, button_row
from ui.views.case_page.step_dialog import StepDialog, StepField

_ON_OFF = [("on", "On"), ("off", "Off")]


def _field_name(key: str) -> str:
    return key.replace(".", "_")


class RulesForm(QGroupBox):
    def __init__(self, ctx: ServiceContext, dialogs: DialogService, parent: QWidget | None = None) -> None:
        super().__init__("The threshold and the review of the review (as the council sets them)", parent)
        self.ctx, self.dialogs = ctx, dialogs
        self.dialog_hook = None  # tests fill the dialog instead of exec()
        layout = QVBoxLayout(self)
        self.history = QLabel()
        self.history.setWordWrap(True)
        self.history.setAccessibleName("Threshold rules over time")
        layout.addWidget(self.history)
        self.change_button = button("Change the &threshold rules or review route…", self.change,
                                    "Change the threshold rules or review route")
        self.change_button.setEnabled(ctx.may(Permission.EDIT_SETTINGS))
        layout.addWidget(button_row(self.change_button))
        self.refresh()

    def refresh(self) -> None:
        try:
            lines = threshold_history(self.ctx)
        except ServiceError as exc:
            self.history.setText(str(exc))
            return
        route = REVIEW_ROUTES[self.ctx.settings().review_route]
        self.history.setText("Threshold rules (each case is judged by those in force on its date received):\n"
                             + "\n".join(f"• {line}" for line in lines) + f"\nReview of the review: {route}.")

    def fields(self) -> list[StepField]:
        settings, today = self.ctx.settings(), self.ctx.today()
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

    def _apply(self, values: dict[str, Any]) -> object:
        assignments = [f"{spec.key}={values[_field_name(spec.key)]}" for spec in KEYS
                       if _field_name(spec.key) in values]
        try:
            return set_settings(self.ctx, assignments, effective_from=values["effective_from"])
        except ValidationFailed as exc:  # shown beside the field the key belongs to
            raise ValidationFailed([Problem(_field_name(p.field), p.message) for p in exc.problems]) from None

    def change(self) -> None:
        dialog = StepDialog("Threshold rules and review route", "A council may be more generous than the Act, "
                            "never stricter: more than 3 incidents, a period shorter than 6 months or a reporting "
                            "window shorter than a month is refused. Decisions already recorded keep the rules they "
                            "were made under.", self.fields(), self._apply, self)
        if self.dialog_hook is not None:
            self.dialog_hook(dialog)
        elif not dialog.exec():
            return
        if dialog.result() == StepDialog.DialogCode.Accepted:
            self.refresh()
