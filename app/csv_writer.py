"""The one CSV writer: every CSV file the app and the command line write goes through it.

A spreadsheet runs a cell that begins with `=`, `+`, `-` or `@` as a formula (and a tab or a
carriage return can hide such a start), so a name typed as `=HYPERLINK(...)` could run when an
officer opens an export. OWASP's advice is followed: such a text cell gets a leading apostrophe,
which spreadsheets show as text. Numbers are written as numbers (a negative figure stays a number).
The full-width forms of the same characters are treated alike, as some spreadsheets read them so.
"""
from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any, Iterator

FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")
# Excel, which most councils open CSV files with, reads accents correctly only with the BOM.
ENCODING = "utf-8-sig"
# "-3" (working days left) is a number to a spreadsheet, not a formula: it is left as it is.
_PLAIN_NUMBER = re.compile(r"[-+]?\d{1,15}(?:\.\d{1,15})?")


def safe_cell(value: Any) -> Any:
    """A cell a spreadsheet shows as written: text that could start a formula is prefixed with '."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (int, float)):
        return value
    text = str(value)
    if text.startswith(FORMULA_START) and not _PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text


class SafeWriter:
    """csv.writer with every cell made safe."""

    def __init__(self, handle: IO[str], *, lineterminator: str = "\r\n") -> None:
        self._writer = csv.writer(handle, lineterminator=lineterminator)

    def writerow(self, row: Iterable[Any]) -> None:
        self._writer.writerow([safe_cell(v) for v in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def writer(handle: IO[str], *, lineterminator: str = "\r\n") -> SafeWriter:
    return SafeWriter(handle, lineterminator=lineterminator)


@contextmanager
def open_csv(path: Path) -> Iterator[SafeWriter]:
    """A CSV file for writing, in the encoding spreadsheets read correctly."""
    with Path(path).open("w", newline="", encoding=ENCODING) as handle:
        yield SafeWriter(handle)


def to_text(header: Iterable[Any] | None, rows: Iterable[Iterable[Any]]) -> str:
    """A whole CSV document as text (for stdout, or bytes written by the caller)."""
    out = io.StringIO()
    w = SafeWriter(out)
    if header is not None:
        w.writerow(header)
    w.writerows(rows)
    return out.getvalue()
