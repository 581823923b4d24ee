"""Shared by the screenshot scripts: run the event loop until a condition holds (or a time limit passes)."""

from __future__ import annotations

from PySide6.QtCore import QEventLoop, QTimer


def settle(until=lambda: True, ms: int = 20_000) -> None:
    loop = QEventLoop()
    timer = QTimer(interval=20)
    timer.timeout.connect(lambda: until() and loop.quit())
    QTimer.singleShot(ms, loop.quit)
    timer.start()
    loop.exec()
    timer.stop()
