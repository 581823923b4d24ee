"""First-run setup: where the vault lives, the first administrator, then the recovery code.

The recovery code is shown once, in large type, and cannot be selected or copied on purpose:
anything on the clipboard can be read by other programs and survives in clipboard histories.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QFont, QFontMetrics, QKeyEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop_app.services.session import Failure
from desktop_app.ui.busy import BusyIndicator
from desktop_app.ui.messages import failure_text
from desktop_app.ui.page_switcher import PageSwitcher, centred
from desktop_app.ui.security_files import choose_folder
from desktop_app.ui.security_passphrase import PassphraseAdvice

LOCATION, ADMIN, RECOVERY = range(3)


class SetupPage(QWidget):
    location_chosen = Signal(str)  # a folder; the window checks whether a vault already lives there
    create_requested = Signal(str, str)  # admin username, passphrase
    finished = Signal(str)  # the administrator username, to prefill the unlock screen

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("setupPage")
        self.heading = QLabel(objectName="pageHeading")
        self.step_label = QLabel(objectName="hint")
        self.error = QLabel(objectName="error", wordWrap=True)
        self.error.hide()
        self.steps = PageSwitcher()
        self.steps.addWidget(self._build_location())
        self.steps.addWidget(self._build_admin())
        self.steps.addWidget(self._build_recovery())
        self.busy = BusyIndicator()

        card = QWidget(objectName="card")
        card.setMaximumWidth(640)
        cv = QVBoxLayout(card)
        cv.setSpacing(14)
        cv.addWidget(self.heading)
        cv.addWidget(self.step_label)
        cv.addWidget(self.steps)
        cv.addWidget(self.error)
        cv.addWidget(self.busy)
        outer = QVBoxLayout(self)
        outer.addStretch(1)
        outer.addLayout(centred(card))
        outer.addStretch(2)
        self.retranslate()

    # --- step 1: location ------------------------------------------------------------------
    def _build_location(self) -> QWidget:
        page = QWidget()
        self.location_intro = QLabel(wordWrap=True)
        self.location = QLineEdit()
        self.location_label = QLabel()
        self.location_label.setBuddy(self.location)
        self.browse_button = QPushButton()
        self.location_next = QPushButton(objectName="primary")
        self.location_next.setDefault(True)
        row = QHBoxLayout()
        row.addWidget(self.location, 1)
        row.addWidget(self.browse_button)
        v = QVBoxLayout(page)
        v.setContentsMargins(0, 0, 0, 0)
        v.addWidget(self.location_intro)
        v.addWidget(self.location_label)
        v.addLayout(row)
        buttons = QHBoxLayout()
        buttons.addStretch()
        buttons.addWidget(self.location_next)
        v.addLayout(buttons)
        v.addStretch()
        self.browse_button.clicked.connect(self._browse)
        self.location.returnPressed.connect(self._location_next)
        self.location_next.clicked.connect(self._location_next)
        return page

    def _browse(self) -> None:
        # Waypoint's own picker: Qt's and the desktop's dialogs remember the folders they visit.
        choose_folder(self, self.tr("Choose the vault folder"), self.location.text(), self.location.setText)

    def _location_next(self) -> None:
        path = self.location.text().strip()
        if not path:
            self.show_error(self.tr("Choose a folder for the vault."))
            return
        self.location_chosen.emit(path)

    # --- step 2: administrator -------------------------------------------------------------
    def _build_admin(self) -> QWidget:
        page = QWidget()
        self.admin_intro = QLabel(wordWrap=True)
        self.username = QLineEdit()
        self.username.setMaxLength(64)
        self.passphrase = QLineEdit(echoMode=QLineEdit.EchoMode.Password)
        self.repeat = QLineEdit(echoMode=QLineEdit.EchoMode.Password)
        self.username_label = QLabel()
        self.username_label.setBuddy(self.username)
        self.passphrase_label = QLabel()
        self.passphrase_label.setBuddy(self.passphrase)
        self.repeat_label = QLabel()
        self.repeat_label.setBuddy(self.repeat)
        self.advice = PassphraseAdvice(passphrase=self.passphrase, repeat=self.repeat,
                                       username=lambda: self.username.text().strip())
        form = QFormLayout()
        form.setLabelAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        form.addRow(self.username_label, self.username)
        form.addRow(self.passphrase_label, self.passphrase)
        form.addRow("", self.advice)
        form.addRow(self.repeat_label, self.repeat)
        self.admin_back = QPushButton(flat=True)
        self.create_button = QPushButton(objectName="primary")
        buttons = QHBoxLayout()
        buttons.addWidget(self.admin_back)
        buttons.addStretch()
        buttons.addWidget(self.create_button)
        v = QVBoxLayout(page)
        v.setContentsMargins(0, 0, 0, 0)
        v.addWidget(self.admin_intro)
        v.addLayout(form)
        v.addLayout(buttons)
        v.addStretch()
        # A new passphrase makes the last error about the old one untrue (issue 13): hide it.
        self.passphrase.textChanged.connect(lambda _: self.error.hide())
        self.repeat.textChanged.connect(lambda _: self.error.hide())
        self.username.returnPressed.connect(self.passphrase.setFocus)
        self.passphrase.returnPressed.connect(self.repeat.setFocus)
        self.repeat.returnPressed.connect(self._create)
        self.create_button.clicked.connect(self._create)
        self.admin_back.clicked.connect(lambda: self.show_step(LOCATION))
        return page

    def _create(self) -> None:
        username = self.username.text().strip()
        passphrase = self.passphrase.text()
        self.advice.update_for(passphrase)  # the user name may have changed since: it counts too
        if not username:
            self.show_error(self.tr("Type a username for the administrator."))
            self.username.setFocus()
        elif not self.advice.acceptable:
            self.show_error(self.advice.refusal())
            self.passphrase.setFocus()
        elif passphrase != self.repeat.text():
            self.repeat.clear()
            self.show_error(self.tr("The two passphrases are not the same. Type them again."))
            self.repeat.setFocus()
        else:
            self.error.hide()
            self.create_requested.emit(username, passphrase)

    # --- step 3: recovery code -------------------------------------------------------------
    def _build_recovery(self) -> QWidget:
        page = QWidget()
        self.recovery_intro = QLabel(wordWrap=True)
        self.recovery_code = QLabel(objectName="recoveryCode")
        # Font set here, not only in the style sheet: the label's size must be right before the
        # page is first shown, or the second line of the code could be cut off.
        code_font = QFont("DejaVu Sans Mono")
        code_font.setStyleHint(QFont.StyleHint.Monospace)
        code_font.setPointSize(18)
        code_font.setBold(True)
        self.recovery_code.setFont(code_font)
        self.recovery_code.setContentsMargins(16, 12, 16, 12)
        # Room for the two lines of a code from the start, so the page never has to grow later.
        self.recovery_code.setMinimumHeight(2 * QFontMetrics(code_font).lineSpacing() + 24 + 8)
        # No selection, no context menu: the code must not reach the clipboard.
        self.recovery_code.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
        self.recovery_code.setContextMenuPolicy(Qt.ContextMenuPolicy.NoContextMenu)
        self.recovery_code.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.recovery_warning = QLabel(objectName="hint", wordWrap=True)
        self.written_down = QCheckBox()
        self.finish_button = QPushButton(objectName="primary")
        self.finish_button.setEnabled(False)
        self.written_down.toggled.connect(self.finish_button.setEnabled)
        self.finish_button.clicked.connect(self._finish)
        buttons = QHBoxLayout()
        buttons.addStretch()
        buttons.addWidget(self.finish_button)
        v = QVBoxLayout(page)
        v.setContentsMargins(0, 0, 0, 0)
        v.addWidget(self.recovery_intro)
        v.addWidget(self.recovery_code)
        v.addWidget(self.recovery_warning)
        v.addWidget(self.written_down)
        v.addLayout(buttons)
        return page

    def show_recovery_code(self, code: str) -> None:
        self.passphrase.clear()
        self.repeat.clear()
        self.advice.clear()
        self.recovery_code.setText(recovery_code_lines(code))
        self.written_down.setChecked(False)
        self.show_step(RECOVERY)
        self.written_down.setFocus()

    def _finish(self) -> None:
        if not self.written_down.isChecked():
            return
        self.recovery_code.clear()  # gone from the screen for good
        self.finished.emit(self.username.text().strip())

    # --- common ----------------------------------------------------------------------------
    def prepare(self, *, default_location: str) -> None:
        self.location.setText(default_location)
        self.username.clear()
        self.passphrase.clear()
        self.repeat.clear()
        self.advice.clear()
        self.recovery_code.clear()
        self.set_busy(False)
        self.show_step(LOCATION)

    def show_step(self, step: int) -> None:
        self.steps.setCurrentIndex(step)
        self.error.hide()
        self.retranslate()
        focus = {LOCATION: self.location, ADMIN: self.username, RECOVERY: self.written_down}[step]
        focus.setFocus()
        for button in (self.location_next, self.create_button, self.finish_button):
            button.setDefault(False)
        {LOCATION: self.location_next, ADMIN: self.create_button, RECOVERY: self.finish_button}[step].setDefault(True)

    def show_error(self, text: str) -> None:
        self.error.setText(text)
        self.error.show()

    def show_failure(self, failure: Failure) -> None:
        self.passphrase.clear()
        self.repeat.clear()
        self.show_error(failure_text(failure))  # after clearing: the cleared fields hide errors

    def set_busy(self, busy: bool) -> None:
        self.busy.setVisible(busy)
        self.steps.setEnabled(not busy)
        if busy:
            self.error.hide()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        # Enter moves on from the last step too (default buttons only work inside dialogs).
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.steps.currentIndex() == RECOVERY:
            self._finish()
            return
        super().keyPressEvent(event)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        step = self.steps.currentIndex()
        self.heading.setText(self.tr("Set up Waypoint on this computer"))
        self.step_label.setText(self.tr("Step %1 of 3").replace("%1", str(step + 1)))
        self.location_intro.setText(
            self.tr(
                "Waypoint keeps every registration in an encrypted vault: a folder that only opens with a "
                "passphrase. Choose where it lives. The suggested folder is right for most computers."
            )
        )
        self.location_label.setText(self.tr("Vault &folder"))
        self.browse_button.setText(self.tr("&Browse…"))
        self.location_next.setText(self.tr("&Next"))
        self.admin_intro.setText(
            self.tr(
                "Create the first administrator. The administrator adds the other staff later. "
                "Choose a passphrase you will remember: a short sentence works well."
            )
        )
        self.username_label.setText(self.tr("&Username"))
        self.passphrase_label.setText(self.tr("&Passphrase"))
        self.repeat_label.setText(self.tr("&Repeat passphrase"))
        self.admin_back.setText(self.tr("&Back"))
        self.create_button.setText(self.tr("&Create the vault"))
        self.recovery_intro.setText(
            self.tr(
                "This is the recovery code. It opens the vault if every passphrase is forgotten. "
                "Write it on paper now and keep the paper somewhere safe, away from this computer."
            )
        )
        self.recovery_warning.setText(
            self.tr(
                "It will not be shown again. It cannot be copied, on purpose: copied text can be read by other programs."
            )
        )
        self.written_down.setText(self.tr("I have &written it down"))
        self.finish_button.setText(self.tr("&Continue"))
        self.busy.set_text(self.tr("Creating the vault… this takes a few seconds."))


def recovery_code_lines(code: str, *, groups_per_line: int = 4) -> str:
    """Break the code into short lines of groups: easier to copy onto paper without losing one. The groups
    keep the dashes the command line prints (`waypoint init`), so the code reads the same everywhere."""
    groups = code.split("-")
    lines = ["-".join(groups[i : i + groups_per_line]) for i in range(0, len(groups), groups_per_line)]
    return "\n".join(lines)
