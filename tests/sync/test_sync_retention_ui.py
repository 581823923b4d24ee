"""The app applies the retention period after unlock (on its database thread) and says what it removed and when,
in English and French; records acknowledged by the real server on loopback. Waits on signals only."""

from __future__ import annotations

import pytest
from records import register
from tests.sync.support import PASSPHRASE, fast_connect, sqlite_backend

from desktop_app.paths import app_paths
from desktop_app.services import retention
from desktop_app.services import sync as sync_service
from desktop_app.ui.app import build_app
from desktop_app.vault import Vault
from desktop_app.vault.registrations import get_registration

pytestmark = [pytest.mark.gui, pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")]

# SQLite only: the purge runs in the vault and the sentence is the app's; acknowledgements on both
# databases are tested in test_sync_client.py.
backend = sqlite_backend()


@pytest.fixture
def synced_vault(tmp_path, new_code, server):
    vault_path = tmp_path / "ui-vault"
    vault, _ = Vault.create(vault_path, admin_username="admin", admin_passphrase=PASSPHRASE, kdf_profile="test")
    sync_service.enrol(vault, server_url=server.url, code=new_code(f"Retention {tmp_path.name}"), device_name="ui")
    ids = [register(vault, f"Retention Person {n}", 30 + n).id for n in range(3)]
    assert sync_service.sync_now(vault, connect=fast_connect()).acknowledged == 3
    retention.set_retention_days(vault, 0)  # due as soon as the server acknowledged them
    vault.close()
    return vault_path, ids


def test_the_app_purges_after_unlock_and_says_what_and_when(qapp, qtbot, synced_vault):
    vault_path, ids = synced_vault
    app = build_app(qt_app=qapp, paths=app_paths(), vault_path=vault_path, kdf_profile="test", language="en")
    if app.sync is not None:
        app.sync._connect = fast_connect()
    try:
        with qtbot.waitSignal(app.retention.purged, timeout=30_000) as purged:
            app.controller.unlock(username="admin", passphrase=PASSPHRASE)
        purge = purged.args[0]
        assert purge.count == 3 and purge.retention_days == 0
        notice = app.retention.notice
        assert notice is not None and notice.isVisible() and notice.windowTitle() == "Identifying data removed"
        assert "for 3 registrations" in notice.text() and "names, dates of birth" in notice.text()
        app.translations.switch("fr")  # switched while the notice is open: it follows (it stayed English)
        french = app.retention.text_for(purge)
        assert "pour 3 enregistrements" in french and "dates de naissance" in french
        qtbot.waitUntil(lambda: notice.text() == french, timeout=10_000)  # LanguageChange is posted to windows
        assert notice.windowTitle() == "Données identifiantes retirées"
        app.translations.switch("en")
        qtbot.waitUntil(lambda: "for 3 registrations" in notice.text(), timeout=10_000)
        assert notice.windowTitle() == "Identifying data removed"
        task = app.controller.run_with_vault(lambda vault, state: [get_registration(vault, i) for i in ids])
        with qtbot.waitSignal(task.succeeded, timeout=20_000) as read:
            pass
        assert all(r.purged_at == purge.at and "Retention Person" not in r.content for r in read.args[0])
        with qtbot.waitSignal(app.controller.locked, timeout=10_000):
            app.window.lock()
        assert app.retention.notice is None
        with qtbot.waitSignal(app.retention.purged, timeout=30_000) as again:
            app.controller.unlock(username="admin", passphrase=PASSPHRASE)
        assert again.args[0].count == 0 and app.retention.notice is None  # purged once, said once
    finally:
        app.close()
        qapp.processEvents()
        qapp.sendPostedEvents(None, 0)
    with Vault.unlock(vault_path, username="admin", passphrase=PASSPHRASE) as vault:
        assert vault.verify().ok  # records purged whole (their form is not installed here) still verify
