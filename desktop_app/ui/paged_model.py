"""PagedModel: a table that loads page by page as the person scrolls, for lists too long to read whole.

What the review desk's lists and the audit log share: the view asks `canFetchMore`/`fetchMore`, each page is read
by a `fetch` the screen gives (on the database thread; the answer comes back on the GUI thread), and a generation
number drops pages that arrive after a reset (lock, new filters, a decision made). So a list of 100,000 rows costs
one page to open. Each subclass says its column titles (headers, in the interface language) and what a cell shows
(display); lists replaced whole after one load use `row_model.RowsModel` instead.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal

# fetch(offset, limit, deliver, fail): starts loading; later calls deliver(rows) or fail(exc) on the GUI thread.
Fetch = Callable[[int, int, Callable[[list], None], Callable[[BaseException], None]], None]
ROW_ROLE = Qt.ItemDataRole.UserRole + 1


class PagedModel(QAbstractTableModel):
    loading_changed = Signal(bool)
    load_failed = Signal(object)
    page_loaded = Signal(int)  # the offset of the page just shown

    def __init__(self, *, page_size: int = 200) -> None:
        super().__init__()
        self._fetch: Fetch | None = None
        self._page_size = page_size
        self._rows: list[Any] = []
        self._generation = 0
        self._loading = False
        self._exhausted = True

    # --- lifecycle --------------------------------------------------------------------------------------------
    def set_source(self, fetch: Fetch | None) -> None:
        self._fetch = fetch
        self.clear()

    def refresh(self) -> None:
        """Forget the rows and load the first page again."""
        self._reset(exhausted=self._fetch is None)
        if self.canFetchMore(QModelIndex()):
            self.fetchMore(QModelIndex())

    def clear(self) -> None:
        """Forget every row now (lock)."""
        self._reset(exhausted=True)

    def _reset(self, *, exhausted: bool) -> None:
        self.beginResetModel()
        self._generation += 1
        self._rows = []
        self._exhausted = exhausted
        self._set_loading(False)
        self.endResetModel()

    @property
    def is_loading(self) -> bool:
        return self._loading

    def _set_loading(self, value: bool) -> None:
        if value != self._loading:
            self._loading = value
            self.loading_changed.emit(value)

    def canFetchMore(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> bool:  # noqa: B008
        return not parent.isValid() and not self._exhausted and not self._loading and self._fetch is not None

    def fetchMore(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> None:  # noqa: B008
        if not self.canFetchMore(parent):
            return
        generation = self._generation
        self._set_loading(True)
        assert self._fetch is not None
        self._fetch(len(self._rows), self._page_size, lambda rows: self._arrived(generation, rows),
                    lambda exc: self._failed(generation, exc))

    def _arrived(self, generation: int, rows: list[Any]) -> None:
        if generation != self._generation:
            return
        if len(rows) < self._page_size:
            self._exhausted = True
        first = len(self._rows)
        if rows:
            self.beginInsertRows(QModelIndex(), first, first + len(rows) - 1)
            self._rows.extend(rows)
            self.endInsertRows()
        self._set_loading(False)
        self.page_loaded.emit(first)

    def _failed(self, generation: int, exc: BaseException) -> None:
        if generation != self._generation:
            return
        self._exhausted = True
        self._set_loading(False)
        self.load_failed.emit(exc)

    # --- the table -----------------------------------------------------------------------------------------------
    def headers(self) -> list[str]:
        """Column titles, translated now."""
        raise NotImplementedError

    def display(self, row: Any, column: int) -> str:
        raise NotImplementedError

    def row_at(self, row: int) -> Any:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.headers())

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if orientation != Qt.Orientation.Horizontal or role != Qt.ItemDataRole.DisplayRole:
            return None
        titles = self.headers()
        return titles[section] if 0 <= section < len(titles) else None

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return self.display(row, index.column())
        if role == ROW_ROLE:
            return row
        return None

    def retranslate(self) -> None:
        """Headers and cells again, in the language just chosen."""
        count = len(self.headers())
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, count - 1)
        if self._rows:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._rows) - 1, count - 1))
