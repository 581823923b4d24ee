"""Input methods are asked not to learn what is typed into Waypoint (desktop_app/ui/security_input.py): every text,
number and date editor on screen, in a form and in the search boxes, says so to the platform's input context."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractSpinBox, QApplication, QLineEdit, QPlainTextEdit, QTextEdit

from desktop_app.services import forms
from tests.ui.forms.test_no_data_lost import _new_form, _on_db, _started

pytestmark = pytest.mark.gui

PRIVATE = Qt.InputMethodHint.ImhSensitiveData | Qt.InputMethodHint.ImhNoPredictiveText


def _editors_on_screen() -> list:
    return [w for w in QApplication.allWidgets()
            if isinstance(w, (QLineEdit, QTextEdit, QPlainTextEdit, QAbstractSpinBox)) and w.isVisible()]


def _not_private(editors) -> list[str]:
    return [f"{type(w).__name__}#{w.objectName()}" for w in editors
            if Qt.InputMethodHint(w.inputMethodQuery(Qt.InputMethodQuery.ImHints)) & PRIVATE != PRIVATE]


def test_what_is_typed_is_not_learnt_by_input_methods(qtbot, make_app):
    app = _started(qtbot, make_app)
    window = app.window
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.place_page, timeout=10_000)
    qtbot.mouseClick(window.place_page.later_button, Qt.MouseButton.LeftButton)
    _on_db(qtbot, app, forms.install_shipped_forms)
    search = window.registrations_page.search
    assert search.isVisible() and _not_private([search]) == []
    window.search_area.action.trigger()
    assert _not_private([window.search_area.page.box]) == []
    screen = _new_form(qtbot, app)
    view = screen.view
    seen = 0
    for page in view.visible_pages():  # every page of the registration, as each is shown
        view.go_to_page(page)
        editors = _editors_on_screen()
        seen += len(editors)
        assert _not_private(editors) == [], page
    assert seen
    given = view.field("/data/identity/given_name").edit  # on a page not relevant yet: polished when first shown
    given.ensurePolished()
    assert _not_private([given]) == []
