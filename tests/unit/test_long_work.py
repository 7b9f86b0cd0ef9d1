"""Long work item by item: progress reported, a stop between items, and the command line's progress line."""
from __future__ import annotations

import io
import signal

import pytest

from app.cli_progress import STOPPED, ProgressLine, long_work, stopped
from app.services.common.ops import NOTHING, Cancelled, Progress, Run, each, in_batches, stop_if_cancelled


def recording(stop_after: int | None = None) -> tuple[Progress, list[tuple[int, int, str]]]:
    """A Progress that records every update and, like a user pressing Cancel, stops after `stop_after` items."""
    calls: list[tuple[int, int, str]] = []
    progress = Progress()

    def seen(done: int, total: int, label: str) -> None:
        calls.append((done, total, label))
        if stop_after is not None and done >= stop_after:
            progress.cancel()

    progress.on_update = seen
    return progress, calls


def test_each_reports_the_start_and_every_item_done():
    progress, calls = recording()
    assert list(each(["a", "b", "c"], progress, "cases")) == ["a", "b", "c"]
    assert calls == [(0, 3, "cases"), (1, 3, "cases"), (2, 3, "cases"), (3, 3, "cases")]
    assert not progress.cancelled


@pytest.mark.parametrize("k", [0, 1, 2])
def test_a_cancel_after_k_items_hands_out_exactly_k(k):
    progress, calls = recording(stop_after=k)
    done = []
    for item in each(["a", "b", "c"], progress, "cases"):
        done.append(item)  # the item in hand is always finished
    assert done == ["a", "b", "c"][:k]
    assert calls[-1] == (k, 3, "cases")


def test_batches_count_the_items_in_them_and_stop_between_batches():
    progress, calls = recording(stop_after=4)
    batches = [list(b) for b in in_batches(list(range(10)), 4, progress, "rows")]
    assert batches == [[0, 1, 2, 3]]
    assert calls == [(0, 10, "rows"), (4, 10, "rows")]


def test_without_progress_everything_is_done():
    assert [list(b) for b in in_batches([1, 2, 3], 2, None, "rows")] == [[1, 2], [3]]


def test_the_summary_names_what_was_done_and_what_was_not_started():
    run = Run(("CT-1", "CT-2"), ("CT-3",), NOTHING, "cases")
    assert run.cancelled
    assert run.summary() == "Stopped after 2 of 3 cases; done: CT-1, CT-2; not started: CT-3."
    assert Run(("CT-1",), (), NOTHING, "cases").summary() == "Done: 1 cases."
    many = Run((), tuple(f"CT-{n}" for n in range(15)), NOTHING, "cases").summary()
    assert "none done" in many and "CT-9 and 5 more" in many


def test_work_that_makes_one_thing_raises_cancelled_naming_how_far_it_got():
    progress, _calls = recording(stop_after=1)
    items = ["CT-1", "CT-2", "CT-3"]
    done = list(each(items, progress, "cases"))
    with pytest.raises(Cancelled) as stop:
        stop_if_cancelled(progress, "the pack", done, items, "cases")
    assert stop.value.run.done == ("CT-1",) and stop.value.run.not_started == ("CT-2", "CT-3")
    assert "the pack was not produced and nothing was saved" in str(stop.value)
    stop_if_cancelled(None, "the pack", done, items, "cases")  # no progress: never stopped


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_on_a_terminal_the_line_is_overwritten_and_ended_once():
    out = _Terminal()
    line = ProgressLine(out)
    for done in range(0, 4):
        line(done, 3, "cases")
    assert out.getvalue() == "\r  0/3 cases\r  1/3 cases\r  2/3 cases\r  3/3 cases\n"
    line.close()  # already ended: no second newline
    assert out.getvalue().count("\n") == 1


def test_a_shorter_line_covers_the_longer_one_before_it():
    out = _Terminal()
    line = ProgressLine(out)
    line(9, 100, "cases gathered")
    line(10, 100, "cases")
    assert out.getvalue() == "\r  9/100 cases gathered\r  10/100 cases" + " " * 8


def test_into_a_file_there_is_one_line_per_tenth():
    out = io.StringIO()
    line = ProgressLine(out)
    for done in range(0, 501):
        line(done, 500, "cases")
    lines = out.getvalue().splitlines()
    assert lines == [f"  {n}/500 cases" for n in range(50, 501, 50)]
    line.close()
    assert "\r" not in out.getvalue()


def test_ctrl_c_during_long_work_asks_it_to_stop_and_a_second_stops_at_once():
    before = signal.getsignal(signal.SIGINT)
    err = io.StringIO()
    with long_work(err) as progress:
        signal.raise_signal(signal.SIGINT)
        assert progress.cancelled  # the first asks; the work stops between items
        assert "stopping after the item in hand" in err.getvalue()
        with pytest.raises(KeyboardInterrupt):
            signal.raise_signal(signal.SIGINT)
    assert signal.getsignal(signal.SIGINT) is before  # put back afterwards


def test_a_stopped_command_says_so_on_stderr_and_exits_130(capsys):
    assert stopped("Stopped after 1 of 2 cases.", "Run it again.") == STOPPED == 130
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == "community-trigger: Stopped after 1 of 2 cases. Run it again.\n"
