"""Bounded clocks through the real device client and the real server on loopback: a rogue device cannot poison a
centre's clocks (the server refuses an hlc too far ahead; the client clamps what it pulls and never stamps its own
ops beyond the bound), and an op the device refuses to send counts as unsynced, in the status and the CLI."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid

from records import FORM_ID, FORM_VERSION, register
from server_harness import enrol_client
from tests.sync.support import PASSPHRASE, fast_connect

from desktop_app.services import sync as sync_service
from desktop_app.sync import store
from desktop_app.vault.registrations import count_unsynced
from desktop_app.vault.sql import Db, text
from waypoint_core.protocol import HLC_MAX, MAX_HLC_AHEAD_MS, Op, now_ms


def rogue_op(seq: int, record_id: str, hlc: int) -> Op:
    return Op(op_id=str(uuid.uuid4()), device_seq=seq, record_id=record_id, op="upsert", record_version=seq,
              base_version=None, form_id=FORM_ID, form_version=FORM_VERSION, hlc=hlc,
              fields={"title": f"Rogue Clock {seq}"})


def local_clock(vault) -> int:
    with vault.session(readonly=True) as session:
        return int(Db.of(session).execute(text("SELECT value FROM sync_state WHERE key = 'hlc'")).scalar_one())


def test_a_rogue_clock_cannot_stop_a_centre(enrolled, backend, server):
    centre = f"Clock {uuid.uuid4().hex[:8]}"
    rogue = enrol_client(server, backend.admin_url, centre)
    poisoned = rogue.post_batch(rogue.batch([rogue_op(1, str(uuid.uuid4()), HLC_MAX)]))
    assert poisoned.status_code == 409 and poisoned.json()["error"] == "clock_ahead"
    assert rogue.pull("", 10).changes == []  # nothing of it was stored

    # Just inside the server's tolerance: accepted, and every laptop that pulls it sees a clock 9 minutes ahead.
    record = str(uuid.uuid4())
    ahead = now_ms() + 9 * 60 * 1000
    assert rogue.push(rogue.batch([rogue_op(1, record, ahead)])).results[0].status == "applied"

    victim = enrolled("clock-victim", centre=centre)
    sync_service.sync_now(victim, connect=fast_connect())
    assert local_clock(victim) <= now_ms() + MAX_HLC_AHEAD_MS // 2 + 60_000 < ahead

    # Its own ops stay sendable: an edit of the rogue's record and a new one.
    register(victim, "Clock Edited", 30, record_id=record)
    register(victim, "Clock New", 31)
    summary = sync_service.sync_now(victim, connect=fast_connect())
    assert summary.acknowledged == 2 and summary.rejected == 0 and count_unsynced(victim) == 0

    # A laptop whose stored clock was poisoned before clocks were bounded (HLC_MAX) still sends.
    with victim.session() as session:
        Db.of(session).execute(text("UPDATE sync_state SET value = :v WHERE key = 'hlc'"), {"v": str(HLC_MAX)})
    register(victim, "Clock After Poison", 32)
    summary = sync_service.sync_now(victim, connect=fast_connect())
    assert summary.acknowledged == 1 and summary.not_sendable == 0 and count_unsynced(victim) == 0
    rogue.close()


def test_an_op_this_laptop_cannot_send_stays_unsynced_and_is_shown(enrolled):
    vault = enrolled("unsendable")
    record = register(vault, "Unsendable " + "x" * 100_001, 40).id  # a field longer than the protocol carries
    register(vault, "Sendable Person", 41)
    summary = sync_service.sync_now(vault, connect=fast_connect())
    assert summary.acknowledged == 1 and summary.not_sendable == 1
    status = store.status(vault)
    assert status["unsynced"] == 1 == status["not_sendable"] and count_unsynced(vault) == 1
    # A second run does not lose it nor send it: it waits for the record to be corrected.
    assert sync_service.sync_now(vault, connect=fast_connect()).not_sendable == 1

    path = vault.path
    env = {**os.environ, "WAYPOINT_PASSPHRASE": PASSPHRASE}
    vault.close()
    shown = subprocess.run([sys.executable, "-m", "desktop_app.cli", "sync", "--vault", str(path), "--user", "admin",
                            "--status"], env=env, capture_output=True, text=True, timeout=300)
    assert json.loads(shown.stdout)["unsynced"] == 1 and json.loads(shown.stdout)["not_sendable"] == 1
    synced = subprocess.run([sys.executable, "-m", "desktop_app.cli", "sync", "--vault", str(path), "--user", "admin"],
                            env=env, capture_output=True, text=True, timeout=300)
    assert json.loads(synced.stdout)["not_sendable"] == 1, synced.stderr
    from desktop_app.vault import Vault

    vault = Vault.unlock(path, username="admin", passphrase=PASSPHRASE)
    try:
        register(vault, "Unsendable Corrected", 40, record_id=record)
        summary = sync_service.sync_now(vault, connect=fast_connect())
        assert summary.acknowledged == 1 and summary.not_sendable == 0 and count_unsynced(vault) == 0
    finally:
        vault.close()
