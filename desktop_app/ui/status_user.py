"""The status bar's "Signed in: kofi (Field staff, Case worker)", made to fit.

Beside the sync counts, the device and the lock state, a person with two roles in French did not fit at the
app's usual width and was cut mid-word ("Connecté : kofi (Personnel de terrain, Gestionnaire d…"). The line
shrinks by whole words instead: every role, then the first role and how many more ("Personnel de terrain +1"),
then the name alone; the tooltip (and `text()`, what a screen reader reads) always says every role. `FittingLabel`
does this for any status-bar line given its wordings longest first (the sync status uses it too).
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QPainter, QPaintEvent
from PySide6.QtWidgets import QLabel, QWidget

from desktop_app.ui import labels


class FittingLabel(QLabel):
    """A status-bar line that gives up whole words, not letters, as its room shrinks. `show_choices` takes the
    wordings longest first; `text()` is always the first, whole (for screen readers and the tooltip), and what is
    painted is the longest wording that fits the room the status bar gives, chosen when painted, so it follows every
    resize and layout. When not even the shortest fits, it is cut with an ellipsis."""

    def __init__(self, parent: QWidget | None = None, *, objectName: str = "") -> None:
        super().__init__(parent, objectName=objectName)
        self._choices: list[str] = []  # longest first

    def show_choices(self, choices: list[str]) -> None:
        self._choices = [c for c in choices if c]
        full = self._choices[0] if self._choices else ""
        self.setToolTip(full)
        self.setText(full)
        self.updateGeometry()

    def shown_text(self) -> str:
        """The wording painted now: the longest that fits."""
        if not self._choices:
            return self.text()
        room = self.contentsRect().width()
        metrics = self.fontMetrics()
        fits = next((t for t in self._choices if metrics.horizontalAdvance(t) <= room), None)
        return fits if fits is not None else metrics.elidedText(self._choices[-1], Qt.TextElideMode.ElideRight, room)

    def _width_of(self, text: str) -> int:
        margins = self.contentsMargins()
        return self.fontMetrics().horizontalAdvance(text) + margins.left() + margins.right() + 2

    def sizeHint(self) -> QSize:
        hint = super().sizeHint()
        return QSize(self._width_of(self._choices[0]), hint.height()) if self._choices else hint

    def minimumSizeHint(self) -> QSize:
        hint = super().minimumSizeHint()
        return QSize(self._width_of(self._choices[-1]), hint.height()) if self._choices else hint

    def paintEvent(self, event: QPaintEvent) -> None:
        if not self._choices:
            super().paintEvent(event)
            return
        painter = QPainter(self)
        self.style().drawItemText(painter, self.contentsRect(), int(self.alignment()), self.palette(),
                                  self.isEnabled(), self.shown_text(), self.foregroundRole())
        painter.end()


class SignedInLabel(FittingLabel):
    """"Signed in: kofi (Field staff, Case worker)", then the first role and how many more, then the name alone."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent, objectName="statusUser")

    def show_user(self, username: str, roles: tuple[str, ...] | list[str]) -> None:
        names = [labels.role_name(r) for r in roles]
        full = self.tr("Signed in: %1 (%2)").replace("%1", username).replace("%2", labels.roles_text(roles))
        choices = [full]
        if len(names) > 1:
            choices.append(self.tr("Signed in: %1 (%2 +%n)", "", len(names) - 1)
                           .replace("%1", username).replace("%2", names[0]))
        choices.append(self.tr("Signed in: %1").replace("%1", username))
        self.show_choices(choices)

    def clear_user(self) -> None:
        self.show_choices([])
