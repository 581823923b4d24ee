"""What is typed into Waypoint is not learnt by the computer's input methods.

Input methods and on-screen keyboards keep a user dictionary of words typed, to suggest them again: IBus's
typing-booster, the predictive keyboards of Arabic, Amharic or Tigrinya, Windows' text suggestions and touch
keyboard. A name typed into a form or a search box would then stay on the laptop's disk, in clear, outside the vault,
and come back as a suggestion in any other program. Qt passes a widget's input method hints to the platform's input
context: `ImhSensitiveData` asks it not to store or learn what is typed (IBus: the private hint), `ImhNoPredictiveText`
not to predict from it. An app-wide filter gives both to every text editor when it is polished, before it is first
shown or focused, whatever screen made it; password fields already have them from their echo mode.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QAbstractSpinBox, QLineEdit, QPlainTextEdit, QTextEdit, QWidget

PRIVATE = Qt.InputMethodHint.ImhSensitiveData | Qt.InputMethodHint.ImhNoPredictiveText
_EDITORS = (QLineEdit, QTextEdit, QPlainTextEdit, QAbstractSpinBox)


def make_private(widget: QWidget) -> None:
    if widget.inputMethodHints() & PRIVATE != PRIVATE:
        widget.setInputMethodHints(widget.inputMethodHints() | PRIVATE)


class PrivateInput(QObject):
    """Installed on the QApplication by the composition root (desktop_app/ui/app.py)."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Polish and isinstance(watched, _EDITORS):
            make_private(watched)
        return False
