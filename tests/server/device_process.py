"""A simulated laptop as its own process, so tests can kill it (SIGKILL) at any moment and start it again.

    python device_process.py STATE_FILE SEED REGISTRATIONS

STATE_FILE holds the enrolled device (written by the test) and everything the device has committed since; each
local change, stored acknowledgement and pulled page is written atomically before the device goes on. The workload
is a plan derived from SEED, resumed at `progress`: killed and restarted, the device continues where its disk says.
Exits 0 once the plan is done and everything is acknowledged and pulled.
"""

from __future__ import annotations

import random
import sys
import uuid
from pathlib import Path

from sim_device import SimDevice, sync_until_done


def plan(seed: int, registrations: int) -> list[tuple]:
    """Register in rounds, edit and delete some of the device's own records, sync after every round."""
    rng = random.Random(seed)
    steps: list[tuple] = []
    alive: list[str] = []
    rounds = 4
    for round_no in range(rounds):
        for _ in range(registrations // rounds):
            record_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
            steps.append(("register", record_id, {"name": f"P{len(steps)}", "age": rng.randint(0, 80),
                                                  "notes": "x" * rng.randint(50, 1500)}))
            alive.append(record_id)
        for record_id in rng.sample(alive, k=len(alive) // 5):
            steps.append(("edit", record_id, {"age": rng.randint(0, 80), "town": rng.choice(["Gao", "Mopti"])}))
        for record_id in rng.sample(alive, k=max(1, len(alive) // 20)):
            steps.append(("delete", record_id, None))
            alive.remove(record_id)
        steps.append(("sync", round_no, None))
    return steps


def main(state_path: Path, seed: int, registrations: int) -> int:
    device = SimDevice.load(state_path)
    device.on_commit = lambda: device.save(state_path)
    steps = plan(seed, registrations)
    rng = random.Random(seed * 1000 + device.progress)
    try:
        while device.progress < len(steps):
            kind, target, fields = steps[device.progress]
            if kind == "sync":
                sync_until_done(device, rng=rng, batch_size=40)
                device.progress += 1
                device.save(state_path)
                continue
            device.progress += 1  # committed together with the op, as one local transaction
            if kind == "register":
                device.register(fields, record_id=target)
            elif kind == "edit":
                device.edit(target, fields)
            else:
                device.delete(target)
        return 0
    finally:
        device.client.close()


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])))
