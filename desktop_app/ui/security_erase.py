"""The emergency erase: a panel on the sign-in screen and a dialog in the app, hard to trigger by accident.

Erasing needs a typed word (ERASE, or EFFACER in French; the vault accepts both), and from the
sign-in screen the person's own user name and passphrase: an administrator, or anyone where the
organisation's policy allows. The erase itself is the vault's (desktop_app/vault/erase.py).
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop_app.services.session import Failure, erase_confirmed
from desktop_app.ui.messages import failure_text


class ErasePanel(QWidget):
    erase_requested = Signal(str, str, str)  # username, passphrase ("" when signed in), confirmation word
    cancelled = Signal()

    def __init__(self, *, with_credentials: bool) -> None:
        super().__init__()
        self.with_credentials = with_credentials
        self.heading = QLabel(objectName="dangerHeading", wordWrap=True)
        self.intro = QLabel(wordWrap=True)
        self.username = QLineEdit()
        self.username.setMaxLength(64)
        self.passphrase = QLineEdit(echoMode=QLineEdit.EchoMode.Password)
        self.word = QLineEdit(objectName="eraseWord")
        self.username_label, self.passphrase_label, self.word_label = QLabel(), QLabel(), QLabel()
        self.username_label.setBuddy(self.username)
        self.passphrase_label.setBuddy(self.passphrase)
        self.word_label.setBuddy(self.word)
        self.word_label.setWordWrap(True)
        self.error = QLabel(objectName="error", wordWrap=True)
        self.error.hide()
        self.erase_button = QPushButton(objectName="danger")
        self.erase_button.setEnabled(False)
        self.cancel_button = QPushButton(flat=True)
        form = QFormLayout()
        form.setLabelAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        if with_credentials:
            form.addRow(self.username_label, self.username)
            form.addRow(self.passphrase_label, self.passphrase)
        else:
            for widget in (self.username, self.passphrase, self.username_label, self.passphrase_label):
                widget.hide()
        form.addRow(self.word_label, self.word)
        buttons = QHBoxLayout()
        buttons.addWidget(self.cancel_button)
        buttons.addStretch()
        buttons.addWidget(self.erase_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.heading)
        layout.addWidget(self.intro)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addLayout(buttons)
        for field in (self.username, self.passphrase, self.word):
            field.textChanged.connect(self._update)
        self.word.returnPressed.connect(self._submit)
        self.erase_button.clicked.connect(self._submit)
        self.cancel_button.clicked.connect(self.cancelled.emit)
        self.retranslate()

    def prepare(self, *, username: str = "") -> None:
        self.username.setText(username)
        self.passphrase.clear()
        self.word.clear()
        self.error.hide()
        (self.passphrase if username or not self.with_credentials else self.username).setFocus()
        if not self.with_credentials:
            self.word.setFocus()

    def clear_secrets(self) -> None:
        self.passphrase.clear()
        self.word.clear()

    def show_failure(self, failure: Failure) -> None:
        self.clear_secrets()
        self.error.setText(failure_text(failure))
        self.error.show()

    def _ready(self) -> bool:
        if self.with_credentials and not (self.username.text().strip() and self.passphrase.text()):
            return False
        return erase_confirmed(self.word.text())

    def _update(self) -> None:
        self.erase_button.setEnabled(self._ready())

    def _submit(self) -> None:
        if not self._ready():
            return
        self.error.hide()
        self.erase_requested.emit(self.username.text().strip(), self.passphrase.text(), self.word.text())

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape:
            self.cancelled.emit()
            return
        super().keyPressEvent(event)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        self.heading.setText(self.tr("Emergency erase"))
        self.intro.setText(self.tr(
            "This destroys the vault on this computer at once: every registration, file and user on it is lost "
            "for good and no passphrase or recovery code will open it again. Records already synced stay on the "
            "server. Only administrators may do this, or everyone where the organisation allows it."))
        self.username_label.setText(self.tr("&Username"))
        self.passphrase_label.setText(self.tr("&Passphrase"))
        self.word_label.setText(self.tr("To confirm, type %1").replace("%1", self.tr("ERASE")))
        self.erase_button.setText(self.tr("&Erase the vault now"))
        self.cancel_button.setText(self.tr("&Cancel"))


class EraseDialog(QDialog):
    """The erase panel for a signed-in user (File menu); the window closes it when the vault locks."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.panel = ErasePanel(with_credentials=False)
        layout = QVBoxLayout(self)
        layout.addWidget(self.panel)
        self.panel.cancelled.connect(self.reject)
        self.setMinimumWidth(520)
        self.retranslate()
        self.panel.prepare()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("Erase this vault"))
