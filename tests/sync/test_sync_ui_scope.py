"""The status bar's report of a run pressed by a field worker on a laptop shared across centres, against the real
server on loopback: the run pulls the region and meets another centre's change that cannot be sent, but the report
counts only what the field worker may see (services.sync.run_report), not the run's whole-laptop summary. Waits on
signals only; synthetic people."""

from __future__ import annotations

import json

import pytest
from PySide6.QtCore import Qt

from desktop_app.paths import app_paths
from desktop_app.services import sync as sync_service
from desktop_app.ui.app import build_app
from desktop_app.ui.sync_status import install_sync
from desktop_app.vault import Vault
from desktop_app.vault.registrations import get_registration
from tests.sync.support import enrol_at, fast_connect, sqlite_backend
from tests.sync.test_sync_status_scope import ARLIT, COORD, DIRKOU, FIELD, PASSPHRASES, TOO_LONG, _as, _save, _shared

pytestmark = [pytest.mark.gui, pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")]

backend = sqlite_backend()  # the app's report; the counts on both databases: test_sync_status_scope.py


@pytest.fixture(scope="module")
def region(server, server_admin):
    for centre in (ARLIT, DIRKOU):
        server_admin.code(centre)
        assert json.loads(server_admin.run("centre", "region", centre, "Air"))["region"] == "Air"


def test_a_field_workers_run_reports_only_their_centres_records(region, make_vault, server, server_admin, qapp,
                                                                  qtbot):
    dirkou = enrol_at(make_vault, server, server_admin, "dirkou-ui", DIRKOU, "field_staff")
    arlit = enrol_at(make_vault, server, server_admin, "arlit-ui", ARLIT, "field_staff")
    first = _save(dirkou, "Dirkou first")
    assert sync_service.sync_now(dirkou, connect=fast_connect()).acknowledged == 1
    shared = _shared(make_vault, server, server_admin, "shared-ui")
    assert sync_service.sync_now(shared, connect=fast_connect()).pulled >= 1
    with _as(shared, COORD) as coordinator:  # the coordinator's change of Dirkou's record, which cannot be sent
        _save(coordinator, TOO_LONG, first)
        sync_service.sync_now(coordinator, connect=fast_connect())
    _save(dirkou, "Dirkou second")
    _save(arlit, "Arlit colleague")
    for vault in (dirkou, arlit):
        assert sync_service.sync_now(vault, connect=fast_connect()).acknowledged == 1
    path = shared.path
    shared.close()

    app = build_app(qt_app=qapp, paths=app_paths(), vault_path=path, kdf_profile="test", language="en")
    try:
        sync = getattr(app, "sync", None) or install_sync(window=app.window, tasks=app.tasks,
                                                          controller=app.controller)
        sync._connect = fast_connect()
        with qtbot.waitSignal(app.controller.unlocked, timeout=30_000):
            app.controller.unlock(username=FIELD, passphrase=PASSPHRASES[FIELD])
        qtbot.waitUntil(lambda: sync.status is not None, timeout=30_000)
        with qtbot.waitSignal(sync.reported, timeout=60_000) as reported:
            with qtbot.waitSignal(sync.finished, timeout=60_000) as finished:
                qtbot.mouseClick(app.window.sync_status_widget.button, Qt.MouseButton.LeftButton)
        summary = finished.args[0]
        # the run itself met Dirkou's records: the laptop's summary counts them
        assert summary.pulled == 2 and summary.not_sendable == 1
        report = reported.args[0]
        assert (report.sent, report.received, report.conflicts, report.rejected, report.not_sendable) == (0, 1, 0, 0, 0)
        label = app.window.sync_status_widget.label
        qtbot.waitUntil(lambda: "Synced" in label.text(), timeout=30_000)
        assert "conflict" not in label.text() and "refused" not in label.text() and "cannot be sent" not in label.text()
        assert label.property("error") is False
    finally:
        app.close()
        qapp.processEvents()
        qapp.sendPostedEvents(None, 0)
    with Vault.unlock(path, username=COORD, passphrase=PASSPHRASES[COORD]) as coordinator:
        assert get_registration(coordinator, first).centre == "ne_dirkou"
        assert sync_service.sync_status(coordinator)["not_sendable"] == 1  # the coordinator's to see
