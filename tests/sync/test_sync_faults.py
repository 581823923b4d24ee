"""Exactly once through faults, with the REAL desktop client: devices sync through the server helper's fault
proxy (drops, delays, truncation, duplicates) in subprocesses that are SIGKILLed at random step boundaries.

Afterwards: every op is acknowledged on its device (none rejected); the server's change feed holds exactly one
version per op (nothing doubled) and its latest version of each record is what its device wrote (nothing lost);
every device holds every live record with the right values and none of the deleted ones.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from tests.sync.support import PASSPHRASE, fast_connect
from fault_proxy import FaultProxy, FaultRates
from records import register
from sqlalchemy import text

from desktop_app.sync import store
from desktop_app.vault import Vault
from desktop_app.vault.registrations import count_unsynced, delete_registration

WORKER = Path(__file__).with_name("device_worker.py")


def sync_in_subprocess(vault: Vault, url: str, rng: random.Random, *, kill_probability: float, max_kills: int,
                       batch_size: int) -> int:
    """Run the worker until one run completes; returns how many runs were killed on the way."""
    kills = 0
    while True:
        probability = kill_probability if kills < max_kills else 0.0
        result = subprocess.run(
            [sys.executable, str(WORKER), str(vault.path), url, str(rng.randrange(2**31)), str(probability),
             str(batch_size)],
            env={**os.environ, "WAYPOINT_PASSPHRASE": PASSPHRASE}, capture_output=True, text=True, timeout=900)
        if result.returncode == 0:
            return kills
        assert result.returncode == -9, result.stderr[-3000:]  # only our SIGKILL may end a run early
        kills += 1


def outbox(vault: Vault) -> list[tuple]:
    with vault.session(readonly=True) as session:
        return session.connection().execute(
            text("SELECT record_id, acked_at, result, device_seq FROM outbox ORDER BY seq")).all()


def live_records(vault: Vault) -> dict[str, tuple]:
    with vault.session(readonly=True) as session:
        rows = session.connection().execute(
            text("SELECT id, title, age FROM registration WHERE deleted = 0")).all()
    return {rid: (title, age) for rid, title, age in rows}


def full_feed(vault: Vault) -> list:
    credentials = store.load_credentials(vault)
    connection = fast_connect()(credentials.server_url, device_id=credentials.device_id,
                                device_key=credentials.device_key, server_signing_key=credentials.server_signing_key)
    changes, since = [], ""
    try:
        while True:
            page = connection.with_retries(lambda: connection.pull(cursor=since, limit=1000))
            changes.extend(page.changes)
            since = page.next_cursor
            if not page.has_more:
                return changes
    finally:
        connection.close()


def run_exactly_once(enrolled, server, *, devices: int, registrations: int, rounds: int, seed: int,
                     batch_size: int, kill_probability: float, max_kills: int) -> dict:
    rng = random.Random(seed)
    vaults = [enrolled(f"device-{n}") for n in range(devices)]
    expected: dict[str, tuple | None] = {}  # record -> (title, age), None when deleted
    owner: dict[str, Vault] = {}
    kills, counts = 0, Counter()
    with FaultProxy(upstream_port=server.port, rates=FaultRates(), seed=seed) as proxy:
        per_round = registrations // devices // rounds
        for round_number in range(rounds):
            for index, vault in enumerate(vaults):
                for n in range(per_round):
                    title, age = f"D{index} R{round_number} N{n}", rng.randint(0, 90)
                    record_id = register(vault, title, age).id
                    expected[record_id], owner[record_id] = (title, age), vault
                mine = [rid for rid, value in expected.items() if value and owner[rid] is vault]
                for record_id in rng.sample(mine, k=len(mine) // 8):  # edits, on sent and unsent records
                    title, age = f"{expected[record_id][0]} edited", rng.randint(0, 90)
                    register(vault, title, age, record_id=record_id)
                    expected[record_id] = (title, age)
                for record_id in rng.sample(mine, k=len(mine) // 25):
                    delete_registration(vault, record_id)
                    expected[record_id] = None
                kills += sync_in_subprocess(vault, proxy.url, rng, kill_probability=kill_probability,
                                            max_kills=max_kills, batch_size=batch_size)
        for vault in vaults:  # a last round so that every device has pulled everything
            sync_in_subprocess(vault, proxy.url, rng, kill_probability=0.0, max_kills=0, batch_size=batch_size)
        counts.update(proxy.counts)

    ops_per_record: Counter = Counter()
    for vault in vaults:
        rows = outbox(vault)
        assert count_unsynced(vault) == 0
        assert all(acked for _, acked, _, _ in rows), "an op was never acknowledged"
        statuses = Counter(json.loads(result)["status"] for _, _, result, _ in rows)
        assert set(statuses) <= {"applied", "merged"}, statuses
        seqs = [device_seq for *_, device_seq in rows]
        assert seqs == list(range(1, len(rows) + 1))  # gap-free, each op numbered once
        ops_per_record.update(record_id for record_id, *_ in rows)

    feed = full_feed(vaults[0])
    latest = {change.record_id: change.server_version for change in feed}  # the feed holds each latest version
    assert len(latest) == len(feed) and latest == dict(ops_per_record)  # one version per op: none lost or doubled
    latest = {}
    for change in feed:
        latest[change.record_id] = change
    for record_id, value in expected.items():
        if value is None:  # deleted: a tombstone, or nothing at all when it was deleted before it was ever sent
            assert record_id not in latest or latest[record_id].deleted, record_id
            continue
        change = latest[record_id]
        assert not change.deleted and (change.fields["title"], change.fields["age"]) == value, record_id
    alive = {rid: value for rid, value in expected.items() if value is not None}
    for vault in vaults:
        assert live_records(vault) == alive
    return {"kills": kills, "faults": dict(counts), "ops": sum(ops_per_record.values())}


def test_exactly_once_through_faults_and_kills(enrolled, server):
    figures = run_exactly_once(enrolled, server, devices=3, registrations=300, rounds=2, seed=4,
                               batch_size=20, kill_probability=0.04, max_kills=2)
    assert figures["kills"] > 0  # the kills did happen (seeded, so this is reproducible)
    assert sum(n for fault, n in figures["faults"].items() if fault != "pass") > 0


@pytest.mark.slow
def test_exactly_once_full_size(enrolled, server):
    figures = run_exactly_once(enrolled, server, devices=5, registrations=10_000, rounds=4, seed=11,
                               batch_size=200, kill_probability=0.02, max_kills=3)
    print(f"\nfull size: {figures}")
