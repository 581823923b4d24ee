"""A guard against a fault of the Qt binding: PySide6-Essentials 6.12.0 on Python 3.11 loses one reference to
`True` at every signal emitted from Python. Python 3.11 counts references to True like any object's, so after a
few hundred emits (the count starts near 600; two emits per background task) the count reaches zero and Python
aborts with "bool_dealloc", mid-work or at exit: a crash that loses the form on screen.

The guard gives the count back, so it never gets there: `hold_true()` raises the count to `MARGIN` in place (the
references the binding dropped are owed, never returned, so nothing may hand them back later, not even at exit:
a list holding them would, and abort Python while it shuts down). The app calls it at start and every few
seconds (install), the tests around each test. Releases that do not leak need nothing after the first call;
Python 3.12 and later keep True immortal (its count is never below the margin there, so nothing is written).
tests/ui/test_qt_binding.py shows a long run of emits survives with the guard."""

from __future__ import annotations

import ctypes
import sys

from PySide6.QtCore import QObject, QTimer

MARGIN = 1_000_000
TOP_UP_MS = 5_000


def hold_true(margin: int = MARGIN) -> int:
    """Raise True's reference count to at least `margin` (CPython: ob_refcnt is the object's first field);
    returns how many references were added."""
    short = margin - sys.getrefcount(True)
    if short <= 0 or sys.implementation.name != "cpython":
        return 0
    ctypes.c_ssize_t.from_address(id(True)).value += short
    return short


def install(parent: QObject) -> QTimer:
    """Top up now and every TOP_UP_MS while `parent` lives (the app's window)."""
    hold_true()
    timer = QTimer(parent)
    timer.setInterval(TOP_UP_MS)
    timer.timeout.connect(hold_true)
    timer.start()
    return timer
