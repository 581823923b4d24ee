"""Administration → Deletion alarms against the real server on loopback: a laptop deletes ten records at once, the
coordinator sees the alarm in a Qt item model, undoes it after a question, and the records come back on the field
laptop at its next sync; the undo is in the coordinator laptop's audit log. People without the review right have no
entry, and the service refuses them. Waits on signals only."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QMessageBox
from records import register
from tests.sync.support import PASSPHRASE, fast_connect, sqlite_backend

from desktop_app.paths import app_paths
from desktop_app.services import sync as sync_service
from desktop_app.ui.access_alarms import COUNT, DEVICE, STATE
from desktop_app.ui.app import build_app
from desktop_app.vault import Vault
from desktop_app.vault import audit as log
from desktop_app.vault.registrations import delete_registration, get_registration

pytestmark = [pytest.mark.gui, pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")]

# SQLite only: the alarms model, question and audit entry are the app's; the server's deletion alarms
# and their undo are tested on both databases in test_sync_coordination.py and test_sync_scope.py.
backend = sqlite_backend()

COORD, COORD_PASSPHRASE = "zara", "marble canyon violet engine"


@pytest.fixture
def alarm_app(qapp, tmp_path, new_code, server, make_vault):
    centre = f"Alarms {tmp_path.name}"
    field = make_vault("field")
    sync_service.enrol(field, server_url=server.url, code=new_code(centre), device_name="field laptop 2")
    deleter = make_vault("deleter")
    sync_service.enrol(deleter, server_url=server.url, code=new_code(centre), device_name="office laptop 9")
    made = [register(field, f"Synthetic Person {n}", 20 + n).id for n in range(10)]
    sync_service.sync_now(field)
    sync_service.sync_now(deleter)
    for record_id in made:
        delete_registration(deleter, record_id)
    sync_service.sync_now(deleter)
    sync_service.sync_now(field)
    assert all(get_registration(field, r).deleted for r in made)

    vault_path = tmp_path / "coordinator-vault"
    office, _ = Vault.create(vault_path, admin_username="admin", admin_passphrase=PASSPHRASE, kdf_profile="test")
    office.add_user(COORD, COORD_PASSPHRASE, ("coordinator",))
    sync_service.enrol(office, server_url=server.url, code=new_code(centre), device_name="coordinator laptop")
    office.close()
    app = build_app(qt_app=qapp, paths=app_paths(), vault_path=vault_path, kdf_profile="test", language="en")
    app.window.alarms.connect = fast_connect()
    yield app, field, made, vault_path
    app.close()
    qapp.processEvents()
    qapp.sendPostedEvents(None, 0)


def test_a_coordinator_undoes_a_bulk_deletion_from_the_app(alarm_app, qtbot, qtmodeltester):
    app, field, made, vault_path = alarm_app
    with qtbot.waitSignal(app.controller.unlocked, timeout=30_000):
        app.controller.unlock(username=COORD, passphrase=COORD_PASSPHRASE)
    area = app.window.alarms
    assert area.action.isVisible()
    area.action.trigger()
    qtbot.waitUntil(lambda: area.model.rowCount() == 1, timeout=30_000)
    qtmodeltester.check(area.model)
    assert area.model.index(0, DEVICE).data() == "office laptop 9"
    assert area.model.index(0, COUNT).data() == "10" and area.model.index(0, STATE).data() == "Open"
    assert area.page.undo_button.isEnabled() and area.page.empty.isHidden()

    area.page.undo_button.click()
    qtbot.waitUntil(lambda: app.window.findChild(QMessageBox, "undoDeletionQuestion") is not None, timeout=10_000)
    box = app.window.findChild(QMessageBox, "undoDeletionQuestion")
    assert "Bring back the 10 records office laptop 9 deleted?" in box.text()
    assert box.defaultButton() is box.button(QMessageBox.StandardButton.No)
    box.button(QMessageBox.StandardButton.Yes).click()
    qtbot.waitUntil(lambda: "10 records brought back" in area.page.status.text(), timeout=30_000)
    assert area.model.index(0, STATE).data() == f"Undone by {COORD}"
    assert not area.page.undo_button.isEnabled()

    sync_service.sync_now(field)
    assert not any(get_registration(field, r).deleted for r in made)
    with qtbot.waitSignal(app.controller.locked, timeout=30_000):
        app.controller.lock()
    assert area.model.rowCount() == 0
    with Vault.unlock(vault_path, username=COORD, passphrase=COORD_PASSPHRASE) as office:
        events = [e.event for e in log.entries(office, log.Filter(event_prefix="records."), newest_first=False)]
    assert "records.review" in events and events.count("records.undo_deletion") == 1


def test_an_administrator_has_no_alarms_entry_and_the_service_refuses(alarm_app, qtbot):
    app, _field, _made, _ = alarm_app
    with qtbot.waitSignal(app.controller.unlocked, timeout=30_000):
        app.controller.unlock(username="admin", passphrase=PASSPHRASE)
    area = app.window.alarms
    assert not area.action.isVisible()
    area.open()  # asked all the same: the service refuses before anything reaches the server
    qtbot.waitUntil(lambda: not area.page.error.isHidden(), timeout=30_000)
    assert area.page.error.text()
    assert area.model.rowCount() == 0
