"""Remote lock and wipe with real processes: the real server on loopback, `waypoint-server admin mark-lost` and
`waypoint sync` run as programs. The laptop carries the signed order out before anything else and reports it;
after a wipe the seized-laptop canary finds nothing on the laptop and the device's key is refused at once."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import pytest
from tests.sync.support import PASSPHRASE

from desktop_app.services import sync as sync_service
from desktop_app.sync import errors, store
from desktop_app.sync.transport import ServerConnection
from desktop_app.vault import Vault
from desktop_app.vault import audit as log
from desktop_app.vault.errors import VaultNotFound
from desktop_app.vault.registrations import count_unsynced, save_registration

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "vault"))
from canary import CANARY_NAME, canary_content, leaks, search_roots


def _waypoint(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "WAYPOINT_PASSPHRASE": PASSPHRASE}
    return subprocess.run([sys.executable, "-m", "desktop_app.cli", *args], env=env, capture_output=True, text=True,
                          timeout=300)


def _lost_laptop(enrolled, name: str):
    vault = enrolled(name)
    for i in range(3):
        save_registration(vault, form_id="htcds", form_version="2", status="finalized", content=canary_content(i),
                          fields={"title": CANARY_NAME})
    sync_service.sync_now(vault)
    credentials = store.load_credentials(vault)
    path = vault.path
    vault.close()
    return path, credentials


def _connection(server, credentials) -> ServerConnection:
    return ServerConnection(server.url, device_id=credentials.device_id, device_key=credentials.device_key,
                            server_signing_key=credentials.server_signing_key, server_keys=credentials.server_keys,
                            retry=sync_service.RetryPolicy(max_attempts=1))


def test_a_wipe_order_erases_the_laptop_and_its_key_stops_working(enrolled, server, server_admin, isolated_home,
                                                                    tmp_path):
    since = time.time()
    path, credentials = _lost_laptop(enrolled, "stolen")
    order = json.loads(server_admin.run("mark-lost", credentials.device_id, "--wipe", "--by", "zara"))
    connection = _connection(server, credentials)
    try:
        # until the order is carried out, the device gets nothing else
        with pytest.raises(errors.ServerRefused, match="device_order"):
            connection.status()
    finally:
        connection.close()

    synced = _waypoint("sync", "--vault", str(path), "--user", "admin")
    assert synced.returncode != 0
    assert "ordered this laptop wiped" in synced.stderr
    assert not (path / "slots.json").exists() and not (path / "waypoint.db").exists()
    assert leaks([tmp_path, *search_roots(isolated_home)], since, tmp_path) == []
    with pytest.raises(VaultNotFound):
        Vault.unlock(path, username="admin", passphrase=PASSPHRASE)

    connection = _connection(server, credentials)
    try:
        with pytest.raises(errors.DeviceRevoked):
            connection.status()
    finally:
        connection.close()
    done = [json.loads(line) for line in server_admin.run("orders").splitlines()]
    assert any(o["id"] == order["order_id"] and o["done"] == "wiped" for o in done)
    events = [json.loads(line)["event"] for line in server_admin.run("audit", "list").splitlines()]
    assert "device.marked_lost" in events and "device.wiped" in events


def test_a_lock_order_signs_everyone_out_and_the_laptop_carries_on(enrolled, server, server_admin):
    path, credentials = _lost_laptop(enrolled, "misplaced")
    server_admin.run("mark-lost", credentials.device_id, "--lock")
    vault = Vault.unlock(path, username="admin", passphrase=PASSPHRASE)
    save_registration(vault, form_id="htcds", form_version="2", status="finalized", content=canary_content(7),
                      fields={"title": CANARY_NAME})
    with pytest.raises(errors.RemoteLock):
        sync_service.sync_now(vault)
    assert not vault.is_open
    with Vault.unlock(path, username="admin", passphrase=PASSPHRASE) as again:
        assert count_unsynced(again) == 1  # the run's first request met the order: nothing was sent before it
        summary = sync_service.sync_now(again)  # the order was carried out: sync works again
        assert summary.rejected == 0 and summary.acknowledged == 1
        locks = [e for e in log.entries(again, log.Filter(event_prefix="session.lock"), limit=100)
                 if e.detail.startswith("remote order")]
        assert len(locks) == 1


def test_an_order_given_during_a_run_is_obeyed_where_the_run_meets_it(enrolled, server, server_admin):
    """No request asks for the order: the server refuses the next one with `device_order`, whatever it is (here a
    push between two batches), and the run carries the order out there."""
    vault = enrolled("mid-run")
    for i in range(5):
        save_registration(vault, form_id="htcds", form_version="2", status="finalized", content=canary_content(i),
                          fields={"title": CANARY_NAME})
    device_id, path = store.load_credentials(vault).device_id, vault.path
    batches = []

    def progress(p) -> None:
        if p.phase == "push" and not batches:
            batches.append(p.pushed)
            server_admin.run("mark-lost", device_id, "--lock")

    with pytest.raises(errors.RemoteLock):
        sync_service.sync_now(vault, batch_size=2, progress=progress)
    assert not vault.is_open and batches == [2]
    done = [json.loads(line) for line in server_admin.run("orders").splitlines()]
    assert [o["done"] for o in done if o["device_id"] == device_id] == ["locked"]
    with Vault.unlock(path, username="admin", passphrase=PASSPHRASE) as again:
        # The first batch's answer is stored (and reported) while the second batch is on the wire (pipelining):
        # both went; the order stopped the run before the third.
        assert count_unsynced(again) == 1
        locks = [e for e in log.entries(again, log.Filter(event_prefix="session.lock"), limit=100)
                 if e.detail.startswith("remote order")]
        assert len(locks) == 1
        summary = sync_service.sync_now(again)
        assert summary.acknowledged == 1 and count_unsynced(again) == 0
