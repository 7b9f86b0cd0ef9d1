"""Case page tabs: incidents with the threshold indicator and confirmations; agency requests and actions."""
from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from app.domain.dates import uk
from ui.views.case_page.common import button, button_row, heading, selected_key, table
from ui.style import look

if TYPE_CHECKING:
    from app.services.cases.case_page import CaseDetail
    from ui.views.case_page.page import CasePage


class IncidentsTab(QWidget):
    """Buttons call back into the page, which owns the dialogs and the reload."""

    def __init__(self, page: CasePage, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        self.verdict = QLabel()
        look(self.verdict, "sectionTitle")
        self.verdict.setWordWrap(True)
        self.verdict.setAccessibleName("Threshold indicator")
        layout.addWidget(self.verdict)
        self.view, self.model = table(["No.", "Happened", "Reported on", "Reported to", "Agency's reference",
                                       "Counts?", "Why", "Agency confirmation"], "Incidents")
        header = self.view.horizontalHeader()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(6, header.ResizeMode.Stretch)  # the reason gets the room
        layout.addWidget(self.view, 1)
        self.buttons = {
            "confirm": button("Record agency's &answer…", page.record_confirmation),
            "same": button("Part of the same problem: &yes/no", page.toggle_same_problem,
                           "Toggle part of the same problem"),
            "duplicate": button("&Same incident as…", page.mark_duplicate),
            "date": button("Confirm e&xact date…", page.confirm_date),
            "agency": button("&Link to an agency…", page.link_agency),
            "unconfirm": button("Confir&mation does not stand…", page.unconfirm),
        }
        layout.addWidget(button_row(*self.buttons.values()))
        self.decision = QLabel()
        self.decision.setWordWrap(True)
        self.decision.setAccessibleName("Threshold decision")
        layout.addWidget(heading("Threshold decision"))
        layout.addWidget(self.decision)

    def selected_incident(self) -> int | None:
        key = selected_key(self.view)
        return key if isinstance(key, int) else None

    def show_case(self, d: CaseDetail) -> None:
        routes = f" ({', '.join(d.routes)})" if d.routes else ""
        self.verdict.setText(f"Indicator: {d.qualifying_incidents} of {d.incidents_needed} qualifying incidents "
                             f"({d.confirmed_qualifying} confirmed by the agencies): threshold "
                             f"{'MET' if d.threshold_met_indicator else 'NOT MET'}{routes}. Rules: {d.rules_in_force}.")
        rows = []
        for i in d.incidents:
            to = i.agency_name or f"{i.reported_to} (not matched to an agency)"
            confirmation = i.confirmation + (f" ({uk(i.confirmed_on)})" if i.confirmed_on else "")
            why = "" if i.qualifies else i.reason
            if i.judgement_note and not i.same_problem:
                why += f" ({i.judgement_note})"
            rows.append([str(i.number), i.happened + (" (hate incident)" if i.hate_incident else ""),
                         uk(i.reported_on), to, i.agency_reference or "", "✔ Yes" if i.qualifies else "✘ No", why,
                         confirmation])
        self.model.set_rows(rows, [i.id for i in d.incidents])
        if d.threshold_decided_on is None:
            self.decision.setText("Not decided yet. The decision is the officer's, after the agencies confirm "
                                  "(or fail to confirm) each incident.")
        else:
            text = (f"{'Met' if d.threshold_met else 'Not met'}, decided on {uk(d.threshold_decided_on)} by "
                    f"{d.threshold_decided_by}.")
            if d.threshold_reason:
                text += f" Reason: {d.threshold_reason}"
            if d.threshold_not_met_action:
                text += f" Action to be taken instead: {d.threshold_not_met_action}"
            if d.decision_rules:
                text += f"\nMade under the rules {d.decision_rules}."
            text += "".join(f"\n{factor}: {words}" for factor, words in d.assessment)
            self.decision.setText(text)
        if d.households:
            counted = sum(1 for _r, ok, _w in d.households if ok)
            self.decision.setText(self.decision.text() + f"\n\nCommunity route: {counted} household(s) counted: "
                                  + "; ".join(f"{ref}: {why}" for ref, _ok, why in d.households) + ".")


class AgenciesTab(QWidget):
    def __init__(self, page: CasePage, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.addWidget(heading("Requests to agencies"))
        self.requests, self.requests_model = table(
            ["Agency", "Request", "Sent", "Due", "New due", "Chased", "Received", "State"], "Requests to agencies")
        layout.addWidget(self.requests, 1)
        layout.addWidget(button_row(
            # Alt+O is the step of the same name above the tabs, which shows only when it can be done.
            button("Ask for i&nformation…", page.send_information_requests, "Ask agencies for information"),
            button("Record &reply received…", page.record_reply),
            button("Cha&se…", page.chase_request, "Chase the request")))
        layout.addWidget(heading("What each agency did (agency actions)"))
        # Not `actions`: that name is QWidget's own (its QAction list).
        self.actions_view, self.actions_model = table(["Date", "Agency", "What was done"], "Agency actions")
        layout.addWidget(self.actions_view, 1)
        layout.addWidget(button_row(
            button("&Add action…", page.add_action, "Add an agency action"),
            button("&Import a return (CSV)…", page.import_return, "Import an agency return"),
            button("Save the return tem&plate…", page.save_return_template, "Save the return template")))

    def selected_request(self) -> int | None:
        key = selected_key(self.requests)
        return key if isinstance(key, int) else None

    def show_case(self, d: CaseDetail) -> None:
        self.requests_model.set_rows(
            [[r.agency, r.kind, uk(r.sent_on), uk(r.due_on), uk(r.revised_due_on), uk(r.chased_on),
              uk(r.answered_on), r.state] for r in d.requests], [r.id for r in d.requests])
        self.actions_model.set_rows([[uk(a.on), a.source, a.text] for a in d.actions])
