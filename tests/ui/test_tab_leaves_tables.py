"""Tab leaves every table of the main window, as it leaves every other control: Qt's tables take Tab to step from
cell to cell and, at the last one, wrap to the first, so a keyboard user who tabbed into a list (the registrations,
a case file's timeline, the review desk's conflicts and their answers side by side) could never tab out of it and
had to know Ctrl+Tab. The arrows move within a table; Enter opens its row, as before. (Tab walking out of the review
desk's tables with rows: test_small_screens.py.)"""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QTableView

pytestmark = pytest.mark.gui


def test_no_table_of_the_main_window_keeps_tab(make_app):
    window = make_app().window
    tables = window.findChildren(QTableView)
    names = {t.objectName() for t in tables}
    assert {"conflictTable", "conflictSides", "candidateTable", "pairTable", "caseTimeline", "searchResults",
            "peopleTable", "auditTable"} <= names
    keeping = sorted(t.objectName() or type(t.parentWidget()).__name__ for t in tables if t.tabKeyNavigation())
    assert not keeping, f"Tab steps through the cells of {keeping} and never leaves"

