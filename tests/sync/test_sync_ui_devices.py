"""Administration → Devices against the real server on loopback: this centre's laptops in a Qt item model, a lost
one marked for wiping from the app (that laptop then wipes itself at its next sync), and enrolment codes made,
shown, copied, used by a new laptop and revoked from the app. Waits on signals only."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QMessageBox
from tests.sync.support import PASSPHRASE, fast_connect, sqlite_backend

from desktop_app.paths import app_paths
from desktop_app.services import sync as sync_service
from desktop_app.sync import errors
from desktop_app.ui.access_codes import CODE_CENTRE, CODE_ROLES, NewCodeDialog
from desktop_app.ui.access_devices import CENTRE, NAME, STATE
from desktop_app.ui.app import build_app
from desktop_app.vault import Vault
from desktop_app.vault import audit as log

pytestmark = [pytest.mark.gui, pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")]

# SQLite only: the devices model and the code dialogs are the app's; listing, wiping and codes on
# both databases are tested in test_sync_coordination.py, test_sync_remote_wipe.py and tests/server/test_server_admin.py.
backend = sqlite_backend()


@pytest.fixture
def coordinator_app(qapp, tmp_path, new_code, server, make_vault):
    centre = f"Devices {tmp_path.name}"  # a centre of its own: only this test's laptops
    vault_path = tmp_path / "office-vault"
    office, _ = Vault.create(vault_path, admin_username="admin", admin_passphrase=PASSPHRASE, kdf_profile="test")
    sync_service.enrol(office, server_url=server.url, code=new_code(centre), device_name="office laptop")
    office.close()
    field = make_vault("field")
    sync_service.enrol(field, server_url=server.url, code=new_code(centre), device_name="field laptop 7")
    app = build_app(qt_app=qapp, paths=app_paths(), vault_path=vault_path, kdf_profile="test", language="en")
    app.window.devices.connect = fast_connect()
    yield app, field, centre, vault_path
    app.close()
    qapp.processEvents()
    qapp.sendPostedEvents(None, 0)


def test_devices_listed_and_a_lost_one_wiped_from_the_app(coordinator_app, qtbot, qtmodeltester):
    app, field, centre, _ = coordinator_app
    with qtbot.waitSignal(app.controller.unlocked, timeout=30_000):
        app.controller.unlock(username="admin", passphrase=PASSPHRASE)
    area = app.window.devices
    assert app.window.access.menu.isVisible() and area.action.isVisible()
    area.action.trigger()
    qtbot.waitUntil(lambda: area.model.rowCount() == 2, timeout=30_000)
    qtmodeltester.check(area.model)
    names = {area.model.index(r, NAME).data() for r in range(2)}
    assert names == {"office laptop (this laptop)", "field laptop 7"}
    assert area.page.selected().name == "field laptop 7"
    assert area.model.index(0, CENTRE).data() == centre
    assert area.model.index(area.model.row_of(area.page.selected().device_id), STATE).data() == "In use"

    area.page.wipe_button.click()
    qtbot.waitUntil(lambda: app.window.findChild(QMessageBox, "deviceOrderQuestion") is not None, timeout=10_000)
    box = app.window.findChild(QMessageBox, "deviceOrderQuestion")
    assert "Wipe field laptop 7?" in box.text()
    box.button(QMessageBox.StandardButton.Yes).click()
    qtbot.waitUntil(lambda: "will erase its vault" in area.page.status.text(), timeout=30_000)
    row = area.model.row_of(area.page.selected().device_id)
    assert area.model.index(row, STATE).data() == "Wipe ordered: at its next contact"

    with pytest.raises(errors.RemoteWipe):
        sync_service.sync_now(field)
    assert not (field.path / "slots.json").exists()
    area.page.refresh_button.click()
    qtbot.waitUntil(lambda: area.model.index(row, STATE).data() == "Revoked", timeout=30_000)


def _dialog(app, qtbot) -> NewCodeDialog:
    qtbot.waitUntil(lambda: app.window.findChild(NewCodeDialog, "newCodeDialog") is not None, timeout=10_000)
    return app.window.findChild(NewCodeDialog, "newCodeDialog")


def _answer(app, qtbot, name: str, button: QMessageBox.StandardButton) -> str:
    qtbot.waitUntil(lambda: app.window.findChild(QMessageBox, name) is not None, timeout=10_000)
    box = app.window.findChild(QMessageBox, name)
    text = box.text()
    box.button(button).click()
    return text


def test_an_enrolment_code_made_shown_used_and_another_revoked_from_the_app(coordinator_app, qtbot, qtmodeltester,
                                                                            make_vault, server):
    app, _field, centre, vault_path = coordinator_app
    with qtbot.waitSignal(app.controller.unlocked, timeout=30_000):
        app.controller.unlock(username="admin", passphrase=PASSPHRASE)
    area = app.window.devices
    area.action.trigger()
    qtbot.waitUntil(lambda: area.model.rowCount() == 2 and bool(area.centres), timeout=30_000)
    assert area.codes.rowCount() == 0 and not area.page.revoke_button.isEnabled()

    area.page.new_code_button.click()
    dialog = _dialog(app, qtbot)
    assert [dialog.centre.itemText(i) for i in range(dialog.centre.count())] == [centre]
    assert dialog.chosen_roles() == ["field_staff"]
    dialog.role_boxes["case_worker"].setChecked(True)
    dialog.validity.setCurrentIndex(0)  # one day
    dialog.create_button.click()
    qtbot.waitUntil(lambda: bool(dialog.code_text.text()), timeout=30_000)
    code = dialog.code_text.text()
    assert len(code) == 19 and code.count("-") == 3
    assert "Valid until" in dialog.expiry.text() and "one laptop only" in dialog.expiry.text()
    assert "Field staff, Case worker" in dialog.shown_intro.text()
    dialog.copy_button.click()
    assert QGuiApplication.clipboard().text() == code
    qtbot.waitUntil(lambda: area.codes.rowCount() == 1, timeout=30_000)
    qtmodeltester.check(area.codes)
    assert area.codes.index(0, CODE_CENTRE).data() == centre
    assert area.codes.index(0, CODE_ROLES).data() == "Field staff, Case worker"
    dialog.done_buttons.button(dialog.done_buttons.StandardButton.Close).click()
    qtbot.waitUntil(lambda: area.dialog is None, timeout=10_000)

    newcomer = make_vault("newcomer")
    sync_service.enrol(newcomer, server_url=server.url, code=code, device_name="field laptop 8")
    area.page.refresh_button.click()
    qtbot.waitUntil(lambda: area.model.rowCount() == 3 and area.codes.rowCount() == 0, timeout=30_000)
    roles = {area.model.device(r).name: area.model.device(r).roles for r in range(3)}
    assert roles["field laptop 8"] == ["field_staff", "case_worker"]

    # another one, lost: revoked after a question whose default is No
    area.page.new_code_button.click()
    dialog = _dialog(app, qtbot)
    dialog.create_button.click()
    qtbot.waitUntil(lambda: bool(dialog.code_text.text()), timeout=30_000)
    lost = dialog.code_text.text()
    dialog.reject()
    qtbot.waitUntil(lambda: area.codes.rowCount() == 1, timeout=30_000)
    assert area.page.revoke_button.isEnabled()
    area.page.revoke_button.click()
    assert "No laptop can enrol with it" in _answer(app, qtbot, "revokeCodeQuestion", QMessageBox.StandardButton.Yes)
    qtbot.waitUntil(lambda: "is revoked" in area.page.status.text(), timeout=30_000)
    assert area.codes.rowCount() == 0
    with pytest.raises(errors.ServerRefused, match="revoked"):
        sync_service.enrol(make_vault("too late"), server_url=server.url, code=lost, device_name="too late")

    with qtbot.waitSignal(app.controller.locked, timeout=30_000):
        app.controller.lock()
    assert QGuiApplication.clipboard().text() != code  # the clipboard guard cleared it
    with Vault.unlock(vault_path, username="admin", passphrase=PASSPHRASE) as office:
        events = [e.event for e in log.entries(office, log.Filter(event_prefix="devices."), newest_first=False)]
    assert events.count("devices.enrolment_code") == 2 and events.count("devices.enrolment_code_revoked") == 1

