"""Long commands on the command line: a progress line on stderr, and Ctrl+C that stops between items.

stdout keeps exactly what the command prints when it is not interrupted (a script reads it); the
progress goes to stderr only. On a terminal it is one line overwritten in place ("  120/500
cases"); into a file or a pipe it is one line per tenth of the work, so a log stays short.

The first Ctrl+C asks the work to stop once the item in hand is finished (each item is committed
whole or not started); the command then prints what was done and what was not started, and
exits with STOPPED. A second Ctrl+C stops at once, as Ctrl+C always did (the item in hand is
rolled back by its unit of work).
"""
from __future__ import annotations

import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType
from typing import TextIO

from app.services.common.ops import Progress

STOPPED = 130  # the exit status of a command stopped with Ctrl+C (128 + SIGINT, as shells report it)


class ProgressLine:
    """Writes a Progress's updates to a stream: overwritten on a terminal, every tenth otherwise."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream if stream is not None else sys.stderr
        isatty = getattr(self.stream, "isatty", None)
        self.tty = bool(isatty and isatty())
        self._open = False  # a terminal line written without its newline yet
        self._tenth = 0  # the tenths already shown: the first line at a tenth of the way
        self._width = 0

    def __call__(self, done: int, total: int, label: str) -> None:
        if total <= 0:
            return
        text = f"  {done}/{total} {label}".rstrip()
        if self.tty:
            # Spaces over what a longer earlier line left (no escape codes: a Windows console shows them).
            self.stream.write("\r" + text.ljust(self._width))
            self._width = len(text)
            self._open = True
            if done >= total:
                self.close()
        else:
            tenth = done * 10 // total
            if tenth > self._tenth:
                self._tenth = tenth
                self.stream.write(text + "\n")
        self.stream.flush()

    def close(self) -> None:
        """End the terminal line, so that what is printed next starts on a line of its own."""
        if self._open:
            self.stream.write("\n")
            self.stream.flush()
            self._open = False


@contextmanager
def long_work(stream: TextIO | None = None) -> Iterator[Progress]:
    """A Progress printed to stderr, cancelled by the first Ctrl+C while the block runs."""
    line = ProgressLine(stream)
    progress = Progress(on_update=line)

    def stop(_signum: int, _frame: FrameType | None) -> None:
        if progress.cancelled:
            raise KeyboardInterrupt  # asked twice: stop now
        progress.cancel()
        line.close()
        line.stream.write("  stopping after the item in hand (Ctrl+C again to stop at once)…\n")
        line.stream.flush()

    previous = None
    if threading.current_thread() is threading.main_thread():  # signals reach the main thread only
        previous = signal.signal(signal.SIGINT, stop)
    try:
        yield progress
    finally:
        line.close()
        if previous is not None:
            signal.signal(signal.SIGINT, previous)


def stopped(summary: str, advice: str = "") -> int:
    """Say on stderr what a stopped command did and did not start; the exit status to return."""
    print(f"community-trigger: {summary}{' ' + advice if advice else ''}", file=sys.stderr)
    return STOPPED
