"""Closing a form with changes asks what to do with them: finalize, save as draft, discard, or go back.

No answer is ever dropped or demoted silently: a finalized record being edited stays finalized until the person
chooses, and "discard" puts back what was there when the form was opened. The box is window-modal and opened
without a nested event loop; the choice comes back as a signal.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QMessageBox, QWidget

FINALIZE, DRAFT, DISCARD, CANCEL = "finalize", "draft", "discard", "cancel"


class CloseQuestion(QObject):
    """One question box; `chosen` carries FINALIZE, DRAFT, DISCARD or CANCEL."""

    chosen = Signal(str)

    def __init__(self, *, parent: QWidget, finalized: bool) -> None:
        super().__init__(parent)
        if finalized:
            text = self.tr("This record is finalized and you changed it. Finalize it again with the changes "
                           "(the previous version is kept), save it as a draft, or discard the changes?")
        else:
            text = self.tr("Keep these answers? Finalize the record, keep it as a draft to finish later, or "
                           "discard the changes made since you opened it.")
        self.box = QMessageBox(QMessageBox.Icon.Question, self.tr("Close the form"), text,
                               QMessageBox.StandardButton.NoButton, parent)
        self.box.setObjectName("closeQuestion")
        self.box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.buttons = {
            FINALIZE: self.box.addButton(self.tr("&Finalize"), QMessageBox.ButtonRole.AcceptRole),
            DRAFT: self.box.addButton(self.tr("Save as &draft"), QMessageBox.ButtonRole.ActionRole),
            DISCARD: self.box.addButton(self.tr("D&iscard changes"), QMessageBox.ButtonRole.DestructiveRole),
            CANCEL: self.box.addButton(self.tr("Go &back to the form"), QMessageBox.ButtonRole.RejectRole),
        }
        self.box.setDefaultButton(self.buttons[FINALIZE] if finalized else self.buttons[DRAFT])
        self.box.setEscapeButton(self.buttons[CANCEL])
        self.box.buttonClicked.connect(self._clicked)

    def open(self) -> None:
        self.box.open()

    def choose(self, choice: str) -> None:
        """Press one of the buttons (as a click or its Alt-letter would)."""
        self.buttons[choice].click()

    def _clicked(self, button) -> None:
        choice = next((name for name, b in self.buttons.items() if b is button), CANCEL)
        self.chosen.emit(choice)
        self.deleteLater()
