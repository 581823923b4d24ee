"""The registration list as a Qt item model that loads lazily, page by page.

The view asks `canFetchMore`/`fetchMore` as the person scrolls; each page is read on the database
thread and appended when it arrives, so opening a vault with 100,000 records costs one page.
A "generation" number drops pages that arrive after a reset (new search, lock): a late page from
a locked session must never reappear on screen.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal

from desktop_app.services.registrations import RegistrationRow
from desktop_app.ui import labels

# fetch_page(offset, limit, search, deliver, fail): starts loading; later calls deliver(rows) or
# fail(exc) on the GUI thread.
FetchPage = Callable[[int, int, str | None, Callable[[list], None], Callable[[BaseException], None]], None]

ID, TITLE, SEX, AGE, NATIONALITY, FORM, STATUS, SYNC, UPDATED = range(9)
RECORD_ID_ROLE = Qt.ItemDataRole.UserRole + 1


class RegistrationListModel(QAbstractTableModel):
    loading_changed = Signal(bool)
    load_failed = Signal(object)  # the exception; the page shows a readable message

    def __init__(self, *, fetch_page: FetchPage | None = None, page_size: int = 200) -> None:
        super().__init__()
        self._fetch_page = fetch_page
        self._page_size = page_size
        self._rows: list[RegistrationRow] = []
        self._search: str | None = None
        self._generation = 0
        self._loading = False
        self._exhausted = True  # nothing to fetch until a source is attached and refreshed

    # --- lifecycle -------------------------------------------------------------------------
    def set_source(self, fetch_page: FetchPage | None) -> None:
        self._fetch_page = fetch_page
        self.clear()

    def refresh(self, search: str | None = None) -> None:
        """Start again from the first page (new search, a record saved, after unlock)."""
        self._reset(search=search, exhausted=self._fetch_page is None)
        if self.canFetchMore(QModelIndex()):
            self.fetchMore(QModelIndex())

    def clear(self) -> None:
        """Forget every row now (lock): nothing personal stays in memory the view can show."""
        self._reset(search=None, exhausted=True)

    def _reset(self, *, search: str | None, exhausted: bool) -> None:
        self.beginResetModel()
        self._generation += 1
        self._rows = []
        self._search = search
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

    # --- lazy loading ----------------------------------------------------------------------
    def canFetchMore(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> bool:  # noqa: B008
        return not parent.isValid() and not self._exhausted and not self._loading and self._fetch_page is not None

    def fetchMore(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> None:  # noqa: B008
        if not self.canFetchMore(parent):
            return
        generation = self._generation
        self._set_loading(True)
        assert self._fetch_page is not None
        self._fetch_page(
            len(self._rows),
            self._page_size,
            self._search,
            lambda rows: self._page_arrived(generation, rows),
            lambda exc: self._page_failed(generation, exc),
        )

    def _page_arrived(self, generation: int, rows: list[RegistrationRow]) -> None:
        if generation != self._generation:
            return  # a page for a search or session that no longer exists
        if len(rows) < self._page_size:
            self._exhausted = True
        if rows:
            # Still "loading" while rows go in: a view reacting to rowsInserted must not ask for
            # the next page before this one is counted, or it would ask for the same offset twice.
            first = len(self._rows)
            self.beginInsertRows(QModelIndex(), first, first + len(rows) - 1)
            self._rows.extend(rows)
            self.endInsertRows()
        self._set_loading(False)

    def _page_failed(self, generation: int, exc: BaseException) -> None:
        if generation != self._generation:
            return
        self._exhausted = True
        self._set_loading(False)
        self.load_failed.emit(exc)

    # --- the table -------------------------------------------------------------------------
    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else 9

    def row_at(self, row: int) -> RegistrationRow:
        return self._rows[row]

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if orientation != Qt.Orientation.Horizontal or role != Qt.ItemDataRole.DisplayRole:
            return None
        titles = [
            self.tr("ID"),
            self.tr("Name"),
            self.tr("Sex"),
            self.tr("Age"),
            self.tr("Nationality"),
            self.tr("Form"),
            self.tr("Status"),
            self.tr("Sync"),
            self.tr("Updated"),
        ]
        return titles[section] if 0 <= section < len(titles) else None

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(row, column)
        if role == Qt.ItemDataRole.ToolTipRole and column == ID:
            return row.record_id
        if role == Qt.ItemDataRole.ToolTipRole and column == SYNC and row.files_missing:
            return self.tr("Some of this registration's files (photos, scans, audit logs) have not arrived on this "
                           "laptop yet; they are fetched at the next sync.")
        if role == Qt.ItemDataRole.ToolTipRole and column == FORM:  # the exact form version, for support
            return f"{row.form_id} ({row.form_version})" if row.form_version else row.form_id
        if role == RECORD_ID_ROLE:
            return row.record_id
        if role == Qt.ItemDataRole.TextAlignmentRole and column == AGE:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def _display(self, row: RegistrationRow, column: int) -> str:
        if column == ID:
            return row.short_id
        if column == TITLE:
            return row.title or self.tr("(no name)")
        if column == SEX:
            return labels.sex_name(row.sex)
        if column == AGE:
            return "" if row.age is None else str(row.age)
        if column == NATIONALITY:
            return labels.country_name(row.nationality)
        if column == FORM:
            return labels.form_title(row.form_title) if row.form_title else row.form_id
        if column == STATUS:
            return labels.status_name(row.status)
        if column == SYNC:
            if row.files_missing:  # never silently missing a file: the record says it is incomplete
                return labels.sync_state_name(row.sync_state) + " · " + self.tr(
                    "incomplete: %n file(s) missing", "", row.files_missing)
            return labels.sync_state_name(row.sync_state)
        if column == UPDATED:
            return _local_time(row.updated_at)
        return ""

    def retranslate(self) -> None:
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, 8)
        if self._rows:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._rows) - 1, 8))


def _local_time(iso: str) -> str:
    """Show the update time in the laptop's local time, to the minute."""
    try:
        moment = datetime.fromisoformat(iso)
    except ValueError:
        return iso
    if moment.tzinfo is not None:
        moment = moment.astimezone()
    return moment.strftime("%Y-%m-%d %H:%M")
