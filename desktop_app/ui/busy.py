"""A sentence and an indeterminate progress bar, shown while slow work (Argon2, a migration) runs."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QProgressBar, QVBoxLayout, QWidget


class BusyIndicator(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.label = QLabel(wordWrap=True)
        self.bar = QProgressBar()
        self.bar.setRange(0, 0)  # indeterminate: key derivation reports no progress
        self.bar.setTextVisible(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.label)
        layout.addWidget(self.bar)
        self.hide()

    def set_text(self, text: str) -> None:
        self.label.setText(text)
