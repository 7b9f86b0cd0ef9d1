"""Reading a scan to attach: a regular file only, a bounded read, its content matching the type it claims.

The user's path is only read, never stored or trusted. A symbolic link (a ".pdf" pointing at
/etc/shadow or /dev/zero), a device, a pipe (which would hang the read) or a folder is refused
before anything is read; the file is opened without following links and without blocking, checked
again on the open handle, and read up to one byte past the limit, never more. The first bytes must
be those of the type the name claims (PDF, JPEG, PNG or TIFF): a shell script named ".pdf" is not
stored as a PDF.
"""
from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path

from app.domain.application import Problem
from app.services.common.errors import ValidationFailed

MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024
ATTACHMENT_TYPES = {".pdf": "application/pdf", ".png": "image/png", ".jpg": "image/jpeg",
                    ".jpeg": "image/jpeg", ".tif": "image/tiff", ".tiff": "image/tiff"}
_MAGIC = {"application/pdf": (b"%PDF-",), "image/png": (b"\x89PNG\r\n\x1a\n",), "image/jpeg": (b"\xff\xd8\xff",),
          "image/tiff": (b"II*\x00", b"MM\x00*")}
_KIND = {"application/pdf": "a PDF", "image/png": "a PNG image", "image/jpeg": "a JPEG image",
         "image/tiff": "a TIFF image"}
_CHUNK = 1024 * 1024


@dataclass(frozen=True)
class Attachment:
    name: str
    media_type: str
    content: bytes


def size_words(count: int) -> str:
    """'21,390,000 bytes (20.4 MB)': exact, so that a file just over the limit is not '20 MB' too."""
    return f"{count:,} bytes ({count / (1024 * 1024):.1f} MB)"


def _refuse(message: str) -> ValidationFailed:
    return ValidationFailed([Problem("attachment", message)])


def _looks_like(head: bytes) -> str | None:
    return next((kind for kind, starts in _MAGIC.items() if head.startswith(starts)), None)


def read_attachment(source: Path) -> Attachment:
    name = source.name or str(source)
    media_type = ATTACHMENT_TYPES.get(source.suffix.lower())
    if media_type is None:
        raise _refuse(f"{name}: attach a PDF or an image ({', '.join(sorted(ATTACHMENT_TYPES))})")
    try:
        info = os.lstat(source)
    except OSError as exc:
        raise _refuse(f"{name} cannot be read: {exc.strerror or exc}") from exc
    if stat.S_ISLNK(info.st_mode):
        raise _refuse(f"{name} is a shortcut (a link) to another file: attach the file itself")
    if not stat.S_ISREG(info.st_mode):
        raise _refuse(f"{name} is not a file (it is a folder, a device or a pipe): attach a scanned document")
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(source, flags)
    except OSError as exc:
        raise _refuse(f"{name} cannot be read: {exc.strerror or exc}") from exc
    with os.fdopen(fd, "rb") as handle:
        opened = os.fstat(handle.fileno())
        if not stat.S_ISREG(opened.st_mode):  # replaced between the look and the open
            raise _refuse(f"{name} is not a file: attach a scanned document")
        if opened.st_size > MAX_ATTACHMENT_BYTES:
            raise _refuse(f"{name} is {size_words(opened.st_size)}; the limit is {size_words(MAX_ATTACHMENT_BYTES)}")
        chunks, total = [], 0
        while total <= MAX_ATTACHMENT_BYTES:
            chunk = handle.read(min(_CHUNK, MAX_ATTACHMENT_BYTES + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
    if total > MAX_ATTACHMENT_BYTES:  # it grew while being read
        raise _refuse(f"{name} is more than {size_words(MAX_ATTACHMENT_BYTES)}, the limit")
    content = b"".join(chunks)
    if not content:
        raise _refuse(f"{name} is empty")
    found = _looks_like(content[:16])
    if found != media_type:
        what = f"it looks like {_KIND[found]}" if found else "its content is not a PDF or an image"
        raise _refuse(f"{name} is named as {_KIND[media_type]}, but {what}: attach the scan itself")
    return Attachment(name, media_type, content)
