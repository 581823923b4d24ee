"""People management through the real widgets: administrators list, add, change roles, reset and remove people;
a reset passphrase must be replaced before anything else; the recovery code sets a named person's passphrase;
field staff never see the screen, and the services refuse them even if called."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from desktop_app.services import people
from desktop_app.services.access import AccessDenied
from desktop_app.ui.access_people import NAME, ROLES, STATE, AddPersonDialog, ResetDialog, RolesDialog
from desktop_app.vault import Vault
from tests.access.team import ADMIN, CASE, COORD, FIELD, PASSPHRASES, RECOVERY_CODES, make_team, sign_in

pytestmark = pytest.mark.gui

NEWCOMER, NEWCOMER_PASSPHRASE = "ibrahim", "quiet meadow lantern crossing"


@pytest.fixture
def team_app(open_window, isolated_home, xforms):
    folder = make_team(isolated_home / "team-vault", xforms)
    app = open_window(folder)
    return app, folder



def open_people(qtbot, app):
    area = app.window.access
    assert area.menu.isVisible()
    area.people_action.trigger()
    qtbot.waitUntil(lambda: area.model.rowCount() == 4, timeout=20_000)
    return area


def names(area):
    return [area.model.index(r, NAME).data(Qt.ItemDataRole.UserRole + 1) for r in range(area.model.rowCount())]


def dialog_of(qtbot, window, kind):
    qtbot.waitUntil(lambda: window.findChild(kind) is not None and window.findChild(kind).isVisible(), timeout=10_000)
    return window.findChild(kind)


def test_the_people_list_is_an_item_model(qtbot, qtmodeltester, team_app):
    app, _ = team_app
    sign_in(qtbot, app, ADMIN)
    area = open_people(qtbot, app)
    qtmodeltester.check(area.model)
    assert app.window.stack.currentWidget() is area.people_page
    assert names(area) == sorted([ADMIN, FIELD, CASE, COORD])
    row = names(area).index(CASE)
    assert area.model.index(row, ROLES).data() == "Field staff, Case worker"
    assert area.model.index(names(area).index(ADMIN), NAME).data() == f"{ADMIN} (you)"
    # keyboard: the table has focus; the person's own row cannot be removed or reset
    area.people_page.select(ADMIN)
    assert not area.people_page.remove_button.isEnabled()
    area.people_page.select(FIELD)
    assert area.people_page.remove_button.isEnabled()


def test_add_change_roles_reset_and_remove(qtbot, team_app):
    app, folder = team_app
    sign_in(qtbot, app, ADMIN)
    area = open_people(qtbot, app)
    window = app.window

    qtbot.keyClick(area.people_page.table, Qt.Key.Key_Insert)
    add = dialog_of(qtbot, window, AddPersonDialog)
    qtbot.keyClicks(add.username, NEWCOMER)
    add.roles.boxes["case_worker"].setChecked(True)
    qtbot.keyClicks(add.passphrase, NEWCOMER_PASSPHRASE)
    add.buttons.accepted.emit()
    assert add.problem.isVisible() and "differ" in add.problem.text()  # the repeat is still empty
    qtbot.keyClicks(add.repeat, NEWCOMER_PASSPHRASE)
    add.buttons.accepted.emit()
    qtbot.waitUntil(lambda: NEWCOMER in names(area), timeout=20_000)
    assert area.people_page.status.text() == f"{NEWCOMER} was added."
    assert area.people_page.selected().roles == ("field_staff", "case_worker")

    area.people_page.roles_button.click()
    roles = dialog_of(qtbot, window, RolesDialog)
    roles.roles.boxes["field_staff"].setChecked(False)
    roles.accept()
    qtbot.waitUntil(lambda: area.people_page.selected() is not None
                    and area.people_page.selected().roles == ("case_worker",), timeout=20_000)

    area.people_page.reset_button.click()
    reset = dialog_of(qtbot, window, ResetDialog)
    temporary = reset.passphrase.text()
    assert len(temporary.split()) == 6 and reset.advice.acceptable  # suggested at once, in large type
    reset.accept()
    qtbot.waitUntil(lambda: area.people_page.selected().must_change_passphrase, timeout=20_000)
    row = names(area).index(NEWCOMER)
    assert area.model.index(row, STATE).data() == "Must choose a new one at the next sign-in"

    area.people_page.select(FIELD)
    qtbot.keyClick(area.people_page.table, Qt.Key.Key_Delete)
    question = dialog_of(qtbot, window, QMessageBox)
    question.button(QMessageBox.StandardButton.Yes).click()
    qtbot.waitUntil(lambda: FIELD not in names(area), timeout=30_000)
    assert "the vault's key was changed" in area.people_page.status.text()
    app.window.lock()
    qtbot.waitUntil(lambda: not app.controller.is_unlocked, timeout=10_000)
    with Vault.unlock(folder, username=NEWCOMER, passphrase=temporary) as vault:
        assert vault.roles == ("case_worker",) and vault.must_change_passphrase


def test_a_reset_person_chooses_their_own_passphrase_first(qtbot, team_app):
    app, folder = team_app
    with Vault.unlock(folder, username=ADMIN, passphrase=PASSPHRASES[ADMIN]) as admin:
        people.reset_passphrase(admin, FIELD, "temporary lantern orchard river")
    sign_in(qtbot, app, FIELD, "temporary lantern orchard river")
    window = app.window
    page = window.access.passphrase_page
    assert window.stack.currentWidget() is page and window.held is page
    assert page.heading.text() == "Choose your own passphrase"
    assert not window.new_action.isEnabled() and not window.list_action.isEnabled() and window.lock_action.isEnabled()
    window.list_action.trigger()  # Ctrl+1 does not get around it
    assert window.stack.currentWidget() is page
    qtbot.keyClicks(page.passphrase, "my own violet harbour morning")
    qtbot.keyClicks(page.repeat, "my own violet harbour morning")
    qtbot.keyClick(page.repeat, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.registrations_page, timeout=20_000)
    assert window.held is None and window.new_action.isEnabled()
    window.lock()
    qtbot.waitUntil(lambda: not app.controller.is_unlocked, timeout=10_000)
    with Vault.unlock(folder, username=FIELD, passphrase="my own violet harbour morning") as vault:
        assert not vault.must_change_passphrase


def test_the_recovery_code_sets_a_named_persons_passphrase(qtbot, team_app):
    app, folder = team_app
    with qtbot.waitSignal(app.controller.unlocked, timeout=30_000):
        app.controller.unlock_with_recovery(recovery_code=RECOVERY_CODES[folder])
    window = app.window
    page = window.access.passphrase_page
    qtbot.waitUntil(lambda: window.stack.currentWidget() is page, timeout=20_000)
    assert page.heading.text() == "Signed in with the recovery code"
    assert [page.person.itemText(i) for i in range(page.person.count())] == sorted([ADMIN, FIELD, CASE, COORD])
    page.person.setCurrentText(CASE)
    qtbot.keyClicks(page.passphrase, "recovered tangerine orbit ladder")
    qtbot.keyClicks(page.repeat, "recovered tangerine orbit ladder")
    page.save_button.click()
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.unlock_page, timeout=20_000)
    assert window.unlock_page.username.text() == CASE
    assert f"The passphrase of {CASE} is set" in window.unlock_page.notice.text()
    sign_in(qtbot, app, CASE, "recovered tangerine orbit ladder")
    assert window.stack.currentWidget() is window.registrations_page  # no reset flag: chosen with them present


def test_field_staff_have_no_people_screen_and_the_service_refuses_them(qtbot, team_app):
    app, folder = team_app
    sign_in(qtbot, app, FIELD)
    assert not app.window.access.menu.isVisible()
    with Vault.unlock(folder, username=FIELD, passphrase=PASSPHRASES[FIELD]) as vault:
        with pytest.raises(AccessDenied):
            people.list_people(vault)
        with pytest.raises(AccessDenied):
            people.add_person(vault, NEWCOMER, NEWCOMER_PASSPHRASE, ["administrator"])
        with pytest.raises(AccessDenied):
            people.reset_passphrase(vault, ADMIN, "temporary lantern orchard river")
