"""The form remembers the centre: a laptop never enrolled is asked where it works at its first sign-in (keyboard
only), and every new registration starts with that country and centre; Later asks no more; the menu changes it."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from desktop_app.services import places
from tests.ui.forms.test_migrant_end_to_end import setup_and_unlock

pytestmark = pytest.mark.gui


def _started(qtbot, make_app, language="en"):
    app = make_app(language=language)
    window = app.window
    window.show()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=5_000)
    setup_and_unlock(qtbot, window)
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.place_page, timeout=10_000)
    return app


def _new_registration(qtbot, app):
    app.window.new_action.trigger()
    chooser = app.forms.chooser
    qtbot.waitUntil(lambda: app.window.stack.currentWidget() is chooser, timeout=60_000)
    with qtbot.waitSignal(app.forms.screen_opened, timeout=20_000) as opened:
        qtbot.keyClick(chooser.list, Qt.Key.Key_Return)
    return opened.args[0]


def test_first_sign_in_asks_the_place_and_new_registrations_start_with_it(qtbot, make_app):
    app = _started(qtbot, make_app)
    page = app.window.place_page
    assert page.country.hasFocus()
    qtbot.keyClicks(page.country, "Bur")  # typing chooses, as in every list
    assert page.country.currentData() == "BF"
    qtbot.keyClick(page.country, Qt.Key.Key_Tab)
    qtbot.keyClicks(page.centre, "Dori")
    assert page.centre.currentData() == "bf_dori"
    qtbot.keyClick(page.centre, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: app.window.stack.currentWidget() is app.window.registrations_page, timeout=10_000)

    screen = _new_registration(qtbot, app)
    assert screen.session.value("/data/centre_page/centre_country") == "BF"
    assert screen.session.value("/data/centre_page/centre") == "bf_dori"
    assert not screen.has_changes()  # the defaults alone are not a change: closing saves nothing


def test_later_asks_no_more_and_the_menu_changes_the_place(qtbot, make_app):
    app = _started(qtbot, make_app, language="fr")
    window = app.window
    page = window.place_page
    assert page.country.itemText(page.country.findData("ET")) == "Éthiopie"
    qtbot.mouseClick(page.later_button, Qt.MouseButton.LeftButton)
    assert window.stack.currentWidget() is window.registrations_page
    with qtbot.waitSignal(app.controller.locked, timeout=10_000):
        window.lock()
    page_shown = []
    window.stack.currentChanged.connect(lambda _: page_shown.append(window.stack.currentWidget()))
    from tests.ui.forms.test_migrant_end_to_end import unlock

    unlock(qtbot, window)
    task = app.controller.run_with_vault(lambda vault, state: places.get_place(vault))
    with qtbot.waitSignal(task.succeeded, timeout=10_000) as stored:
        pass
    assert stored.args[0].source == "later" and page not in page_shown  # not asked again

    window.place_action.trigger()
    qtbot.waitUntil(lambda: window.stack.currentWidget() is page, timeout=10_000)
    page.country.setCurrentIndex(page.country.findData("DJ"))
    page.centre.setCurrentIndex(page.centre.findData("dj_obock"))
    qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.registrations_page, timeout=10_000)
    screen = _new_registration(qtbot, app)
    assert screen.session.value("/data/centre_page/centre") == "dj_obock"
