"""A field laptop with a 1024x600 screen: the screens a field worker uses every day fit it, in French too, and a
wide screen seen once (the coordinator's review desk) does not keep the window wider than the screen afterwards.

The window may not be made smaller than its minimum size: a minimum wider than the screen puts its right edge
(Finalize, Back, the lock state) out of reach. Found on a field-day pass (2026-12-07): a French case file made the
window 1092 pixels wide, a finalized registration being changed 1229."""

from __future__ import annotations

import uuid

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QApplication, QPushButton

from desktop_app.services import places, records
from tests.access.team import COORD, FIELD, PASSPHRASES, PERSON, instance, make_team, shipped_xforms
from tests.registry.test_casefile import version_of

pytestmark = pytest.mark.gui

WIDTH, HEIGHT = 1024, 600


@pytest.fixture(scope="module")
def xforms():
    return shipped_xforms()


@pytest.fixture
def team(isolated_home, xforms):
    folder = make_team(isolated_home / "small-vault", xforms)
    from tests.access.team import signed_in
    record_id = str(uuid.uuid4())
    answers = {**PERSON, "centre_page/registered_on": "2026-11-01", "identity/given_name": "Aïcha",
               "identity/family_name": "Bello"}
    with signed_in(folder, FIELD) as vault:
        places.set_place(vault, country="NE", centre="ne_agadez")
        records.finalize(vault, form_id="waypoint_migrant_registration",
                         form_version=version_of(xforms["migrant_registration"]),
                         content=instance(xforms["migrant_registration"], answers, record_id), record_id=record_id)
    return folder, record_id


def start(qtbot, make_app, folder, who: str):
    app = make_app(vault_path=folder, language="fr")
    window = app.window
    window.resize(WIDTH, HEIGHT)
    window.show()
    qtbot.waitExposed(window)
    with qtbot.waitSignal(app.controller.unlocked, timeout=30_000):
        app.controller.unlock(username=who, passphrase=PASSPHRASES[who])
    return app


def assert_fits(qtbot, window) -> None:
    """The window can be as small as the screen, and at that size every button on screen is inside it."""
    QApplication.processEvents()  # the layouts take in the last change of text
    hint = window.minimumSizeHint()
    assert hint.width() <= WIDTH and hint.height() <= HEIGHT, f"the window needs {hint.width()}x{hint.height()}"
    window.resize(WIDTH, HEIGHT)
    qtbot.waitUntil(lambda: window.width() == WIDTH)
    QApplication.processEvents()
    page = window.stack.currentWidget()
    for button in page.findChildren(QPushButton):
        if button.isVisibleTo(window):
            right = button.mapTo(window, QPoint(button.width(), 0)).x()
            assert right <= window.width(), f"{button.text()!r} ends at {right}"


def test_the_case_file_and_a_changed_finalized_registration_fit_a_small_screen_in_french(qtbot, make_app, team):
    folder, record_id = team
    app = start(qtbot, make_app, folder, FIELD)
    window = app.window
    page = window.casefile_area.page
    window.open_from_list(record_id)
    qtbot.waitUntil(lambda: window.stack.currentWidget() is page and page.case is not None, timeout=10_000)
    assert page.back_button.text() == "&Retour"
    assert_fits(qtbot, window)
    # Tab still goes through the case actions first, then Print and Back
    page.open_button.setFocus()
    assert page.open_button.nextInFocusChain() is page.print_button
    assert page.print_button.nextInFocusChain() is page.back_button

    with qtbot.waitSignal(app.forms.screen_opened, timeout=20_000) as opened:
        qtbot.mouseClick(page.open_button, Qt.MouseButton.LeftButton)
    screen = opened.args[0]
    name = screen.view.field("/data/identity/given_name")
    name.edit.setFocus()
    qtbot.keyClicks(name.edit, "x")
    assert screen.save_state.text().startswith("Finalisé · vos modifications ne sont pas encore enregistrées")
    assert_fits(qtbot, window)
    assert screen.finalize_button.isVisible()


def test_a_wide_screen_seen_once_does_not_keep_the_window_wider_than_the_screen(qtbot, make_app, team):
    folder, _record_id = team
    app = start(qtbot, make_app, folder, COORD)
    window = app.window
    desk = window.desk
    desk.duplicates_action.trigger()
    qtbot.waitUntil(lambda: window.stack.currentWidget() is desk.duplicates_page, timeout=10_000)
    QApplication.processEvents()
    window.show_registrations()
    assert_fits(qtbot, window)
