"""Shows one of several panels at a time, sized to the panel on show.

QStackedWidget sizes itself to its largest page and ignores height-for-width, so wrapped text in a
card squeezes and overlaps (seen in French); hidden widgets in a plain box layout take no room.
"""

from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QVBoxLayout, QWidget


class PageSwitcher(QWidget):
    def __init__(self) -> None:
        super().__init__()
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._pages: list[QWidget] = []
        self._current = -1

    def addWidget(self, page: QWidget) -> int:
        self._pages.append(page)
        self._layout.addWidget(page)
        if self._current < 0:
            self._current = 0
        page.setVisible(len(self._pages) - 1 == self._current)
        return len(self._pages) - 1

    def widget(self, index: int) -> QWidget:
        return self._pages[index]

    def count(self) -> int:
        return len(self._pages)

    def currentIndex(self) -> int:
        return self._current

    def setCurrentIndex(self, index: int) -> None:
        self._current = index
        for i, page in enumerate(self._pages):
            page.setVisible(i == index)


def centred(card: QWidget) -> QHBoxLayout:
    """A row that centres `card` between stretches.

    Used instead of an alignment flag: an aligned widget gets its plain size hint, so wrapped
    text inside it (height-for-width) would not get the height it needs.
    """
    row = QHBoxLayout()
    row.addStretch(1)
    row.addWidget(card, 100)
    row.addStretch(1)
    return row
