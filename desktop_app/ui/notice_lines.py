"""A page's two lines under its work: the notice (what happened) and the error (what went wrong), one shown at a
time. Pages mix it in beside QWidget and call `make_lines()` in their constructor."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel


class NoticeLines:
    status: QLabel
    error: QLabel

    def make_lines(self) -> None:
        self.status = QLabel(wordWrap=True, objectName="notice")
        self.status.hide()
        self.error = QLabel(wordWrap=True, objectName="error")
        self.error.hide()

    def say(self, text: str) -> None:
        self.error.hide()
        self.status.setText(text)
        self.status.show()

    def show_problem(self, text: str) -> None:
        self.status.hide()
        self.error.setText(text)
        self.error.show()

    def clear_lines(self) -> None:
        self.status.hide()
        self.error.hide()
