"""Re-enrolment with a new code keeps the outbox and the records: the server's keys were replaced without a rotation,
the laptop stops with 'the server's key changed' holding a full outbox (ops never frozen, and a batch the server
stored but whose answer the laptop refused), enrols again through the CLI, and everything reaches the server once,
without a conflict, as a laptop enrolled afterwards sees."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from records import register
from server_harness import ServerProcess, server_cli
from tests.sync.support import PASSPHRASE, fast_connect

from desktop_app.services import sync as sync_service
from desktop_app.sync import errors, store
from desktop_app.vault import Vault
from desktop_app.vault.registrations import count_unsynced
from desktop_app.vault.sql import Db, text


@pytest.fixture
def own_server(tmp_path):
    data = tmp_path / "server"
    server = ServerProcess(data_dir=data).start()
    server_cli(data, "admin", "centre", "add", "Dosso", extra_env=server.extra_env)
    yield server
    server.stop()


def code_for(server: ServerProcess) -> str:
    return server_cli(server.data_dir, "admin", "enrol-code", "--centre", "Dosso").stdout.strip()


def contents(vault) -> dict[str, tuple]:
    with vault.session(readonly=True) as session:
        rows = Db.of(session).execute(text("SELECT id, deleted, content FROM registration")).all()
    return {row.id: (bool(row.deleted), row.content) for row in rows}


def test_enrolling_again_keeps_a_full_outbox_and_sends_it_once(make_vault, own_server):
    vault = make_vault("reenrol")
    sync_service.enrol(vault, server_url=own_server.url, code=code_for(own_server))
    synced = [register(vault, f"Reenrol Synced {n}", 20 + n).id for n in range(10)]
    sync_service.sync_now(vault, connect=fast_connect())

    # A batch reaches the server but its answer is lost: those ops stay frozen and unacknowledged here although the
    # server stored them under this laptop's old identity.
    for n in range(30):
        register(vault, f"Reenrol Waiting {n}", 30 + n)

    def answer_lost(url, **kwargs):
        connection = fast_connect(retry=sync_service.RetryPolicy(max_attempts=1))(url, **kwargs)
        push = connection.push

        def push_then_drop(body):
            push(body)
            raise errors.ServerUnreachable("answer lost")

        connection.push = push_then_drop
        return connection

    with pytest.raises(errors.GaveUp):
        sync_service.sync_now(vault, connect=answer_lost, batch_size=10)
    with vault.session(readonly=True) as session:
        assert Db.of(session).execute(text("SELECT COUNT(*) FROM outbox WHERE device_seq IS NOT NULL "
                                           "AND acked_at IS NULL")).scalar_one() >= 10  # (pipelined: more)

    own_server.stop()
    for key in [*own_server.data_dir.glob("keys/signing-*.key"), *own_server.data_dir.glob("keys/batch-*.key")]:
        key.unlink()
    server_cli(own_server.data_dir, "admin", "init", "--new-keys")
    own_server.start()
    with pytest.raises(errors.ServerKeyChanged):
        sync_service.sync_now(vault, connect=fast_connect())
    # What that contact learned stays said, without the network (`sync --status`, the status bar).
    status = store.status(vault)
    assert status["enrolled"] and (status["refused"], status["key_changed"], status["revoked"]) == (
        "key_changed", True, False)
    for n, record in enumerate(synced[:5]):
        register(vault, f"Reenrol Synced {n} edited", 40 + n, record_id=record)
    before = contents(vault)
    waiting = count_unsynced(vault)
    assert waiting == 35
    with pytest.raises(errors.AlreadyEnrolled, match="--again"):
        sync_service.enrol(vault, server_url=own_server.url, code=code_for(own_server))

    path = vault.path
    vault.close()
    env = {**os.environ, "WAYPOINT_PASSPHRASE": PASSPHRASE}
    enrolled = subprocess.run([sys.executable, "-m", "desktop_app.cli", "enrol", "--vault", str(path), "--user",
                               "admin", "--server", own_server.url, "--code", code_for(own_server), "--again"],
                              env=env, capture_output=True, text=True, timeout=300)
    assert enrolled.returncode == 0, enrolled.stderr
    vault = Vault.unlock(path, username="admin", passphrase=PASSPHRASE)
    try:
        assert contents(vault) == before and count_unsynced(vault) == waiting  # nothing lost, nothing marked sent
        summary = sync_service.sync_now(vault, connect=fast_connect())
        assert summary.acknowledged == waiting and summary.conflicts == 0 and summary.rejected == 0
        assert count_unsynced(vault) == 0 and store.status(vault)["open_conflicts"] == 0
        assert contents(vault) == before
        other = make_vault("reenrol-other")
        sync_service.enrol(other, server_url=own_server.url, code=code_for(own_server))
        sync_service.sync_now(other, connect=fast_connect())
        assert contents(other) == before  # the server holds each record once, as this laptop does
    finally:
        vault.close()
    status = subprocess.run([sys.executable, "-m", "desktop_app.cli", "sync", "--vault", str(path), "--user", "admin",
                             "--status"], env=env, capture_output=True, text=True, timeout=300)
    assert json.loads(status.stdout)["unsynced"] == 0
    assert (json.loads(status.stdout)["refused"], json.loads(status.stdout)["key_changed"]) == (None, False)
