"""The rotating log file in the user data folder: failures by kind and place, never personal values.

What is written: the time, the exception's type, the operation that failed (a service function's
name), ids the caller passes, and the chain of code locations (file, function, line). What is never
written: exception messages, arguments or local variables, which can hold the values a user typed
(a database error quotes the row it refused; a ValueError quotes the text it could not read).
"""
from __future__ import annotations

import logging
import logging.handlers
import threading
import traceback
from pathlib import Path
from types import TracebackType

from app.paths import user_data_dir

LOGGER_NAME = "community_trigger"
MAX_BYTES = 512 * 1024
BACKUPS = 3
_lock = threading.Lock()
_handler: logging.Handler | None = None
_path_override: Path | None = None


def log_path() -> Path:
    return _path_override or user_data_dir() / "logs" / "community-trigger.log"


def set_log_path(path: Path | None) -> None:
    """Tests (and the self-test) write somewhere of their own."""
    global _path_override, _handler
    with _lock:
        _path_override = path
        if _handler is not None:
            logging.getLogger(LOGGER_NAME).removeHandler(_handler)
            _handler.close()
            _handler = None


def logger() -> logging.Logger:
    global _handler
    log = logging.getLogger(LOGGER_NAME)
    with _lock:
        if _handler is None:
            path = log_path()
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                handler: logging.Handler = logging.handlers.RotatingFileHandler(
                    path, maxBytes=MAX_BYTES, backupCount=BACKUPS, encoding="utf-8", delay=True)
            except OSError:
                handler = logging.NullHandler()  # no writable data folder: failing to log must not fail the app
            handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
            log.addHandler(handler)
            log.setLevel(logging.INFO)
            log.propagate = False
            _handler = handler
    return log


def _locations(tb: TracebackType | None) -> list[str]:
    return [f"{Path(frame.filename).name}:{frame.name}:{frame.lineno}" for frame in traceback.extract_tb(tb)]


def operation_of(exc: BaseException) -> str:
    """The innermost service function the failure passed through: the operation the user started."""
    found = "unknown"
    for frame in traceback.extract_tb(exc.__traceback__):
        path = Path(frame.filename).as_posix()
        if "/app/services/" in path and not path.endswith("/common/context.py"):
            found = f"{path.split('/app/services/', 1)[1].removesuffix('.py').replace('/', '.')}.{frame.name}"
    return found


def log_failure(exc: BaseException, *, operation: str | None = None, ids: dict[str, int | None] | None = None,
                where: str = "") -> None:
    """One line per failure: its type and causes' types, the operation, ids, code locations."""
    kinds = []
    seen: BaseException | None = exc
    while seen is not None and len(kinds) < 5:
        kinds.append(type(seen).__module__ + "." + type(seen).__qualname__)
        seen = seen.__cause__ or seen.__context__
    parts = [f"failure={' <- '.join(kinds)}", f"operation={operation or operation_of(exc)}"]
    if where:
        parts.append(f"where={where}")
    parts += [f"{k}={v}" for k, v in (ids or {}).items() if isinstance(v, int) or v is None]
    parts.append("trace=" + " > ".join(_locations(exc.__traceback__)))
    try:
        logger().error(" ".join(parts))
    except Exception:  # noqa: BLE001 - logging must never become the failure
        pass
