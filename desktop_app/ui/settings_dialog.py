"""Preferences a field worker may change: how soon the vault locks itself, and the language."""

from __future__ import annotations

from PySide6.QtCore import QEvent
from PySide6.QtWidgets import QComboBox, QDialog, QDialogButtonBox, QFormLayout, QLabel, QSpinBox, QVBoxLayout, QWidget

from desktop_app.ui.settings import MAX_IDLE_MINUTES, MIN_IDLE_MINUTES


class SettingsDialog(QDialog):
    def __init__(self, *, idle_minutes: int, language: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.idle = QSpinBox()
        self.idle.setRange(MIN_IDLE_MINUTES, MAX_IDLE_MINUTES)
        self.idle.setValue(idle_minutes)
        self.idle_label = QLabel()
        self.idle_label.setBuddy(self.idle)
        self.idle_hint = QLabel(objectName="hint", wordWrap=True)
        self.language = QComboBox()
        self.language.addItem("English", "en")
        self.language.addItem("Français", "fr")
        self.language.setCurrentIndex(max(0, self.language.findData(language)))
        self.language_label = QLabel()
        self.language_label.setBuddy(self.language)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        form = QFormLayout()
        form.addRow(self.idle_label, self.idle)
        form.addRow("", self.idle_hint)
        form.addRow(self.language_label, self.language)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.buttons)
        self.retranslate()

    @property
    def chosen_idle_minutes(self) -> int:
        return self.idle.value()

    @property
    def chosen_language(self) -> str:
        return str(self.language.currentData())

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("Settings"))
        self.idle_label.setText(self.tr("&Lock after (minutes without use)"))
        self.idle.setSuffix(self.tr(" min"))
        self.idle_hint.setText(
            self.tr("The vault locks itself when nobody touches the keyboard or mouse for this long.")
        )
        self.language_label.setText(self.tr("L&anguage"))
