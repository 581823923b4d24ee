"""Select one from map (a select1 with appearance "map", its choices the features of a GeoJSON attachment).

ODK Collect shows the features on a map. There is no map widget here (no tiles offline, nothing to draw
them on), so the same choices are a table: one row per feature, with its label and its properties as Collect
lists them when a feature is tapped (MappableItemsParser: every property but the
geometry, the styling ones and entity versions), and where it is. Picking a row answers the feature's value, as tapping
"Select" on Collect's map does; the answer is the same either way.
"""

from __future__ import annotations

from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QPushButton, QTableView, QWidget

from desktop_app.ui.forms.fields import FieldWidget
from waypoint_core.xform import Item

# Collect's MappableItemsParser.FILTERED_PROPERTIES: drawn on the map, not listed
_NOT_LISTED = {"geometry", "marker-color", "marker-symbol", "stroke", "stroke-width", "fill",
               "__version", "__trunkVersion", "__branchId"}


class SelectOneMapField(FieldWidget):
    """The features of a select one from map, as a table to pick one row from: the feature (its label, then
    its properties) and where it is."""

    def build_editor(self) -> None:
        self.model = QStandardItemModel(0, 2, self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setTabKeyNavigation(False)  # Tab leaves the table, arrows move within it
        self.table.setWordWrap(True)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        self.table.selectionModel().selectionChanged.connect(self._selected)
        self.table.installEventFilter(self)
        self.body.addWidget(self.table)
        self._choices: list[tuple] | None = None
        self.clear_button = QPushButton(self, flat=True, objectName="clearAnswer")
        self.clear_button.clicked.connect(self._clear)
        self.clear_button.setVisible(False)
        self.heading.addWidget(self.clear_button, 0, Qt.AlignmentFlag.AlignTop)

    def name_controls(self) -> None:
        self.model.setHorizontalHeaderLabels([self.tr("Feature"), self.tr("Where")])
        self.clear_button.setText(self.tr("Clear answer"))

    def refresh_choices(self, item: Item) -> None:
        # as Collect's map, only features with a geometry on the globe can be picked
        choices = [(c.value, c.label.strip() or c.value, tuple(c.properties)) for c in (item.choices or [])
                   if _on_the_globe(dict(c.properties).get("geometry", ""))]
        if choices == self._choices:
            return
        self._choices = choices
        self._loading = True
        try:
            self.model.removeRows(0, self.model.rowCount())
            for value, label, properties in choices:
                details = [f"{k}: {v}" for k, v in properties if k not in _NOT_LISTED]
                feature = QStandardItem("\n".join([label, *details]))  # its name, then what Collect lists
                feature.setData(value, Qt.ItemDataRole.UserRole)
                feature.setToolTip(label)
                self.model.appendRow([feature, QStandardItem(self.where(dict(properties).get("geometry", "")))])
            self.table.resizeRowsToContents()
            # every feature in sight up to a screenful; more scroll
            rows = sum(self.table.rowHeight(r) for r in range(self.model.rowCount()))
            self.table.setFixedHeight(min(360, self.table.horizontalHeader().sizeHint().height() + rows + 4))
            self.show_value(item.value)
        finally:
            self._loading = False

    def where(self, geometry: str) -> str:
        """A feature's place in words: a point's latitude and longitude, or the shape and its first point."""
        points = [p.split() for p in geometry.split(";") if len(p.split()) >= 2]
        if not points:
            return ""
        first = f"{points[0][0]}, {points[0][1]}"
        if len(points) == 1:
            return first
        # a line has two points or more, an area three or more (its last repeats its first): always plural
        if points[0][:2] == points[-1][:2]:
            return self.tr("area of %1 points from %2").replace("%1", str(len(points) - 1)).replace("%2", first)
        return self.tr("line of %1 points from %2").replace("%1", str(len(points))).replace("%2", first)

    def _row_of(self, value: str) -> int:
        for row in range(self.model.rowCount()):
            if self.model.item(row, 0).data(Qt.ItemDataRole.UserRole) == value:
                return row
        return -1

    def _selected(self, *_args) -> None:
        value = self.shown_value()
        self.clear_button.setVisible(bool(value) and not self.item.readonly and not self.frozen)
        if value:
            self.emit_answer(value)

    def _clear(self) -> None:
        self._loading = True
        try:
            self.show_value("")
        finally:
            self._loading = False
        self.mark_touched()
        self.emit_answer("")
        self.focus_editor()

    def shown_value(self) -> str:
        rows = self.table.selectionModel().selectedRows(0)
        return rows[0].data(Qt.ItemDataRole.UserRole) if rows else ""

    def show_value(self, value: str) -> None:
        row = self._row_of(value) if value else -1
        selection = self.table.selectionModel()
        if row < 0:
            selection.clearSelection()
        else:
            index = self.model.index(row, 0)
            selection.setCurrentIndex(index, QItemSelectionModel.SelectionFlag.ClearAndSelect
                                      | QItemSelectionModel.SelectionFlag.Rows)
            self.table.scrollTo(index)
        self.clear_button.setVisible(row >= 0 and not self.item.readonly and not self.frozen)

    def focus_target(self) -> QWidget:
        return self.table

    def set_readonly(self, readonly: bool) -> None:
        self.table.setEnabled(not readonly)

    def choose(self, value: str) -> None:
        """Pick a feature as a click on its row would."""
        self.table.selectRow(self._row_of(value))


def _on_the_globe(geometry: str) -> bool:
    """Collect's MappableItemsParser keeps a choice whose geometry parses and lies within the map's bounds."""
    points = [p.split() for p in geometry.split(";") if p.strip()]
    try:
        return bool(points) and all(-90 <= float(p[0]) <= 90 and -180 <= float(p[1]) <= 180 for p in points)
    except (ValueError, IndexError):
        return False
