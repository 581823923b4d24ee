"""Who may set this laptop's centre, through the real widgets: field staff are never asked at their first sign-in and
have no File → This laptop's centre… entry; if the page is reached all the same, saving is refused with a sentence
in their language and the place stays; an administrator has the entry; an enrolled laptop's page shows its centre
without letting it change (the service refuses that on the real server: tests/sync/test_sync_centre_scope.py)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from desktop_app.services import places
from tests.access.team import ADMIN, FIELD, make_team, sign_in

pytestmark = pytest.mark.gui


@pytest.fixture
def team_app(open_window, isolated_home, xforms):
    """A laptop never enrolled and with no place yet: the first sign-in of someone who may set it asks it."""
    folder = make_team(isolated_home / "team-vault", xforms)
    app = open_window(folder)
    return app


def _read(qtbot, app, work):
    """Run `work` on the database worker and wait for it: anything queued before it (the question asked at
    sign-in, the menu entry's read) has been answered on the GUI thread by then."""
    task = app.controller.run_with_vault(lambda vault, state: work(vault))
    with qtbot.waitSignal(task.succeeded, timeout=20_000) as done:
        pass
    return done.args[0]


def test_field_staff_are_not_asked_and_have_no_entry(qtbot, team_app):
    app, window = team_app, team_app.window
    shown = []
    window.stack.currentChanged.connect(lambda _: shown.append(window.stack.currentWidget()))
    sign_in(qtbot, app, FIELD)
    assert not _read(qtbot, app, places.get_place).is_set
    assert window.place_page not in shown and window.stack.currentWidget() is window.registrations_page
    assert not window.place_action.isVisible()
    window.place_action.trigger()  # even triggered by a shortcut of another screen, the page does not open
    _read(qtbot, app, places.get_place)
    assert window.place_page not in shown


def test_a_field_worker_who_reaches_the_page_is_refused_in_their_language(qtbot, team_app):
    app, window = team_app, team_app.window
    sign_in(qtbot, app, FIELD)
    page = window.place_page
    page.prepare(places.DevicePlace())
    window.show_page(page)
    page.country.setCurrentIndex(page.country.findData("NE"))
    page.centre.setCurrentIndex(page.centre.findData("ne_niamey"))
    qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.error.isVisible(), timeout=20_000)
    assert page.error.text() == "Not saved: only an administrator or a coordinator can set this laptop's centre."
    assert window.stack.currentWidget() is page
    assert not _read(qtbot, app, places.get_place).is_set
    window.set_language("fr")
    qtbot.waitUntil(lambda: page.error.text().startswith("Non enregistré"), timeout=5_000)
    assert page.error.text() == ("Non enregistré\u00a0: seul un administrateur ou un coordinateur peut choisir le "
                                 "centre de cet ordinateur.")


def test_an_administrator_is_asked_and_has_the_entry(qtbot, team_app):
    app, window = team_app, team_app.window
    sign_in(qtbot, app, ADMIN)
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.place_page, timeout=20_000)
    assert window.place_action.isVisible() and window.place_action.isEnabled()
    page = window.place_page
    page.country.setCurrentIndex(page.country.findData("NE"))
    page.centre.setCurrentIndex(page.centre.findData("ne_agadez"))
    qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.registrations_page, timeout=20_000)
    assert _read(qtbot, app, places.get_place).centre == "ne_agadez"
    assert not page.error.isVisible()


def test_an_enrolled_laptops_page_shows_its_centre_without_letting_it_change(qtbot, team_app):
    sign_in(qtbot, team_app, ADMIN)
    page = team_app.window.place_page
    qtbot.waitUntil(lambda: team_app.window.stack.currentWidget() is page, timeout=20_000)  # asked: no place yet
    page.prepare(places.DevicePlace(country="NE", centre="ne_agadez", source="enrolment"), enrolled=True)
    team_app.window.show_page(page)
    assert page.centre.currentData() == "ne_agadez"
    assert page.note.isVisible() and "enrol it again with a code of that centre" in page.note.text()
    assert not page.save_button.isEnabled() and not page.centre.isEnabled() and not page.later_button.isVisible()
    with qtbot.assertNotEmitted(page.saved):
        qtbot.keyClick(page, Qt.Key.Key_Return)
