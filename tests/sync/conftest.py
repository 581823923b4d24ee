"""Fixtures for the device sync client tests: the REAL server on loopback (the server helper's harness, reused
by import from tests/server), fast test-profile vaults, and enrolled devices.

Administration goes through `waypoint-server admin ...` in a subprocess, as an administrator would: the server's
and the vault's SQLModel tables cannot live in one process (both define a `conflict` table).

Each module gets its own server (SQLite, and PostgreSQL on 127.0.0.1:5432 when reachable).
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "server"))

from server_harness import ServerProcess, fresh_postgres_database, postgres_available  # noqa: E402

from desktop_app.services import sync as sync_service  # noqa: E402
from desktop_app.vault import Vault  # noqa: E402

PASSPHRASE = "correct horse battery staple 42"
FAST_RETRY = sync_service.RetryPolicy(max_attempts=30, base_s=0.005, cap_s=0.05)


@dataclass
class Backend:
    name: str
    data_dir: Path
    database_url: str | None

    @property
    def admin_url(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir / 'server.db'}"


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def backend(request, tmp_path_factory):
    data_dir = tmp_path_factory.mktemp(f"server-{request.param}")
    if request.param == "postgres":
        reason = postgres_available()
        if reason:
            pytest.skip(reason)
        with fresh_postgres_database() as url:
            yield Backend("postgres", data_dir, url)
    else:
        yield Backend("sqlite", data_dir, None)


@pytest.fixture(scope="module")
def server(backend: Backend):
    with ServerProcess(data_dir=backend.data_dir, database_url=backend.database_url) as process:
        yield process


class ServerAdmin:
    """`waypoint-server admin ...` against the module's server (same data folder and database)."""

    def __init__(self, backend: Backend) -> None:
        self.backend = backend
        self.centres: set[str] = set()

    def run(self, *args: str) -> str:
        env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
        if self.backend.database_url:
            env["DATABASE_URL"] = self.backend.database_url
        result = subprocess.run([sys.executable, "-m", "sync_server.cli", "--data-dir", str(self.backend.data_dir),
                                 "admin", *args], env=env, capture_output=True, text=True, timeout=120)
        if result.returncode != 0:
            raise RuntimeError(f"waypoint-server admin {args[0]} failed: {result.stderr[-500:]}")
        return result.stdout.strip()

    def code(self, centre: str = "Agadez") -> str:
        if centre not in self.centres:
            existing = {line.split("\t", 1)[1] for line in self.run("centre", "list").splitlines() if "\t" in line}
            if centre not in existing:
                self.run("centre", "add", centre)
            self.centres.add(centre)
        return self.run("enrol-code", "--centre", centre)


@pytest.fixture(scope="module")
def server_admin(server: ServerProcess, backend: Backend) -> ServerAdmin:
    return ServerAdmin(backend)


@pytest.fixture
def new_code(server_admin: ServerAdmin):
    return server_admin.code


@pytest.fixture
def make_vault(tmp_path):
    opened: list[Vault] = []

    def make(name: str = "laptop") -> Vault:
        vault, _recovery = Vault.create(tmp_path / name, admin_username="admin", admin_passphrase=PASSPHRASE,
                                        kdf_profile="test")
        opened.append(vault)
        return vault

    yield make
    for vault in opened:
        vault.close()


def fast_connect(**overrides):
    """A ServerConnection factory with short backoff (tests) and any other override (e.g. a CA bundle)."""

    def connect(url, **kwargs):  # noqa: ANN001, ANN202
        return sync_service.ServerConnection(url, **{"retry": FAST_RETRY, **kwargs, **overrides})

    return connect


@pytest.fixture
def enrolled(make_vault, new_code, server):
    """A vault enrolled with the module's server (centre Agadez unless told)."""

    def make(name: str = "laptop", *, centre: str = "Agadez", url: str | None = None) -> Vault:
        vault = make_vault(name)
        sync_service.enrol(vault, server_url=url or server.url, code=new_code(centre), device_name=name)
        return vault

    return make


def pytest_collection_modifyitems(config, items):
    """Full-size runs (@pytest.mark.slow) only when asked: `-m slow` or WAYPOINT_SLOW=1 (keeps ./dev test quick)."""
    if "slow" in (config.getoption("-m") or "") or os.environ.get("WAYPOINT_SLOW") == "1":
        return
    skip = pytest.mark.skip(reason="full size: run with -m slow or WAYPOINT_SLOW=1")
    for item in items:
        if "tests/sync/" in str(item.fspath).replace("\\", "/") and item.get_closest_marker("slow"):
            item.add_marker(skip)
