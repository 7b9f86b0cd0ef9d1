"""Windows and dialogs that fit the screen they are on (council laptops are 1280 x 800 or 1366 x 768)."""
from __future__ import annotations

from PySide6.QtCore import QSize
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QLayout, QWidget

# Room the window manager's title bar and borders take around a window.
FRAME = QSize(16, 48)
SMALL_SCREEN = QSize(1440, 900)  # at or below this a new main window opens maximised


def available(widget: QWidget) -> QSize:
    """The usable size of the screen the widget is (or will be) on, less the window frame."""
    screen = widget.screen() or QGuiApplication.primaryScreen()
    if screen is None:
        return QSize(1280, 800)
    size = screen.availableGeometry().size()
    return QSize(size.width() - FRAME.width(), size.height() - FRAME.height())


def fit_to_screen(widget: QWidget, width: int, height: int) -> None:
    """Resize to width x height, or less where the screen is smaller."""
    room = available(widget)
    widget.resize(min(width, room.width()), min(height, room.height()))


def fit_to_content(widget: QWidget, width: int) -> None:
    """A dialog as wide as `width` (or the screen) and as tall as its content needs at that width.

    Wrapped labels are measured at the dialog's real width, so a long message is never clipped; a
    dialog taller than the screen is limited to it (its content should then scroll)."""
    room = available(widget)
    width = max(min(width, room.width()), min(widget.minimumSizeHint().width(), room.width()))
    layout = widget.layout()
    if layout is not None:
        layout.setSizeConstraint(QLayout.SizeConstraint.SetDefaultConstraint)
        layout.activate()
        needed = layout.heightForWidth(width) if layout.hasHeightForWidth() else layout.sizeHint().height()
    else:
        needed = widget.sizeHint().height()
    height = min(max(needed, widget.minimumSizeHint().height()), room.height())
    widget.setMinimumHeight(min(needed, room.height()))
    widget.resize(width, height)
