"""Unsaved applications kept safe: autosaved drafts in the database, a private local copy while it cannot be
reached, and finding both again at start-up. The work here runs on a worker (`ui.tasks`), never on the UI
thread; what comes back is plain values.

Kept light on purpose (no service module imported at the top): the main window imports it at start-up.
"""
from __future__ import annotations

import json
import os
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.paths import user_data_dir

if TYPE_CHECKING:
    from app.services.common.context import ServiceContext
    from ui.tasks import Tasks


def local_drafts_dir() -> Path:
    return user_data_dir() / "unsaved"


def new_submission_id() -> str:
    return str(uuid.uuid4())


def write_private(path: Path, text: str) -> None:
    """A file only its owner can read (0600, in a 0700 folder): it holds a victim's details."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.chmod(path, 0o600)  # an older copy may have been made with the default mode


# --- on the worker ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Kept:
    """What one autosave did: the draft's id in the database, or the local copy written instead."""
    draft_id: int | None
    local: Path | None
    kept: bool                      # False: nothing could be written anywhere (the form still holds it)
    refused: bool = False           # the database refused (not a lost connection): nothing written anywhere
    # No `changes`: a draft is shown by no view, so an autosave makes nothing on screen stale.


def keep_draft(ctx: ServiceContext, kind: str, payload: dict[str, Any], draft_id: int | None,
               local: Path | None) -> Kept:
    """To the database; to a file only this user can read while the database cannot be reached.

    Never raises for a database problem: an autosave is not something the officer asked for, so it
    never puts a message in front of them (the form keeps everything, and the next one tries again).
    """
    from app.services.common.errors import DatabaseUnavailable, ServiceError
    from app.services.intake import support
    try:
        saved = support.save_draft(ctx, kind, payload, draft_id)
    except DatabaseUnavailable:
        path = local or local_drafts_dir() / f"{kind}-{datetime.now():%Y%m%d-%H%M%S}-{uuid.uuid4().hex[:6]}.json"
        try:
            write_private(path, json.dumps(payload))
        except OSError:
            return Kept(draft_id, local, kept=False)
        return Kept(draft_id, path, kept=True)
    except ServiceError:
        return Kept(draft_id, local, kept=False, refused=True)
    if local is not None:
        local.unlink(missing_ok=True)  # back in the database: the local copy has done its job
    return Kept(saved.id, None, kept=True)


def discard_kept(ctx: ServiceContext, draft_id: int | None, local: Path | None) -> None:
    """The officer threw the application away (or it was saved): its draft and local copy go too."""
    from app.services.common.errors import ServiceError
    from app.services.intake import support
    if draft_id is not None:
        try:
            support.discard_draft(ctx, draft_id)
        except ServiceError:
            pass  # an orphan draft is harmless; it is offered again and can be discarded
    if local is not None:
        local.unlink(missing_ok=True)


@dataclass(frozen=True)
class LocalCopy:
    path: Path
    payload: dict[str, Any]


@dataclass(frozen=True)
class FoundDrafts:
    """The unsaved applications of this user: in the database, and copies kept on this computer."""
    drafts: tuple[Any, ...] = ()          # app.services.intake.support.DraftInfo
    local: tuple[LocalCopy, ...] = ()


def find_drafts(ctx: ServiceContext, list_drafts: Callable[[ServiceContext], list[Any]]) -> FoundDrafts:
    """Drafts in the database, then the local copies (only for a user who may create cases: anyone
    else makes no drafts and is shown none)."""
    from app.domain.roles import Permission
    drafts = tuple(d for d in list_drafts(ctx) if d.kind.startswith("application-"))
    if not ctx.may(Permission.CHANGE_CASES):
        return FoundDrafts(drafts)
    local: list[LocalCopy] = []
    for path in sorted(local_drafts_dir().glob("application-*.json")):
        try:
            payload = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(payload, dict):
            local.append(LocalCopy(path, payload))
    return FoundDrafts(drafts, tuple(local))


# --- on the UI thread --------------------------------------------------------------------------------

@dataclass
class DraftKeeper:
    """The draft of one form: which draft and local copy it has, one autosave at a time.

    Plain Python, not a widget: an autosave that lands after its form was closed still knows what
    to remove, so a closed form never leaves a draft behind to be "restored" next time.
    """
    ctx: ServiceContext
    kind: str
    tasks: Tasks
    draft_id: int | None = None
    local: Path | None = None
    busy: bool = False
    closed: bool = False
    _then: list[Callable[[], None]] = field(default_factory=list)

    def keep(self, payload: dict[str, Any], on_kept: Callable[[Kept], None]) -> bool:
        """Autosave; False if one is already on its way (the next tick tries again)."""
        if self.busy or self.closed:
            return False
        self.busy = True

        def done(kept: Kept) -> None:
            self.busy = False
            self.draft_id, self.local = kept.draft_id, kept.local
            if self.closed:
                self._discard_now()
            else:
                on_kept(kept)
            self._run_then()

        def failed(_exc: BaseException) -> bool:
            self.busy = False
            self._run_then()
            return True  # an autosave never shows a message

        self.tasks.op(keep_draft, self.ctx, self.kind, payload, self.draft_id, self.local, on_done=done,
                      on_error=failed, what="keep a draft of the application")
        return True

    def when_settled(self, callback: Callable[[], None]) -> None:
        """After the autosave on its way (at once if none is): a save must know the draft to remove."""
        if self.busy:
            self._then.append(callback)
        else:
            callback()

    def saved(self) -> None:
        """The save removed the draft in its own transaction; the local copy goes now."""
        self.draft_id = None
        if self.local is not None:
            local, self.local = self.local, None
            self.tasks.op(discard_kept, self.ctx, None, local, on_error=lambda _e: True,
                          what="remove the local copy")

    def discard(self) -> None:
        self.closed = True
        if not self.busy:
            self._discard_now()

    def _discard_now(self) -> None:
        if self.draft_id is None and self.local is None:
            return
        draft_id, local = self.draft_id, self.local
        self.draft_id = self.local = None
        self.tasks.op(discard_kept, self.ctx, draft_id, local, on_error=lambda _e: True,
                      what="discard the draft")

    def _run_then(self) -> None:
        waiting, self._then = self._then, []
        for callback in waiting:
            callback()
