"""Devices as real processes, killed with SIGKILL at random and restarted, syncing through the fault proxy while
the server is killed too. Afterwards the same checks as test_server_faults: nothing lost, nothing doubled."""

from __future__ import annotations

import random
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from fault_proxy import FaultProxy, FaultRates
from server_harness import ServerProcess
from sim_device import DeviceClient, SimDevice, sync_until_done
from test_server_faults import check_outcome

from sync_server import admin
from sync_server.db import migrate, open_database

HERE = Path(__file__).parent
DEVICES, REGISTRATIONS, DEVICE_KILLS, SERVER_KILLS = 3, 60, 6, 1


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)  # the database side is covered by test_server_faults
def test_killed_devices_resume_from_their_disk(backend, tmp_path):
    db = open_database(backend.database_url or f"sqlite:///{tmp_path / 'server.db'}", pool_size=2)
    migrate(db)
    admin.add_centre(db, "North")
    admin.add_centre(db, "South")
    server = ServerProcess(data_dir=tmp_path, database_url=backend.database_url).start()
    proxy = FaultProxy(upstream_port=server.port, rates=FaultRates(), seed=3).start()
    rng = random.Random(5)
    states = [tmp_path / f"device-{i}.json" for i in range(DEVICES)]
    running: dict[int, subprocess.Popen] = {}
    logs = []
    try:
        for i, state in enumerate(states):
            with DeviceClient(server.url) as client:
                client.enrol(admin.create_enrolment_code(db, centre="North" if i < 2 else "South",
                                                         ttl=timedelta(hours=1)))
                client.base_url = proxy.url
                SimDevice(client).save(state)

        def spawn(i: int) -> subprocess.Popen:
            log = open(tmp_path / f"device-{i}.log", "ab")
            logs.append(log)
            return subprocess.Popen([sys.executable, str(HERE / "device_process.py"), str(states[i]), str(i + 1),
                                     str(REGISTRATIONS)], cwd=HERE, stdout=log, stderr=log)

        running = {i: spawn(i) for i in range(DEVICES)}
        device_kills = server_kills = 0
        while running:
            victim = rng.choice(sorted(running))
            try:
                running[victim].wait(timeout=rng.uniform(0.3, 1.2))  # let it work a while (or finish)
            except subprocess.TimeoutExpired:
                if device_kills < DEVICE_KILLS:
                    running[victim].kill()
                    running[victim].wait()
                    running[victim] = spawn(victim)
                    device_kills += 1
                elif server_kills < SERVER_KILLS:
                    server.kill()
                    server.start()
                    server_kills += 1
            for i, process in list(running.items()):
                if process.poll() is not None:
                    assert process.returncode == 0, (tmp_path / f"device-{i}.log").read_text()[-3000:]
                    del running[i]
        assert device_kills >= 1

        sims = [SimDevice.load(state) for state in states]
        for sim in sims:  # a last sync on a quiet line, so every device has pulled every change
            sim.client.base_url = server.url
            sync_until_done(sim, rng=random.Random(0))
        check_outcome(db, sims, tmp_path)
        for sim in sims:
            sim.client.close()
    finally:
        for process in running.values():
            process.kill()
            process.wait()
        for log in logs:
            log.close()
        proxy.stop()
        server.stop()
        db.dispose()
