"""Attachments: regular files only, a bounded read, content checked against the type claimed, exact sizes."""
from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest
from sqlalchemy import select

from app.db.models import Document
from app.services.common.errors import ValidationFailed
from app.services.intake.attachments import MAX_ATTACHMENT_BYTES, read_attachment
from app.services.intake.support import attach_document
from app.services.intake.applications import create_application
from tests.db.helpers import application

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 32
TIFF = b"II*\x00" + b"\x00" * 32


def _file(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


@pytest.mark.parametrize("name, data, kind", [("scan.pdf", PDF, "application/pdf"), ("photo.png", PNG, "image/png"),
                                              ("photo.JPG", JPEG, "image/jpeg"), ("fax.tif", TIFF, "image/tiff")])
def test_real_scans_are_kept_byte_for_byte(ctx, tmp_path, name, data, kind):
    case = create_application(ctx, application())
    attach_document(ctx, case.id, _file(tmp_path, name, data))
    with ctx.reading() as s:
        doc = s.scalars(select(Document)).one()
        assert (doc.media_type, doc.content, doc.size) == (kind, data, len(data))


def test_a_link_is_refused_even_to_a_real_pdf(tmp_path):
    target = _file(tmp_path, "real.pdf", PDF)
    for name, points_to in (("shadow.pdf", Path("/etc/shadow")), ("zero.pdf", Path("/dev/zero")), ("real-link.pdf", target)):
        link = tmp_path / name
        link.symlink_to(points_to)
        with pytest.raises(ValidationFailed, match="link"):
            read_attachment(link)


def test_devices_pipes_and_folders_are_refused_without_reading(tmp_path):
    fifo = tmp_path / "pipe.pdf"
    os.mkfifo(fifo)
    folder = tmp_path / "folder.pdf"
    folder.mkdir()
    done = threading.Event()

    def attempt() -> None:
        for path in (fifo, folder, Path("/dev/null")):
            with pytest.raises(ValidationFailed, match="not a file|attach a PDF"):
                read_attachment(path)
        done.set()

    worker = threading.Thread(target=attempt, daemon=True)
    worker.start()
    worker.join(10)  # a FIFO opened for reading would block for ever; the refusal is immediate
    if not done.is_set():
        with open(fifo, "wb"):  # unblock a hung reader so the test run can end
            pass
    assert done.is_set()


@pytest.mark.parametrize("name, data, words", [
    ("script.pdf", b"#!/bin/sh\nrm -rf ~\n", "its content is not a PDF or an image"),
    ("photo.pdf", PNG, "it looks like a PNG image"),
    ("letter.png", PDF, "it looks like a PDF"),
    ("empty.pdf", b"", "is empty"),
    ("notes.txt", b"hello", "attach a PDF or an image"),
])
def test_content_must_match_the_type_it_claims(tmp_path, name, data, words):
    with pytest.raises(ValidationFailed, match=words):
        read_attachment(_file(tmp_path, name, data))


def test_the_size_message_is_exact_and_the_read_is_bounded(tmp_path):
    path = tmp_path / "big.pdf"
    with path.open("wb") as handle:
        handle.write(PDF)
        handle.truncate(MAX_ATTACHMENT_BYTES + 1)  # one byte over
    with pytest.raises(ValidationFailed) as refused:
        read_attachment(path)
    message = str(refused.value)
    assert "20,971,521 bytes" in message and "the limit is 20,971,520 bytes (20.0 MB)" in message
    with path.open("r+b") as handle:
        handle.truncate(MAX_ATTACHMENT_BYTES)  # exactly the limit: allowed
    assert len(read_attachment(path).content) == MAX_ATTACHMENT_BYTES
