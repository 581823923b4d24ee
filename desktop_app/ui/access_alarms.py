"""The Deletion alarms screen (coordinators: the review right): the bulk deletions the server raised an alarm for in
the centres this laptop's people review, and undoing one so every record comes back on every laptop of the centre.

Administration → Deletion alarms… (Ctrl+Shift+L). A table (a Qt item model): when it was raised, the centre, the
laptop that deleted, how many records, and whether it was undone (by whom). "Undo the deletion…" asks first (No by
default), then sends a signed request; the server checks again that this laptop's people may review and delete in
that centre (sync_server/coordination.py). The rights check and the credentials are read on the database thread
(services/alarms.py); the requests run on the network pool; the undo goes to this laptop's audit log afterwards.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QMessageBox, QPushButton, QWidget

from desktop_app.services import alarms
from desktop_app.services.alarms import AlarmInfo, UndoneAlarm
from desktop_app.ui.access_codes import when_text
from desktop_app.ui.i18n import Retranslator
from desktop_app.ui.row_model import RowsModel
from desktop_app.ui.server_page import ServerArea, ServerPage, rows_table

RAISED, CENTRE, DEVICE, COUNT, STATE = range(5)


class AlarmsModel(RowsModel):
    COLUMNS = 5

    def alarm(self, row: int) -> AlarmInfo | None:
        found: AlarmInfo | None = self.row(row)
        return found

    def row_of(self, alarm_id: str) -> int:
        return self.find(lambda a: a.alarm_id == alarm_id)

    def headers(self) -> dict[int, str]:
        return {RAISED: self.tr("Raised"), CENTRE: self.tr("Centre"), DEVICE: self.tr("Device"),
                COUNT: self.tr("Records"), STATE: self.tr("State")}

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        alarm = self.alarm(index.row()) if index.isValid() else None
        if alarm is None:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            if index.column() == RAISED:
                return when_text(alarm.raised_at)
            if index.column() == CENTRE:
                return alarm.centre_name
            if index.column() == DEVICE:
                return alarm.device_name or alarm.device_id
            if index.column() == COUNT:
                return str(alarm.count)
            if index.column() == STATE:
                if alarm.undone_at:
                    return self.tr("Undone by %1").replace("%1", alarm.undone_by.split(" (device ")[0])
                return self.tr("Open")
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() == COUNT:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole and index.column() == DEVICE:
            return alarm.device_id
        return None


class AlarmsPage(ServerPage):
    undo_requested = Signal(str)

    def __init__(self, model: AlarmsModel) -> None:
        super().__init__(object_name="alarmsPage")
        self.model = model
        self.table = rows_table(model, "alarmsTable")
        self.empty = QLabel(objectName="emptyState", alignment=Qt.AlignmentFlag.AlignCenter)
        self.empty.hide()
        self.undo_button = QPushButton(objectName="undoDeletionButton")
        self.undo_button.clicked.connect(self._undo)
        buttons = QHBoxLayout()
        buttons.addWidget(self.undo_button)
        buttons.addWidget(self.refresh_button)
        buttons.addStretch()
        buttons.addWidget(self.back_button)
        self.body.addWidget(self.table, 1)
        self.body.addWidget(self.empty)
        self.add_lines()
        self.body.addLayout(buttons)
        model.modelReset.connect(self._update)
        self.table.selectionModel().currentRowChanged.connect(lambda *_: self._update())
        self.retranslate()

    def selected(self) -> AlarmInfo | None:
        index = self.table.currentIndex()
        return self.model.alarm(index.row()) if index.isValid() else None

    def select(self, alarm_id: str) -> None:
        row = self.model.row_of(alarm_id)
        if row >= 0:
            self.table.selectRow(row)
            self.table.setCurrentIndex(self.model.index(row, RAISED))

    def _undo(self) -> None:
        alarm = self.selected()
        if alarm is not None and not alarm.undone_at:
            self.undo_requested.emit(alarm.alarm_id)

    def _update(self) -> None:
        alarm = self.selected()
        self.undo_button.setEnabled(alarm is not None and not alarm.undone_at)
        self.empty.setVisible(self.model.rowCount() == 0)

    def retranslate(self) -> None:
        self.heading.setText(self.tr("Deletion alarms"))
        self.intro.setText(self.tr("When one laptop deletes many records at once, the server raises an alarm. Undoing "
                                   "it brings every record back, on every laptop of the centre at its next sync."))
        self.empty.setText(self.tr("No deletion alarm."))
        self.undo_button.setText(self.tr("&Undo the deletion…"))
        self.refresh_button.setText(self.tr("&Refresh"))
        self.back_button.setText(self.tr("Back to the &list"))
        self.model.retranslate()


def confirm_undo(parent: QWidget, alarm: AlarmInfo, on_yes: Callable[[], None]) -> QMessageBox:
    text = QCoreApplication.translate(
        "AlarmsPage", "Bring back the %1 records %2 deleted? Every laptop of %3 receives them again at its next sync.")
    box = QMessageBox(QMessageBox.Icon.Question, QCoreApplication.translate("AlarmsPage", "Undo a bulk deletion"),
                      text.replace("%1", str(alarm.count)).replace("%2", alarm.device_name or alarm.device_id)
                      .replace("%3", alarm.centre_name),
                      QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, parent)
    box.setObjectName("undoDeletionQuestion")
    box.setDefaultButton(QMessageBox.StandardButton.No)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.buttonClicked.connect(lambda button: on_yes() if box.standardButton(button) == QMessageBox.StandardButton.Yes
                              else None)
    box.open()
    return box


class AlarmsArea(ServerArea):
    name, right, scope = "alarms", "review", "registration"

    page: AlarmsPage

    def __init__(self, *, window, controller, tasks) -> None:
        model = AlarmsModel()
        super().__init__(window=window, controller=controller, tasks=tasks, page=AlarmsPage(model),
                         action_name="alarmsAction", shortcut="Ctrl+Shift+L")
        self.model = model
        self.page.undo_requested.connect(self.ask)
        self.connect = alarms.ServerConnection
        self.retranslate()

    def open_connection(self, vault):
        return alarms.open_alarms(vault, connect=self.connect)

    def reload(self) -> None:
        if self.controller.is_unlocked:
            self._with_connection(lambda connection, name: alarms.list_alarms(connection), self._listed)

    def _listed(self, found: list[AlarmInfo], select: str = "") -> None:
        if not self.controller.is_unlocked:
            return
        self.model.set_rows(found)
        chosen = select or next((a.alarm_id for a in found if not a.undone_at), found[0].alarm_id if found else "")
        self.page.select(chosen)
        self.page.table.setFocus()

    def ask(self, alarm_id: str) -> None:
        alarm = self.model.alarm(self.model.row_of(alarm_id))
        if alarm is not None and not alarm.undone_at:
            confirm_undo(self.window, alarm, lambda: self.undo(alarm_id))

    def undo(self, alarm_id: str) -> None:
        def undone(result: UndoneAlarm) -> None:
            self._listed(list(result.alarms), alarm_id)
            self.page.say(self.tr("%n records brought back: every laptop of the centre receives them at its next "
                                  "sync.", "", result.restored))
            if self.controller.is_unlocked:
                self.controller.run_with_vault(
                    lambda vault, state: alarms.note_undone(vault, alarm_id, result.restored), name="db:alarms-note")

        self._with_connection(lambda connection, by: alarms.undo(connection, alarm_id, by=by), undone)

    def _locking(self) -> None:
        self.model.clear()
        super()._locking()

    def retranslate(self) -> None:
        self.action.setText(self.tr("Deletion a&larms…"))


def install_alarms(*, window, controller, tasks) -> AlarmsArea:
    """After install_access: the entry goes into its Administration menu."""
    area = AlarmsArea(window=window, controller=controller, tasks=tasks)
    area.retranslator = Retranslator(area.window, area.retranslate)
    window.alarms = area
    return area
