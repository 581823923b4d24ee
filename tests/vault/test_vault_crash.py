"""The crash test: a process saving registrations is SIGKILLed at random moments, 60 times.
Every save that returned (its id was printed) must be there and readable afterwards, and
`waypoint verify` must pass."""

from __future__ import annotations

import os
import random
import select
import signal
import subprocess
import sys
from pathlib import Path

from desktop_app.vault import Vault
from desktop_app.vault.registrations import get_registration
from vault_testdata import ADMIN, ADMIN_PASSPHRASE

WRITER = Path(__file__).with_name("crash_writer.py")
ROUNDS = 60


class LineReader:
    """Lines from a pipe, waiting with select (no sleeps) up to a deadline."""

    def __init__(self, fd: int):
        self.fd, self.buffer = fd, b""

    def lines(self, timeout: float) -> list[str]:
        ready, _, _ = select.select([self.fd], [], [], timeout)
        if ready:
            chunk = os.read(self.fd, 65536)
            if not chunk:
                raise EOFError("the writer zygote exited")
            self.buffer += chunk
        *complete, self.buffer = self.buffer.split(b"\n")
        return [line.decode() for line in complete]


def test_saves_that_returned_survive_sigkill(new_vault, vault_dir):
    new_vault.close()
    rng = random.Random()
    zygote = subprocess.Popen([sys.executable, str(WRITER), str(vault_dir), ADMIN, ADMIN_PASSPHRASE],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, bufsize=0)
    reader = LineReader(zygote.stdout.fileno())
    printed: list[str] = []
    kills_while_saving = 0
    try:
        for round_no in range(ROUNDS):
            zygote.stdin.write(f"go {rng.getrandbits(32)}\n".encode())
            lines = reader.lines(60)
            while not lines or not lines[0].startswith("started "):
                lines += reader.lines(60)
            pid = int(lines.pop(0).split()[1])
            # Kill after a random number of saves (0 = possibly still unlocking) plus a random extra moment.
            wanted, seen = rng.choice([0, 0, 1, 3, 10, 30]), 0
            while seen < wanted:
                new = [ln for ln in lines + reader.lines(30) if ln.startswith("saved ")]
                lines = []
                printed += [ln.split()[1] for ln in new]
                seen += len(new)
            lines += reader.lines(rng.uniform(0, 0.03))
            os.kill(pid, signal.SIGKILL)
            while True:
                for line in lines:
                    if line.startswith("saved "):
                        printed.append(line.split()[1])
                    elif line.startswith("ended "):
                        assert int(line.split()[1]) == pid
                        status = int(line.split()[2])
                        assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL, (
                            f"round {round_no}: the writer died on its own (status {status})")
                        kills_while_saving += seen > 0
                        break
                else:
                    lines = reader.lines(30)
                    continue
                break
    finally:
        zygote.stdin.close()
        zygote.wait(timeout=60)
        zygote.stdout.close()
    print(f"{ROUNDS} kills, {kills_while_saving} while saving, {len(printed)} saves returned")
    assert kills_while_saving >= ROUNDS // 2
    assert len(printed) > ROUNDS

    with Vault.unlock(vault_dir, username=ADMIN, passphrase=ADMIN_PASSPHRASE) as vault:
        missing = [i for i in printed if get_registration(vault, i) is None]
        assert missing == []
        for record_id in printed:
            assert f"<id>{record_id}</id>" in get_registration(vault, record_id).content
    done = subprocess.run(
        [sys.executable, "-m", "desktop_app.cli", "verify", "--vault", str(vault_dir), "--user", ADMIN],
        env={**os.environ, "WAYPOINT_PASSPHRASE": ADMIN_PASSPHRASE}, capture_output=True, text=True, timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("OK:")
