"""The audit log travels with sync to the real server on loopback, which verifies each device's chain on arrival
and keeps its own chain of what it does; an entry altered, removed or reordered on the server, or altered on the
laptop after it was uploaded, is found and named (device and entry)."""

from __future__ import annotations

import subprocess
import sys

import pytest
from records import register
from sqlalchemy import create_engine, text
from tests.sync.support import PASSPHRASE

from desktop_app.services import sync as sync_service
from desktop_app.sync import audit_upload, errors, store
from desktop_app.vault import Vault, database, keyslots
from desktop_app.vault import audit as log


def _server_verify(backend) -> subprocess.CompletedProcess:
    env = {"PATH": "/usr/bin:/bin"}
    if backend.database_url:
        env["DATABASE_URL"] = backend.database_url
    return subprocess.run([sys.executable, "-m", "sync_server.cli", "--data-dir", str(backend.data_dir), "admin",
                           "audit", "verify"], env=env, capture_output=True, text=True, timeout=120)


@pytest.fixture
def server_db(backend):
    engine = create_engine(backend.admin_url)
    yield engine
    engine.dispose()


def _signed_in_again(vault: Vault, times: int = 2) -> Vault:
    """Lock and sign in again (two more entries each time); the caller closes the vault it gets back."""
    for _ in range(times):
        vault.close()
        vault = Vault.unlock(vault.path, username="admin", passphrase=PASSPHRASE)
    return vault


def _device_id(vault: Vault) -> str:
    return store.load_credentials(vault).device_id


def _uploaded(server_db, device_id: str) -> list[tuple]:
    with server_db.connect() as conn:
        return [tuple(r) for r in conn.execute(text(
            "SELECT seq, actor, event, hash FROM device_audit_entry WHERE device_id = :d ORDER BY seq"),
            {"d": device_id})]


def test_sync_uploads_the_log_and_the_server_verifies_it(enrolled, server_db, backend):
    vault = enrolled("audited")
    register(vault, "Synthetic Person", 31)
    sync_service.sync_now(vault)
    device_id = _device_id(vault)
    local = log.entries(vault, limit=10_000, newest_first=False)
    stored = _uploaded(server_db, device_id)
    assert [(e.seq, e.actor, e.event, e.hash) for e in local] == stored
    assert stored[-1][2] == "sync.run" and stored[0][2] == "session.sign_in"
    # a run with nothing to do sends nothing: its own entry waits in the chain for a run with more to send
    sync_service.sync_now(vault)
    sync_service.sync_now(vault)
    assert _uploaded(server_db, device_id) == stored
    assert [e.event for e in log.entries(vault, limit=10_000, newest_first=False)][len(stored):] == ["sync.run"] * 2
    # the next run with something else to send sends only what is new, the quiet runs' entries first, in order
    vault = _signed_in_again(vault, times=1)
    sync_service.sync_now(vault)
    again = _uploaded(server_db, device_id)
    local = log.entries(vault, limit=10_000, newest_first=False)
    assert again[:len(stored)] == stored and again == [(e.seq, e.actor, e.event, e.hash) for e in local]
    assert [row[2] for row in again[len(stored):]] == ["sync.run", "sync.run", "session.lock", "session.sign_in",
                                                       "sync.run"]
    checked = _server_verify(backend)
    assert checked.returncode == 0, checked.stderr
    assert f"device:{device_id}: verified, {len(again)} entries" in checked.stdout
    assert "server: verified" in checked.stdout
    with server_db.connect() as conn:
        events = [r[0] for r in conn.execute(text("SELECT event FROM server_audit_entry ORDER BY seq"))]
    assert "device.enrolled" in events
    vault.close()


def test_quiet_runs_entries_wait_an_hour_at_most(enrolled, server_db, monkeypatch):
    vault = enrolled("quiet")
    sync_service.sync_now(vault)
    device_id = _device_id(vault)
    stored = _uploaded(server_db, device_id)
    sync_service.sync_now(vault)
    assert _uploaded(server_db, device_id) == stored  # younger than the hour: waits
    monkeypatch.setattr(audit_upload, "QUIET_WAIT_S", 0)  # as if the hour had passed
    sync_service.sync_now(vault)
    again = _uploaded(server_db, device_id)
    assert [row[2] for row in again[len(stored):]] == ["sync.run", "sync.run"]
    assert again == [(e.seq, e.actor, e.event, e.hash) for e in log.entries(vault, limit=10_000, newest_first=False)]


@pytest.mark.parametrize("tamper", ["alter", "remove", "reorder", "cut"])
def test_tampering_on_the_server_is_named(enrolled, server_db, backend, tamper):
    vault = _signed_in_again(enrolled(f"seized-{tamper}"))
    register(vault, "Synthetic Person", 32)
    sync_service.sync_now(vault)
    device_id = _device_id(vault)
    vault.close()
    last = _uploaded(server_db, device_id)[-1][0]
    where = {"d": device_id}
    with server_db.begin() as conn:
        if tamper == "alter":
            conn.execute(text("UPDATE device_audit_entry SET actor = 'nobody' WHERE device_id = :d AND seq = 2"), where)
        elif tamper == "remove":
            conn.execute(text("DELETE FROM device_audit_entry WHERE device_id = :d AND seq = 2"), where)
        elif tamper == "reorder":
            rows = {r[0]: r[1:] for r in conn.execute(text(
                "SELECT seq, at, actor, event, outcome, record_id, detail, prev, hash FROM device_audit_entry "
                "WHERE device_id = :d AND seq IN (2, 3)"), where)}
            for seq, other in ((2, 3), (3, 2)):
                at, actor, event, outcome, record_id, detail, prev, digest = rows[other]
                conn.execute(text("UPDATE device_audit_entry SET at = :at, actor = :actor, event = :event, "
                                  "outcome = :outcome, record_id = :r, detail = :detail, prev = :prev, hash = :h "
                                  "WHERE device_id = :d AND seq = :seq"),
                             {**where, "seq": seq, "at": at, "actor": actor, "event": event, "outcome": outcome,
                              "r": record_id, "detail": detail, "prev": prev, "h": digest})
        else:
            conn.execute(text("DELETE FROM device_audit_entry WHERE device_id = :d AND seq = :s"), {**where, "s": last})
    checked = _server_verify(backend)
    assert checked.returncode == 1
    expected = {"alter": "entry 2 was altered", "remove": "entry 2 is missing", "reorder": "entry 2 ",
                "cut": f"entries {last} to {last} are missing at the end"}[tamper]
    assert f"device:{device_id}: {expected}" in checked.stderr


def test_an_uploaded_entry_altered_on_the_laptop_is_refused_and_named(enrolled, server_db):
    vault = _signed_in_again(enrolled("altered-laptop"))
    sync_service.sync_now(vault)
    path, dek = vault.path, vault._dek
    vault.close()
    conn = database.connect_raw(path / database.DB_FILE, dek, page_size=keyslots.cipher_page_size(
        keyslots.load(path)), isolation_level=None)
    try:
        conn.execute("DROP TRIGGER audit_entry_no_update")
        conn.execute("UPDATE audit_entry SET detail = 'never happened' WHERE seq = 2")
        conn.execute("UPDATE meta SET value = '0' WHERE key = 'audit.uploaded'")  # as if never sent
    finally:
        conn.close()
    with Vault.unlock(path, username="admin", passphrase=PASSPHRASE) as reopened:
        with pytest.raises(errors.ServerRefused, match="entry 2 differs from the one this device uploaded before"):
            sync_service.sync_now(reopened)
    with server_db.connect() as c:
        refused = c.execute(text("SELECT detail FROM server_audit_entry WHERE event = 'audit.device_log_refused' "
                                 "ORDER BY seq DESC")).first()
    assert refused is not None and "entry 2 differs" in refused[0]


def test_the_servers_own_chain_altered_is_named(enrolled, server_db, backend):
    enrolled("server-chain")
    with server_db.begin() as conn:
        first = conn.execute(text("SELECT min(seq) FROM server_audit_entry")).scalar_one()
        conn.execute(text("UPDATE server_audit_entry SET detail = 'something else' WHERE seq = :s"), {"s": first})
    checked = _server_verify(backend)
    assert checked.returncode == 1
    assert f"server: entry {first} was altered" in checked.stderr
