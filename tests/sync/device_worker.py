"""One field laptop's sync run in its own process, for the fault tests: the real desktop client (vault, engine,
transport) talking to the server through the fault proxy, and killed with SIGKILL at random step boundaries
(after an answer arrived but before it was stored, after a batch was frozen but before it was sent, ...).

    python device_worker.py VAULT_DIR SERVER_URL SEED KILL_PROBABILITY BATCH_SIZE
The passphrase comes from WAYPOINT_PASSPHRASE. Prints the run's JSON summary when it completes.
"""

from __future__ import annotations

import json
import os
import random
import signal
import sys
from pathlib import Path

from desktop_app.services import sync as sync_service
from desktop_app.sync import engine
from desktop_app.sync.transport import RetryPolicy, ServerConnection
from desktop_app.vault import Vault


def main(vault_dir: str, server_url: str, seed: str, kill_probability: str, batch_size: str) -> int:
    rng, probability = random.Random(int(seed)), float(kill_probability)

    def maybe_die() -> None:
        if rng.random() < probability:
            os.kill(os.getpid(), signal.SIGKILL)  # a power cut: no cleanup, no flush, no close

    def connect(_url: str, **kwargs) -> ServerConnection:
        return ServerConnection(server_url, retry=RetryPolicy(max_attempts=80, base_s=0.005, cap_s=0.1), **kwargs)

    vault = Vault.unlock(Path(vault_dir), username="admin", passphrase=os.environ["WAYPOINT_PASSPHRASE"])
    steps = sync_service.sync_steps(connect=connect, batch_size=int(batch_size))
    value = None
    while True:
        try:
            step = steps.send(value)
        except StopIteration as stop:
            vault.close()
            print(json.dumps(stop.value.as_json()))
            return 0
        maybe_die()
        if isinstance(step, engine.Both):  # pipelined: a kill may fall between its halves too
            answer = step.remote()
            maybe_die()
            value = (answer, step.local(vault))
        else:
            value = step.fn(vault) if isinstance(step, engine.Local) else step.fn()
        maybe_die()


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
