"""The embedded letter font: DejaVu Sans shipped in resources/fonts, registered once per process."""
from __future__ import annotations

import threading
from pathlib import Path

from reportlab import rl_config
from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from app.paths import resources_dir

REGULAR = "DejaVuSans"
BOLD = "DejaVuSans-Bold"
_FILES = {REGULAR: "DejaVuSans.ttf", BOLD: "DejaVuSans-Bold.ttf"}
_lock = threading.Lock()
_registered = False


class FontMissing(RuntimeError):
    """The shipped font files are not where the installation should have put them."""


def fonts_dir() -> Path:
    return resources_dir() / "fonts"


def register_fonts() -> None:
    """Register DejaVu Sans (regular and bold) from the app's own resources, never system fonts.

    Also makes it the canvas base font: otherwise every page references an unembedded
    Helvetica, and Helvetica prints Welsh letters such as ŵ and ŷ as black boxes (traps.md).
    """
    global _registered
    if _registered:
        return
    with _lock:
        if _registered:
            return
        for name, filename in _FILES.items():
            path = fonts_dir() / filename
            if not path.is_file():
                raise FontMissing(f"The letter font {filename} is missing from {fonts_dir()}; "
                                  "reinstall the app.")
            pdfmetrics.registerFont(TTFont(name, str(path)))
        # <b> inside a paragraph picks the bold face; there is no italic face, so italic maps to upright.
        for bold, italic, face in ((0, 0, REGULAR), (1, 0, BOLD), (0, 1, REGULAR), (1, 1, BOLD)):
            addMapping(REGULAR, bold, italic, face)
        rl_config.canvas_basefontname = REGULAR
        _registered = True
