"""Enrolment codes on the Devices screen (coordinators for their region, administrators for their centre): the open
one-time codes of the centres this laptop's people manage (a Qt item model), a new code, and revoking one.

"New enrolment code…" asks for the centre, the roles of the people who will use the new laptop and how long the
code stays valid, then shows the code once, large, in plain text (selectable, and a Copy button; no QR code): the
server keeps only its hash. The requests themselves go through the Devices area (access_devices.py), so rights,
credentials and the network pool are those of the Devices screen.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QFont, QFontDatabase, QGuiApplication
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from desktop_app.services.devices import CentreInfo, EnrolmentCodeInfo, NewCode
from desktop_app.ui import labels
from desktop_app.ui.row_model import RowsModel

CODE_CENTRE, CODE_UNTIL, CODE_BY, CODE_ROLES = range(4)  # the roles, longest, last (it stretches)
# how long a new code stays valid: hours (the server accepts 1 to 168)
VALIDITY_HOURS = (24, 72, 168)
ROLE_CHOICES = ("field_staff", "case_worker", "coordinator", "administrator")


def when_text(at: str) -> str:
    """'2026-12-06 11:37 UTC' from the server's ISO time (UTC)."""
    return at.replace("T", " ")[:16] + " UTC" if len(at) >= 16 else at


class CodesModel(RowsModel):
    COLUMNS = 4

    def set_codes(self, found: list[EnrolmentCodeInfo]) -> None:
        self.set_rows(found)

    def code(self, row: int) -> EnrolmentCodeInfo | None:
        found: EnrolmentCodeInfo | None = self.row(row)
        return found

    def row_of(self, code_id: str) -> int:
        return self.find(lambda c: c.code_id == code_id)

    def headers(self) -> dict[int, str]:
        return {CODE_CENTRE: self.tr("Centre"), CODE_UNTIL: self.tr("Valid until"), CODE_BY: self.tr("Made by"),
                CODE_ROLES: self.tr("For a laptop used by")}

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        code = self.code(index.row()) if index.isValid() else None
        if code is None:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            if index.column() == CODE_CENTRE:
                return code.centre_name
            if index.column() == CODE_UNTIL:
                return when_text(code.expires_at)
            if index.column() == CODE_BY:
                return code.created_by.split(" (device ")[0] or self.tr("the server's command line")
            if index.column() == CODE_ROLES:
                return labels.roles_text(code.roles) if code.roles else self.tr("Anyone (unrestricted)")
        if role == Qt.ItemDataRole.ToolTipRole and index.column() == CODE_CENTRE:
            return code.code_id
        return None


class NewCodeDialog(QDialog):
    """Two steps in one window: what the code is for, then the code itself (shown once)."""

    create_requested = Signal(str, list, int)  # centre id, roles, hours

    def __init__(self, centres: list[CentreInfo], parent: QWidget | None = None) -> None:
        super().__init__(parent, objectName="newCodeDialog")
        self.setWindowTitle(self.tr("New enrolment code"))
        self.setMinimumWidth(520)
        self.steps = QStackedWidget()

        ask = QWidget()
        self.centre = QComboBox(objectName="codeCentre")
        for centre in centres:
            self.centre.addItem(centre.name + (f" ({centre.region})" if centre.region else ""), centre.centre_id)
        self.role_boxes: dict[str, QCheckBox] = {}
        roles = QVBoxLayout()
        for role in ROLE_CHOICES:
            box = QCheckBox(labels.role_name(role), objectName=f"codeRole_{role}")
            box.toggled.connect(self._check)
            self.role_boxes[role] = box
            roles.addWidget(box)
        self.validity = QComboBox(objectName="codeValidity")
        for hours in VALIDITY_HOURS:
            self.validity.addItem(self._hours_text(hours), hours)
        self.validity.setCurrentIndex(1)
        form = QFormLayout()
        form.addRow(self.tr("&Centre"), self.centre)
        roles_label = QLabel(self.tr("Used by"))
        form.addRow(roles_label, roles)
        form.addRow(self.tr("&Valid for"), self.validity)
        self.ask_hint = QLabel(self.tr("The code enrols one laptop of this centre, for the people named here: what it "
                                       "receives and may change follows their roles."), wordWrap=True,
                               objectName="hint")
        self.problem = QLabel(wordWrap=True, objectName="error")
        self.problem.hide()
        self.ask_buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.create_button = self.ask_buttons.addButton(self.tr("&Make the code"),
                                                        QDialogButtonBox.ButtonRole.AcceptRole)
        self.create_button.setObjectName("makeCodeButton")
        self.create_button.setDefault(True)
        self.ask_buttons.accepted.connect(self._create)
        self.ask_buttons.rejected.connect(self.reject)
        ask_layout = QVBoxLayout(ask)
        ask_layout.addWidget(self.ask_hint)
        ask_layout.addLayout(form)
        ask_layout.addWidget(self.problem)
        ask_layout.addWidget(self.ask_buttons)

        shown = QWidget()
        self.shown_intro = QLabel(wordWrap=True)
        self.code_text = QLabel(objectName="enrolmentCode")
        font = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        font.setPointSize(24)
        font.setWeight(QFont.Weight.Bold)
        font.setLetterSpacing(QFont.SpacingType.AbsoluteSpacing, 2)
        self.code_text.setFont(font)
        self.code_text.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.code_text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse
                                               | Qt.TextInteractionFlag.TextSelectableByKeyboard)
        self.code_text.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.expiry = QLabel(wordWrap=True, objectName="codeExpiry")
        self.expiry.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.shown_hint = QLabel(wordWrap=True, objectName="hint")
        self.copy_button = QPushButton(self.tr("&Copy the code"), objectName="copyCodeButton")
        self.copy_button.clicked.connect(self.copy)
        self.copied = QLabel(objectName="notice")
        self.copied.hide()
        self.done_buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.done_buttons.rejected.connect(self.accept)
        shown_layout = QVBoxLayout(shown)
        shown_layout.addWidget(self.shown_intro)
        shown_layout.addWidget(self.code_text)
        shown_layout.addWidget(self.expiry)
        shown_layout.addWidget(self.shown_hint)
        shown_layout.addWidget(self.copy_button, 0, Qt.AlignmentFlag.AlignLeft)
        shown_layout.addWidget(self.copied)
        shown_layout.addWidget(self.done_buttons)

        self.steps.addWidget(ask)
        self.steps.addWidget(shown)
        layout = QVBoxLayout(self)
        layout.addWidget(self.steps)
        self.made: NewCode | None = None
        self.finished.connect(self._forget)
        self.role_boxes["field_staff"].setChecked(True)
        self._check()

    def _hours_text(self, hours: int) -> str:
        if hours % 24 == 0:
            return self.tr("%n day(s)", "", hours // 24)
        return self.tr("%n hour(s)", "", hours)

    def chosen_roles(self) -> list[str]:
        return [role for role, box in self.role_boxes.items() if box.isChecked()]

    def _check(self) -> None:
        ready = bool(self.chosen_roles()) and self.centre.count() > 0
        self.create_button.setEnabled(ready)

    def _create(self) -> None:
        if not self.create_button.isEnabled():
            return
        self.problem.hide()
        self.create_button.setEnabled(False)
        self.create_requested.emit(self.centre.currentData(), self.chosen_roles(), int(self.validity.currentData()))

    def failed(self, text: str) -> None:
        self.problem.setText(text)
        self.problem.show()
        self._check()

    def show_code(self, made: NewCode) -> None:
        self.made = made
        info = made.info
        self.setWindowTitle(self.tr("Enrolment code for %1").replace("%1", info.centre_name))
        self.shown_intro.setText(self.tr("Enrolment code for one laptop of %1, used by: %2.")
                                 .replace("%1", info.centre_name).replace("%2", labels.roles_text(info.roles)))
        self.code_text.setText(made.code)
        self.expiry.setText(self.tr("Valid until %1, for one laptop only.").replace("%1", when_text(info.expires_at)))
        self.shown_hint.setText(self.tr("On the new laptop: Registrations → Enrol this laptop for sync…, then type "
                                        "this code. It is shown only now: if it is lost, revoke it and make another."))
        self.steps.setCurrentIndex(1)
        self.adjustSize()  # the code is wider than the questions were
        self.done_buttons.button(QDialogButtonBox.StandardButton.Close).setDefault(True)
        self.code_text.setFocus()

    def copy(self) -> None:
        if self.made is not None:
            QGuiApplication.clipboard().setText(self.made.code)  # the clipboard guard clears it at the lock
            self.copied.setText(self.tr("Copied."))
            self.copied.show()

    def _forget(self) -> None:
        """The code leaves the screen with the dialog."""
        self.made = None
        self.code_text.clear()


def confirm_revoke(parent: QWidget, code: EnrolmentCodeInfo, on_yes: Callable[[], None]) -> QMessageBox:
    box = QMessageBox(QMessageBox.Icon.Question,
                      QCoreApplication.translate("DevicesPage", "Revoke an enrolment code"),
                      QCoreApplication.translate("DevicesPage", "Revoke the code for %1 valid until %2? No laptop can "
                                                 "enrol with it any more.")
                      .replace("%1", code.centre_name).replace("%2", when_text(code.expires_at)),
                      QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, parent)
    box.setObjectName("revokeCodeQuestion")
    box.setDefaultButton(QMessageBox.StandardButton.No)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.buttonClicked.connect(lambda button: on_yes() if box.standardButton(button) == QMessageBox.StandardButton.Yes
                              else None)
    box.open()
    return box
