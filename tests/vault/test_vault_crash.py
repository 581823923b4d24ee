"""Crash tests with real SIGKILLs at random moments.

1. A process saving registrations (alone, in batches, with a file in the same transaction) and deleting some is
   killed 60 times: every save that returned (its id was printed) is there and readable afterwards, with its
   file; every deletion that returned left nothing; and `waypoint verify` passes.
2. A process adding and removing users (each removal rotates the data key: slot file, PRAGMA
   rekey, slot file) is killed 30 times: after each kill the vault opens, verifies and keeps its
   records, and no user whose removal returned can get in.
"""

from __future__ import annotations

import os
import random
import select
import signal
import subprocess
import sys
from pathlib import Path

from desktop_app.vault import Vault
from desktop_app.services.attachments import list_attachments, read_attachment
from desktop_app.vault.registrations import get_registration, save_registration
from vault_testdata import ADMIN, ADMIN_PASSPHRASE

WRITER = Path(__file__).with_name("crash_writer.py")
ROUNDS = 60
ROTATION_ROUNDS = 30


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


def run_and_kill(vault_dir, mode: str, rounds: int, after_kill=None) -> tuple[list[str], int]:
    """Fork a worker `rounds` times and SIGKILL it at a random moment; return every line it printed
    and how many kills came after it had finished at least one piece of work."""
    rng = random.Random()
    zygote = subprocess.Popen([sys.executable, str(WRITER), mode, str(vault_dir), ADMIN, ADMIN_PASSPHRASE],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, bufsize=0)
    reader = LineReader(zygote.stdout.fileno())
    printed: list[str] = []
    kills_while_working = 0
    try:
        for round_no in range(rounds):
            zygote.stdin.write(f"go {rng.getrandbits(32)}\n".encode())
            lines = reader.lines(60)
            while not lines or not lines[0].startswith("started "):
                lines += reader.lines(60)
            pid = int(lines.pop(0).split()[1])
            # Kill after a random number of saves (0 = possibly still unlocking) plus a random extra moment.
            wanted, seen = rng.choice([0, 0, 1, 3, 10, 30]), 0
            while seen < wanted:
                new = [ln for ln in lines + reader.lines(30) if not ln.startswith(("started ", "ended "))]
                lines = []
                printed += new
                seen += len(new)
            lines += reader.lines(rng.uniform(0, 0.03))
            os.kill(pid, signal.SIGKILL)
            while True:
                for line in lines:
                    if line.startswith("ended "):
                        assert int(line.split()[1]) == pid
                        status = int(line.split()[2])
                        assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL, (
                            f"round {round_no}: the writer died on its own (status {status})")
                        kills_while_working += seen > 0
                        break
                    printed.append(line)
                else:
                    lines = reader.lines(30)
                    continue
                break
            if after_kill is not None:
                after_kill(printed)
    finally:
        zygote.stdin.close()
        zygote.wait(timeout=60)
        zygote.stdout.close()
    return printed, kills_while_working


def test_saves_that_returned_survive_sigkill(new_vault, vault_dir):
    new_vault.close()
    lines, kills_while_working = run_and_kill(vault_dir, "save", ROUNDS)
    printed = [line.split()[1] for line in lines if line.startswith("saved ")]
    print(f"{ROUNDS} kills, {kills_while_working} while saving, {len(printed)} saves returned")
    assert kills_while_working >= ROUNDS // 2
    assert len(printed) > ROUNDS

    deleted = {line.split()[1] for line in lines if line.startswith("deleted ")}
    # A deletion under way when the kill came may have committed or not; these are checked as "either".
    deleting = {line.split()[1] for line in lines if line.startswith("deleting ")}
    filed = {line.split()[1] for line in lines if line.startswith("filed ")} - deleting
    assert filed and deleted
    with Vault.unlock(vault_dir, username=ADMIN, passphrase=ADMIN_PASSPHRASE) as vault:
        missing = [i for i in printed if i not in deleting and get_registration(vault, i) is None]
        assert missing == []
        for record_id in set(printed) - deleting:
            assert f"<id>{record_id}</id>" in get_registration(vault, record_id).content
        for record_id in filed:  # a save with its file: both, or (killed before it returned) neither
            photo = read_attachment(vault, record_id=record_id, name="photo.jpg")
            assert photo and photo == record_id.encode() * (len(photo) // len(record_id.encode()))
        for record_id in deleting:
            gone = get_registration(vault, record_id)
            if record_id in deleted or gone is None or gone.deleted:  # returned, or committed before the kill
                assert (gone is None or (gone.deleted and gone.content == "")) and not list_attachments(vault,
                                                                                                       record_id)
            else:  # killed before it committed: the record is whole
                assert f"<id>{record_id}</id>" in gone.content
    done = subprocess.run(
        [sys.executable, "-m", "desktop_app.cli", "verify", "--vault", str(vault_dir), "--user", ADMIN],
        env={**os.environ, "WAYPOINT_PASSPHRASE": ADMIN_PASSPHRASE}, capture_output=True, text=True, timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("OK:")


def test_key_rotation_survives_sigkill_at_any_moment(new_vault, vault_dir):
    """Users added and removed (each removal rotates the data key) by a process killed at random:
    after every kill the vault opens, verifies, keeps its records, and no removed user gets in."""
    record = save_registration(new_vault, form_id="f", form_version="1", status="finalized",
                               content="<data>must survive every rotation</data>")
    new_vault.close()

    def check(lines):
        with Vault.unlock(vault_dir, username=ADMIN, passphrase=ADMIN_PASSPHRASE) as vault:
            assert vault.verify().ok
            assert get_registration(vault, record.id).content == "<data>must survive every rotation</data>"
            present = {u.username for u in vault.list_users()}
        removed = {line.split()[1] for line in lines if line.startswith("removed ")}
        assert not removed & present
        for name in {line.split()[1] for line in lines if line.startswith("added ")} & present:
            # Killed while being removed, before the slot went: still a whole, working slot.
            Vault.unlock(vault_dir, username=name, passphrase=f"the long passphrase of {name}").close()

    lines, kills_while_working = run_and_kill(vault_dir, "rotate", ROTATION_ROUNDS, after_kill=check)
    removals = sum(line.startswith("removed ") for line in lines)
    print(f"{ROTATION_ROUNDS} kills, {kills_while_working} while working, {removals} rotations returned")
    assert removals >= ROTATION_ROUNDS // 2
