"""The case list's table model: case ids in SQL order, rows fetched a block at a time off the UI thread."""
from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from PySide6.QtCore import (QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex,
                            QPointF, QRectF, Qt, QTimer, Signal)
from PySide6.QtGui import QColor, QIcon, QPainter, QPainterPath, QPen, QPixmap, QPolygonF
from PySide6.QtWidgets import QWidget

from app.domain.application import Channel
from app.domain.clocks import CLOCK_LABELS, Indicator
from app.domain.workflow import STATUS_LABELS
from app.services.cases.case_list import CaseQuery, CaseRow, fetch_rows, find_case_ids
from app.services.common.context import ServiceContext
from app.services.common.errors import ServiceError, describe
from ui.tasks import Tasks

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


def _dmy(day: date | None) -> str:
    """dd/mm/yyyy as `uk()` writes it, without strftime: under PySide6 each strftime call passes
    through an import hook (about half a millisecond), which 200 rows of two dates each would pay."""
    return f"{day.day:02d}/{day.month:02d}/{day.year:04d}" if day else ""


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
    Column("Received", "received", lambda r: _dmy(r.received_on), "Date the application was received"),
    Column("Status", "status", lambda r: _STATUS.get(r.status, r.status),
           "Where the case is in the process; sorted in process order", full_text_tip=True),
    Column("Next action", "next_action", lambda r: _CLOCKS.get(r.next_clock or "", ""),
           "The deadline that falls due first", full_text_tip=True),
    Column("Next due", "next_due", lambda r: _dmy(r.next_due_on), "When the next action is due"),
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
    due, left = _dmy(row.next_due_on), row.working_days_left
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


@dataclass(frozen=True)
class IdList:
    """What the id query hands back from the worker: the ids in order, and where each one is."""
    ids: list[int]
    position: dict[int, int]  # built on the worker: the UI thread never walks 100,000 ids
    due_soon: int             # for the indicator's words (the settings are read there, not here)


def load_ids(ctx: ServiceContext, query: CaseQuery) -> IdList:
    """On the worker: the listed ids for `query` (find_case_ids), with their positions."""
    ids = find_case_ids(ctx, query)
    return IdList(ids, {case_id: n for n, case_id in enumerate(ids)}, ctx.settings().clocks.due_soon)


PLACEHOLDER = "…"  # shown in a row whose values are still on their way
_WANTED_BLOCKS = 4  # blocks remembered to fetch: the latest painted, so a fast scroll skips the rest


class CaseTableModel(QAbstractTableModel):
    """Holds the ordered ids of the listed cases; row values arrive a block at a time, off the UI thread.

    Nothing here reads the database on the UI thread. `set_query` asks a worker for the ids (a
    newer query replaces an older one still out: the older result is thrown away); `data()` answers
    from what has arrived and, for a row not read yet, shows a placeholder and asks for its block.
    At most one block is read at a time, the one painted last first, so scrolling quickly through
    100,000 rows reads only what is looked at. After an operation the page hands back only the rows
    it changed (`mark_stale` then `take_rows`): nothing else is read again.
    """

    load_failed = Signal(str)     # the ids or a page of rows could not be read (the message is for the user)
    ids_loaded = Signal()         # a new list of ids is shown (rows may still be on their way)
    rows_loaded = Signal()        # a block of rows arrived and is shown
    loading_changed = Signal(bool)  # whether a read for the list is out

    def __init__(self, ctx: ServiceContext, query: CaseQuery | None = None, parent: QObject | None = None, *,
                 tasks: Tasks | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._tasks = tasks or Tasks.instance()
        self._owner = parent if isinstance(parent, QWidget) else None
        self._key = f"case-list-ids-{id(self)}"
        self._shown = query or CaseQuery()  # the query the ids belong to
        self._asked: CaseQuery | None = None  # a query whose ids are on their way
        self._ids: list[int] = []
        self._position: dict[int, int] = {}
        self._cache: dict[int, CaseRow] = {}
        self._texts: dict[int, tuple[str, ...]] = {}  # each cached row's columns as shown, made once
        # F5 reads every row again, but the values already shown stay on screen until the new ones
        # arrive (no flash of placeholders, one repaint): a row read before `_epoch` is read again.
        self._epoch = 0
        self._epoch_tick = 0  # the tick the epoch began at: a read marked before it belongs to the one before
        self._read_in: dict[int, int] = {}
        self._gone: set[int] = set()  # deleted since the list was made: do not ask again
        self._due_soon = 3
        self._icons: dict[str, QIcon] = {}
        self._wanted: list[int] = []  # block starts to read, the most recently painted last
        self._reading: tuple[int, int] | None = None  # (generation, block start) being read now
        self._generation = 0  # bumped with each new list: a block read for an older one is not waited for
        self._pump_due = False
        self._tick = 0  # orders reads and changes: a read that began before a change is not trusted for it
        self._stale_at: dict[int, int] = {}
        self._loading = 0

    # --- what the view and the page use -------------------------------------------------------

    @property
    def query(self) -> CaseQuery:
        """The query the user asked for last (its ids may still be on their way)."""
        return self._asked or self._shown

    @property
    def shown_query(self) -> CaseQuery:
        """The query the listed ids belong to (what an export writes)."""
        return self._shown

    @property
    def ids(self) -> list[int]:
        """Every listed case id in display order (a copy, for exports)."""
        return list(self._ids)

    @property
    def loading(self) -> bool:
        """Whether a read for the list (the ids or a block of rows) is out."""
        return self._loading > 0

    @property
    def waiting_for_ids(self) -> bool:
        """Whether the ids of the query asked for last are still on their way."""
        return self._asked is not None

    def set_query(self, query: CaseQuery, *, keep: int | None = None, reread: bool = False,
                  visible: Iterable[int] = ()) -> None:
        """Run a new search or filter off the UI thread; the view follows when the ids arrive.

        `keep` is the case kept selected by the page and `visible` the cases on screen now (the
        first and last): their rows are read first. `reread` reads every row again (F5), showing
        each as it was until its new values arrive; else rows already read are shown at once.
        """
        self._ask(query, keep=keep, reread=reread, reorder=False, visible=tuple(visible))

    def refresh(self, keep: int | None = None, visible: Iterable[int] = ()) -> None:
        """Run the same query again and read every row again (F5)."""
        self._ask(self.query, keep=keep, reread=True, reorder=False, visible=tuple(visible))

    def case_id(self, row: int) -> int | None:
        return self._ids[row] if 0 <= row < len(self._ids) else None

    def row_of(self, case_id: int) -> int | None:
        return self._position.get(case_id)

    def row_values(self, row: int) -> CaseRow | None:
        """The row's values if they have arrived (None while they are on their way: they are asked for)."""
        case_id = self.case_id(row)
        if case_id is None:
            return None
        values = self._cache.get(case_id)
        if values is None and case_id not in self._gone:
            self._want(row)
        return values

    def mark_stale(self, case_ids: Iterable[int]) -> int:
        """Cases an operation changed: a read already out for them is not trusted. The mark to pass
        to `take_rows` with the rows read after it."""
        self._tick += 1
        for case_id in case_ids:
            self._stale_at[case_id] = self._tick
        self._tick += 1
        return self._tick

    def forget(self, case_ids: Iterable[int]) -> None:
        """Rows no longer to be trusted: read again when next painted."""
        for case_id in case_ids:
            self._cache.pop(case_id, None)
            self._texts.pop(case_id, None)
            self._read_in.pop(case_id, None)

    def take_rows(self, rows: dict[int, CaseRow], asked: Iterable[int], mark: int) -> None:
        """Rows read (from `mark` on) for the cases `asked`: shown in place; an asked case not found
        has been deleted."""
        self._store(rows, list(asked), mark)

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
        case_id = self._ids[row]
        texts = self._texts.get(case_id)
        if texts is None:
            if case_id in self._gone:
                return "(no longer available)" if role == DISPLAY and column == 0 else None
            self._want(row)  # never read here: the block is asked for and shown when it arrives
            return PLACEHOLDER if role == DISPLAY and column == 0 else None
        if self._read_in[case_id] < self._epoch:
            self._want(row)  # shown as it was until the values read again arrive
        if role == DISPLAY:
            return texts[column]
        values = self._cache[case_id]
        if column == INDICATOR_COLUMN:
            if role == DECORATION:
                return self._icon(values.indicator)
            return indicator_tip(values, self._due_soon)
        if role == TOOLTIP and spec.full_text_tip:
            return texts[column] or None  # the whole text when the column is too narrow for it
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
        """Ask the database for the new order, off the UI thread (no proxy model: see traps.md)."""
        key = COLUMNS[column].sort_key if 0 <= column < len(COLUMNS) else None
        if key is None:
            return
        query = replace(self.query, sort=key, descending=order == DESCENDING)
        if query == self.query:
            return  # the view calls sort() when sorting is switched on: nothing to do
        self._ask(query, keep=None, reread=False, reorder=True)

    # --- internals: the ids -------------------------------------------------------------------

    def _ask(self, query: CaseQuery, *, keep: int | None, reread: bool, reorder: bool,
             visible: tuple[int, ...] = ()) -> None:
        if self._asked is None:
            self._set_loading(+1)
        self._asked = query
        self._tasks.query(load_ids, self._ctx, query, key=self._key, owner=self._owner,
                          what="read the case list",
                          on_done=lambda found: self._ids_arrived(query, found, keep, reread, reorder, visible),
                          on_error=lambda exc: self._ids_failed(query, exc))

    def _ids_arrived(self, query: CaseQuery, found: IdList, keep: int | None, reread: bool,
                     reorder: bool, visible: tuple[int, ...] = ()) -> None:
        if self._asked is not query:
            return  # a newer query is on its way (the runner drops older results; this is belt and braces)
        self._asked = None
        self._set_loading(-1)
        self._due_soon = found.due_soon
        self._generation += 1
        self._wanted.clear()
        if reread:
            self._epoch += 1  # every row is read again as it is painted; until then it shows as it was
            self._tick += 1
            self._epoch_tick = self._tick
            self._gone.clear()
        if reorder and len(found.ids) == len(self._ids) and not reread:
            self._reorder(query, found)
        elif not self._patch(query, found):
            # A new search, or many cases added or removed: start over. (Qt's reset walks every
            # row of the view: at 100,000 that is tens of milliseconds, which a patch avoids.)
            self.beginResetModel()
            self._shown, self._ids, self._position = query, found.ids, found.position
            self._gone.clear()
            self.endResetModel()
        # The first screenful is asked for at once, not when painted: the rows on screen (read first),
        # the kept case's, or the top. With nothing to read (an empty list, or its rows all read
        # before) the rows are already complete.
        rows = [found.position[i] for i in (*visible, keep) if i is not None and i in found.position]
        started = False
        for row in rows or [0]:
            if self._ids:
                started = self._want(row, now=True) or started
        if not started:
            self.rows_loaded.emit()
        self.ids_loaded.emit()

    def _patch(self, query: CaseQuery, found: IdList, most: int = 50) -> bool:
        """The same list give or take a few cases, in the same order: rows inserted and removed in
        place (the selection and the scroll stay where they are). False when it is not that."""
        new = found.ids
        removed = self._position.keys() - found.position.keys()  # set arithmetic, at C speed
        added = found.position.keys() - self._position.keys()
        if len(removed) + len(added) > most or (not self._ids and new):
            return False
        kept = [i for i in self._ids if i not in removed] if removed else self._ids
        if ([i for i in new if i not in added] if added else new) != kept:
            return False  # the order changed too
        self._shown = query
        root = QModelIndex()
        for position in sorted((self._position[i] for i in removed), reverse=True):
            self.beginRemoveRows(root, position, position)
            del self._ids[position]
            self.endRemoveRows()
        for position in sorted(found.position[i] for i in added):
            self.beginInsertRows(root, position, position)
            self._ids.insert(position, new[position])
            self.endInsertRows()
        self._position = found.position
        if self._ids != new:  # cannot happen if the checks above hold; never show a wrong list
            self.beginResetModel()
            self._ids = list(new)
            self.endResetModel()
        return True

    def _reorder(self, query: CaseQuery, found: IdList) -> None:
        """A new order of the same rows: move the selection with its cases. (PySide6 emits these
        two signals only without arguments, so Qt gets no VerticalSortHint.)"""
        self.layoutAboutToBeChanged.emit()
        old = self.persistentIndexList()
        old_ids = [self._ids[i.row()] for i in old]
        self._shown, self._ids, self._position = query, found.ids, found.position
        if old:
            self.changePersistentIndexList(old, [
                self.index(found.position[c], i.column()) if c in found.position else QModelIndex()
                for c, i in zip(old_ids, old)])
        self.layoutChanged.emit()

    def _ids_failed(self, query: CaseQuery, exc: BaseException) -> bool:
        if self._asked is query:
            self._asked = None
            self._set_loading(-1)
        if isinstance(exc, ServiceError):
            self.load_failed.emit(describe(exc))
            return True
        return False  # not a problem the list can put in words: the runner tells the user and logs it

    # --- internals: the rows ------------------------------------------------------------------

    def _want(self, row: int, *, now: bool = False) -> bool:
        """Ask for the block holding `row`; with `now`, whether a read was started for it."""
        start = row - row % BLOCK
        if self._reading == (self._generation, start):
            return True
        if start in self._wanted:
            self._wanted.remove(start)
        self._wanted.append(start)
        del self._wanted[:-_WANTED_BLOCKS]
        if now:
            return self._pump()
        if not self._pump_due:
            # data() is called while the view paints: ask after the paint, once for all its rows.
            self._pump_due = True
            QTimer.singleShot(0, self._pump)
        return False

    def _pump(self) -> bool:
        """Start reading the block painted last, if none is being read; whether one was started."""
        self._pump_due = False
        if self._reading is not None and self._reading[0] == self._generation:
            return False  # one block at a time; the next is asked for when it arrives
        while self._wanted:
            start = self._wanted.pop()
            epoch, read_in = self._epoch, self._read_in
            wanted = [i for i in self._ids[start:start + BLOCK]
                      if read_in.get(i, -1) < epoch and i not in self._gone]
            if wanted:
                self._read_block(start, wanted)
                return True
        return False

    def _read_block(self, start: int, wanted: list[int]) -> None:
        self._reading = reading = (self._generation, start)
        self._tick += 1
        mark = self._tick
        self._set_loading(+1)
        self._tasks.query(fetch_rows, self._ctx, wanted, owner=self._owner, what="read the case list",
                          on_done=lambda rows: self._block_arrived(reading, rows, wanted, mark),
                          on_error=lambda exc: self._block_failed(reading, exc))

    def _block_arrived(self, reading: tuple[int, int], rows: dict[int, CaseRow], asked: list[int],
                       mark: int) -> None:
        self._set_loading(-1)
        if self._reading == reading:
            self._reading = None
        self._store(rows, asked, mark)
        self._pump()

    def _block_failed(self, reading: tuple[int, int], exc: BaseException) -> bool:
        self._set_loading(-1)
        if self._reading == reading:
            self._reading = None
        if isinstance(exc, ServiceError):
            self.load_failed.emit(describe(exc))
            return True
        return False

    def _store(self, rows: dict[int, CaseRow], asked: list[int], mark: int) -> None:
        """Keep what arrived (unless an operation changed it after the read began) and show it."""
        fresh = [i for i in asked if self._stale_at.get(i, 0) <= mark]
        read_in = self._epoch if mark >= self._epoch_tick else self._epoch - 1
        if fresh:
            self._keep_rows(rows, fresh, mark, read_in)
        self.rows_loaded.emit()

    def _keep_rows(self, rows: dict[int, CaseRow], fresh: list[int], mark: int, read_in: int) -> None:
        if len(self._cache) + len(fresh) > _CACHE_LIMIT:
            # A long scroll does not keep everything: the rows read longest ago go (the dict keeps the
            # order they arrived in), the ones just painted stay.
            for case_id in list(self._cache)[:len(self._cache) // 2]:
                del self._cache[case_id]
                del self._texts[case_id]
                del self._read_in[case_id]
        for case_id in fresh:
            values = rows.get(case_id)
            if values is None:
                self._gone.add(case_id)
                self._cache.pop(case_id, None)
                self._texts.pop(case_id, None)
                self._read_in.pop(case_id, None)
            else:
                self._cache.pop(case_id, None)  # moved to the end: the dict's order is the order read
                self._cache[case_id] = values
                self._texts[case_id] = tuple(c.text(values) for c in COLUMNS)
                self._read_in[case_id] = read_in
                self._gone.discard(case_id)
            if self._stale_at.get(case_id) is not None and self._stale_at[case_id] <= mark:
                del self._stale_at[case_id]
        shown = [n for n in (self._position.get(i) for i in fresh) if n is not None]
        if shown:
            last = len(COLUMNS) - 1
            first_row, last_row = min(shown), max(shown)
            if last_row - first_row > 2 * BLOCK:  # scattered rows: each one, not everything between
                for n in shown:
                    self.dataChanged.emit(self.index(n, 0), self.index(n, last))
            else:
                self.dataChanged.emit(self.index(first_row, 0), self.index(last_row, last))

    def _set_loading(self, step: int) -> None:
        was = self._loading > 0
        self._loading = max(self._loading + step, 0)
        if (self._loading > 0) != was:
            self.loading_changed.emit(self._loading > 0)

    def _icon(self, indicator: str) -> QIcon:
        icon = self._icons.get(indicator)
        if icon is None:  # drawn on first use: a QPixmap needs the QApplication to exist
            icon = self._icons[indicator] = _indicator_icon(indicator)
        return icon


def rows_as_text(rows: Sequence[CaseRow]) -> list[list[str]]:
    """The displayed columns as text, as the table shows them (used by the CSV export)."""
    return [[c.text(r) for c in COLUMNS] for r in rows]
