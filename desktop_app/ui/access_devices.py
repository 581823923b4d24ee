"""The Devices screen (coordinators and administrators): the laptops enrolled at this centre, as the server knows
them, and marking one lost so it locks or wipes itself at its next contact.

Administration → Devices… A table (a Qt item model): name, the roles of the people who use it, when it was
enrolled, and its state (in use, revoked, lock or wipe ordered). "Lock it…" and "Wipe it…" ask first, then send a
signed order request. The rights check and the credentials are read on the database thread (services/devices.py);
the requests run on the network pool.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import (
    QCoreApplication,
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QAction, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop_app.services import access, devices
from desktop_app.services.devices import DeviceInfo
from desktop_app.services.session import SignedInUser, classify
from desktop_app.services.sync import describe
from desktop_app.ui import labels
from desktop_app.ui.messages import failure_text
from desktop_app.ui.row_model import RowsModel

NAME, STATE, ENROLLED, ROLES = range(4)  # the roles, longest, last (it stretches)


class DevicesModel(RowsModel):
    COLUMNS = 4

    def set_devices(self, found: list[DeviceInfo]) -> None:
        self.set_rows(found)

    def device(self, row: int) -> DeviceInfo | None:
        found: DeviceInfo | None = self.row(row)
        return found

    def row_of(self, device_id: str) -> int:
        return self.find(lambda d: d.device_id == device_id)

    def headers(self) -> dict[int, str]:
        return {NAME: self.tr("Device"), ROLES: self.tr("Used by"), ENROLLED: self.tr("Enrolled"),
                STATE: self.tr("State")}

    def state_text(self, device: DeviceInfo) -> str:
        if device.revoked:
            return self.tr("Revoked")
        if device.order == "wipe":
            return self.tr("Wipe ordered: at its next contact")
        if device.order == "lock":
            return self.tr("Lock ordered: at its next contact")
        return self.tr("In use")

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        device = self.device(index.row()) if index.isValid() else None
        if device is None:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            if index.column() == NAME:
                return device.name + (self.tr(" (this laptop)") if device.this_device else "")
            if index.column() == ROLES:
                return labels.roles_text(tuple(device.roles))
            if index.column() == ENROLLED:
                return device.enrolled_at.replace("T", " ")[:16]
            if index.column() == STATE:
                return self.state_text(device)
        if role == Qt.ItemDataRole.ToolTipRole and index.column() == NAME:
            return device.device_id
        return None



class DevicesPage(QWidget):
    lock_requested = Signal(str)
    wipe_requested = Signal(str)
    refresh_requested = Signal()
    back_requested = Signal()

    def __init__(self, model: DevicesModel) -> None:
        super().__init__(objectName="devicesPage")
        self.model = model
        self.heading = QLabel(objectName="pageHeading")
        self.intro = QLabel(wordWrap=True, objectName="hint")
        self.table = QTableView(objectName="devicesTable")
        self.table.setModel(model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setStyleSheet("QTableView::item { padding: 4px 10px; }")
        self.lock_button = QPushButton()
        self.wipe_button = QPushButton(objectName="danger")
        self.refresh_button = QPushButton()
        self.back_button = QPushButton()
        self.status = QLabel(wordWrap=True, objectName="notice")
        self.status.hide()
        self.error = QLabel(wordWrap=True, objectName="error")
        self.error.hide()
        self.lock_button.clicked.connect(lambda: self._emit_for(self.lock_requested))
        self.wipe_button.clicked.connect(lambda: self._emit_for(self.wipe_requested))
        self.refresh_button.clicked.connect(self.refresh_requested.emit)
        self.back_button.clicked.connect(self.back_requested.emit)
        QShortcut(QKeySequence(Qt.Key.Key_Escape), self, self.back_requested.emit,
                  context=Qt.ShortcutContext.WidgetWithChildrenShortcut)
        QShortcut(QKeySequence(Qt.Key.Key_F5), self, self.refresh_requested.emit,
                  context=Qt.ShortcutContext.WidgetWithChildrenShortcut)
        buttons = QHBoxLayout()
        for button in (self.lock_button, self.wipe_button, self.refresh_button):
            buttons.addWidget(button)
        buttons.addStretch()
        buttons.addWidget(self.back_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 16, 24, 16)
        layout.addWidget(self.heading)
        layout.addWidget(self.intro)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.status)
        layout.addWidget(self.error)
        layout.addLayout(buttons)
        model.modelReset.connect(self._update_buttons)
        self.table.selectionModel().currentRowChanged.connect(lambda *_: self._update_buttons())
        self.retranslate()

    def selected(self) -> DeviceInfo | None:
        index = self.table.currentIndex()
        return self.model.device(index.row()) if index.isValid() else None

    def select(self, device_id: str) -> None:
        row = self.model.row_of(device_id)
        if row >= 0:
            self.table.selectRow(row)
            self.table.setCurrentIndex(self.model.index(row, NAME))

    def _emit_for(self, signal) -> None:
        device = self.selected()
        if device is not None:
            signal.emit(device.device_id)

    def _update_buttons(self) -> None:
        device = self.selected()
        usable = device is not None and not device.this_device and not device.revoked
        self.lock_button.setEnabled(usable)
        self.wipe_button.setEnabled(usable)

    def say(self, text: str) -> None:
        self.error.hide()
        self.status.setText(text)
        self.status.show()

    def show_problem(self, text: str) -> None:
        self.status.hide()
        self.error.setText(text)
        self.error.show()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        self.heading.setText(self.tr("Devices"))
        self.intro.setText(self.tr("The laptops enrolled at this centre. A lost or stolen laptop locks itself or "
                                   "erases its vault the next time it reaches the server, before anything else; a "
                                   "wiped laptop can no longer synchronise."))
        self.lock_button.setText(self.tr("&Lock it…"))
        self.wipe_button.setText(self.tr("&Wipe it…"))
        self.refresh_button.setText(self.tr("&Refresh"))
        self.back_button.setText(self.tr("Back to the &list"))
        self.model.retranslate()


def confirm_order(parent: QWidget, name: str, order: str, on_yes: Callable[[], None]) -> QMessageBox:
    if order == "wipe":
        title = QCoreApplication.translate("DevicesPage", "Wipe a lost laptop")
        text = QCoreApplication.translate(
            "DevicesPage", "Wipe %1? At its next contact with the server it erases its vault: every record not yet "
                           "sent is lost, and it can no longer synchronise.").replace("%1", name)
    else:
        title = QCoreApplication.translate("DevicesPage", "Lock a lost laptop")
        text = QCoreApplication.translate(
            "DevicesPage", "Lock %1? At its next contact with the server it signs everyone out.").replace("%1", name)
    box = QMessageBox(QMessageBox.Icon.Warning, title, text,
                      QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, parent)
    box.setObjectName("deviceOrderQuestion")
    box.setDefaultButton(QMessageBox.StandardButton.No)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.buttonClicked.connect(lambda button: on_yes() if box.standardButton(button) == QMessageBox.StandardButton.Yes
                              else None)
    box.open()
    return box


class DevicesArea(QObject):
    def __init__(self, *, window, controller, tasks) -> None:
        super().__init__(window)
        self.window, self.controller, self.tasks = window, controller, tasks
        self.model = DevicesModel()
        self.page = DevicesPage(self.model)
        window.add_page(self.page)
        self.action = QAction(window, objectName="devicesAction", shortcut=QKeySequence("Ctrl+Shift+E"))
        self.action.triggered.connect(self.open)
        self.action.setVisible(False)
        window.access.admin_menu.addAction(self.action)
        self.page.back_requested.connect(window.show_registrations)
        self.page.refresh_requested.connect(self.reload)
        self.page.lock_requested.connect(lambda device_id: self.ask(device_id, "lock"))
        self.page.wipe_requested.connect(lambda device_id: self.ask(device_id, "wipe"))
        controller.unlocked.connect(self._unlocked)
        controller.locking.connect(self._locking)
        self.connect = devices.ServerConnection
        self.retranslate()

    def _unlocked(self, user: SignedInUser) -> None:
        roles = user.roles or (user.role,)
        allowed = access.roles_allow(roles, "manage_devices", "organisation")
        self.action.setVisible(allowed)
        if allowed:
            self.window.access.menu.setVisible(True)

    def open(self) -> None:
        if self.controller.is_unlocked:
            self.window.show_page(self.page)
            self.page.status.hide()
            self.page.error.hide()
            self.reload()

    def _with_connection(self, work: Callable, done: Callable) -> None:
        """Rights and credentials on the database thread, then `work(connection, name)` on the network pool."""
        task = self.controller.run_with_vault(lambda vault, state: devices.open_devices(vault, connect=self.connect),
                                              name="db:devices")

        def opened(found) -> None:
            connection, name = found
            net = self.tasks.run_network(lambda state: self._closing(connection, lambda: work(connection, name)),
                                         name="net:devices")
            net.succeeded.connect(done)
            net.failed.connect(self._failed)

        task.succeeded.connect(opened)
        task.failed.connect(self._failed)

    @staticmethod
    def _closing(connection, fn):
        try:
            return fn()
        finally:
            connection.close()

    def _failed(self, exc: BaseException) -> None:
        text = describe(exc)
        self.page.show_problem(text if text is not None else failure_text(classify(exc)))

    def reload(self) -> None:
        if self.controller.is_unlocked:
            self._with_connection(lambda connection, name: devices.list_devices(connection), self._listed)

    def _listed(self, found: list[DeviceInfo], select: str = "") -> None:
        if not self.controller.is_unlocked:
            return
        self.model.set_devices(found)
        chosen = select or next((d.device_id for d in found if not d.this_device), found[0].device_id if found else "")
        self.page.select(chosen)
        self.page.table.setFocus()

    def ask(self, device_id: str, order: str) -> None:
        device = self.model.device(self.model.row_of(device_id))
        if device is None:
            return
        confirm_order(self.window, device.name, order, lambda: self.send(device_id, order, device.name))

    def send(self, device_id: str, order: str, name: str) -> None:
        def sent(found: list[DeviceInfo]) -> None:
            self._listed(found, device_id)
            self.page.say((self.tr("%1 will erase its vault at its next contact.") if order == "wipe"
                           else self.tr("%1 will lock at its next contact.")).replace("%1", name))
            if self.controller.is_unlocked:
                self.controller.run_with_vault(lambda vault, state: devices.note_marked(vault, device_id, order),
                                               name="db:devices-note")

        self._with_connection(lambda connection, by: devices.mark_lost(connection, device_id, order, by=by), sent)

    def _locking(self) -> None:
        self.model.clear()
        self.page.status.hide()
        self.page.error.hide()
        self.action.setVisible(False)

    def retranslate(self) -> None:
        self.action.setText(self.tr("&Devices…"))


class _Retranslator(QObject):
    def __init__(self, area: DevicesArea) -> None:
        super().__init__(area.window)
        self.area = area
        area.window.installEventFilter(self)

    def eventFilter(self, watched, event) -> bool:
        if event.type() == QEvent.Type.LanguageChange:
            self.area.retranslate()
        return False


def install_devices(*, window, controller, tasks) -> DevicesArea:
    """After install_access: the entry goes into its Administration menu."""
    area = DevicesArea(window=window, controller=controller, tasks=tasks)
    area.retranslator = _Retranslator(area)
    window.devices = area
    return area
