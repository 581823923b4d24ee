"""A row of buttons that wraps onto a second line when the screen is too narrow for it.

A QHBoxLayout asks for the width of all its buttons side by side: the review desk's three decisions in French
("Garder la version de cet ordinateur", "Garder la version du serveur", "Enregistrer le résultat") made the window
wider than a 1024-pixel screen. This layout asks only for its widest button; given less room than the whole row, it
puts the next buttons on the next line (its height follows its width, which the enclosing box layouts ask for).

Its minimum height is that of the lines it needs at the width it was last given, not of one line: what holds it (a
splitter's panel) asks for minimum sizes only, never for the height at a width. Reporting one line let the window be
made short enough that the second line of decisions was cut off under the line below it. When the number of lines
changes, the layout asks its parents to measure again.
"""

from __future__ import annotations

from PySide6.QtCore import QMargins, QPoint, QRect, QSize, Qt
from PySide6.QtWidgets import QLayout, QLayoutItem, QSizePolicy, QStyle, QWidget


class FlowLayout(QLayout):
    """Items left to right at their preferred size, as many lines as the width needs."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._items: list[QLayoutItem] = []
        self._width = 0  # the width it was last given: its minimum height is that of the lines it needs there
        self._height = -1  # the height those lines take
        self.setContentsMargins(QMargins(0, 0, 0, 0))

    def addItem(self, item: QLayoutItem) -> None:
        self._items.append(item)

    def count(self) -> int:
        return len(self._items)

    def itemAt(self, index: int) -> QLayoutItem | None:  # type: ignore[override]
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index: int) -> QLayoutItem | None:  # type: ignore[override]
        return self._items.pop(index) if 0 <= index < len(self._items) else None

    def expandingDirections(self) -> Qt.Orientation:
        return Qt.Orientation(0)

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        return self._arrange(QRect(0, 0, width, 0), move=False)

    def setGeometry(self, rect: QRect) -> None:
        super().setGeometry(rect)
        height = self._arrange(rect, move=True)
        changed = height != self._height
        self._width, self._height = rect.width(), height
        if changed:  # another number of lines: another minimum height (measured again later, not nested in here)
            self.invalidate()

    def sizeHint(self) -> QSize:
        """The whole row on one line."""
        shown = self._shown()
        width = sum(item.sizeHint().width() for item in shown) + self._gap(Qt.Orientation.Horizontal) * max(
            len(shown) - 1, 0)
        height = max((item.sizeHint().height() for item in shown), default=0)
        margins = self.contentsMargins()
        return QSize(width + margins.left() + margins.right(), height + margins.top() + margins.bottom())

    def minimumSize(self) -> QSize:
        """As wide as the widest item (every other one can go on a line of its own); as high as the lines it needs at
        the width it was last given."""
        size = QSize()
        for item in self._shown():
            size = size.expandedTo(item.minimumSize().expandedTo(item.sizeHint()))
        margins = self.contentsMargins()
        size += QSize(margins.left() + margins.right(), margins.top() + margins.bottom())
        if self._width > 0:
            size.setHeight(max(size.height(), self.heightForWidth(max(self._width, size.width()))))
        return size

    def _shown(self) -> list[QLayoutItem]:
        return [item for item in self._items if not item.isEmpty()]

    def _gap(self, orientation: Qt.Orientation) -> int:
        if self.spacing() >= 0:
            return self.spacing()
        parent = self.parentWidget()
        style = parent.style() if parent is not None else None
        if style is None:
            return 6
        metric = (QStyle.PixelMetric.PM_LayoutHorizontalSpacing if orientation == Qt.Orientation.Horizontal
                  else QStyle.PixelMetric.PM_LayoutVerticalSpacing)
        gap = style.pixelMetric(metric, None, parent)
        if gap < 0:  # the style leaves it to the controls' types
            gap = style.layoutSpacing(QSizePolicy.ControlType.PushButton, QSizePolicy.ControlType.PushButton,
                                      orientation, None, parent)
        return max(gap, 0)

    def _arrange(self, rect: QRect, *, move: bool) -> int:
        """Places the items (or only measures); returns the height they take."""
        margins = self.contentsMargins()
        area = rect.marginsRemoved(margins)
        across, down = self._gap(Qt.Orientation.Horizontal), self._gap(Qt.Orientation.Vertical)
        x, y, line = area.x(), area.y(), 0
        for item in self._shown():
            size = item.sizeHint()
            if x > area.x() and x + size.width() > area.right() + 1:
                x, y, line = area.x(), y + line + down, 0
            if move:
                item.setGeometry(QRect(QPoint(x, y), size))
            x += size.width() + across
            line = max(line, size.height())
        return y + line - rect.y() + margins.bottom()
