"""Windows and dialogs that fit the screen they are on (council laptops are 1280 x 800 or 1366 x 768)."""
from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QEvent, QSize, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QFrame, QLayout, QScrollArea, QWidget

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


def _settle_layouts(rounds: int = 4) -> None:
    """Lay out now what is waiting to be laid out: a label shown or hidden asks its parent's layout
    again only from the event loop, and each layout that changes asks the one around it in turn."""
    for _ in range(rounds):
        QCoreApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest)


def fit_to_content(widget: QWidget, width: int) -> None:
    """A dialog as wide as `width` (or the screen) and as tall as its content needs at that width.

    Wrapped labels are measured at the dialog's real width, so a long message is never clipped; a
    dialog taller than the screen is limited to it (its content should then scroll: a
    `ContentScrollArea` is measured by the whole of its content)."""
    room = available(widget)
    _settle_layouts()  # a message just shown under a field: its row measured with it, not without
    for area in widget.findChildren(ContentScrollArea):
        area.updateGeometry()  # its content changed since it was last measured
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


class ContentScrollArea(QScrollArea):
    """A scroll area that asks for room for the whole of its content, as if it were not there.

    In a dialog sized by `fit_to_content` the dialog is as tall as its form needs while the screen has
    room; on a smaller screen the dialog stops at the screen's height and the form scrolls inside it,
    so nothing is ever cut off. Its content is never narrower than the content's own minimum: it
    scrolls down, not sideways."""

    def __init__(self, content: QWidget, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # a frame, not a control: Tab goes to the fields
        self.setWidget(content)

    def _frame(self) -> int:
        return 2 * self.frameWidth()

    def hasHeightForWidth(self) -> bool:  # noqa: N802 - Qt API
        return True

    def heightForWidth(self, width: int) -> int:  # noqa: N802 - Qt API
        content = self.widget()
        if content is None:
            return super().heightForWidth(width)
        inner = max(width - self._frame(), 1)
        height = content.heightForWidth(inner) if content.hasHeightForWidth() else -1
        if height < 0:
            height = content.sizeHint().height()
        return max(height, content.minimumSizeHint().height()) + self._frame()

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt API
        content = self.widget()
        if content is None:
            return super().sizeHint()
        hint = content.sizeHint()
        return QSize(hint.width() + self._frame(), self.heightForWidth(hint.width() + self._frame()))

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt API
        content = self.widget()
        if content is None:
            return super().minimumSizeHint()
        # As wide as the content needs with the vertical scroll bar showing; as short as a few lines.
        width = content.minimumSizeHint().width() + self._frame() + self.verticalScrollBar().sizeHint().width()
        return QSize(width, super().minimumSizeHint().height())
