"""One laptop's sync run in its own process, for the attachment tests: the real desktop client (vault, engine,
transport), SIGKILLed right after its Nth file chunk crossed the wire (the server stored an uploaded chunk and
answered; or a downloaded chunk arrived), before the vault stored anything about it.

    python attachment_worker.py VAULT_DIR SERVER_URL KILL_AFTER_CHUNKS      (0: never)
The passphrase comes from WAYPOINT_PASSPHRASE. When the run completes it prints JSON: the run's summary and how
many chunks it moved.
"""

from __future__ import annotations

import json
import os
import signal
import sys
from pathlib import Path

from desktop_app.services import sync as sync_service
from desktop_app.sync import engine
from desktop_app.sync.transport import RetryPolicy, ServerConnection
from desktop_app.vault import Vault


def main(vault_dir: str, server_url: str, kill_after: str) -> int:
    limit, moved = int(kill_after), [0]

    def tick() -> None:
        moved[0] += 1
        if moved[0] == limit:
            os.kill(os.getpid(), signal.SIGKILL)  # a power cut: no cleanup, no flush, no close

    class Counting(ServerConnection):
        def upload_chunk(self, chunk):
            status = super().upload_chunk(chunk)
            tick()
            return status

        def download_chunk(self, sha256, offset):
            chunk = super().download_chunk(sha256, offset)
            if chunk is not None:
                tick()
            return chunk

    def connect(_url: str, **kwargs) -> ServerConnection:
        return Counting(server_url, retry=RetryPolicy(max_attempts=80, base_s=0.005, cap_s=0.1), **kwargs)

    vault = Vault.unlock(Path(vault_dir), username="admin", passphrase=os.environ["WAYPOINT_PASSPHRASE"])
    summary = engine.run_inline(sync_service.sync_steps(connect=connect), vault=vault)
    vault.close()
    print(json.dumps({"summary": summary.as_json(), "chunks": moved[0]}))
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
