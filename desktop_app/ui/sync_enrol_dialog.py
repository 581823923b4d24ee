""""Enrol this laptop for sync…": server address, one-time code, optional CA bundle; runs off the GUI thread.

The address is checked as it is typed (https://, or http:// to this computer only), so a refused address is
explained before anything is sent. The code is never kept after the dialog closes.
"""

from __future__ import annotations

import socket

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QDialog, QDialogButtonBox, QFormLayout, QHBoxLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout,
    QWidget,
)

from desktop_app.services import sync as sync_service
from desktop_app.ui.security_files import choose_file
from desktop_app.ui.sync_controller import SyncController
from desktop_app.ui.sync_messages import sync_error_text


class EnrolDialog(QDialog):
    enrolment_done = Signal(object)  # the enrolment result dict

    def __init__(self, *, sync: SyncController, parent: QWidget | None = None, again: bool = False) -> None:
        super().__init__(parent, objectName="syncEnrolDialog")
        self._sync, self._again = sync, again
        self.setWindowTitle(self.tr("Enrol this laptop again") if again else self.tr("Enrol this laptop for sync"))
        self.server = QLineEdit(objectName="enrolServer", placeholderText="https://sync.example.org")
        self.code = QLineEdit(objectName="enrolCode", placeholderText="ABCD-EFGH")
        self.ca_bundle = QLineEdit(objectName="enrolCaBundle")
        self.ca_bundle.setPlaceholderText(self.tr("only if your organisation uses its own certificate authority"))
        browse = QPushButton(self.tr("Choose…"), objectName="enrolBrowse")
        browse.clicked.connect(self._browse)
        self.device_name = QLineEdit(socket.gethostname()[:200], objectName="enrolDeviceName")
        self.message = QLabel(objectName="enrolMessage", wordWrap=True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.enrol_button = self.buttons.addButton(self.tr("Enrol"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.enrol_button.setObjectName("enrolButton")
        self.buttons.accepted.connect(self._enrol)
        self.buttons.rejected.connect(self.reject)

        ca_row = QHBoxLayout()
        ca_row.addWidget(self.ca_bundle)
        ca_row.addWidget(browse)
        form = QFormLayout()
        form.addRow(self.tr("Server address"), self.server)
        form.addRow(self.tr("One-time code"), self.code)
        form.addRow(self.tr("CA bundle (optional)"), ca_row)
        form.addRow(self.tr("This laptop's name"), self.device_name)
        layout = QVBoxLayout(self)
        if again:
            layout.addWidget(QLabel(self.tr(
                "This laptop takes a new identity with a new one-time code (for example after the server's keys were "
                "replaced). Its records and every change not yet sent are kept, and sent at the next sync."),
                objectName="enrolAgainNote", wordWrap=True))
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)
        self._refusal = ""  # why the server refused the last attempt
        for field in (self.server, self.code):
            field.textEdited.connect(self._typed)
            field.textChanged.connect(self._check)
        sync.enrolled.connect(self._enrolled)
        sync.failed.connect(self._failed)
        self.finished.connect(self._disconnect)
        self._check()

    def _browse(self) -> None:
        choose_file(self, self.tr("CA bundle"), "", self.ca_bundle.setText, name_filters=("*.pem", "*.crt"))

    def _check(self) -> bool:
        problem = ""
        if self.server.text().strip():
            try:
                sync_service.check_server_url(self.server.text())
            except sync_service.errors.SyncError as exc:
                problem = sync_error_text(exc)
        # a refused code stays on screen until the person changes what they typed
        self.message.setText(problem or self._refusal)
        ready = not problem and bool(self.server.text().strip()) and len(self.code.text().strip()) >= 4
        self.enrol_button.setEnabled(ready)
        return ready

    def _typed(self) -> None:
        self._refusal = ""
        self._check()

    def _enrol(self) -> None:
        if not self._check():
            return
        started = self._sync.enrol(server_url=self.server.text().strip(), code=self.code.text().strip(),
                                   ca_bundle=self.ca_bundle.text().strip() or None,
                                   device_name=self.device_name.text().strip() or "laptop", again=self._again)
        if started:
            self.enrol_button.setEnabled(False)
            self.message.setText(self.tr("Enrolling…"))
        else:
            self.message.setText(self.tr("A sync is running; try again when it has finished."))

    def _enrolled(self, result: dict) -> None:
        self.code.clear()
        self.enrolment_done.emit(result)
        self.accept()

    def _failed(self, message: str) -> None:
        if self.isVisible():
            self._refusal = message
            self._check()

    def _disconnect(self, _result: int) -> None:
        self.code.clear()
        self._sync.enrolled.disconnect(self._enrolled)
        self._sync.failed.disconnect(self._failed)
