"""The case page's letters: the officer reads and changes the text before it is produced; the chair
reads the findings letter, confirms, and is named as approver; the victim's tenure is recorded."""
from __future__ import annotations

from app.domain.roles import Role
from app.services.letters.case_letters import letter_pdf, produce_letter
from tests.db.letter_cases import new_case, ready, reviewed_case, text_of


def _fill(values: dict[str, str]):
    def filler(dialog) -> None:
        for key, value in values.items():
            dialog.set_value(key, value)
        dialog.submit()
    return filler


def _open(window, settle, case_id):
    page = window.open_case(case_id)
    settle()  # the case is read off the UI thread
    return page


def test_the_officer_changes_a_paragraph_and_the_letter_is_made_from_it(window, ctx, dialogs, settle):
    ready(ctx)
    case = new_case(ctx)
    page = _open(window, settle, case.id)
    seen = {}

    def edit(dialog) -> None:
        key = next(p.key for p in dialog.draft.parts if p.text.startswith("Your contact officer"))
        seen["names"] = [box.accessibleName() for box in dialog.boxes.values()]
        dialog.set_text(key, "Your contact officer is Jane Smith, who works **Monday to Wednesday**.")
        dialog.accept()
    dialogs.forms += [_fill({"template": "acknowledgement"}), edit]
    page.timeline.write()
    settle()
    [letter] = page.detail.letters
    assert "who works Monday to Wednesday." in text_of(letter_pdf(ctx, letter.id))
    assert seen["names"][0] == "Heading of the letter" and "Paragraph 1" in seen["names"]
    assert any("edited by the officer" in (t.reason or "") for t in page.detail.timeline)


def test_a_cancelled_edit_produces_nothing(window, ctx, dialogs, settle):
    ready(ctx)
    case = new_case(ctx)
    page = _open(window, settle, case.id)
    dialogs.forms += [_fill({"template": "acknowledgement"}), lambda dialog: dialog.reject()]
    page.timeline.write()
    settle()
    assert len(dialogs.ran) == 2 and dialogs.forms == []  # the letter's text was shown, then cancelled
    assert page.detail.letters == () and dialogs.previews == []


def test_the_chair_reads_then_confirms_the_approval(window, ctx, dialogs, settle):
    case_id = reviewed_case(ctx)
    info = produce_letter(ctx, case_id, "findings")
    page = _open(window, settle, case_id)
    page.show_tab("timeline")
    page.timeline.view.selectRow(next(n for n, lt in enumerate(page.detail.letters) if lt.id == info.id))
    page.timeline.approve()  # signed in as an administrator: not the chair
    settle()
    assert dialogs.shown[-1][0] == "error" and "approved by the panel chair" in dialogs.shown[-1][2]
    assert dialogs.previews == []
    ctx.role = Role.PANEL_CHAIR
    dialogs.answers = [False]
    page.timeline.approve()
    settle()
    assert len(dialogs.previews) == 1  # the letter is shown to read before the question
    assert dialogs.shown[-1][1] == "Approve the findings letter"
    assert next(lt for lt in page.detail.letters if lt.id == info.id).approver_name is None
    dialogs.answers = [True]
    page.timeline.approve()
    settle()
    assert next(lt for lt in page.detail.letters if lt.id == info.id).approver_name == "Jane Smith"


def test_the_victims_tenure_is_recorded_on_the_people_tab(window, ctx, dialogs, settle):
    ready(ctx)
    case = new_case(ctx)
    page = _open(window, settle, case.id)
    page.show_tab("people")
    assert "not recorded" in page.tenure.words.text()
    dialogs.forms.append(_fill({"tenure": "owner"}))
    page.tenure.record()
    settle()
    assert page.detail.victim_tenure == "owner" and "Owns their home" in page.tenure.words.text()
