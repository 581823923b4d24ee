"""Helpers the sync tests share (importable by name; conftest modules are not): the passphrase, fast retries,
the server administration, and a connection factory."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "server"))

import pytest
from server_harness import Backend, backend_for

from desktop_app.services import sync as sync_service

PASSPHRASE = "correct horse battery staple 42"
FAST_RETRY = sync_service.RetryPolicy(max_attempts=30, base_s=0.005, cap_s=0.05)


def sqlite_backend():
    """A module's `backend` fixture for SQLite only (tests/sync/conftest.py's runs SQLite and PostgreSQL).

    For files that drive the app's widgets against the real server: what they prove is the app's, and the server
    answers them the same on either database. The server's SQL, its locking, merges and restores are tested on
    both (tests/server, and tests/sync files that keep the two-database fixture)."""
    return pytest.fixture(scope="module", params=["sqlite"])(backend_for)


ADMIN_WORKER = """
import sys
from datetime import timedelta
from pathlib import Path
from sync_server import admin
from sync_server.db import open_database
from sync_server.settings import Settings
db = open_database(Settings.from_env(data_dir=Path(sys.argv[1])).database_url, pool_size=1)
for line in sys.stdin:
    centre = line.strip()
    try:
        if centre not in {name for _, name in admin.list_centres(db)}:
            admin.add_centre(db, centre)
        print(admin.create_enrolment_code(db, centre=centre, ttl=timedelta(hours=1)), flush=True)
    except Exception as exc:
        print("ERROR " + str(exc).replace(chr(10), " "), flush=True)
db.dispose()
"""


class ServerAdmin:
    """The server's administration against the module's server (same data folder and database).

    `run` is `waypoint-server admin ...` as an administrator types it; `code` asks one long-lived process
    running the same admin functions, so that tests do not pay an interpreter start per enrolment code.
    """

    def __init__(self, backend: Backend) -> None:
        self.backend = backend
        self._worker: subprocess.Popen | None = None

    def _env(self) -> dict:
        env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
        if self.backend.database_url:
            env["DATABASE_URL"] = self.backend.database_url
        return env

    def run(self, *args: str) -> str:
        result = subprocess.run([sys.executable, "-m", "sync_server.cli", "--data-dir", str(self.backend.data_dir),
                                 "admin", *args], env=self._env(), capture_output=True, text=True, timeout=120)
        if result.returncode != 0:
            raise RuntimeError(f"waypoint-server admin {args[0]} failed: {result.stderr[-500:]}")
        return result.stdout.strip()

    def code(self, centre: str = "Agadez") -> str:
        if self._worker is None:
            self._worker = subprocess.Popen([sys.executable, "-c", ADMIN_WORKER, str(self.backend.data_dir)],
                                            env=self._env(), stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        self._worker.stdin.write(centre + "\n")
        self._worker.stdin.flush()
        answer = self._worker.stdout.readline().strip()
        if not answer or answer.startswith("ERROR"):
            raise RuntimeError(f"enrolment code for {centre}: {answer or 'admin worker exited'}")
        return answer

    def close(self) -> None:
        if self._worker is not None:
            self._worker.stdin.close()
            self._worker.wait(timeout=30)
            self._worker.stdout.close()
            self._worker = None


def fast_connect(**overrides):
    """A ServerConnection factory with short backoff (tests) and any other override (e.g. a CA bundle)."""

    def connect(url, **kwargs):
        return sync_service.ServerConnection(url, **{"retry": FAST_RETRY, **kwargs, **overrides})

    return connect


def enrol_at(make_vault, server, server_admin, name: str, centre: str, roles: str | None):
    """A laptop enrolled at `centre` (made the first time) with a code naming `roles` (None: a code naming none)."""
    vault = make_vault(name)
    if roles:
        server_admin.code(centre)  # makes the centre the first time
        code = server_admin.run("enrol-code", "--centre", centre, "--roles", roles)
    else:
        code = server_admin.code(centre)
    sync_service.enrol(vault, server_url=server.url, code=code, device_name=name)
    return vault
