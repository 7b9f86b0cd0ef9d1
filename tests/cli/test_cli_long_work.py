"""Long commands on the command line: progress on stderr only, and Ctrl+C that stops between items.

Ctrl+C is the real signal, raised in the test's own process at a known point: just after the
progress line for the k-th item is printed (so between item k and item k+1, never during one).
The command's own handler then asks the work to stop; the database shows exactly k items done.
"""
from __future__ import annotations

import signal
from datetime import date, datetime

import pytest
from sqlalchemy import func, select

from app.cli import main as cli_main
from app.cli_progress import STOPPED, ProgressLine
from app.db.models import AuditEntry, Case, Letter, Person, User
from app.identity import os_login
from app.services.panels import meetings as panels
from tests.cli.cli_helpers import PUBLIC, run
from tests.db.letter_cases import add_panel, decided
from tests.db.test_retention import finish, new_case


def _as(ctx, role: str) -> None:
    """The command line signs in as the operating-system login: give it a role."""
    with ctx.unit_of_work() as s:
        user = s.scalar(select(User).where(User.login == os_login()))
        if user is None:
            s.add(User(login=os_login(), display_name="Jane Smith", role=role))
        else:
            user.role = role


def _interrupt_after(monkeypatch, k: int, during: str = "") -> None:
    """Press Ctrl+C once the progress line says k items of the stage `during` are done."""
    show = ProgressLine.__call__

    def call(self: ProgressLine, done: int, total: int, label: str) -> None:
        show(self, done, total, label)
        if done == k and during in label:
            signal.raise_signal(signal.SIGINT)

    monkeypatch.setattr(ProgressLine, "__call__", call)


def _count(ctx, model, *where) -> int:
    with ctx.reading() as s:
        return s.scalar(select(func.count()).select_from(model).where(*where)) or 0


def test_the_import_prints_its_progress_on_stderr_and_nothing_more_on_stdout(tmp_path):
    result = run(tmp_path / "x.db", "import", str(PUBLIC))
    assert result.returncode == 0, result.stderr
    assert result.stderr.splitlines() == ["  3/3 applications imported"]  # one batch; not a tty
    lines = result.stdout.splitlines()
    assert len(lines) == 3 and all(line.startswith("CT-") for line in lines)  # the lines it always printed


def test_ctrl_c_stops_an_import_between_applications(ctx, sqlite_url, monkeypatch, capsys):
    from app.services.intake import applications
    _as(ctx, "officer")
    monkeypatch.setattr(applications, "BATCH", 1)  # an application a batch, to stop after the first
    _interrupt_after(monkeypatch, 1)
    assert cli_main(["--database", sqlite_url, "import", str(PUBLIC)]) == STOPPED == 130
    captured = capsys.readouterr()
    assert len(captured.out.splitlines()) == 1 and captured.out.startswith("CT-")  # the one imported
    assert "  1/3 applications imported" in captured.err
    assert "Stopped after 1 of 3 applications; done: EXAMPLE-1; not started:" in captured.err
    assert "Import the same files again" in captured.err and "Traceback" not in captured.err
    assert _count(ctx, Case) == 1
    monkeypatch.undo()  # no Ctrl+C this time
    assert cli_main(["--database", sqlite_url, "import", str(PUBLIC)]) == 0  # the rest, recognising the first
    assert _count(ctx, Case) == 3 and "EXAMPLE-1: already imported" in capsys.readouterr().out


def test_ctrl_c_stops_a_retention_run_between_cases(ctx, sqlite_url, monkeypatch, capsys):
    _as(ctx, "manager")
    ids = [new_case(ctx) for _ in range(3)]
    for case_id in ids:
        finish(ctx, case_id, closed_on=date(2019, 1, 10))
    with ctx.reading() as s:
        references = [s.get(Case, i).reference for i in ids]
    _interrupt_after(monkeypatch, 2)
    code = cli_main(["--database", sqlite_url, "retention", "anonymise", *references, "--reason", "period ended"])
    captured = capsys.readouterr()
    assert code == STOPPED, captured.err
    assert captured.out.splitlines() == [f"{r} is anonymised." for r in references[:2]]
    assert "Stopped after 2 of 3 cases" in captured.err and f"not started: {references[2]}." in captured.err
    with ctx.reading() as s:
        surnames = [s.scalar(select(Person.last_name).join(Case, Case.applicant_id == Person.id)
                             .where(Case.id == i)) for i in ids]
    assert surnames == ["[anonymised]", "[anonymised]", "Patel"]


def test_a_retention_run_of_every_case_due(ctx, sqlite_url, capsys):
    _as(ctx, "manager")
    ids = [new_case(ctx) for _ in range(2)]
    finish(ctx, ids[0], closed_on=date(2019, 1, 10))  # due; the other is still open
    code = cli_main(["--database", sqlite_url, "retention", "delete", "--all-due", "--reason", "period ended"])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert captured.out.endswith(" is deleted.\n") and len(captured.out.splitlines()) == 1
    assert _count(ctx, Case) == 1
    assert cli_main(["--database", sqlite_url, "retention", "delete", "--reason", "x"]) == 2  # neither named nor --all-due


def test_ctrl_c_while_the_pack_is_gathered_keeps_no_pack(ctx, sqlite_url, tmp_path, monkeypatch, capsys):
    first = decided(ctx, met=True)
    second = decided(ctx, met=True, received="2026-11-10")
    meeting = add_panel(ctx, first, starts_at=datetime(2026, 12, 10, 14, 30), held=False)
    panels.add_case(ctx, meeting, second)
    _as(ctx, "officer")
    _interrupt_after(monkeypatch, 1, during="pack")
    out = tmp_path / "pack.pdf"
    code = cli_main(["--database", sqlite_url, "panel-pack", "10/12/2026", "--output", str(out)])
    captured = capsys.readouterr()
    assert code == STOPPED and captured.out == ""
    assert "the panel pack was not produced and nothing was saved (1 of 2 cases done" in captured.err
    assert not out.exists() and _count(ctx, Letter, Letter.template == "panel-pack") == 0
    assert _count(ctx, AuditEntry, AuditEntry.action == "export") == 0


def test_ctrl_c_while_a_report_is_counted_writes_nothing(ctx, sqlite_url, tmp_path, monkeypatch, capsys):
    _as(ctx, "manager")
    _interrupt_after(monkeypatch, 1, during="partnership")
    out = tmp_path / "summary.json"
    code = cli_main(["--database", sqlite_url, "report", "--from", "01/04/2026", "--to", "31/03/2027",
                     "--output", str(out)])
    captured = capsys.readouterr()
    assert code == STOPPED and "the partnership summary was not produced" in captured.err
    assert not out.exists()
    assert _count(ctx, AuditEntry, AuditEntry.action == "export") == 0  # no export recorded


def test_ctrl_c_while_the_subject_access_files_are_written(ctx, sqlite_url, tmp_path, monkeypatch, capsys):
    _as(ctx, "manager")
    new_case(ctx)
    _interrupt_after(monkeypatch, 1, during="files")
    out = tmp_path / "sar"
    code = cli_main(["--database", sqlite_url, "subject-access", "Patel", "--output", str(out)])
    captured = capsys.readouterr()
    assert code == STOPPED, captured.err
    assert captured.out.splitlines() == [f"Subject access export for Ms Asha Patel: 1 file(s) in {out}",
                                         "  subject-access.json"]
    assert "not started: subject-access.pdf" in captured.err and "run it again" in captured.err
    assert sorted(p.name for p in out.iterdir()) == ["subject-access.json"]


def test_the_demo_prints_progress_on_stderr(sqlite_url, ctx, capsys):
    _as(ctx, "officer")
    assert cli_main(["--database", sqlite_url, "demo", "--cases", "20", "--seed", "3"]) == 0
    captured = capsys.readouterr()
    assert captured.out == "Created 20 demo cases.\n"
    assert captured.err.splitlines() == ["  20/20 demo cases"]


@pytest.mark.parametrize("args", [("cases", "--format", "json"), ("agencies", "list")])
def test_commands_that_are_not_long_print_no_progress(ctx, sqlite_url, capsys, args):
    _as(ctx, "manager")
    assert cli_main(["--database", sqlite_url, *args]) == 0
    assert capsys.readouterr().err == ""
