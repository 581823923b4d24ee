"""What the locked window still holds, read widget by widget: after a case worker looked a person up (the list, Find
a person, the case file and its consent panel) and left a question naming them open, the idle lock must leave no
widget, window title, tooltip or item model anywhere in the application with the person's name, and no line edit
whose undo brings back what was typed. Whoever sits down next (a colleague with a narrower role, someone who took
the laptop) sees the sign-in screen and nothing behind it."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import QAbstractItemView, QApplication, QLineEdit

from desktop_app.services import records
from tests.access.team import CASE, MIGRANT, PERSON, instance, make_team, shipped_xforms, sign_in, signed_in

pytestmark = pytest.mark.gui

NAME = "Qwvzkrtel"
RECORD = "00000000-0000-4000-8000-0000000000a7"
TEXTS = ("text", "toPlainText", "windowTitle", "toolTip", "statusTip", "whatsThis", "placeholderText",
         "accessibleName", "accessibleDescription", "currentText", "informativeText", "detailedText")


def _where_the_name_is() -> list[str]:
    found = []
    for widget in QApplication.allWidgets():
        label = f"{type(widget).__name__}#{widget.objectName()}"
        for getter in TEXTS:
            read = getattr(widget, getter, None)
            try:
                text = read() if callable(read) else None
            except TypeError:  # a method of that name that wants arguments
                continue
            if isinstance(text, str) and NAME.lower() in text.lower():
                found.append(f"{label}.{getter}: {text[:80]}")
        if isinstance(widget, QLineEdit) and (widget.isUndoAvailable() or widget.isRedoAvailable()):
            found.append(f"{label}: an undo brings back what was typed")
        if isinstance(widget, QAbstractItemView) and widget.model() is not None:
            found += _in_model(widget.model(), QModelIndex(), label)
    return found


def _in_model(model, parent: QModelIndex, label: str) -> list[str]:
    found = []
    try:
        columns = model.columnCount(parent)
    except TypeError:  # a list model: PySide6 keeps its columnCount private
        columns = 1
    for row in range(model.rowCount(parent)):
        for column in range(columns):
            index = model.index(row, column, parent)
            for role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.EditRole):
                value = index.data(role)
                if isinstance(value, str) and NAME.lower() in value.lower():
                    found.append(f"{label} model ({row}, {column}): {value[:80]}")
            if column == 0 and columns > 1 and model.rowCount(index):
                found += _in_model(model, index, label)
    return found


def test_the_locked_window_holds_nothing_of_the_person(qtbot, make_app, isolated_home):
    xforms = shipped_xforms()
    folder = make_team(isolated_home / "team-vault", xforms)
    version = records.form_definition(xforms["migrant_registration"]).version
    with signed_in(folder, CASE) as vault:
        records.finalize(vault, form_id=MIGRANT, form_version=version, record_id=RECORD,
                         content=instance(xforms["migrant_registration"], {**PERSON, "identity/given_name": NAME},
                                          RECORD))
    app = make_app(vault_path=folder)
    window = app.window
    window.show()
    qtbot.waitExposed(window)
    sign_in(qtbot, app, CASE)
    qtbot.waitUntil(lambda: window.model.rowCount() == 1, timeout=10_000)
    qtbot.keyClicks(window.registrations_page.search, NAME[:5])
    area = window.search_area
    area.action.trigger()
    qtbot.keyClicks(area.page.box, NAME)
    qtbot.waitUntil(lambda: area.model.rowCount() == 1 and area.page.outcome is not None
                    and area.page.outcome.complete, timeout=10_000)
    window.casefile_area.open(RECORD)
    qtbot.waitUntil(lambda: any("pageHeading" in hit for hit in _where_the_name_is()), timeout=10_000)
    window.show_registrations()
    qtbot.waitUntil(lambda: window.model.rowCount() == 1, timeout=10_000)
    table = window.registrations_page.table
    table.setFocus()
    table.selectRow(0)
    qtbot.keyClick(table, Qt.Key.Key_Delete)  # "Delete the draft?" or "only drafts", both naming the person
    assert NAME in window.delete_question.text()
    before = _where_the_name_is()
    assert any("searchResults" in hit for hit in before) and any("personSearch" in hit for hit in before), before

    with qtbot.waitSignal(app.controller.locked, timeout=10_000):
        window.lock(reason="idle")
    assert _where_the_name_is() == []
