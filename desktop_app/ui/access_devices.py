"""The Devices screen (coordinators for their region, administrators for their centre): the laptops enrolled at the
centres this laptop's people manage, as the server knows them, marking one lost so it locks or wipes itself at its
next contact, and the one-time enrolment codes of those centres (access_codes.py).

Administration → Devices… A table (a Qt item model): name, state (in use, revoked, lock or wipe ordered), centre,
when it was enrolled, the roles of the people who use it. "Lock it…" and "Wipe it…" ask first, then send a signed
order request. Below, the open enrolment codes (a second Qt item model) with "New enrolment code…" and "Revoke
code…". The rights check and the credentials are read on the database thread (services/devices.py); the requests
run on the network pool; what was done goes to this laptop's audit log afterwards, and to the server's chain.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QMessageBox, QPushButton, QWidget

from desktop_app.services import devices
from desktop_app.services.devices import CentreInfo, DeviceInfo, EnrolmentCodeInfo, EnrolmentCodeList, NewCode
from desktop_app.ui import labels
from desktop_app.ui.access_codes import CODE_CENTRE, CodesModel, NewCodeDialog, confirm_revoke, when_text
from desktop_app.ui.i18n import Retranslator
from desktop_app.ui.row_model import RowsModel
from desktop_app.ui.server_page import ServerArea, ServerPage, rows_table

NAME, STATE, CENTRE, ENROLLED, ROLES = range(5)  # the roles, longest, last (it stretches)


class DevicesModel(RowsModel):
    COLUMNS = 5

    def set_devices(self, found: list[DeviceInfo]) -> None:
        self.set_rows(found)

    def device(self, row: int) -> DeviceInfo | None:
        found: DeviceInfo | None = self.row(row)
        return found

    def row_of(self, device_id: str) -> int:
        return self.find(lambda d: d.device_id == device_id)

    def headers(self) -> dict[int, str]:
        return {NAME: self.tr("Device"), ROLES: self.tr("Used by"), ENROLLED: self.tr("Enrolled"),
                STATE: self.tr("State"), CENTRE: self.tr("Centre")}

    def state_text(self, device: DeviceInfo) -> str:
        state = self._state(device)
        if device.audit_forks:  # its vault was put back: the server keeps both branches of its log (docs/access.md)
            state += self.tr("; vault put back from an older copy on %1, audit log continued from it").replace(
                "%1", device.audit_forked_at[:10])
        if device.cloned_at:  # a second live copy of its vault was told to enrol again (docs/sync-protocol.md)
            state += self.tr("; vault also in use on another computer (copied), found on %1: that copy must be "
                             "enrolled again with a new code").replace("%1", device.cloned_at[:10])
        return state

    def _state(self, device: DeviceInfo) -> str:
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
            if index.column() == CENTRE:
                return device.centre_name
            if index.column() == ENROLLED:
                return device.enrolled_at.replace("T", " ")[:16]
            if index.column() == STATE:
                return self.state_text(device)
        if role == Qt.ItemDataRole.ToolTipRole and index.column() == NAME:
            return device.device_id
        return None


class DevicesPage(ServerPage):
    lock_requested = Signal(str)
    wipe_requested = Signal(str)
    new_code_requested = Signal()
    revoke_requested = Signal(str)

    def __init__(self, model: DevicesModel, codes: CodesModel) -> None:
        super().__init__(object_name="devicesPage")
        self.model, self.codes = model, codes
        self.table = rows_table(model, "devicesTable")
        self.lock_button = QPushButton()
        self.wipe_button = QPushButton(objectName="danger")
        self.lock_button.clicked.connect(lambda: self._emit_for(self.lock_requested))
        self.wipe_button.clicked.connect(lambda: self._emit_for(self.wipe_requested))
        self.codes_heading = QLabel(objectName="sectionHeading")
        self.codes_intro = QLabel(wordWrap=True, objectName="hint")
        self.codes_table = rows_table(codes, "codesTable")
        self.new_code_button = QPushButton(objectName="newCodeButton")
        self.revoke_button = QPushButton(objectName="revokeCodeButton")
        self.new_code_button.clicked.connect(self.new_code_requested.emit)
        self.revoke_button.clicked.connect(self._revoke)
        buttons = QHBoxLayout()
        for button in (self.lock_button, self.wipe_button, self.refresh_button):
            buttons.addWidget(button)
        buttons.addStretch()
        buttons.addWidget(self.back_button)
        layout = self.body
        layout.addWidget(self.table, 3)
        layout.addLayout(buttons)
        code_buttons = QHBoxLayout()
        code_buttons.addWidget(self.new_code_button)
        code_buttons.addWidget(self.revoke_button)
        code_buttons.addStretch()
        layout.addSpacing(12)
        layout.addWidget(self.codes_heading)
        layout.addWidget(self.codes_intro)
        layout.addWidget(self.codes_table, 2)
        layout.addLayout(code_buttons)
        self.add_lines()
        model.modelReset.connect(self._update_buttons)
        codes.modelReset.connect(self._update_buttons)
        self.table.selectionModel().currentRowChanged.connect(lambda *_: self._update_buttons())
        self.codes_table.selectionModel().currentRowChanged.connect(lambda *_: self._update_buttons())
        self.retranslate()

    def selected(self) -> DeviceInfo | None:
        index = self.table.currentIndex()
        return self.model.device(index.row()) if index.isValid() else None

    def select(self, device_id: str) -> None:
        row = self.model.row_of(device_id)
        if row >= 0:
            self.table.selectRow(row)
            self.table.setCurrentIndex(self.model.index(row, NAME))

    def selected_code(self) -> EnrolmentCodeInfo | None:
        index = self.codes_table.currentIndex()
        return self.codes.code(index.row()) if index.isValid() else None

    def select_code(self, code_id: str) -> None:
        row = self.codes.row_of(code_id)
        if row >= 0:
            self.codes_table.selectRow(row)
            self.codes_table.setCurrentIndex(self.codes.index(row, CODE_CENTRE))

    def _revoke(self) -> None:
        code = self.selected_code()
        if code is not None:
            self.revoke_requested.emit(code.code_id)

    def _emit_for(self, signal) -> None:
        device = self.selected()
        if device is not None:
            signal.emit(device.device_id)

    def _update_buttons(self) -> None:
        device = self.selected()
        usable = device is not None and not device.this_device and not device.revoked
        self.lock_button.setEnabled(usable)
        self.wipe_button.setEnabled(usable)
        self.revoke_button.setEnabled(self.selected_code() is not None)

    def retranslate(self) -> None:
        self.heading.setText(self.tr("Devices"))
        self.intro.setText(self.tr("The laptops enrolled at the centres you manage. A lost or stolen laptop locks "
                                   "itself or erases its vault the next time it reaches the server, before anything "
                                   "else; a wiped laptop can no longer synchronise."))
        self.codes_heading.setText(self.tr("Open enrolment codes"))
        self.codes_intro.setText(self.tr("Each code enrols one laptop before it expires. A code is shown only when "
                                         "it is made; revoke one that was lost or is no longer needed."))
        self.new_code_button.setText(self.tr("&New enrolment code…"))
        self.revoke_button.setText(self.tr("Re&voke code…"))
        self.codes.retranslate()
        self.lock_button.setText(self.tr("Loc&k it…"))
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


class DevicesArea(ServerArea):
    name, right, scope = "devices", "manage_devices", "organisation"
    page: DevicesPage

    def __init__(self, *, window, controller, tasks) -> None:
        model, codes = DevicesModel(), CodesModel()
        super().__init__(window=window, controller=controller, tasks=tasks, page=DevicesPage(model, codes),
                         action_name="devicesAction", shortcut="Ctrl+Shift+E")
        self.model, self.codes = model, codes
        self.centres: list[CentreInfo] = []
        self.dialog: NewCodeDialog | None = None
        self.page.lock_requested.connect(lambda device_id: self.ask(device_id, "lock"))
        self.page.wipe_requested.connect(lambda device_id: self.ask(device_id, "wipe"))
        self.page.new_code_requested.connect(self.ask_new_code)
        self.page.revoke_requested.connect(self.ask_revoke)
        self.connect = devices.ServerConnection
        self.retranslate()

    def open_connection(self, vault):
        return devices.open_devices(vault, connect=self.connect)

    def reload(self) -> None:
        if self.controller.is_unlocked:
            self._with_connection(lambda connection, name: (devices.list_devices(connection),
                                                            devices.list_codes(connection)), self._loaded)

    def _loaded(self, found: tuple[list[DeviceInfo], EnrolmentCodeList]) -> None:
        listed, codes = found
        self._codes_listed(codes)
        self._listed(listed)

    def _codes_listed(self, codes: EnrolmentCodeList, select: str = "") -> None:
        if not self.controller.is_unlocked:
            return
        self.centres = list(codes.centres)
        self.codes.set_codes(list(codes.codes))
        if select:
            self.page.select_code(select)
        elif self.codes.rowCount():
            self.page.select_code(self.codes.code(0).code_id)  # type: ignore[union-attr]

    # --- enrolment codes ---

    def ask_new_code(self) -> None:
        if not self.controller.is_unlocked or not self.centres:
            return
        dialog = NewCodeDialog(self.centres, self.window)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.create_requested.connect(self.make_code)
        dialog.finished.connect(lambda _result: self._dialog_closed(dialog))
        self.dialog = dialog
        dialog.open()

    def _dialog_closed(self, dialog: NewCodeDialog) -> None:
        if self.dialog is dialog:
            self.dialog = None
            self.page.new_code_button.setFocus()

    def make_code(self, centre_id: str, roles: list[str], hours: int) -> None:
        dialog = self.dialog

        def made(result: NewCode) -> None:
            if self.controller.is_unlocked:
                self.controller.run_with_vault(lambda vault, state: devices.note_code_made(vault, result),
                                               name="db:devices-note")
                self.reload_codes(result.info.code_id)
            if dialog is not None and self.dialog is dialog:
                dialog.show_code(result)

        def failed(exc: BaseException) -> None:
            if dialog is not None and self.dialog is dialog:
                dialog.failed(self.problem_text(exc))
            else:
                self._failed(exc)

        self._with_connection(lambda connection, by: devices.new_code(connection, centre_id, roles, hours, by=by),
                              made, failed)

    def reload_codes(self, select: str = "") -> None:
        self._with_connection(lambda connection, name: devices.list_codes(connection),
                              lambda codes: self._codes_listed(codes, select))

    def ask_revoke(self, code_id: str) -> None:
        code = self.codes.code(self.codes.row_of(code_id))
        if code is not None:
            confirm_revoke(self.window, code, lambda: self.revoke(code))

    def revoke(self, code: EnrolmentCodeInfo) -> None:
        def revoked(codes: EnrolmentCodeList) -> None:
            self._codes_listed(codes)
            self.page.say(self.tr("The code for %1 valid until %2 is revoked: no laptop can enrol with it.")
                          .replace("%1", code.centre_name).replace("%2", when_text(code.expires_at)))
            if self.controller.is_unlocked:
                self.controller.run_with_vault(lambda vault, state: devices.note_code_revoked(vault, code.code_id),
                                               name="db:devices-note")

        self._with_connection(lambda connection, by: devices.revoke_code(connection, code.code_id, by=by), revoked)

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
        if self.dialog is not None:
            self.dialog.reject()  # a code on screen goes with the session
        self.model.clear()
        self.codes.clear()
        self.centres = []
        super()._locking()

    def retranslate(self) -> None:
        self.action.setText(self.tr("&Devices…"))


def install_devices(*, window, controller, tasks) -> DevicesArea:
    """After install_access: the entry goes into its Administration menu."""
    area = DevicesArea(window=window, controller=controller, tasks=tasks)
    area.retranslator = Retranslator(area.window, area.retranslate)
    window.devices = area
    return area
