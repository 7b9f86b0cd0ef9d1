"""Opening a review started by an agency or the CSU (no application): which agency, why, the victim,
and whether the victim has consented yet (the case waits for it)."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from PySide6.QtWidgets import QDialog, QWidget

from app.domain.application import CONSENT_METHODS, PersonData
from app.services.agencies.directory import AgencyInfo, list_agencies
from app.services.agencies.matching import AgencyDirectory
from app.services.common.context import ServiceContext
from app.services.intake.agency_started import AgencyStartedReview, start_review
from app.services.intake.applications import CreatedCase
from ui.tasks import Tasks
from ui.views.case_page.step_dialog import StepDialog, StepField


class _Dialogs(Protocol):
    def run(self, dialog: QDialog) -> bool: ...


def agency_started_dialog(ctx: ServiceContext, parent: QWidget | None = None,
                          agencies: list[AgencyInfo] | None = None) -> StepDialog:
    """The form; `agencies` read beforehand off the UI thread (see `start_agency_review`)."""
    if agencies is None:  # a caller that has not read them yet (kept for the main window's menu)
        agencies = list_agencies(ctx)
    choices = [(str(a.id), a.name) for a in agencies]
    fields = [
        StepField("agency", "Agency that started it", "choice", choices,
                  suggest=AgencyDirectory(agencies).suggest),  # by initials ("KFRS") as well as by name
        StepField("reason", "Why it started a review", "long",
                  hint="for example: the threshold is reached and the problem goes on"),
        StepField("started_on", "Date started", "date", default=ctx.today()),
        StepField("title", "Victim's title", required=False), StepField("first", "First name", required=False),
        StepField("last", "Surname (or an organisation below)", required=False),
        StepField("organisation", "Organisation", required=False),
        StepField("address", "Address (one line per address line)", "long", required=False),
        StepField("postcode", "Postcode", required=False), StepField("phone", "Phone", required=False),
        StepField("email", "Email", required=False),
        StepField("location", "Problem location", required=False),
        StepField("consent", "The victim agrees to the review and to sharing with the agencies", "choice",
                  [("no", "Not yet: the case waits for it"), ("yes", "Yes")]),
        StepField("method", "How consent was given", "choice", [("", "—")] + [(m, m.capitalize()) for m in CONSENT_METHODS],
                  required=False)]

    def run(v: dict[str, Any]) -> object:
        # On the worker: values and the context only, never a widget.
        victim = PersonData(title=v["title"] or None, first_name=v["first"] or None, last_name=v["last"] or None,
                            organisation=v["organisation"] or None,
                            address_lines=tuple(line.strip() for line in v["address"].splitlines() if line.strip()),
                            postcode=(v["postcode"] or "").upper() or None, phone=v["phone"] or None,
                            email=v["email"] or None)
        return start_review(ctx, AgencyStartedReview(
            agency_id=int(v["agency"]), reason=v["reason"], started_on=v["started_on"], victim=victim,
            problem_location=v["location"] or None, victim_consent=v["consent"] == "yes",
            consent_method=v["method"] or None))
    return StepDialog("A review started by an agency", "Agencies may start a case review themselves, without an "
                      "application. Record which agency and why; nothing goes ahead until the victim consents.",
                      fields, run, parent)


def start_agency_review(ctx: ServiceContext, dialogs: _Dialogs, parent: QWidget,
                        opened: Callable[[int], object], *, tasks: Tasks | None = None) -> None:
    """Read the agencies off the UI thread, then run the form through the dialog service; `opened(case_id)`
    once the review is saved (the case list and the rest learn of it from the operation's Changes)."""
    def ask(agencies: list[AgencyInfo]) -> None:
        dialog = agency_started_dialog(ctx, parent, agencies)
        if dialogs.run(dialog) and isinstance(dialog.result_value, CreatedCase):
            opened(dialog.result_value.id)
    (tasks or Tasks.instance()).query(list_agencies, ctx, on_done=ask, owner=parent, what="read the agencies")
