"""Case page, People and consent: whether the victim rents from a registered provider, and which one."""
from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from app.domain.application import TENURES
from app.services.agencies.directory import AgencyInfo, list_agencies
from app.services.cases.tenure import RP_KIND, TENURE_LABELS, record_tenure, tenure_words
from ui.views.case_page.common import button, button_row, heading
from ui.views.case_page.step_dialog import StepField

if TYPE_CHECKING:
    from app.services.cases.case_page import CaseDetail
    from ui.views.case_page.page import CasePage


class TenureBox(QWidget):
    """The Housing Ombudsman is named in a letter only for the tenant of a provider involved in the case."""

    def __init__(self, page: CasePage, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.page = page
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(heading("The victim's home"))
        self.words = QLabel()
        self.words.setWordWrap(True)
        self.words.setAccessibleName("The victim's home")
        layout.addWidget(self.words)
        layout.addWidget(button_row(button(  # not U: a step above the tabs has it
            "&Record tenure…", self.record, "Record the tenure")))

    def show_case(self, d: CaseDetail) -> None:
        self.words.setText(f"Tenure: {tenure_words(d.victim_tenure, d.victim_landlord)}. Letters name the Housing "
                           "Ombudsman only when the victim rents from a registered provider involved in the case.")

    def record(self) -> None:
        """The registered providers are read first (off the UI thread), then the form opens."""
        if self.page.detail is None:
            return
        self.page.read(list_agencies, self.page.ctx, then=self._record, what="read the registered providers")

    def _record(self, agencies: list[AgencyInfo]) -> None:
        d = self.page.detail
        if d is None:
            return
        ctx, case_id, version = self.page.ctx, self.page.case_id, self.page.version
        providers = [(str(a.id), a.name) for a in agencies if a.kind.casefold() == RP_KIND]
        self.page.run_step("The victim's home", "Ask whether the victim rents their home from a registered provider "
                           "of social housing (a housing association), and which one.", [
                               StepField("tenure", "Tenure", "choice", [("", "— not asked yet —")] +
                                         [(t, TENURE_LABELS[t]) for t in TENURES], default=d.victim_tenure or "",
                                         required=False),
                               StepField("landlord", "Registered provider", "choice", [("", "— none —")] + providers,
                                         default=str(d.victim_landlord_id or ""), required=False)],
                           lambda v: record_tenure(ctx, case_id, version, tenure=v["tenure"] or None,
                                                   landlord_id=int(v["landlord"]) if v["landlord"] else None))
