"""What an operation changed, and how long work reports progress: the contract between services and views.

Every user action is one operation: one function in `app.services`, one unit of work (one
transaction), a permission check, the version the user saw, and a result that says what changed.
A view runs it off the UI thread and, from the `Changes`, decides whether what it shows is stale
(the idea of Anki's `OpChanges`). A result is either a `Changes` or a small frozen dataclass with a
`changes` attribute; nothing in it is an ORM object, so it can cross from the worker thread.
"""
from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Protocol, TypeVar, runtime_checkable

from app.services.common.errors import ServiceError


class Part(StrEnum):
    """The parts of the screen an operation can make stale."""
    LIST = "list"                  # the case list: a row, the counts, the filter choices
    HEADER = "header"              # the case page header and its step buttons
    SUMMARY = "summary"
    PEOPLE = "people"
    INCIDENTS = "incidents"
    AGENCY_WORK = "agency_work"    # requests to agencies and their actions
    CHRONOLOGY = "chronology"
    RELATED = "related"
    NOTES = "notes"                # notes and documents
    LETTERS = "letters"            # a case's letters, and the letters waiting to go out
    TIMELINE = "timeline"          # the audit timeline of a case
    MEETINGS = "meetings"
    RECOMMENDATIONS = "recommendations"
    AGENCIES = "agencies"          # the agency directory
    SETTINGS = "settings"
    USERS = "users"
    DRAFTS = "drafts"
    REPORTS = "reports"
    RETENTION = "retention"


# A change to a case's own record makes all of these stale; the list row follows its status and dates.
CASE_PARTS = frozenset({Part.LIST, Part.HEADER, Part.SUMMARY, Part.PEOPLE, Part.INCIDENTS, Part.AGENCY_WORK,
                        Part.CHRONOLOGY, Part.RELATED, Part.NOTES, Part.LETTERS, Part.TIMELINE})


@dataclass(frozen=True)
class Changes:
    """Which records an operation changed. Empty means nothing to refresh."""
    cases: frozenset[int] = frozenset()      # existing cases whose records changed
    created: frozenset[int] = frozenset()    # cases that did not exist before the operation
    removed: frozenset[int] = frozenset()    # cases deleted by the operation
    parts: frozenset[Part] = frozenset()
    meetings: frozenset[int] = frozenset()
    all_cases: bool = False                  # too many to name: settings, directory links, imports, demo

    @classmethod
    def of_case(cls, case_id: int, *parts: Part) -> Changes:
        """A change to one case: by default every part of its page and its list row."""
        return cls(cases=frozenset({case_id}), parts=frozenset(parts) if parts else CASE_PARTS)

    @classmethod
    def of_cases(cls, case_ids: Iterable[int], *parts: Part) -> Changes:
        return cls(cases=frozenset(case_ids), parts=frozenset(parts) if parts else CASE_PARTS)

    @classmethod
    def new_cases(cls, case_ids: Iterable[int], *parts: Part) -> Changes:
        return cls(created=frozenset(case_ids), parts=frozenset({Part.LIST, *parts}))

    @classmethod
    def of(cls, *parts: Part, meetings: Iterable[int] = ()) -> Changes:
        return cls(parts=frozenset(parts), meetings=frozenset(meetings))

    def __or__(self, other: Changes) -> Changes:
        return Changes(self.cases | other.cases, self.created | other.created, self.removed | other.removed,
                       self.parts | other.parts, self.meetings | other.meetings,
                       self.all_cases or other.all_cases)

    def __bool__(self) -> bool:
        return bool(self.cases or self.created or self.removed or self.parts or self.meetings or self.all_cases)

    def touches(self, *parts: Part) -> bool:
        return any(p in self.parts for p in parts)

    def touches_case(self, case_id: int) -> bool:
        return self.all_cases or case_id in self.cases or case_id in self.created or case_id in self.removed

    @property
    def case_ids(self) -> frozenset[int]:
        return self.cases | self.created | self.removed


NOTHING = Changes()


@runtime_checkable
class HasChanges(Protocol):
    changes: Changes


def changes_of(result: Any) -> Changes:
    """The changes an operation's result reports (an operation that returns nothing changed nothing)."""
    if isinstance(result, Changes):
        return result
    found = getattr(result, "changes", None)
    return found if isinstance(found, Changes) else NOTHING


@dataclass(frozen=True)
class Saved:
    """An operation that created or saved one record: its id (and version), and what changed."""
    id: int
    changes: Changes
    version: int | None = None


@dataclass(frozen=True)
class Counted:
    """An operation over many items: how many it did, and what changed."""
    count: int
    changes: Changes


@dataclass(frozen=True)
class Done:
    """The result of an operation that has nothing to report but what it changed and a line for the user."""
    changes: Changes = NOTHING
    message: str = ""
    value: Any = None


@dataclass
class Progress:
    """How far long work has got, and the user's wish to stop it.

    Long work (batches, packs, imports, retention, demo) calls `step` between items and stops when
    `cancelled` is set; each item is committed whole or not started, so stopping leaves nothing
    half-done. `on_update` is called on the worker thread: the UI passes something thread-safe
    (a signal), the command line prints a line.
    """
    on_update: Callable[[int, int, str], None] | None = None
    _cancel: threading.Event = field(default_factory=threading.Event, repr=False)
    done: int = 0
    total: int = 0
    label: str = ""

    def start(self, total: int, label: str = "") -> None:
        self.total, self.done, self.label = total, 0, label
        self._emit()

    def step(self, done: int | None = None, label: str | None = None) -> None:
        self.done = self.done + 1 if done is None else done
        if label is not None:
            self.label = label
        self._emit()

    def cancel(self) -> None:
        self._cancel.set()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def _emit(self) -> None:
        if self.on_update is not None:
            self.on_update(self.done, self.total, self.label)


def no_progress() -> Progress:
    return Progress()


# --- long work, item by item ------------------------------------------------------------------------

T = TypeVar("T")
_LISTED = 10  # names shown in a summary before "and N more"


@dataclass(frozen=True)
class Run:
    """What long work did, item by item: each item (a case, a file, an application) is done whole or
    not started, so after a cancel `done` and `not_started` between them name every item."""
    done: tuple[str, ...] = ()
    not_started: tuple[str, ...] = ()
    changes: Changes = NOTHING
    unit: str = "items"  # what an item is, in the plural: "cases", "files"

    @property
    def cancelled(self) -> bool:
        return bool(self.not_started)

    def summary(self) -> str:
        if not self.cancelled:
            return f"Done: {len(self.done)} {self.unit}."
        total = len(self.done) + len(self.not_started)
        done = f"done: {listed(self.done)}" if self.done else "none done"
        return (f"Stopped after {len(self.done)} of {total} {self.unit}; {done}; "
                f"not started: {listed(self.not_started)}.")


def listed(names: Sequence[str], limit: int = _LISTED) -> str:
    shown = ", ".join(names[:limit])
    return shown + (f" and {len(names) - limit} more" if len(names) > limit else "")


class Cancelled(ServiceError):
    """Work that makes one thing (a report, a pack, a bundle) was stopped before it was made.

    Nothing was saved or produced (the unit of work it was raised in rolls back); `run` says how
    far the work had got, for the user's summary.
    """

    def __init__(self, what: str, run: Run) -> None:
        self.run = run
        super().__init__(f"Stopped: {what} was not produced and nothing was saved ({len(run.done)} of "
                         f"{len(run.done) + len(run.not_started)} {run.unit} done before you stopped it).")


def in_batches(items: Sequence[T], size: int, progress: Progress | None, label: str) -> Iterator[Sequence[T]]:
    """The items a batch at a time, counting each batch done on `progress` once the caller asks for the
    next; after a cancel no further batch is handed out (the one in hand is never interrupted)."""
    if progress is not None:
        progress.start(len(items), label)
    done = 0
    for first in range(0, len(items), max(1, size)):
        if progress is not None and progress.cancelled:
            return
        batch = items[first:first + max(1, size)]
        yield batch
        done += len(batch)
        if progress is not None:
            progress.step(done)


def each(items: Sequence[T], progress: Progress | None, label: str) -> Iterator[T]:
    """The items one at a time, with progress; none is begun after the user has cancelled."""
    for batch in in_batches(items, 1, progress, label):
        yield batch[0]


def stop_if_cancelled(progress: Progress | None, what: str, done: Sequence[str], items: Sequence[str],
                      unit: str) -> None:
    """For work that makes one thing: raise `Cancelled` (nothing made, nothing saved) once the user stopped it."""
    if progress is not None and progress.cancelled:
        raise Cancelled(what, Run(tuple(done), tuple(items[len(done):]), NOTHING, unit))
