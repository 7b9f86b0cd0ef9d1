"""Showing and printing stored PDF bytes exactly as stored (pypdfium2), never a second rendering.

The pages are rendered to QImages, which may be made on a worker thread (a QImage is not a widget):
a preview reads and renders its letter off the UI thread and only puts the pictures on screen.
"""
from __future__ import annotations

import threading

import pypdfium2 as pdfium
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QImage, QPainter, QPixmap
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import QLabel, QScrollArea, QVBoxLayout, QWidget

_FORMATS = {"BGR": QImage.Format.Format_BGR888, "BGRA": QImage.Format.Format_ARGB32,
            "BGRX": QImage.Format.Format_RGB32}


# PDFium is not safe to call from two threads at once (a preview rendered on the worker while a
# print renders on the UI thread): one rendering at a time.
_PDFIUM = threading.Lock()


def pdf_images(pdf: bytes, dpi: float = 96) -> list[QImage]:
    with _PDFIUM:
        return _render(pdf, dpi)


def _render(pdf: bytes, dpi: float) -> list[QImage]:
    document = pdfium.PdfDocument(pdf)
    try:
        images = []
        for page in document:
            bitmap = page.render(scale=dpi / 72)
            image = QImage(bytes(bitmap.buffer), bitmap.width, bitmap.height, bitmap.stride,
                           _FORMATS.get(bitmap.mode, QImage.Format.Format_RGB32))
            images.append(image.copy())  # own the pixels before pdfium frees its buffer
            bitmap.close()
            page.close()
        return images
    finally:
        document.close()


class PdfPagesView(QScrollArea):
    """Every page of a PDF, one under another, in a scroll area."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Letter preview")
        # Unlike a form's scroll area, this is what is read: it takes Tab so that the arrows and Page Up
        # and Page Down scroll the pages.
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setAccessibleDescription("The pages of the letter, one under another: the arrow keys and Page Up "
                                      "and Page Down scroll them")
        self.setWidgetResizable(True)
        self.pages: list[QLabel] = []

    def show_pdf(self, pdf: bytes) -> int:
        return self.show_images(pdf_images(pdf))

    def show_images(self, images: list[QImage]) -> int:
        """Pages rendered already (on a worker, by `pdf_images`)."""
        holder = QWidget()
        layout = QVBoxLayout(holder)
        self.pages = []
        for n, image in enumerate(images, start=1):
            label = QLabel()
            label.setPixmap(QPixmap.fromImage(image))
            label.setAlignment(Qt.AlignmentFlag.AlignHCenter)
            label.setAccessibleName(f"Page {n}")
            layout.addWidget(label)
            self.pages.append(label)
        self.setWidget(holder)
        return len(self.pages)


def print_pdf(pdf: bytes, printer: QPrinter) -> int:
    """Print the stored pages at the printer's resolution; returns the number of pages."""
    images = pdf_images(pdf, dpi=min(printer.resolution(), 300))
    painter = QPainter()
    if not painter.begin(printer):
        raise OSError("The printer could not be started.")
    try:
        for n, image in enumerate(images):
            if n:
                printer.newPage()
            target = painter.viewport()
            scaled = image.size().scaled(target.size(), Qt.AspectRatioMode.KeepAspectRatio)
            painter.drawImage(QRectF(0, 0, scaled.width(), scaled.height()), image)
    finally:
        painter.end()
    return len(images)
