"""Dates typed as digits through the real widgets: no date of birth made up, the separators filled in, a click into
the year and four digits replace it, an impossible date said and not stored."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import QPoint, Qt

from tests.ui.forms.test_form_screen import click, open_screen

pytestmark = pytest.mark.gui

DOB = "/data/identity/date_of_birth"


def _date_of_birth(qtbot, db, migrant_definition):
    screen = open_screen(qtbot, db, migrant_definition, autosave_ms=60_000)
    screen.activateWindow()  # Tab leaves a field only in the active window
    qtbot.waitUntil(screen.isActiveWindow, timeout=5_000)
    click(qtbot, screen.view, "/data/consent/consent_services", "yes")
    field = screen.view.field(DOB)
    screen.view.focus_field(field)
    qtbot.waitUntil(field.edit.isVisible, timeout=5_000)
    return screen, field


def test_a_date_of_birth_starts_empty_and_is_typed_as_digits(qtbot, db, migrant_definition):
    screen, field = _date_of_birth(qtbot, db, migrant_definition)
    assert field.edit.text() == "" and screen.session.value(DOB) == ""  # never today's date as a birth date
    qtbot.keyClicks(field.edit, "12041998")
    assert field.edit.text() == "12/04/1998"
    assert screen.session.value(DOB) == "1998-04-12"


def test_clicking_into_the_year_and_typing_replaces_it(qtbot, db, migrant_definition):
    screen, field = _date_of_birth(qtbot, db, migrant_definition)
    qtbot.keyClicks(field.edit, "06052030")
    edit = field.edit
    year_x = next(x for x in range(edit.width()) if edit.cursorPositionAt(QPoint(x, edit.height() // 2)) == 6)
    qtbot.mouseClick(edit, Qt.MouseButton.LeftButton, pos=QPoint(year_x, edit.height() // 2))
    qtbot.keyClicks(edit, "1998")
    assert edit.text() == "06/05/1998" and screen.session.value(DOB) == "1998-05-06"


def test_a_separator_pads_and_an_impossible_date_is_said_not_stored(qtbot, db, migrant_definition):
    screen, field = _date_of_birth(qtbot, db, migrant_definition)
    qtbot.keyClicks(field.edit, "1/4/1998")
    assert field.edit.text() == "01/04/1998" and screen.session.value(DOB) == "1998-04-01"
    field.edit.selectAll()
    qtbot.keyClicks(field.edit, "31021998")
    qtbot.keyClick(field.edit, Qt.Key.Key_Tab)
    assert screen.session.value(DOB) == ""
    assert field.message.isVisible() and "not a date" in field.message.text()


def test_a_default_date_shows_today(qtbot, db, migrant_definition):
    screen = open_screen(qtbot, db, migrant_definition, autosave_ms=60_000)
    registered = screen.view.field("/data/centre_page/registered_on")
    assert registered.edit.text() == dt.date.today().strftime("%d/%m/%Y")
