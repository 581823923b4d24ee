"""RowsModel: a table of plain rows (dataclasses or dicts) that the page replaces as a whole after each load.

What the lists of people, devices and batch files share: the rows, the row under an index, the counts Qt asks
for, and re-reading every cell after a language switch. Each subclass says its column count, its
column titles (headers, in the interface language) and what a cell shows (data)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt


class RowsModel(QAbstractTableModel):
    COLUMNS = 0

    def __init__(self) -> None:
        super().__init__()
        self._rows: list[Any] = []

    def set_rows(self, rows: Iterable[Any]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def clear(self) -> None:
        self.set_rows([])

    def row(self, index: int) -> Any | None:
        return self._rows[index] if 0 <= index < len(self._rows) else None

    def find(self, matches: Callable[[Any], bool]) -> int:
        """The row number of the first row `matches`, or -1."""
        return next((i for i, row in enumerate(self._rows) if matches(row)), -1)

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else self.COLUMNS

    def headers(self) -> dict[int, str]:
        """Column number → title, translated now."""
        return {}

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if orientation != Qt.Orientation.Horizontal or role != Qt.ItemDataRole.DisplayRole:
            return None
        return self.headers().get(section)

    def retranslate(self) -> None:
        """Headers and cells again, in the language just chosen."""
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, self.COLUMNS - 1)
        if self._rows:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._rows) - 1, self.COLUMNS - 1))
