"""The command line's letter (large print, extra text, the chair's approval), panel-pack and agencies."""
from __future__ import annotations

import json
from datetime import date, datetime

import pytest
from sqlalchemy import select

from app.cli import main as cli_main
from app.db.models import Case, User
from app.domain.dates import long_form
from app.identity import os_login
from app.services.panels import meetings as panels
from tests.db.letter_cases import add_panel, decided, new_case, pages_of, reviewed_case, text_of


def _as(ctx, role: str, name: str = "Sam Okoro") -> None:
    """The command line signs in as the operating-system login: give it a role, a name and a job title."""
    with ctx.unit_of_work() as s:
        user = s.scalar(select(User).where(User.login == os_login()))
        if user is None:
            user = User(login=os_login(), role=role)
            s.add(user)
        user.role, user.display_name = role, name
        user.phone, user.email, user.job_title = "01892 554001", "sam.okoro@tunbridgewells.gov.uk", "Panel chair"


def _reference(ctx, case_id: int) -> str:
    with ctx.reading() as s:
        return s.get(Case, case_id).reference


def test_letter_with_large_print_and_extra_text_and_sent(ctx, sqlite_url, tmp_path, capsys):
    case_id = decided(ctx, met=True)
    _as(ctx, "officer")
    out = tmp_path / "delay.pdf"
    code = cli_main(["--database", sqlite_url, "letter", _reference(ctx, case_id), "delay", "--output", str(out),
                     "--large-print", "--extra", "delay_reason=Kent Police have not sent their records yet.",
                     "--extra", "new_date=15/01/2027"])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    text = text_of(out.read_bytes())
    assert "Kent Police have not sent their records yet." in text and "15 January 2027" in text
    assert len(pages_of(out.read_bytes())) >= 2  # 16 pt throughout
    code = cli_main(["--database", sqlite_url, "letter", _reference(ctx, case_id), "delay", "--output", str(out),
                     "--extra", "delay_reason"])
    assert code == 2 and "--extra: 'delay_reason' is not KEY=VALUE" in capsys.readouterr().err
    today = date.today()
    ack = new_case(ctx, "2026-11-20")
    code = cli_main(["--database", sqlite_url, "letter", ack.reference, "acknowledgement", "--output",
                     str(tmp_path / "ack.pdf"), "--sent-on", today.strftime("%d/%m/%Y"), "--method", "post"])
    captured = capsys.readouterr()
    assert code == 0, captured.err and f"Recorded as sent by post on {long_form(today)}" in captured.out


def test_findings_approved_from_the_command_line_only_by_the_chair_once_read(ctx, sqlite_url, tmp_path, capsys):
    case_id = reviewed_case(ctx)
    reference = _reference(ctx, case_id)
    from app.services.letters.case_letters import produce_letter
    produce_letter(ctx, case_id, "findings")  # the officer produces it; the chair has not read it yet
    _as(ctx, "officer", "Jane Smith")
    code = cli_main(["--database", sqlite_url, "letter", reference, "findings", "--approve"])
    assert code == 1 and "may not approve the findings letter" in capsys.readouterr().err
    _as(ctx, "panel_chair")
    read = tmp_path / "to-read.pdf"
    code = cli_main(["--database", sqlite_url, "letter", reference, "findings", "--approve", "--output", str(read)])
    assert code == 1 and "read it, then run the same command again" in capsys.readouterr().err
    assert "Install a door entry system" in text_of(read.read_bytes())
    code = cli_main(["--database", sqlite_url, "letter", reference, "findings", "--approve"])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert "Approved by Sam Okoro, panel chair." in captured.out


def test_panel_pack_of_the_meeting_on_a_date_and_a_members_own(ctx, sqlite_url, tmp_path, capsys):
    first = decided(ctx, met=True, third_party=True)
    second = decided(ctx, met=True, received="2026-11-10")
    meeting = add_panel(ctx, first, starts_at=datetime(2026, 12, 10, 14, 30), held=False)  # Sam Hale: conflict
    panels.add_case(ctx, meeting, second)
    _as(ctx, "officer", "Jane Smith")
    out = tmp_path / "pack.pdf"
    assert cli_main(["--database", sqlite_url, "panel-pack", "10/12/2026", "--output", str(out)]) == 0, \
        capsys.readouterr().err
    whole = text_of(out.read_bytes())
    assert _reference(ctx, first) in whole and _reference(ctx, second) in whole and "Mr Tom Marchbank" in whole
    own = tmp_path / "own.pdf"
    code = cli_main(["--database", sqlite_url, "panel-pack", "10/12/2026", "--output", str(own), "--member", "Sam Hale"])
    captured = capsys.readouterr()
    assert code == 0, captured.err and f"Left out (conflict of interest declared by Sam Hale): {_reference(ctx, first)}" \
        in captured.out
    mine = text_of(own.read_bytes())
    assert "Mr Tom Marchbank" not in mine and _reference(ctx, second) in mine
    assert cli_main(["--database", sqlite_url, "panel-pack", "11/12/2026", "--output", str(own)]) == 1
    assert "no panel meeting on 11 December 2026" in capsys.readouterr().err
    assert cli_main(["--database", sqlite_url, "panel-pack", "31/02/2026", "--output", str(own)]) == 2


def test_agencies_list_and_set(ctx, sqlite_url, capsys):
    _as(ctx, "officer", "Jane Smith")
    code = cli_main(["--database", sqlite_url, "agencies", "set", "Kent Police", "--address", "Crescent Road|Royal "
                     "Tunbridge Wells", "--postcode", "tn1 2lu"])
    assert code == 1 and "administrator's or a manager's change" in capsys.readouterr().err
    _as(ctx, "manager", "Mo Manager")
    code = cli_main(["--database", sqlite_url, "agencies", "set", "Kent Police", "--address",
                     "Tunbridge Wells Police Station|Crescent Road|Royal Tunbridge Wells", "--postcode", "tn1 2lu",
                     "--contact", "Inspector Pat Lee", "--contact-role", "Community Safety Inspector", "--email",
                     "pat.lee@kent.police.uk", "--alias", "Kent Constabulary", "KP"])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert "Letters go to Inspector Pat Lee, Tunbridge Wells Police Station" in captured.out
    assert cli_main(["--database", sqlite_url, "agencies", "list", "--format", "json"]) == 0
    listed = {a["name"]: a for a in json.loads(capsys.readouterr().out)}
    police = listed["Kent Police"]
    assert police["postcode"] == "TN1 2LU" and police["address_lines"][0] == "Tunbridge Wells Police Station"
    assert police["letters_to"] == {"name": "Inspector Pat Lee", "role": "Community Safety Inspector"}
    assert police["contacts"][0]["email"] == "pat.lee@kent.police.uk" and police["aliases"] == ["Kent Constabulary", "KP"]
    assert listed["Clarion Housing"]["address_lines"] == []  # the default directory has no invented addresses
    assert cli_main(["--database", sqlite_url, "agencies", "list"]) == 0
    assert "Inspector Pat Lee, Community Safety Inspector" in capsys.readouterr().out
    assert cli_main(["--database", sqlite_url, "agencies", "set", "Nobody Housing", "--postcode", "X"]) == 1
    assert "no agency called 'Nobody Housing'" in capsys.readouterr().err
    from app.db.models import AuditEntry
    with ctx.reading() as s:
        assert s.scalar(select(AuditEntry.id).where(AuditEntry.entity == "agency", AuditEntry.actor == os_login()))


@pytest.mark.parametrize("args", [["letter", "CT-2026-0001", "acknowledgement"],
                                  ["letter", "CT-2026-0001", "findings", "--approve", "--extra", "a=b"]])
def test_letter_arguments_that_make_no_sense_exit_2(ctx, sqlite_url, capsys, args):
    _as(ctx, "officer")
    assert cli_main(["--database", sqlite_url, *args]) == 2
    assert capsys.readouterr().err.startswith("community-trigger: ")
