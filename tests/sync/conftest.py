"""Fixtures for the device sync client tests: the REAL server on loopback (the server helper's harness, reused
by import from tests/server), fast test-profile vaults, and enrolled devices.

Administration goes through `waypoint-server admin ...` in a subprocess, as an administrator would
(tests/sync/support.py: ServerAdmin).

Each module gets its own server (SQLite, and PostgreSQL on 127.0.0.1:5432 when reachable).
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "server"))

from server_harness import Backend, ServerProcess, backend_for

from desktop_app.services import sync as sync_service
from desktop_app.vault import Vault
from tests.sync.support import PASSPHRASE, ServerAdmin

backend = pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])(
    backend_for)


@pytest.fixture(scope="module")
def server(backend: Backend):
    with ServerProcess(data_dir=backend.data_dir, database_url=backend.database_url) as process:
        yield process


@pytest.fixture(scope="module")
def server_admin(server: ServerProcess, backend: Backend):
    helper = ServerAdmin(backend)
    yield helper
    helper.close()


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


@pytest.fixture
def enrolled(make_vault, new_code, server):
    """A vault enrolled with the module's server (centre Agadez unless told)."""

    def make(name: str = "laptop", *, centre: str = "Agadez", url: str | None = None) -> Vault:
        vault = make_vault(name)
        sync_service.enrol(vault, server_url=url or server.url, code=new_code(centre), device_name=name)
        return vault

    return make

