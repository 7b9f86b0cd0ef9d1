"""Opening every dialog a case page offers, for the walks that check each one (keys, screen fit)."""
from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

STATUSES = ["received", "awaiting_consent", "acknowledged", "threshold_check", "threshold_met",
            "threshold_not_met", "information_gathering", "panel_scheduled", "reviewed", "outcome_sent",
            "not_accepted", "withdrawn", "secondary_review_requested", "secondary_review_completed", "closed"]


def a_case_page_of_each_status(window: Any, ctx: Any, settle: Callable[[], None]) -> Iterator[tuple[str, Any]]:
    """The page of one case in each status that has one, opened in turn and closed after the caller's look."""
    from app.services.cases.case_list import CaseQuery, find_case_ids
    for status in STATUSES:
        ids = find_case_ids(ctx, CaseQuery(status=status))
        if not ids:
            continue
        page = window.open_case(ids[0])
        settle()
        yield status, page
        window.close_current_tab()


def open_every_dialog(page: Any, dialogs: Any, hook: Callable[[str], Any], label: str,
                      settle: Callable[[], None]) -> None:
    """Each step the page offers, then each dialog its tabs open, with `hook(name)` as what the fake
    dialog service does with the forms it is given (a checker looks at each one)."""
    from ui.views.case_page import steps
    for text, action in steps.available(page):
        dialogs.forms = hook(f"{label}: {text.replace('&', '')}")
        action(page)
        settle()
    dialogs.forms = hook(f"{label}: a tab's dialog")
    if page.detail.incidents:
        page.incidents.view.selectRow(0)
        for run in (page.record_confirmation, page.confirm_date, page.link_agency, page.mark_duplicate):
            run()
    if page.detail.requests:
        page.agencies.requests.selectRow(0)
        page.record_reply()
        page.chase_request()
    page.add_action()
    page.timeline.write()
    settle()
    dialogs.forms = []
