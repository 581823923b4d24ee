"""The app when a coordinator's order reaches it during "Sync now" (real server on loopback): a lock order signs
the person out to the sign-in screen; a wipe order erases the vault and the window says so. Waits on signals only."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from records import register
from tests.sync.support import PASSPHRASE, fast_connect, sqlite_backend

from desktop_app.paths import app_paths
from desktop_app.services import sync as sync_service
from desktop_app.sync import store
from desktop_app.ui.app import build_app
from desktop_app.vault import Vault

pytestmark = [pytest.mark.gui, pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")]

# SQLite only: signing out and the wiped window are the app's; lock and wipe orders on both
# databases are tested in test_sync_remote_wipe.py.
backend = sqlite_backend()


@pytest.fixture
def lost_app(qapp, tmp_path, new_code, server):
    vault_path = tmp_path / "lost-vault"
    vault, _ = Vault.create(vault_path, admin_username="admin", admin_passphrase=PASSPHRASE, kdf_profile="test")
    sync_service.enrol(vault, server_url=server.url, code=new_code(), device_name="lost laptop")
    register(vault, "Ui Person", 30)
    device_id = store.load_credentials(vault).device_id
    vault.close()
    app = build_app(qt_app=qapp, paths=app_paths(), vault_path=vault_path, kdf_profile="test", language="en")
    app.sync._connect = fast_connect()
    yield app, device_id, vault_path
    app.close()
    qapp.processEvents()
    qapp.sendPostedEvents(None, 0)


def _sync_now(qtbot, app):
    with qtbot.waitSignal(app.controller.unlocked, timeout=30_000):
        app.controller.unlock(username="admin", passphrase=PASSPHRASE)
    qtbot.waitUntil(lambda: app.sync.status is not None, timeout=30_000)
    with qtbot.waitSignal(app.controller.locked, timeout=60_000):
        qtbot.mouseClick(app.window.sync_status_widget.button, Qt.MouseButton.LeftButton)


def test_a_lock_order_signs_the_person_out(lost_app, qtbot, server_admin):
    app, device_id, vault_path = lost_app
    server_admin.run("mark-lost", device_id, "--lock")
    _sync_now(qtbot, app)
    assert not app.controller.is_unlocked
    qtbot.waitUntil(lambda: app.window.stack.currentWidget() is app.window.unlock_page, timeout=30_000)
    assert (vault_path / "slots.json").exists()


def test_a_wipe_order_erases_the_vault_and_says_so(lost_app, qtbot, server_admin):
    app, device_id, vault_path = lost_app
    server_admin.run("mark-lost", device_id, "--wipe")
    with qtbot.waitSignal(app.controller.erased, timeout=60_000):
        _sync_now(qtbot, app)
    qtbot.waitUntil(lambda: app.window.stack.currentWidget() is app.window.setup_page, timeout=30_000)
    assert not (vault_path / "slots.json").exists() and not (vault_path / "waypoint.db").exists()
