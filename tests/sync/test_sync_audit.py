"""The audit log travels with sync to the real server on loopback, which verifies each device's chain on arrival
and keeps its own chain of what it does; an entry altered, removed or reordered on the server, or altered on the
laptop after it was uploaded, is found and named (device and entry). A laptop whose vault was put back from an older
copy (twice) syncs: its log forks from the server's, both branches are kept, and the fork is recorded and named."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest
from records import register
from sqlalchemy import create_engine, text
from tests.sync.support import PASSPHRASE, fast_connect

from desktop_app.services import devices
from desktop_app.services import sync as sync_service
from desktop_app.sync import audit_upload, errors, store
from desktop_app.vault import Vault, database, keyslots
from desktop_app.vault import audit as log
from waypoint_core.access import audit as chain


def _server_audit(backend, *args: str) -> subprocess.CompletedProcess:
    env = {"PATH": "/usr/bin:/bin"}
    if backend.database_url:
        env["DATABASE_URL"] = backend.database_url
    return subprocess.run([sys.executable, "-m", "sync_server.cli", "--data-dir", str(backend.data_dir), "admin",
                           "audit", *args], env=env, capture_output=True, text=True, timeout=120)


def _server_verify(backend) -> subprocess.CompletedProcess:
    return _server_audit(backend, "verify")


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


def _branches(server_db, device_id: str) -> dict[int, list[tuple]]:
    """branch → [(seq, event, hash)] of the device's entries on the server."""
    with server_db.connect() as conn:
        rows = conn.execute(text("SELECT branch, seq, event, hash FROM device_audit_entry WHERE device_id = :d "
                                 "ORDER BY branch, seq"), {"d": device_id}).all()
    held: dict[int, list[tuple]] = {}
    for branch, seq, event, digest in rows:
        held.setdefault(int(branch), []).append((int(seq), event, digest))
    return held


def _put_back(vault: Vault, copy) -> Vault:
    """The operator copies an older copy of the vault folder back, and the laptop is used again."""
    path = vault.path
    vault.close()
    shutil.rmtree(path)
    shutil.copytree(copy, path)
    return Vault.unlock(path, username="admin", passphrase=PASSPHRASE)


def _copied(vault: Vault, to) -> Vault:
    path = vault.path
    vault.close()
    shutil.copytree(path, to)
    return Vault.unlock(path, username="admin", passphrase=PASSPHRASE)


def _forks_in_server_chain(server_db, device_id: str) -> list[str]:
    with server_db.connect() as conn:
        return [r[0] for r in conn.execute(text(
            "SELECT detail FROM server_audit_entry WHERE event = 'audit.device_log_forked' ORDER BY seq"))
            if r[0].startswith(f"device {device_id}:")]


def _forks_listed(vault: Vault) -> tuple[int, str]:
    """What a coordinator's Devices screen is told of this laptop: how many forks, the last one's time."""
    connection, _ = devices.open_devices(vault, connect=fast_connect())
    try:
        mine = next(d for d in devices.list_devices(connection) if d.this_device)
    finally:
        connection.close()
    return mine.audit_forks, mine.audit_forked_at


def _forks_in_server_chain_at(server_db, device_id: str) -> str:
    with server_db.connect() as conn:
        return next(str(r[0]) for r in conn.execute(text(
            "SELECT at, detail FROM server_audit_entry WHERE event = 'audit.device_log_forked' ORDER BY seq DESC"))
            if r[1].startswith(f"device {device_id}:"))


def test_a_vault_put_back_from_older_copies_syncs_and_every_branch_is_kept(enrolled, server_db, backend, tmp_path):
    vault = enrolled("put-back")
    device_id = _device_id(vault)
    register(vault, "Synthetic Person", 33)
    sync_service.sync_now(vault)
    vault = _copied(vault, tmp_path / "copy-1")  # (with the lock entry of its closing; the sign-in after is not in it)
    first_copy_head = log.entries(vault, limit=10_000, newest_first=False)[-2].seq
    vault = _signed_in_again(vault)
    register(vault, "Synthetic Person", 34)
    sync_service.sync_now(vault)
    before = _branches(server_db, device_id)
    assert list(before) == [1] and before[1][-1][0] > first_copy_head + 3

    # Put back: its log goes on from the copy's last entry, numbered as entries the server holds already.
    vault = _put_back(vault, tmp_path / "copy-1")
    sync_service.sync_now(vault)  # no refusal: the sync completes
    local = log.entries(vault, limit=10_000, newest_first=False)
    held = _branches(server_db, device_id)
    assert held[1] == before[1]  # what the server held stays, unchanged, as evidence
    assert [e.seq for e in local[first_copy_head:]] == [seq for seq, _, _ in held[2]]
    assert [(e.seq, e.event, e.hash) for e in local[first_copy_head:]] == held[2]  # the laptop's new entries, all
    assert local[-1].event == chain.AUDIT_FORKED  # the laptop's own log says so, and it was sent in the same run
    assert f"to entry {before[1][-1][0]}" in local[-1].detail and f"from entry {first_copy_head}" in local[-1].detail
    assert len(_forks_in_server_chain(server_db, device_id)) == 1
    assert f"branch 2 continues entry {first_copy_head} of branch 1" in _forks_in_server_chain(server_db, device_id)[0]
    checked = _server_verify(backend)
    assert checked.returncode == 0, checked.stderr
    total = len(before[1]) + len(held[2])
    assert f"device:{device_id}: verified, {total} entries" in checked.stdout
    assert (f"device:{device_id}: forked at " in checked.stdout
            and f"branch 2 continues entry {first_copy_head} of branch 1" in checked.stdout
            and f"branch 1, received before up to entry {before[1][-1][0]}, is kept as it was" in checked.stdout)
    listed = [json.loads(line) for line in _server_audit(backend, "list", "--device", device_id,
                                                         "--limit", "1000").stdout.splitlines()]
    assert [(item["branch"], item["seq"]) for item in listed if "forked" in item] == [(2, first_copy_head + 1)]
    assert len(listed) == total
    forks, when = _forks_listed(vault)  # and to coordinators, beside the laptop on their Devices screen
    assert forks == 1 and when[:10] == _forks_in_server_chain_at(server_db, device_id)[:10]

    # A second copy, made now, put back later: the fork is off branch 2.
    vault = _copied(vault, tmp_path / "copy-2")
    second_copy_head = log.entries(vault, limit=10_000, newest_first=False)[-2].seq
    vault = _signed_in_again(vault)
    sync_service.sync_now(vault)
    vault = _put_back(vault, tmp_path / "copy-2")
    sync_service.sync_now(vault)
    # And the first copy again: the fork is off branch 1, at the same entry as the first time.
    vault = _put_back(vault, tmp_path / "copy-1")
    sync_service.sync_now(vault)
    local = log.entries(vault, limit=10_000, newest_first=False)
    held = _branches(server_db, device_id)
    assert sorted(held) == [1, 2, 3, 4] and held[1] == before[1]
    assert [(e.seq, e.event, e.hash) for e in local[first_copy_head:]] == held[4]
    assert held[3][0][0] == second_copy_head + 1
    forks = _forks_in_server_chain(server_db, device_id)
    assert len(forks) == 3 and f"branch 3 continues entry {second_copy_head} of branch 2" in forks[1]
    assert f"branch 4 continues entry {first_copy_head} of branch 1" in forks[2]
    assert log.verify(vault).ok  # the laptop's own chain was never rewritten
    checked = _server_verify(backend)
    assert checked.returncode == 0, checked.stderr
    assert checked.stdout.count(f"device:{device_id}: forked at ") == 3
    assert _forks_listed(vault)[0] == 3
    vault = _signed_in_again(vault, times=1)
    sync_service.sync_now(vault)  # and the runs after it are ordinary: on the last branch
    after = _branches(server_db, device_id)
    assert {b: rows for b, rows in after.items() if b < 4} == {b: rows for b, rows in held.items() if b < 4}
    assert after[4][:len(held[4])] == held[4] and len(after[4]) > len(held[4])
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
    with _rewrite_on_the_laptop(vault, "UPDATE audit_entry SET detail = 'never happened' WHERE seq = 2") as reopened:
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


def _rewrite_on_the_laptop(vault: Vault, sql: str, params: tuple = ()) -> Vault:
    """What someone holding the data key could do: the append-only triggers dropped, entries changed, the upload
    mark set back (as if never sent)."""
    path, dek = vault.path, vault._dek
    vault.close()
    conn = database.connect_raw(path / database.DB_FILE, dek, page_size=keyslots.cipher_page_size(
        keyslots.load(path)), isolation_level=None)
    try:
        conn.execute("DROP TRIGGER audit_entry_no_update")
        conn.execute(sql, params)
        conn.execute("UPDATE meta SET value = '0' WHERE key = 'audit.uploaded'")
    finally:
        conn.close()
    return Vault.unlock(path, username="admin", passphrase=PASSPHRASE)


def test_an_uploaded_entry_rewritten_and_rehashed_on_the_laptop_is_refused_not_taken_for_a_fork(enrolled, server_db):
    vault = _signed_in_again(enrolled("rehashed-laptop"))
    sync_service.sync_now(vault)
    device_id = _device_id(vault)
    second = log.entries(vault, limit=10_000, newest_first=False)[1]
    changed = chain.Entry(second.seq, second.at, second.actor, second.event, second.outcome, second.record_id,
                          "never happened", second.prev)
    vault = _rewrite_on_the_laptop(vault, "UPDATE audit_entry SET detail = ?, hash = ? WHERE seq = 2",
                                   ("never happened", chain.entry_hash(device_id, changed, second.prev)))
    with pytest.raises(errors.ServerRefused, match="entry 2 differs from the one this device uploaded before"):
        sync_service.sync_now(vault)  # entry 3 does not follow the rewritten entry 2: not a chain, not a fork
    vault.close()
    with server_db.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM device_audit_fork WHERE device_id = :d"),
                            {"d": device_id}).scalar_one() == 0


@pytest.mark.parametrize("tamper", ["kept", "fork"])
def test_tampering_with_a_forked_chain_on_the_server_is_named(enrolled, server_db, backend, tmp_path, tamper):
    vault = enrolled(f"forked-{tamper}")
    device_id = _device_id(vault)
    sync_service.sync_now(vault)
    vault = _copied(vault, tmp_path / "copy")
    head = log.entries(vault, limit=10_000, newest_first=False)[-2].seq
    vault = _signed_in_again(vault)
    register(vault, "Synthetic Person", 36)
    sync_service.sync_now(vault)
    vault = _put_back(vault, tmp_path / "copy")
    sync_service.sync_now(vault)
    vault.close()
    assert sorted(_branches(server_db, device_id)) == [1, 2]
    with server_db.begin() as conn:
        if tamper == "kept":  # an entry the laptop no longer holds, kept as evidence on the server
            conn.execute(text("UPDATE device_audit_entry SET actor = 'nobody' WHERE device_id = :d AND branch = 1 "
                              "AND seq = :s"), {"d": device_id, "s": head + 1})
        else:
            conn.execute(text("DELETE FROM device_audit_fork WHERE device_id = :d"), {"d": device_id})
    checked = _server_verify(backend)
    assert checked.returncode == 1
    expected = {"kept": f"entry {head + 1} was altered", "fork": "the fork that began branch 2 is not recorded"}[tamper]
    assert f"device:{device_id}: {expected}" in checked.stderr
