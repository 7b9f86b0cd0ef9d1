"""The Panel meetings section: meetings with agenda and members, and every open recommendation.

Every read and every change runs off the UI thread (ui.tasks); forms go through the dialog service.
After an operation the main window hands its `Changes` to `apply_changes`: the section reads again
when meetings or recommendations changed, or a case on the agenda in view did.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QLabel, QLineEdit, QSplitter, QTabWidget, QVBoxLayout, QWidget

from app.domain.application import Problem
from app.domain.dates import uk
from app.domain.workflow import Status
from app.services.agencies.directory import AgencyInfo, list_agencies
from app.services.agencies.matching import AgencyDirectory
from app.services.common.context import ServiceContext
from app.services.common.errors import Conflict, ServiceError, ValidationFailed, in_words
from app.services.common.ops import Changes, Done, Part, Saved
from app.services.intake.form_input import parse_received
from app.services.panels import meetings as panels
from app.services.panels import recommendations as recs
from app.services.panels import victim
from ui.dialogs import DialogService
from ui.tasks import Task, Tasks, run_once
from ui.views.case_page.common import button, button_row, fit_columns, heading, selected_key, table
from ui.views.case_page.step_dialog import StepDialog, StepField
from ui.style import look

if TYPE_CHECKING:
    from app.services.panels import pack as panel_pack

STATE_LABELS = {"planned": "Planned", "held": "Held", "minutes_approved": "Minutes approved"}


def _list_meetings(ctx: ServiceContext) -> list[panels.MeetingSummary]:
    """On the worker. The pack's module brings in the PDF engine (most of a second to import): it is
    imported here, off the UI thread, before anything on screen needs it."""
    from app.services.panels import pack  # noqa: F401 - imported for its cost, here
    return panels.list_meetings(ctx)


def _meeting_and_packs(ctx: ServiceContext, meeting_id: int) -> tuple[panels.MeetingDetail, list[panel_pack.PackRecord]]:
    """On the worker: what the right-hand side shows for one meeting."""
    from app.services.panels.pack import pack_history
    return panels.meeting_detail(ctx, meeting_id), pack_history(ctx, meeting_id)


def _record_pack_sent(ctx: ServiceContext, letter_id: int, *, sent_to: list[str], sent_on: Any, method: str) -> Done:
    from app.services.panels.pack import record_pack_sent
    return record_pack_sent(ctx, letter_id, sent_to=sent_to, sent_on=sent_on, method=method)


def _save_meeting(ctx: ServiceContext, meeting_id: int | None, version: int | None, v: dict[str, Any]) -> Saved:
    """On the worker: the form's values (the date and time checked here, next to its field)."""
    try:
        starts = parse_received(v["starts"])
    except ValueError as exc:
        raise ValidationFailed([Problem("starts", str(exc))]) from exc
    return panels.save_meeting(ctx, meeting_id, version, starts_at=starts, place=v["place"], online_link=v["link"],
                               chair=v["chair"], chair_independent={"yes": True, "no": False}.get(v["independent"]),
                               chair_independence_note=v["independence_note"])


@dataclass(frozen=True)
class PackSaved:
    """The pack produced (and kept with the meeting), and whether the copy could be written."""
    built: panel_pack.PackBuilt
    path: Path
    problem: str | None = None

    @property
    def changes(self) -> Changes:
        return self.built.changes


def _produce_pack(ctx: ServiceContext, meeting_id: int, password: str | None, member_id: int | None,
                  path: Path) -> PackSaved:
    """On the worker: produce the pack (one operation), then write exactly the stored bytes."""
    from app.services.panels.pack import build_panel_pack
    built = build_panel_pack(ctx, meeting_id, password=password, member_id=member_id)
    try:
        path.write_bytes(built.pdf)  # the pack kept is the pack circulated
    except OSError as exc:
        return PackSaved(built, path, exc.strerror or in_words(exc))
    return PackSaved(built, path)


class PanelsPage(QTabWidget):
    # Never emitted: the main window routes every operation's Changes to apply_changes. Declared
    # only while main_window.py still connects it.
    cases_changed = Signal()

    def __init__(self, ctx: ServiceContext, dialogs: DialogService, parent: QWidget | None = None, *,
                 tasks: Tasks | None = None) -> None:
        super().__init__(parent)
        self.ctx, self.dialogs = ctx, dialogs
        self.tasks = tasks or Tasks.instance()
        self.setAccessibleName("Panel meetings")
        self.meeting_id: int | None = None
        self.detail: panels.MeetingDetail | None = None
        self.packs: list[panel_pack.PackRecord] = []
        self._running: set[str] = set()
        meetings = QSplitter(Qt.Orientation.Horizontal)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.addWidget(heading("Meetings"))
        self.meetings, self.meetings_model = table(["Date", "Place", "Chair", "State", "Cases"], "Meetings")
        # The place, the chair and the cases share what is left (cut with "…", whole in the tooltip): the
        # state and the cases stay in view however many cases a meeting has.
        fit_columns(self.meetings, stretch=[1, 2, 4])
        self.meetings.selectionModel().currentRowChanged.connect(lambda *_: self._select())
        left_layout.addWidget(self.meetings, 1)
        left_layout.addWidget(button_row(button("&New meeting…", self.new_meeting, "New meeting"),
                                         button("&Edit meeting…", self.edit_meeting, "Edit meeting")))
        right = QWidget()
        layout = QVBoxLayout(right)
        self.header = QLabel("Choose a meeting, or create one.")
        self.header.setWordWrap(True)
        self.header.setAccessibleName("Meeting")
        layout.addWidget(self.header)
        self.working = QLabel()
        look(self.working, "hint")
        self.working.setAccessibleName("Waiting")
        self.working.setVisible(False)
        layout.addWidget(self.working)
        layout.addWidget(heading("Agenda"))
        self.agenda, self.agenda_model = table(["Case", "Applicant", "Status", "Findings", "Recommendations",
                                                "Completes review"], "Agenda")
        layout.addWidget(self.agenda, 1)
        # Two rows: in one, the agenda's buttons alone would leave the meetings list a third of a laptop's width.
        layout.addWidget(button_row(button("&Add a case…", self.add_case, "Add a case"),
                                    button("Remove &case", self.remove_case, "Remove case"),
                                    button("&Record the review…", self.record_review, "Record the review")))
        layout.addWidget(button_row(button("Share &draft with the victim…", self.share_draft,
                                           "Share the draft recommendations with the victim"),
                                    button("Victim's vie&ws on the draft…", self.victim_comments,
                                           "Record the victim's comments on the draft")))
        layout.addWidget(heading("Members"))
        self.members, self.members_model = table(["Name", "Agency", "Role", "Attendance", "Conflict of interest"],
                                                 "Members")
        layout.addWidget(self.members, 1)
        layout.addWidget(button_row(button("Add a mem&ber…", self.add_member, "Add a member"),
                                    button("A&ttendance…", self.set_attendance, "Set attendance"),
                                    button("Mark he&ld…", self.mark_held, "Mark held"),
                                    button("Approve m&inutes", self.approve_minutes, "Approve minutes")))
        self.pack_status = QLabel("")
        self.pack_status.setWordWrap(True)
        self.pack_status.setAccessibleName("Panel pack")
        layout.addWidget(self.pack_status)
        layout.addWidget(button_row(button("Panel &pack…", self.panel_pack, "Panel pack"),
                                    button("Record pack &sent…", self.record_pack_sent, "Record pack sent")))
        meetings.addWidget(left)
        meetings.addWidget(right)
        meetings.setSizes([420, 800])
        self.addTab(meetings, "&Meetings")
        self.recommendations_page = RecommendationsPage(self)
        self.addTab(self.recommendations_page, "&Open recommendations")
        self.currentChanged.connect(lambda _i: self._load_visible())
        self._loaded = False  # read when first shown: start-up does not wait for this section

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt API
        super().showEvent(event)
        if not self._loaded:
            self.refresh()

    def _load_visible(self) -> None:
        if self.currentWidget() is self.recommendations_page:
            self.recommendations_page.refresh()

    # data ----------------------------------------------------------------------------------------
    def refresh(self) -> None:
        """F5 (and after a change to meetings): the meetings, the one in view, and the recommendations if shown."""
        self._loaded = True
        self.tasks.query(_list_meetings, self.ctx, on_done=self._listed, on_error=self._unreadable,
                         owner=self, what="read the meetings", key="panel-meetings")
        self._show()
        if self.currentWidget() is self.recommendations_page:
            self.recommendations_page.refresh()
        else:
            self.recommendations_page.stale = True

    def apply_changes(self, changes: Changes) -> None:
        """Read again only what an operation made stale: meetings, recommendations, the agenda's cases."""
        if not self._loaded:
            return  # read in full when first shown
        agenda = {a.case_id for a in self.detail.agenda} if self.detail else set()
        if changes.touches(Part.MEETINGS) or changes.all_cases or changes.case_ids & agenda:
            self.refresh()
        elif changes.touches(Part.RECOMMENDATIONS):
            if self.currentWidget() is self.recommendations_page:
                self.recommendations_page.refresh()
            else:
                self.recommendations_page.stale = True

    def _unreadable(self, exc: BaseException) -> bool:
        self.header.setText(f"The meetings cannot be shown: {in_words(exc)}")
        return True

    def _listed(self, rows: list[panels.MeetingSummary]) -> None:
        self.meetings_model.set_rows([[f"{m.starts_at:%d/%m/%Y %H:%M}", m.place, m.chair, STATE_LABELS[m.state],
                                       ", ".join(m.cases)] for m in rows], [m.id for m in rows])
        if self.meeting_id is not None and self.meeting_id in self.meetings_model.keys:
            self.meetings.selectRow(self.meetings_model.keys.index(self.meeting_id))

    def _select(self) -> None:
        key = selected_key(self.meetings)
        if isinstance(key, int) and key != self.meeting_id:
            self.meeting_id = key
            self.detail = None  # nothing acts on the meeting shown before while this one is read
            self.header.setText("Reading the meeting…")
            self._show()

    def _show(self) -> None:
        if self.meeting_id is None:
            return
        self.tasks.query(_meeting_and_packs, self.ctx, self.meeting_id, on_done=self._shown, owner=self,
                         what="read the meeting", key="panel-meeting")

    def _shown(self, found: tuple[panels.MeetingDetail, list[panel_pack.PackRecord]]) -> None:
        d, packs = found
        if d.id != self.meeting_id:
            return  # another meeting was chosen meanwhile; its own read follows
        self.detail, self.packs = d, packs
        where = ", ".join(x for x in (d.place, d.online_link) if x)
        self.header.setText(f"<b>{d.starts_at:%A %d/%m/%Y at %H:%M}</b>, {where}. Chair: {d.chair or 'not named yet'}. "
                            f"{STATE_LABELS[d.state]}{' on ' + uk(d.held_on) if d.held_on else ''}.")
        self.agenda_model.set_rows([[a.reference, a.applicant, Status(a.status).label, str(len(a.findings)),
                                     str(len(a.recommendations)), "Yes" if a.completes_review else "No"]
                                    for a in d.agenda], [a.review_id for a in d.agenda])
        self.members_model.set_rows([[m.name, m.agency or "", m.role, m.attendance, m.conflict_reference or ""]
                                     for m in d.attendees], [m.id for m in d.attendees])
        self.pack_status.setText(_pack_words(packs))

    def show_working(self, text: str) -> None:
        """Called by the task runner while an operation of this section waits ("" when none does)."""
        what = text.removeprefix("Saving: ")
        self.working.setText(f"Waiting for the database to {what}" if text else "")
        self.working.setAccessibleName(self.working.text() or "Waiting")
        self.working.setVisible(bool(text))

    # running dialogs and operations ------------------------------------------------------------------
    def run_op(self, fn: Callable[..., Any], *args: Any, what: str, on_done: Callable[[Any], None] | None = None,
               on_error: Callable[[BaseException], bool | None] | None = None, **kwargs: Any) -> Task | None:
        """One button, one operation (see `ui.tasks.run_once`); a conflict reads the view again."""
        return run_once(self.tasks, self, self._running, fn, *args, what=what, dialogs=self.dialogs,
                        reload=self.refresh, on_done=on_done, on_error=on_error, **kwargs)

    def read(self, fn: Callable[..., Any], *args: Any, then: Callable[[Any], None], what: str) -> Task:
        """A read a form needs before it opens; not opened if the officer has left the section meanwhile."""
        def arrived(found: Any) -> None:
            if self.isVisible():
                then(found)
        return self.tasks.query(fn, *args, on_done=arrived, owner=self, what=what)

    def _step(self, title: str, intro: str, fields: list[StepField],
              action: Callable[[dict[str, Any]], object]) -> StepDialog | None:
        """A form whose `action` runs on the worker; the dialog when it was completed."""
        dialog = StepDialog(title, intro, fields, action, self)
        return dialog if self.dialogs.run(dialog) else None

    def _need_meeting(self) -> bool:
        if self.detail is None:
            self.dialogs.info("Choose a meeting", "Select a meeting in the list first.")
            return False
        return True

    # meetings --------------------------------------------------------------------------------------
    def _meeting_fields(self, d: panels.MeetingDetail | None) -> list[StepField]:
        return [StepField("starts", "Date and time", "datetime",
                          default=f"{d.starts_at:%d/%m/%Y %H:%M}" if d else "", hint="dd/mm/yyyy hh:mm"),
                StepField("place", "Place", default=d.place if d else "", required=False),
                StepField("link", "Online link", default=d.online_link if d else "", required=False),
                StepField("chair", "Chair", default=d.chair if d else "", required=False),
                StepField("independent", "Chair independent of the agencies involved", "choice",
                          [("", "— not recorded yet —"), ("yes", "Yes"), ("no", "No")],
                          default=("" if d is None or d.chair_independent is None else
                                   "yes" if d.chair_independent else "no"),
                          required=False),
                StepField("independence_note", "If not, how the chair is connected, and why they chair",
                          "long", default=d.chair_independence_note if d else "", required=False)]

    def _saved_meeting(self, dialog: StepDialog | None) -> None:
        if dialog is not None and isinstance(dialog.result_value, Saved):
            self.meeting_id = dialog.result_value.id
            self.refresh()

    def new_meeting(self) -> None:
        ctx = self.ctx
        self._saved_meeting(self._step("New panel meeting", "Give a place or an online link.",
                                       self._meeting_fields(None), lambda v: _save_meeting(ctx, None, None, v)))

    def edit_meeting(self) -> None:
        if self._need_meeting():
            d = self.detail
            assert d is not None
            ctx = self.ctx
            self._saved_meeting(self._step("Edit the meeting", "", self._meeting_fields(d),
                                           lambda v: _save_meeting(ctx, d.id, d.version, v)))

    def add_case(self) -> None:
        if self._need_meeting():
            self.read(panels.cases_ready_for_panel, self.ctx, then=self._add_case, what="read the cases ready")

    def _add_case(self, ready: list[tuple[int, str, str, str]]) -> None:
        if self.detail is None:
            return
        if not ready:
            self.dialogs.info("No cases ready", "No case is ready for a panel: a case needs its threshold "
                              "decided as met first.")
            return
        ctx, meeting_id = self.ctx, self.detail.id
        choices = [(str(cid), f"{ref}: {name} ({status.replace('_', ' ')})") for cid, ref, name, status in ready]
        self._step("Add a case to the agenda", "Cases whose threshold is met and that are not yet reviewed.",
                   [StepField("case", "Case", "choice", choices)],
                   lambda v: panels.add_case(ctx, meeting_id, int(v["case"])))

    def _agenda_item(self) -> panels.AgendaItem | None:
        key = selected_key(self.agenda)
        if self.detail is None or key is None:
            self.dialogs.info("Choose a case", "Select a case on the agenda first.")
            return None
        return next((a for a in self.detail.agenda if a.review_id == key), None)

    def remove_case(self) -> None:
        if (item := self._agenda_item()) is not None and self.detail is not None:
            def refused(exc: BaseException) -> bool:
                if isinstance(exc, ServiceError) and not isinstance(exc, Conflict):
                    self.dialogs.error("Not removed", in_words(exc))
                    return True
                return False
            self.run_op(panels.remove_case, self.ctx, self.detail.id, item.case_id, what="remove the case",
                        on_error=refused)

    def record_review(self) -> None:
        if (item := self._agenda_item()) is not None:
            self.read(list_agencies, self.ctx, then=lambda agencies: self._record_review(item, agencies),
                      what="read the agencies")

    def _record_review(self, item: panels.AgendaItem, agencies: list[AgencyInfo]) -> None:
        from ui.views.panels.review_dialog import ReviewDialog
        self.dialogs.run(ReviewDialog(self.ctx, item, agencies, self))

    def share_draft(self) -> None:
        if (item := self._agenda_item()) is not None:
            ctx = self.ctx
            self._step("Share the draft recommendations with the victim", "The victim is consulted on the action "
                       "plan before it is final.", [StepField("on", "Date shared", "date", default=ctx.today())],
                       lambda v: victim.share_draft(ctx, item.review_id, item.version, shared_on=v["on"]))

    def victim_comments(self) -> None:
        if (item := self._agenda_item()) is not None:
            ctx = self.ctx
            self._step("The victim's comments on the draft", "Shared on " + (
                uk(item.draft_shared_on) if item.draft_shared_on else "(not shared yet)") + ".", [
                StepField("comments", "What the victim said", "long", default=item.victim_comments),
                StepField("on", "Date", "date", default=ctx.today())],
                lambda v: victim.record_victim_comments(ctx, item.review_id, item.version,
                                                        comments=v["comments"], on=v["on"]))

    def add_member(self) -> None:
        if self._need_meeting():
            self.read(list_agencies, self.ctx, then=self._add_member, what="read the agencies")

    def _add_member(self, directory: list[AgencyInfo]) -> None:
        if self.detail is None:
            return
        ctx, meeting_id = self.ctx, self.detail.id
        agencies = [("", "— none (independent) —")] + [(str(a.id), a.name) for a in directory]
        cases = [("", "— none —")] + [(str(a.case_id), a.reference) for a in self.detail.agenda]
        self._step("Add a panel member", "Senior staff from the partnership agencies, housing providers and "
                   "other partners.", [
                       StepField("name", "Name"), StepField("role", "Role", "choice", [(r, r.capitalize()) for r in panels.ROLES]),
                       StepField("agency", "Agency", "choice", agencies, required=False,
                                 suggest=AgencyDirectory(directory).suggest),
                       StepField("attendance", "Attendance", "choice", [(a, a.capitalize()) for a in panels.ATTENDANCE]),
                       StepField("conflict", "Conflict of interest with", "choice", cases, required=False),
                       StepField("for_case", "Attends only for", "choice",
                                 [("", "— the whole meeting —")] + cases[1:], required=False)],
                   lambda v: panels.add_attendee(ctx, meeting_id, name=v["name"], role=v["role"],
                                                 agency_id=int(v["agency"]) if v["agency"] else None,
                                                 attendance=v["attendance"],
                                                 conflict_case_id=int(v["conflict"]) if v["conflict"] else None,
                                                 for_case_id=int(v["for_case"]) if v.get("for_case") else None))

    def set_attendance(self) -> None:
        key = selected_key(self.members)
        if self.detail is None or not isinstance(key, int):
            self.dialogs.info("Choose a member", "Select a member first.")
            return
        ctx, attendee_id = self.ctx, key
        cases = [("", "— none —")] + [(str(a.case_id), a.reference) for a in self.detail.agenda]
        self._step("Attendance", "", [
            StepField("attendance", "Attendance", "choice", [(a, a.capitalize()) for a in panels.ATTENDANCE]),
            StepField("conflict", "Conflict of interest with", "choice", cases, required=False)],
            lambda v: panels.set_attendance(ctx, attendee_id, v["attendance"],
                                            int(v["conflict"]) if v["conflict"] else None))

    def mark_held(self) -> None:
        if self._need_meeting():
            d = self.detail
            assert d is not None
            ctx = self.ctx
            self._step("Mark the meeting as held", "Every case needs at least one finding and the victim's part; "
                       "the chair must be named and their independence recorded. Cases whose review is complete "
                       "become 'reviewed'.",
                       [StepField("on", "Date held", "date", default=d.starts_at.date())],
                       lambda v: panels.mark_held(ctx, d.id, d.version, held_on=v["on"]))

    def panel_pack(self) -> None:
        """Produce the pack (kept with the meeting) and save exactly those bytes where the chair says.

        The pack's service takes no `progress=`, so this is one plain operation (the window stays
        usable and says it is waiting), not long work with a Cancel button.
        """
        if not self._need_meeting():
            return
        d = self.detail
        assert d is not None
        dialog = StepDialog("Panel pack", "The pack is OFFICIAL-SENSITIVE. A password is optional: if you set one, "
                            "give it to the members separately, never in the email that carries the pack.",
                            [StepField("password", "Password", required=False,
                                       hint="leave empty for a pack without a password"),
                             StepField("member", "For", "choice", [("", "— the whole panel —")] +
                                       [(str(a.id), a.name) for a in d.attendees], required=False,
                                       hint="a member's own pack leaves out the cases they declared a conflict in")],
                            lambda v: v, self)  # the values only: nothing changes until the pack is produced
        password_box = dialog.inputs["password"]
        assert isinstance(password_box, QLineEdit)
        password_box.setEchoMode(QLineEdit.EchoMode.PasswordEchoOnEdit)
        if not self.dialogs.run(dialog) or not isinstance(dialog.result_value, dict):
            return
        path = self.dialogs.save_file("Save the panel pack", f"panel-pack-{d.starts_at:%Y-%m-%d}.pdf",
                                      "PDF files (*.pdf)")
        if path is None:
            return
        password = dialog.result_value["password"] or None
        member = dialog.result_value["member"]

        def refused(exc: BaseException) -> bool:
            if isinstance(exc, ServiceError) and not isinstance(exc, Conflict):
                self.dialogs.error("No panel pack", in_words(exc))
                return True
            return False
        self.run_op(_produce_pack, self.ctx, d.id, password, int(member) if member else None, path,
                    what="produce the panel pack", on_done=self._pack_saved, on_error=refused)

    def _pack_saved(self, saved: PackSaved) -> None:
        if saved.problem is not None:
            self.dialogs.error("Pack not saved", f"The pack is kept with the meeting, but it could not be saved "
                               f"to {saved.path}: {saved.problem}.")
        else:
            self.dialogs.info("Panel pack saved", f"Saved to {saved.path}. Record who it was sent to with "
                              "'Record pack sent'.")

    def record_pack_sent(self) -> None:
        if not self._need_meeting():
            return
        d = self.detail
        assert d is not None
        if not self.packs:
            self.dialogs.info("No panel pack yet", "Produce the panel pack first.")
            return
        names = [m.name for m in d.attendees]
        if d.chair and d.chair not in names:  # a chair named on the meeting but not added as a member
            names.insert(0, d.chair)
        ctx = self.ctx
        from app.services.cases.steps import SEND_METHODS  # imported already, with the pack, on the worker
        self._step("Record the pack as sent", "One name a line. Change the list if the pack went to other people.", [
            StepField("pack", "Pack", "choice", [(str(p.letter_id), p.label) for p in self.packs]),
            StepField("sent_to", "Sent to", "long", default="\n".join(names)),
            StepField("on", "Date sent", "date", default=ctx.today()),
            StepField("method", "How", "choice", [(m, m.capitalize()) for m in SEND_METHODS], default="email")],
            lambda v: _record_pack_sent(ctx, int(v["pack"]), sent_to=v["sent_to"].splitlines(),
                                        sent_on=v["on"], method=v["method"]))

    def approve_minutes(self) -> None:
        if self._need_meeting():
            d = self.detail
            assert d is not None

            def refused(exc: BaseException) -> bool:
                if isinstance(exc, ServiceError) and not isinstance(exc, Conflict):
                    self.dialogs.error("Minutes not approved", in_words(exc))
                    return True
                return False
            self.run_op(panels.approve_minutes, self.ctx, d.id, d.version, what="approve the minutes",
                        on_error=refused)


def _pack_words(packs: list[panel_pack.PackRecord]) -> str:
    if not packs:
        return "Panel pack: not produced yet."
    latest = packs[0]
    words = f"Panel pack: {latest.label[0].lower()}{latest.label[1:]}"
    if latest.sendings:
        last = latest.sendings[-1]
        words += f"; sent {uk(last.sent_on)} by {last.method} to {last.sent_to}"
    else:
        words += "; not recorded as sent"
    return words + (f" ({len(packs)} packs produced)." if len(packs) > 1 else ".")


class RecommendationsPage(QWidget):
    """Every open recommendation by agency and due date; overdue ones say so in words."""

    def __init__(self, panels_page: PanelsPage) -> None:
        super().__init__()
        self.page = panels_page
        self.stale = True
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("Agencies must have regard to the panel's recommendations. Record each response "
                                "and chase those that are late."))
        self.view, self.model = table(["Agency", "Case", "Action", "Due", "Status", "Response", "Chased", "Late?"],
                                      "Open recommendations")
        layout.addWidget(self.view, 1)
        layout.addWidget(button_row(button("Record the &response…", self.respond, "Record the response"),
                                    button("Chased to&day", self.chase, "Chased today")))
        self.rows: list[recs.RecommendationView] = []

    def refresh(self) -> None:
        self.page.tasks.query(recs.recommendations, self.page.ctx, on_done=self._show, owner=self.page,
                              what="read the open recommendations", key="open-recommendations")

    def _show(self, rows: list[recs.RecommendationView]) -> None:
        self.stale = False
        self.rows = rows
        self.model.set_rows([[r.agency, r.reference, r.action, uk(r.due_on), r.status, r.response or "",
                              uk(r.chased_on), "OVERDUE" if r.overdue else ""] for r in self.rows],
                            [r.id for r in self.rows])

    def _selected(self) -> recs.RecommendationView | None:
        key = selected_key(self.view)
        found = next((r for r in self.rows if r.id == key), None)
        if found is None:
            self.page.dialogs.info("Choose a recommendation", "Select a recommendation first.")
        return found

    def respond(self) -> None:
        if (rec := self._selected()) is not None:
            ctx = self.page.ctx
            self.page._step("The agency's response", rec.action, [
                StepField("status", "Response", "choice", [(r, r.capitalize()) for r in recs.RESPONSES]),
                StepField("response", "What the agency said", "long", required=False),
                StepField("on", "Date", "date", default=ctx.today())],
                lambda v: recs.respond(ctx, rec.id, rec.version, status=v["status"], response=v["response"],
                                       on=v["on"]))

    def chase(self) -> None:
        if (rec := self._selected()) is not None:
            ctx = self.page.ctx
            self.page.run_op(recs.chase, ctx, rec.id, chased_on=ctx.today(), what="record the chase")
