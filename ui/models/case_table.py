"""The case list's table model: case ids in SQL order, rows fetched lazily a block at a time."""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from PySide6.QtCore import (QAbstractTableModel, QModelIndex, QPersistentModelIndex,
                            QPointF, QRectF, Qt, Signal)
from PySide6.QtGui import QColor, QIcon, QPainter, QPainterPath, QPen, QPixmap, QPolygonF

from app.domain.application import Channel
from app.domain.clocks import CLOCK_LABELS, Indicator
from app.domain.dates import uk
from app.domain.workflow import STATUS_LABELS
from app.services.cases.case_list import CaseQuery, CaseRow, fetch_rows, find_case_ids
from app.services.common.context import ServiceContext
from app.services.common.errors import ServiceError

# Bound once: comparing against Qt.ItemDataRole.X on every data() call is slow in PySide6 (traps.md).
DISPLAY = Qt.ItemDataRole.DisplayRole
TOOLTIP = Qt.ItemDataRole.ToolTipRole
DECORATION = Qt.ItemDataRole.DecorationRole
ALIGNMENT = Qt.ItemDataRole.TextAlignmentRole
USER = Qt.ItemDataRole.UserRole
HORIZONTAL = Qt.Orientation.Horizontal
DESCENDING = Qt.SortOrder.DescendingOrder
ALIGN_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
ITEM_FLAGS = (Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
              | Qt.ItemFlag.ItemNeverHasChildren)
NO_FLAGS = Qt.ItemFlag.NoItemFlags
Index = QModelIndex | QPersistentModelIndex

BLOCK = 200  # rows fetched per query: a screenful or two
_CACHE_LIMIT = 20 * BLOCK  # forget rows beyond this so a long scroll does not keep everything

INDICATOR_LABELS: dict[str, str] = {
    Indicator.OVERDUE: "Overdue", Indicator.DUE_SOON: "Due soon",
    Indicator.ON_TRACK: "On track", Indicator.STOPPED: "Stopped",
}
_STATUS = {s.value: label for s, label in STATUS_LABELS.items()}
_CLOCKS = {c.value: label for c, label in CLOCK_LABELS.items()}
_CHANNELS = {c.value: c.label for c in Channel}


def _days(n: int | None) -> str:
    return "" if n is None else str(n)


@dataclass(frozen=True)
class Column:
    title: str
    sort_key: str | None  # the find_case_ids sort key, or None when the column cannot be sorted
    text: Callable[[CaseRow], str]
    tip: str
    numeric: bool = False
    full_text_tip: bool = False  # long values: the tooltip shows what the column cuts off
    heading: str = ""  # a shorter heading on screen (the CSV keeps the title)


# Formatters are built once; data() only looks them up (calibre's models do the same).
# The indicator comes second so that it is on screen however narrow the window (1280 pixels wide).
COLUMNS: tuple[Column, ...] = (
    Column("Reference", "reference", lambda r: r.reference, "The case reference"),
    Column("Indicator", "next_due", lambda r: INDICATOR_LABELS.get(r.indicator, r.indicator),
           "Overdue, due soon, on track, or stopped (nothing due)"),
    Column("Applicant", "applicant", lambda r: r.applicant, "Sorted by surname or organisation",
           full_text_tip=True),
    Column("Postcode", "postcode", lambda r: r.postcode or "", "The applicant's postcode"),
    Column("Channel", "channel", lambda r: _CHANNELS.get(r.channel, r.channel),
           "How the application arrived", full_text_tip=True),
    Column("Received", "received", lambda r: uk(r.received_on), "Date the application was received"),
    Column("Status", "status", lambda r: _STATUS.get(r.status, r.status),
           "Where the case is in the process; sorted in process order", full_text_tip=True),
    Column("Next action", "next_action", lambda r: _CLOCKS.get(r.next_clock or "", ""),
           "The deadline that falls due first", full_text_tip=True),
    Column("Next due", "next_due", lambda r: uk(r.next_due_on), "When the next action is due"),
    Column("Working days left", "next_due", lambda r: _days(r.working_days_left),
           "Working days until the next action is due; negative when it is overdue", numeric=True,
           heading="Days left"),
    Column("Officer", "officer", lambda r: r.officer or "", "The officer dealing with the case",
           full_text_tip=True),
)
INDICATOR_COLUMN = next(n for n, c in enumerate(COLUMNS) if c.title == "Indicator")
_SORT_COLUMN: dict[str, int] = {}
for _n, _c in enumerate(COLUMNS):
    # Three columns sort by the next due date; the arrow shows on "Next due" itself.
    if _c.sort_key and (_c.sort_key not in _SORT_COLUMN or _c.title == "Next due"):
        _SORT_COLUMN[_c.sort_key] = _n
SORT_CHOICES: tuple[tuple[str, str], ...] = tuple((COLUMNS[n].title, key) for key, n in
                                                 sorted(_SORT_COLUMN.items(), key=lambda kv: kv[1]))


def column_for_sort_key(key: str) -> int:
    """The header section that shows the sort indicator for a sort key."""
    return _SORT_COLUMN.get(key, 0)


def indicator_tip(row: CaseRow, due_soon_days: int) -> str:
    """Plain words for the indicator (screen readers and anyone who cannot tell the colours apart)."""
    action = _CLOCKS.get(row.next_clock or "", "The next action")
    due, left = uk(row.next_due_on), row.working_days_left
    if row.indicator == Indicator.OVERDUE:
        late = -(left or 0)
        return (f"Overdue: {action.lower()} was due on {due}"
                + (f", {late} working day{'s' if late != 1 else ''} ago." if late else "."))
    if row.indicator == Indicator.DUE_SOON:
        return (f"Due soon: {action.lower()} is due on {due}, within {due_soon_days} working days"
                f" ({left} left)." if left else f"Due soon: {action.lower()} is due today, {due}.")
    if row.indicator == Indicator.ON_TRACK:
        return f"On track: {action.lower()} is due on {due}, {left} working days away."
    return "Stopped: no deadline is running for this case."


_COLOURS = {Indicator.OVERDUE: "#c62828", Indicator.DUE_SOON: "#e08a00",
            Indicator.ON_TRACK: "#2e7d32", Indicator.STOPPED: "#8a8a8a"}


def _indicator_icon(indicator: str, size: int = 14) -> QIcon:
    """A shape as well as a colour, so the icon still differs for someone who cannot see colour."""
    pixmap = QPixmap(size * 2, size * 2)  # drawn at double size: sharp on high-DPI screens
    pixmap.setDevicePixelRatio(2.0)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    colour = QColor(_COLOURS[Indicator(indicator)])
    painter.setPen(QPen(colour.darker(130), 1))
    painter.setBrush(colour)
    box = QRectF(1.5, 1.5, size - 3, size - 3)
    if indicator == Indicator.OVERDUE:  # a filled circle with an exclamation mark
        painter.drawEllipse(box)
        painter.setPen(QPen(Qt.GlobalColor.white, 2))
        middle = size / 2
        painter.drawLine(QPointF(middle, 4.0), QPointF(middle, size - 6.5))
        painter.drawPoint(QPointF(middle, size - 4.0))
    elif indicator == Indicator.DUE_SOON:  # a warning triangle
        painter.drawPolygon(QPolygonF([QPointF(size / 2, 1.5), QPointF(size - 1.5, size - 2.0),
                                       QPointF(1.5, size - 2.0)]))
    elif indicator == Indicator.ON_TRACK:  # a tick in a circle
        painter.drawEllipse(box)
        painter.setPen(QPen(Qt.GlobalColor.white, 1.8))
        tick = QPainterPath(QPointF(4.0, size / 2))
        tick.lineTo(QPointF(size / 2 - 1, size - 4.5))
        tick.lineTo(QPointF(size - 3.8, 4.2))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawPath(tick)
    else:  # stopped: a hollow square
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.setPen(QPen(colour, 2))
        painter.drawRect(QRectF(3, 3, size - 6, size - 6))
    painter.end()
    return QIcon(pixmap)


class CaseTableModel(QAbstractTableModel):
    """Holds only the ordered ids of the listed cases; row values come from fetch_rows on demand."""

    load_failed = Signal(str)  # a page of rows could not be read (the message is for the user)

    def __init__(self, ctx: ServiceContext, query: CaseQuery | None = None, parent=None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._query = query or CaseQuery()
        self._ids: list[int] = []
        self._cache: dict[int, CaseRow] = {}
        self._gone: set[int] = set()  # deleted since the list was made: do not ask again
        self._due_soon = ctx.settings().clocks.due_soon
        self._icons: dict[str, QIcon] = {}

    # --- what the view and the page use -------------------------------------------------------

    @property
    def query(self) -> CaseQuery:
        return self._query

    @property
    def ids(self) -> list[int]:
        """Every listed case id in display order (a copy, for exports)."""
        return list(self._ids)

    def set_query(self, query: CaseQuery) -> None:
        """Run a new search or filter: the ids come back already sorted, and the view starts over."""
        ids = find_case_ids(self._ctx, query)
        self.beginResetModel()
        self._query = query
        self._ids = ids
        self._cache.clear()
        self._gone.clear()
        self.endResetModel()

    def refresh(self) -> None:
        """Run the same query again (cases may have changed or been added)."""
        self.set_query(self._query)

    def case_id(self, row: int) -> int | None:
        return self._ids[row] if 0 <= row < len(self._ids) else None

    def row_of(self, case_id: int) -> int | None:
        try:
            return self._ids.index(case_id)
        except ValueError:
            return None

    def row_values(self, row: int) -> CaseRow | None:
        case_id = self.case_id(row)
        if case_id is None:
            return None
        return self._cache.get(case_id) or self._load(row)

    # --- Qt's model interface -----------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802 - Qt API
        return 0 if parent.isValid() else len(self._ids)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802 - Qt API
        return 0 if parent.isValid() else len(COLUMNS)

    def flags(self, index: Index) -> Qt.ItemFlag:
        return ITEM_FLAGS if index.isValid() else NO_FLAGS

    def data(self, index: Index, role: int = DISPLAY) -> Any:
        if not index.isValid():
            return None
        row = index.row()
        if row >= len(self._ids):
            return None
        if role == USER:
            return self._ids[row]
        if role not in (DISPLAY, TOOLTIP, DECORATION, ALIGNMENT):
            return None
        column = index.column()
        spec = COLUMNS[column]
        if role == ALIGNMENT:
            return ALIGN_RIGHT if spec.numeric else None
        values = self._cache.get(self._ids[row]) or self._load(row)
        if values is None:
            return "(no longer available)" if role == DISPLAY and column == 0 else None
        if role == DISPLAY:
            return spec.text(values)
        if column == INDICATOR_COLUMN:
            if role == DECORATION:
                return self._icon(values.indicator)
            return indicator_tip(values, self._due_soon)
        if role == TOOLTIP and spec.full_text_tip:
            return spec.text(values) or None  # the whole text when the column is too narrow for it
        return None

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = DISPLAY) -> Any:  # noqa: N802
        if orientation != HORIZONTAL or not 0 <= section < len(COLUMNS):
            return None
        if role == DISPLAY:
            return COLUMNS[section].heading or COLUMNS[section].title
        if role == TOOLTIP:
            return f"{COLUMNS[section].title}: {COLUMNS[section].tip}"
        return None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Ask the database for the new order (no proxy model: see traps.md)."""
        if not 0 <= column < len(COLUMNS) or COLUMNS[column].sort_key is None:
            return
        query = replace(self._query, sort=COLUMNS[column].sort_key, descending=order == DESCENDING)
        if query == self._query and self._ids:
            return  # the view calls sort() when sorting is switched on: nothing to do
        ids = find_case_ids(self._ctx, query)
        if len(ids) != len(self._ids):
            # Cases were added or removed meanwhile: start over rather than pretend it is a re-order.
            self.beginResetModel()
            self._query, self._ids = query, ids
            self._cache.clear()
            self.endResetModel()
            return
        # A new order of the same rows: move the selection with its cases. (PySide6 emits these
        # two signals only without arguments, so Qt gets no VerticalSortHint.)
        self.layoutAboutToBeChanged.emit()
        old = self.persistentIndexList()
        old_ids = [self._ids[i.row()] for i in old]
        self._query, self._ids = query, ids
        if old:
            position = {case_id: n for n, case_id in enumerate(ids)}
            self.changePersistentIndexList(old, [
                self.index(position[c], i.column()) if c in position else QModelIndex()
                for c, i in zip(old_ids, old)])
        self.layoutChanged.emit()

    # --- internals ---------------------------------------------------------------------------

    def _load(self, row: int) -> CaseRow | None:
        """Fetch the block around `row` in one query and keep it."""
        case_id = self._ids[row]
        if case_id in self._gone:
            return None
        start = row - row % BLOCK
        wanted = [i for i in self._ids[start:start + BLOCK] if i not in self._cache]
        try:
            found = fetch_rows(self._ctx, wanted)
        except ServiceError as exc:
            self.load_failed.emit(str(exc))
            return None
        if len(self._cache) + len(found) > _CACHE_LIMIT:
            self._cache.clear()
        self._cache.update(found)
        self._gone.update(i for i in wanted if i not in found)
        return found.get(case_id)

    def _icon(self, indicator: str) -> QIcon:
        icon = self._icons.get(indicator)
        if icon is None:  # drawn on first use: a QPixmap needs the QApplication to exist
            icon = self._icons[indicator] = _indicator_icon(indicator)
        return icon


def rows_as_text(rows: Sequence[CaseRow]) -> list[list[str]]:
    """The displayed columns as text, as the table shows them (used by the CSV export)."""
    return [[c.text(r) for c in COLUMNS] for r in rows]
