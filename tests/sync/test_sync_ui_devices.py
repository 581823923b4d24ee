"""Administration → Devices against the real server on loopback: this centre's laptops in a Qt item model, and a
lost one marked for wiping from the app; that laptop then wipes itself at its next sync. Waits on signals only."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QMessageBox
from tests.sync.support import PASSPHRASE, fast_connect

from desktop_app.paths import app_paths
from desktop_app.services import sync as sync_service
from desktop_app.sync import errors
from desktop_app.ui.access_devices import NAME, STATE
from desktop_app.ui.app import build_app
from desktop_app.vault import Vault

pytestmark = [pytest.mark.gui, pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")]


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
    yield app, field
    app.close()
    qapp.processEvents()
    qapp.sendPostedEvents(None, 0)


def test_devices_listed_and_a_lost_one_wiped_from_the_app(coordinator_app, qtbot, qtmodeltester):
    app, field = coordinator_app
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
