"""The case page offers one way only to record the findings as sent: the approved findings letter itself.

Its step buttons once recorded the outcome as sent with no letter and any method. Now the outcome
step goes through the letter: with none produced it offers to write one; with one not approved the
letter's own check refuses it (in the form, nothing changed); once the chair has approved it, it is
recorded as sent, and the case moves on.
"""
from __future__ import annotations

from app.services.letters.case_letters import approve_letter, produce_letter
from tests.db.helpers import chair_who_read
from tests.db.letter_cases import reviewed_case


def _open(window, settle, case_id):
    page = window.open_case(case_id)
    settle()
    return page


def _outcome_step(page):
    from ui.views.case_page import steps
    found = [(text, action) for text, action in steps.available(page) if "outcome" in text.replace("&", "").lower()
             or "findings" in text.replace("&", "").lower()]
    assert [text.replace("&", "") for text, _ in found] == ["Outcome letter sent…"]  # one button, no other
    return found[0][1]


def test_the_step_buttons_offer_no_way_to_record_the_findings_sent_but_the_approved_letter(
        window, ctx, dialogs, settle):
    case_id = reviewed_case(ctx)
    page = _open(window, settle, case_id)
    titles: list[str] = []

    def look(dialog) -> None:  # see which form the step opens, then cancel it
        titles.append(dialog.windowTitle())
        dialog.reject()
    dialogs.forms.append(look)
    _outcome_step(page)(page)
    settle()
    assert titles == ["Write a letter"]  # no letter yet: the step offers to write it, records nothing
    assert page.detail.status == "reviewed"

    info = produce_letter(ctx, case_id, "findings")
    page.refresh()
    settle()
    seen: dict[str, str] = {}

    def send_unapproved(dialog) -> None:
        seen["title"] = dialog.windowTitle()
        dialog.set_value("sent_on", "25/11/2026")
        dialog.set_value("method", "post")
        dialog.submit()
        settle()
        seen["problem"] = dialog.message.text() + " ".join(e.text() for e in dialog.errors.values())
    dialogs.forms.append(send_unapproved)
    _outcome_step(page)(page)
    settle()
    assert seen["title"] == "Record the letter as sent"
    assert "approved by the panel chair" in seen["problem"]
    assert page.detail.status == "reviewed" and page.detail.letters[-1].sent_on is None

    chair, _ = chair_who_read(ctx, info.id)
    approve_letter(chair, info.id)
    page.refresh()
    settle()

    def send(dialog) -> None:
        dialog.set_value("sent_on", "25/11/2026")
        dialog.set_value("method", "post")
        dialog.submit()
    dialogs.forms.append(send)
    _outcome_step(page)(page)
    settle()
    assert page.detail.status == "outcome_sent"
    assert next(lt for lt in page.detail.letters if lt.id == info.id).sent_on is not None
    assert not any("outcome" in name.lower() for name in page.step_buttons())
