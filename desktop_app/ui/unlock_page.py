"""The unlock screen: username and passphrase, or the recovery code; clear errors; a busy bar.

A third panel is the emergency erase (desktop_app/ui/security_erase.py), reached from a link at
the bottom: it needs the person's own credentials and a typed word.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop_app.services.session import Failure, Problem
from desktop_app.ui.busy import BusyIndicator
from desktop_app.ui.messages import failure_text
from desktop_app.ui.page_switcher import PageSwitcher, centred
from desktop_app.ui.security_erase import ErasePanel

PASSPHRASE_MODE, RECOVERY_MODE, ERASE_MODE = range(3)


class UnlockPage(QWidget):
    unlock_requested = Signal(str, str)  # username, passphrase
    other_folder_requested = Signal()  # the vault is elsewhere (another USB drive, another folder)
    recovery_requested = Signal(str)  # recovery code
    erase_requested = Signal(str, str, str)  # username, passphrase, confirmation word

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("unlockPage")
        self._wait_left = 0
        self._migration: tuple[int, int] | None = None  # (done, steps) while an older schema is brought up to date
        self._countdown = QTimer(self)
        self._countdown.setInterval(1000)
        self._countdown.timeout.connect(self._tick)

        self.heading = QLabel(objectName="pageHeading")
        self.intro = QLabel(wordWrap=True)
        self.vault_label = QLabel(objectName="hint", wordWrap=True)
        self.vault_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.other_folder_button = QPushButton(flat=True)
        self.other_folder_button.clicked.connect(self.other_folder_requested.emit)

        # Sign in with a passphrase.
        self.username = QLineEdit()
        self.username.setMaxLength(64)
        self.passphrase = QLineEdit(echoMode=QLineEdit.EchoMode.Password)
        self.username_label = QLabel()
        self.username_label.setBuddy(self.username)
        self.passphrase_label = QLabel()
        self.passphrase_label.setBuddy(self.passphrase)
        self.unlock_button = QPushButton(objectName="primary")
        self.unlock_button.setDefault(True)
        self.use_recovery_button = QPushButton(flat=True)
        form = QFormLayout()
        form.setLabelAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        form.addRow(self.username_label, self.username)
        form.addRow(self.passphrase_label, self.passphrase)
        passphrase_panel = QWidget()
        pv = QVBoxLayout(passphrase_panel)
        pv.setContentsMargins(0, 0, 0, 0)
        pv.addLayout(form)
        row = QHBoxLayout()
        row.addStretch()
        row.addWidget(self.unlock_button)
        pv.addLayout(row)
        link_row = QHBoxLayout()  # its own row: the French wording is long
        link_row.addWidget(self.use_recovery_button)
        link_row.addStretch()
        pv.addLayout(link_row)

        # Or with the recovery code written down at setup.
        self.recovery_intro = QLabel(wordWrap=True)
        self.recovery_code = QLineEdit(echoMode=QLineEdit.EchoMode.Password, objectName="recoveryInput")
        self.recovery_label = QLabel()
        self.recovery_label.setBuddy(self.recovery_code)
        self.recovery_button = QPushButton(objectName="primary")
        self.back_button = QPushButton(flat=True)
        recovery_panel = QWidget()
        rv = QVBoxLayout(recovery_panel)
        rv.setContentsMargins(0, 0, 0, 0)
        rv.addWidget(self.recovery_intro)
        rform = QFormLayout()
        rform.setLabelAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        rform.addRow(self.recovery_label, self.recovery_code)
        rv.addLayout(rform)
        # one button a row: "Déverrouiller avec le code de récupération" needs the whole width of the card
        rrow = QHBoxLayout()
        rrow.addStretch()
        rrow.addWidget(self.recovery_button)
        rv.addLayout(rrow)
        back_row = QHBoxLayout()
        back_row.addWidget(self.back_button)
        back_row.addStretch()
        rv.addLayout(back_row)

        self.erase_panel = ErasePanel(with_credentials=True)
        self.erase_panel.erase_requested.connect(self.erase_requested.emit)
        self.erase_panel.cancelled.connect(lambda: self._show_mode(PASSPHRASE_MODE))
        self.erase_link = QPushButton(flat=True, objectName="eraseLink")
        self.erase_link.clicked.connect(lambda: self._show_mode(ERASE_MODE))

        self.modes = PageSwitcher()
        self.modes.addWidget(passphrase_panel)
        self.modes.addWidget(recovery_panel)
        self.modes.addWidget(self.erase_panel)

        self.notice = QLabel(objectName="notice", wordWrap=True)
        self.notice.hide()
        self.error = QLabel(objectName="error", wordWrap=True)
        self.error.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.error.hide()
        self.busy = BusyIndicator()

        card = QWidget(objectName="card")
        card.setMaximumWidth(560)
        cv = QVBoxLayout(card)
        cv.setSpacing(14)
        cv.addWidget(self.heading)
        cv.addWidget(self.intro)
        cv.addWidget(self.notice)
        cv.addWidget(self.modes)
        cv.addWidget(self.error)
        cv.addWidget(self.busy)
        folder_row = QHBoxLayout()
        folder_row.addWidget(self.vault_label, 1)
        folder_row.addWidget(self.other_folder_button)
        cv.addLayout(folder_row)
        erase_row = QHBoxLayout()
        erase_row.addStretch()
        erase_row.addWidget(self.erase_link)
        cv.addLayout(erase_row)
        outer = QVBoxLayout(self)
        outer.addStretch(1)
        outer.addLayout(centred(card))
        outer.addStretch(2)

        self.unlock_button.clicked.connect(self._submit)
        self.username.returnPressed.connect(self.passphrase.setFocus)
        self.passphrase.returnPressed.connect(self._submit)
        self.recovery_code.returnPressed.connect(self._submit_recovery)
        self.recovery_button.clicked.connect(self._submit_recovery)
        self.use_recovery_button.clicked.connect(lambda: self._show_mode(1))
        self.back_button.clicked.connect(lambda: self._show_mode(0))
        self.setTabOrder(self.username, self.passphrase)
        self.setTabOrder(self.passphrase, self.unlock_button)
        self.setTabOrder(self.unlock_button, self.use_recovery_button)
        self._last_username = ""
        self._under_last_name = False
        self.retranslate()

    # --- public ----------------------------------------------------------------------------
    def prepare(self, *, vault_path: str, username: str = "", notice: Callable[[], str] | None = None) -> None:
        """Show an empty form for a fresh sign-in (after start, setup or lock); `notice` says the sentence above it
        (why the vault is locked) in the interface language, again whenever that language switches."""
        self.clear_secrets()
        self._vault_path = vault_path
        self._last_username = username  # the last person signed in here, prefilled: on a shared laptop, not always you
        self.username.setText(username)
        self._show_mode(0)
        self.set_busy(False)
        self.error.hide()
        self._failure = None
        self._notice = notice
        self.notice.setVisible(notice is not None)
        self.retranslate()
        (self.passphrase if username else self.username).setFocus()

    def clear_secrets(self) -> None:
        self.passphrase.clear()
        self.recovery_code.clear()
        self.erase_panel.clear_secrets()

    def set_busy(self, busy: bool) -> None:
        self.busy.setVisible(busy)
        self.modes.setEnabled(not busy)
        if busy:
            self.error.hide()
        else:  # the next unlock starts as any other: no migration said until one reports
            self._migration = None
            self.busy.bar.setRange(0, 0)
            self._busy_text()
        self._update_buttons()

    def show_migration(self, done: int, steps: int) -> None:
        """An older vault's schema being brought up to date while it opens: step `done` of `steps` (minutes on a
        large vault: 0021 took two on 100,000 records), said in words and on the bar."""
        self._migration = (done, steps)
        self.busy.bar.setRange(0, max(steps, 1))
        self.busy.bar.setValue(min(done, steps))
        self._busy_text()

    def _busy_text(self) -> None:
        if self._migration is None:
            self.busy.set_text(self.tr("Opening the vault… this takes a few seconds."))
            return
        done, steps = self._migration
        self.busy.set_text(
            self.tr("Updating the vault for this version of Waypoint: step %1 of %2. On a large vault this takes "
                    "a few minutes; keep Waypoint open.").replace("%1", str(min(done + 1, steps))).replace(
                "%2", str(steps)))

    def show_failure(self, failure: Failure) -> None:
        self.passphrase.clear()
        self.recovery_code.clear()
        if failure.problem is Problem.TOO_MANY_ATTEMPTS and failure.retry_after_s > 0:
            self._wait_left = failure.retry_after_s
            self._countdown.start()
        self._failure = failure
        # a wrong passphrase typed under the name left from the last person: a shared laptop's next person, who
        # typed their own passphrase without looking at the name above it, is told so (each try costs them a wait
        # after the third)
        self._under_last_name = (failure.problem in (Problem.WRONG_CREDENTIALS, Problem.TOO_MANY_ATTEMPTS)
                                 and self.modes.currentIndex() == 0 and bool(self._last_username)
                                 and self.username.text().strip() == self._last_username)
        self._show_error(self._failure_words(failure))
        self._update_buttons()
        if self.modes.currentIndex() == ERASE_MODE:
            self.error.hide()
            self.erase_panel.show_failure(failure)
            return
        (self.recovery_code if self.modes.currentIndex() == 1 else self.passphrase).setFocus()

    def stop_timers(self) -> None:
        self._countdown.stop()

    # --- internals -------------------------------------------------------------------------
    def _show_error(self, text: str) -> None:
        self.notice.hide()
        self.error.setText(text)
        self.error.show()

    def _tick(self) -> None:
        self._wait_left -= 1
        if self._wait_left <= 0:
            self._countdown.stop()
            self.error.hide()
        else:
            self._show_error(self._failure_words(Failure(Problem.TOO_MANY_ATTEMPTS, self._wait_left)))
        self._update_buttons()

    def _update_buttons(self) -> None:
        waiting = self._countdown.isActive()
        busy = self.busy.isVisible()
        self.unlock_button.setEnabled(not waiting and not busy)
        self.recovery_button.setEnabled(not waiting and not busy)

    def _show_mode(self, index: int) -> None:
        self.modes.setCurrentIndex(index)
        self.clear_secrets()
        if not self._countdown.isActive():
            self.error.hide()
        self.erase_link.setVisible(index != ERASE_MODE)
        if index == ERASE_MODE:
            self.erase_panel.prepare(username=self.username.text().strip())
            return
        (self.recovery_code if index == 1 else (self.passphrase if self.username.text() else self.username)).setFocus()

    def _submit(self) -> None:
        if not self.unlock_button.isEnabled():
            return
        username = self.username.text().strip()
        self._failure = None
        if not username:
            self._show_error(self.tr("Type your username."))
            self.username.setFocus()
            return
        if not self.passphrase.text():
            self._show_error(self.tr("Type your passphrase."))
            self.passphrase.setFocus()
            return
        self.unlock_requested.emit(username, self.passphrase.text())

    def _submit_recovery(self) -> None:
        if not self.recovery_button.isEnabled():
            return
        code = self.recovery_code.text().strip()
        if not code:
            self._show_error(self.tr("Type the recovery code."))
            return
        self.recovery_requested.emit(code)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        # Esc leaves the recovery-code (or erase) panel, like a Cancel button.
        if event.key() == Qt.Key.Key_Escape and self.modes.currentIndex() != PASSPHRASE_MODE:
            self._show_mode(0)
            return
        super().keyPressEvent(event)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        self.heading.setText(self.tr("Unlock the vault"))
        self.intro.setText(self.tr("Sign in to see and add registrations."))
        self.username_label.setText(self.tr("&Username"))
        self.passphrase_label.setText(self.tr("&Passphrase"))
        self.unlock_button.setText(self.tr("Un&lock"))
        self.use_recovery_button.setText(self.tr("Forgot the passphrase? Use the &recovery code"))
        self.recovery_intro.setText(
            self.tr("Type the recovery code written down when the vault was created. It opens the vault as administrator.")
        )
        self.recovery_label.setText(self.tr("Recovery &code"))
        self.recovery_button.setText(self.tr("&Unlock with the recovery code"))
        self.back_button.setText(self.tr("&Back to passphrase"))
        self.other_folder_button.setText(self.tr("&Other folder…"))
        self.erase_link.setText(self.tr("Emergency: &erase this vault…"))
        self._busy_text()
        notice = getattr(self, "_notice", None)
        self.notice.setText(notice() if notice is not None else "")
        path = getattr(self, "_vault_path", "")
        self.vault_label.setText(self.tr("Vault folder: %1").replace("%1", path) if path else "")
        if self.error.isVisible() and getattr(self, "_failure", None) is not None:
            self.error.setText(self._failure_words(self._failure))

    def _failure_words(self, failure: Failure) -> str:
        text = failure_text(failure)
        if self._under_last_name and self.username.text().strip() == self._last_username:
            text += "\n" + self.tr("The username was filled in from the last sign-in here: %1. If you are not %1, "
                                   "type your own username.").replace("%1", self._last_username)
        return text
