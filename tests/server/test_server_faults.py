"""Fault injection: 5 simulated devices sync through a proxy that drops, delays, truncates and duplicates traffic,
while the server is killed (SIGKILL) and restarted at random and the devices 'crash' at random points.

Afterwards: every op acknowledged on its device, exactly one result per op on the server, exactly one current
version per record with one version per op (nothing applied twice), the server's records equal what the devices
wrote (nothing lost), and pulls return each centre's records only.
"""

from __future__ import annotations

import os
import random
import threading
from datetime import timedelta

import pytest
from fault_proxy import FaultProxy, FaultRates
from server_harness import ServerProcess
from sim_device import DeviceClient, SimDevice, sync_until_done
from sqlalchemy import func, select

from sync_server import admin
from sync_server.db import migrate, open_database
from sync_server.keys import load_keyring
from sync_server.tables import Device, OpResultRow, Record, RecordVersion


def workload(device: SimDevice, rng: random.Random, *, registrations: int, rounds: int, sync) -> None:
    """Register, edit and delete in rounds, syncing between rounds (edits land on acknowledged and pending records)."""
    per_round = max(1, registrations // rounds)
    made = 0
    for _ in range(rounds):
        for _ in range(min(per_round, registrations - made)):
            device.register({"name": f"P{made}", "age": rng.randint(0, 80), "sex": rng.choice("FM"),
                             "notes": "x" * rng.randint(50, 1500)})
            made += 1
        alive = [rid for rid, fields in device.expected.items() if fields is not None]
        for rid in rng.sample(alive, k=min(len(alive), per_round // 4)):
            device.edit(rid, {"age": rng.randint(0, 80), "town": rng.choice(["Agadez", "Gao", "Mopti"])})
        alive = [rid for rid, fields in device.expected.items() if fields is not None]
        for rid in rng.sample(alive, k=min(len(alive), per_round // 20)):
            device.delete(rid)
        sync(device)


def run_faulty_sync(*, data_dir, database_url, admin_db, devices: int, registrations: int, rounds: int,
                    kills: int, seed: int) -> None:
    for centre in ("North", "South"):
        admin.add_centre(admin_db, centre)
    server = ServerProcess(data_dir=data_dir, database_url=database_url).start()
    proxy = FaultProxy(upstream_port=server.port, rates=FaultRates(), seed=seed).start()
    sims: list[SimDevice] = []
    try:
        for index in range(devices):
            centre = "North" if index < 3 else "South"
            client = DeviceClient(server.url, timeout=20)
            client.enrol(admin.create_enrolment_code(admin_db, centre=centre, ttl=timedelta(hours=1)))
            client.base_url = proxy.url  # enrolled directly; all sync traffic goes through the faults
            sims.append(SimDevice(client))

        killed = 0
        kill_lock = threading.Lock()
        failures: list[BaseException] = []
        kill_rng = random.Random(seed + 1)

        def kill_server() -> None:
            nonlocal killed
            with kill_lock:
                if killed < kills:
                    killed += 1
                    server.kill()
                    server.start()

        def on_retry(_count: int) -> None:
            """Some retries come with a server kill, at whatever point the server happens to be."""
            if kill_rng.random() < 0.05:
                kill_server()

        # The first device kills the server before some of its syncs, whatever the others are doing at that
        # moment: the kills happen mid-work (for the others) on every run, not only when a timer happens to fire.
        kill_before = set(kill_rng.sample(range(1, rounds), k=min(kills, rounds - 1)))

        def device_thread(sim: SimDevice, index: int) -> None:
            rng = random.Random(seed * 100 + index)
            syncs = 0

            def sync(device: SimDevice) -> None:
                nonlocal syncs
                syncs += 1
                if index == 0 and syncs in kill_before:
                    kill_server()
                sync_until_done(device, rng=rng, crash_probability=0.03, on_retry=on_retry)

            try:
                workload(sim, rng, registrations=registrations // devices, rounds=rounds, sync=sync)
            except BaseException as exc:
                failures.append(exc)

        threads = [threading.Thread(target=device_thread, args=(sim, i)) for i, sim in enumerate(sims)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert not failures, failures
        proxy.enabled = False
        for sim in sims:  # a last sync on a quiet line, so every device has pulled every change
            sync_until_done(sim, rng=random.Random(0))
        assert killed >= 1 and proxy.counts["pass"] > 0 and sum(proxy.counts.values()) > proxy.counts["pass"]
        check_outcome(admin_db, sims, data_dir)
    finally:
        proxy.stop()
        server.stop()
        for sim in sims:
            sim.client.close()


def check_outcome(db, sims: list[SimDevice], data_dir) -> None:
    data_key = load_keyring(data_dir / "keys", db).data
    with db.read_engine.connect() as conn:
        centre_of = {r.id: r.centre_id for r in conn.execute(select(Device.id, Device.centre_id))}
        for sim in sims:
            ops = sim.outbox
            # Every op acknowledged on the device, none refused.
            assert sim.acked_hwm == len(ops) and sorted(sim.results) == list(range(1, len(ops) + 1))
            assert {r.status for r in sim.results.values()} <= {"applied", "merged"}
            # Exactly one stored result per op on the server, for exactly these op ids.
            stored = conn.execute(select(OpResultRow.op_id).where(OpResultRow.device_id == sim.client.device_id)
                                  ).scalars().all()
            assert sorted(stored) == sorted(op.op_id for op in ops)
            for record_id, expected in sim.expected.items():
                row = conn.execute(select(Record.server_version, Record.deleted)
                                   .where(Record.id == record_id)).one()
                versions = conn.execute(select(func.count()).select_from(RecordVersion)
                                        .where(RecordVersion.record_id == record_id)).scalar_one()
                applied = sum(1 for op in ops if op.record_id == record_id)
                assert row.server_version == versions == applied  # one version per op: nothing doubled or lost
                state = admin.record_state(db, data_key, record_id)
                if expected is None:
                    assert row.deleted
                else:
                    assert not row.deleted
                    assert {k: v for k, v in state.items() if not k.startswith("#")} == expected
        total = conn.execute(select(func.count()).select_from(Record)).scalar_one()
        assert total == sum(len(sim.expected) for sim in sims)
        # Pull scope and completeness: each device has pulled the latest version of every record of its centre.
        by_centre: dict[str, dict[str, int]] = {}
        for record_id, centre_id, version in conn.execute(select(Record.id, Record.centre_id, Record.server_version)):
            by_centre.setdefault(centre_id, {})[record_id] = version
    for sim in sims:
        mine = by_centre[centre_of[sim.client.device_id]]
        assert {rid: v[0] for rid, v in sim.pulled.items()} == mine


def test_faulty_network_and_crashes_lose_and_double_nothing(backend, tmp_path):
    db = open_database(backend.database_url or f"sqlite:///{tmp_path / 'server.db'}", pool_size=2)
    migrate(db)
    try:
        run_faulty_sync(data_dir=tmp_path, database_url=backend.database_url, admin_db=db, devices=5, registrations=500,
                        rounds=5, kills=2, seed=int(os.environ.get("WAYPOINT_FAULT_SEED", "7")))
    finally:
        db.dispose()


@pytest.mark.slow
def test_faulty_sync_at_full_size(backend, tmp_path):
    """The issue's size: 10,000 registrations from 5 devices, with edits and deletes."""
    db = open_database(backend.database_url or f"sqlite:///{tmp_path / 'server.db'}", pool_size=2)
    migrate(db)
    try:
        run_faulty_sync(data_dir=tmp_path, database_url=backend.database_url, admin_db=db, devices=5,
                        registrations=10_000, rounds=20, kills=6, seed=11)
    finally:
        db.dispose()
